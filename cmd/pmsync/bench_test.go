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
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
	"github.com/pmsync/pmsync/trackers/factory"
	"github.com/pmsync/pmsync/trackers/github/ghsim"
	"github.com/pmsync/pmsync/trackers/jira/jirasim"
)

// benchEnv is a collection of synthetic postmortems over `teams`
// repositories of the GitHub simulator.
type benchEnv struct {
	sim    *ghsim.Server
	srv    *httptest.Server
	dir    string
	cfg    *config.Config
	env    []string
	clock  *trackers.SimClock
	teams  int
	linked bool
}

const benchToken = "bench-token"

// newBenchEnv writes docs postmortems of items action items each, routed
// to teams repositories. When linked, every item already has its ticket
// in the simulator and its link and status in the document (the steady
// state of an established collection).
func newBenchEnv(b testing.TB, docs, items, teams int, linked bool, interval time.Duration, secondary bool) *benchEnv {
	b.Helper()
	e := &benchEnv{teams: teams, linked: linked, clock: trackers.NewSimClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))}
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
	cfgText := fmt.Sprintf("owner_id: bench\nreport: {dir: %q}\nsource: {path: %q}\ntrackers:\n  gh: {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: %s, max_creates: 100000, max_create_share: 1}\nroutes:\n%s  - {tracker: gh}\n",
		filepath.Join(base, "reports"), e.dir, e.srv.URL+"/", interval, routes.String())
	cfgPath := filepath.Join(base, "pmsync.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		b.Fatal(err)
	}
	e.env = []string{"GH_TOKEN=" + benchToken}
	cfg, err := config.Load(cfgPath, e.env)
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

func (e *benchEnv) sync(b testing.TB) {
	b.Helper()
	a := &app{stdout: io.Discard, stderr: io.Discard, env: e.env}
	res, err := a.syncOnce(context.Background(), e.cfg, syncFlags{}, newLogger(io.Discard, 0, "text"),
		factory.Options{Env: e.env, Clock: e.clock})
	if err != nil {
		b.Fatal(err)
	}
	if res.Failed() {
		b.Fatalf("sync failed: %v", res.Failures[:min(3, len(res.Failures))])
	}
}

// BenchmarkSteadyStateAPICalls: 1,000 postmortems with 10,000 linked
// items over 10 repositories; nothing changed since the last run. The
// minimum is one list call per repository; a naive client reads every
// ticket (one GET each).
func BenchmarkSteadyStateAPICalls(b *testing.B) {
	for _, size := range []struct{ docs, items, teams int }{{10, 10, 10}, {100, 10, 10}, {1000, 10, 10}} {
		b.Run(fmt.Sprintf("items=%d", size.docs*size.items), func(b *testing.B) {
			e := newBenchEnv(b, size.docs, size.items, size.teams, true, 0, false)
			e.sync(b) // the first run lists everything once and records its state
			var calls int
			for b.Loop() {
				e.clock.Advance(time.Hour)
				e.sim.ResetCalls()
				e.sync(b)
				calls = e.sim.CallCount(nil)
			}
			tickets := size.docs * size.items
			b.ReportMetric(float64(calls), "calls/run")
			b.ReportMetric(float64(calls)/float64(size.teams), "x-minimum")
			b.ReportMetric(float64(tickets)/float64(calls), "naive/ours")
		})
	}
}

// BenchmarkChangedAPICalls: as above with 250 tickets closed since the
// last run: at most 1 + ⌈changed/100⌉ calls per repository (SPEC §8).
func BenchmarkChangedAPICalls(b *testing.B) {
	e := newBenchEnv(b, 1000, 10, 10, true, 0, false)
	e.sync(b)
	var calls, budget int
	for b.Loop() {
		e.clock.Advance(time.Hour)
		changed := map[int]int{}
		for t := 0; t < 10; t++ {
			for _, is := range e.sim.Issues("acme", fmt.Sprintf("team%d", t)) {
				if is.State == "open" && changed[t] < 25 {
					_ = e.sim.Close("acme", fmt.Sprintf("team%d", t), is.Number, "completed")
					changed[t]++
				}
			}
		}
		e.clock.Advance(time.Minute)
		e.sim.ResetCalls()
		e.sync(b)
		calls = e.sim.CallCount(nil)
		budget = 0
		for range 10 {
			budget += 1 + (25+99)/100
		}
	}
	b.ReportMetric(float64(calls), "calls/run")
	b.ReportMetric(float64(budget), "budget-calls")
}

// BenchmarkCreationPacing creates 240 tickets on a simulated clock
// against the simulator's secondary limit (80 writes a minute). Paced at
// the default 1 s, no write is refused; unpaced, the limit is hit and
// waited out (Retry-After), never counted as a failure.
func BenchmarkCreationPacing(b *testing.B) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
	}{{"interval=1s", time.Second}, {"interval=1ms", time.Millisecond}} {
		b.Run(tc.name, func(b *testing.B) {
			var peak, refused, writes int
			var took time.Duration
			for b.Loop() {
				e := newBenchEnv(b, 24, 10, 1, false, tc.interval, true)
				start := e.clock.Now()
				e.sync(b)
				took = e.clock.Now().Sub(start)
				var times []time.Time // accepted writes
				for _, c := range e.sim.Calls() {
					if c.Mutating() && c.Status > 0 && c.Status < 400 {
						times = append(times, c.Time)
					}
				}
				writes = len(times)
				peak = 0
				for i := range times {
					n := 0
					for j := i; j < len(times) && times[j].Sub(times[i]) < time.Minute; j++ {
						n++
					}
					peak = max(peak, n)
				}
				refused = e.sim.CallCount(func(c ghsim.Call) bool { return c.Status == 403 || c.Status == 429 })
			}
			b.ReportMetric(float64(writes), "writes")
			b.ReportMetric(float64(peak), "peak-writes/min")
			b.ReportMetric(float64(peak)/80, "x-secondary-limit")
			b.ReportMetric(float64(refused), "refused")
			b.ReportMetric(took.Minutes(), "sim-minutes")
		})
	}
}

// BenchmarkJiraSteadyStateAPICalls: 1,000 postmortems with 10,000 linked
// items across 3 Jira Cloud projects; nothing changed since the last
// run. The minimum is one search per project.
func BenchmarkJiraSteadyStateAPICalls(b *testing.B) {
	clock := trackers.NewSimClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer srv.Close()
	sim := jirasim.New(jirasim.Options{Now: clock.Now, BaseURL: srv.URL})
	h = sim
	base := b.TempDir()
	dir := filepath.Join(base, "pm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	projects := []string{"PAY", "PLAT", "OPS"}
	p := postmortem.NewParser(postmortem.Options{})
	for d := 0; d < 1000; d++ {
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
			key, err := sim.AddIssue(projects[d%3], jirasim.Issue{Type: "Task", Summary: it.Text, Labels: []string{"postmortem", "action-item"},
				Description: "x\n" + m.String(), Created: clock.Now().Add(-48 * time.Hour)})
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
	cfgPath := filepath.Join(base, "pmsync.yaml")
	cfgText := fmt.Sprintf(`owner_id: bench
report: {dir: %q}
source: {path: %q}
trackers:
  jira: {type: jira, deployment: cloud, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS}
routes:
  - {match: {team: t0}, tracker: jira, project: PAY}
  - {match: {team: t1}, tracker: jira, project: PLAT}
  - {tracker: jira}
`, filepath.Join(base, "reports"), dir, srv.URL+"/")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o644); err != nil {
		b.Fatal(err)
	}
	env := []string{"JIRA_USER=bench@acme.example", "JIRA_TOKEN=t"}
	cfg, err := config.Load(cfgPath, env)
	if err != nil {
		b.Fatal(err)
	}
	run := func() {
		a := &app{stdout: io.Discard, stderr: io.Discard, env: env}
		res, err := a.syncOnce(context.Background(), cfg, syncFlags{}, newLogger(io.Discard, 0, "text"), factory.Options{Env: env, Clock: clock})
		if err != nil || res.Failed() || res.Created != 0 {
			b.Fatalf("sync: %v %+v", err, res)
		}
	}
	run() // lists everything once and records the state
	full := sim.CallCount(nil)
	var calls int
	for b.Loop() {
		clock.Advance(time.Hour)
		sim.ResetCalls()
		run()
		calls = sim.CallCount(nil)
	}
	b.ReportMetric(float64(full), "first-run-calls")
	b.ReportMetric(float64(calls), "calls/run")
	b.ReportMetric(float64(calls)/3, "x-minimum")
	b.ReportMetric(10000/float64(calls), "naive/ours")
}
