package source

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
)

// isSSHURL reports whether u is an SSH URL: ssh://git@host:port/path or
// the scp-like git@host:path.
func isSSHURL(u string) bool {
	ep, err := transport.NewEndpoint(u)
	return err == nil && ep.Protocol == "ssh"
}

// sshAuth is how pmsync authenticates to o.URL for clone, fetch and push
// when it is an SSH URL: with o.SSHKey. It is nil for other URLs.
func sshAuth(o GitOptions) (transport.AuthMethod, error) {
	if !isSSHURL(o.URL) {
		return nil, nil
	}
	if len(o.SSHKey) == 0 {
		return nil, errors.New("source: git: " + o.URL + " is an SSH URL: set source.git.ssh_key_file to the private key")
	}
	if len(o.KnownHosts) == 0 && !o.InsecureIgnoreHostKey {
		// Without a host key to check, a man in the middle could read and
		// rewrite the repository: accepting any key must be asked for.
		return nil, errors.New("source: git: " + o.URL + " is an SSH URL and no host key is known: set source.git.known_hosts_file " +
			"to a known_hosts file with the server's host key (e.g. from ssh-keyscan, checked against the host's published fingerprints), " +
			"or, for tests only, source.git.insecure_ignore_host_key: true")
	}
	user := "git"
	if ep, err := transport.NewEndpoint(o.URL); err == nil && ep.User != "" {
		user = ep.User
	}
	key := o.SSHKey
	if !strings.HasSuffix(string(key), "\n") {
		key = append(append([]byte{}, key...), '\n') // secrets lose their trailing newline
	}
	auth, err := gitssh.NewPublicKeys(user, key, "")
	if err != nil {
		// The parse error never quotes the key.
		return nil, fmt.Errorf("source: git: source.git.ssh_key_file is not a usable unencrypted SSH private key: %v", err)
	}
	if len(o.KnownHosts) == 0 {
		// The operator asked for it with insecure_ignore_host_key (checked
		// above); the caller warns.
		auth.HostKeyCallback = ssh.InsecureIgnoreHostKey()
		return auth, nil
	}
	cb, err := knownHostsCallback(o.KnownHosts)
	if err != nil {
		return nil, fmt.Errorf("source: git: source.git.known_hosts_file: %w", err)
	}
	auth.HostKeyCallback = cb
	return auth, nil
}

// knownHostsCallback checks host keys against the contents of a
// known_hosts file.
func knownHostsCallback(data []byte) (ssh.HostKeyCallback, error) {
	f, err := os.CreateTemp("", "pmsync-known-hosts-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// The file is read here, once; it can go right after.
	db, err := gitssh.NewKnownHostsDb(f.Name())
	if err != nil {
		return nil, err
	}
	return db.HostKeyCallback(), nil
}

// sshHint is advice for an SSH transport error, or "".
func sshHint(url string, err error) string {
	if !isSSHURL(url) {
		return ""
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "knownhosts:") || strings.Contains(s, "host key"):
		return "; the server's host key is not in source.git.known_hosts_file: check the file and the host"
	case strings.Contains(s, "unable to authenticate") || strings.Contains(s, "handshake failed"),
		errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return "; check source.git.ssh_key_file and that its public key has access to the repository"
	}
	return ""
}
