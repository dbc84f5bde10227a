package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers/factory"
)

var errCrashed = errors.New("process crashed")

// crashAfter lets k calls through; the k-th reaches the server but its
// answer is lost, and nothing after it is sent: what a process that dies
// right after call k leaves behind.
type crashAfter struct {
	base http.RoundTripper
	k    int64
	n    atomic.Int64
}

func (c *crashAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.n.Add(1)
	if c.k > 0 && n > c.k {
		return nil, errCrashed
	}
	resp, err := c.base.RoundTrip(r)
	if c.k > 0 && n == c.k && err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errCrashed
	}
	return resp, err
}

func (e *ghEnv) syncWith(t *testing.T, base http.RoundTripper) {
	t.Helper()
	e.syncWithTimeout(t, base, 0)
}

func (e *ghEnv) syncWithTimeout(t *testing.T, base http.RoundTripper, timeout time.Duration) {
	t.Helper()
	env := []string{"GH_TOKEN=" + testToken}
	cfg, err := config.Load(e.config, env)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{stdout: io.Discard, stderr: io.Discard, env: env}
	_, _ = a.syncOnce(context.Background(), cfg, syncFlags{}, wiring.NewLogger(io.Discard, 0, "text"), factory.Options{Env: env, Base: base, Clock: sim.NewClock(time.Now()), Timeout: timeout})
}

// assertConverged: exactly one open ticket per item, every document
// parses, and each links its item's ticket.
func (e *ghEnv) assertConverged(t *testing.T, label string) {
	t.Helper()
	perItem := map[string][]string{}
	for ref, is := range e.issues() {
		m, err := ticket.ParseMarker(is.Body)
		if err != nil || is.State != "open" && is.StateReason == "duplicate" {
			continue
		}
		perItem[m.PM+" "+m.Item] = append(perItem[m.PM+" "+m.Item], ref)
	}
	for k, refs := range perItem {
		if len(refs) != 1 {
			t.Errorf("%s: item %s has %d tickets %v", label, k, len(refs), refs)
		}
	}
	for _, d := range e.docs(t) {
		if !d.Finalized {
			continue
		}
		for _, it := range d.Items() {
			refs := perItem[d.ID+" "+it.Key]
			if len(refs) == 1 && it.Ticket.Text != refs[0] {
				t.Errorf("%s: %s:%d links %q, want %s", label, d.Path, it.Line, it.Ticket.Text, refs[0])
			}
		}
	}
}

// TestCrashAfterEveryCall stops a run after API call k, then runs again:
// one ticket per item, every document parses. Every k of a full run with
// PMSYNC_EXHAUSTIVE=1 (CI), a seeded sample otherwise.
func TestCrashAfterEveryCall(t *testing.T) {
	docs := filepath.Join(repoRoot(t), "testdata", "postmortems")
	probe := newGHEnv(t, docs, "")
	count := &crashAfter{base: http.DefaultTransport}
	probe.syncWith(t, count)
	total := int(count.n.Load())
	if total < 50 {
		t.Fatalf("a full run made %d calls; expected more", total)
	}
	// Each crash point has its own server and folder, so they run in
	// parallel (the exhaustive run is a few hundred of them).
	for _, k := range testkit.Indices(t, total, 8) {
		t.Run("k="+strconv.Itoa(k), func(t *testing.T) {
			t.Parallel()
			e := newGHEnv(t, docs, "")
			e.syncWith(t, &crashAfter{base: http.DefaultTransport, k: int64(k)})
			e.syncWith(t, http.DefaultTransport)
			e.assertConverged(t, "crash after call "+strconv.Itoa(k))
		})
	}
}

// faultSeeds is how many seeded fault runs a faults test makes: one by
// default, three with PMSYNC_EXHAUSTIVE.
func faultSeeds() int64 {
	if testkit.Exhaustive() {
		return 3
	}
	return 1
}

// TestFaultsThenConverge: 5xx, timeouts, resets, secondary-limit 403s
// and 429s on 20% of the calls; the next run converges.
func TestFaultsThenConverge(t *testing.T) {
	docs := filepath.Join(repoRoot(t), "testdata", "postmortems")
	for seed := int64(1); seed <= faultSeeds(); seed++ {
		e := newGHEnv(t, docs, "", 429, 403, 500, 502, 503)
		e.sim.SetFault(ghsim.RandomFaults(seed, 0.2,
			ghsim.FaultServerError, ghsim.FaultBadGateway, ghsim.FaultUnavailable, ghsim.FaultTimeout, ghsim.FaultReset,
			ghsim.FaultSecondaryLimit, ghsim.FaultTooManyRequests))
		e.syncWithTimeout(t, http.DefaultTransport, 300*time.Millisecond)
		faults := e.sim.CallCount(func(c ghsim.Call) bool { return c.Fault })
		created := len(e.issues()) - 12
		t.Logf("seed %d: %d faults injected in %d calls; %d tickets created", seed, faults, e.sim.CallCount(nil), created)
		if faults == 0 || created == 0 {
			t.Fatalf("seed %d: %d faults, %d tickets: the faulty run did not exercise anything", seed, faults, created)
		}
		e.sim.SetFault(nil)
		e.syncWithTimeout(t, http.DefaultTransport, 300*time.Millisecond)
		e.assertConverged(t, "faults, seed "+strconv.Itoa(int(seed)))
	}
}
