package github

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

func markerBody(item, owner string) string {
	m := ticket.Marker{PM: "2026/pm", Item: item, Owner: owner}
	return "Some body.\n\n<!-- " + m.String() + " -->\n"
}

func TestFindPaginatesAndFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := e.clock.Now()
	const n = 230
	for i := range n {
		owner := "us"
		if i%10 == 0 {
			owner = "someone-else" // other installations' tickets are returned too
		}
		if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{
			Title: fmt.Sprintf("item %d", i), Body: markerBody(fmt.Sprintf("ai-%08x", i), owner),
			Labels: []string{"postmortem", "action-item"}, CreatedAt: start, UpdatedAt: start.Add(time.Duration(i) * time.Second),
		}); err != nil {
			t.Fatal(err)
		}
	}
	noise := []ghsim.Issue{
		{Title: "no label", Body: markerBody("ai-ffff0001", "us")},
		{Title: "a pull request", Body: markerBody("ai-ffff0002", "us"), Labels: []string{"postmortem"}, PullRequest: true},
		{Title: "no marker", Body: "hand-made", Labels: []string{"postmortem"}},
		{Title: "malformed marker", Body: "<!-- pmsync:v1 pm=x item= owner=y -->", Labels: []string{"postmortem"}},
	}
	for _, is := range noise {
		if _, err := e.sim.AddIssue("acme", "sre", is); err != nil {
			t.Fatal(err)
		}
	}
	got, err := e.tr.Find(t.Context(), ticket.Target{Tracker: "gh", Repo: testRepo}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("found %d tickets, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, tk := range got {
		if !tk.HasMarker || seen[tk.Marker.Item] || tk.Target.Repo != testRepo {
			t.Fatalf("bad ticket %+v", tk)
		}
		seen[tk.Marker.Item] = true
	}
	if pages := e.calls("GET", "/repos/acme/sre/issues"); pages != 3 {
		t.Errorf("%d list calls, want 3 (234 issues at 100 a page)", pages)
	}
	for _, c := range e.sim.Calls() {
		q := c.Query
		if c.Path == "/repos/acme/sre/issues" && (q.Get("labels") != "postmortem" || q.Get("state") != "all" ||
			q.Get("per_page") != "100" || q.Get("sort") != "updated" || q.Get("direction") != "asc" || q.Has("since")) {
			t.Errorf("list query %v", q)
		}
		if strings.HasPrefix(c.Path, "/search") {
			t.Errorf("used the search API: %s", c.Path)
		}
	}
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"github issue has a malformed pmsync marker; skipped"`) || !strings.Contains(logs, e.srv.URL+"/acme/sre/issues/") {
		t.Errorf("malformed marker not logged with its URL:\n%s", logs)
	}

	// since: only what changed.
	e.sim.ResetCalls()
	e.clock.Advance(time.Hour)
	since := e.clock.Now()
	e.clock.Advance(time.Minute)
	if err := e.sim.Close("acme", "sre", 7, "completed"); err != nil {
		t.Fatal(err)
	}
	got, err = e.tr.Find(t.Context(), ticket.Target{Tracker: "gh", Repo: testRepo}, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Ref.Text != "acme/sre#7" || got[0].Status.State != ticket.StateDone {
		t.Fatalf("since: %+v", got)
	}
	calls := e.sim.Calls()
	if len(calls) != 1 || calls[0].Query.Get("since") != since.UTC().Format(time.RFC3339) {
		t.Errorf("since calls %+v", calls)
	}
}

func TestFindDefaultRepoAndEmpty(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got, err := e.tr.Find(t.Context(), ticket.Target{Tracker: "gh"}, time.Time{})
	if err != nil || len(got) != 0 {
		t.Fatalf("%v %v", got, err)
	}
	if e.calls("GET", "/repos/acme/sre/issues") != 1 {
		t.Error("default repo not listed")
	}
}

func TestStatusesAndGet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	closed := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC)
	add := func(is ghsim.Issue) int {
		is.Labels = []string{"postmortem"}
		if is.Body == "" {
			is.Body = markerBody("ai-00000001", "us")
		}
		n, err := e.sim.AddIssue("acme", "sre", is)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	open := add(ghsim.Issue{Title: "open", Assignees: []string{"alice", "bob"}, Author: "carol"})
	done := add(ghsim.Issue{Title: "done", State: "closed", StateReason: "completed", ClosedAt: closed})
	notPlanned := add(ghsim.Issue{Title: "not planned", State: "closed", StateReason: "not_planned", ClosedAt: closed})
	dup := add(ghsim.Issue{Title: "dup", State: "closed", StateReason: "duplicate", ClosedAt: closed})
	reopened := add(ghsim.Issue{Title: "reopened", StateReason: "reopened"})
	deleted := add(ghsim.Issue{Title: "deleted"})
	if err := e.sim.Delete("acme", "sre", deleted); err != nil {
		t.Fatal(err)
	}
	noMarker := add(ghsim.Issue{Title: "hand-made", Body: "no marker here"})
	url := func(n int) string { return fmt.Sprintf("%s/acme/sre/issues/%d", e.srv.URL, n) }

	tests := []struct {
		name string
		ref  ticket.Ref
		want ticket.Status
		f    func(t *testing.T, tk ticket.Ticket)
	}{
		{"open", ticket.Ref{URL: url(open)}, ticket.Status{State: ticket.StateOpen}, func(t *testing.T, tk ticket.Ticket) {
			if tk.Assignee != "alice" || tk.Author != "carol" || tk.Title != "open" || !tk.HasMarker {
				t.Errorf("%+v", tk)
			}
		}},
		{"completed", ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", done)}, ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}, nil},
		{"not planned", ticket.Ref{URL: url(notPlanned) + "#issuecomment-1"}, ticket.Status{State: ticket.StateWontDo}, nil},
		{"duplicate", ticket.Ref{URL: url(dup)}, ticket.Status{State: ticket.StateWontDo}, nil},
		{"reopened", ticket.Ref{URL: url(reopened)}, ticket.Status{State: ticket.StateOpen}, nil},
		{"deleted (410)", ticket.Ref{URL: url(deleted)}, ticket.Status{State: ticket.StateMissing}, func(t *testing.T, tk ticket.Ticket) {
			if tk.Ref.Text != fmt.Sprintf("acme/sre#%d", deleted) {
				t.Errorf("ref %+v", tk.Ref)
			}
		}},
		{"unknown (404)", ticket.Ref{Text: "acme/sre#999"}, ticket.Status{State: ticket.StateMissing}, nil},
		{"no marker", ticket.Ref{URL: url(noMarker)}, ticket.Status{State: ticket.StateOpen}, func(t *testing.T, tk ticket.Ticket) {
			if tk.HasMarker {
				t.Errorf("marker %+v", tk.Marker)
			}
		}},
	}
	refs := make([]ticket.Ref, len(tests))
	for i, tc := range tests {
		refs[i] = tc.ref
	}
	got, err := e.tr.Get(t.Context(), refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tests) {
		t.Fatalf("%d tickets for %d refs", len(got), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got[i].Status != tc.want {
				t.Errorf("status %+v, want %+v", got[i].Status, tc.want)
			}
			if tc.f != nil {
				tc.f(t, got[i])
			}
		})
	}
	if n := e.calls("GET", "/repos/acme/sre"); n != 1 {
		t.Errorf("repo checked %d times after a 404, want 1", n)
	}

	// Find agrees with Get on statuses.
	found, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range found {
		for i, g := range got {
			if g.Ref == tk.Ref && g.Status != tk.Status {
				t.Errorf("%s: Find %v, Get %v (%s)", tk.Ref.Text, tk.Status, g.Status, tests[i].name)
			}
		}
	}
}

func TestGetPartialFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.sim.Repos = []string{"acme/sre"} })
	n, _ := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x", Body: markerBody("ai-1", "us")})
	got, err := e.tr.Get(t.Context(), []ticket.Ref{
		{Text: "#12"},                         // ambiguous
		{Text: "acme/gone#1"},                 // repo the token cannot see
		{Text: fmt.Sprintf("acme/sre#%d", n)}, // fine
	})
	if len(got) != 1 || got[0].Title != "x" {
		t.Fatalf("got %+v", got)
	}
	if err == nil || !errors.Is(err, trackers.ErrPermanent) || !errors.Is(err, trackers.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{`"#12" is not an issue of this tracker`, "get repo acme/gone", "check trackers.gh.repo"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err lacks %q: %v", want, err)
		}
	}
}

func TestRecognize(t *testing.T) {
	t.Parallel()
	dotcom, err := New(Config{Name: "gh", Token: "x"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ghes, err := New(Config{Name: "ghe", Token: "x", BaseURL: "https://ghe.example/api/v3"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tr   *Tracker
		ref  ticket.Ref
		repo string // "" = not recognized
	}{
		{dotcom, ticket.Ref{URL: "https://github.com/acme/sre/issues/12"}, "acme/sre"},
		{dotcom, ticket.Ref{URL: "https://github.com/acme/sre/issues/12/"}, "acme/sre"},
		{dotcom, ticket.Ref{URL: "https://www.github.com/acme/sre/issues/12#issuecomment-3"}, "acme/sre"},
		{dotcom, ticket.Ref{Text: "acme/sre#12", URL: "https://github.com/acme/sre/issues/12"}, "acme/sre"},
		{dotcom, ticket.Ref{Text: "acme/sre.go#7"}, "acme/sre.go"},
		{dotcom, ticket.Ref{Text: " acme/sre#7 "}, "acme/sre"},
		{dotcom, ticket.Ref{Text: "#12"}, ""},
		{dotcom, ticket.Ref{Text: "acme/sre#0"}, ""},
		{dotcom, ticket.Ref{Text: "OPS-12"}, ""},
		{dotcom, ticket.Ref{URL: "https://github.com/acme/sre/pull/12"}, ""},
		{dotcom, ticket.Ref{URL: "https://github.com/acme/sre/commit/abc123"}, ""},
		{dotcom, ticket.Ref{URL: "https://github.com/acme/sre/issues"}, ""},
		{dotcom, ticket.Ref{URL: "https://github.com/acme/sre/issues/12/events"}, ""},
		{dotcom, ticket.Ref{URL: "https://ghe.example/acme/sre/issues/12"}, ""},
		{dotcom, ticket.Ref{URL: "https://acme.atlassian.net/browse/OPS-12"}, ""},
		{dotcom, ticket.Ref{URL: "ftp://github.com/acme/sre/issues/12"}, ""},
		{dotcom, ticket.Ref{Text: "acme/sre#12", URL: "https://gitlab.com/acme/sre/-/issues/12"}, ""},
		{ghes, ticket.Ref{URL: "https://ghe.example/acme/sre/issues/12"}, "acme/sre"},
		{ghes, ticket.Ref{URL: "https://github.com/acme/sre/issues/12"}, ""},
		{ghes, ticket.Ref{Text: "acme/sre#12"}, "acme/sre"},
	}
	for _, tc := range tests {
		target, ok := tc.tr.Recognize(tc.ref)
		if ok != (tc.repo != "") || target.Repo != tc.repo || (ok && target.Tracker != tc.tr.Name()) {
			t.Errorf("%s Recognize(%+v) = %+v, %v; want %q", tc.tr.Name(), tc.ref, target, ok, tc.repo)
		}
	}
}

func TestCloseDuplicate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	keep, err := e.tr.Create(t.Context(), spec("ai-00000001"))
	if err != nil {
		t.Fatal(err)
	}
	dup, err := e.tr.Create(t.Context(), spec("ai-00000001"))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.tr.CloseDuplicate(t.Context(), dup, keep); err != nil {
		t.Fatal(err)
	}
	is, _ := e.sim.Issue("acme", "sre", 2)
	if is.State != "closed" || is.StateReason != "duplicate" {
		t.Errorf("state %s/%s", is.State, is.StateReason)
	}
	if len(is.Comments) != 1 || is.Comments[0].Body != "Closed by pmsync as a duplicate of acme/sre#1 (same postmortem item)." {
		t.Errorf("comments %+v", is.Comments)
	}
	got, err := e.tr.Get(t.Context(), []ticket.Ref{dup.Ref, keep.Ref})
	if err != nil || got[0].Status.State != ticket.StateWontDo || got[1].Status.State != ticket.StateOpen {
		t.Errorf("%+v %v", got, err)
	}
}

// The closing PATCH is marked idempotent: a 5xx on it is retried.
func TestCloseDuplicateRetriesPatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) {
		c.sim.Fault = testkit.FaultOn(2, testkit.Match("PATCH", "/issues/2"), func() *ghsim.FaultResponse { return ghsim.NewFault(ghsim.FaultBadGateway) })
	})
	for range 2 {
		if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x", Body: markerBody("ai-1", "us"), Labels: []string{"postmortem"}}); err != nil {
			t.Fatal(err)
		}
	}
	found, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{})
	if err != nil || len(found) != 2 {
		t.Fatal(found, err)
	}
	if err := e.tr.CloseDuplicate(t.Context(), found[1], found[0]); err != nil {
		t.Fatal(err)
	}
	if n := e.calls("PATCH", "/repos/acme/sre/issues/2"); n != 3 {
		t.Errorf("%d PATCHes, want 3", n)
	}
	if n := e.calls("POST", "/repos/acme/sre/issues/2/comments"); n != 1 {
		t.Errorf("%d comments, want 1", n)
	}
}

func TestEnterpriseServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.ghes = true })
	tk, err := e.tr.Create(t.Context(), spec("ai-00000001"))
	if err != nil {
		t.Fatal(err)
	}
	if tk.Ref.URL != e.srv.URL+"/acme/sre/issues/1" {
		t.Errorf("ref %+v", tk.Ref)
	}
	if _, ok := e.tr.Recognize(tk.Ref); !ok {
		t.Errorf("own ref %+v not recognized", tk.Ref)
	}
	found, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{})
	if err != nil || len(found) != 1 {
		t.Fatal(found, err)
	}
	got, err := e.tr.Get(t.Context(), []ticket.Ref{tk.Ref})
	if err != nil || len(got) != 1 || got[0].Status.State != ticket.StateOpen {
		t.Fatal(got, err)
	}
	for _, p := range e.paths.All() {
		if _, path, _ := strings.Cut(p, " "); !strings.HasPrefix(path, "/api/v3/") {
			t.Errorf("request outside /api/v3/: %s", p)
		}
	}
}

// A moved issue (301) is followed on the API host; a redirect elsewhere
// is refused, so the token never leaves for another host.
func TestRedirects(t *testing.T) {
	t.Parallel()
	var foreignAuth atomic.Value
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignAuth.Store(r.Header.Get("Authorization") + " ")
		w.WriteHeader(404)
	}))
	t.Cleanup(foreign.Close)
	moved := func(to string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == "GET" && r.URL.Path == "/repos/acme/old/issues/5" {
					target := to
					if strings.HasPrefix(to, "/") {
						target = "http://" + r.Host + to
					}
					w.Header().Set("Location", target)
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
					w.WriteHeader(http.StatusMovedPermanently)
					_, _ = w.Write([]byte(`{"message":"Moved Permanently","url":"` + target + `","documentation_url":"https://docs.github.com/rest"}`))
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	e := newEnv(t, func(c *envConfig) { c.wrap = moved("/repos/acme/new/issues/1") })
	if _, err := e.sim.AddIssue("acme", "new", ghsim.Issue{Title: "moved", Body: markerBody("ai-1", "us")}); err != nil {
		t.Fatal(err)
	}
	got, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/old#5"}})
	if err != nil || len(got) != 1 || got[0].Ref.Text != "acme/new#1" || got[0].Target.Repo != "acme/new" {
		t.Fatalf("moved: %+v %v", got, err)
	}

	e = newEnv(t, func(c *envConfig) { c.wrap = moved(foreign.URL + "/steal") })
	_, err = e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/old#5"}})
	if err == nil || !strings.Contains(err.Error(), "redirect to") {
		t.Fatalf("foreign redirect: %v", err)
	}
	if v := foreignAuth.Load(); v != nil {
		t.Errorf("the foreign host was called (Authorization %q)", v)
	}
}

// FindChanged lists every issue of the repo changed since, labelled or
// not, marked or not: how the engine keeps a ticket a document adopted
// current within its one listing per repo.
func TestFindChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := e.clock.Now()
	for i, is := range []ghsim.Issue{
		{Title: "ours", Body: markerBody("ai-00000001", "us"), Labels: []string{"postmortem"}},
		{Title: "an existing bug, filed by hand"},
		{Title: "unrelated and unchanged"},
	} {
		is.CreatedAt, is.UpdatedAt = start, start.Add(time.Duration(i)*time.Second)
		if _, err := e.sim.AddIssue("acme", "sre", is); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.tr.FindChanged(t.Context(), ticket.Target{Tracker: "gh", Repo: testRepo}, time.Time{}); err == nil {
		t.Fatal("FindChanged with no since listed the whole repo")
	}
	e.clock.Advance(time.Hour)
	since := e.clock.Now()
	e.clock.Advance(time.Minute)
	for _, n := range []int{1, 2} {
		if err := e.sim.Close("acme", "sre", n, "completed"); err != nil {
			t.Fatal(err)
		}
	}
	e.sim.ResetCalls()
	got, err := e.tr.FindChanged(t.Context(), ticket.Target{Tracker: "gh", Repo: testRepo}, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].HasMarker || got[1].HasMarker || got[1].Ref.Text != "acme/sre#2" || got[1].Status.State != ticket.StateDone {
		t.Fatalf("found %+v, want acme/sre#1 (marked) and acme/sre#2 (done, no marker)", got)
	}
	calls := e.sim.Calls()
	if len(calls) != 1 || calls[0].Query.Has("labels") || calls[0].Query.Get("since") != since.UTC().Format(time.RFC3339) {
		t.Errorf("calls %+v, want one listing since %s without a label", calls, since)
	}
}
