package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/memory"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var testNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

type fixture struct {
	dir      string
	src      *source.Dir
	gh, jira *memory.Tracker
	now      time.Time
}

// newFixture copies the example postmortems into a temp folder, with
// in-memory trackers "gh" and "jira" routed as in testdata/pmsync.yaml.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	examples, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "postmortems", "*.md"))
	if len(examples) < 7 {
		t.Fatalf("examples not found: %v", examples)
	}
	for _, f := range examples {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src, err := source.OpenDir(dir, source.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	f := &fixture{dir: dir, src: src, now: testNow}
	f.gh = memory.New("gh", func() time.Time { return f.now })
	f.jira = memory.New("jira", func() time.Time { return f.now })
	return f
}

func (f *fixture) engine(mod ...func(*Engine)) *Engine {
	dir := postmortem.Directory{
		People: map[string]postmortem.Person{
			"alice": {Key: "alice", Email: "alice@acme.example", GitHub: "alice-gh", Jira: "5b10ac8d82e05b22cc7d4ef5"},
			"bob":   {Key: "bob", Email: "bob@acme.example", GitHub: "bob-gh", Jira: "5b10ac8d82e05b22cc7d4ef6"},
			"carol": {Key: "carol", Email: "carol@acme.example", GitHub: "carol-gh", Jira: "5b10ac8d82e05b22cc7d4ef7"},
			"dave":  {Key: "dave", Email: "dave@acme.example", GitHub: "dave-gh", Jira: "5b10ac8d82e05b22cc7d4ef8"},
		},
		Teams: map[string]postmortem.Team{"payments": {Key: "payments", Jira: "PAY"}, "platform": {Key: "platform", GitHub: "acme/platform"}},
	}
	e := &Engine{
		Source: f.src,
		Parser: postmortem.NewParser(postmortem.Options{
			Directory: dir,
			Horizons:  map[string]postmortem.Span{"short-term": {Days: 14}, "medium-term": {Days: 56}, "long-term": {Days: 180}},
			DueAfter:  map[string]postmortem.Span{"P0": {Days: 14}, "P1": {Days: 28}, "default": {Days: 56}},
		}),
		Router: &route.Router{
			Rules: []route.Rule{
				{Team: "payments", Tracker: "jira", Project: "PAY"},
				{Team: "platform", Tracker: "gh", Repo: "acme/platform"},
				{Tracker: "gh"},
			},
			Trackers: map[string]route.Tracker{"gh": {Type: "github", Repo: "acme/sre"}, "jira": {Type: "jira", Project: "OPS"}},
			Teams:    dir.Teams,
		},
		Directory: dir,
		Trackers:  map[string]trackers.Tracker{"gh": f.gh, "jira": f.jira},
		Config:    Config{OwnerID: "test-owner"},
		Now:       func() time.Time { return f.now },
	}
	for _, m := range mod {
		m(e)
	}
	return e
}

func (f *fixture) run(t *testing.T, mod ...func(*Engine)) *Result {
	t.Helper()
	res, err := f.engine(mod...).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) all() []ticket.Ticket { return append(f.gh.All(), f.jira.All()...) }

// parsedItems parses every document and returns its items by key.
func (f *fixture) parsedItems(t *testing.T) map[string]*postmortem.Item {
	t.Helper()
	p := postmortem.NewParser(postmortem.Options{})
	out := map[string]*postmortem.Item{}
	names, _ := f.src.List(context.Background())
	for _, n := range names {
		b, _ := f.src.Read(context.Background(), n)
		d, err := p.Parse(n, b)
		if err != nil {
			t.Fatalf("%s no longer parses: %v", n, err)
		}
		for _, it := range d.Items() {
			out[d.ID+" "+it.Key] = it
		}
	}
	return out
}

// assertOneTicketPerItem: every open item of a finalized document has
// exactly one open ticket, and the document links it.
func assertOneTicketPerItem(t *testing.T, f *fixture) {
	t.Helper()
	byItem := map[string][]ticket.Ticket{}
	for _, tk := range f.all() {
		if tk.Status.State == ticket.StateWontDo {
			continue // closed duplicates
		}
		byItem[tk.Marker.PM+" "+tk.Marker.Item] = append(byItem[tk.Marker.PM+" "+tk.Marker.Item], tk)
	}
	for k, ts := range byItem {
		if len(ts) != 1 {
			t.Errorf("item %s has %d tickets", k, len(ts))
		}
	}
	items := f.parsedItems(t)
	for k, ts := range byItem {
		it, ok := items[k]
		if !ok {
			t.Errorf("ticket %s for an item no document has", k)
			continue
		}
		if it.Ticket != ts[0].Ref {
			t.Errorf("item %s links %+v, want %+v", k, it.Ticket, ts[0].Ref)
		}
	}
}

func TestSyncCreatesThenSteadyState(t *testing.T) {
	f := newFixture(t)
	res := f.run(t)
	if res.Failed() {
		t.Fatalf("failures: %v", res.Failures)
	}
	if res.Created == 0 || res.Created != len(f.all()) {
		t.Fatalf("created %d, tickets %d", res.Created, len(f.all()))
	}
	assertOneTicketPerItem(t, f)
	// Routing: payments items in Jira project PAY, platform in acme/platform.
	for _, tk := range f.jira.All() {
		if tk.Target.Project != "PAY" {
			t.Errorf("jira ticket %s in %s", tk.Ref.Text, tk.Target)
		}
	}
	// The draft is not synced.
	for _, tk := range f.all() {
		if strings.Contains(tk.Marker.PM, "image-cdn") {
			t.Errorf("ticket for the draft: %s", tk.Ref.Text)
		}
	}
	// Second run: nothing created, nothing rewritten, one list call per target.
	before := map[string][]byte{}
	names, _ := f.src.List(context.Background())
	for _, n := range names {
		before[n], _ = f.src.Read(context.Background(), n)
	}
	f.now = f.now.Add(time.Hour)
	callsBefore := len(f.gh.Calls()) + len(f.jira.Calls())
	res = f.run(t)
	if res.Created != 0 || len(res.Written) != 0 || res.Failed() {
		t.Fatalf("second run: created %d, wrote %v, failures %v", res.Created, res.Written, res.Failures)
	}
	for _, n := range names {
		b, _ := f.src.Read(context.Background(), n)
		if string(b) != string(before[n]) {
			t.Errorf("%s changed on the second run", n)
		}
	}
	calls := len(f.gh.Calls()) + len(f.jira.Calls()) - callsBefore
	targets := map[ticket.Target]bool{}
	for _, tk := range f.all() {
		targets[tk.Target] = true
	}
	if calls != len(targets) {
		t.Errorf("steady state made %d calls, want %d (one list per target)", calls, len(targets))
	}
}

// TestSyncWritesStatusBack: the tracker's statuses reach the documents.
// The plan's write-backs are let go once they are in the documents
// (they were held to the end of the run) unless the caller prints the
// plan (KeepPlan); the counts stay.
func TestSyncWritesStatusBack(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("keep-plan=%v", keep), func(t *testing.T) {
			f := newFixture(t)
			f.run(t)
			all := f.gh.All()
			done, wont, gone := all[0], all[1], all[2]
			f.now = f.now.Add(24 * time.Hour)
			f.gh.SetStatus(done.Ref.Text, ticket.Status{State: ticket.StateDone, Done: f.now})
			f.gh.SetStatus(wont.Ref.Text, ticket.Status{State: ticket.StateWontDo})
			f.gh.Delete(gone.Ref.Text)
			f.now = f.now.Add(time.Hour)
			// Deleted tickets vanish from listings; the daily full refresh notices.
			res := f.run(t, func(e *Engine) { e.Config.FullRefresh, e.Config.KeepPlan = time.Minute, keep })
			if res.Failed() || res.Created != 0 {
				t.Fatalf("failures %v created %d", res.Failures, res.Created)
			}
			if res.Updated != 3 {
				t.Errorf("%d updated, want 3", res.Updated)
			}
			if kept := len(res.Plan.WriteBacks); keep && kept != 3 || !keep && res.Plan.WriteBacks != nil {
				t.Errorf("the result holds %d write-backs with KeepPlan %v", kept, keep)
			}
			items := f.parsedItems(t)
			want := map[string]string{done.Ref.Text: "Done 2026-11-26", wont.Ref.Text: "Won't do", gone.Ref.Text: "Missing"}
			for _, it := range items {
				if w, ok := want[it.Ticket.Text]; ok {
					if got := it.Status.String(); got != w {
						t.Errorf("%s: status %q, want %q", it.Ticket.Text, got, w)
					}
					delete(want, it.Ticket.Text)
				}
			}
			if len(want) != 0 {
				t.Errorf("not written back: %v", want)
			}
		})
	}
}

func TestSyncAdoptsAfterCrashAndClosesDuplicates(t *testing.T) {
	f := newFixture(t)
	if res, err := f.engine().Run(context.Background()); err != nil || res.Created == 0 {
		t.Fatalf("first run: %v, %+v", err, res)
	}
	// Simulate a crash between create and write-back: restore a document
	// to its original bytes; its tickets exist, its links do not.
	orig, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "postmortems", "2026-03-04-order-events-queue-backlog.md"))
	p := filepath.Join(f.dir, "2026-03-04-order-events-queue-backlog.md")
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	// And a second run that raced: one more ticket for an item, newer.
	var victim ticket.Ticket
	for _, tk := range f.gh.All() {
		if strings.Contains(tk.Marker.PM, "order-events") {
			victim = tk
			break
		}
	}
	f.now = f.now.Add(time.Minute)
	dup := victim
	dup.Created = time.Time{}
	f.gh.Inject(dup)
	n := len(f.all())
	res := f.run(t, func(e *Engine) { e.Config.FullRefresh = time.Nanosecond })
	if res.Created != 0 || res.Adopted == 0 || res.Closed != 1 {
		t.Fatalf("created %d adopted %d closed %d failures %v", res.Created, res.Adopted, res.Closed, res.Failures)
	}
	if len(f.all()) != n {
		t.Fatalf("ticket count changed: %d -> %d", n, len(f.all()))
	}
	assertOneTicketPerItem(t, f)
}

func TestSyncBudgetDefersTheRest(t *testing.T) {
	f := newFixture(t)
	res := f.run(t, func(e *Engine) { e.Config.MaxCreates = map[string]int{"gh": 3, "jira": 2} })
	if res.Created != 5 || res.Deferred == 0 || res.Failed() {
		t.Fatalf("created %d deferred %d failures %v", res.Created, res.Deferred, res.Failures)
	}
	for i := 0; i < 20 && res.Deferred > 0; i++ {
		f.now = f.now.Add(time.Hour)
		res = f.run(t, func(e *Engine) { e.Config.MaxCreates = map[string]int{"gh": 3, "jira": 2} })
	}
	if res.Deferred != 0 {
		t.Fatal("budgeted runs did not converge")
	}
	assertOneTicketPerItem(t, f)
}

func TestSyncListFailureCreatesNothingThere(t *testing.T) {
	f := newFixture(t)
	f.jira.Fail = func(op string) error {
		if op == "find" {
			return errors.New("503 from jira")
		}
		return nil
	}
	res := f.run(t)
	if len(f.jira.All()) != 0 || len(f.gh.All()) == 0 || !res.Failed() {
		t.Fatalf("jira tickets %d, gh %d, failed %v", len(f.jira.All()), len(f.gh.All()), res.Failed())
	}
}

func TestSyncDryRunChangesNothing(t *testing.T) {
	f := newFixture(t)
	res := f.run(t, func(e *Engine) { e.Config.DryRun = true })
	if len(res.Plan.Creates) == 0 || len(f.all()) != 0 || len(res.Written) != 0 {
		t.Fatalf("dry run: plan %d creates, %d tickets, wrote %v", len(res.Plan.Creates), len(f.all()), res.Written)
	}
	if _, err := f.src.ReadFile(context.Background(), StatePath); err == nil {
		t.Fatal("dry run wrote the state file")
	}
}

// TestSyncInterruptedAtEveryCreate: a run stopped after k creates leaves
// parseable documents, and the next run ends with one ticket per item.
func TestSyncInterruptedAtEveryCreate(t *testing.T) {
	total := len(newFixtureRun(t).all())
	for _, i := range testkit.Indices(t, total+1, 8) {
		k := i - 1 // 0: interrupted before the first create
		f := newFixture(t)
		ctx, cancel := context.WithCancel(context.Background())
		created := 0
		f.gh.Fail = func(op string) error {
			if op == "create" {
				created++
				if created == k {
					cancel()
				}
			}
			return nil
		}
		f.jira.Fail = f.gh.Fail
		res, err := f.engine().Run(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if k > 0 && k < total && !res.Interrupted {
			t.Fatalf("k=%d: not interrupted", k)
		}
		f.gh.Fail, f.jira.Fail = nil, nil
		f.now = f.now.Add(time.Minute)
		res = f.run(t)
		if res.Failed() {
			t.Fatalf("k=%d: rerun failures %v", k, res.Failures)
		}
		if len(f.all()) != total {
			t.Fatalf("k=%d: %d tickets, want %d", k, len(f.all()), total)
		}
		assertOneTicketPerItem(t, f)
	}
}

func newFixtureRun(t *testing.T) *fixture {
	f := newFixture(t)
	f.run(t)
	return f
}

// unlocked hides the folder's lock, as two pods syncing one git
// repository would not share it.
type unlocked struct{ source.Source }

func TestOverlappingRuns(t *testing.T) {
	for _, tc := range []struct {
		name string
		lock bool
	}{{"same folder, locked", true}, {"no shared lock", false}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			errs := make(chan error, 2)
			for i := 0; i < 2; i++ {
				go func() {
					_, err := f.engine(func(e *Engine) {
						if !tc.lock {
							e.Source = unlocked{f.src}
						}
					}).Run(context.Background())
					errs <- err
				}()
			}
			for i := 0; i < 2; i++ {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			if !tc.lock {
				// Without a shared lock, the runs settle within one more run.
				f.now = f.now.Add(time.Minute)
				f.run(t, func(e *Engine) { e.Config.FullRefresh = time.Nanosecond })
			}
			assertOneTicketPerItem(t, f)
		})
	}
}

// TestReportInput: the run hands the report every in-scope item with its
// ticket's state, creation time and owner account, also in steady runs
// that list nothing (the facts are kept in the state file).
func TestReportInput(t *testing.T) {
	f := newFixture(t)
	res := f.run(t)
	if len(res.Report.Docs) != res.InScope || len(res.Report.Items) == 0 {
		t.Fatalf("report input: %d docs (in scope %d), %d items", len(res.Report.Docs), res.InScope, len(res.Report.Items))
	}
	created := f.now
	done := f.gh.All()[0]
	f.now = f.now.Add(48 * time.Hour)
	f.gh.SetStatus(done.Ref.Text, ticket.Status{State: ticket.StateDone, Done: f.now})
	f.run(t) // observes the change
	f.now = f.now.Add(time.Hour)
	res = f.run(t) // steady: lists nothing new
	var withTicket, sawDone, accounts int
	for _, it := range res.Report.Items {
		if it.Ticket.IsZero() {
			continue
		}
		withTicket++
		if it.Ticket.Text != "acme/sre#12" && !it.Created.Equal(created) {
			t.Errorf("%s: created %v, want %v", it.Ticket.Text, it.Created, created)
		}
		if it.Ticket == done.Ref {
			sawDone++
			if it.State != ticket.StateDone || it.Done.Format("2006-01-02") != "2026-11-27" {
				t.Errorf("done ticket: %s %v", it.State, it.Done)
			}
		}
		if it.OwnerAccount != "" {
			accounts++
		}
	}
	if withTicket == 0 || sawDone != 1 || accounts == 0 {
		t.Fatalf("items with tickets %d, done seen %d, owner accounts %d", withTicket, sawDone, accounts)
	}
}

func TestProgress(t *testing.T) {
	f := newFixture(t)
	var calls [][2]int
	res := f.run(t, func(e *Engine) { e.Progress = func(d, n int) { calls = append(calls, [2]int{d, n}) } })
	if len(calls) != res.Created+1 || calls[0] != [2]int{0, res.Created} || calls[len(calls)-1] != [2]int{res.Created, res.Created} {
		t.Fatalf("progress calls %v for %d creates", calls, res.Created)
	}
}

// specRecorder is a tracker that remembers what each created ticket was
// to hold.
type specRecorder struct {
	*memory.Tracker
	specs []ticket.Spec
}

func (s *specRecorder) Create(ctx context.Context, spec ticket.Spec) (ticket.Ticket, error) {
	s.specs = append(s.specs, spec)
	return s.Tracker.Create(ctx, spec)
}

// TestNewActionNamesItsFactorsTickets: an action item added to a
// postmortem after its factors were ticketed gets a ticket that names
// the factor's ticket, which only the document says (this run changes
// nothing about the factor).
func TestNewActionNamesItsFactorsTickets(t *testing.T) {
	dir := t.TempDir()
	doc := "---\nid: pm-f\nstatus: final\ndate: 2026-06-01\n---\n# Queue outage\n\n## Contributing factors\n\n- Too few replicas\n- Alert on the wrong queue\n\n## Action items\n\n| Action | Owner | Due | Factor |\n|---|---|---|---|\n"
	write := func(s string) {
		if err := os.WriteFile(filepath.Join(dir, "pm-f.md"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(doc + "| Page the owner | @alice | 2099-01-01 | Alert on the wrong queue |\n")
	src, err := source.OpenDir(dir, source.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	gh := &specRecorder{Tracker: memory.New("gh", func() time.Time { return testNow })}
	e := &Engine{
		Source: src, Parser: postmortem.NewParser(postmortem.Options{}),
		Router:   &route.Router{Rules: []route.Rule{{Tracker: "gh"}}, Trackers: map[string]route.Tracker{"gh": {Type: "github", Repo: "acme/sre"}}},
		Trackers: map[string]trackers.Tracker{"gh": gh}, Now: func() time.Time { return testNow },
		Config: Config{OwnerID: "test-owner"},
	}
	if res, err := e.Run(context.Background()); err != nil || res.Created != 3 {
		t.Fatalf("first run: %v, created %d, failures %v", err, res.Created, res.Failures)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pm-f.md"))
	if err != nil {
		t.Fatal(err)
	}
	replicas := regexp.MustCompile(`Too few replicas.*?(acme/sre#\d+)`).FindStringSubmatch(string(b))
	if replicas == nil {
		t.Fatalf("the factor's ticket is not written back:\n%s", b)
	}
	write(string(b) + "| Add a replica | @bob | 2099-02-01 | Too few replicas |\n")
	gh.specs = nil
	if res, err := e.Run(context.Background()); err != nil || res.Created != 1 || len(gh.specs) != 1 {
		t.Fatalf("second run: %v, created %d, failures %v", err, res.Created, res.Failures)
	}
	var refs []string
	for _, r := range gh.specs[0].Factors {
		refs = append(refs, r.Text)
	}
	if len(refs) != 1 || refs[0] != replicas[1] {
		t.Errorf("the new action's ticket names factors %q, want [%s] (the factor's ticket, as the document names it)", refs, replicas[1])
	}
}

// TestCreateFailureNamesItsLine: a ticket that could not be created is
// reported at its item's line, which the user opens to check the item.
func TestCreateFailureNamesItsLine(t *testing.T) {
	f := newFixture(t)
	f.jira.Fail = func(op string) error {
		if op == "create" {
			return errors.New("400 from jira: field customfield_10020 is required")
		}
		return nil
	}
	lines := map[string]int{} // path and key → line
	p := postmortem.NewParser(postmortem.Options{})
	names, _ := f.src.List(context.Background())
	for _, n := range names {
		b, _ := f.src.Read(context.Background(), n)
		d, err := p.Parse(n, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range d.Items() {
			lines[n+" "+it.Key] = it.Line
		}
	}
	res := f.run(t)
	n := 0
	for _, fl := range res.Failures {
		if !strings.Contains(fl.Message, "create ticket in") {
			continue
		}
		n++
		if want := lines[fl.Doc+" "+fl.Item]; fl.Line != want || want == 0 {
			t.Errorf("%s item %s: failure at line %d, the item is at line %d", fl.Doc, fl.Item, fl.Line, want)
		}
	}
	if n == 0 {
		t.Fatalf("no create failure reported: %+v", res.Failures)
	}
}

// TestCreatedTicketLinksItsDocument: with web_url set, every new ticket
// links its own postmortem's page (the URL is built once per document
// and shared by its items).
func TestCreatedTicketLinksItsDocument(t *testing.T) {
	f := newFixture(t)
	gh, jira := &specRecorder{Tracker: f.gh}, &specRecorder{Tracker: f.jira}
	res := f.run(t, func(e *Engine) {
		e.Config.WebURL = "https://git.example/acme/postmortems/blob/main/"
		e.Trackers = map[string]trackers.Tracker{"gh": gh, "jira": jira}
	})
	specs := append(gh.specs, jira.specs...)
	if len(specs) == 0 || len(specs) != res.Created {
		t.Fatalf("%d specs for %d created", len(specs), res.Created)
	}
	docs := map[string]bool{}
	for _, s := range specs {
		docs[s.DocURL] = true
		if !strings.HasPrefix(s.DocURL, "https://git.example/acme/postmortems/blob/main/") || !strings.HasSuffix(s.DocURL, ".md") ||
			!strings.Contains(s.DocURL, s.Marker.PM) {
			t.Errorf("%s/%s: DocURL %q is not its postmortem's page", s.Marker.PM, s.Marker.Item, s.DocURL)
		}
	}
	if len(docs) < 2 {
		t.Errorf("every ticket links the same page: %v", docs)
	}
}

// TestCreatedContentLetGo: a sync's plan holds no ticket content after
// the run (on a first sync it was the largest part of the live heap;
// each is made when its ticket is created), unless the caller prints
// the plan (KeepPlan).
func TestCreatedContentLetGo(t *testing.T) {
	for _, keep := range []bool{false, true} {
		f := newFixture(t)
		res := f.run(t, func(e *Engine) { e.Config.KeepPlan = keep })
		if res.Created == 0 || len(res.Plan.Creates) != res.Created {
			t.Fatalf("keep %v: created %d of %d creates", keep, res.Created, len(res.Plan.Creates))
		}
		for _, c := range res.Plan.Creates {
			if (c.Spec != nil) != keep {
				t.Fatalf("keep %v: %s still holds %v", keep, c.Doc, c.Spec)
			}
		}
		assertOneTicketPerItem(t, f)
	}
}
