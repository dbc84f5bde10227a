package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// TestUnknownAuthorHoldsCreation: a marked ticket whose creator cannot
// be read (a Jira creator hidden from pmsync's account) may be pmsync's
// own. Before, it was called an impostor and a second ticket was opened;
// after kill storms one item per deployment kept two live tickets. Now
// nothing is created for that item, and the run says why.
func TestUnknownAuthorHoldsCreation(t *testing.T) {
	f := newFixture(t)
	imp, c := impostorFor(t, f, "someone")
	f.gh.Edit(imp.Ref.Text, func(t *ticket.Ticket) { t.Author = "" })
	res := f.run(t)
	for _, tk := range f.gh.All() {
		if tk.Marker == c.Spec.Marker && tk.Ref != imp.Ref {
			t.Fatalf("a second ticket %s was opened for %s", tk.Ref.Text, c.Spec.Marker.Item)
		}
	}
	var said bool
	for _, fl := range res.Failures {
		said = said || fl.Item == c.Spec.Marker.Item && strings.Contains(fl.Message, "creator cannot be read") && fl.Line > 0
	}
	if !said {
		t.Fatalf("no failure names the held item: %v", res.Failures)
	}
	if len(res.Impostors) != 0 {
		t.Fatalf("an unknown author is not an impostor: %+v", res.Impostors)
	}
	if res.Created == 0 {
		t.Fatal("the other items got no tickets")
	}
	// Once the creator can be read (pmsync's own), it is adopted.
	f.gh.Edit(imp.Ref.Text, func(t *ticket.Ticket) { t.Author = "pmsync" })
	f.now = f.now.Add(time.Hour)
	res = f.run(t)
	if res.Adopted != 1 || res.Failed() {
		t.Fatalf("adopted %d, failures %v", res.Adopted, res.Failures)
	}
	assertOneTicketPerItem(t, f)
}

// TestCopiesConverge: the same folder synced from two places with
// different owner ids (two checkouts, two pods). Before, every item got
// two live tickets that never reconciled, each run calling the other's
// "foreign". Now each copy takes the other's tickets (opened by the same
// tracker account) as its own, and both settle on the oldest per item.
func TestCopiesConverge(t *testing.T) {
	a := newFixture(t)
	b := newFixture(t)
	b.gh, b.jira = a.gh, a.jira
	runA := func() *Result { return a.run(t, func(e *Engine) { e.Config.OwnerID = "dir:aaaa" }) }
	runB := func() *Result { return b.run(t, func(e *Engine) { e.Config.OwnerID = "dir:bbbb" }) }
	runA()
	runB() // B, unaware of A's links, may create its own
	for range 3 {
		a.now, b.now = a.now.Add(25*time.Hour), b.now.Add(25*time.Hour) // the daily full listing
		runA()
		runB()
	}
	open := map[string][]string{}
	for _, tk := range append(a.gh.All(), a.jira.All()...) {
		if tk.Status.State == ticket.StateOpen || tk.Status.State == ticket.StateInProgress {
			k := tk.Marker.PM + " " + tk.Marker.Item
			open[k] = append(open[k], tk.Ref.Text)
		}
	}
	for k, refs := range open {
		if len(refs) != 1 {
			t.Errorf("item %s has %d open tickets: %v", k, len(refs), refs)
		}
	}
	ia, ib := a.parsedItems(t), b.parsedItems(t)
	for k, it := range ia {
		if other := ib[k]; other == nil || other.Ticket != it.Ticket {
			t.Errorf("item %s: copy A links %q, copy B links %+v", k, it.Ticket.Text, other)
		}
	}
	if len(open) == 0 {
		t.Fatal("no tickets")
	}
}

// TestRePointedMarkerIgnored: someone who can edit the body of one of
// pmsync's tickets re-points its marker at another item. Before, the
// edited (older) ticket became that item's "oldest duplicate" and the
// item's real ticket was closed. Now the marker is ignored, nothing is
// closed, and the run names the ticket.
func TestRePointedMarkerIgnored(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	var first, second ticket.Ticket
	for _, tk := range f.gh.All() {
		if tk.Target.Repo != "acme/sre" {
			continue
		}
		switch {
		case first.Ref.IsZero():
			first = tk
		case second.Ref.IsZero() && tk.Marker.PM == first.Marker.PM:
			second = tk
		}
	}
	if second.Ref.IsZero() {
		t.Fatal("need two tickets of one document in acme/sre")
	}
	before := snapshot(t, f.dir)
	f.gh.Edit(first.Ref.Text, func(t *ticket.Ticket) { t.Marker = second.Marker })
	f.now = f.now.Add(25 * time.Hour) // a full listing shows both
	res := f.run(t)
	if res.Closed != 0 {
		t.Fatalf("%d tickets closed", res.Closed)
	}
	for _, tk := range f.gh.All() {
		if tk.Status.State == ticket.StateWontDo {
			t.Fatalf("%s was closed", tk.Ref.Text)
		}
	}
	said := false
	for _, fl := range res.Failures {
		said = said || strings.Contains(fl.Message, "marker of "+first.Ref.Text+" was changed")
	}
	if !said {
		t.Fatalf("the edited marker is not reported: %v", res.Failures)
	}
	if after := snapshot(t, f.dir); after != before {
		t.Fatal("documents changed")
	}
}

// snapshot is every document of dir, concatenated.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	for _, p := range files {
		s, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(p + "\n" + string(s))
	}
	return b.String()
}

// TestForgedStateIgnored: .pmsync/state.json is advisory (in git mode a
// pull request can change it). A full_at or since in the future used to
// turn the daily full listing, or any listing, off for good; now such a
// target is listed in full, and a status changed in the tracker still
// reaches the document.
func TestForgedStateIgnored(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	p := filepath.Join(f.dir, ".pmsync", "state.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	forged := regexp.MustCompile(`"(since|full_at)": "[^"]*"`).ReplaceAll(b, []byte(`"$1": "2100-01-01T00:00:00Z"`))
	if err := os.WriteFile(p, forged, 0o644); err != nil {
		t.Fatal(err)
	}
	var done ticket.Ticket
	for _, tk := range f.gh.All() {
		done = tk
		break
	}
	f.now = f.now.Add(time.Hour)
	f.gh.SetStatus(done.Ref.Text, ticket.Status{State: ticket.StateDone, Done: f.now})
	f.now = f.now.Add(time.Minute)
	f.run(t)
	for _, it := range f.parsedItems(t) {
		if it.Ticket == done.Ref && it.Status.State != ticket.StateDone {
			t.Fatalf("%s is done in the tracker, %v in the document", done.Ref.Text, it.Status)
		}
	}
}

// TestLeftoverTempFilesRemoved: kill -9 or a full disk between creating
// a temporary file and renaming it leaves .<doc>.pmsync-<hex> or
// state.json.pmsync-new behind; the next run removes them (and nothing
// else).
func TestLeftoverTempFilesRemoved(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	left := []string{
		filepath.Join(f.dir, ".2026-01-14-ledger-db-failover.md.pmsync-0123456789ab"),
		filepath.Join(f.dir, ".pmsync", "state.json.pmsync-new"),
	}
	keep := []string{filepath.Join(f.dir, "notes.pmsync-draft.txt"), filepath.Join(f.dir, ".pmsync-0123456789ab")}
	for _, p := range append(append([]string{}, left...), keep...) {
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f.run(t)
	for _, p := range left {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestUnwritableDocumentCreatesNothing: a document just under the 4 MiB
// pmsync reads, whose links would take it over, used to get 100 tickets
// a run that could never be linked. Now nothing is created for it and
// the run says why.
func TestUnwritableDocumentCreatesNothing(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("---\nid: big\nstatus: final\ndate: 2026-05-01\n---\n# Big\n\n## Action items\n\n")
	for i := range 1500 {
		fmt.Fprintf(&b, "- Fix the thing number %d (owner: @alice)\n", i)
	}
	b.WriteString("\n## Notes\n\n")
	for b.Len() < postmortem.MaxSize-2000 {
		b.WriteString(strings.Repeat("padding words ", 70) + "\n\n")
	}
	if err := os.WriteFile(filepath.Join(f.dir, "big.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	res := f.run(t, func(e *Engine) { e.Config.MaxCreates = map[string]int{"gh": 5000, "jira": 5000} })
	for _, tk := range f.all() {
		if tk.Marker.PM == "big" {
			t.Fatalf("a ticket was opened for the unwritable document: %s", tk.Ref.Text)
		}
	}
	said := false
	for _, fl := range res.Failures {
		said = said || fl.Doc == "big.md" && strings.Contains(fl.Message, "more than the 4 MiB") && strings.Contains(fl.Message, "split")
	}
	if !said || res.Created == 0 {
		t.Fatalf("created %d, failures %v", res.Created, res.Failures)
	}
}
