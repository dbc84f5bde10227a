package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/sync/ticket"
)

// move moves the fixture's folder elsewhere, as a person moving a trial
// folder to where the CronJob reads it, and reopens it.
func (f *fixture) move(t *testing.T) {
	t.Helper()
	to := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(f.dir, to); err != nil {
		t.Fatal(err)
	}
	src, err := source.OpenDir(to, source.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	f.dir, f.src = to, src
}

func noOwner(e *Engine) { e.Config.OwnerID = "" }

// TestMovedFolderKeepsItsTickets: with no owner_id configured, the id
// chosen on the first run is written into the folder, so after a move
// (a full listing included) nothing is foreign, nothing is created twice.
func TestMovedFolderKeepsItsTickets(t *testing.T) {
	f := newFixture(t)
	first := f.run(t, noOwner)
	if first.Created == 0 || !strings.HasPrefix(first.OwnerID, "dir:") || len(first.OwnerID) != len("dir:")+32 {
		t.Fatalf("first run: %d created, owner id %q", first.Created, first.OwnerID)
	}
	b, err := os.ReadFile(filepath.Join(f.dir, ".pmsync", "owner-id"))
	if err != nil || !strings.Contains(string(b), "\n"+first.OwnerID+"\n") {
		t.Fatalf("owner id not written down: %q, %v", b, err)
	}
	tickets := len(f.all())
	f.move(t)
	f.now = f.now.Add(25 * time.Hour) // a full listing: every ticket is seen
	res := f.run(t, noOwner)
	if res.OwnerID != first.OwnerID {
		t.Errorf("owner id changed with the folder: %q -> %q", first.OwnerID, res.OwnerID)
	}
	if len(res.Plan.Foreign) != 0 || res.Created != 0 || len(f.all()) != tickets {
		t.Errorf("after the move: %d foreign, %d created, %d tickets (was %d)", len(res.Plan.Foreign), res.Created, len(f.all()), tickets)
	}
	assertOneTicketPerItem(t, f)
}

// TestMovedLegacyFolderMigrates: a folder synced by pmsync before 0.3
// (tickets carry dir:<old absolute path>, no owner-id file) and then
// moved: the run takes the linked tickets' id as its own, reports no
// foreign ticket, opens no duplicate, and keeps the old id as an alias,
// so a ticket that a crash left unlinked is still recognised.
func TestMovedLegacyFolderMigrates(t *testing.T) {
	f := newFixture(t)
	old := "dir:" + filepath.ToSlash(f.dir)
	f.run(t, func(e *Engine) { e.Config.OwnerID = old }) // what 0.2 did by default
	if _, err := os.Stat(filepath.Join(f.dir, ".pmsync", "owner-id")); err == nil {
		t.Fatal("a configured owner_id was written into the folder")
	}
	// A crash left one marked ticket unlinked (created, not written back).
	orphan := f.gh.Inject(ticket.Ticket{Title: "unlinked", Target: ticket.Target{Tracker: "gh", Repo: "acme/sre"},
		Marker: ticket.Marker{PM: "2026-03-04-order-events-queue-backlog", Item: "ai-00000000", Owner: old}, HasMarker: true})
	tickets := len(f.all())
	f.move(t)
	f.now = f.now.Add(25 * time.Hour)
	legacy := func(e *Engine) { e.Config.OwnerID, e.Config.LegacyOwnerID = "", "dir:"+filepath.ToSlash(f.dir) }
	res := f.run(t, legacy)
	if res.OwnerID != "dir:"+filepath.ToSlash(f.dir) {
		t.Errorf("owner id %q, want the legacy form of the new path", res.OwnerID)
	}
	if len(res.Plan.Foreign) != 0 || res.Created != 0 || len(f.all()) != tickets {
		t.Errorf("after the move: %d foreign %v, %d created, %d tickets (was %d)", len(res.Plan.Foreign), res.Plan.Foreign, res.Created, len(f.all()), tickets)
	}
	found := false
	for _, o := range res.Plan.Orphans {
		found = found || o.Ref.Text == orphan.Ref.Text
	}
	if !found {
		t.Errorf("the unlinked ticket with the old id is not this installation's orphan: %+v", res.Plan.Orphans)
	}
	st, err := f.src.ReadFile(context.Background(), StatePath)
	if err != nil || !strings.Contains(string(st), old) {
		t.Errorf("the old id is not kept as an alias in the state: %v\n%s", err, st)
	}
	// And the next run, listing only changes, still has it.
	res = f.run(t, legacy)
	if len(res.Plan.Foreign) != 0 || res.Created != 0 {
		t.Errorf("second run after the move: %d foreign, %d created", len(res.Plan.Foreign), res.Created)
	}
}

// TestForeignOwnerNotLearned: another installation's ticket, linked from
// one of our documents for the same item, does not make its owner id
// ours: the author check fails.
func TestForeignOwnerNotLearned(t *testing.T) {
	f := newFixture(t)
	f.run(t, noOwner)
	// Rewrite one linked ticket as another installation's, opened by
	// another account.
	victim := f.gh.All()[0]
	f.gh.Edit(victim.Ref.Text, func(tk *ticket.Ticket) {
		tk.Marker.Owner, tk.Author = "dir:/srv/other-team/postmortems", "someone-else"
	})
	f.now = f.now.Add(25 * time.Hour)
	res := f.run(t, noOwner)
	if len(res.Plan.Foreign) != 1 || res.Plan.Foreign[0].Ref != victim.Ref {
		t.Errorf("foreign tickets: %+v, want the other installation's %s", res.Plan.Foreign, victim.Ref.Text)
	}
	st, _ := f.src.ReadFile(context.Background(), StatePath)
	if strings.Contains(string(st), "other-team") {
		t.Errorf("another installation's owner id was learned:\n%s", st)
	}
}

// TestSinceArchive: postmortems older than Since are read and reported,
// never ticketed; newer ones are synced as usual.
func TestSinceArchive(t *testing.T) {
	f := newFixture(t)
	cut := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	res := f.run(t, func(e *Engine) { e.Config.Since = cut })
	if res.Archived == 0 || res.Created == 0 {
		t.Fatalf("archived %d, created %d: the fixture has postmortems on both sides of %s", res.Archived, res.Created, cut.Format("2006-01-02"))
	}
	reported := map[string]bool{}
	for _, it := range res.Report.Items {
		reported[it.DocID] = true
	}
	for _, tk := range f.all() {
		if tk.Marker.PM < "2026-06" {
			t.Errorf("ticket %s opened for %s, an archived postmortem", tk.Ref.Text, tk.Marker.PM)
		}
	}
	for _, id := range []string{"2026-01-14-ledger-db-failover", "2026-03-04-order-events-queue-backlog"} {
		if !reported[id] {
			t.Errorf("archived %s is not in the report", id)
		}
	}
}
