package wiring

import (
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// MemoryRatio is the share of the container's memory limit pmsync takes
// as its soft memory limit: the rest is for what is not Go heap (the
// binary, goroutine stacks, an in-memory /tmp).
const MemoryRatio = 0.8

// SetMemoryLimit sets the Go runtime's soft memory limit from the memory
// limit of the container pmsync runs in (cgroup v1 or v2), times
// MemoryRatio, and returns it; with no container limit it sets none
// (math.MaxInt64). GOMEMLIMIT, when set, wins and is left as it is.
//
// Why not a fixed default: a fixed 64 MiB made the collector run back to
// back once the live heap, which grows with the archive, neared it (62 %
// of a 100,000-item sync's CPU; BENCHMARKS.md, "Scale"). Under a real
// container limit that is still the better failure than being killed
// for memory; without one it is only waste.
func SetMemoryLimit(provider memlimit.Provider) int64 {
	limit, err := memlimit.Set(memlimit.WithRatio(MemoryRatio), memlimit.WithProvider(provider))
	if err != nil {
		// No cgroup memory controller (not in a container, or another
		// OS): nothing to follow, so no soft limit.
		return debug.SetMemoryLimit(-1)
	}
	return limit
}

// GCPercent is pmsync's GOGC when the environment sets none: the heap
// may grow to 1.5 times the live data between collections, not twice.
// Measured on the real binary at 10,000 items (BENCHMARKS.md, "Scale"):
// peak RSS 17–30 % lower on a first sync, 7–17 % on a steady sync and
// a report, for 10–25 % more CPU. A CronJob's memory limit is what
// fails a run; a second of CPU is not.
const GCPercent = 50

// SetGCPercent sets the collector's target to GCPercent unless GOGC is
// set (lookup is os.LookupEnv), and returns the target in effect.
func SetGCPercent(lookup func(string) (string, bool)) int {
	if _, ok := lookup("GOGC"); ok {
		old := debug.SetGCPercent(100)
		debug.SetGCPercent(old)
		return old
	}
	debug.SetGCPercent(GCPercent)
	return GCPercent
}
