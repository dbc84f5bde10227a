package report

import (
	"runtime"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestReportHoldsNoRowPerItem: a computed report keeps a small record
// per item, not the item's row (456 bytes): rows are derived when they
// are read, in the lists of items (overdue, missing, open bugs,
// escalation) too. Held once per item and again per list, rows were
// 48 MB at 100,000 items, beside the input items. Not parallel: it reads
// the process's heap.
func TestReportHoldsNoRowPerItem(t *testing.T) {
	for _, c := range []struct {
		name  string
		state ticket.State
		kind  ticket.Kind
	}{
		{"done on time", ticket.StateDone, ticket.Action},
		// The worst case: every item in two lists (overdue and its
		// escalation tier), or a factor in open bugs.
		{"overdue", ticket.StateOpen, ticket.Action},
		{"open factor bugs", ticket.StateOpen, ticket.Factor},
		{"missing", ticket.StateMissing, ticket.Action},
	} {
		in := bigInput()
		for i := range in.Items {
			it := &in.Items[i]
			it.State, it.Kind, it.Done = c.state, c.kind, time.Time{}
			if c.state == ticket.StateDone {
				it.Done = it.Due.AddDate(0, 0, -1)
			}
			if c.state == ticket.StateOpen {
				it.Due = in.Now.AddDate(0, -1, 0)
			}
		}
		before := liveHeap()
		r := Compute(in)
		held := liveHeap() - before
		per := float64(held) / float64(len(in.Items))
		t.Logf("%s: a report of %d items holds %.0f bytes an item", c.name, len(in.Items), per)
		if per > 200 {
			t.Errorf("%s: a report of %d items holds %.0f bytes an item beside its input; want under 200 (no row kept per item)", c.name, len(in.Items), per)
		}
		if n := r.Items.Len(); n != len(in.Items) {
			t.Errorf("%s: %d rows, want %d", c.name, n, len(in.Items))
		}
		if n := r.Overdue.Len() + r.Missing.Len() + r.Factors.OpenBugs.Len(); c.state != ticket.StateDone && n != len(in.Items) {
			t.Errorf("%s: %d items listed, want %d", c.name, n, len(in.Items))
		}
		runtime.KeepAlive(in)
	}
}
