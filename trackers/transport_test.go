package trackers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim"
)

// script answers the n-th request with steps[n] (the last one repeats).
func script(t *testing.T, clock *sim.Clock, steps ...func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(steps) {
			i = len(steps) - 1
		}
		steps[i](w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func status(code int, hdr ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(code)
		if code == http.StatusForbidden && len(hdr)%2 == 1 {
			io.WriteString(w, hdr[len(hdr)-1])
		}
	}
}

func do(t *testing.T, tr *Transport, method, url string) (*http.Response, error) {
	t.Helper()
	if tr.Base == nil {
		// Not http.DefaultTransport: every httptest.Server's Close closes
		// its idle connections, under the feet of parallel tests
		// ("http: CloseIdleConnections called").
		base := &http.Transport{}
		t.Cleanup(base.CloseIdleConnections)
		tr.Base = base
	}
	req, _ := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(`{"a":1}`))
	return tr.RoundTrip(req)
}

func TestTransportWaitsOutRateLimits(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		step func(http.ResponseWriter, *http.Request)
		wait time.Duration
	}{
		{"429 retry-after", status(429, "Retry-After", "30"), 30 * time.Second},
		{"403 primary reset", status(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", strconv.FormatInt(start.Add(90*time.Second).Unix(), 10)), 91 * time.Second},
		{"403 secondary without headers", status(403, `{"message":"You have exceeded a secondary rate limit."}`), time.Minute},
		{"429 jira iso reset", status(429, "X-RateLimit-Reset", start.Add(10*time.Second).Format(time.RFC3339)), 11 * time.Second},
		{"503 retry-after", status(503, "Retry-After", "5"), 5 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := sim.NewClock(start)
			srv, n := script(t, clock, tc.step, status(201))
			tr := &Transport{Clock: clock, Tracker: "gh"}
			// POST: a rate-limited request was not processed, so even a
			// create is sent again.
			resp, err := do(t, tr, http.MethodPost, srv.URL)
			if err != nil || resp.StatusCode != 201 {
				t.Fatalf("resp %v err %v", resp, err)
			}
			if n.Load() != 2 || clock.Slept() != tc.wait {
				t.Fatalf("%d requests, waited %v; want 2 and %v", n.Load(), clock.Slept(), tc.wait)
			}
		})
	}
}

func TestTransportRetriesOnlySafeRequests(t *testing.T) {
	t.Parallel()
	clock := sim.NewClock(time.Unix(0, 0))
	srv, n := script(t, clock, status(502), status(500), status(200))
	tr := &Transport{Clock: clock}
	resp, err := do(t, tr, http.MethodGet, srv.URL)
	if err != nil || resp.StatusCode != 200 || n.Load() != 3 {
		t.Fatalf("GET: %v %v after %d requests", resp, err, n.Load())
	}
	srv2, n2 := script(t, clock, status(502), status(201))
	resp, err = do(t, tr, http.MethodPost, srv2.URL)
	if err != nil || resp.StatusCode != 502 || n2.Load() != 1 {
		t.Fatalf("POST after 502 must not be repeated: %v %v, %d requests", resp, err, n2.Load())
	}
	req, _ := http.NewRequestWithContext(Idempotent(context.Background()), http.MethodPatch, srv2.URL, strings.NewReader("{}"))
	resp, err = tr.RoundTrip(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("idempotent PATCH: %v %v", resp, err)
	}
	srv3, n3 := script(t, clock, status(422))
	resp, _ = do(t, tr, http.MethodGet, srv3.URL)
	if resp.StatusCode != 422 || n3.Load() != 1 {
		t.Fatalf("4xx retried: %d requests", n3.Load())
	}
}

func TestTransportGivesUpOnLongWaits(t *testing.T) {
	t.Parallel()
	clock := sim.NewClock(time.Unix(0, 0))
	srv, _ := script(t, clock, status(429, "Retry-After", "3600"))
	tr := &Transport{Clock: clock, MaxWait: time.Minute, Tracker: "gh"}
	_, err := do(t, tr, http.MethodGet, srv.URL)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Tracker != "gh" {
		t.Fatalf("err = %v, want *RateLimitError", err)
	}
}

func TestTransportPacesWrites(t *testing.T) {
	t.Parallel()
	clock := sim.NewClock(time.Unix(0, 0))
	var times []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			times = append(times, clock.Now())
		}
	}))
	defer srv.Close()
	tr := &Transport{Clock: clock, WriteInterval: time.Second}
	for i := 0; i < 5; i++ {
		if _, err := do(t, tr, http.MethodPost, srv.URL); err != nil {
			t.Fatal(err)
		}
		if _, err := do(t, tr, http.MethodGet, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i < len(times); i++ {
		if d := times[i].Sub(times[i-1]); d < time.Second {
			t.Fatalf("writes %d and %d only %v apart", i-1, i, d)
		}
	}
	if tr.Stats.Writes.Load() != 5 || tr.Stats.Requests.Load() != 10 {
		t.Fatalf("stats %s", &tr.Stats)
	}
}

// TestTransportDoesNotRetryUntrustedServers: a certificate that does not
// verify is refused at once (asking again will not make the server
// trustworthy), while a plain network error is retried.
func TestTransportDoesNotRetryUntrustedServers(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	clock := sim.NewClock(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	tr := &Transport{Base: http.DefaultTransport, Clock: clock}
	_, err := do(t, tr, http.MethodGet, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if n := tr.Stats.Retries.Load(); n != 0 {
		t.Fatalf("%d retries of an untrusted server", n)
	}
	if hits.Load() != 0 {
		t.Fatal("the untrusted server got a request")
	}
	// A closed port is a network error: retried.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tr = &Transport{Base: http.DefaultTransport, Clock: clock}
	if _, err := do(t, tr, http.MethodGet, closed.URL); err == nil {
		t.Fatal("closed server answered")
	}
	if n := tr.Stats.Retries.Load(); n != 4 {
		t.Fatalf("%d retries of a network error, want 4", n)
	}
}

// TestTransportCapsBodies: a listing answered with 2 GB (announced, or
// streamed without a length) used to be read whole; RSS reached 685 MB
// before the request timed out. Now reading stops at the cap (32 MiB by
// default) with an error that says which key raises it.
func TestTransportCapsBodies(t *testing.T) {
	t.Parallel()
	chunk := []byte(strings.Repeat(`{"number":1,"title":"x"},`, 1<<12))
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/announced" {
			w.Header().Set("Content-Length", strconv.Itoa(2<<30))
		}
		w.Write([]byte("["))
		for sent.Load() < 2<<30 {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	for _, path := range []string{"/announced", "/streamed"} {
		sent.Store(0)
		tr := &Transport{Tracker: "gh"}
		resp, err := do(t, tr, http.MethodGet, srv.URL+path+"?q=secret-looking")
		var n int64
		if err == nil {
			n, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		var tl *BodyTooLargeError
		if !errors.As(err, &tl) || !strings.Contains(err.Error(), "trackers.gh.max_response_bytes") || strings.Contains(err.Error(), "secret-looking") {
			t.Fatalf("%s: err %v, want a *BodyTooLargeError naming the key and not the query", path, err)
		}
		if n > DefaultMaxBody {
			t.Fatalf("%s: read %d bytes, more than the cap", path, n)
		}
	}
	// A smaller cap, configured.
	tr := &Transport{Tracker: "gh", MaxBody: 1 << 20}
	resp, err := do(t, tr, http.MethodGet, srv.URL+"/streamed")
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if !strings.Contains(fmt.Sprint(err), "larger than 1 MiB") {
		t.Fatalf("1 MiB cap: %v", err)
	}
}

// TestTransportRetryable: which failed exchanges of a safe request are
// sent again. The shared rules of internal/retry decide, except that a
// context error while the request's context lives is the deadline
// Timeout puts on one exchange, and an error no rule knows is still one
// of the exchange.
func TestTransportRetryable(t *testing.T) {
	t.Parallel()
	live := context.Background()
	ended, cancel := context.WithCancel(live)
	cancel()
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"reset", live, reset, true},
		{"one exchange's deadline (Timeout)", live, context.DeadlineExceeded, true},
		{"unknown error of the exchange", live, errors.New("http2: server sent GOAWAY"), true},
		{"DNS failure", live, &net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}, true},
		{"request's context ended", ended, reset, false},
		{"certificate", live, &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, false},
		{"no system roots", live, x509.SystemRootsError{}, false},
		{"TLS to a plain port", live, tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, false},
	}
	for _, tt := range tests {
		if got := retryable(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: retryable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
