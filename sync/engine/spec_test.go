package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/memory"
	"github.com/pmsync/pmsync/sync/ticket"
)

// editingTracker runs edit before its first create: a person changing
// the documents while a run creates tickets.
type editingTracker struct {
	*specRecorder
	edit func()
}

func (e *editingTracker) Create(ctx context.Context, s ticket.Spec) (ticket.Ticket, error) {
	if e.edit != nil {
		e.edit()
		e.edit = nil
	}
	return e.specRecorder.Create(ctx, s)
}

// TestContentMadeWhenCreated: a run's plan holds no ticket content (a
// first sync held one per item: 40 MB at 100,000 items); each
// ticket's content is made from its document when it is created. An item
// reworded meanwhile, or given a ticket by hand, gets no ticket from the
// stale plan: it is deferred, and the next run reads it again (one ticket
// for the new wording, none for the hand-linked item).
func TestContentMadeWhenCreated(t *testing.T) {
	dir := t.TempDir()
	writeFactorDocs(t, dir, 3, 2) // one factor and two actions each
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	rewrite := func(name, old, new string) {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("%s has no %q", name, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tr := &editingTracker{specRecorder: &specRecorder{Tracker: memory.New("gh", func() time.Time { return now })}, edit: func() {
		rewrite("pm-01.md", "| Action 0 of incident 1 |", "| Action 0 of incident 1, reworded |")
		rewrite("pm-02.md", "| Action 1 of incident 2 | TBD | 2026-12-11 | F1 | |", "| Action 1 of incident 2 | TBD | 2026-12-11 | F1 | acme/ops#999 |")
	}}
	e := dirEngine(t, dir, tr, func() time.Time { return now }, Config{OwnerID: "test", MaxCreates: map[string]int{"gh": 1000}})
	r := &run{e: e, ctx: context.Background(), work: context.Background(), res: &Result{}, now: now}
	if err := r.collect(); err != nil {
		t.Fatal(err)
	}
	r.observe()
	r.decide()
	if len(r.res.Plan.Creates) != 9 {
		t.Fatalf("plan creates %d tickets, want 9", len(r.res.Plan.Creates))
	}
	for _, c := range r.res.Plan.Creates {
		if c.Spec != nil {
			t.Fatalf("%s %s holds its ticket content before it is created", c.Doc, c.Key)
		}
	}
	r.apply()
	if r.res.Failed() || r.res.Created != 7 || r.res.Deferred != 2 {
		t.Fatalf("created %d, deferred %d, failures %v; want 7 created and the 2 edited items deferred", r.res.Created, r.res.Deferred, r.res.Failures)
	}
	for _, s := range tr.specs {
		if strings.Contains(s.Title, "Action 0 of incident 1") || s.Title == "Action 1 of incident 2" {
			t.Errorf("created %q from the plan, though the document changed it", s.Title)
		}
		if s.DocTitle == "" || s.Marker.PM == "" || (s.Kind == ticket.Action) != s.NeedsOwner || s.Kind == ticket.Action && s.Due.IsZero() {
			t.Errorf("ticket %q lacks its document's content: %+v", s.Title, s)
		}
	}
	// The next run: one ticket for the reworded item, none for the one
	// linked by hand.
	tr.specs = nil
	res, err := e.Run(context.Background())
	if err != nil || res.Failed() {
		t.Fatalf("second run: %v %v", err, res.Failures)
	}
	if res.Created != 1 || len(tr.specs) != 1 || tr.specs[0].Title != "Action 0 of incident 1, reworded" {
		t.Fatalf("second run created %d: %+v; want the reworded item's ticket", res.Created, tr.specs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "pm-02.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "acme/ops#999") || strings.Count(string(b), "acme/sre#") != 2 {
		t.Errorf("pm-02 lost its hand-made link or got a ticket for it:\n%s", b)
	}
}

// TestUnreadableDocumentFailsOnce: a document that cannot be read again
// when its tickets are created (here deleted mid-run) fails its first
// create, saying why, once; its other creates are deferred to the next
// run without another read or the same failure again.
func TestUnreadableDocumentFailsOnce(t *testing.T) {
	dir := t.TempDir()
	writeFactorDocs(t, dir, 3, 2) // three creates each
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &editingTracker{specRecorder: &specRecorder{Tracker: memory.New("gh", func() time.Time { return now })}, edit: func() {
		if err := os.Remove(filepath.Join(dir, "pm-01.md")); err != nil {
			t.Fatal(err)
		}
	}}
	e := dirEngine(t, dir, tr, func() time.Time { return now }, Config{OwnerID: "test", MaxCreates: map[string]int{"gh": 1000}})
	res, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 6 || res.Deferred != 2 || len(res.Failures) != 1 {
		t.Fatalf("created %d, deferred %d, failures %v; want 6 created, pm-01's first create failed and its other two deferred", res.Created, res.Deferred, res.Failures)
	}
	if f := res.Failures[0]; f.Doc != "pm-01.md" || f.Item == "" || !strings.Contains(f.Message, "pm-01.md") {
		t.Errorf("the failure is %+v; want pm-01.md's first create, naming the file", f)
	}
	for _, d := range res.Plan.Deferred {
		if d.Doc != "pm-01.md" || !strings.Contains(d.Reason, "could not be read") {
			t.Errorf("deferred %+v; want pm-01.md's items, saying it could not be read", d)
		}
	}
	for _, s := range tr.specs {
		if s.Marker.PM == "pm-01" {
			t.Errorf("created %q of the deleted document", s.Title)
		}
	}
}

// TestPrintedPlanHasContent: pmsync plan prints what each ticket would
// hold, so a dry run makes every create's content (fillSpecs), from the
// document as it was read.
func TestPrintedPlanHasContent(t *testing.T) {
	dir := t.TempDir()
	writeFactorDocs(t, dir, 3, 2)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	tr := &specRecorder{Tracker: memory.New("gh", func() time.Time { return now })}
	e := dirEngine(t, dir, tr, func() time.Time { return now }, Config{OwnerID: "test", DryRun: true, MaxCreates: map[string]int{"gh": 1000}})
	res, err := e.Run(context.Background())
	if err != nil || res.Failed() {
		t.Fatalf("dry run: %v %v", err, res.Failures)
	}
	if len(res.Plan.Creates) != 9 || len(tr.specs) != 0 {
		t.Fatalf("dry run plans %d creates and created %d tickets; want 9 and none", len(res.Plan.Creates), len(tr.specs))
	}
	var out strings.Builder
	res.Plan.WriteText(&out, false)
	for _, c := range res.Plan.Creates {
		s := c.Spec
		if s == nil || s.Marker.Item != c.Key || s.Target != c.Target() || s.DocTitle == "" ||
			!strings.HasPrefix(s.Title, "Action ") && s.Title != "Disk filled up" {
			t.Fatalf("create %s %s has content %+v", c.Doc, c.Key, s)
		}
		if !strings.Contains(out.String(), c.Key+"  \""+s.Title+"\"") {
			t.Errorf("the printed plan lacks %s %q:\n%s", c.Key, s.Title, out.String())
		}
	}
}
