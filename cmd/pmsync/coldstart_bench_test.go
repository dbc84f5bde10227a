package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// The benchmarks in this file run the pmsync binary as the CronJob does:
// built as the Dockerfile builds it (CGO_ENABLED=0, -trimpath, -s -w),
// once per benchmark, into b.TempDir(). They need the go tool and skip
// without it.

// buildFlags are the Dockerfile's.
var buildFlags = []string{"build", "-trimpath", "-ldflags=-s -w"}

// goTool is the go command (go test puts its own first on PATH), or
// skips.
func goTool(b *testing.B) string {
	b.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		b.Skip("the go tool is not available: ", err)
	}
	return p
}

// buildPmsync builds this package's command into dir.
func buildPmsync(b *testing.B, dir string) string {
	b.Helper()
	out := filepath.Join(dir, "pmsync")
	goBuild(b, ".", append(buildFlags, "-o", out, ".")...)
	return out
}

// buildHello builds the baseline, a Go program that prints one line,
// the same way.
func buildHello(b *testing.B, dir string) string {
	b.Helper()
	return buildMain(b, dir, "hello", `package main

import "fmt"

func main() { fmt.Println("hello") }
`)
}

// buildRSS builds a small runner, `rss FILE BIN ARG...`: it runs BIN and
// writes the child's peak resident set (getrusage's ru_maxrss) to FILE.
// A child started by this (large) test process inherits its high-water
// mark when it execs (vfork shares the address space until then), so
// its own ru_maxrss reads at least the test's; started by the runner, it
// reads at least the runner's few MiB, which the baseline shows.
func buildRSS(b *testing.B, dir string) string {
	b.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		b.Skip("no getrusage here")
	}
	return buildMain(b, dir, "rss", `package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	var maxrss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = int64(ru.Maxrss)
	}
	if werr := os.WriteFile(os.Args[1], []byte(fmt.Sprint(maxrss)), 0o644); werr != nil || err != nil {
		fmt.Fprintln(os.Stderr, "rss:", err, werr)
		os.Exit(1)
	}
}
`)
}

// buildMain builds a one-file main package into dir/name.bin.
func buildMain(b *testing.B, dir, name, src string) string {
	b.Helper()
	pkg := filepath.Join(dir, name)
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "go.mod"), []byte("module "+name+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "main.go"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, name+".bin")
	goBuild(b, pkg, append(buildFlags, "-o", out, ".")...)
	return out
}

func goBuild(b *testing.B, dir string, args ...string) {
	b.Helper()
	cmd := exec.Command(goTool(b), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go %v: %v\n%s", args, err, out)
	}
}

func sizeMiB(b *testing.B, p string) float64 {
	b.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return float64(fi.Size()) / (1 << 20)
}

// execute runs a binary to its exit and returns how long it took.
func execute(b *testing.B, env []string, bin string, args ...string) time.Duration {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, out.Bytes())
	}
	return took
}

// peakRSS runs a binary under the rss runner and returns the child's
// peak resident set in bytes.
func peakRSS(b *testing.B, rss string, env []string, bin string, args ...string) uint64 {
	b.Helper()
	file := filepath.Join(b.TempDir(), "maxrss")
	execute(b, env, rss, append([]string{file, bin}, args...)...)
	text, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	n, err := strconv.ParseUint(string(text), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return n // bytes there, KiB elsewhere
	}
	return n << 10
}

// BenchmarkColdStart: a new pmsync process from exec to exit, against a
// hello-world Go binary built the same way, alternating in the same
// loop. ns/op is pmsync's time; x_hello is pmsync's time as a multiple
// of the baseline's. "Cold" is a new process each time; the binary's
// pages are in the file cache after the first run, as they are on a
// node that runs the CronJob hourly. The peak resident sets are measured
// once, outside the timed loop.
//
//   - version: `pmsync version`, the start-up of the process itself.
//   - lint: `pmsync lint --config testdata/pmsync.yaml` on one small
//     postmortem (configuration, parse, checks; no network).
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	pmsync, hello, rss := buildPmsync(b, dir), buildHello(b, dir), buildRSS(b, dir)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	env := []string{"HOME=" + dir, "TMPDIR=" + dir}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"lint", []string{"lint", "--config", filepath.Join(root, "testdata", "pmsync.yaml"),
			filepath.Join(root, "testdata", "postmortems", "2026-10-07-image-cdn-cache-stampede.md")}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			helloRSS := peakRSS(b, rss, env, hello) // also fails early and fills the file cache
			ourRSS := peakRSS(b, rss, env, pmsync, tc.args...)
			var ours, base time.Duration
			for b.Loop() {
				base += execute(b, env, hello)
				ours += execute(b, env, pmsync, tc.args...)
			}
			n := float64(b.N)
			b.ReportMetric(float64(ours.Nanoseconds())/n, "ns/op")
			b.ReportMetric(float64(base.Nanoseconds())/n, "hello-ns/op")
			b.ReportMetric(float64(ours)/float64(base), "x_hello")
			b.ReportMetric(sizeMiB(b, pmsync), "bin-MiB")
			b.ReportMetric(sizeMiB(b, hello), "hello-bin-MiB")
			b.ReportMetric(float64(ourRSS)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(helloRSS)/(1<<20), "hello-peak-RSS-MiB")
		})
	}
}

// BenchmarkBinaryPeakRSS: the pmsync binary syncing 1,000 postmortems
// with 10,000 linked items in 10 repositories of the GitHub simulator
// (in this process, on loopback), measured by the kernel's peak resident
// set of the child process, the number a container's memory limit meets
// (hello-peak-RSS-MiB is the floor of the measurement). Each op is a
// run with the daily full listing (the state file removed first: every
// ticket is listed, 100 requests); steady-RSS-MiB is one incremental run
// after the loop. SPEC §8 budgets 64 MiB. pmsync's default soft memory
// limit follows the container's limit (none outside a container, as
// here), so the default and GOMEMLIMIT=64MiB (a soft limit as under an
// 80 MiB container) are measured.
func BenchmarkBinaryPeakRSS(b *testing.B) {
	dir := b.TempDir()
	bin, hello, rss := buildPmsync(b, dir), buildHello(b, dir), buildRSS(b, dir)
	e := newBenchEnv(b, 1000, 10, 10, true, 0, false, 100000)
	for _, limit := range []string{"default", "64MiB"} {
		b.Run("GOMEMLIMIT="+limit, func(b *testing.B) {
			env := append([]string{"HOME=" + e.dir, "TMPDIR=" + b.TempDir()}, e.env...)
			if limit != "default" {
				env = append(env, "GOMEMLIMIT="+limit)
			}
			floor := peakRSS(b, rss, env, hello)
			args := []string{"sync", "--config", e.cfgPath, "--log-level", "error"}
			var peak uint64
			for b.Loop() {
				if err := os.Remove(filepath.Join(e.dir, ".pmsync", "state.json")); err != nil && !os.IsNotExist(err) {
					b.Fatal(err)
				}
				peak = max(peak, peakRSS(b, rss, env, bin, args...))
			}
			steady := peakRSS(b, rss, env, bin, args...)
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
			b.ReportMetric(float64(steady)/(1<<20), "steady-RSS-MiB")
			b.ReportMetric(float64(floor)/(1<<20), "hello-peak-RSS-MiB")
			b.ReportMetric(64, "budget-MiB")
			b.ReportMetric(float64(peak)/(64<<20), "x_budget")
		})
	}
}
