package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/gittest"
	"github.com/pmsync/pmsync/internal/scalegen"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// BenchmarkScale runs pmsync on generated collections of realistic
// postmortems (internal/scalegen: about 10 items each in mixed shapes,
// 3–5 KB, a 200-person directory, 22 repositories) of 1,000 and 10,000
// items, and 100,000 with PMSYNC_SCALE=100k, against the GitHub simulator
// on loopback (PMSYNC_SCALE_TRACKER=jira or mixed: the Jira Cloud
// simulator, or both), from a folder (PMSYNC_SCALE_SOURCE=git: from a git
// repository served on loopback, cloned, committed and pushed to, as
// the CronJob runs). Each size is one collection, taken through
//
//	lint    pmsync lint (every document)
//	first   pmsync sync on empty trackers: every ticket created and linked,
//	        the report written
//	steady  pmsync sync two hours later, nothing changed (the report
//	        written)
//	report  pmsync report (md, html, json, csv)
//	naive   a naive client: one GET per linked ticket, actually sent
//
// Each pmsync phase is a child process, so that its CPU, memory and GC
// are its own and not the simulator's. By default (PMSYNC_SCALE_MODE
// unset) the child is this test binary, re-executed to run the command
// line exactly as main does (run, the soft memory limit under the
// container's unless GOMEMLIMIT is set, SIGTERM handling); it reports its CPU (getrusage),
// its peak RSS (VmHWM), its peak live heap and the GC's CPU from
// runtime/metrics (gc-share is /cpu/classes/gc/total over the CPU the
// runtime saw used, total − idle: both are the runtime's estimates and
// comparable, where process CPU is not). PMSYNC_SCALE_MODE=binary runs
// the pmsync binary built as the Dockerfile builds it instead, under a
// small runner that reads the kernel's accounting (CPU, peak RSS), with
// GODEBUG=gctrace=1 for the GC (gc-share is then gctrace's GC time over
// process CPU, an overestimate on a busy machine). PMSYNC_SCALE_MODE=
// inproc runs pmsync in this process (the simulator shares it: cpu-s
// includes it), for profiles. PMSYNC_SCALE_GOMEMLIMIT sets GOMEMLIMIT
// for the child (off, 200MiB, ...), PMSYNC_SCALE_GOGC its GOGC. API calls are counted by the
// simulator.
//
// PMSYNC_SCALE_OUT=DIR keeps, per size and phase (items=N-PHASE.*): in
// process, a CPU profile (.pprof; do not combine with go test's
// -cpuprofile, which profiles all phases at once) and a heap profile at
// the largest live heap (.heap.pprof); of the binary, its gctrace
// (.stderr).
//
// Reported per phase (sub-benchmark items=N/PHASE): cpu-s, gc-cpu-s,
// gc-share, gcs, peak-RSS-MiB, peak-live-MiB, calls, wall-s; and, against
// the 1,000-item run of the same process, x_cpu_item, x_rss_item and
// x_calls_item: the cost per item as a multiple of the 1,000-item run's
// (1.0 is linear; 10 at 10,000 items means 10× the cost per item, 100×
// in all). naive reports its calls, and x_naive (the steady run's calls
// over the naive client's). A table of everything is printed at the end.
//
// The phases run once each, in the items=N body (each needs the one
// before); the phase sub-benchmarks report what was measured. Run with
// -benchtime=1x (make scale does). A phase is stopped with SIGTERM after
// PMSYNC_SCALE_TIMEOUT (default 25m); it writes back what it did, and the
// table says how far it got.
func BenchmarkScale(b *testing.B) {
	sizes := scaleSizes(b)
	mode := os.Getenv("PMSYNC_SCALE_MODE")
	var bin, runner string
	switch mode {
	case "", "child":
		mode = "child"
		exe, err := os.Executable()
		if err != nil {
			b.Skip("cannot re-execute the test binary: ", err)
		}
		bin = exe
	case "binary":
		dir := b.TempDir()
		bin, runner = buildPmsync(b, dir), buildUsage(b, dir)
	case "inproc":
	default:
		b.Fatalf("PMSYNC_SCALE_MODE=%s: want child (default), binary or inproc", mode)
	}
	tracker := os.Getenv("PMSYNC_SCALE_TRACKER")
	if tracker == "" {
		tracker = scalegen.GitHub
	}
	src := os.Getenv("PMSYNC_SCALE_SOURCE")
	if src != "" && src != "git" && src != "dir" {
		b.Fatalf("PMSYNC_SCALE_SOURCE=%s: want dir (default) or git", src)
	}
	var rows []scaleRow
	base := map[string]phaseResult{}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			e := newScaleEnv(b, n, tracker, src == "git", mode, bin, runner)
			res := e.all(b)
			for _, ph := range scalePhases {
				r, ok := res[ph]
				if !ok {
					continue
				}
				if n == sizes[0] {
					base[ph] = r
				}
				b.Run(ph, func(b *testing.B) {
					r.report(b, ph, base[ph], n, sizes[0], res["steady"])
				})
				rows = append(rows, scaleRow{items: n, phase: ph, r: r, base: base[ph], baseItems: sizes[0], steady: res["steady"]})
			}
		})
	}
	if src == "git" {
		tracker += ", git source"
	}
	printScaleTable(os.Stdout, rows, tracker, mode)
}

var scalePhases = []string{"lint", "first", "steady", "report", "naive", "nudge", "nudge+1d", "nudge-steady"}

// scaleSizes are 1,000 and 10,000 items by default; PMSYNC_SCALE=100k
// adds 100,000, and a list (1k,50k) picks the sizes. The smallest size is
// the baseline of the ratios; 1,000 is added when the list has nothing
// that small.
func scaleSizes(b *testing.B) []int {
	v := os.Getenv("PMSYNC_SCALE")
	switch v {
	case "":
		v = "1k,10k"
	case "100k":
		v = "1k,10k,100k"
	}
	var sizes []int
	for _, s := range strings.Split(v, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		mult := 1
		if strings.HasSuffix(s, "k") {
			s, mult = strings.TrimSuffix(s, "k"), 1000
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("PMSYNC_SCALE=%q: want sizes such as 100k, or a list: 1k,10k,100k", v)
		}
		sizes = append(sizes, n*mult)
	}
	sort.Ints(sizes)
	if sizes[0] > 1000 {
		sizes = append([]int{1000}, sizes...)
	}
	return sizes
}

// phaseResult is what one phase cost.
type phaseResult struct {
	cpu, user, sys time.Duration // the process's CPU
	gcCPU          time.Duration
	share          float64 // GC's share of CPU, when measured as such (child mode)
	gcs            int
	rss            uint64  // peak resident set, bytes
	peakLive       float64 // MiB: the largest live heap after a GC
	peakHeap       float64 // MiB: the largest heap seen at a GC's start (in-process: sampled)
	calls          int
	nudges         int // comments posted (the nudge phases)
	wall           time.Duration
	killed         bool   // stopped at PMSYNC_SCALE_TIMEOUT
	note           string // what a killed phase got done
}

func (r phaseResult) gcShare() float64 {
	if r.share > 0 {
		return r.share
	}
	if r.cpu <= 0 {
		return 0
	}
	return r.gcCPU.Seconds() / r.cpu.Seconds()
}

func perItem(x, bx float64, n, bn int) float64 {
	if bx <= 0 || n <= 0 {
		return 0
	}
	return (x / float64(n)) / (bx / float64(bn))
}

func (r phaseResult) report(b *testing.B, phase string, base phaseResult, n, bn int, steady phaseResult) {
	b.ReportMetric(float64(r.wall.Nanoseconds()), "ns/op") // the phase's wall time, measured once
	b.ReportMetric(r.wall.Seconds(), "wall-s")
	b.ReportMetric(float64(r.calls), "calls")
	if r.cpu > 0 || r.rss > 0 {
		b.ReportMetric(r.cpu.Seconds(), "cpu-s")
		b.ReportMetric(r.gcCPU.Seconds(), "gc-cpu-s")
		b.ReportMetric(r.gcShare(), "gc-share")
		b.ReportMetric(float64(r.gcs), "gcs")
		b.ReportMetric(float64(r.rss)/(1<<20), "peak-RSS-MiB")
		b.ReportMetric(r.peakLive, "peak-live-MiB")
		b.ReportMetric(perItem(r.cpu.Seconds(), base.cpu.Seconds(), n, bn), "x_cpu_item")
		b.ReportMetric(perItem(float64(r.rss), float64(base.rss), n, bn), "x_rss_item")
	}
	b.ReportMetric(perItem(float64(r.calls), float64(base.calls), n, bn), "x_calls_item")
	if phase == "naive" && r.calls > 0 {
		b.ReportMetric(float64(steady.calls)/float64(r.calls), "x_naive") // the steady run's calls over the naive client's
	}
	if r.killed {
		b.Logf("stopped at PMSYNC_SCALE_TIMEOUT: %s", r.note)
	}
}

// scaleEnv is one generated collection over the simulators.
type scaleEnv struct {
	items          int
	tracker        string
	corpus         *scalegen.Corpus
	base, dir      string // dir: the postmortems (of a folder source)
	lintDir        string
	git            *gittest.Server
	cfgPath        string
	env            []string
	mode           string // child, binary or inproc
	bin, runner    string
	gh             atomic.Pointer[ghsim.Server]
	ghOpts         ghsim.Options
	jira           *jirasim.Server
	ghURL, jiraURL string
	offset         atomic.Int64 // added to the simulators' clock
	nudgeCfg       string       // the config with nudges on
}

func newScaleEnv(b *testing.B, n int, tracker string, git bool, mode, bin, runner string) *scaleEnv {
	b.Helper()
	e := &scaleEnv{items: n, tracker: tracker, mode: mode, bin: bin, runner: runner, base: b.TempDir()}
	now := func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }
	if tracker != scalegen.Jira {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.gh.Load().ServeHTTP(w, r) }))
		b.Cleanup(srv.Close)
		e.ghURL = srv.URL
		e.ghOpts = ghsim.Options{HTMLBase: srv.URL, Tokens: map[string]string{scalegen.Token: "pmsync-bot"}, RateLimit: 1 << 30, Now: now}
		e.gh.Store(ghsim.New(e.ghOpts))
	}
	if tracker != scalegen.GitHub {
		var sim *jirasim.Server
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sim.ServeHTTP(w, r) }))
		b.Cleanup(srv.Close)
		e.jiraURL = srv.URL
		sim = jirasim.New(jirasim.Options{Now: now, BaseURL: srv.URL, Flavor: jirasim.Cloud})
		e.jira = sim
	}
	e.corpus = scalegen.New(scalegen.Options{Seed: 1, Items: n, People: 200, Repos: 22})
	opts := scalegen.ConfigOptions{Tracker: tracker, ReportDir: filepath.Join(e.base, "reports"), GitHubURL: e.ghURL + "/", JiraURL: e.jiraURL + "/"}
	if git {
		files := map[string]string{"README.md": "# Postmortems\n"}
		for i := range e.corpus.Docs {
			d := e.corpus.Doc(i)
			files[scalegen.GitPath+"/"+d.Path] = string(d.Src)
		}
		e.git = gittest.New(b, files, scalegen.Token)
		opts.SourceDir, opts.GitURL = filepath.Join(e.base, "clone"), e.git.URL
	} else {
		e.dir = filepath.Join(e.base, "postmortems")
		opts.SourceDir = e.dir
	}
	// What lint reads: the folder source itself, or a copy of the
	// repository's postmortems (the clone exists once sync made it).
	e.lintDir = filepath.Join(e.base, "postmortems")
	if err := e.corpus.WriteDir(e.lintDir); err != nil {
		b.Fatal(err)
	}
	// The ticketing phases run without nudges (the generated archive is
	// years overdue as of today); the nudge phases have their own config.
	e.cfgPath = filepath.Join(e.base, "pmsync.yaml")
	opts.Extra = "nudges: {enabled: false}\n"
	if err := os.WriteFile(e.cfgPath, e.corpus.Config(opts), 0o644); err != nil {
		b.Fatal(err)
	}
	e.nudgeCfg = filepath.Join(e.base, "pmsync-nudges.yaml")
	opts.Extra = "nudges: {max_per_run: 100000000, weekends: true}\n"
	if err := os.WriteFile(e.nudgeCfg, e.corpus.Config(opts), 0o644); err != nil {
		b.Fatal(err)
	}
	e.env = append([]string{"HOME=" + e.base, "TMPDIR=" + e.base}, scalegen.Env()...)
	if v := os.Getenv("PMSYNC_SCALE_GOMEMLIMIT"); v != "" {
		e.env = append(e.env, "GOMEMLIMIT="+v)
	}
	// The child's environment is built here, not inherited: a GOGC set
	// for go test would otherwise never reach pmsync.
	if v := os.Getenv("PMSYNC_SCALE_GOGC"); v != "" {
		e.env = append(e.env, "GOGC="+v)
	}
	return e
}

func (e *scaleEnv) resetCalls() {
	if s := e.gh.Load(); s != nil {
		s.ResetCalls()
	}
	if e.jira != nil {
		e.jira.ResetCalls()
	}
}

func (e *scaleEnv) calls() int {
	n := 0
	if s := e.gh.Load(); s != nil {
		n += s.CallCount(nil)
	}
	if e.jira != nil {
		n += e.jira.CallCount(nil)
	}
	return n
}

func (e *scaleEnv) creates() int {
	n := 0
	if s := e.gh.Load(); s != nil {
		n += s.CallCount(func(c ghsim.Call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/issues") })
	}
	if e.jira != nil {
		n += e.jira.CallCount(func(c jirasim.Call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/issue") })
	}
	return n
}

// all runs the phases in order.
func (e *scaleEnv) all(b *testing.B) map[string]phaseResult {
	out := map[string]phaseResult{}
	steps := []struct {
		name string
		args []string
	}{
		{"lint", []string{"lint", "--config", e.cfgPath, e.lintDir}},
		{"first", []string{"sync", "--config", e.cfgPath, "--log-level", "error"}},
		{"steady", []string{"sync", "--config", e.cfgPath, "--log-level", "error"}},
		{"report", []string{"report", "--config", e.cfgPath, "--log-level", "error"}},
	}
	for _, s := range steps {
		if s.name == "steady" {
			e.age(b, 2*time.Hour)
		}
		fmt.Fprintf(os.Stderr, "scale: items=%d %s ...\n", e.items, s.name)
		r := e.phase(b, s.name, s.args...)
		out[s.name] = r
		fmt.Fprintf(os.Stderr, "scale: items=%d %s: cpu %.1fs, peak RSS %.0f MiB, %d calls, wall %.1fs%s\n",
			e.items, s.name, r.cpu.Seconds(), float64(r.rss)/(1<<20), r.calls, r.wall.Seconds(), map[bool]string{true: " (stopped: " + r.note + ")"}[r.killed])
		if r.killed {
			break // the later phases need this one's tickets
		}
		if s.name == "first" {
			if want := e.wantTickets(); e.ticketCount() != want {
				b.Fatalf("first sync: %d tickets, want %d", e.ticketCount(), want)
			}
		}
	}
	if _, ok := out["steady"]; ok {
		out["naive"] = e.naive(b)
		// Nudges: the day by which a tenth of the open action items are
		// overdue (the first run with nudges on catches up on every step
		// reached), the day after (a day's writes), and that day again
		// (what nudges add to a steady run).
		day := e.nudgeDay(b)
		for _, s := range []struct{ name, day string }{
			{"nudge", day.Format("2006-01-02")},
			{"nudge+1d", day.AddDate(0, 0, 1).Format("2006-01-02")},
			{"nudge-steady", day.AddDate(0, 0, 1).Format("2006-01-02")},
		} {
			e.age(b, 2*time.Hour)
			fmt.Fprintf(os.Stderr, "scale: items=%d %s (--now %s) ...\n", e.items, s.name, s.day)
			r := e.phase(b, s.name, "sync", "--config", e.nudgeCfg, "--log-level", "error", "--now", s.day)
			r.nudges = e.comments()
			out[s.name] = r
			fmt.Fprintf(os.Stderr, "scale: items=%d %s: %d nudges, %d calls, wall %.1fs\n", e.items, s.name, r.nudges, r.calls, r.wall.Seconds())
		}
	}
	return out
}

// nudgeDay is the day by which a tenth of the collection's open action
// items with a due date are overdue.
func (e *scaleEnv) nudgeDay(b *testing.B) time.Time {
	p := postmortem.NewParser(postmortem.Options{})
	var dues []time.Time
	for i := range e.corpus.Docs {
		d := e.corpus.Doc(i)
		doc, err := p.Parse(d.Path, d.Src)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range doc.Actions {
			if !it.Done && !it.Due.IsZero() {
				dues = append(dues, it.Due)
			}
		}
	}
	if len(dues) == 0 {
		b.Fatal("no open action item has a due date")
	}
	slices.SortFunc(dues, func(a, b time.Time) int { return a.Compare(b) })
	return dues[len(dues)/10]
}

// comments counts the comments posted since the last reset.
func (e *scaleEnv) comments() int {
	n := 0
	if s := e.gh.Load(); s != nil {
		n += s.CallCount(func(c ghsim.Call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/comments") })
	}
	if e.jira != nil {
		n += e.jira.CallCount(func(c jirasim.Call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/comment") })
	}
	return n
}

// wantTickets is the number of items that get a ticket: all but those
// written as done.
func (e *scaleEnv) wantTickets() int {
	n := 0
	for i := range e.corpus.Docs {
		d := e.corpus.Doc(i)
		n += d.Items - d.Done
	}
	return n
}

func (e *scaleEnv) ticketCount() int {
	n := 0
	if s := e.gh.Load(); s != nil {
		for _, r := range append(e.corpus.Repos(e.tracker), "acme/sre") {
			o, name, _ := strings.Cut(r, "/")
			n += len(s.Issues(o, name))
		}
	}
	if e.jira != nil {
		for _, p := range append(e.corpus.Projects(e.tracker), "OPS") {
			n += len(e.jira.Issues(p))
		}
	}
	return n
}

// age moves every ticket d into the past, as if the first sync had run d
// ago: GitHub's listing takes an absolute "since" from pmsync's clock,
// so the simulator is rebuilt with older timestamps; Jira's is relative
// to the server's clock, so its clock moves on.
func (e *scaleEnv) age(b *testing.B, d time.Duration) {
	e.offset.Add(int64(d))
	old := e.gh.Load()
	if old == nil {
		return
	}
	e.ghOpts.Now = func() time.Time { return time.Now() } // new issues are not expected; the real clock
	nu := ghsim.New(e.ghOpts)
	back := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.Add(-d)
	}
	for _, r := range append(e.corpus.Repos(e.tracker), "acme/sre") {
		o, name, _ := strings.Cut(r, "/")
		for _, is := range old.Issues(o, name) {
			is.CreatedAt, is.UpdatedAt, is.ClosedAt = back(is.CreatedAt), back(is.UpdatedAt), back(is.ClosedAt)
			n, err := nu.AddIssue(o, name, is)
			if err != nil || n != is.Number {
				b.Fatalf("aging %s#%d: got #%d, %v", r, is.Number, n, err)
			}
		}
	}
	e.gh.Store(nu)
}

func (e *scaleEnv) phase(b *testing.B, name string, args ...string) phaseResult {
	switch e.mode {
	case "inproc":
		return e.inProcess(b, name, args...)
	case "binary":
		return e.binary(b, name, args...)
	}
	return e.child(b, name, args...)
}

// scaleTimeout bounds one phase (PMSYNC_SCALE_TIMEOUT, default 25m): the
// child is sent SIGTERM, writes back what it did and exits 3.
func scaleTimeout() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("PMSYNC_SCALE_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return 25 * time.Minute
}

// The child side of the default mode: a re-executed test binary with
// PMSYNC_SCALE_CHILD set runs one pmsync command line (its arguments) as
// main does, writes its measurements (childUsage, JSON) to the file that
// variable names, and exits with the command's code, before any test
// runs. PMSYNC_SCALE_CHILD_PROFILE, when set, is the path prefix of a CPU
// profile (PREFIX.pprof) and a heap profile at the largest live heap
// (PREFIX.heap.pprof).
const (
	scaleChildEnv   = "PMSYNC_SCALE_CHILD"
	scaleProfileEnv = "PMSYNC_SCALE_CHILD_PROFILE"
)

func init() {
	if file := os.Getenv(scaleChildEnv); file != "" {
		os.Exit(scaleChild(file, os.Getenv(scaleProfileEnv), os.Args[1:]))
	}
}

// childUsage is what a child measured of itself.
type childUsage struct {
	UserNS, SysNS int64   // getrusage(RUSAGE_SELF)
	HWM           int64   // VmHWM, bytes
	GC, Used      float64 // runtime/metrics: GC CPU, and all CPU the runtime saw used (total − idle), seconds
	GCs           uint64
	PeakLive      float64 // MiB
	PeakHeap      float64 // MiB
	Exit          int
}

// lookupIn is os.LookupEnv over env.
func lookupIn(env []string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v, true
			}
		}
		return "", false
	}
}

func scaleChild(file, profile string, args []string) int {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, scaleChildEnv) {
			env = append(env, kv)
		}
	}
	wiring.SetMemoryLimit(memlimit.FromCgroup) // as main does
	wiring.SetGCPercent(lookupIn(env))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var heap *bytes.Buffer
	if profile != "" {
		f, err := os.Create(profile + ".pprof")
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "scale child:", err)
			return 125
		}
		defer f.Close()
		heap = &bytes.Buffer{}
	}
	var u childUsage
	u.PeakHeap, u.PeakLive = heapPeak(heap, func() {
		u.Exit = run(ctx, args, os.Stdin, os.Stdout, os.Stderr, env)
	})
	stop()
	if profile != "" {
		pprof.StopCPUProfile()
		if err := os.WriteFile(profile+".heap.pprof", heap.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "scale child:", err)
			return 125
		}
	}
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/total:cpu-seconds"},
		{Name: "/cpu/classes/idle:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	u.GC, u.Used, u.GCs = s[0].Value.Float64(), s[1].Value.Float64()-s[2].Value.Float64(), s[3].Value.Uint64()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		u.UserNS, u.SysNS = ru.Utime.Nano(), ru.Stime.Nano()
	}
	u.HWM = vmHWM()
	raw, _ := json.Marshal(u)
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "scale child:", err)
		return 125
	}
	return u.Exit
}

// vmHWM is this process's peak resident set (Linux), 0 elsewhere.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// child runs one pmsync command in a re-executed test binary (see
// scaleChild).
func (e *scaleEnv) child(b *testing.B, name string, args ...string) phaseResult {
	b.Helper()
	file := filepath.Join(e.base, "usage-"+name+".json")
	ctx, cancel := context.WithTimeout(context.Background(), scaleTimeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Minute // to write back, report and save what it did
	cmd.Env = append(append([]string{}, e.env...), scaleChildEnv+"="+file)
	if out := os.Getenv("PMSYNC_SCALE_OUT"); out != "" {
		cmd.Env = append(cmd.Env, scaleProfileEnv+"="+filepath.Join(out, fmt.Sprintf("items=%d-%s", e.items, name)))
	}
	wall, stderr, err := e.exec(name, cmd)
	killed := ctx.Err() != nil
	var u childUsage
	raw, rerr := os.ReadFile(file)
	if rerr == nil {
		rerr = json.Unmarshal(raw, &u)
	}
	switch {
	case rerr != nil && killed && cmd.ProcessState != nil:
		// Killed before it could measure itself: the kernel's accounting
		// (its peak RSS may be this process's, inherited at exec).
		r := phaseResult{user: cmd.ProcessState.UserTime(), sys: cmd.ProcessState.SystemTime(), wall: wall, calls: e.calls(), killed: true}
		r.cpu = r.user + r.sys
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.rss = uint64(ru.Maxrss) << 10
		}
		r.note = fmt.Sprintf("killed %s after SIGTERM; %d tickets created", cmd.WaitDelay, e.creates())
		return r
	case rerr != nil:
		b.Fatalf("%s: no measurements (%v): %v\n%s", name, rerr, err, tail(stderr.Bytes()))
	}
	r := phaseResult{user: time.Duration(u.UserNS), sys: time.Duration(u.SysNS), rss: uint64(max(u.HWM, 0)), wall: wall,
		calls: e.calls(), killed: killed, gcs: int(u.GCs), peakLive: u.PeakLive, peakHeap: u.PeakHeap}
	r.cpu = r.user + r.sys
	if u.Used > 0 {
		// The runtime's estimates, as a share of what it saw used; carried
		// over to process CPU for gc-cpu-s.
		r.share = u.GC / u.Used
		r.gcCPU = time.Duration(r.share * float64(r.cpu))
	}
	switch {
	case killed:
		r.note = fmt.Sprintf("SIGTERM after %s, exit %d after %s; %d tickets created", scaleTimeout(), u.Exit, wall.Round(time.Second), e.creates())
	case u.Exit != 0:
		b.Fatalf("%s: pmsync exited %d\n%s", name, u.Exit, tail(stderr.Bytes()))
	}
	return r
}

// exec runs a phase's child with its calls counted from zero and its
// progress shown, and returns its wall time and stderr.
func (e *scaleEnv) exec(name string, cmd *exec.Cmd) (time.Duration, *bytes.Buffer, error) {
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	e.resetCalls()
	stop := e.progress(name)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	stop()
	return wall, &stderr, err
}

// binary runs the pmsync binary under the usage runner.
func (e *scaleEnv) binary(b *testing.B, name string, args ...string) phaseResult {
	b.Helper()
	file := filepath.Join(e.base, "usage-"+name+".json")
	cmd := exec.Command(e.runner, append([]string{file, scaleTimeout().String(), e.bin}, args...)...)
	cmd.Env = append(append([]string{}, e.env...), "GODEBUG=gctrace=1")
	wall, stderr, err := e.exec(name, cmd)
	if err != nil {
		b.Fatalf("%s: runner: %v\n%s", name, err, tail(stderr.Bytes()))
	}
	var u usage
	raw, err := os.ReadFile(file)
	if err == nil {
		err = json.Unmarshal(raw, &u)
	}
	if err != nil {
		b.Fatalf("%s: usage: %v", name, err)
	}
	r := phaseResult{user: time.Duration(u.UserNS), sys: time.Duration(u.SysNS), rss: uint64(max(u.MaxRSS, 0)), wall: wall, calls: e.calls(), killed: u.Killed}
	r.cpu = r.user + r.sys
	r.gcCPU, r.gcs, r.peakLive, r.peakHeap = parseGCTrace(stderr.Bytes())
	if out := os.Getenv("PMSYNC_SCALE_OUT"); out != "" {
		if err := os.WriteFile(filepath.Join(out, fmt.Sprintf("items=%d-%s.stderr", e.items, name)), stderr.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	switch {
	case u.Killed:
		r.note = fmt.Sprintf("exit %d after %s; %d tickets created", u.Exit, wall.Round(time.Second), e.creates())
	case u.Exit != 0:
		b.Fatalf("%s: pmsync exited %d\n%s", name, u.Exit, tail(stderr.Bytes()))
	}
	return r
}

// progress prints, every 30 s, how far a long phase has come.
func (e *scaleEnv) progress(name string) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintf(os.Stderr, "scale: items=%d %s: %s, %d calls, %d tickets created\n", e.items, name, time.Since(start).Round(time.Second), e.calls(), e.creates())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// tail is the last lines of a child's stderr that are not gctrace's.
func tail(b []byte) string {
	var keep []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "gc ") {
			keep = append(keep, sc.Text())
		}
	}
	return strings.Join(keep[max(0, len(keep)-20):], "\n")
}

// gcLine is one line of GODEBUG=gctrace=1 (runtime/extern.go): the
// cycle's CPU (stop-the-world sweep termination + assist/background/idle
// marking + stop-the-world mark termination, in ms) and the heap at its
// start, after marking (live) and the goal, in MB.
var gcLine = regexp.MustCompile(`^gc \d+ @[0-9.]+s \d+%: [0-9.+]+ ms clock, ([0-9.]+)\+([0-9.]+)/([0-9.]+)/([0-9.]+)\+([0-9.]+) ms cpu, (\d+)->(\d+)->(\d+) MB`)

func parseGCTrace(stderr []byte) (cpu time.Duration, n int, peakLive, peakHeap float64) {
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		m := gcLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n++
		var ms float64
		for _, s := range m[1:6] {
			v, _ := strconv.ParseFloat(s, 64)
			ms += v
		}
		cpu += time.Duration(ms * float64(time.Millisecond))
		start, _ := strconv.ParseFloat(m[6], 64)
		live, _ := strconv.ParseFloat(m[8], 64)
		// gctrace's MB are 2^20 bytes.
		peakHeap, peakLive = max(peakHeap, start), max(peakLive, live)
	}
	return cpu, n, peakLive, peakHeap
}

// usage is what the runner writes about its child.
type usage struct {
	MaxRSS int64 `json:"maxrss"` // bytes
	UserNS int64 `json:"user_ns"`
	SysNS  int64 `json:"sys_ns"`
	Exit   int   `json:"exit"`
	Killed bool  `json:"killed"`
}

// buildUsage builds the runner, `usage FILE TIMEOUT BIN ARG...`: it runs
// BIN, sends it SIGTERM after TIMEOUT (and SIGKILL a minute later), and
// writes the child's peak resident set and CPU (getrusage) and its exit
// code to FILE as JSON. (A child started by the large test process
// itself would inherit the test's high-water mark; see buildRSS.)
func buildUsage(b *testing.B, dir string) string {
	b.Helper()
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		b.Skip("no getrusage here")
	}
	out := filepath.Join(dir, "usage.bin")
	goBuild(b, filepath.Join("..", ".."), append(buildFlags, "-o", out, "./internal/cmd/usage")...)
	return out
}

// inProcess runs one pmsync command in this process, as main does (a
// soft memory limit under the container's, unless GOMEMLIMIT is given),
// for profiles.
// CPU is this process's (the simulator's included); GC CPU and the heap
// come from runtime/metrics.
func (e *scaleEnv) inProcess(b *testing.B, name string, args ...string) phaseResult {
	b.Helper()
	limited := true
	for _, kv := range e.env {
		if v, ok := strings.CutPrefix(kv, "GOMEMLIMIT="); ok {
			limited = false
			if v != "off" {
				b.Fatalf("PMSYNC_SCALE_GOMEMLIMIT=%s: in process, only off is supported", v)
			}
		}
	}
	if limited {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
		wiring.SetMemoryLimit(memlimit.FromCgroup)
	}
	// GOGC as main sets it; PMSYNC_SCALE_GOGC is in e.env, not this
	// process's environment.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	if v, ok := lookupIn(e.env)("GOGC"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("PMSYNC_SCALE_GOGC=%s: in process, only a number is supported", v)
		}
		debug.SetGCPercent(n)
	} else {
		wiring.SetGCPercent(lookupIn(e.env))
	}
	runtime.GC()
	e.resetCalls()
	samples := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(samples)
	gc0, n0, used0 := samples[0].Value.Float64(), samples[1].Value.Uint64(), samples[2].Value.Float64()-samples[3].Value.Float64()
	var ru0, ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	var stderr bytes.Buffer
	var code int
	if out := os.Getenv("PMSYNC_SCALE_OUT"); out != "" {
		f, err := os.Create(filepath.Join(out, fmt.Sprintf("items=%d-%s.pprof", e.items, name)))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	var heap *bytes.Buffer
	if os.Getenv("PMSYNC_SCALE_OUT") != "" {
		heap = &bytes.Buffer{}
	}
	peakHeap, peakLive := heapPeak(heap, func() {
		code = run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr, e.env)
	})
	if heap != nil {
		if err := os.WriteFile(filepath.Join(os.Getenv("PMSYNC_SCALE_OUT"), fmt.Sprintf("items=%d-%s.heap.pprof", e.items, name)), heap.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	wall := time.Since(start)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	metrics.Read(samples)
	if code != 0 {
		b.Fatalf("%s: pmsync exited %d\n%s", name, code, tail(stderr.Bytes()))
	}
	user := time.Duration(ru1.Utime.Nano() - ru0.Utime.Nano())
	sys := time.Duration(ru1.Stime.Nano() - ru0.Stime.Nano())
	gc, used := samples[0].Value.Float64()-gc0, samples[2].Value.Float64()-samples[3].Value.Float64()-used0
	r := phaseResult{user: user, sys: sys, cpu: user + sys, gcs: int(samples[1].Value.Uint64() - n0),
		peakHeap: peakHeap, peakLive: peakLive, calls: e.calls(), wall: wall}
	if used > 0 {
		r.share = gc / used
		r.gcCPU = time.Duration(r.share * float64(r.cpu))
	}
	return r
}

// heapPeak samples runtime/metrics every 5 ms while f runs (no
// stop-the-world) and returns the largest heap (objects, garbage
// included) and live heap (as of the last GC), in MiB. With prof, it
// keeps there the heap profile taken when the live heap was largest.
func heapPeak(prof *bytes.Buffer, f func()) (heap, live float64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		profiled := 0.0
		for {
			metrics.Read(s)
			heap = max(heap, float64(s[0].Value.Uint64())/(1<<20))
			l := float64(s[1].Value.Uint64()) / (1 << 20)
			live = max(live, l)
			if prof != nil && l > profiled*1.05 {
				// The heap profile is as of the last GC too.
				prof.Reset()
				_ = pprof.Lookup("heap").WriteTo(prof, 0)
				profiled = l
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return heap, live
}

// naive reads every ticket the documents link, one GET each, as a client
// without listings would on every run, and counts its requests.
func (e *scaleEnv) naive(b *testing.B) phaseResult {
	b.Helper()
	cfg, err := config.Load(e.cfgPath, e.env)
	if err != nil {
		b.Fatal(err)
	}
	opts, err := wiring.DocOptions(cfg)
	if err != nil {
		b.Fatal(err)
	}
	p := postmortem.NewParser(opts)
	dir := e.dir
	if e.git != nil {
		// The clone: source.git.dir/pmsync-<hash of the URL>/postmortems.
		clones, _ := filepath.Glob(filepath.Join(e.base, "clone", "pmsync-*", scalegen.GitPath))
		if len(clones) != 1 {
			b.Fatalf("naive: clones %v", clones)
		}
		dir = clones[0]
	}
	var refs []ticket.Ref
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".md") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := p.Parse(path, src)
		if err != nil {
			return err
		}
		for _, it := range doc.Items() {
			if !it.Ticket.IsZero() {
				refs = append(refs, it.Ticket)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	e.resetCalls()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	start := time.Now()
	for _, ref := range refs {
		var api string
		u, err := url.Parse(ref.URL)
		if err != nil {
			b.Fatal(err)
		}
		switch {
		case e.ghURL != "" && strings.HasPrefix(ref.URL, e.ghURL):
			api = e.ghURL + "/repos" + u.Path // /acme/payments/issues/12
		case e.jiraURL != "" && strings.HasPrefix(ref.URL, e.jiraURL):
			api = e.jiraURL + "/rest/api/2/issue/" + ref.Text
		default:
			b.Fatalf("naive: %v is on no simulator", ref)
		}
		req, _ := http.NewRequest(http.MethodGet, api, nil)
		if e.ghURL != "" && strings.HasPrefix(api, e.ghURL) {
			req.Header.Set("Authorization", "Bearer "+scalegen.Token)
		} else {
			req.SetBasicAuth("scale@acme.example", scalegen.Token)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var st struct {
			State  string `json:"state"`
			Fields struct {
				Status struct{ Name string } `json:"status"`
			} `json:"fields"`
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("naive: GET %s: %d %v", api, resp.StatusCode, err)
		}
	}
	return phaseResult{calls: e.calls(), wall: time.Since(start)}
}

type scaleRow struct {
	items     int
	phase     string
	r, base   phaseResult
	baseItems int
	steady    phaseResult
}

// printScaleTable prints the measurements as a Markdown table.
func printScaleTable(w io.Writer, rows []scaleRow, tracker, mode string) {
	if len(rows) == 0 {
		return
	}
	how := map[string]string{
		"child":  "each phase a child process running pmsync's main path; CPU from getrusage, peak RSS from VmHWM, GC and live heap from runtime/metrics",
		"binary": "the pmsync binary as a child process; CPU and peak RSS from getrusage, GC from gctrace (GC share overestimated on a busy machine)",
		"inproc": "in process (the simulator's CPU included); GC and heap from runtime/metrics",
	}[mode]
	fmt.Fprintf(w, "\n# Scale (%s, %s; %s; x_…/item: per-item cost over the %d-item run's, 1.0 = linear)\n\n",
		tracker, time.Now().UTC().Format("2006-01-02 15:04Z"), how, rows[0].baseItems)
	fmt.Fprintln(w, "| items | phase | CPU s | x_cpu/item | GC share | GCs | peak RSS MiB | x_rss/item | peak live MiB | API calls | x_calls/item | wall s |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, row := range rows {
		r, bs := row.r, row.base
		calls := fmt.Sprint(r.calls)
		if row.phase == "naive" && r.calls > 0 && row.steady.calls > 0 {
			calls = fmt.Sprintf("%d (steady: %.4f×)", r.calls, float64(row.steady.calls)/float64(r.calls))
		}
		if strings.HasPrefix(row.phase, "nudge") {
			calls = fmt.Sprintf("%d (%d nudges)", r.calls, r.nudges)
		}
		if r.killed {
			calls += " (stopped: " + r.note + ")"
		}
		if r.cpu == 0 {
			fmt.Fprintf(w, "| %d | %s | | | | | | | | %s | %.2f | %.1f |\n", row.items, row.phase, calls,
				perItem(float64(r.calls), float64(bs.calls), row.items, row.baseItems), r.wall.Seconds())
			continue
		}
		fmt.Fprintf(w, "| %d | %s | %.2f | %.2f | %.0f%% | %d | %.0f | %.2f | %.0f | %s | %.2f | %.1f |\n", row.items, row.phase,
			r.cpu.Seconds(), perItem(r.cpu.Seconds(), bs.cpu.Seconds(), row.items, row.baseItems), 100*r.gcShare(), r.gcs,
			float64(r.rss)/(1<<20), perItem(float64(r.rss), float64(bs.rss), row.items, row.baseItems), r.peakLive,
			calls, perItem(float64(r.calls), float64(bs.calls), row.items, row.baseItems), r.wall.Seconds())
	}
	fmt.Fprintln(w)
}
