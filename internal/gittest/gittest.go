// Package gittest serves a real git repository over loopback HTTP with
// git http-backend, for tests of the git source: clone, push, and pushes
// made by someone else in between.
package gittest

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// Server is a bare repository served over HTTP behind token auth.
type Server struct {
	URL  string // of the repository
	Bare string
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != User || p != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &Server{URL: srv.URL + "/repo.git", Bare: bare}
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
