package plan

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/pmsync/pmsync/sync/ticket"
)

// linkedRun is a run in which every one of n items links its own marked
// ticket and every ticket is observed: a first sync's re-listing after
// it created them all, the largest plan a run computes.
func linkedRun(n int) ([]Item, []ticket.Ticket) {
	items := make([]Item, 0, n)
	observed := make([]ticket.Ticket, 0, n)
	for i := range n {
		x := tk(fmt.Sprint(i+1), fmt.Sprintf("ai-%d", i), now, ticket.StateOpen)
		observed = append(observed, x)
		items = append(items, item(x.Marker.Item, linked(x, ticket.Status{State: ticket.StateOpen})))
	}
	return items, observed
}

// computeAllocs computes the plan and returns it with the bytes Compute
// allocated.
func computeAllocs(items []Item, observed []ticket.Ticket) (Plan, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	p := Compute(items, observed, Options{Now: now, OwnerID: "me"})
	runtime.ReadMemStats(&after)
	return p, after.TotalAlloc - before.TotalAlloc
}

// computeBytes is what Compute allocates per observed ticket.
func computeBytes(n int) float64 {
	_, b := computeAllocs(linkedRun(n))
	return float64(b) / float64(n)
}

// TestComputeMemory: Compute's indexes hold positions in observed, not
// copies of its tickets (304 bytes each, twice in the index by
// reference): what it allocates per ticket stays under 1 KB (1.76 KB
// when they held copies) and does not grow with the number of tickets.
// A first sync's re-listing computes this plan while every item and
// ticket of the run is alive, at the run's peak of memory. Not parallel:
// it reads the process's allocation counters.
func TestComputeMemory(t *testing.T) {
	small, large := computeBytes(1000), computeBytes(16000)
	t.Logf("Compute allocates %.0f bytes per ticket at 1,000 tickets, %.0f at 16,000", small, large)
	if large > 1024 || small > 1024 {
		t.Errorf("Compute allocates %.0f and %.0f bytes per ticket (1,000 and 16,000 tickets); want under 1 KB", small, large)
	}
	if large > 1.25*small {
		t.Errorf("Compute's allocation per ticket grows with the tickets: %.0f bytes at 1,000, %.0f at 16,000", small, large)
	}
}

// TestComputeMemorySteady: a steady run observes the few tickets that
// changed among many linked items; Compute then indexes only the items
// those tickets concern, not every item (an index of every linked item
// was about 100 bytes an item: 10 MB at 100,000 items, while all of the
// run's items were alive).
func TestComputeMemorySteady(t *testing.T) {
	items, observed := linkedRun(16000)
	p, b := computeAllocs(items, observed[:10])
	if per := float64(b) / float64(len(items)); per > 16 {
		t.Errorf("Compute allocates %.0f bytes per item with 10 of 16,000 tickets observed; want under 16", per)
	}
	if len(p.WriteBacks) != 0 || len(p.Orphans) != 0 || len(p.Duplicates) != 0 {
		t.Errorf("a steady plan does something: %d write-backs, %d orphans, %d duplicates", len(p.WriteBacks), len(p.Orphans), len(p.Duplicates))
	}
}
