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

func TestGitSSHCommitPush(t *testing.T) {
	srv, s, key := newSSHRepo(t)
	ctx := context.Background()
	kh := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, s.HostKey) + "\n"
	for i, known := range []string{"", kh} {
		g, err := OpenGit(ctx, GitOptions{
			URL: "ssh://git@" + s.Addr + "/" + filepath.Base(srv.Bare), Branch: "main", Path: "postmortems",
			Dir: t.TempDir(), SSHKey: bytes.TrimRight(key, "\n"), KnownHosts: []byte(known),
		})
		if err != nil {
			t.Fatal(err)
		}
		list, err := g.List(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("List = %v, %v", list, err)
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
			t.Fatalf("Commit = %v, %v", pushed, err)
		}
		if got := srv.Show(t, "postmortems/a.md"); got != strings.TrimSpace(want) && got != want {
			t.Fatalf("bare repo a.md = %q, want %q", got, want)
		}
		g.Close()
	}
	if n := srv.Commits(t); n != 3 {
		t.Fatalf("commits = %d, want 3", n)
	}
}

func TestGitSSHWrongKey(t *testing.T) {
	srv, s, _ := newSSHRepo(t)
	_, other := newTestKey(t)
	_, err := OpenGit(context.Background(), GitOptions{
		URL: "ssh://git@" + s.Addr + "/" + filepath.Base(srv.Bare), Branch: "main", Dir: t.TempDir(), SSHKey: other,
	})
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "check source.git.ssh_key_file") {
		t.Fatalf("err = %v, want advice to check source.git.ssh_key_file", err)
	}
}

func TestGitSSHUnknownHostKey(t *testing.T) {
	srv, s, key := newSSHRepo(t)
	impostor, _ := newTestKey(t)
	kh := knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, impostor.PublicKey()) + "\n"
	_, err := OpenGit(context.Background(), GitOptions{
		URL: "ssh://git@" + s.Addr + "/" + filepath.Base(srv.Bare), Branch: "main", Dir: t.TempDir(),
		SSHKey: key, KnownHosts: []byte(kh),
	})
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "source.git.known_hosts_file") {
		t.Fatalf("err = %v, want a refused host key", err)
	}
}

func TestGitSSHURL(t *testing.T) {
	for u, want := range map[string]bool{
		"ssh://git@example.com:2222/org/repo.git": true,
		"git@github.com:org/repo.git":             true,
		"https://github.com/org/repo.git":         false,
		"http://127.0.0.1:8080/repo.git":          false,
	} {
		if got := isSSHURL(u); got != want {
			t.Errorf("isSSHURL(%q) = %v, want %v", u, got, want)
		}
	}
	if _, err := OpenGit(context.Background(), GitOptions{URL: "git@example.com:org/repo.git", Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "ssh_key_file") {
		t.Fatalf("err = %v, want a missing key error", err)
	}
	if _, err := OpenGit(context.Background(), GitOptions{URL: "git@example.com:org/repo.git", Dir: t.TempDir(), SSHKey: []byte("nope")}); err == nil || strings.Contains(err.Error(), "nope") {
		t.Fatalf("err = %v, want an error without the key", err)
	}
}
