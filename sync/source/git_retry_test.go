package source

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/pmsync/pmsync/internal/gittest"
	"github.com/pmsync/pmsync/internal/testkit"
)

// retryOptions are the options of the retry tests: quick backoff.
func retryOptions(u, dir string) GitOptions {
	return GitOptions{URL: u, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir, RetryBackoff: time.Millisecond}
}

// isAdvert matches the ref advertisements (GET info/refs: the first
// request of a clone, fetch, ls-remote or push); isPack the requests
// that carry the pack (POST git-upload-pack or git-receive-pack).
func isAdvert(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/info/refs")
}

func isPack(r *http.Request) bool { return r.Method == http.MethodPost }

// failFirst is a fault hook answering the first n requests that match
// with a fault of kind, and letting everything else through.
func failFirst(n int32, match func(*http.Request) bool, kind gittest.FaultKind) func(*http.Request) *gittest.Fault {
	var seen atomic.Int32
	return func(r *http.Request) *gittest.Fault {
		if match(r) && seen.Add(1) <= n {
			return gittest.NewFault(kind)
		}
		return nil
	}
}

// pmsyncCommits counts the commits on main by pmsync.
func pmsyncCommits(t *testing.T, s *gitServer) int {
	t.Helper()
	n := 0
	for _, c := range s.History(t) {
		if c.Author == "pmsync <pmsync@localhost>" {
			n++
		}
	}
	return n
}

// writeAndCommit writes a.md and the state through g and commits.
func writeAndCommit(t *testing.T, g *Git) (bool, error) {
	t.Helper()
	ctx := context.Background()
	old, err := g.Read(ctx, "a.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Write(ctx, "a.md", old, []byte("# A\n\nsynced\n")); err != nil {
		t.Fatal(err)
	}
	if err := g.WriteFile(ctx, ".pmsync/state.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	return g.Commit(ctx, "pmsync: sync")
}

// TestGitRetriesTransientFaults: every transient fault of the git remote,
// on the ref advertisement or on the pack request of a clone, a fetch (a
// clone reopened) or a push, three times in a row (the default budget),
// is retried: the operation succeeds and the remote ends with exactly one
// pmsync commit holding the write-back. A push whose answer was lost
// after it landed is not pushed again.
func TestGitRetriesTransientFaults(t *testing.T) {
	t.Parallel()
	kinds := []gittest.FaultKind{
		gittest.FaultServerError, gittest.FaultBadGateway, gittest.FaultUnavailable, gittest.FaultTooManyRequests,
		gittest.FaultReset, gittest.FaultTimeout, gittest.FaultLostAnswer,
	}
	where := map[string]func(*http.Request) bool{"advert": isAdvert, "pack": isPack}
	for _, op := range []string{"clone", "fetch", "push"} {
		for _, kind := range kinds {
			for wname, match := range where {
				t.Run(fmt.Sprintf("%s/%s/%s", op, kind, wname), func(t *testing.T) {
					t.Parallel()
					s := newGitServer(t)
					dir := filepath.Join(t.TempDir(), "clone")
					o := retryOptions(s.URL, dir)
					faulty := failFirst(3, match, kind)
					hook := func(r *http.Request) *gittest.Fault {
						// Retry-After (1 s on 503 and 429) is honoured, as
						// TestGitRetryHonoursRetryAfter checks; here it
						// would only make the table slow.
						f := faulty(r)
						if f != nil {
							f.RetryAfter = ""
						}
						return f
					}
					var g *Git
					var err error
					switch op {
					case "clone":
						s.SetFault(hook)
						g, err = OpenGit(context.Background(), o)
					case "fetch":
						first, err := OpenGit(context.Background(), o)
						if err != nil {
							t.Fatal(err)
						}
						first.Close()
						s.push(t, map[string]string{"postmortems/b.md": "# B theirs\n"}) // something to fetch
						s.SetFault(hook)
						g, err = OpenGit(context.Background(), o)
						if err == nil {
							if b, _ := g.Read(context.Background(), "b.md"); string(b) != "# B theirs\n" {
								t.Errorf("fetched b.md = %q", b)
							}
						}
					case "push":
						g, err = OpenGit(context.Background(), o)
						if err != nil {
							t.Fatal(err)
						}
						s.SetFault(hook)
					}
					if err != nil {
						t.Fatalf("%s through three %s faults: %v", op, kind, err)
					}
					defer g.Close()
					pushed, err := writeAndCommit(t, g)
					if err != nil || !pushed {
						t.Fatalf("Commit = %v, %v", pushed, err)
					}
					want := int32(3) // three failed attempts, then success
					if kind == gittest.FaultLostAnswer && op == "push" && wname == "pack" {
						want = 1 // the first push landed; the next attempt saw it
					}
					if n := s.CallCount(func(c gittest.Call) bool { return c.Fault }); n != int(want) {
						t.Errorf("%d faults injected, want %d", n, want)
					}
					if n := pmsyncCommits(t, s); n != 1 {
						t.Errorf("%d pmsync commits on main, want 1", n)
					}
					if got := s.show(t, "postmortems/a.md"); got != "# A\n\nsynced" {
						t.Errorf("a.md on main = %q", got)
					}
				})
			}
		}
	}
}

// TestGitLostPushAnswer: the push lands but its answer is lost (a reset):
// Commit reports success, the push was applied once, and there is one
// pmsync commit; also when someone else pushed on top of it before the
// retry looked.
func TestGitLostPushAnswer(t *testing.T) {
	t.Parallel()
	for _, other := range []bool{false, true} {
		t.Run(fmt.Sprintf("someone pushes before the retry=%v", other), func(t *testing.T) {
			t.Parallel()
			s := newGitServer(t)
			g, err := OpenGit(context.Background(), retryOptions(s.URL, filepath.Join(t.TempDir(), "clone")))
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			tmp := t.TempDir()
			var mu sync.Mutex
			lost, otherPushed := false, false
			var otherErr error
			s.SetFault(func(r *http.Request) *gittest.Fault {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case !lost && isPack(r) && strings.HasSuffix(r.URL.Path, "/git-receive-pack"):
					lost = true
					return &gittest.Fault{LoseAnswer: true}
				case lost && other && !otherPushed:
					// A person pushes after pmsync's push landed, before
					// pmsync looks again.
					otherPushed = true
					otherErr = s.TryPush(tmp, map[string]func(string) string{
						"postmortems/b.md": func(string) string { return "# B theirs\n" },
					}, "a person edits")
				}
				return nil
			})
			pushed, err := writeAndCommit(t, g)
			mu.Lock()
			defer mu.Unlock()
			if otherErr != nil {
				t.Fatal(otherErr)
			}
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if !lost || otherPushed != other {
				t.Fatalf("answer lost %v, other push %v", lost, otherPushed)
			}
			// With the person's commit on top, pmsync's landed push looks
			// like a moved branch that already holds its change: nothing
			// is left to push.
			if pushed != !other {
				t.Errorf("Commit reported pushed=%v", pushed)
			}
			if n := s.CallCount(func(c gittest.Call) bool { return c.Push() && c.Served }); n != 1 {
				t.Errorf("%d pushes applied, want 1", n)
			}
			if n := pmsyncCommits(t, s); n != 1 {
				t.Errorf("%d pmsync commits on main, want 1", n)
			}
			if got := s.show(t, "postmortems/a.md"); got != "# A\n\nsynced" {
				t.Errorf("a.md on main = %q", got)
			}
		})
	}
}

// TestGitCommitToBranchRetries: pull-request mode's ls-remote, fetch of
// its branch and force push are retried too; a force push whose answer
// was lost leaves one commit on the base.
func TestGitCommitToBranchRetries(t *testing.T) {
	t.Parallel()
	receivePack := func(r *http.Request) bool { return isPack(r) && strings.HasSuffix(r.URL.Path, "/git-receive-pack") }
	tests := []struct {
		name  string
		match func(*http.Request) bool
		kind  gittest.FaultKind
	}{
		{"ls-remote 500", isAdvert, gittest.FaultServerError},
		{"fetch of the branch reset", func(r *http.Request) bool { return isPack(r) && strings.HasSuffix(r.URL.Path, "/git-upload-pack") }, gittest.FaultReset},
		{"push 502", receivePack, gittest.FaultBadGateway},
		{"push answer lost", receivePack, gittest.FaultLostAnswer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newGitServer(t)
			ctx := context.Background()
			run := func(content string, fault func(*http.Request) *gittest.Fault) (bool, error) {
				// A new clone each time, so that the branch's commit has
				// to be fetched.
				g, err := OpenGit(ctx, retryOptions(s.URL, filepath.Join(t.TempDir(), "clone")))
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				old, _ := g.Read(ctx, "a.md")
				if err := g.Write(ctx, "a.md", old, []byte(content)); err != nil {
					t.Fatal(err)
				}
				s.SetFault(fault)
				return g.CommitToBranch(ctx, "pmsync/sync", "pmsync: sync")
			}
			if pushed, err := run("# A\n\nfirst\n", nil); err != nil || !pushed {
				t.Fatalf("first run: %v, %v", pushed, err)
			}
			if pushed, err := run("# A\n\nsecond\n", failFirst(2, tt.match, tt.kind)); err != nil || !pushed {
				t.Fatalf("faulty run: %v, %v", pushed, err)
			}
			if s.CallCount(func(c gittest.Call) bool { return c.Fault }) == 0 {
				t.Fatal("no fault injected")
			}
			if got := gitRun(t, s.Bare, "--git-dir="+s.Bare, "log", "--format=%s", "pmsync/sync"); got != "pmsync: sync\nseed" {
				t.Errorf("branch log = %q", got)
			}
			if got := gitRun(t, s.Bare, "--git-dir="+s.Bare, "show", "pmsync/sync:postmortems/a.md"); got != "# A\n\nsecond" {
				t.Errorf("a.md on the branch = %q", got)
			}
		})
	}
}

// countingProxy serves target's repository through a proxy that counts
// every request, those the repository refuses (401) included.
func countingProxy(t *testing.T, target string) (base string, n *atomic.Int32) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = ""
	n = new(atomic.Int32)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, n
}

// TestGitPermanentFailuresAreNotRetried: a bad token, a missing
// repository or branch, a refused (403) or bad (400) request are tried
// once: the server sees as many requests as with retries off, and the
// error keeps its advice, says nothing of attempts and hides the token.
func TestGitPermanentFailuresAreNotRetried(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		token string
		repo  string // instead of repo.git
		// fault answers the push's requests (the clone is clean).
		fault *gittest.Fault
		opts  func(*GitOptions)
		want  []string // in the error
	}{
		{name: "bad token", token: "wrong-token-value-123", want: []string{"token_env", "token_file"}},
		{name: "missing repository", repo: "nope.git", want: []string{"check source.git.url"}},
		{name: "missing branch", opts: func(o *GitOptions) { o.Branch = "nope" }, want: []string{`branch "nope" is missing`, "source.git.branch"}},
		{name: "push forbidden", fault: &gittest.Fault{Status: http.StatusForbidden, Body: "forbidden " + testToken + "\n"}, want: []string{"token_env"}},
		{name: "push bad request", fault: &gittest.Fault{Status: http.StatusBadRequest, Body: "bad\n"}, want: []string{"400 Bad Request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newGitServer(t)
			base, seen := countingProxy(t, s.URL)
			repo := "repo.git"
			if tt.repo != "" {
				repo = tt.repo
			}
			attempt := func(retries int) (int32, error) {
				o := retryOptions(base+"/"+repo, filepath.Join(t.TempDir(), "clone"))
				o.Retries = retries
				if tt.token != "" {
					o.Token = tt.token
				}
				if tt.opts != nil {
					tt.opts(&o)
				}
				s.SetFault(nil)
				seen.Store(0)
				g, err := OpenGit(context.Background(), o)
				if tt.fault == nil {
					if err == nil {
						g.Close()
						t.Fatal("no error")
					}
					return seen.Load(), err
				}
				if err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				s.SetFault(func(r *http.Request) *gittest.Fault {
					if strings.HasSuffix(r.URL.Path, "/git-receive-pack") || r.URL.Query().Get("service") == "git-receive-pack" {
						return tt.fault
					}
					return nil
				})
				seen.Store(0)
				_, err = writeAndCommit(t, g)
				if err == nil {
					t.Fatal("no error")
				}
				return seen.Load(), err
			}
			once, _ := attempt(-1)
			n, err := attempt(3)
			if n != once {
				t.Errorf("the server saw %d requests, %d with retries off: retried", n, once)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(msg, "attempt") || strings.Contains(msg, testToken) || (tt.token != "" && strings.Contains(msg, tt.token)) {
				t.Errorf("error = %q", msg)
			}
		})
	}
}

// TestGitRetryGivesUp: a remote that keeps failing is tried 1 + Retries
// times, then the error says so, with the status, and that the next run
// retries; the clone's folder is left empty, nothing outside it touched.
func TestGitRetryGivesUp(t *testing.T) {
	t.Parallel()
	s := newGitServer(t)
	parent := t.TempDir()
	writeTestFile(t, filepath.Join(parent, "keep.txt"), "keep\n")
	dir := filepath.Join(parent, "clone")
	s.SetFault(func(r *http.Request) *gittest.Fault {
		if isPack(r) { // after git init: a half-done clone
			return gittest.NewFault(gittest.FaultServerError)
		}
		return nil
	})
	_, err := OpenGit(context.Background(), retryOptions(s.URL, dir))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, w := range []string{"source: git clone", "500 Internal Server Error from POST /repo.git/git-upload-pack", "(4 attempts); the next run retries"} {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	if n := s.CallCount(func(c gittest.Call) bool { return c.Fault }); n != 4 {
		t.Errorf("%d failed requests, want 4 (1 + 3 retries)", n)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Errorf("clone folder after the failed clone: %v, %v; want it empty", ents, err)
	}
	if b, err := os.ReadFile(filepath.Join(parent, "keep.txt")); err != nil || string(b) != "keep\n" {
		t.Errorf("a file beside the clone folder: %q, %v", b, err)
	}
	// The next run clones into the emptied folder.
	s.SetFault(nil)
	g, err := OpenGit(context.Background(), retryOptions(s.URL, dir))
	if err != nil {
		t.Fatalf("next run: %v", err)
	}
	g.Close()

	// Retries off: one attempt. (Not a reset: net/http itself resends a
	// GET whose reused connection was reset.)
	s.SetFault(func(*http.Request) *gittest.Fault { return gittest.NewFault(gittest.FaultBadGateway) })
	s.ResetCalls()
	o := retryOptions(s.URL, filepath.Join(t.TempDir(), "clone"))
	o.Retries = -1
	_, err = OpenGit(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "(1 attempt); the next run retries") {
		t.Errorf("error = %v", err)
	}
	if n := s.CallCount(nil); n != 1 {
		t.Errorf("%d requests with retries off, want 1", n)
	}
}

// TestGitRetryKeepsForeignFolder: a folder that is neither empty nor a
// clone is refused before any request, and left as it was.
func TestGitRetryKeepsForeignFolder(t *testing.T) {
	t.Parallel()
	s := newGitServer(t)
	s.SetFault(func(*http.Request) *gittest.Fault { return gittest.NewFault(gittest.FaultServerError) })
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "mine.txt"), "mine\n")
	if _, err := OpenGit(context.Background(), retryOptions(s.URL, dir)); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("error = %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "mine.txt")); err != nil || string(b) != "mine\n" {
		t.Fatalf("mine.txt: %q, %v", b, err)
	}
	if n := s.CallCount(nil); n != 0 {
		t.Fatalf("%d requests", n)
	}
}

// TestEmptyDirStaysInside: emptying the clone folder between attempts
// removes what is in it, not the folder, and nothing a link in it points
// to.
func TestEmptyDirStaysInside(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	writeTestFile(t, filepath.Join(outside, "keep.md"), "keep\n")
	dir := filepath.Join(t.TempDir(), "clone")
	if err := os.MkdirAll(filepath.Join(dir, ".git", "objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, ".git", "objects", "x"), "x")
	writeTestFile(t, filepath.Join(dir, "a.md"), "a")
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := emptyDir(dir); err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("after emptyDir: %v, %v", ents, err)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "keep.md")); err != nil || string(b) != "keep\n" {
		t.Fatalf("the link's target: %q, %v", b, err)
	}
}

// TestGitRetryHonoursRetryAfter: a 429 with Retry-After: 1 is retried
// after a second, not after the (millisecond) backoff.
func TestGitRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	s := newGitServer(t)
	s.SetFault(failFirst(1, isAdvert, gittest.FaultTooManyRequests))
	start := time.Now()
	g, err := OpenGit(context.Background(), retryOptions(s.URL, filepath.Join(t.TempDir(), "clone")))
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if took := time.Since(start); took < time.Second {
		t.Fatalf("clone after a 429 with Retry-After: 1 took %v", took)
	}
}

// TestGitRetryStopsWithContext: a context that ends while a retry waits
// ends the wait at once, with the context's error; a cancelled context
// is not retried at all.
func TestGitRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"clone", "push"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			s := newGitServer(t)
			o := retryOptions(s.URL, filepath.Join(t.TempDir(), "clone"))
			o.RetryBackoff = time.Hour
			var g *Git
			if op == "push" {
				var err error
				if g, err = OpenGit(context.Background(), o); err != nil {
					t.Fatal(err)
				}
				defer g.Close()
				old, _ := g.Read(context.Background(), "a.md")
				if err := g.Write(context.Background(), "a.md", old, []byte("# A synced\n")); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			s.ResetCalls()
			s.SetFault(func(*http.Request) *gittest.Fault {
				time.AfterFunc(50*time.Millisecond, cancel) // while the retry waits
				return gittest.NewFault(gittest.FaultServerError)
			})
			start := time.Now()
			var err error
			if op == "clone" {
				_, err = OpenGit(ctx, o)
			} else {
				_, err = g.Commit(ctx, "pmsync: sync")
			}
			testkit.Within(t, op+" cancelled while waiting to retry", time.Since(start), 5*time.Second)
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "while waiting to retry after: 500 Internal Server Error") {
				t.Fatalf("error = %v", err)
			}
			if n := s.CallCount(nil); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
			// Already cancelled: no request is retried.
			s.ResetCalls()
			if op == "clone" {
				_, err = OpenGit(ctx, retryOptions(s.URL, filepath.Join(t.TempDir(), "clone")))
			} else {
				if err := g.Write(context.Background(), "b.md", []byte("# B\n"), []byte("# B synced\n")); err != nil {
					t.Fatal(err)
				}
				_, err = g.Commit(ctx, "pmsync: sync")
			}
			if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "attempt") {
				t.Fatalf("error = %v", err)
			}
			if n := s.CallCount(nil); n != 0 {
				t.Errorf("%d requests with a cancelled context", n)
			}
		})
	}
}

// TestGitRetryTLSNotRetried: a server whose certificate does not verify
// is contacted once.
func TestGitRetryTLSNotRetried(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, err := OpenGit(context.Background(), retryOptions(srv.URL+"/repo.git", filepath.Join(t.TempDir(), "clone")))
	if err == nil || !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "attempts") {
		t.Fatalf("error = %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestGitTransientClassification: what is retried, error by error, as
// go-git and the standard library report them.
func TestGitTransientClassification(t *testing.T) {
	t.Parallel()
	status := func(code int, retryAfter string) error {
		req, _ := http.NewRequest(http.MethodGet, "https://git.example/r.git/info/refs?service=git-upload-pack", nil)
		res := &http.Response{StatusCode: code, Header: http.Header{}, Request: req}
		if retryAfter != "" {
			res.Header.Set("Retry-After", retryAfter)
		}
		return plumbing.NewUnexpectedError(&githttp.Err{Response: res})
	}
	urlErr := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://git.example/r.git/git-receive-pack", Err: err}
	}
	// net's dial timeout says it is context.DeadlineExceeded; it is a
	// timeout, not the end of the run.
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	_, dialTimeout := (&net.Dialer{}).DialContext(expired, "tcp", "127.0.0.1:9")
	tests := []struct {
		name  string
		err   error
		want  bool
		after time.Duration
	}{
		{"500", status(500, ""), true, 0},
		{"502", status(502, ""), true, 0},
		{"503 Retry-After 2", status(503, "2"), true, 2 * time.Second},
		{"429 Retry-After 1", status(429, "1"), true, time.Second},
		{"400", status(400, ""), false, 0},
		{"413", status(413, ""), false, 0},
		{"reset", plumbing.NewUnexpectedError(urlErr(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)})), true, 0},
		{"broken pipe", urlErr(&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}), true, 0},
		{"refused (a restarting server)", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), true, 0},
		{"EOF", urlErr(io.EOF), true, 0},
		{"unexpected EOF, flattened", fmt.Errorf("error decoding upload-pack response: %s", io.ErrUnexpectedEOF), true, 0},
		{"timeout", urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}), true, 0},
		{"dial timeout", urlErr(dialTimeout), true, 0},
		{"503 Retry-After in the past", status(503, "-3"), true, 0},
		{"ssh handshake EOF", fmt.Errorf("ssh: handshake failed: %w", io.EOF), true, 0},
		{"401", fmt.Errorf("%w: unauthorized", transport.ErrAuthenticationRequired), false, 0},
		{"403", fmt.Errorf("%w: forbidden", transport.ErrAuthorizationFailed), false, 0},
		{"404", fmt.Errorf("%w: not found", transport.ErrRepositoryNotFound), false, 0},
		{"missing branch", plumbing.ErrReferenceNotFound, false, 0},
		{"moved", errMoved, false, 0},
		{"cancelled", urlErr(context.Canceled), false, 0},
		{"deadline (a timeout too)", urlErr(context.DeadlineExceeded), false, 0},
		{"cancelled during a retry's wait", fmt.Errorf("%w while waiting to retry after: %w", context.Canceled, status(500, "")), false, 0},
		{"unknown CA", urlErr(&tlsVerifyErr{x509.UnknownAuthorityError{}}), false, 0},
		{"bad host name", urlErr(x509.HostnameError{Host: "git.example"}), false, 0},
		{"SSH host key mismatch", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{Want: []knownhosts.KnownKey{{}}}), false, 0},
		{"SSH auth", errors.New("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"), false, 0},
		{"unknown", errors.New("something else"), false, 0},
	}
	for _, tt := range tests {
		if got, after := transient(tt.err); got != tt.want || after != tt.after {
			t.Errorf("%s: transient(%v) = %v, %v; want %v, %v", tt.name, tt.err, got, after, tt.want, tt.after)
		}
	}
	if got := describe(status(503, "")); got != "503 Service Unavailable from GET /r.git/info/refs" {
		t.Errorf("describe = %q", got)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// tlsVerifyErr wraps an x509 error as crypto/tls does.
type tlsVerifyErr struct{ err error }

func (e *tlsVerifyErr) Error() string { return "tls: failed to verify certificate: " + e.err.Error() }
func (e *tlsVerifyErr) Unwrap() error { return e.err }
