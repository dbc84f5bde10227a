package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrSecretNotConfigured is returned by Secrets.Resolve when the config
// names no source for a secret; callers for which it is optional (a Jira
// Data Center token without a user) check for it with errors.Is.
var ErrSecretNotConfigured = errors.New("not configured")

// SecretRef says where one secret comes from: an environment variable or a
// file (a mounted Kubernetes Secret). It holds names, never the value.
type SecretRef struct {
	// Key is the config key without its _env/_file suffix, for messages:
	// "trackers.gh.token".
	Key  string
	Env  string
	File string
}

// IsSet reports whether the config names a source for the secret.
func (r SecretRef) IsSet() bool { return r.Env != "" || r.File != "" }

// Secrets resolves SecretRefs. Its errors name the key, the variable or
// the file, never the value.
type Secrets struct {
	// Env is the environment as KEY=VALUE pairs (os.Environ()).
	Env []string
	// ReadFile reads a secret file; when nil, the file is read from disk
	// (a regular file of at most MaxSecretFile bytes).
	ReadFile func(name string) ([]byte, error)
	// Warn, when set, is told of a secret file others can read or write.
	Warn func(msg string)
}

// MaxSecretFile is the largest secret file read: a token or a key is a
// few KiB, and token_file: /dev/zero must not be read forever.
const MaxSecretFile = 64 << 10

// readSecretFile reads a secret file from disk, refusing anything but a
// regular file of at most MaxSecretFile bytes, and warning when every
// user may read or write it.
func (s Secrets) readSecretFile(key, name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s): point %s_file at the file holding the secret", st.Mode().Type(), key)
	}
	if perm := st.Mode().Perm(); perm&0o006 != 0 && s.Warn != nil {
		s.Warn(fmt.Sprintf("%s_file: %s can be read or written by every user (mode %04o): restrict it (chmod 0400, or defaultMode: 0400 on the Secret volume)", key, name, perm))
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSecretFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSecretFile {
		return nil, fmt.Errorf("larger than %d KiB: a secret file holds one token or key; check %s_file", MaxSecretFile>>10, key)
	}
	return b, nil
}

// Resolve returns the secret ref names, without its trailing newline.
func (s Secrets) Resolve(ref SecretRef) (string, error) {
	switch {
	case ref.Env != "" && ref.File != "":
		return "", fmt.Errorf("%s: set %s_env or %s_file, not both", ref.Key, ref.Key, ref.Key)
	case ref.Env != "":
		val, ok := lookupEnv(s.Env, ref.Env)
		val = strings.TrimRight(val, "\r\n")
		if !ok || val == "" {
			return "", fmt.Errorf("%s_env: environment variable %s is not set or empty; set it, or use %s_file", ref.Key, ref.Env, ref.Key)
		}
		return val, nil
	case ref.File != "":
		var data []byte
		var err error
		if s.ReadFile != nil {
			data, err = s.ReadFile(ref.File)
			if err == nil && len(data) > MaxSecretFile {
				err = fmt.Errorf("larger than %d KiB: a secret file holds one token or key; check %s_file", MaxSecretFile>>10, ref.Key)
			}
		} else {
			data, err = s.readSecretFile(ref.Key, ref.File)
		}
		if err != nil {
			return "", fmt.Errorf("%s_file: read %s: %w", ref.Key, ref.File, pathErrorOnly(err))
		}
		val := strings.TrimRight(string(data), "\r\n")
		if val == "" {
			return "", fmt.Errorf("%s_file: %s is empty", ref.Key, ref.File)
		}
		return val, nil
	}
	return "", fmt.Errorf("%s: %w; set %s_env or %s_file", ref.Key, ErrSecretNotConfigured, ref.Key, ref.Key)
}

// pathErrorOnly keeps the cause of a file error (not found, permission
// denied) and drops the rest: the path is already in the message, and a
// custom reader's error text is not ours to trust with a secret.
func pathErrorOnly(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// lookupEnv finds name in a KEY=VALUE list; the last entry wins, as in
// os/exec.
func lookupEnv(env []string, name string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// Credential is one secret the configuration needs at run time.
type Credential struct {
	Ref SecretRef
	// Optional credentials may be left unconfigured (a Jira Data Center
	// personal access token needs no user); configured, they must resolve.
	Optional bool
}

// Credentials lists every secret c needs: the git source's token and SSH
// key, each tracker's token, user, OAuth client secret and refresh
// token, or GitHub App key, as its kind of authentication needs, and the
// digests' webhook.
func (c *Config) Credentials() []Credential {
	var out []Credential
	if c.Digests.Every > 0 && c.Digests.Webhook().IsSet() {
		out = append(out, Credential{Ref: c.Digests.Webhook()})
	}
	if c.Source.Type == SourceGit {
		if g := c.Source.Git; g.Token().IsSet() {
			out = append(out, Credential{Ref: g.Token()})
		}
		if g := c.Source.Git; g.SSHKey().IsSet() {
			out = append(out, Credential{Ref: g.SSHKey()})
		}
	}
	for _, name := range sortedKeys(c.Trackers) {
		t := c.Trackers[name]
		t.Name = name
		switch {
		case t.Type == TrackerGitHub && t.IsGitHubApp():
			out = append(out, Credential{Ref: t.PrivateKey()})
		case t.Type == TrackerGitHub:
			out = append(out, Credential{Ref: t.Token()})
		case t.Type == TrackerJira && t.OAuth.IsSet():
			out = append(out, Credential{Ref: t.ClientSecret()}, Credential{Ref: t.RefreshToken()})
		case t.Type == TrackerJira:
			out = append(out, Credential{Ref: t.Token()},
				Credential{Ref: t.User(), Optional: t.Deployment != DeploymentCloud})
		}
	}
	return out
}

// Check resolves every credential and reports every one that fails at
// once, so that a new deployment is fixed in one round, not one secret
// per run. Its messages name keys, variables and files, never values.
func (s Secrets) Check(creds []Credential) error {
	var errs []error
	for _, c := range creds {
		if c.Optional && !c.Ref.IsSet() {
			continue
		}
		if _, err := s.Resolve(c.Ref); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = "  " + e.Error()
	}
	return fmt.Errorf("%d credential(s) cannot be read; fix them all before the next run:\n%s", len(errs), strings.Join(msgs, "\n"))
}
