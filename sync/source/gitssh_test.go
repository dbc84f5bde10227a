package source

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/gittest"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshServer serves the bare repositories of a folder over SSH by running
// git upload-pack and git receive-pack, accepting one client key.
type sshServer struct {
	Addr    string
	HostKey ssh.PublicKey
}

func newTestKey(t *testing.T) (ssh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return signer, pem.EncodeToMemory(block)
}

func startSSHServer(t *testing.T, root string, client ssh.PublicKey) *sshServer {
	t.Helper()
	host, _ := newTestKey(t)
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(k.Marshal(), client.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	cfg.AddHostKey(host)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSSH(c, cfg, root)
		}
	}()
	return &sshServer{Addr: ln.Addr().String(), HostKey: host.PublicKey()}
}

func serveSSH(c net.Conn, cfg *ssh.ServerConfig, root string) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			return
		}
		go serveSession(ch, creqs, root)
	}
}

func serveSession(ch ssh.Channel, reqs <-chan *ssh.Request, root string) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			if req.WantReply {
				req.Reply(false, nil)
			}
			continue
		}
		var p struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &p); err != nil {
			req.Reply(false, nil)
			continue
		}
		verb, arg, _ := strings.Cut(p.Command, " ")
		repo := filepath.Join(root, filepath.Base(strings.Trim(arg, "'\"")))
		sub := strings.TrimPrefix(verb, "git-")
		if sub != "upload-pack" && sub != "receive-pack" {
			req.Reply(false, nil)
			return
		}
		req.Reply(true, nil)
		cmd := exec.Command("git", sub, repo)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+root)
		cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
		in, err := cmd.StdinPipe()
		status := uint32(1)
		if err == nil && cmd.Start() == nil {
			go func() { io.Copy(in, ch); in.Close() }()
			status = 0
			if err := cmd.Wait(); err != nil {
				status = 1
			}
		}
		ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{status}))
		return
	}
}

func newSSHRepo(t *testing.T) (*gittest.Server, *sshServer, []byte) {
	t.Helper()
	srv := gittest.New(t, map[string]string{"postmortems/a.md": "# A\n", "postmortems/b.md": "# B\n"}, testToken)
	signer, key := newTestKey(t)
	return srv, startSSHServer(t, filepath.Dir(srv.Bare), signer.PublicKey()), key
}

// knownHostsFor is a known_hosts line for s's address with key.
func knownHostsFor(s *sshServer, key ssh.PublicKey) []byte {
	return []byte(knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, key) + "\n")
}

func TestGitSSHCommitPush(t *testing.T) {
	srv, s, key := newSSHRepo(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		knownHosts []byte
		insecure   bool
	}{
		{"known_hosts", knownHostsFor(s, s.HostKey), false},
		{"any host key, asked for", nil, true},
		// A known_hosts file wins over the insecure flag.
		{"known_hosts and insecure", knownHostsFor(s, s.HostKey), true},
	}
	for i, tt := range tests {
		g, err := OpenGit(ctx, GitOptions{
			URL: "ssh://git@" + s.Addr + "/" + filepath.Base(srv.Bare), Branch: "main", Path: "postmortems",
			Dir: t.TempDir(), SSHKey: bytes.TrimRight(key, "\n"), KnownHosts: tt.knownHosts, InsecureIgnoreHostKey: tt.insecure,
		})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		list, err := g.List(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("%s: List = %v, %v", tt.name, list, err)
		}
		old, err := g.Read(ctx, "a.md")
		if err != nil {
			t.Fatal(err)
		}
		want := "# A\n\nsynced " + string(rune('0'+i)) + "\n"
		if err := g.Write(ctx, "a.md", old, []byte(want)); err != nil {
			t.Fatal(err)
		}
		pushed, err := g.Commit(ctx, "pmsync: sync")
		if err != nil || !pushed {
			t.Fatalf("%s: Commit = %v, %v", tt.name, pushed, err)
		}
		if got := srv.Show(t, "postmortems/a.md"); got != strings.TrimSpace(want) && got != want {
			t.Fatalf("%s: bare repo a.md = %q, want %q", tt.name, got, want)
		}
		g.Close()
	}
	if n, want := srv.Commits(t), 1+len(tests); n != want {
		t.Fatalf("commits = %d, want %d", n, want)
	}
}

func TestGitSSHWrongKey(t *testing.T) {
	srv, s, _ := newSSHRepo(t)
	_, other := newTestKey(t)
	_, err := OpenGit(context.Background(), GitOptions{
		URL: "ssh://git@" + s.Addr + "/" + filepath.Base(srv.Bare), Branch: "main", Dir: t.TempDir(), SSHKey: other,
		KnownHosts: knownHostsFor(s, s.HostKey),
	})
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "check source.git.ssh_key_file") {
		t.Fatalf("err = %v, want advice to check source.git.ssh_key_file", err)
	}
}

// TestGitSSHHostKeyRequired: host keys are checked by default. Without a
// known_hosts file an SSH source is refused before any connection (the
// user is told both ways out), and a host key that is not the known one
// is refused even with the insecure flag set.
func TestGitSSHHostKeyRequired(t *testing.T) {
	srv, s, key := newSSHRepo(t)
	impostor, _ := newTestKey(t)
	url := "ssh://git@" + s.Addr + "/" + filepath.Base(srv.Bare)
	tests := []struct {
		name       string
		knownHosts []byte
		insecure   bool
		want       []string
	}{
		{"no known_hosts", nil, false, []string{"source.git.known_hosts_file", "source.git.insecure_ignore_host_key: true"}},
		{"another host's key", knownHostsFor(s, impostor.PublicKey()), false, []string{"host key is not in source.git.known_hosts_file"}},
		{"another host's key, insecure set", knownHostsFor(s, impostor.PublicKey()), true, []string{"host key is not in source.git.known_hosts_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := OpenGit(context.Background(), GitOptions{
				URL: url, Branch: "main", Dir: dir, SSHKey: key, KnownHosts: tt.knownHosts, InsecureIgnoreHostKey: tt.insecure,
			})
			t.Log(err)
			if err == nil {
				t.Fatal("OpenGit succeeded, want the host key refused")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
				t.Error("a clone was made from an unverified host")
			}
		})
	}
}

func TestGitSSHURL(t *testing.T) {
	for u, want := range map[string]bool{
		// The same table as config's TestIsSSHURL: both must agree.
		"ssh://git@example.com:2222/org/repo.git": true,
		"SSH://example.com/org/repo.git":          true,
		"git@github.com:org/repo.git":             true,
		"github.com:org/repo.git":                 true,
		"https://github.com/org/repo.git":         false,
		"http://127.0.0.1:8080/repo.git":          false,
		"file:///srv/repo.git":                    false,
		"/srv/git/repo.git":                       false,
		"./dir:with/colon":                        false,
		"":                                        false,
	} {
		if got := isSSHURL(u); got != want {
			t.Errorf("isSSHURL(%q) = %v, want %v", u, got, want)
		}
	}
	if _, err := OpenGit(context.Background(), GitOptions{URL: "git@example.com:org/repo.git", Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "ssh_key_file") {
		t.Fatalf("err = %v, want a missing key error", err)
	}
	if _, err := OpenGit(context.Background(), GitOptions{URL: "git@example.com:org/repo.git", Dir: t.TempDir(), SSHKey: []byte("nope"), InsecureIgnoreHostKey: true}); err == nil ||
		strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "ssh_key_file") {
		t.Fatalf("err = %v, want an unusable-key error without the key", err)
	}
}
