package report

import (
	"runtime"
	"testing"

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
// are read, and only the rows a list names (overdue, due soon, missing,
// open bugs) are kept. Held once per item, rows were 48 MB at 100,000
// items, beside the input items. Not parallel: it reads the process's
// heap.
func TestReportHoldsNoRowPerItem(t *testing.T) {
	in := bigInput()
	for i := range in.Items {
		it := &in.Items[i]
		it.State, it.Done = ticket.StateDone, it.Due.AddDate(0, 0, -1)
	}
	before := liveHeap()
	r := Compute(in)
	held := liveHeap() - before
	per := float64(held) / float64(len(in.Items))
	t.Logf("a report of %d items holds %.0f bytes an item", len(in.Items), per)
	if per > 200 {
		t.Errorf("a report of %d items holds %.0f bytes an item beside its input; want under 200 (no row kept per item)", len(in.Items), per)
	}
	if n := r.Items.Len(); n != len(in.Items) {
		t.Errorf("%d rows, want %d", n, len(in.Items))
	}
	runtime.KeepAlive(in)
}
