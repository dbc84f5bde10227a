package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/memory"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// TestCreatesLetGoOfTheirDocuments: once the creates are done with a
// document, its links are in the report's items and the document holds
// no update for them (a first sync held one per created ticket to its
// end, 18.5 MB at 100,000 items). The documents, the report and the
// factor links of new action tickets are as before.
func TestCreatesLetGoOfTheirDocuments(t *testing.T) {
	dir := t.TempDir()
	const docs = 40
	writeFactorDocs(t, dir, docs, 3)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &specRecorder{Tracker: memory.New("gh", func() time.Time { return now })}
	e := dirEngine(t, dir, tr, func() time.Time { return now }, Config{OwnerID: "test", MaxCreates: map[string]int{"gh": 1000}})
	r := &run{e: e, ctx: context.Background(), work: context.Background(), res: &Result{}, now: now}
	if err := r.collect(); err != nil {
		t.Fatal(err)
	}
	r.observe()
	r.decide()
	r.apply()
	if r.res.Created != 4*docs || r.res.Failed() {
		t.Fatalf("created %d tickets, want %d; failures %v", r.res.Created, 4*docs, r.res.Failures)
	}
	holding := 0
	for _, ds := range r.docs {
		if len(ds.updates) > 0 || ds.doc != nil {
			holding++
		}
	}
	if holding > 0 {
		t.Errorf("%d of %d documents still hold their parsed form or updates after the creates", holding, docs)
	}
	r.settleReport()
	for _, it := range r.res.Report.Items {
		if it.Ticket.IsZero() || it.State != ticket.StateOpen {
			t.Errorf("report: %s %s has ticket %q, state %v; want its new open ticket", it.DocID, it.Key, it.Ticket.Text, it.State)
		}
	}
	// Each document links its four tickets, and each action's ticket names
	// its factor's.
	for d := range docs {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("pm-%02d.md", d)))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), "acme/sre#"); n != 4 {
			t.Errorf("pm-%02d links %d tickets, want 4:\n%s", d, n, b)
		}
	}
	factorLinked := 0
	for _, sp := range tr.specs {
		if sp.Kind == ticket.Action && len(sp.Factors) == 1 && strings.HasPrefix(sp.Factors[0].Text, "acme/sre#") {
			factorLinked++
		}
	}
	if factorLinked != 3*docs {
		t.Errorf("%d action tickets name their factor's ticket, want %d", factorLinked, 3*docs)
	}
}

// writeFactorDocs writes docs postmortems, each with one factor and
// actions action items that address it, none linked.
func writeFactorDocs(t *testing.T, dir string, docs, actions int) {
	t.Helper()
	for d := range docs {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\nid: pm-%02d\nstatus: final\ndate: 2026-06-01\n---\n# Incident %d\n\n", d, d)
		sb.WriteString("## Contributing factors\n\n| ID | Factor | Ticket |\n|---|---|---|\n| F1 | Disk filled up | |\n\n")
		sb.WriteString("## Action items\n\n| Action | Owner | Due | Factor | Ticket | Status |\n|---|---|---|---|---|---|\n")
		for i := range actions {
			fmt.Fprintf(&sb, "| Action %d of incident %d | TBD | 2026-12-%02d | F1 | | |\n", i, d, 10+i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pm-%02d.md", d)), []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNewActionNamesAFactorTicketJustAdopted: a run that adopts a
// factor's ticket (the document lost its link) and opens a new action's
// ticket in the same document names the adopted ticket in the new one,
// though the document was written and let go in between.
func TestNewActionNamesAFactorTicketJustAdopted(t *testing.T) {
	dir := t.TempDir()
	const docs = 5
	writeFactorDocs(t, dir, docs, 1)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &specRecorder{Tracker: memory.New("gh", func() time.Time { return now })}
	e := dirEngine(t, dir, tr, func() time.Time { return now }, Config{OwnerID: "test"})
	if res, err := e.Run(context.Background()); err != nil || res.Created != 2*docs {
		t.Fatalf("first run: %v, %d created", err, res.Created)
	}
	factorKey := map[string]string{} // document id → its factor's key
	for _, sp := range tr.specs {
		if sp.Kind == ticket.Factor {
			factorKey[sp.Marker.PM] = sp.Marker.Item
		}
	}
	factors := map[string]string{} // document id → its factor's ticket
	for _, tk := range tr.All() {
		if factorKey[tk.Marker.PM] == tk.Marker.Item {
			factors[tk.Marker.PM] = tk.Ref.Text
		}
	}
	// The links are lost (a restored copy) and an action is added.
	writeFactorDocs(t, dir, docs, 2)
	tr.specs = nil
	now = now.Add(time.Hour)
	res, err := e.Run(context.Background())
	if err != nil || res.Created != docs {
		t.Fatalf("second run: %v, %d created, failures %v", err, res.Created, res.Failures)
	}
	for _, sp := range tr.specs {
		want := factors[sp.Marker.PM]
		if want == "" || len(sp.Factors) != 1 || sp.Factors[0].Text != want {
			t.Errorf("%s %s names factor tickets %v, want %s", sp.Marker.PM, sp.Marker.Item, sp.Factors, want)
		}
	}
}

// racingTracker opens, for the items of one document, a ticket of
// another run just before each of this run's: two runs creating the same
// tickets at the same moment.
type racingTracker struct {
	trackers.Tracker
	pm string
}

func (r *racingTracker) Create(ctx context.Context, spec ticket.Spec) (ticket.Ticket, error) {
	if spec.Marker.PM == r.pm {
		if _, err := r.Tracker.Create(ctx, spec); err != nil {
			return ticket.Ticket{}, err
		}
	}
	return r.Tracker.Create(ctx, spec)
}

// TestRaceSettledInTheSameRun: another run opened the same tickets a
// moment earlier. Once the creates are done (and the documents have let
// go of their updates), the re-listing finds both tickets of each item,
// links the older one and closes this run's: one open ticket per item,
// linked, and the report says so.
func TestRaceSettledInTheSameRun(t *testing.T) {
	dir := t.TempDir()
	const docs = 6
	writeFactorDocs(t, dir, docs, 3)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	mem := memory.New("gh", func() time.Time { return now })
	e := dirEngine(t, dir, &racingTracker{Tracker: mem, pm: "pm-03"}, func() time.Time { return now }, Config{OwnerID: "test"})
	res, err := e.Run(context.Background())
	if err != nil || res.Failed() {
		t.Fatalf("run: %v %v", err, res.Failures)
	}
	if res.Closed != 4 {
		t.Errorf("closed %d duplicates, want the 4 of pm-03", res.Closed)
	}
	open := map[string][]string{} // item → its open tickets
	for _, tk := range mem.All() {
		if tk.Status.State == ticket.StateOpen {
			open[tk.Marker.PM+"/"+tk.Marker.Item] = append(open[tk.Marker.PM+"/"+tk.Marker.Item], tk.Ref.Text)
		}
	}
	if len(open) != 4*docs {
		t.Errorf("%d items have an open ticket, want %d", len(open), 4*docs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pm-03.md"))
	if err != nil {
		t.Fatal(err)
	}
	for item, refs := range open {
		if len(refs) != 1 {
			t.Errorf("%s has open tickets %v, want one", item, refs)
		} else if strings.HasPrefix(item, "pm-03/") && !strings.Contains(string(b), refs[0]+"]") {
			t.Errorf("pm-03 does not link %s, the older ticket of %s:\n%s", refs[0], item, b)
		}
	}
	for _, it := range res.Report.Items {
		if want := open[it.DocID+"/"+it.Key]; len(want) != 1 || it.Ticket.Text != want[0] {
			t.Errorf("report: %s/%s links %q, want %v", it.DocID, it.Key, it.Ticket.Text, want)
		}
	}
}

// dirEngine is an engine over the postmortems in dir, every item
// routed to tr's acme/sre.
func dirEngine(t *testing.T, dir string, tr trackers.Tracker, now func() time.Time, cfg Config) *Engine {
	t.Helper()
	src, err := source.OpenDir(dir, source.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return &Engine{
		Source: src, Parser: postmortem.NewParser(postmortem.Options{}),
		Router:   &route.Router{Rules: []route.Rule{{Tracker: "gh"}}, Trackers: map[string]route.Tracker{"gh": {Type: "github", Repo: "acme/sre"}}},
		Trackers: map[string]trackers.Tracker{"gh": tr}, Now: now, Config: cfg,
	}
}
