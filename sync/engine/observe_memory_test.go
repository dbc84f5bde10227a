package engine

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/ticket"
)

// TestObserveIndexesOnlyWhatItAsks: a steady run observes the few
// tickets that changed among many linked items; vetting them and
// learning owner aliases index only the items those tickets concern
// (maps of every item were about 140 and 340 bytes an item, alive with
// all of the run's items). Not parallel: it reads the process's
// allocation counters.
func TestObserveIndexesOnlyWhatItAsks(t *testing.T) {
	const n = 16000
	tg := ticket.Target{Tracker: "gh", Repo: "acme/sre"}
	items := make([]plan.Item, n)
	var observed []ticket.Ticket
	for i := range items {
		ref := ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", i+1), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", i+1)}
		m := ticket.Marker{PM: fmt.Sprintf("pm-%d", i/10), Item: fmt.Sprintf("ai-%d", i), Owner: "me"}
		items[i] = plan.Item{Doc: m.PM + ".md", Marker: m, Target: tg, Ref: ref, HasStatus: true, Status: ticket.Status{State: ticket.StateOpen}}
		if i%1600 == 0 {
			observed = append(observed, ticket.Ticket{Target: tg, Ref: ref, Marker: m, HasMarker: true, Status: ticket.Status{State: ticket.StateOpen}, Author: "pmsync-bot"})
		}
	}
	e := &Engine{Config: Config{OwnerID: "me"}}
	st := stateFile{Tickets: map[string]ticketFacts{}, Impostors: map[string]Impostor{}}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := e.learnAliases(context.Background(), observed, items, "me", &st)
	kept = e.vetMarked(context.Background(), kept, items, nil, map[ticket.Target]bool{}, &st, time.Now(), &Result{}, map[itemID]string{})
	runtime.ReadMemStats(&after)
	if len(kept) != len(observed) {
		t.Fatalf("vetting kept %d of %d linked tickets", len(kept), len(observed))
	}
	if per := float64(after.TotalAlloc-before.TotalAlloc) / n; per > 16 {
		t.Errorf("vetting %d observed tickets allocates %.0f bytes per item of %d; want under 16", len(observed), per, n)
	}
}
