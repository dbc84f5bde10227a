package engine

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

// reportItem finds the report's row for a ticket.
func reportItem(t *testing.T, in report.Input, ref ticket.Ref) report.Item {
	t.Helper()
	for _, it := range in.Items {
		if it.Ticket.Text == ref.Text {
			return it
		}
	}
	t.Fatalf("the report has no item with ticket %s", ref.Text)
	return report.Item{}
}

// TestReportShowsTicketClosedSinceLastSync: `pmsync report` is a dry run;
// a ticket closed after the last sync shows as done, with its close
// date, although nothing is written back.
func TestReportShowsTicketClosedSinceLastSync(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	tk := f.gh.All()[0]
	f.now = f.now.Add(time.Hour)
	closed := f.now
	f.gh.SetStatus(tk.Ref.Text, ticket.Status{State: ticket.StateDone, Done: closed})
	before := readDir(t, f.dir)
	f.now = f.now.Add(time.Hour)
	res := f.run(t, dryRun)
	it := reportItem(t, res.Report, tk.Ref)
	if it.State != ticket.StateDone || it.Done.Format(ticket.DateLayout) != closed.Format(ticket.DateLayout) {
		t.Errorf("report shows %s as %s (done %v), want done on %v", tk.Ref.Text, it.State, it.Done, closed)
	}
	if after := readDir(t, f.dir); !bytes.Equal(after, before) {
		t.Error("the report's dry run changed the documents")
	}
}

// TestReportReadsAdoptedTickets: a ticket a document links that pmsync
// did not open (no marker, no label) is read like pmsync's own: closed,
// it shows done at the next run within the one listing of its repo;
// deleted, it shows missing at the next full listing.
func TestReportReadsAdoptedTickets(t *testing.T) {
	f := newFixture(t)
	adopted := f.gh.Inject(ticket.Ticket{Title: "existing bug", Target: ticket.Target{Tracker: "gh", Repo: "acme/search"},
		Author: "someone", Status: ticket.Status{State: ticket.StateOpen}})
	link := "[" + adopted.Ref.Text + "](" + adopted.Ref.URL + ")"
	path := filepath.Join(f.dir, "2026-04-22-search-ranking-bad-deploy.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := "[acme/sre#12](https://github.com/acme/sre/issues/12)"
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s no longer links %s", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(link), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	f.run(t) // first sync: adopts it
	if it := reportItem(t, f.run(t).Report, adopted.Ref); it.State != ticket.StateOpen {
		t.Fatalf("adopted ticket shows %s, want open", it.State)
	}

	f.now = f.now.Add(time.Hour)
	f.gh.SetStatus(adopted.Ref.Text, ticket.Status{State: ticket.StateDone, Done: f.now})
	f.now = f.now.Add(time.Hour)
	n := len(f.gh.Calls())
	res := f.run(t, dryRun)
	if it := reportItem(t, res.Report, adopted.Ref); it.State != ticket.StateDone {
		t.Errorf("after it was closed, the adopted ticket shows %s, want done", it.State)
	}
	if calls := f.gh.Calls()[n:]; slices.Contains(calls, "get") {
		t.Errorf("steady run fetched tickets one by one: %v; want only listings", calls)
	}

	f.gh.Delete(adopted.Ref.Text)
	f.now = f.now.Add(25 * time.Hour) // past the daily full listing
	res = f.run(t, dryRun)
	if it := reportItem(t, res.Report, adopted.Ref); it.State != ticket.StateMissing {
		t.Errorf("after it was deleted, the adopted ticket shows %s, want missing", it.State)
	}
}

// readDir is every file of dir, concatenated in name order.
func readDir(t *testing.T, dir string) []byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(append(all, n...), b...)
	}
	return all
}

// TestNowSetsTheDay: with Config.Today (--now), due dates are evaluated
// as of that day: a plan dated before every due date would write back
// the overdue items as no longer overdue, and the report's today is that
// day; without it, the steady plan is empty.
func TestNowSetsTheDay(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	f.now = f.now.Add(time.Hour)
	if res := f.run(t, dryRun); len(res.Plan.WriteBacks) != 0 {
		t.Fatalf("steady plan writes back %d items", len(res.Plan.WriteBacks))
	}
	early := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	res := f.run(t, dryRun, func(e *Engine) { e.Config.Today = early })
	if len(res.Plan.WriteBacks) == 0 {
		t.Fatal("as of 2020-01-01 no overdue mark would change; want every overdue item no longer overdue")
	}
	for _, wb := range res.Plan.WriteBacks {
		if wb.Status.Overdue {
			t.Errorf("%s %s: overdue as of 2020-01-01", wb.Doc, wb.Key)
		}
	}
	if !res.Report.Now.Equal(early) {
		t.Errorf("report's now %v, want %v", res.Report.Now, early)
	}
}
