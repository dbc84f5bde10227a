// Package gittest serves a real git repository over loopback HTTP with
// git http-backend, for tests of the git source: clone, push, pushes made
// by someone else in between, and faults of the remote (5xx, 429, resets,
// slow answers, pushes whose answer is lost; see SetFault).
package gittest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// User is the basic-auth user the server expects with the token.
const User = "x-access-token"

// Run runs the git CLI in dir and returns its trimmed output.
func Run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Tester", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// Server is a bare repository served over HTTP behind token auth. Its
// methods are safe for concurrent use.
type Server struct {
	URL  string // of the repository
	Bare string

	mu    sync.Mutex
	fault func(*http.Request) *Fault
	calls []Call
	push  sync.Mutex // serializes TryPush
}

// New creates a bare repository on branch main seeded with files (path →
// content) and serves it; only User with token may read or push.
func New(t testing.TB, files map[string]string, token string) *Server {
	t.Helper()
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git is not installed")
	}
	root := t.TempDir()
	bare := filepath.Join(root, "repo.git")
	Run(t, root, "init", "--bare", "-b", "main", bare)
	Run(t, bare, "config", "http.receivepack", "true")
	work := filepath.Join(t.TempDir(), "seed")
	Run(t, root, "clone", bare, work)
	for f, c := range files {
		p := filepath.Join(work, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Run(t, work, "add", "-A")
	Run(t, work, "commit", "-m", "seed")
	Run(t, work, "push", "origin", "HEAD:main")
	h := &cgi.Handler{
		Path: gitPath, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1", "HOME=" + root},
	}
	s := &Server{Bare: bare}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != User || p != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		s.serve(w, r, h)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/repo.git"
	return s
}

// Alias serves the same repository under a second name and returns its
// URL, so a test can tell one client's requests from another's (in a
// fault hook: r.URL.Path starts with "/"+name+".git/").
func (s *Server) Alias(t testing.TB, name string) string {
	t.Helper()
	if err := os.Symlink(s.Bare, filepath.Join(filepath.Dir(s.Bare), name+".git")); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(s.URL, "/repo.git") + "/" + name + ".git"
}

// Commits counts the commits on main.
func (s *Server) Commits(t testing.TB) int {
	t.Helper()
	n, err := strconv.Atoi(Run(t, s.Bare, "--git-dir="+s.Bare, "rev-list", "--count", "main"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Show returns a file on main.
func (s *Server) Show(t testing.TB, file string) string {
	t.Helper()
	return Run(t, s.Bare, "--git-dir="+s.Bare, "show", "main:"+file)
}

// Push commits changes (path → content) from another clone, as a person
// or another run would.
func (s *Server) Push(t testing.TB, files map[string]string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "other")
	Run(t, filepath.Dir(work), "clone", s.Bare, work)
	for f, c := range files {
		if err := os.WriteFile(filepath.Join(work, filepath.FromSlash(f)), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Run(t, work, "commit", "-am", "other change")
	Run(t, work, "push", "origin", "HEAD:main")
}

// TryPush is what a person editing the repository while pmsync runs
// does: clone main into a new folder under tmp, apply edit to each named
// file (path → new content from old), commit as "Tester" with message,
// and push straight to the bare repository (no faults), rebasing and
// retrying when someone pushed meanwhile. Unlike Push it returns its
// error, so it can run on a goroutine other than the test's.
func (s *Server) TryPush(tmp string, edits map[string]func(old string) string, message string) error {
	s.push.Lock() // one person at a time; pmsync's pushes still race with it
	defer s.push.Unlock()
	work, err := os.MkdirTemp(tmp, "person-")
	if err != nil {
		return err
	}
	if _, err := git(tmp, "clone", "-q", s.Bare, work); err != nil {
		return err
	}
	for f, edit := range edits {
		p := filepath.Join(work, filepath.FromSlash(f))
		old, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := os.WriteFile(p, []byte(edit(string(old))), 0o644); err != nil {
			return err
		}
	}
	if _, err := git(work, "add", "-A"); err != nil {
		return err
	}
	if _, err := git(work, "commit", "-q", "-m", message); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		_, err := git(work, "push", "-q", "origin", "HEAD:main")
		if err == nil || attempt == 20 {
			return err
		}
		if _, err := git(work, "pull", "-q", "--rebase", "origin", "main"); err != nil {
			return err
		}
	}
}

// Commit is one commit on main, as History reports it.
type Commit struct {
	Hash, Parent string // Parent is "" for the first commit
	Author       string // "Name <email>"
	Subject      string
	Files        []string // changed relative to Parent, sorted
}

// History returns the commits on main, oldest first (first parents only).
func (s *Server) History(t testing.TB) []Commit {
	t.Helper()
	out := Run(t, s.Bare, "--git-dir="+s.Bare, "log", "--first-parent", "--reverse", "--format=%H%x00%P%x00%an <%ae>%x00%s", "main")
	var cs []Commit
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\x00")
		if len(f) != 4 {
			t.Fatalf("git log: unexpected line %q", line)
		}
		parent, _, _ := strings.Cut(f[1], " ")
		c := Commit{Hash: f[0], Parent: parent, Author: f[2], Subject: f[3]}
		args := []string{"--git-dir=" + s.Bare, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", c.Hash}
		if parent != "" {
			args = []string{"--git-dir=" + s.Bare, "diff", "--name-only", parent, c.Hash}
		}
		if names := Run(t, s.Bare, args...); names != "" {
			c.Files = strings.Split(names, "\n")
		}
		cs = append(cs, c)
	}
	return cs
}

// ShowAt returns a file, byte for byte, at a revision; ok is false when
// it does not exist there.
func (s *Server) ShowAt(t testing.TB, rev, file string) (content string, ok bool) {
	t.Helper()
	if _, err := git(s.Bare, "--git-dir="+s.Bare, "cat-file", "-e", rev+":"+file); err != nil {
		return "", false
	}
	out, err := git(s.Bare, "--git-dir="+s.Bare, "show", rev+":"+file)
	if err != nil {
		t.Fatal(err)
	}
	return out, true
}

// git runs the git CLI in dir and returns its standard output as it is.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=Tester", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("git %v: %w: %s", args, err, stderr.String())
	}
	return string(out), nil
}
