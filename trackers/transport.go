package trackers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pmsync/pmsync/internal/retry"
)

// Transport is the HTTP layer every tracker adapter sends through. In one
// place it:
//   - paces mutating requests (serialized, at least WriteInterval apart);
//   - waits out rate-limit answers (429, and 403 or 503 that say so) using
//     Retry-After, else X-RateLimit-Reset (epoch seconds on GitHub, ISO 8601
//     on Jira), else a minute doubling; a wait is never a failure;
//   - retries 5xx answers and network errors (not those retry.Classify
//     calls final, such as a certificate that does not verify) with the
//     backoff of retry.Policy, but
//     only for requests that are safe to repeat (GET, HEAD, PUT, DELETE, or
//     a context marked with Idempotent): a POST that timed out may have
//     created a ticket, and the marker lookup of the next run recovers it;
//   - counts requests, so tests and benchmarks can compare API calls with
//     the minimum.
//
// 4xx answers other than rate limits are returned at once, never retried.
type Transport struct {
	Base          http.RoundTripper
	Tracker       string // name, for errors
	WriteInterval time.Duration
	Clock         Clock
	// MaxRetries is how often a failed safe request is repeated (default 4).
	MaxRetries int
	// MaxWait is the longest rate-limit wait accepted (default 15 min);
	// a longer one ends the request with a *RateLimitError.
	MaxWait time.Duration
	// Backoff is the first retry delay (default 1 s), doubled each time
	// up to a minute (retry.Policy).
	Backoff time.Duration
	// MaxBody caps one response body (default DefaultMaxBody): reading
	// more fails with a *BodyTooLargeError, so a server (or something
	// posing as one) cannot fill the run's memory.
	MaxBody int64

	writeMu   sync.Mutex
	lastWrite time.Time

	mu           sync.Mutex
	blockedUntil time.Time

	Stats Stats
}

// Stats counts what a transport sent.
type Stats struct {
	Requests    atomic.Int64 // every request sent, retries included
	Writes      atomic.Int64 // mutating requests sent
	Retries     atomic.Int64
	RateLimited atomic.Int64 // rate-limit answers waited out
	Errors      atomic.Int64 // requests that ended in an error or a 4xx/5xx answer

	// Counted by the adapters, not by the transport: what the requests
	// did, for the caller to report its writes.
	Nudges   atomic.Int64 // follow-up steps taken (Nudger.Nudge: label added, comment posted)
	Comments atomic.Int64 // comments posted (Nudge, Comment, CloseDuplicate)
	// Settling a follow-up step (Step.Run): one listing of the ticket's
	// comments per follow-up comment posted (its pages are Requests), and
	// a delete of ours when another run posted the same step first.
	SettleLists  atomic.Int64
	TwinsDeleted atomic.Int64
}

type idempotentKey struct{}

// Idempotent marks a request context as safe to repeat after a 5xx or a
// network error (e.g. a PATCH that sets a state).
func Idempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

func (t *Transport) clock() Clock {
	if t.Clock == nil {
		return RealClock{}
	}
	return t.Clock
}

func safe(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	v, _ := r.Context().Value(idempotentKey{}).(bool)
	return v
}

func mutating(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions
}

// RoundTrip sends req, pacing, waiting and retrying as described above.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.roundTrip(req)
	if err != nil || resp.StatusCode >= 400 {
		t.Stats.Errors.Add(1)
	}
	if err == nil {
		if resp, err = t.capBody(req, resp); err != nil {
			t.Stats.Errors.Add(1)
			return nil, err
		}
		redactEcho(resp) // before any SDK reads it; see transport_redact.go
	}
	return resp, err
}

// DefaultMaxBody is the default cap on one response body: the largest
// listing page a tracker sends is a few MiB.
const DefaultMaxBody = 32 << 20

// BodyTooLargeError is a response larger than Transport.MaxBody.
type BodyTooLargeError struct {
	Tracker, Method, Path string
	Max                   int64
}

func (e *BodyTooLargeError) Error() string {
	size := fmt.Sprintf("%d MiB", e.Max>>20)
	if e.Max%(1<<20) != 0 {
		size = fmt.Sprintf("%d bytes", e.Max)
	}
	return fmt.Sprintf("%s: the answer to %s %s is larger than %s; no tracker sends that much: check base_url, or raise trackers.%s.max_response_bytes",
		e.Tracker, e.Method, e.Path, size, e.Tracker)
}

// capBody refuses a response that announces more than MaxBody and limits
// what is read of one that does not say.
func (t *Transport) capBody(req *http.Request, resp *http.Response) (*http.Response, error) {
	max := t.MaxBody
	if max <= 0 {
		max = DefaultMaxBody
	}
	tooLarge := &BodyTooLargeError{Tracker: t.Tracker, Method: req.Method, Path: req.URL.Path, Max: max}
	if resp.ContentLength > max {
		resp.Body.Close()
		return nil, tooLarge
	}
	resp.Body = &cappedBody{rc: resp.Body, left: max, err: tooLarge}
	return resp, nil
}

// cappedBody reads at most left bytes and then fails with err.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
	err  error
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		if n, err := c.rc.Read(one[:]); n > 0 {
			return 0, c.err
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }

func (t *Transport) roundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	p := retry.Policy{Retries: t.MaxRetries, First: t.Backoff}
	if p.Retries == 0 {
		p.Retries = 4
	}
	ctx := req.Context()
	c := t.clock()
	rateWaits, sends := 0, 0
	for attempt := 0; ; attempt++ {
		if err := t.waitBlocked(ctx); err != nil {
			return nil, err
		}
		r, err := rewind(req, sends)
		sends++
		if err != nil {
			return nil, err
		}
		resp, err := t.send(base, r)
		if err != nil {
			if safe(req) && attempt < p.Retries && retryable(ctx, err) {
				t.Stats.Retries.Add(1)
				if err := c.Sleep(ctx, p.Delay(attempt)); err != nil {
					return nil, err
				}
				continue
			}
			return nil, err
		}
		if wait, limited := rateLimitWait(resp, c.Now(), rateWaits); limited {
			t.Stats.RateLimited.Add(1)
			max := t.MaxWait
			if max == 0 {
				max = 15 * time.Minute
			}
			until := c.Now().Add(wait)
			if wait > max || rateWaits >= 8 {
				drain(resp)
				return nil, &RateLimitError{Tracker: t.Tracker, Until: until}
			}
			drain(resp)
			t.block(until)
			rateWaits++
			attempt-- // a rate-limited request was not processed: not a retry
			continue
		}
		// 429 never gets here: it is a rate limit, waited out above.
		if retry.Status(resp.StatusCode) && safe(req) && attempt < p.Retries {
			drain(resp)
			t.Stats.Retries.Add(1)
			if err := c.Sleep(ctx, p.Delay(attempt)); err != nil {
				return nil, err
			}
			continue
		}
		return resp, nil
	}
}

// retryable reports whether a request that failed with err, whose
// context is ctx, is worth sending again.
func retryable(ctx context.Context, err error) bool {
	switch {
	case ctx.Err() != nil:
		return false
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		// The request's context lives on, so this is the deadline Timeout
		// puts on one exchange, below this transport: a timeout.
		return true
	}
	// What the shared rules do not know is still an error of the exchange
	// (a round tripper returns nothing else): worth another try.
	return retry.Classify(err) != retry.Never
}

// send paces mutating requests and counts.
func (t *Transport) send(base http.RoundTripper, r *http.Request) (*http.Response, error) {
	t.Stats.Requests.Add(1)
	if !mutating(r) {
		return base.RoundTrip(r)
	}
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	c := t.clock()
	if !t.lastWrite.IsZero() {
		if d := t.WriteInterval - c.Now().Sub(t.lastWrite); d > 0 {
			if err := c.Sleep(r.Context(), d); err != nil {
				return nil, err
			}
		}
	}
	t.Stats.Writes.Add(1)
	resp, err := base.RoundTrip(r)
	t.lastWrite = c.Now()
	return resp, err
}

func (t *Transport) block(until time.Time) {
	t.mu.Lock()
	if until.After(t.blockedUntil) {
		t.blockedUntil = until
	}
	t.mu.Unlock()
}

// waitBlocked holds every request while a rate limit is in force: GitHub
// asks clients not to send anything until the reset.
func (t *Transport) waitBlocked(ctx context.Context) error {
	t.mu.Lock()
	until := t.blockedUntil
	t.mu.Unlock()
	c := t.clock()
	if d := until.Sub(c.Now()); d > 0 {
		return c.Sleep(ctx, d)
	}
	return ctx.Err()
}

// rewind returns req for attempt n, with a fresh body.
func rewind(req *http.Request, n int) (*http.Request, error) {
	if n == 0 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("request body cannot be replayed")
	}
	b, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = b
	return r, nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
}

// rateLimitWait tells a rate-limit answer and how long to wait. The body
// is read (up to 64 KiB) for GitHub's secondary-limit message and put back.
func rateLimitWait(resp *http.Response, now time.Time, previous int) (time.Duration, bool) {
	h := resp.Header
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
	case http.StatusServiceUnavailable:
		if h.Get("Retry-After") == "" {
			return 0, false
		}
	case http.StatusForbidden:
		if h.Get("X-RateLimit-Remaining") != "0" && h.Get("Retry-After") == "" && !secondaryLimitBody(resp) {
			return 0, false
		}
	default:
		return 0, false
	}
	if wait, ok := retry.After(h.Get("Retry-After"), now); ok {
		return wait, true
	}
	if h.Get("X-RateLimit-Remaining") == "0" || resp.StatusCode == http.StatusTooManyRequests {
		if wait, ok := retry.Reset(h.Get("X-RateLimit-Reset"), now); ok {
			return wait, true
		}
	}
	// No hint: GitHub says wait at least a minute, then back off.
	return noHint.Delay(previous), true
}

// noHint is the schedule of rate-limit waits the answer gives no length
// for: a minute, doubled up to 16.
var noHint = retry.Policy{First: time.Minute, Max: 16 * time.Minute}

func secondaryLimitBody(resp *http.Response) bool {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	s := strings.ToLower(string(b))
	return strings.Contains(s, "secondary rate limit") || strings.Contains(s, "abuse") || strings.Contains(s, "rate limit exceeded")
}

// String describes the counters, for logs.
func (s *Stats) String() string {
	return fmt.Sprintf("%d requests (%d writes, %d retries, %d rate-limited, %d errors)", s.Requests.Load(), s.Writes.Load(), s.Retries.Load(), s.RateLimited.Load(), s.Errors.Load())
}
