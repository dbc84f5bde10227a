// Package memprobe measures the heap a piece of work needs, for
// benchmarks that report memory against a budget.
package memprobe

import (
	"runtime"
	"sync"
	"time"
)

// Peak samples the heap every 2 ms while f runs and returns the largest
// growth seen over the heap before f (garbage not yet collected
// included, as a process's memory would).
func Peak(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > peak {
				peak = m.HeapAlloc - base
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak
}
