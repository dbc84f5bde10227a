package config

import "os"

// DefaultFile is the config file read when neither --config nor
// PMSYNC_CONFIG names one and it exists in the working directory.
const DefaultFile = "pmsync.yaml"

// Locate says which config file to read and where that choice came from
// (for error messages): the --config flag when set, else $PMSYNC_CONFIG,
// else DefaultFile if it exists; "" means none, the built-in defaults.
func Locate(flag string, flagSet bool, env []string) (path, from string) {
	if flagSet {
		return flag, "--config"
	}
	if p, ok := lookupEnv(env, "PMSYNC_CONFIG"); ok {
		return p, "PMSYNC_CONFIG"
	}
	if _, err := os.Stat(DefaultFile); err == nil {
		return DefaultFile, "the working directory"
	}
	return "", ""
}
