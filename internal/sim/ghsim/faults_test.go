package ghsim_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{AllowUndocumentedStatus: []int{403, 429, 500, 502, 503}})
	// A client of its own: no keep-alive, so a dropped connection is not
	// silently retried on a fresh one by net/http.
	client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	get := func() (*http.Response, error) {
		req, _ := http.NewRequest("GET", e.srv.URL+"/repos/acme/sre/issues", nil)
		req.Header.Set("Authorization", "Bearer t0ken")
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		return resp, err
	}
	for _, kind := range ghsim.AllFaultKinds {
		t.Run(kind.String(), func(t *testing.T) {
			e.sim.SetFault(func(*http.Request) *ghsim.FaultResponse { return ghsim.NewFault(kind) })
			resp, err := get()
			switch kind {
			case ghsim.FaultTimeout:
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("want a client timeout, got %v", err)
				}
				return
			case ghsim.FaultReset:
				if err == nil {
					t.Fatalf("want a dropped connection, got %d", resp.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := map[ghsim.FaultKind]int{
				ghsim.FaultServerError: 500, ghsim.FaultBadGateway: 502, ghsim.FaultUnavailable: 503,
				ghsim.FaultSecondaryLimit: 403, ghsim.FaultSecondaryLimitNoRetryAfter: 403,
				ghsim.FaultTooManyRequests: 429, ghsim.FaultPrimaryLimit: 403,
			}[kind]
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d", resp.StatusCode, want)
			}
			hasRetry := resp.Header.Get("Retry-After") != ""
			if wantRetry := kind == ghsim.FaultSecondaryLimit || kind == ghsim.FaultTooManyRequests; hasRetry != wantRetry {
				t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
			}
			if left := resp.Header.Get("X-RateLimit-Remaining"); (left == "0") != (kind == ghsim.FaultPrimaryLimit) {
				t.Errorf("X-RateLimit-Remaining %s", left)
			}
		})
	}
	e.sim.SetFault(nil)
	if resp, err := get(); err != nil || resp.StatusCode != 200 {
		t.Fatalf("faults off: %v", err)
	}
	calls := e.sim.Calls()
	faults := 0
	for _, c := range calls {
		if c.Fault {
			faults++
		}
	}
	if faults != len(ghsim.AllFaultKinds) || calls[len(calls)-1].Fault {
		t.Fatalf("%d fault calls recorded of %d", faults, len(calls))
	}
}

// TestFaultsAsGoGitHubSeesThem pins how go-github v60 classifies each answer,
// which decides what pmsync's retry layer must handle itself.
func TestFaultsAsGoGitHubSeesThem(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{AllowUndocumentedStatus: []int{403, 429, 500}})
	ctx := context.Background()
	for _, c := range []struct {
		kind  ghsim.FaultKind
		check func(error) bool
	}{
		{ghsim.FaultSecondaryLimit, func(err error) bool {
			var ab *github.AbuseRateLimitError
			return errors.As(err, &ab) && ab.RetryAfter != nil && *ab.RetryAfter == time.Second
		}},
		{ghsim.FaultPrimaryLimit, func(err error) bool {
			var rl *github.RateLimitError
			return errors.As(err, &rl) && rl.Rate.Remaining == 0
		}},
		{ghsim.FaultTooManyRequests, func(err error) bool { // a plain error in v60
			var er *github.ErrorResponse
			return errors.As(err, &er) && er.Response.StatusCode == 429
		}},
		{ghsim.FaultServerError, func(err error) bool {
			var er *github.ErrorResponse
			return errors.As(err, &er) && er.Response.StatusCode == 500
		}},
	} {
		e.sim.SetFault(func(*http.Request) *ghsim.FaultResponse { return ghsim.NewFault(c.kind) })
		_, _, err := e.client("t0ken").Issues.Get(ctx, "acme", "sre", 1)
		if !c.check(err) {
			t.Errorf("%v: go-github returned %T %v", c.kind, err, err)
		}
	}
}

func TestSlowAnswer(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	e.sim.SetFault(func(r *http.Request) *ghsim.FaultResponse {
		return &ghsim.FaultResponse{Delay: 50 * time.Millisecond}
	})
	began := time.Now()
	if _, _, err := e.gh.Users.Get(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if time.Since(began) < 50*time.Millisecond {
		t.Fatal("no delay")
	}
	if c := e.sim.Calls(); len(c) != 1 || !c[0].Fault || c[0].Status != 200 {
		t.Fatalf("calls %+v", c)
	}
}

func TestRandomFaults(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest("GET", "http://x/", nil)
	seq := func(seed int64, rate float64, kinds ...ghsim.FaultKind) []int {
		f := ghsim.RandomFaults(seed, rate, kinds...)
		var out []int
		for range 200 {
			if r := f(req); r != nil {
				out = append(out, r.Status)
			} else {
				out = append(out, -1)
			}
		}
		return out
	}
	a, b := seq(7, 0.3), seq(7, 0.3)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different faults")
	}
	hits := 0
	for _, s := range a {
		if s != -1 {
			hits++
		}
	}
	if hits < 30 || hits > 90 {
		t.Fatalf("%d faults of 200 at rate 0.3", hits)
	}
	for _, s := range seq(1, 1, ghsim.FaultUnavailable) {
		if s != 503 {
			t.Fatalf("rate 1 of 503s gave %d", s)
		}
	}
	for _, s := range seq(1, 0) {
		if s != -1 {
			t.Fatal("rate 0 gave a fault")
		}
	}
}
