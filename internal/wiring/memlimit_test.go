package wiring

import (
	"errors"
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

func TestSetMemoryLimitFollowsTheContainer(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	if MemoryRatio != 0.8 {
		t.Fatalf("MemoryRatio = %v: update the wants below", MemoryRatio)
	}
	tests := []struct {
		name      string
		gomem     string // GOMEMLIMIT; "" unset
		container uint64
		err       error
		want      int64
	}{
		{name: "container limit", container: 128 << 20, want: 107374182}, // 0.8 × 128 MiB,
		{name: "no container limit", err: memlimit.ErrNoLimit, want: math.MaxInt64},
		{name: "no cgroups", err: errors.New("cgroups not supported"), want: math.MaxInt64},
		{name: "GOMEMLIMIT wins", gomem: "200MiB", container: 128 << 20, want: math.MaxInt64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64) // the runtime's default
			if tc.gomem != "" {
				// The runtime read GOMEMLIMIT at start; here only the
				// library's check of the variable is exercised.
				t.Setenv("GOMEMLIMIT", tc.gomem)
			} else {
				t.Setenv("GOMEMLIMIT", "")
			}
			unsetenv(t, "AUTOMEMLIMIT")
			got := SetMemoryLimit(func() (uint64, error) { return tc.container, tc.err })
			if got != tc.want || debug.SetMemoryLimit(-1) != tc.want {
				t.Errorf("limit = %d (runtime %d), want %d", got, debug.SetMemoryLimit(-1), tc.want)
			}
		})
	}
}

// TestSetGCPercent: pmsync's GOGC unless the environment sets one (the
// runtime has read GOGC at start; here only the lookup is exercised).
func TestSetGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	debug.SetGCPercent(100)
	if got := SetGCPercent(func(string) (string, bool) { return "", false }); got != GCPercent || debug.SetGCPercent(GCPercent) != GCPercent {
		t.Errorf("GOGC unset: target %d, want %d", got, GCPercent)
	}
	debug.SetGCPercent(200) // as GOGC=200 would have set it
	if got := SetGCPercent(func(k string) (string, bool) { return "200", k == "GOGC" }); got != 200 || debug.SetGCPercent(200) != 200 {
		t.Errorf("GOGC=200: target %d, want 200 left as it is", got)
	}
}

// unsetenv removes name for the test (t.Setenv can only set it).
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // restores the old value at the end
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
