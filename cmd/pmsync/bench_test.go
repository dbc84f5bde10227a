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
	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers/factory"
)

// The API-call benchmarks (SPEC §8) run whole sync runs against the
// GitHub and Jira simulators on a simulated clock and count the HTTP
// requests each run sends. They report, per run:
//
//	calls/op        requests pmsync sent
//	min-calls/op    the minimum: one list request per repository or
//	                project, plus one per further 100 changed tickets
//	                (a list answers at most 100 per page)
//	naive-calls/op  a naive client: one GET per linked ticket
//	x_min, x_naive  calls/op as a multiple of each (x_naive 0.001: a
//	                thousandth of the naive client's requests)
//	full-calls      the once-a-day full listing (every ticket, to notice
//	                deleted ones); runs that do it are left out of calls/op
//
// The changed-ticket benchmarks also report budget-calls/op, the SPEC's
// ceiling 1 + ⌈changed/100⌉ per repository or project, and x_budget.

// callEnv is a collection of linked postmortems over a tracker
// simulator, as the API-call benchmarks drive it.
type callEnv interface {
	sync(b testing.TB) *engine.Result
	advance(d time.Duration)
	resetCalls()
	// calls counts the requests since resetCalls; full is true when a
	// list request asked for every ticket (not only changed ones).
	calls() (n int, full bool)
	// close closes up to n open tickets in every repository or project
	// and returns how many it closed in each.
	close(b testing.TB, n int) []int
	targets() int
	tickets() int
}

// benchSteady measures hourly runs in which nothing changed.
func benchSteady(b *testing.B, e callEnv) {
	e.resetCalls()
	e.sync(b) // the first run lists everything once and records its state
	full, _ := e.calls()
	var sum, runs int
	for b.Loop() {
		e.advance(time.Hour)
		e.resetCalls()
		e.sync(b)
		if n, isFull := e.calls(); !isFull {
			sum += n
			runs++
		}
	}
	calls := float64(sum) / float64(max(runs, 1))
	reportCalls(b, calls, float64(e.targets()), float64(e.tickets()))
	b.ReportMetric(float64(full), "full-calls")
}

// benchChurn measures hourly runs after perHour tickets closed in every
// repository or project in each of the 13 hours before (warm-up, not
// timed) and since the last run.
func benchChurn(b *testing.B, e callEnv, perHour int) {
	e.sync(b)
	for range 13 {
		e.advance(time.Hour)
		e.close(b, perHour)
		e.sync(b)
	}
	var sum, minimum, budget float64
	var runs int
	for b.Loop() {
		e.advance(time.Hour - time.Minute)
		changed := e.close(b, perHour)
		e.advance(time.Minute)
		e.resetCalls()
		res := e.sync(b)
		n, isFull := e.calls()
		if isFull {
			continue
		}
		total := 0
		for _, c := range changed {
			minimum += float64(max(1, (c+99)/100))
			budget += float64(1 + (c+99)/100)
			total += c
		}
		if len(res.Written) == 0 && total > 0 {
			b.Fatalf("%d tickets closed, no document written", total)
		}
		sum += float64(n)
		runs++
	}
	r := float64(max(runs, 1))
	reportCalls(b, sum/r, minimum/r, float64(e.tickets()))
	b.ReportMetric(budget/r, "budget-calls/op")
	b.ReportMetric(sum/budget, "x_budget")
}

func reportCalls(b *testing.B, calls, minimum, naive float64) {
	b.ReportMetric(calls, "calls/op")
	b.ReportMetric(minimum, "min-calls/op")
	b.ReportMetric(naive, "naive-calls/op")
	b.ReportMetric(calls/minimum, "x_min")
	b.ReportMetric(calls/naive, "x_naive")
}

// callSizes are the collections of the API-call benchmarks: docs
// postmortems of 10 action items each.
var callSizes = []int{10, 100, 1000}

// BenchmarkGitHubSteadyAPICalls: 100, 1,000 and 10,000 linked items in
// 10 repositories; nothing changed since the last run.
func BenchmarkGitHubSteadyAPICalls(b *testing.B) {
	for _, docs := range callSizes {
		b.Run(fmt.Sprintf("items=%d", docs*10), func(b *testing.B) {
			benchSteady(b, newBenchEnv(b, docs, 10, 10, true, 0, false, 100000))
		})
	}
}

// BenchmarkGitHubChangedAPICalls: 10,000 linked items in 10
// repositories; 25 tickets closed in each repository every hour.
func BenchmarkGitHubChangedAPICalls(b *testing.B) {
	benchChurn(b, newBenchEnv(b, 1000, 10, 10, true, 0, false, 100000), 25)
}

// BenchmarkJiraSteadyAPICalls: 100, 1,000 and 10,000 linked items in 3
// projects of Jira Cloud and of Data Center; nothing changed.
func BenchmarkJiraSteadyAPICalls(b *testing.B) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		for _, docs := range callSizes {
			b.Run(fmt.Sprintf("%s/items=%d", strings.ToLower(flavor.String()), docs*10), func(b *testing.B) {
				benchSteady(b, newJiraBenchEnv(b, flavor, docs))
			})
		}
	}
}

// BenchmarkJiraChangedAPICalls: 10,000 linked items in 3 Jira Cloud
// projects; 25 issues done in each project every hour. Jira's JQL dates
// are in the API user's time zone, so pmsync asks for 12 hours more than
// "since the last run" (trackers/jira zoneSlack) and lists again what
// changed in the runs before.
func BenchmarkJiraChangedAPICalls(b *testing.B) {
	benchChurn(b, newJiraBenchEnv(b, jirasim.Cloud, 1000), 25)
}

// BenchmarkCreationPacing creates tickets on a simulated clock against
// GitHub's documented secondary limits for content creation: 80 a minute
// (which the simulator enforces with 403 and Retry-After) and 500 an hour
// (which it does not: the benchmark measures it from the accepted
// writes).
//
//   - interval=1s: the default pacing, 240 items in one run.
//   - interval=1ms: unpaced; the limit is hit and waited out, never a
//     failure.
//   - hourly-default-budget: 600 items, the default per-run budget
//     (max_creates 100) and an hourly CronJob: each run creates 100 and
//     leaves the rest to the next.
func BenchmarkCreationPacing(b *testing.B) {
	for _, tc := range []struct {
		name       string
		docs       int
		interval   time.Duration
		maxCreates int
	}{
		{"interval=1s", 24, time.Second, 100000},
		{"interval=1ms", 24, time.Millisecond, 100000},
		{"hourly-default-budget", 60, time.Second, 0},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var times []time.Time
			var refused, runs, perRun int
			var took time.Duration
			for b.Loop() {
				e := newBenchEnv(b, tc.docs, 10, 1, false, tc.interval, true, tc.maxCreates)
				start := e.clock.Now()
				runs, perRun = 0, 0
				for created := 0; created < tc.docs*10; {
					if runs > 0 {
						e.clock.Advance(time.Hour - e.clock.Now().Sub(start)%time.Hour)
					}
					res := e.sync(b)
					if res.Created == 0 {
						b.Fatalf("run %d created nothing, %d of %d created", runs+1, created, tc.docs*10)
					}
					created += res.Created
					perRun = max(perRun, res.Created)
					runs++
				}
				took = e.clock.Now().Sub(start)
				times = times[:0]
				for _, c := range e.sim.Calls() {
					if c.Mutating() && c.Status > 0 && c.Status < 400 {
						times = append(times, c.Time)
					}
				}
				refused = e.sim.CallCount(func(c ghsim.Call) bool { return c.Status == 403 || c.Status == 429 })
			}
			perMin, perHour := peakIn(times, time.Minute), peakIn(times, time.Hour)
			gap := time.Duration(0)
			for i := 1; i < len(times); i++ {
				if d := times[i].Sub(times[i-1]); i == 1 || d < gap {
					gap = d
				}
			}
			b.ReportMetric(float64(len(times)), "writes/op")
			b.ReportMetric(float64(runs), "runs/op")
			b.ReportMetric(float64(perRun), "max-creates/run")
			b.ReportMetric(gap.Seconds(), "min-gap-s")
			b.ReportMetric(float64(perMin), "peak-writes/min")
			b.ReportMetric(float64(perMin)/80, "x_limit_min")
			b.ReportMetric(float64(perHour), "peak-writes/hour")
			b.ReportMetric(float64(perHour)/500, "x_limit_hour")
			b.ReportMetric(float64(refused), "refused/op")
			b.ReportMetric(took.Minutes(), "sim-min/op")
		})
	}
}

// peakIn is the most of times (sorted) in any window of length w.
func peakIn(times []time.Time, w time.Duration) int {
	peak, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		peak = max(peak, i-j+1)
	}
	return peak
}

// benchEnv is a collection of synthetic postmortems over `teams`
// repositories of the GitHub simulator.
type benchEnv struct {
	sim     *ghsim.Server
	srv     *httptest.Server
	dir     string
	cfgPath string
	cfg     *config.Config
	env     []string
	clock   *sim.Clock
	teams   int
	items   int
	linked  bool
}

const benchToken = "bench-token"

// newBenchEnv writes docs postmortems of items action items each, routed
// to teams repositories. When linked, every item already has its ticket
// in the simulator and its link and status in the document (the steady
// state of an established collection). maxCreates 0 leaves the default
// per-run creation budget.
func newBenchEnv(b testing.TB, docs, items, teams int, linked bool, interval time.Duration, secondary bool, maxCreates int) *benchEnv {
	b.Helper()
	e := &benchEnv{teams: teams, items: docs * items, linked: linked, clock: sim.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))}
	var handler http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	b.Cleanup(e.srv.Close)
	e.sim = ghsim.New(ghsim.Options{HTMLBase: e.srv.URL, Tokens: map[string]string{benchToken: "pmsync-bot"},
		RateLimit: 1 << 30, SecondaryLimit: secondary, Now: e.clock.Now})
	handler = e.sim
	base := b.TempDir()
	e.dir = filepath.Join(base, "pm")
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var routes strings.Builder
	for t := 0; t < teams; t++ {
		fmt.Fprintf(&routes, "  - {match: {team: team%d}, tracker: gh, repo: acme/team%d}\n", t, t)
	}
	budget := ""
	if maxCreates > 0 {
		budget = fmt.Sprintf(", max_creates: %d", maxCreates)
	}
	cfgText := fmt.Sprintf("owner_id: bench\nreport: {dir: %q}\nsource: {path: %q}\ntrackers:\n  gh: {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: %s%s, max_create_share: 1}\nroutes:\n%s  - {tracker: gh}\n",
		filepath.Join(base, "reports"), e.dir, e.srv.URL+"/", interval, budget, routes.String())
	e.cfgPath = filepath.Join(base, "pmsync.yaml")
	if err := os.WriteFile(e.cfgPath, []byte(cfgText), 0o644); err != nil {
		b.Fatal(err)
	}
	e.env = []string{"GH_TOKEN=" + benchToken}
	cfg, err := config.Load(e.cfgPath, e.env)
	if err != nil {
		b.Fatal(err)
	}
	e.cfg = cfg
	p := postmortem.NewParser(postmortem.Options{DueAfter: map[string]postmortem.Span{"default": {Days: 56}}})
	for d := 0; d < docs; d++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\nid: pm-%04d\nstatus: final\ndate: 2026-06-01\nteams: [team%d]\n---\n# Incident %d\n\n## Action items\n\n", d, d%teams, d)
		for i := 0; i < items; i++ {
			fmt.Fprintf(&sb, "- Action %d of incident %d (owner: @u%d, due: 2099-01-01)\n", i, d, i)
		}
		src := []byte(sb.String())
		name := fmt.Sprintf("pm-%04d.md", d)
		if linked {
			doc, err := p.Parse(name, src)
			if err != nil {
				b.Fatal(err)
			}
			ups := map[string]postmortem.Update{}
			repo := fmt.Sprintf("team%d", d%teams)
			for _, it := range doc.Actions {
				m := ticket.Marker{PM: doc.ID, Item: it.Key, Owner: "bench"}
				n, err := e.sim.AddIssue("acme", repo, ghsim.Issue{Title: it.Text, Labels: []string{"postmortem", "action-item"},
					Body: "<!-- " + m.String() + " -->", CreatedAt: e.clock.Now().Add(-48 * time.Hour)})
				if err != nil {
					b.Fatal(err)
				}
				ups[it.Key] = postmortem.Update{
					Ticket: ticket.Ref{Text: fmt.Sprintf("acme/%s#%d", repo, n), URL: fmt.Sprintf("%s/acme/%s/issues/%d", e.srv.URL, repo, n)},
					Status: ticket.Status{State: ticket.StateOpen},
				}
			}
			if src, _, err = doc.Render(ups); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(e.dir, name), src, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

func (e *benchEnv) sync(b testing.TB) *engine.Result {
	b.Helper()
	a := &app{stdout: io.Discard, stderr: io.Discard, env: e.env}
	res, err := a.syncOnce(context.Background(), e.cfg, syncFlags{}, wiring.NewLogger(io.Discard, 0, "text"),
		factory.Options{Env: e.env, Clock: e.clock})
	if err != nil {
		b.Fatal(err)
	}
	if res.Failed() {
		b.Fatalf("sync failed: %v", res.Failures[:min(3, len(res.Failures))])
	}
	return res
}

func (e *benchEnv) advance(d time.Duration) { e.clock.Advance(d) }
func (e *benchEnv) resetCalls()             { e.sim.ResetCalls() }
func (e *benchEnv) targets() int            { return e.teams }
func (e *benchEnv) tickets() int            { return e.items }

func (e *benchEnv) calls() (int, bool) {
	full := e.sim.CallCount(func(c ghsim.Call) bool {
		return c.Method == http.MethodGet && strings.HasSuffix(c.Path, "/issues") && c.Query.Get("since") == ""
	})
	return e.sim.CallCount(nil), full > 0
}

func (e *benchEnv) close(b testing.TB, n int) []int {
	out := make([]int, e.teams)
	for t := range out {
		repo := fmt.Sprintf("team%d", t)
		for _, is := range e.sim.Issues("acme", repo) {
			if out[t] == n {
				break
			}
			if is.State == "open" {
				if err := e.sim.Close("acme", repo, is.Number, "completed"); err != nil {
					b.Fatal(err)
				}
				out[t]++
			}
		}
	}
	return out
}

// jiraBenchEnv is a collection of linked postmortems over the projects of
// the Jira simulator.
type jiraBenchEnv struct {
	sim      *jirasim.Server
	cfg      *config.Config
	env      []string
	clock    *sim.Clock
	projects []string
	items    int
}

// newJiraBenchEnv writes docs postmortems of 10 action items each, every
// item linked to its issue, over the projects PAY, PLAT and OPS.
func newJiraBenchEnv(b testing.TB, flavor jirasim.Flavor, docs int) *jiraBenchEnv {
	b.Helper()
	e := &jiraBenchEnv{clock: sim.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)),
		projects: []string{"PAY", "PLAT", "OPS"}, items: docs * 10}
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	b.Cleanup(srv.Close)
	e.sim = jirasim.New(jirasim.Options{Now: e.clock.Now, BaseURL: srv.URL, Flavor: flavor})
	h = e.sim
	base := b.TempDir()
	dir := filepath.Join(base, "pm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	p := postmortem.NewParser(postmortem.Options{})
	for d := 0; d < docs; d++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\nid: pm-%04d\nstatus: final\ndate: 2026-06-01\nteams: [t%d]\n---\n# Incident %d\n\n## Action items\n\n", d, d%3, d)
		for i := 0; i < 10; i++ {
			fmt.Fprintf(&sb, "- Action %d of incident %d (due: 2099-01-01)\n", i, d)
		}
		name := fmt.Sprintf("pm-%04d.md", d)
		doc, err := p.Parse(name, []byte(sb.String()))
		if err != nil {
			b.Fatal(err)
		}
		ups := map[string]postmortem.Update{}
		for _, it := range doc.Actions {
			m := ticket.Marker{PM: doc.ID, Item: it.Key, Owner: "bench"}
			key, err := e.sim.AddIssue(e.projects[d%3], jirasim.Issue{Type: "Task", Summary: it.Text, Labels: []string{"postmortem", "action-item"},
				Description: "x\n" + m.String(), Created: e.clock.Now().Add(-48 * time.Hour)})
			if err != nil {
				b.Fatal(err)
			}
			ups[it.Key] = postmortem.Update{Ticket: ticket.Ref{Text: key, URL: srv.URL + "/browse/" + key}, Status: ticket.Status{State: ticket.StateOpen}}
		}
		out, _, err := doc.Render(ups)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	deployment, user := "cloud", "user_env: JIRA_USER, "
	e.env = []string{"JIRA_USER=bench@acme.example", "JIRA_TOKEN=t"}
	if flavor == jirasim.DataCenter {
		deployment, user = "datacenter", ""
		e.env = []string{"JIRA_TOKEN=t"}
	}
	cfgPath := filepath.Join(base, "pmsync.yaml")
	cfgText := fmt.Sprintf(`owner_id: bench
report: {dir: %q}
source: {path: %q}
trackers:
  jira: {type: jira, deployment: %s, base_url: %q, %stoken_env: JIRA_TOKEN, project: OPS}
routes:
  - {match: {team: t0}, tracker: jira, project: PAY}
  - {match: {team: t1}, tracker: jira, project: PLAT}
  - {tracker: jira}
`, filepath.Join(base, "reports"), dir, deployment, srv.URL+"/", user)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, e.env)
	if err != nil {
		b.Fatal(err)
	}
	e.cfg = cfg
	return e
}

func (e *jiraBenchEnv) sync(b testing.TB) *engine.Result {
	b.Helper()
	a := &app{stdout: io.Discard, stderr: io.Discard, env: e.env}
	res, err := a.syncOnce(context.Background(), e.cfg, syncFlags{}, wiring.NewLogger(io.Discard, 0, "text"), factory.Options{Env: e.env, Clock: e.clock})
	if err != nil || res.Failed() || res.Created != 0 {
		b.Fatalf("sync: %v %+v", err, res)
	}
	return res
}

func (e *jiraBenchEnv) advance(d time.Duration) { e.clock.Advance(d) }
func (e *jiraBenchEnv) resetCalls()             { e.sim.ResetCalls() }
func (e *jiraBenchEnv) targets() int            { return len(e.projects) }
func (e *jiraBenchEnv) tickets() int            { return e.items }

func (e *jiraBenchEnv) calls() (int, bool) {
	full := e.sim.CallCount(func(c jirasim.Call) bool {
		jql := c.Query.Get("jql")
		return strings.Contains(c.Path, "/search") && strings.Contains(jql, "labels") && !strings.Contains(jql, "updated")
	})
	return e.sim.CallCount(nil), full > 0
}

func (e *jiraBenchEnv) close(b testing.TB, n int) []int {
	out := make([]int, len(e.projects))
	for i, p := range e.projects {
		for _, is := range e.sim.Issues(p) {
			if out[i] == n {
				break
			}
			if is.StatusCategory != "done" {
				if err := e.sim.Transition(is.Key, "Done", ""); err != nil {
					b.Fatal(err)
				}
				out[i]++
			}
		}
	}
	return out
}
