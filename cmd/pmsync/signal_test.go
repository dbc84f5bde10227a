package main

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
)

// TestSIGTERMMidRun runs the real binary, sends SIGTERM while it is
// creating tickets, and expects exit 3 with every document whole, then a
// next run that completes.
func TestSIGTERMMidRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "pmsync")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	var posts atomic.Int64
	started := make(chan struct{})
	e.sim.SetFault(func(r *http.Request) *ghsim.FaultResponse {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/issues") {
			if posts.Add(1) == 3 {
				close(started)
			}
			// Slow creates: the signal lands while one is in flight.
			return &ghsim.FaultResponse{Delay: 150 * time.Millisecond}
		}
		return nil
	})
	cmd := exec.Command(bin, "sync", "--config", e.config)
	cmd.Env = append(os.Environ(), "GH_TOKEN="+testToken)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no ticket creation began:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want 3\n%s", err, stderr.String())
	}
	created := len(e.issues()) - 12
	linked := 0
	for _, d := range e.docs(t) { // every document parses
		for _, it := range d.Items() {
			if it.HasStatus && it.Ticket.Text != "acme/sre#12" {
				linked++
			}
		}
	}
	if created == 0 || linked != created {
		t.Fatalf("after SIGTERM: %d tickets created, %d linked in documents", created, linked)
	}
	e.sim.SetFault(nil)
	if code, out, _ := e.sync(t); code != exitOK {
		t.Fatalf("next run: exit %d\n%s", code, out)
	}
	e.assertConverged(t, "after SIGTERM")
}

// TestSIGTERMDuringPathologicalParse: a folder of 3 MiB documents in
// the costliest shapes a postmortem may take (lists nested to the limit,
// long runs of brackets). Before, a parse ignored SIGTERM (exit came 101
// s after it). Now the run stops within one document's goldmark parse,
// exits 3, and leaves every document as it was.
func TestSIGTERMDuringPathologicalParse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "pmsync")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	docs := t.TempDir()
	var nested, brackets strings.Builder
	nested.WriteString("---\nstatus: final\n---\n# Nested\n\n## Action items\n\n")
	for i := 0; nested.Len() < 3<<20; i++ {
		nested.WriteString(strings.Repeat("  ", i%30) + "- x\n")
	}
	brackets.WriteString("---\nstatus: final\n---\n# Brackets\n\n## Action items\n\n- " + strings.Repeat("[", 3<<20) + "\n")
	for i := range 12 {
		body := nested.String()
		if i%2 == 1 {
			body = brackets.String()
		}
		if err := os.WriteFile(filepath.Join(docs, fmt.Sprintf("pm-%02d.md", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := newGHEnv(t, docs, "")
	before := snapshot(t, e.dir)
	cmd := exec.Command(bin, "sync", "--config", e.config)
	cmd.Env = append(os.Environ(), "GH_TOKEN="+testToken)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 60 s after SIGTERM:\n%s", stderr.String())
	}
	took := time.Since(sent)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("exit %v, want %d\n%s", err, exitInterrupted, stderr.String())
	}
	testkit.Within(t, "exit after SIGTERM during a pathological parse", took, 5*time.Second)
	if after := snapshot(t, e.dir); !maps.Equal(after, before) {
		t.Fatal("documents changed")
	}
}

// TestPeakRSSOfHugeDocuments runs the real binary, as the CronJob does
// (its 128Mi memory limit gives a soft limit of 102 MiB), on the largest
// documents pmsync accepts: 4 MiB with 60,000 items (refused: more than MaxItems) and 4 MiB with
// MaxItems items. Before, the first peaked at 263 MB during sync, over
// the shipped 128Mi limit. Peak RSS must stay under 128 MiB. It builds
// the binary and writes 8 MiB, so it runs with PMSYNC_EXHAUSTIVE=1.
func TestPeakRSSOfHugeDocuments(t *testing.T) {
	if !testkit.Exhaustive() {
		t.Skip("builds the binary and writes 8 MiB of documents: run with PMSYNC_EXHAUSTIVE=1")
	}
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("needs /usr/bin/time (GNU time) to read the peak RSS")
	}
	bin := filepath.Join(t.TempDir(), "pmsync")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	huge := func(items int) string {
		var b strings.Builder
		b.WriteString("---\nstatus: final\ndate: 2026-05-01\n---\n# Huge\n\n## Action items\n\n")
		for i := 0; i < items; i++ {
			fmt.Fprintf(&b, "- Fix thing %d (owner: @alice)\n", i)
		}
		pad := strings.Repeat("word ", 200) + "\n\n"
		for b.Len()+len(pad) < 4<<20-64 {
			b.WriteString(pad)
		}
		return b.String()
	}
	for name, items := range map[string]int{"60k items": 60000, "MaxItems items": 2000} {
		t.Run(name, func(t *testing.T) {
			docs := t.TempDir()
			if err := os.WriteFile(filepath.Join(docs, "huge.md"), []byte(huge(items)), 0o644); err != nil {
				t.Fatal(err)
			}
			e := newGHEnv(t, docs, "")
			cmd := exec.Command("/usr/bin/time", "-v", bin, "sync", "--config", e.config)
			cmd.Env = append(os.Environ(), "GH_TOKEN="+testToken, "GOMEMLIMIT=102MiB")
			out, _ := cmd.CombinedOutput()
			m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindSubmatch(out)
			if m == nil {
				t.Fatalf("no peak RSS in:\n%s", out)
			}
			kb, _ := strconv.Atoi(string(m[1]))
			t.Logf("%s: peak RSS %.1f MiB", name, float64(kb)/1024)
			if kb > 128<<10 {
				t.Fatalf("peak RSS %.1f MiB, more than the CronJob's 128Mi", float64(kb)/1024)
			}
		})
	}
}
