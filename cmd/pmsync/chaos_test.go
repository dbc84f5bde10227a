package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/gittest"
	"github.com/pmsync/pmsync/internal/onlyowned"
	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers/factory"
)

// The chaos test (RELIABILITY.md). For each seed, one configuration
// routes the example postmortems, kept in a git repository served by git
// http-backend, to two GitHub repositories and two Jira Cloud projects
// (both simulators behind their API contracts). With faults on all three
// remotes at once (5xx, timeouts, resets, 403/429 rate limits with
// Retry-After 0-1 s, slow answers, pushes whose answer is lost; Jira's
// search index lagging up to 300 ms):
//
//  1. two runs start together from separate clones while a person pushes
//     an edit of the README and of a postmortem's prose; one of the runs
//     dies after API call k (its git requests fail from then on too);
//  2. one or two more runs, from the dead run's clone and the other's;
//  3. faults off: one clean run, which must converge: exactly one live
//     ticket per item (duplicates closed as duplicates are counted),
//     every document parsing and differing from what people wrote only in
//     pmsync's cells (internal/onlyowned), the person's edits kept, and no
//     pmsync commit touching anything but documents' owned cells, its
//     state and its report;
//  4. one more run, which must change nothing;
//  5. no run's debug log may show a credential.
//
// go test runs seed 1, and chaosSeeds with PMSYNC_EXHAUSTIVE=1 (CI);
// PMSYNC_CHAOS_SEEDS=200 runs seeds 1..200 and
// PMSYNC_CHAOS_SEED=17 replays seed 17; seeds run in parallel
// (-parallel). A seed fixes every random choice and each remote's
// sequence of faults; the overlapping runs interleave their requests, so
// that phase is not replayed bit for bit. A failing seed prints its runs'
// logs and the command that replays it; PMSYNC_CHAOS_LOGS=1 prints them
// always.

var chaosSeeds = []int64{1, 2, 3}

// chaosMaxCrash bounds the API call after which the crash run stops: a
// full first run of this configuration makes about 100 tracker calls.
const chaosMaxCrash = 110

func chaosSeedList(t *testing.T) []int64 {
	if s := os.Getenv("PMSYNC_CHAOS_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("PMSYNC_CHAOS_SEED=%q: %v", s, err)
		}
		return []int64{n}
	}
	if s := os.Getenv("PMSYNC_CHAOS_SEEDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("PMSYNC_CHAOS_SEEDS=%q: want a positive number", s)
		}
		seeds := make([]int64, n)
		for i := range seeds {
			seeds[i] = int64(i + 1)
		}
		return seeds
	}
	if !testkit.Exhaustive() {
		return chaosSeeds[:1]
	}
	return chaosSeeds
}

// chaosEnv is one seed's world: the simulators, the repository, and what
// the people wrote (the originals every document is checked against).
type chaosEnv struct {
	gh     *ghsim.Server
	jira   *jirasim.Server
	repo   *gittest.Server
	config string
	env    []string
	tmp    string
	// orig is every file of the repository as people last wrote it
	// (repository path → content); pmsync may change only its own cells.
	origMu sync.Mutex
	orig   map[string]string
	// dead is set once the crashing run has crashed.
	dead atomic.Bool
	// logs of every run, shown when the seed fails.
	logMu sync.Mutex
	logs  []*chaosLog
}

// chaosLog is one run's log, written while the run goes on.
type chaosLog struct {
	label string
	testkit.SyncBuffer
}

const chaosOwner = "chaos"

// crashAlias is the name under which the crashing run reaches the
// repository, so that its requests alone can be failed.
const crashAlias = "crashing"

var chaosJiraProjects = []string{"PAY", "OPS"}
var chaosGHRepos = []string{"acme/sre", "acme/platform"}

// newChaosEnv builds a seed's world; Jira's search index lags indexLag
// behind its writes, as Jira Cloud's does.
func newChaosEnv(t *testing.T, indexLag time.Duration) *chaosEnv {
	t.Helper()
	ghDoc, ghRouter := contract.MustLoad(t, "github.openapi.json")
	jDoc, jRouter := contract.MustLoad(t, "jira.openapi.json")
	e := &chaosEnv{tmp: t.TempDir(), orig: map[string]string{}}

	// GitHub, validated against its contract; fault answers are allowed.
	var gh http.Handler
	ghSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gh.ServeHTTP(w, r) }))
	t.Cleanup(ghSrv.Close)
	e.gh = ghsim.New(ghsim.Options{Tokens: map[string]string{testToken: "pmsync-bot"}, HTMLBase: ghSrv.URL})
	gh = contract.Middleware(t, ghDoc, ghRouter, e.gh, contract.Options{AllowUndocumentedStatus: []int{403, 429, 500, 502, 503}})
	for i := 1; i <= 12; i++ { // an example links acme/sre#12
		if _, err := e.gh.AddIssue("acme", "sre", ghsim.Issue{Title: fmt.Sprintf("older issue %d", i), State: "open", Author: "someone"}); err != nil {
			t.Fatal(err)
		}
	}

	// Jira Cloud, the same.
	var jh http.Handler
	jSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { jh.ServeHTTP(w, r) }))
	t.Cleanup(jSrv.Close)
	e.jira = jirasim.New(jirasim.Options{Accounts: map[string]string{"pmsync@acme.example": jiraToken}, BaseURL: jSrv.URL, IndexLag: indexLag,
		Users: []jirasim.User{
			{AccountID: "5b10ac8d82e05b22cc7d4ef5", Email: "alice@acme.example", DisplayName: "Alice Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef6", Email: "bob@acme.example", DisplayName: "Bob Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef7", Email: "carol@acme.example", DisplayName: "Carol Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef8", Email: "dave@acme.example", DisplayName: "Dave Example"},
		}})
	jh = contract.Middleware(t, jDoc, jRouter, e.jira, contract.Options{AllowUndocumentedStatus: []int{429, 500, 502, 503}})

	// The repository: the examples (their GitHub links pointing at the
	// simulator), a README and a file that is not a postmortem.
	examples, _ := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "postmortems", "*.md"))
	if len(examples) == 0 {
		t.Fatal("no example postmortems")
	}
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e.orig["postmortems/"+filepath.Base(f)] = strings.ReplaceAll(string(b), "https://github.com/", ghSrv.URL+"/")
	}
	// One SEV2 document becomes SEV3, so the default route is used too.
	mobile := "postmortems/2026-08-18-mobile-api-ingress-upgrade.md"
	e.orig[mobile] = strings.Replace(e.orig[mobile], "Severity: SEV2", "Severity: SEV3", 1)
	e.orig["README.md"] = "# Postmortems\n"
	e.orig["postmortems/template/incident.txt"] = "Owner: \nDue: \n"
	e.repo = gittest.New(t, e.orig, gitToken)

	e.config = filepath.Join(e.tmp, "pmsync.yaml")
	cfg := fmt.Sprintf(`owner_id: %s
source: {type: git, path: postmortems, git: {url: %q, branch: main, token_env: GIT_TOKEN}}
trackers:
  gh:   {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: 1ms}
  jira: {type: jira, deployment: cloud, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS, write_interval: 1ms}
routes:
  - {match: {team: payments}, tracker: jira, project: PAY}
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {match: {severity: SEV2}, tracker: jira}
  - {tracker: gh}
people:
  alice: {github: alice-gh, jira: 5b10ac8d82e05b22cc7d4ef5}
  bob:   {github: bob-gh, jira: 5b10ac8d82e05b22cc7d4ef6}
  carol: {email: carol@acme.example, github: carol-gh, jira: 5b10ac8d82e05b22cc7d4ef7}
  dave:  {email: dave@acme.example, github: dave-gh, jira: 5b10ac8d82e05b22cc7d4ef8}
teams:
  payments: {jira: PAY}
  platform: {github: acme/platform}
report: {dir: reports, formats: [md, json], commit: true}
`, chaosOwner, e.repo.URL, ghSrv.URL+"/", jSrv.URL+"/")
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// Git retries back off 5 ms here, not 1 s (source.git.retry_backoff).
	e.env = []string{"GH_TOKEN=" + testToken, "JIRA_USER=pmsync@acme.example", "JIRA_TOKEN=" + jiraToken, "GIT_TOKEN=" + gitToken,
		"PMSYNC_SOURCE_GIT_RETRY_BACKOFF=5ms"}
	return e
}

// run is one pmsync sync from the clone in cloneDir (kept between runs
// that name the same folder, as a pod's volume would be), through base,
// with a per-request timeout (0: the adapters' default) and extra
// environment (configuration overrides).
func (e *chaosEnv) run(t *testing.T, label, cloneDir string, base http.RoundTripper, timeout time.Duration, extraEnv ...string) (*engine.Result, error) {
	env := append(slices.Clone(e.env), "PMSYNC_SOURCE_GIT_DIR="+filepath.Join(e.tmp, cloneDir))
	env = append(env, extraEnv...)
	cfg, err := config.Load(e.config, env)
	if err != nil {
		t.Error(err)
		return nil, err
	}
	l := &chaosLog{label: label}
	e.logMu.Lock()
	e.logs = append(e.logs, l)
	e.logMu.Unlock()
	a := &app{stdout: io.Discard, stderr: io.Discard, env: env}
	res, err := a.syncOnce(context.Background(), cfg, syncFlags{}, wiring.NewLogger(l, slog.LevelDebug, "text"),
		factory.Options{Env: env, Base: base, Clock: sim.NewClock(time.Now()), Timeout: timeout})
	if res != nil {
		fmt.Fprintf(l, "RESULT created=%d adopted=%d updated=%d closed=%d written=%d failures=%v\n",
			res.Created, res.Adopted, res.Updated, res.Closed, len(res.Written), res.Failures)
	} else {
		fmt.Fprintf(l, "RESULT error: %v\n", err)
	}
	return res, err
}

// faults counts the faults each remote has injected so far.
type faultCount struct{ gh, jira, git int }

func (f faultCount) total() int { return f.gh + f.jira + f.git }

func (f faultCount) String() string {
	return fmt.Sprintf("%d (GitHub %d, Jira %d, git %d)", f.total(), f.gh, f.jira, f.git)
}

func (e *chaosEnv) faults() faultCount {
	return faultCount{
		gh:   e.gh.CallCount(func(c ghsim.Call) bool { return c.Fault }),
		jira: e.jira.CallCount(func(c jirasim.Call) bool { return c.Fault }),
		git:  e.repo.CallCount(func(c gittest.Call) bool { return c.Fault }),
	}
}

// chaosSchedule turns the three remotes' faults on: each request fails
// with probability rate (the git remote's rate/2), with a kind drawn
// uniformly; the draws come from the seed, one stream per remote.
func (e *chaosEnv) chaosSchedule(seed int64, rate float64) {
	gh := newDraws(seed*3+0, rate)
	ghKinds := append(slices.Clone(ghsim.AllFaultKinds), 0) // 0: a slow answer
	e.gh.SetFault(func(*http.Request) *ghsim.FaultResponse {
		hit, k, x := gh.next(len(ghKinds))
		switch {
		case !hit:
			return nil
		case ghKinds[k] == 0:
			return &ghsim.FaultResponse{Delay: slowDelay(x)}
		}
		f := ghsim.NewFault(ghKinds[k])
		if f.Header.Get("Retry-After") != "" {
			f.Header = f.Header.Clone()
			f.Header.Set("Retry-After", strconv.Itoa(x%2)) // 0 or 1 s
		}
		return f
	})
	jira := newDraws(seed*3+1, rate)
	jKinds := append(slices.Clone(jirasim.AllFaultKinds), 0)
	e.jira.SetFault(func(*http.Request) *jirasim.FaultResponse {
		hit, k, x := jira.next(len(jKinds))
		switch {
		case !hit:
			return nil
		case jKinds[k] == 0:
			return &jirasim.FaultResponse{Delay: slowDelay(x)}
		}
		return jirasim.NewFault(jKinds[k]) // Retry-After: 1 where Jira sends one
	})
	// The git remote at half the rate: a clone takes three requests and a
	// push four (each retried, after 5 ms here). The
	// crashed process's requests (through its own alias of the
	// repository) all fail: a dead process pushes nothing.
	git := gittest.RandomFaults(seed*3+2, rate/2)
	e.repo.SetFault(func(r *http.Request) *gittest.Fault {
		if e.dead.Load() && strings.HasPrefix(r.URL.Path, "/"+crashAlias+".git/") {
			return &gittest.Fault{Drop: true}
		}
		return git(r)
	})
}

// draws is one remote's stream of fault decisions. Each request takes
// three numbers (fault or not, which kind, a parameter), so a remote's
// n-th request meets the same fate in every replay of a seed.
type draws struct {
	mu   sync.Mutex
	rng  *rand.Rand
	rate float64
}

func newDraws(seed int64, rate float64) *draws {
	return &draws{rng: rand.New(rand.NewSource(seed)), rate: rate}
}

func (d *draws) next(kinds int) (hit bool, kind, x int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.Float64() < d.rate, d.rng.Intn(kinds), d.rng.Intn(1000)
}

// slowDelay is a slow answer's delay: 20 to 150 ms, below the faulty
// runs' 300 ms request timeout.
func slowDelay(x int) time.Duration { return time.Duration(20+x%130) * time.Millisecond }

func (e *chaosEnv) faultsOff() {
	e.gh.SetFault(nil)
	e.jira.SetFault(nil)
	e.repo.SetFault(nil)
}

// crashRun is crashAfter that also takes the git remote down once the
// process is "dead", so the run's commit and push never happen either.
type crashRun struct {
	*crashAfter
	once    sync.Once
	onCrash func()
}

func (c *crashRun) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.crashAfter.RoundTrip(r)
	if errors.Is(err, errCrashed) {
		c.once.Do(c.onCrash)
	}
	return resp, err
}

// chaosStats is what one seed did, for the log and RELIABILITY.md.
type chaosStats struct {
	seed           int64
	rate           float64
	crashAt        int64
	indexLag       time.Duration
	crashed        bool
	faults         faultCount
	faultyRuns     int
	duplicates     int // closed as duplicates by the end
	created        int // tickets with pmsync's marker, duplicates included
	items          int
	pmsyncCommits  int
	personCommits  int
	conflicts      int // runs that left a document to the next run
	gitFailed      int // runs whose clone, fetch or push failed
	cleanRuns      int // faults-off runs until converged (always 1, or the seed fails)
	elapsed        time.Duration
	overlapCreated [2]int
}

func (s chaosStats) String() string {
	crash := fmt.Sprintf("crash after call %d", s.crashAt)
	if !s.crashed {
		crash = fmt.Sprintf("no crash (the run made fewer than %d calls)", s.crashAt)
	}
	return fmt.Sprintf("seed %d: fault rate %.2f, Jira index lag %v, %s; %s faults injected over %d faulty runs; overlapping runs created %d+%d; "+
		"%d items, %d tickets, %d closed as duplicates; %d pmsync commits, %d by a person; %d runs lost their git clone, fetch or push, %d left a conflict; converged after %d clean run(s) in %v",
		s.seed, s.rate, s.indexLag, crash, s.faults, s.faultyRuns, s.overlapCreated[0], s.overlapCreated[1],
		s.items, s.created, s.duplicates, s.pmsyncCommits, s.personCommits, s.gitFailed, s.conflicts, s.cleanRuns, s.elapsed.Round(time.Millisecond))
}

// TestChaos: see the comment at the top of this file.
func TestChaos(t *testing.T) {
	seeds := chaosSeedList(t)
	var mu sync.Mutex
	var all []chaosStats
	var failed []int64
	for _, seed := range seeds {
		t.Run("seed="+strconv.FormatInt(seed, 10), func(t *testing.T) {
			t.Parallel() // a seed mostly waits (timeouts, slow answers): overlap them
			var st chaosStats
			defer func() { // also after t.Fatal
				mu.Lock()
				defer mu.Unlock()
				if t.Failed() {
					failed = append(failed, seed)
					return
				}
				all = append(all, st)
			}()
			st = chaosOneSeed(t, seed)
		})
	}
	t.Cleanup(func() {
		if len(all) == 0 {
			t.Logf("chaos summary: no seed of %d passed", len(seeds))
			return
		}
		var faults, maxDup, maxFaults, crashes, conflicts, dups, gitFailed int
		var overlapped, soloDup int // seeds where both overlapping runs created tickets; duplicates in the others
		var slowest time.Duration
		for _, s := range all {
			if s.overlapCreated[0] > 0 && s.overlapCreated[1] > 0 {
				overlapped++
			} else {
				soloDup = max(soloDup, s.duplicates)
			}
			gitFailed += s.gitFailed
			slowest = max(slowest, s.elapsed)
			faults += s.faults.total()
			maxFaults = max(maxFaults, s.faults.total())
			maxDup = max(maxDup, s.duplicates)
			dups += s.duplicates
			conflicts += s.conflicts
			if s.crashed {
				crashes++
			}
		}
		t.Logf("chaos summary: %d seeds passed of %d (failed: %v); %d faults injected (mean %.0f, max %d a seed); %d crashes; "+
			"duplicates closed: %d in all, at most %d in one seed (both overlapping runs created tickets in %d seeds; in the others at most %d); "+
			"%d runs lost their git clone, fetch or push; %d left a document to the next run; every passing seed converged in 1 clean run; slowest seed %v",
			len(all), len(seeds), failed, faults, float64(faults)/float64(len(all)), maxFaults, crashes, dups, maxDup, overlapped, soloDup,
			gitFailed, conflicts, slowest.Round(time.Millisecond))
	})
}

func chaosOneSeed(t *testing.T, seed int64) chaosStats {
	start := time.Now()
	st := chaosStats{seed: seed}
	rng := rand.New(rand.NewSource(seed))
	st.rate = 0.1 + 0.2*rng.Float64()
	st.crashAt = 1 + rng.Int63n(chaosMaxCrash)
	st.indexLag = time.Duration(rng.Intn(3)) * 150 * time.Millisecond
	e := newChaosEnv(t, st.indexLag)
	t.Cleanup(func() {
		if !t.Failed() && os.Getenv("PMSYNC_CHAOS_LOGS") == "" {
			return
		}
		e.logMu.Lock()
		defer e.logMu.Unlock()
		for _, l := range e.logs {
			out := l.String()
			if len(out) > 8000 {
				out = "…" + out[len(out)-8000:]
			}
			t.Logf("---- log of run %q (last lines) ----\n%s", l.label, out)
		}
		t.Logf("replay: PMSYNC_CHAOS_SEED=%d go test -race -count=1 -run 'TestChaos$' -v ./cmd/pmsync", seed)
	})
	const faultyTimeout = 300 * time.Millisecond
	conflict := func(res *engine.Result, err error) {
		if err != nil && strings.Contains(err.Error(), "source: git") {
			st.gitFailed++
		}
		if res == nil {
			return
		}
		for _, f := range res.Failures {
			switch {
			case strings.Contains(f.Message, "changed in the repository while pmsync was working"):
				st.conflicts++
			case strings.Contains(f.Message, "source: git"):
				st.gitFailed++
			}
		}
	}

	// 1. Two runs at once from separate clones, under faults, while a
	// person edits the README and a postmortem's prose and pushes; one of
	// the runs dies after API call k (counted over GitHub and Jira), and
	// from then on its git requests fail too: a dead process pushes nothing.
	e.chaosSchedule(seed, st.rate)
	crashURL := e.repo.Alias(t, crashAlias)
	crash := &crashRun{crashAfter: &crashAfter{base: http.DefaultTransport, k: st.crashAt}}
	crash.onCrash = func() { e.dead.Store(true) }
	var wg sync.WaitGroup
	var results [2]*engine.Result
	var errs [2]error
	wg.Add(2)
	go func() {
		defer wg.Done()
		results[0], errs[0] = e.run(t, "1 overlapping, crashes", "pod-a", crash, faultyTimeout, "PMSYNC_SOURCE_GIT_URL="+crashURL)
	}()
	go func() {
		defer wg.Done()
		results[1], errs[1] = e.run(t, "1 overlapping", "pod-b", http.DefaultTransport, faultyTimeout)
	}()
	const doc = "postmortems/2026-03-04-order-events-queue-backlog.md"
	person := map[string]func(string) string{
		"README.md": func(s string) string { return s + "\nEdited while pmsync ran.\n" },
		doc:         func(s string) string { return strings.Replace(s, "All times UTC.", "All times are UTC.", 1) },
	}
	personAt, personTmp := time.Duration(rng.Intn(800))*time.Millisecond, t.TempDir()
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(personAt)
		if err := e.repo.TryPush(personTmp, person, "a person edits"); err != nil {
			t.Errorf("the person's push failed: %v", err)
			return
		}
		e.origMu.Lock()
		for f, edit := range person {
			e.orig[f] = edit(e.orig[f])
		}
		e.origMu.Unlock()
	}()
	wg.Wait()
	st.crashed = e.dead.Load()
	e.dead.Store(false) // the pod restarts
	for i, r := range results {
		conflict(r, errs[i])
		if r != nil {
			st.overlapCreated[i] = r.Created
		}
	}
	st.faultyRuns += 2

	// 2. One or two more runs under faults, from the crashed run's clone
	// (a restarted pod keeps its volume), then from the other's.
	for i, pod := range []string{"pod-a", "pod-b"}[:1+rng.Intn(2)] {
		e.chaosSchedule(seed+int64(1000*(i+1)), st.rate)
		url := e.repo.URL
		if pod == "pod-a" {
			url = crashURL
		}
		conflict(e.run(t, "2 faults "+pod, pod, http.DefaultTransport, faultyTimeout, "PMSYNC_SOURCE_GIT_URL="+url))
		st.faultyRuns++
	}
	st.faults = e.faults()
	if st.faults.total() == 0 {
		t.Fatal("no fault was injected: the schedule exercised nothing")
	}

	// 3. Faults off and Jira's index caught up: one clean run must
	// converge.
	e.faultsOff()
	time.Sleep(st.indexLag)
	res, err := e.run(t, "3 clean", "pod-d", http.DefaultTransport, 0)
	st.cleanRuns = 1
	if err != nil || res.Failed() {
		var fails []engine.Failure
		if res != nil {
			fails = res.Failures
		}
		t.Errorf("the clean run failed: %v %v", err, fails)
	}
	e.assertConverged(t, &st)

	// 4. And the next one changes nothing (unless the UTC date changed
	// meanwhile: then "(overdue)" and the report legitimately move).
	day := time.Now().UTC().Format("2006-01-02")
	commits := e.repo.Commits(t)
	res, err = e.run(t, "4 steady", "pod-d", http.DefaultTransport, 0)
	if time.Now().UTC().Format("2006-01-02") == day {
		if err != nil || res.Failed() || res.Created+res.Adopted+res.Updated+res.Closed != 0 || len(res.Written) != 0 {
			t.Errorf("the run after the clean one was not steady: %v %+v", err, res)
		}
		if n := e.repo.Commits(t); n != commits {
			t.Errorf("the steady run made %d commit(s)", n-commits)
		}
	}
	// No run's debug log, failures included, shows a credential.
	e.logMu.Lock()
	for _, l := range e.logs {
		for _, secret := range []string{testToken, jiraToken, gitToken} {
			if strings.Contains(l.String(), secret) {
				t.Errorf("the log of run %q shows a credential", l.label)
			}
		}
	}
	e.logMu.Unlock()
	st.elapsed = time.Since(start)
	t.Log(st)
	return st
}

// assertConverged checks the trackers, the documents and the history.
func (e *chaosEnv) assertConverged(t *testing.T, st *chaosStats) {
	t.Helper()
	// Every ticket with pmsync's marker, by item; GitHub and Jira together,
	// since an item has one route.
	type tk struct {
		ref  string
		live bool // not closed as a duplicate
	}
	perItem := map[string][]tk{}
	addTicket := func(ref, marker string, dup bool) {
		m, err := ticket.ParseMarker(marker)
		if err != nil {
			return
		}
		if m.Owner != chaosOwner {
			t.Errorf("%s: marker of owner %q", ref, m.Owner)
		}
		st.created++
		if dup {
			st.duplicates++
		}
		perItem[m.PM+" "+m.Item] = append(perItem[m.PM+" "+m.Item], tk{ref, !dup})
	}
	for _, r := range chaosGHRepos {
		o, n, _ := strings.Cut(r, "/")
		for _, is := range e.gh.Issues(o, n) {
			ref := fmt.Sprintf("%s#%d", r, is.Number)
			if strings.HasPrefix(is.Title, "older issue") {
				continue
			}
			if _, err := ticket.ParseMarker(is.Body); err != nil {
				t.Errorf("%s: a ticket without pmsync's marker: %q", ref, is.Title)
			}
			addTicket(ref, is.Body, is.State == "closed" && is.StateReason == "duplicate")
		}
	}
	if extra := e.gh.Issues("acme", "payments"); len(extra) > 0 {
		t.Errorf("%d tickets in acme/payments, which no route names", len(extra))
	}
	for _, p := range chaosJiraProjects {
		for _, is := range e.jira.Issues(p) {
			if _, err := ticket.ParseMarker(is.Description); err != nil {
				t.Errorf("%s: a ticket without pmsync's marker: %q", is.Key, is.Summary)
			}
			addTicket(is.Key, is.Description, is.Resolution == "Duplicate")
		}
	}
	if n := len(e.jira.Issues("PLAT")); n > 0 {
		t.Errorf("%d tickets in PLAT, which no route names", n)
	}

	// The documents on main: each parses, each item links its one live
	// ticket, and nothing but pmsync's cells differs from the original.
	p := postmortem.NewParser(postmortem.Options{})
	e.origMu.Lock()
	orig := maps.Clone(e.orig)
	e.origMu.Unlock()
	seen := map[string]bool{}
	for f, want := range orig {
		final, ok := e.repo.ShowAt(t, "main", f)
		if !ok {
			t.Errorf("%s was deleted", f)
			continue
		}
		if !strings.HasSuffix(f, ".md") || !strings.HasPrefix(f, "postmortems/") {
			if final != want {
				t.Errorf("%s, not pmsync's, changed:\n%s", f, final)
			}
			continue
		}
		if err := onlyowned.Verify(p, f, []byte(want), []byte(final)); err != nil {
			t.Error(err)
		}
		// Parsed under the name the run gives it (the id defaults to it).
		d, err := p.Parse(strings.TrimPrefix(f, "postmortems/"), []byte(final))
		if err != nil {
			t.Error(err)
			continue
		}
		if !d.Finalized {
			continue
		}
		for _, it := range d.Items() {
			if it.Done && it.Ticket.IsZero() {
				continue // done before it had a ticket: none is opened
			}
			st.items++
			key := d.ID + " " + it.Key
			seen[key] = true
			var live []string
			for _, tk := range perItem[key] {
				if tk.live {
					live = append(live, tk.ref)
				}
			}
			switch {
			case it.Ticket.Text == "acme/sre#12": // linked by hand before pmsync: adopted, never re-created
				if len(perItem[key]) != 0 {
					t.Errorf("%s:%d links acme/sre#12, yet pmsync opened %v", f, it.Line, perItem[key])
				}
			case len(live) != 1:
				t.Errorf("%s:%d %q: %d live tickets %v, want exactly one", f, it.Line, it.Text, len(live), live)
			case it.Ticket.Text != live[0] || !it.HasStatus:
				t.Errorf("%s:%d %q links %q (status %v), want %s", f, it.Line, it.Text, it.Ticket.Text, it.HasStatus, live[0])
			}
		}
	}
	for key, tks := range perItem {
		if !seen[key] {
			t.Errorf("tickets %v are for item %s, which no finalized document has", tks, key)
		}
	}
	if st.items < 50 {
		t.Errorf("only %d items checked", st.items)
	}

	// The history: the person's one commit, and pmsync's, each touching
	// only pmsync's files and, in documents, only pmsync's cells.
	hist := e.repo.History(t)
	for _, c := range hist[1:] { // [0] is the seed
		switch c.Author {
		case "Tester <t@example.com>":
			st.personCommits++
			continue
		case "pmsync <pmsync@localhost>":
			st.pmsyncCommits++
		default:
			t.Errorf("commit %s by %s", c.Hash, c.Author)
			continue
		}
		for _, f := range c.Files {
			switch {
			case f == "postmortems/.pmsync/state.json", f == "postmortems/.pmsync/owner-id", strings.HasPrefix(f, "reports/"):
				// pmsync's own files
			case strings.HasPrefix(f, "postmortems/") && strings.HasSuffix(f, ".md") && orig[f] != "":
				before, _ := e.repo.ShowAt(t, c.Parent, f)
				after, ok := e.repo.ShowAt(t, c.Hash, f)
				if !ok {
					t.Errorf("pmsync commit %s deleted %s", c.Hash, f)
					continue
				}
				if err := onlyowned.Verify(p, f, []byte(before), []byte(after)); err != nil {
					t.Errorf("pmsync commit %s (%s): %v", c.Hash, c.Subject, err)
				}
			default:
				t.Errorf("pmsync commit %s (%s) touches %s, which is not pmsync's", c.Hash, c.Subject, f)
			}
		}
	}
	if st.personCommits != 1 {
		t.Errorf("%d commits by the person, want 1: an edit was lost or duplicated", st.personCommits)
	}
}

// TestOutageMidFirstRunConverges: acme/sre fails every create after its
// first ten (an outage half-way through the first sync); once it is back,
// the next run must create the rest.
//
// It did not: the share guard (sync/plan, max_create_share, default 0.5)
// saw 11 linked items (the ten created and acme/sre#12, linked by hand)
// and refused the 14 others as 56% of the repository's items, in this run
// and every later one. Now only items beyond those the last run saw count
// against the guard.
func TestOutageMidFirstRunConverges(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "", 500)
	var creates atomic.Int64
	e.sim.SetFault(func(r *http.Request) *ghsim.FaultResponse {
		if r.Method == http.MethodPost && r.URL.Path == "/repos/acme/sre/issues" && creates.Add(1) > 10 {
			return &ghsim.FaultResponse{Status: 500, Body: `{"message":"Server Error"}`}
		}
		return nil
	})
	if code, out, _ := e.sync(t); code != exitFailed {
		t.Fatalf("the run during the outage: exit %d, want 1\n%s", code, out)
	}
	e.sim.SetFault(nil)
	if code, out, _ := e.sync(t); code != exitOK {
		t.Errorf("the run after the outage: exit %d, want 0\n%s", code, out)
	}
	e.assertConverged(t, "after an outage mid-way through the first run")
	for _, d := range e.docs(t) {
		for _, it := range d.Items() {
			if d.Finalized && it.Ticket.IsZero() && !it.Done {
				t.Errorf("%s:%d %q has no ticket", d.Path, it.Line, it.Text)
			}
		}
	}
}
