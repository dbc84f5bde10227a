package gittest

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const token = "gittest-token"

// authURL is the server's URL with the credentials git needs.
func authURL(t *testing.T, s *Server) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(User, token)
	return u.String()
}

// tryGit runs git in dir and returns its combined output and error.
func tryGit(dir string, args ...string) (string, error) {
	out, err := git(dir, args...)
	if err != nil {
		return err.Error(), err
	}
	return out, nil
}

// clone clones s over HTTP into a new folder and reports what git said.
func clone(t *testing.T, s *Server) (string, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clone")
	_, err := tryGit(filepath.Dir(dir), "-c", "http.lowSpeedTime=5", "clone", "-q", authURL(t, s), dir)
	return dir, err
}

func TestFaultAnswers(t *testing.T) {
	tests := []struct {
		kind    FaultKind
		wantErr string // in git's message; "" for success
	}{
		{FaultServerError, "500"},
		{FaultBadGateway, "502"},
		{FaultUnavailable, "503"},
		{FaultTooManyRequests, "429"},
		{FaultReset, "fatal"},
		{FaultTimeout, "fatal"},
		{FaultSlow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			t.Parallel()
			s := New(t, map[string]string{"a.md": "a\n"}, token)
			s.SetFault(func(*http.Request) *Fault { return NewFault(tt.kind) })
			start := time.Now()
			_, err := clone(t, s)
			took := time.Since(start)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("clone through %s failed: %v", tt.kind, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("clone through %s succeeded", tt.kind)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("clone through %s: %v, want %q in it", tt.kind, err, tt.wantErr)
			}
			if tt.kind == FaultSlow && took < SlowDelay {
				t.Errorf("slow clone took %v, less than %v", took, SlowDelay)
			}
			if n := s.CallCount(func(c Call) bool { return c.Fault }); n == 0 {
				t.Error("no call recorded as a fault")
			}
			if tt.kind == FaultTooManyRequests || tt.kind == FaultUnavailable {
				s.SetFault(nil)
				resp, err := http.Get(s.URL + "/info/refs?service=git-upload-pack") // unauthenticated: 401, no fault
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				s.SetFault(func(*http.Request) *Fault { return NewFault(tt.kind) })
				req, _ := http.NewRequest(http.MethodGet, s.URL+"/info/refs?service=git-upload-pack", nil)
				req.SetBasicAuth(User, token)
				resp, err = http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.Header.Get("Retry-After") != "1" {
					t.Errorf("%s: Retry-After %q, want 1", tt.kind, resp.Header.Get("Retry-After"))
				}
			}
		})
	}
}

// TestFaultLostAnswer: the push lands although the client is told
// nothing; the next fetch shows it.
func TestFaultLostAnswer(t *testing.T) {
	s := New(t, map[string]string{"a.md": "a\n"}, token)
	dir, err := clone(t, s)
	if err != nil {
		t.Fatal(err)
	}
	Run(t, dir, "commit", "-q", "--allow-empty", "-m", "lost")
	s.SetFault(func(r *http.Request) *Fault {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-receive-pack") {
			return NewFault(FaultLostAnswer)
		}
		return nil
	})
	before := s.Commits(t)
	if out, err := tryGit(dir, "push", "-q", "origin", "HEAD:main"); err == nil {
		t.Fatalf("push whose answer was lost succeeded: %s", out)
	}
	if n := s.Commits(t); n != before+1 {
		t.Fatalf("%d commits after a push whose answer was lost, want %d: it must land", n, before+1)
	}
	// The git CLI may send the push again after the reset; each was served.
	pushes := s.CallCount(func(c Call) bool { return c.Push() && c.Fault && c.Served && c.Status == 0 })
	if pushes == 0 || pushes != s.CallCount(Call.Push) {
		t.Fatalf("calls %+v: want one push served and dropped", s.Calls())
	}
}

// TestRandomFaultsSeeded: the same seed faults the same requests.
func TestRandomFaultsSeeded(t *testing.T) {
	pattern := func(seed int64) string {
		hook := RandomFaults(seed, 0.3, FaultServerError)
		var b strings.Builder
		for i := 0; i < 200; i++ {
			if hook(nil) != nil {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, b, c := pattern(7), pattern(7), pattern(8)
	if a != b {
		t.Fatal("one seed, two schedules")
	}
	if a == c {
		t.Fatal("two seeds, one schedule")
	}
	if n := strings.Count(a, "x"); n < 30 || n > 90 {
		t.Fatalf("%d faults in 200 at rate 0.3", n)
	}
}

// TestFaultsThenHealthy: a remote that fails every other request still
// serves a clone once the faults stop, and every request is recorded.
func TestFaultsThenHealthy(t *testing.T) {
	s := New(t, map[string]string{"a.md": "a\n"}, token)
	var n atomic.Int64
	s.SetFault(func(*http.Request) *Fault {
		if n.Add(1)%2 == 1 {
			return NewFault(FaultServerError)
		}
		return nil
	})
	if _, err := clone(t, s); err == nil {
		t.Fatal("clone through a failing remote succeeded")
	}
	s.SetFault(nil)
	s.ResetCalls()
	dir, err := clone(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if s.CallCount(func(c Call) bool { return c.Fault }) != 0 || s.CallCount(nil) == 0 {
		t.Fatalf("calls after the faults stopped: %+v", s.Calls())
	}
	if got := Run(t, dir, "show", "HEAD:a.md"); got != "a" {
		t.Fatalf("a.md = %q", got)
	}
}

// TestHistoryAndTryPush: a person's edit lands on top of a concurrent
// push and History lists both with the files they changed.
func TestHistoryAndTryPush(t *testing.T) {
	s := New(t, map[string]string{"a.md": "a\n", "b.md": "b\n"}, token)
	s.Push(t, map[string]string{"a.md": "a2\n"})
	if err := s.TryPush(t.TempDir(), map[string]func(string) string{"b.md": func(old string) string { return old + "b2\n" }}, "edit b"); err != nil {
		t.Fatal(err)
	}
	h := s.History(t)
	if len(h) != 3 {
		t.Fatalf("history %+v, want 3 commits", h)
	}
	if h[0].Parent != "" || h[1].Parent != h[0].Hash || h[2].Parent != h[1].Hash {
		t.Fatalf("parents wrong: %+v", h)
	}
	if strings.Join(h[1].Files, ",") != "a.md" || strings.Join(h[2].Files, ",") != "b.md" || h[2].Subject != "edit b" ||
		h[2].Author != "Tester <t@example.com>" {
		t.Fatalf("history %+v", h)
	}
	if b, ok := s.ShowAt(t, "main", "b.md"); !ok || b != "b\nb2\n" {
		t.Fatalf("b.md on main = %q, %v", b, ok)
	}
	if _, ok := s.ShowAt(t, h[0].Hash, "c.md"); ok {
		t.Fatal("a missing file shows")
	}
}

// TestAlias: a second name serves the same repository, and its requests
// can be told apart.
func TestAlias(t *testing.T) {
	s := New(t, map[string]string{"a.md": "a\n"}, token)
	alias := &Server{URL: s.Alias(t, "pod-a")}
	s.SetFault(func(r *http.Request) *Fault {
		if strings.HasPrefix(r.URL.Path, "/pod-a.git/") {
			return NewFault(FaultServerError)
		}
		return nil
	})
	if _, err := clone(t, alias); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("clone of the alias: %v, want its 500", err)
	}
	s.SetFault(nil)
	dir, err := clone(t, alias)
	if err != nil {
		t.Fatal(err)
	}
	Run(t, dir, "commit", "-q", "--allow-empty", "-m", "through the alias")
	Run(t, dir, "push", "-q", "origin", "HEAD:main")
	if got := Run(t, s.Bare, "--git-dir="+s.Bare, "log", "-1", "--format=%s", "main"); got != "through the alias" {
		t.Fatalf("main's last commit is %q: the alias is not the same repository", got)
	}
}
