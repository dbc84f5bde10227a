package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers/factory"
)

// jiraEnv is the examples routed to three Jira projects of one simulator
// (Cloud or Data Center), behind the contract validator.
type jiraEnv struct {
	sim    *jirasim.Server
	srv    *httptest.Server
	dir    string
	config string
	env    []string
}

var jiraProjects = []string{"PAY", "PLAT", "OPS"}

func newJiraEnv(t testing.TB, flavor jirasim.Flavor, docs string, allow ...int) *jiraEnv {
	t.Helper()
	doc, router := contract.MustLoad(t, "jira.openapi.json")
	e := &jiraEnv{}
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	opts := jirasim.Options{Flavor: flavor, BaseURL: e.srv.URL}
	deployment, user := "cloud", "user_env: JIRA_USER, "
	e.env = []string{"JIRA_USER=pmsync@acme.example", "JIRA_TOKEN=" + jiraToken}
	if flavor == jirasim.DataCenter {
		deployment, user = "datacenter", ""
		e.env = []string{"JIRA_TOKEN=" + jiraToken}
	}
	e.sim = jirasim.New(opts)
	if tt, ok := t.(*testing.T); ok {
		h = contract.Middleware(tt, doc, router, e.sim, contract.Options{AllowUndocumentedStatus: allow})
	} else {
		h = e.sim
	}
	base := t.TempDir()
	e.dir = filepath.Join(base, "pm")
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(docs, "*.md"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if err := os.WriteFile(filepath.Join(e.dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.config = filepath.Join(base, "pmsync.yaml")
	cfg := fmt.Sprintf(`owner_id: jira-e2e
source: {path: %q}
trackers:
  jira: {type: jira, deployment: %s, base_url: %q, %stoken_env: JIRA_TOKEN, project: OPS, write_interval: 1ms, max_creates: 100000, max_create_share: 1}
routes:
  - {match: {team: payments}, tracker: jira, project: PAY}
  - {match: {team: platform}, tracker: jira, project: PLAT}
  - {tracker: jira}
report: {dir: %q}
`, e.dir, deployment, e.srv.URL+"/", user, filepath.Join(base, "reports"))
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *jiraEnv) syncWith(t testing.TB, base http.RoundTripper, timeout time.Duration) {
	t.Helper()
	cfg, err := config.Load(e.config, e.env)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, env: e.env}
	_, _ = a.syncOnce(context.Background(), cfg, syncFlags{}, wiring.NewLogger(io.Discard, 0, "text"),
		factory.Options{Env: e.env, Base: base, Clock: sim.NewClock(time.Now()), Timeout: timeout})
}

func (e *jiraEnv) assertConverged(t *testing.T, label string) {
	t.Helper()
	perItem := map[string][]string{}
	for _, p := range jiraProjects {
		for _, is := range e.sim.Issues(p) {
			m, err := ticket.ParseMarker(is.Description)
			if err != nil || is.Resolution == "Duplicate" {
				continue
			}
			perItem[m.PM+" "+m.Item] = append(perItem[m.PM+" "+m.Item], is.Key)
		}
	}
	if len(perItem) == 0 {
		t.Fatalf("%s: no tickets at all", label)
	}
	for k, keys := range perItem {
		if len(keys) != 1 {
			t.Errorf("%s: item %s has %d tickets %v", label, k, len(keys), keys)
		}
	}
	p := postmortem.NewParser(postmortem.Options{})
	files, _ := filepath.Glob(filepath.Join(e.dir, "*.md"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		d, err := p.Parse(filepath.Base(f), b)
		if err != nil {
			t.Fatalf("%s: %s no longer parses: %v", label, f, err)
		}
		if !d.Finalized {
			continue
		}
		for _, it := range d.Items() {
			keys := perItem[d.ID+" "+it.Key]
			if len(keys) == 1 && it.Ticket.Text != keys[0] {
				t.Errorf("%s: %s:%d links %q, want %s", label, d.Path, it.Line, it.Ticket.Text, keys[0])
			}
			if len(keys) == 0 && !it.Done && !it.Ticket.IsZero() && !strings.Contains(it.Ticket.URL, "github.com") {
				t.Errorf("%s: %s:%d links %q, which has no ticket", label, d.Path, it.Line, it.Ticket.Text)
			}
		}
	}
}

// TestJiraCrashAfterEveryCall: as TestCrashAfterEveryCall, on Jira Cloud
// and Data Center.
func TestJiraCrashAfterEveryCall(t *testing.T) {
	docs := filepath.Join(repoRoot(t), "testdata", "postmortems")
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(flavor.String(), func(t *testing.T) {
			probe := newJiraEnv(t, flavor, docs)
			count := &crashAfter{base: http.DefaultTransport}
			probe.syncWith(t, count, 0)
			probe.assertConverged(t, "healthy run")
			total := int(count.n.Load())
			for _, k := range testkit.Indices(t, total, 6) {
				t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
					t.Parallel()
					e := newJiraEnv(t, flavor, docs)
					e.syncWith(t, &crashAfter{base: http.DefaultTransport, k: int64(k)}, 0)
					e.syncWith(t, http.DefaultTransport, 0)
					e.assertConverged(t, fmt.Sprintf("crash after call %d of %d", k, total))
				})
			}
		})
	}
}

// TestJiraFaultsThenConverge: 20% of the calls fail (5xx, timeouts,
// resets, 429, 503 with Retry-After); the next run converges.
func TestJiraFaultsThenConverge(t *testing.T) {
	docs := filepath.Join(repoRoot(t), "testdata", "postmortems")
	for seed := int64(1); seed <= faultSeeds(); seed++ {
		e := newJiraEnv(t, jirasim.Cloud, docs, 429, 500, 502, 503)
		e.sim.SetFault(jirasim.RandomFaults(seed, 0.2))
		e.syncWith(t, http.DefaultTransport, 300*time.Millisecond)
		faults := e.sim.CallCount(func(c jirasim.Call) bool { return c.Fault })
		if faults == 0 {
			t.Fatalf("seed %d: no fault injected", seed)
		}
		e.sim.SetFault(nil)
		e.syncWith(t, http.DefaultTransport, 300*time.Millisecond)
		e.assertConverged(t, fmt.Sprintf("faults, seed %d (%d injected)", seed, faults))
	}
}
