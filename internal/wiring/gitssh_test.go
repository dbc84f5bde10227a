package wiring

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/trackers/factory"
)

func TestGitSSHSecrets(t *testing.T) {
	files := map[string]string{"/run/secrets/key": "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n", "/etc/kh": "host ssh-ed25519 AAAA\n"}
	read := func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	var scrubbed []string
	fo := factory.Options{ReadFile: read, Secret: func(s string) { scrubbed = append(scrubbed, s) }}
	sec := config.Secrets{ReadFile: read}
	key, kh, err := GitSSHSecrets(config.Git{SSHKeyFile: "/run/secrets/key", KnownHostsFile: "/etc/kh"}, sec, fo)
	if err != nil || string(key) != files["/run/secrets/key"] || string(kh) != files["/etc/kh"] {
		t.Fatalf("gitSSHSecrets = %q, %q, %v", key, kh, err)
	}
	if len(scrubbed) != 1 || !strings.Contains(scrubbed[0], "abc") {
		t.Fatalf("key not registered for scrubbing: %q", scrubbed)
	}
	if key, kh, err := GitSSHSecrets(config.Git{}, sec, fo); key != nil || kh != nil || err != nil {
		t.Fatalf("unset: %q, %q, %v", key, kh, err)
	}
	if _, _, err := GitSSHSecrets(config.Git{SSHKeyFile: "/nope"}, sec, fo); err == nil || !strings.Contains(err.Error(), "source.git.ssh_key_file") {
		t.Fatalf("missing key: %v", err)
	}
	if _, _, err := GitSSHSecrets(config.Git{KnownHostsFile: "/nope"}, sec, fo); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "source.git.known_hosts_file") {
		t.Fatalf("missing known hosts: %v", err)
	}
}

func TestGitSSHConfigKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pmsync.yaml")
	cfg := "source: {type: git, path: postmortems, git: {url: \"git@example.com:org/pm.git\", branch: main, ssh_key_file: /run/secrets/key, known_hosts_file: /etc/ssh/known_hosts}}\n"
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(p, nil)
	if c == nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Source.Git.KnownHostsFile != "/etc/ssh/known_hosts" || c.Source.Git.SSHKeyFile != "/run/secrets/key" {
		t.Fatalf("git = %+v", c.Source.Git)
	}
	if err != nil && (strings.Contains(err.Error(), "known_hosts_file") || strings.Contains(err.Error(), "source.git.url")) {
		t.Fatalf("Load: %v", err)
	}
}
