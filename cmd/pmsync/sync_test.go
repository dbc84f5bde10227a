package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

const testToken = "ghp_testtoken_must_never_leak_0123456789"

// ghEnv is a GitHub simulator behind the contract validator and a folder
// with a copy of some postmortems, with a config file for both.
type ghEnv struct {
	env    []string // extra environment for sync
	sim    *ghsim.Server
	srv    *httptest.Server
	dir    string // the postmortems
	config string
}

func newGHEnv(t *testing.T, docs string, extra string, allow ...int) *ghEnv {
	t.Helper()
	doc, router := contract.MustLoad(t, "github.openapi.json")
	e := &ghEnv{}
	// The simulator's web links point at itself, as GitHub Enterprise's do.
	var handler http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	e.sim = ghsim.New(ghsim.Options{Tokens: map[string]string{testToken: "pmsync-bot"}, HTMLBase: e.srv.URL})
	handler = contract.Middleware(t, doc, router, e.sim, contract.Options{AllowUndocumentedStatus: allow})
	// acme/sre already has issues: an example links acme/sre#12.
	for i := 1; i <= 12; i++ {
		if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: fmt.Sprintf("older issue %d", i), State: "open", Author: "someone"}); err != nil {
			t.Fatal(err)
		}
	}
	base := t.TempDir()
	e.dir = filepath.Join(base, "postmortems")
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(docs, "*.md"))
	if len(files) == 0 {
		t.Fatalf("no documents in %s", docs)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		// Links to github.com issues point at the simulator instead.
		b = []byte(strings.ReplaceAll(string(b), "https://github.com/", e.srv.URL+"/"))
		if err := os.WriteFile(filepath.Join(e.dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.config = filepath.Join(base, "pmsync.yaml")
	if !strings.Contains(extra, "report:") {
		// Reports go to the test's folder, not the package's.
		extra += fmt.Sprintf("report: {dir: %q}\n", filepath.Join(base, "reports"))
	}
	cfg := fmt.Sprintf(`owner_id: e2e
source: {path: %q}
trackers:
  gh: {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: 1ms}
routes:
  - {match: {team: payments}, tracker: gh, repo: acme/payments}
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {tracker: gh}
people:
  alice: {name: Alice Example, email: alice@acme.example, github: alice-gh}
  bob:   {name: Bob Example, email: bob@acme.example, github: bob-gh}
  carol: {name: Carol Example, email: carol@acme.example, github: carol-gh}
  dave:  {name: Dave Example, email: dave@acme.example, github: dave-gh}
teams:
  payments: {github: acme/payments}
  platform: {github: acme/platform}
%s`, e.dir, e.srv.URL+"/", extra)
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *ghEnv) sync(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCmd(t, append([]string{"GH_TOKEN=" + testToken}, e.env...), append([]string{"sync", "--config", e.config, "--log-level", "debug"}, args...)...)
}

func (e *ghEnv) issues() map[string]ghsim.Issue {
	out := map[string]ghsim.Issue{}
	for _, r := range []string{"acme/sre", "acme/platform", "acme/payments"} {
		o, n, _ := strings.Cut(r, "/")
		for _, is := range e.sim.Issues(o, n) {
			out[fmt.Sprintf("%s#%d", r, is.Number)] = is
		}
	}
	return out
}

func (e *ghEnv) docs(t *testing.T) map[string]*postmortem.Doc {
	t.Helper()
	p := postmortem.NewParser(postmortem.Options{})
	out := map[string]*postmortem.Doc{}
	files, _ := filepath.Glob(filepath.Join(e.dir, "*.md"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		d, err := p.Parse(filepath.Base(f), b)
		if err != nil {
			t.Fatalf("%s no longer parses: %v", f, err)
		}
		out[filepath.Base(f)] = d
	}
	return out
}

// TestSyncEndToEndGitHub: the examples against the validated simulator.
// Every ticket has the right title, assignee, labels, due date and
// marker; a second run creates and rewrites nothing; statuses come back.
func TestSyncEndToEndGitHub(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	code, out, errOut := e.sync(t)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, testToken) {
		t.Fatal("the token appears in the output")
	}
	issues := e.issues()
	docs := e.docs(t)
	byRef := map[string]*postmortem.Item{}
	items := 0
	for _, d := range docs {
		if !d.Finalized {
			for _, it := range d.Items() {
				if !it.Ticket.IsZero() {
					t.Errorf("draft %s got a ticket", d.Path)
				}
			}
			continue
		}
		for _, it := range d.Items() {
			if it.Done && it.Ticket.IsZero() {
				continue
			}
			items++
			if it.Ticket.IsZero() || !it.HasStatus {
				t.Errorf("%s:%d: no ticket written back", d.Path, it.Line)
				continue
			}
			byRef[it.Ticket.Text] = it
		}
	}
	if len(issues) != items+12-1 { // 12 older issues; one item links one of them (acme/sre#12)
		t.Errorf("%d issues for %d items", len(issues), items)
	}
	for ref, is := range issues {
		if strings.HasPrefix(is.Title, "older issue") && ref != "acme/sre#12" {
			delete(issues, ref)
			continue
		}
		if ref == "acme/sre#12" {
			if it := byRef[ref]; it == nil || it.Status.String() != "Open (overdue)" {
				t.Errorf("the linked existing issue acme/sre#12 was not adopted with its status: %+v", it)
			}
			delete(issues, ref)
			continue
		}
		it := byRef[ref]
		if it == nil {
			t.Errorf("%s: no document links it", ref)
			continue
		}
		m, err := ticket.ParseMarker(is.Body)
		if err != nil || m.Item != it.Key || m.Owner != "e2e" {
			t.Errorf("%s: marker %+v %v, want item %s", ref, m, err, it.Key)
		}
		if is.Title != it.Text {
			t.Errorf("%s: title %q, want %q", ref, is.Title, it.Text)
		}
		wantLabel := "action-item"
		if it.Kind == ticket.Factor {
			wantLabel = "contributing-factor"
		}
		if !contains(is.Labels, "postmortem") || !contains(is.Labels, wantLabel) {
			t.Errorf("%s: labels %v", ref, is.Labels)
		}
		if it.Kind == ticket.Action {
			if !it.Due.IsZero() && !strings.Contains(is.Body, it.Due.Format("2006-01-02")) {
				t.Errorf("%s: due date %s not in the body", ref, it.Due.Format("2006-01-02"))
			}
			switch {
			case strings.HasPrefix(it.OwnerRaw, "@alice") || it.OwnerRaw == "alice":
				if !contains(is.Assignees, "alice-gh") {
					t.Errorf("%s: assignees %v, want alice-gh", ref, is.Assignees)
				}
			case it.OwnerRaw == "":
				if len(is.Assignees) != 0 || !contains(is.Labels, "needs-owner") {
					t.Errorf("%s: no owner: assignees %v labels %v", ref, is.Assignees, is.Labels)
				}
			}
		}
	}
	// Second run: nothing created, nothing rewritten.
	before := snapshot(t, e.dir)
	e.sim.ResetCalls()
	code, out, _ = e.sync(t)
	if code != exitOK || !strings.Contains(out, "0 created") || !strings.Contains(out, "0 files written") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	if after := snapshot(t, e.dir); !equalMaps(before, after) {
		t.Fatal("second run rewrote documents")
	}
	if n := e.sim.CallCount(nil); n != 3 {
		t.Errorf("steady state: %d API calls, want 3 (one list per repository)", n)
	}
	// Statuses: completed, not planned, deleted.
	var done, wont, gone string
	for ref := range issues {
		switch {
		case done == "":
			done = ref
		case wont == "":
			wont = ref
		case gone == "":
			gone = ref
		}
	}
	closeIt := func(ref, reason string) {
		r, n, _ := strings.Cut(ref, "#")
		o, name, _ := strings.Cut(r, "/")
		var num int
		fmt.Sscan(n, &num)
		if reason == "delete" {
			if err := e.sim.Delete(o, name, num); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := e.sim.Close(o, name, num, reason); err != nil {
			t.Fatal(err)
		}
	}
	closeIt(done, "completed")
	closeIt(wont, "not_planned")
	closeIt(gone, "delete")
	// The deleted ticket is noticed by the full listing (once a day; here
	// forced by removing the state file).
	os.Remove(filepath.Join(e.dir, ".pmsync", "state.json"))
	code, out, _ = e.sync(t)
	if code != exitOK {
		t.Fatalf("third run: exit %d\n%s", code, out)
	}
	today := time.Now().UTC().Format("2006-01-02")
	want := map[string]string{done: "Done " + today, wont: "Won't do", gone: "Missing"}
	for _, d := range e.docs(t) {
		for _, it := range d.Items() {
			if w, ok := want[it.Ticket.Text]; ok {
				if it.Status.String() != w {
					t.Errorf("%s: %q, want %q", it.Ticket.Text, it.Status.String(), w)
				}
				delete(want, it.Ticket.Text)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("not written back: %v", want)
	}
}

// TestPlanSendsNoWrites: pmsync plan prints the plan and changes nothing.
func TestPlanSendsNoWrites(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	before := snapshot(t, e.dir)
	code, out, errOut := runCmd(t, []string{"GH_TOKEN=" + testToken}, "plan", "--config", e.config)
	if code != exitOK || !strings.Contains(out, "create ") || !strings.Contains(out, "to create") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if n := e.sim.CallCount(func(c ghsim.Call) bool { return c.Mutating() }); n != 0 {
		t.Fatalf("plan sent %d write requests", n)
	}
	if !equalMaps(before, snapshot(t, e.dir)) {
		t.Fatal("plan changed documents")
	}
	code, out, _ = runCmd(t, []string{"GH_TOKEN=" + testToken}, "plan", "--config", e.config, "--format", "json")
	var v struct {
		Plan struct {
			Creates []json.RawMessage
		} `json:"plan"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil || len(v.Plan.Creates) == 0 {
		t.Fatalf("json plan: exit %d\n%s", code, out)
	}
}

// TestSyncJSONShowsWhatItCreated: sync --format json prints each
// ticket it created with its content (sync in text mode lets the
// content go once the ticket exists; the JSON must not lose it).
func TestSyncJSONShowsWhatItCreated(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	code, out, errOut := runCmd(t, []string{"GH_TOKEN=" + testToken}, "sync", "--config", e.config, "--format", "json")
	var v struct {
		Created int `json:"created"`
		Plan    struct {
			Creates []struct {
				Doc  string
				Spec *struct{ Title, DocTitle string }
			}
		} `json:"plan"`
	}
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if v.Created == 0 || len(v.Plan.Creates) != v.Created {
		t.Fatalf("created %d, the plan shows %d creates", v.Created, len(v.Plan.Creates))
	}
	for _, c := range v.Plan.Creates {
		if c.Spec == nil || c.Spec.Title == "" || c.Spec.DocTitle == "" {
			t.Errorf("%s: a created ticket's content is missing: %+v", c.Doc, c.Spec)
		}
	}
}

// TestPlanAndReportEdges: an unknown --only id is a usage error naming
// it (exit 2, nothing changed); plan and report log as themselves, not
// as a sync; a plan whose tracker cannot be listed says it is
// incomplete, after its errors, never "nothing to do".
func TestPlanAndReportEdges(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	env := []string{"GH_TOKEN=" + testToken}
	before := snapshot(t, e.dir)
	for _, cmd := range []string{"plan", "sync"} {
		code, out, errOut := runCmd(t, env, cmd, "--config", e.config, "--only", "2026-03-04-order-events-queue-backlog", "--only", "nosuch-id")
		if code != exitUsage || !strings.Contains(errOut, "nosuch-id") || strings.Contains(errOut, "order-events") {
			t.Errorf("%s --only nosuch-id: exit %d, want 2 naming only the unknown id\n%s\n%s", cmd, code, out, errOut)
		}
	}
	if !equalMaps(before, snapshot(t, e.dir)) || e.sim.CallCount(func(c ghsim.Call) bool { return c.Mutating() }) != 0 {
		t.Fatal("an --only typo changed something")
	}
	if _, err := os.Stat(filepath.Join(e.dir, ".pmsync", "owner-id")); err == nil {
		t.Error("an --only typo wrote the owner id")
	}
	for cmd, want := range map[string]string{"plan": `"plan finished"`, "report": `"report finished"`} {
		code, out, errOut := runCmd(t, env, cmd, "--config", e.config, "--log-level", "info")
		if code != exitOK || strings.Contains(errOut, "sync finished") || !strings.Contains(errOut, want[1:len(want)-1]) {
			t.Errorf("%s: exit %d, log says:\n%s\n%s", cmd, code, errOut, out)
		}
	}
	e.sim.SetFault(func(r *http.Request) *ghsim.FaultResponse {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/issues") {
			// Not retried: a 404 is the answer for a repository the token
			// cannot see.
			return &ghsim.FaultResponse{Status: http.StatusNotFound, Body: `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`}
		}
		return nil
	})
	code, out, _ := runCmd(t, env, "plan", "--config", e.config, "--only", "2026-09-30-zurich-power-event")
	if code != exitFailed || strings.Contains(out, "nothing to do\n") || strings.Index(out, "error: ") != 0 {
		t.Errorf("plan with a failing listing: exit %d, want 1 with the errors first and no conclusive line:\n%s", code, out)
	}
}

// TestSyncSecretsNeverLeak: failing runs with debug logs never print the token.
func TestSyncSecretsNeverLeak(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "", 401)
	e.sim.SetFault(func(r *http.Request) *ghsim.FaultResponse {
		return &ghsim.FaultResponse{Status: 401, Body: `{"message":"Bad credentials"}`}
	})
	code, out, errOut := e.sync(t)
	if code == exitOK {
		t.Fatal("a run where every call fails exited 0")
	}
	if strings.Contains(out+errOut, testToken) || strings.Contains(out+errOut, testToken[4:20]) {
		t.Fatalf("token leaked:\n%s\n%s", out, errOut)
	}
	code, _, errOut = runCmd(t, nil, "sync", "--config", e.config)
	if code != exitUsage || !strings.Contains(errOut, "GH_TOKEN") {
		t.Fatalf("missing token: exit %d, %s", code, errOut)
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		out[f] = string(b)
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSyncEndToEndCorpus: the 30 real postmortems of PMSYNC_CORPUS, drafts
// included, on the validated simulator. Items whose owner is unknown fail (exit 1) and the
// rest is synced; every document still parses; only lines holding items
// changed; a second run creates and rewrites nothing.
func TestSyncEndToEndCorpus(t *testing.T) {
	corpus := testkit.Corpus(t)
	e := newGHEnv(t, corpus, "finalized: {when_unstated: final}\n")
	os.Remove(filepath.Join(e.dir, "SOURCES.md"))
	// The templates are excluded by the default globs; every real document
	// is new to the tracker, so the share guard is lifted.
	e.env = []string{"PMSYNC_TRACKERS_GH_MAX_CREATE_SHARE=1", "PMSYNC_TRACKERS_GH_MAX_CREATES=1000"}
	before := snapshot(t, e.dir)
	code, out, errOut := e.sync(t, "--include-drafts")
	if code != exitFailed || !strings.Contains(out, "is not in people or teams") {
		t.Fatalf("exit %d (want 1: unknown owners in the corpus)\n%s\n%s", code, out, errOut)
	}
	created := len(e.issues()) - 12
	if created < 150 {
		t.Fatalf("only %d tickets for the corpus\n%s", created, out)
	}
	after := snapshot(t, e.dir)
	linkedLines := 0
	for f, old := range before {
		a, b := strings.Split(old, "\n"), strings.Split(after[f], "\n")
		if len(a) != len(b) {
			t.Errorf("%s: %d lines became %d", filepath.Base(f), len(a), len(b))
			continue
		}
		for i := range a {
			if a[i] == b[i] {
				continue
			}
			linkedLines++
			if !strings.Contains(b[i], "<!-- pmsync -->") && !strings.Contains(b[i], "|") {
				t.Errorf("%s:%d changed but holds no pmsync suffix or table cell:\n-%s\n+%s", filepath.Base(f), i+1, a[i], b[i])
			}
		}
	}
	e.docs(t) // every document parses
	code, out, _ = e.sync(t, "--include-drafts")
	if code != exitFailed || !strings.Contains(out, " 0 created") || !strings.Contains(out, "0 files written") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	t.Logf("corpus: %d tickets, %d lines changed", created, linkedLines)
}

// TestSyncInterruptedExits3: a run told to stop mid-way finishes the call
// in flight, writes back what it did, exits 3; the next run completes.
func TestSyncInterruptedExits3(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	ctx, cancel := context.WithCancel(t.Context())
	posts := 0
	e.sim.SetFault(func(r *http.Request) *ghsim.FaultResponse {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/issues") {
			if posts++; posts == 5 {
				cancel() // SIGTERM while the fifth create is in flight
			}
		}
		return nil
	})
	var out, errOut strings.Builder
	code := run(ctx, []string{"sync", "--config", e.config}, strings.NewReader(""), &out, &errOut, []string{"GH_TOKEN=" + testToken})
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out.String(), errOut.String())
	}
	e.docs(t)
	linked := 0
	for _, d := range e.docs(t) {
		for _, it := range d.Items() {
			if it.HasStatus {
				linked++
			}
		}
	}
	if linked != 5+1 { // the five created, and the existing acme/sre#12 adopted
		t.Errorf("%d items written back after 5 creates", linked)
	}
	e.sim.SetFault(nil)
	if code, out2, _ := e.sync(t); code != exitOK {
		t.Fatalf("next run: exit %d\n%s", code, out2)
	}
	e.assertConverged(t, "after interruption")
}

// TestReportCommand: sync writes the report each run; pmsync report
// writes it read-only; an unavailable format is a usage error.
func TestReportCommand(t *testing.T) {
	out := t.TempDir()
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "report: {dir: "+fmt.Sprintf("%q", out)+", formats: [md, json, csv]}\n")
	if code, o, errOut := e.sync(t); code != exitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, o, errOut)
	}
	for _, f := range []string{"report.md", "report.json", "report.csv"} {
		if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || len(b) == 0 {
			t.Fatalf("sync did not write %s: %v", f, err)
		}
	}
	type counts struct {
		Items int `json:"items"`
	}
	var rep struct {
		Schema  string `json:"schema"`
		Totals  counts `json:"totals"` // the action items
		Factors struct {
			Counts counts `json:"counts"`
		} `json:"factors"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(b, &rep); err != nil || rep.Schema != "pmsync.report/v2" || rep.Totals.Items < 30 || rep.Factors.Counts.Items < 30 {
		t.Fatalf("report.json: %v %+v", err, rep)
	}
	before := snapshot(t, e.dir)
	e.sim.ResetCalls()
	out2 := t.TempDir()
	code, o, errOut := runCmd(t, []string{"GH_TOKEN=" + testToken}, "report", "--config", e.config, "--out", out2, "--format", "md")
	if code != exitOK || !strings.Contains(o, "report.md") {
		t.Fatalf("report: exit %d\n%s\n%s", code, o, errOut)
	}
	if n := e.sim.CallCount(func(c ghsim.Call) bool { return c.Mutating() }); n != 0 || !equalMaps(before, snapshot(t, e.dir)) {
		t.Fatalf("report changed something: %d writes", n)
	}
	md, _ := os.ReadFile(filepath.Join(out2, "report.md"))
	if !strings.Contains(string(md), "Overdue action items, oldest first") {
		t.Fatalf("report.md:\n%s", md)
	}
	if code, _, errOut := runCmd(t, []string{"GH_TOKEN=" + testToken}, "report", "--config", e.config, "--format", "pdf"); code != exitUsage || !strings.Contains(errOut, "pdf") {
		t.Fatalf("unknown format: exit %d %s", code, errOut)
	}
}

// TestReportIsCurrentAndOffline: `pmsync report` shows a ticket closed
// since the last sync as done (no sync in between); --offline needs no
// credentials, asks no tracker and shows what the last sync saw; --now
// sets the report's today.
func TestReportIsCurrentAndOffline(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	if code, o, errOut := e.sync(t); code != exitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, o, errOut)
	}
	type row struct {
		Ticket string `json:"ticket"`
		State  string `json:"state"`
		Done   string `json:"done"`
	}
	type rep struct {
		Today   string `json:"today"`
		Offline bool   `json:"offline"`
		AsOf    string `json:"as_of"`
		Items   []row  `json:"items"`
	}
	read := func(env []string, args ...string) rep {
		t.Helper()
		out := t.TempDir()
		args = append([]string{"report", "--config", e.config, "--out", out, "--format", "json"}, args...)
		if code, o, errOut := runCmd(t, env, args...); code != exitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, o, errOut)
		}
		var r rep
		b, _ := os.ReadFile(filepath.Join(out, "report.json"))
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	state := func(r rep, ticket string) row {
		for _, it := range r.Items {
			if it.Ticket == ticket {
				return it
			}
		}
		t.Fatalf("report has no item with ticket %s", ticket)
		return row{}
	}
	var target string
	for _, it := range read([]string{"GH_TOKEN=" + testToken}).Items {
		if strings.HasPrefix(it.Ticket, "acme/sre#") && it.State == "open" {
			target = it.Ticket
			break
		}
	}
	if target == "" {
		t.Fatal("no open ticket in acme/sre to close")
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(target, "acme/sre#"))
	if err := e.sim.Close("acme", "sre", n, "completed"); err != nil {
		t.Fatal(err)
	}
	if got := state(read([]string{"GH_TOKEN=" + testToken}), target); got.State != "done" || got.Done == "" {
		t.Errorf("report after %s was closed: %+v, want done with its date", target, got)
	}
	e.sim.ResetCalls()
	off := read(nil, "--offline", "--now", "2027-06-01")
	if got := state(off, target); got.State != "open" {
		t.Errorf("offline report: %s is %s, want open as the last sync saw it", target, got.State)
	}
	if calls := e.sim.Calls(); len(calls) != 0 {
		t.Errorf("offline report made %d calls", len(calls))
	}
	if off.Today != "2027-06-01" {
		t.Errorf("--now 2027-06-01: today is %q", off.Today)
	}
	if last, err := time.Parse(time.RFC3339, off.AsOf); !off.Offline || err != nil || time.Since(last) > time.Hour {
		t.Errorf("offline report says offline=%v as_of=%q, want offline as of the last sync", off.Offline, off.AsOf)
	}
}

// TestNowFlagIsADay: --now takes a YYYY-MM-DD day on sync, plan and
// report; anything else is a usage error that names the form.
func TestNowFlagIsADay(t *testing.T) {
	for _, cmd := range []string{"sync", "plan", "report"} {
		code, _, errOut := runCmd(t, nil, cmd, "--now", "2026-13-01")
		if code != exitUsage || !strings.Contains(errOut, "YYYY-MM-DD") {
			t.Errorf("%s --now 2026-13-01: exit %d, %q; want %d naming YYYY-MM-DD", cmd, code, errOut, exitUsage)
		}
	}
}
