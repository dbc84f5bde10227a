package main

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pmsync/pmsync/trackers/github/ghsim"
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
