// Package testkit is what the tests of several packages share: where the
// repository is, the opt-ins that make a run longer or reach outside the
// repository, and seeded sampling that a failure can replay.
//
// A clone of this repository with nothing beside it runs every default
// test. Two environment variables opt in to more:
//
//	PMSYNC_CORPUS=DIR     a folder of real public postmortems (CI: the corpus folder beside the clone);
//	                      the tests that read it skip without it
//	PMSYNC_EXHAUSTIVE=1   crash-after-every-call and the longer chaos runs
//	                      instead of a seeded sample (PMSYNC_SEED=N replays one)
package testkit

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// RepoRoot is the module root: the folder holding go.mod, found by walking
// up from the working directory (a package's folder under go test).
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testkit: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Corpus returns the folder of real postmortems named by PMSYNC_CORPUS
// (a relative path is relative to the repository root),
// or skips the test with one line saying how to run it. A variable that
// names no folder fails: a typo must not pass as a skip.
func Corpus(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("PMSYNC_CORPUS")
	if dir == "" {
		t.Skip("real-postmortem corpus not set: PMSYNC_CORPUS=<folder of .md postmortems> runs this test (CI sets it)")
	}
	if !filepath.IsAbs(dir) {
		// Relative to the repository, not to each package's folder.
		dir = filepath.Join(RepoRoot(t), dir)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		t.Fatalf("PMSYNC_CORPUS=%s is not a folder", dir)
	}
	return dir
}

// Exhaustive reports whether PMSYNC_EXHAUSTIVE asks for the long runs.
func Exhaustive() bool {
	v, _ := strconv.ParseBool(os.Getenv("PMSYNC_EXHAUSTIVE"))
	return v
}

// Seed is PMSYNC_SEED when set, else a new one; logged so that a failure
// can be replayed.
func Seed(t testing.TB) uint64 {
	t.Helper()
	if s := os.Getenv("PMSYNC_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PMSYNC_SEED=%s: want a number", s)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// Indices returns the call indices 1..total to test: all of them with
// PMSYNC_EXHAUSTIVE, else the first, the last and n-2 drawn with a seed
// (logged with the command that replays it).
func Indices(t testing.TB, total, n int) []int {
	t.Helper()
	if Exhaustive() || total <= n {
		all := make([]int, total)
		for i := range all {
			all[i] = i + 1
		}
		return all
	}
	seed := Seed(t)
	t.Logf("testing %d of %d call indices, seed %d (PMSYNC_SEED=%d replays them; PMSYNC_EXHAUSTIVE=1 tests all)", n, total, seed, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	picked := map[int]bool{1: true, total: true}
	for len(picked) < n {
		picked[1+r.IntN(total)] = true
	}
	out := make([]int, 0, n)
	for k := range picked {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Timing reports whether PMSYNC_TIMING=1 asks for wall-clock checks.
func Timing() bool {
	v, _ := strconv.ParseBool(os.Getenv("PMSYNC_TIMING"))
	return v
}

// Within checks a wall-clock bound only when PMSYNC_TIMING=1 asks for it
// (an idle machine); otherwise it logs the time. A busy machine makes
// everything slow, so a default test asserts counters and clocks of its
// own, never how long the machine took.
func Within(t testing.TB, what string, took, bound time.Duration) {
	t.Helper()
	if !Timing() {
		t.Logf("%s took %v (bound %v, checked with PMSYNC_TIMING=1)", what, took, bound)
		return
	}
	if took > bound {
		t.Errorf("%s took %v, more than %v", what, took, bound)
	}
}
