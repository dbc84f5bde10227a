package main

import (
	"fmt"
	"os"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/trackers/factory"
)

// gitSSHSecrets reads the SSH private key (source.git.ssh_key_file, a
// mounted secret) and the known_hosts file of a git source; both are nil
// when not configured. It warns when host keys are not checked.
func gitSSHSecrets(g config.Git, secrets config.Secrets, fo factory.Options) (key, knownHosts []byte, err error) {
	if g.InsecureIgnoreHostKey && g.KnownHostsFile == "" && fo.Logger != nil {
		// Validation allows the flag only on an SSH URL; say so on every
		// run, so it is not forgotten in production.
		fo.Logger.Warn("source.git.insecure_ignore_host_key is set: any SSH host key is accepted, so a man in the middle "+
			"could read and rewrite the repository; set source.git.known_hosts_file instead", "url", g.URL)
	}
	if g.SSHKey().IsSet() {
		k, err := secrets.Resolve(g.SSHKey())
		if err != nil {
			return nil, nil, err
		}
		if fo.Secret != nil {
			fo.Secret(k)
		}
		key = []byte(k + "\n")
	}
	if g.KnownHostsFile != "" {
		read := fo.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		knownHosts, err = read(g.KnownHostsFile)
		if err != nil {
			return nil, nil, fmt.Errorf("source.git.known_hosts_file: %w", err)
		}
	}
	return key, knownHosts, nil
}
