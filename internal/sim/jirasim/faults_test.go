package jirasim_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
)

// faultOpts: fault answers are undocumented for most operations.
var faultOpts = contract.Options{AllowUndocumentedStatus: []int{429, 500, 502, 503}}

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(flavor.String(), func(t *testing.T) {
			t.Parallel()
			e := setup(t, jirasim.Options{Flavor: flavor}, faultOpts)
			// A client of its own: no keep-alive, so that a dropped
			// connection is not silently retried on a fresh one.
			client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
			get := func() (*http.Response, string, error) {
				req, _ := http.NewRequest("GET", e.srv.URL+"/rest/api/2/myself", nil)
				req.Header.Set("Authorization", e.auth())
				resp, err := client.Do(req)
				if err != nil {
					return nil, "", err
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b), nil
			}
			for _, kind := range jirasim.AllFaultKinds {
				t.Run(kind.String(), func(t *testing.T) {
					e.sim.SetFault(func(*http.Request) *jirasim.FaultResponse { return jirasim.NewFault(kind) })
					resp, body, err := get()
					switch kind {
					case jirasim.FaultTimeout:
						var ne net.Error
						if !errors.As(err, &ne) || !ne.Timeout() {
							t.Fatalf("want a client timeout, got %v", err)
						}
						return
					case jirasim.FaultReset:
						if err == nil {
							t.Fatalf("want a dropped connection, got %d", resp.StatusCode)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					want := map[jirasim.FaultKind]int{
						jirasim.FaultServerError: 500, jirasim.FaultBadGateway: 502, jirasim.FaultUnavailable: 503,
						jirasim.FaultTooManyRequests: 429, jirasim.FaultTooManyRequestsNoRetryAfter: 429,
					}[kind]
					if resp.StatusCode != want {
						t.Fatalf("status %d, want %d", resp.StatusCode, want)
					}
					h := resp.Header
					switch kind {
					case jirasim.FaultTooManyRequests:
						if h.Get("Retry-After") != "1" || h.Get("X-RateLimit-Remaining") != "0" || !strings.Contains(body, "Rate limit exceeded") {
							t.Fatalf("429: %v %s", h, body)
						}
						if flavor == jirasim.Cloud {
							// An ISO 8601 time on the simulator's clock, not epoch seconds.
							if h.Get("X-RateLimit-Reset") != "2026-03-02T09:00:01Z" || h.Get("RateLimit-Reason") != "jira-burst-based" {
								t.Fatalf("Cloud 429 headers: %v", h)
							}
						} else if h.Get("X-RateLimit-Interval-Seconds") == "" || h.Get("X-RateLimit-FillRate") == "" || h.Get("X-RateLimit-Reset") != "" {
							t.Fatalf("DC 429 headers: %v", h)
						}
					case jirasim.FaultTooManyRequestsNoRetryAfter:
						if h.Get("Retry-After") != "" {
							t.Fatalf("Retry-After %q", h.Get("Retry-After"))
						}
					case jirasim.FaultUnavailable:
						if h.Get("Retry-After") != "1" || h.Get("X-RateLimit-Reset") != "" {
							t.Fatalf("503 headers: %v", h)
						}
					case jirasim.FaultBadGateway:
						if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
							t.Fatalf("502 Content-Type %q", h.Get("Content-Type"))
						}
					}
				})
			}
			e.sim.SetFault(nil)
			if resp, _, err := get(); err != nil || resp.StatusCode != 200 {
				t.Fatalf("after SetFault(nil): %v, %v", resp, err)
			}
		})
	}
}

// TestFaultsThroughGoJira: go-jira sees a 429 with its headers, nothing
// is created, and the retry succeeds.
func TestFaultsThroughGoJira(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{}, faultOpts)
	c := e.client(t)
	writes := 0
	e.sim.SetFault(func(r *http.Request) *jirasim.FaultResponse {
		if r.Method == "POST" {
			writes++
			if writes == 1 {
				return jirasim.NewFault(jirasim.FaultTooManyRequests)
			}
		}
		return nil
	})
	_, resp, err := c.Issue.Create(task("Add saturation alert", nil))
	if err == nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("first create: %v, %v", resp, err)
	}
	if n := len(e.sim.Issues("OPS")); n != 0 {
		t.Fatalf("a refused create made %d issues", n)
	}
	if _, _, err := c.Issue.Create(task("Add saturation alert", nil)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	calls := e.sim.Calls()
	if len(calls) != 2 || !calls[0].Fault || calls[0].Status != 429 || calls[1].Fault || calls[1].Status != 201 {
		t.Fatalf("calls: %+v", calls)
	}

	// 503 on a search.
	e.sim.SetFault(func(*http.Request) *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultUnavailable) })
	_, resp2, err := c.Issue.SearchV2JQL(`project = OPS`, nil)
	if err == nil || resp2.StatusCode != 503 || resp2.Header.Get("Retry-After") != "1" {
		t.Fatalf("search: %v, %v", resp2, err)
	}

	// A slow answer: Delay, then the real one.
	e.sim.SetFault(func(*http.Request) *jirasim.FaultResponse {
		return &jirasim.FaultResponse{Delay: 20 * time.Millisecond}
	})
	began := time.Now()
	if _, _, err := c.Issue.Get("OPS-1", nil); err != nil || time.Since(began) < 20*time.Millisecond {
		t.Fatalf("slow get: %v after %v", err, time.Since(began))
	}
	e.sim.SetFault(nil)
}

func TestRandomFaults(t *testing.T) {
	t.Parallel()
	draw := func() []string {
		f := jirasim.RandomFaults(42, 0.5, jirasim.FaultServerError, jirasim.FaultTooManyRequests)
		var out []string
		for range 40 {
			if r := f(nil); r != nil {
				out = append(out, strconv.Itoa(r.Status))
			} else {
				out = append(out, "-")
			}
		}
		return out
	}
	a, b := draw(), draw()
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatal("the same seed gave different faults")
	}
	hits := 0
	for _, s := range a {
		if s != "-" {
			hits++
		}
	}
	if hits < 10 || hits > 30 {
		t.Fatalf("%d faults in 40 at rate 0.5", hits)
	}
}
