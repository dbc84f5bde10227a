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
