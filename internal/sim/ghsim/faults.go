package ghsim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pmsync/pmsync/internal/simfault"
)

// FaultResponse is what a fault hook makes of a request. The simulator's
// rate-limit headers are sent with it unless Header overrides them.
type FaultResponse struct {
	// Status is the answer's status; 0 means no answer of its own: after
	// Delay the request is handled normally (a slow server).
	Status int
	Header http.Header
	Body   string
	// Delay is waited before answering; it ends early, with no answer,
	// when the client gives up (its timeout or cancellation).
	Delay time.Duration
	// Drop closes the connection with a TCP reset instead of answering.
	Drop bool
	// ResetAfter, when positive, makes the answer a primary rate-limit one:
	// X-RateLimit-Remaining 0 and X-RateLimit-Reset this long after now.
	ResetAfter time.Duration
}

// FaultKind names the faults NewFault builds.
type FaultKind int

// The fault kinds. Retry-After and reset times are short (1 s) so tests
// that wait them out stay fast.
const (
	FaultServerError                FaultKind = iota + 1 // 500
	FaultBadGateway                                      // 502
	FaultUnavailable                                     // 503
	FaultTimeout                                         // no answer for a minute, then a reset
	FaultReset                                           // connection reset, no answer
	FaultSecondaryLimit                                  // 403 secondary limit with Retry-After
	FaultSecondaryLimitNoRetryAfter                      // 403 secondary limit, message only
	FaultTooManyRequests                                 // 429 with Retry-After
	FaultPrimaryLimit                                    // 403 with X-RateLimit-Remaining 0
)

// AllFaultKinds lists every kind, for RandomFaults.
var AllFaultKinds = []FaultKind{
	FaultServerError, FaultBadGateway, FaultUnavailable, FaultTimeout, FaultReset,
	FaultSecondaryLimit, FaultSecondaryLimitNoRetryAfter, FaultTooManyRequests, FaultPrimaryLimit,
}

func (k FaultKind) String() string {
	switch k {
	case FaultServerError:
		return "server-error"
	case FaultBadGateway:
		return "bad-gateway"
	case FaultUnavailable:
		return "unavailable"
	case FaultTimeout:
		return "timeout"
	case FaultReset:
		return "reset"
	case FaultSecondaryLimit:
		return "secondary-limit"
	case FaultSecondaryLimitNoRetryAfter:
		return "secondary-limit-no-retry-after"
	case FaultTooManyRequests:
		return "too-many-requests"
	case FaultPrimaryLimit:
		return "primary-limit"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// NewFault returns GitHub's answer for kind.
func NewFault(kind FaultKind) *FaultResponse {
	jsonBody := func(v any) string { b, _ := encode(v); return string(b) }
	retryAfter := http.Header{"Retry-After": {"1"}}
	switch kind {
	case FaultServerError:
		return &FaultResponse{Status: 500, Body: jsonBody(errorBody("Server Error", "", 0))}
	case FaultBadGateway:
		// GitHub's edge answers 502 with an HTML page.
		return &FaultResponse{Status: 502, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			Body: "<html><body><h1>502 Bad Gateway</h1></body></html>\n"}
	case FaultUnavailable:
		return &FaultResponse{Status: 503, Body: jsonBody(map[string]any{
			"message": "Service Unavailable", "documentation_url": "https://docs.github.com/rest", "code": "unavailable"})}
	case FaultTimeout:
		return &FaultResponse{Delay: time.Minute, Drop: true}
	case FaultReset:
		return &FaultResponse{Drop: true}
	case FaultSecondaryLimit:
		return &FaultResponse{Status: 403, Header: retryAfter, Body: jsonBody(secondaryBody())}
	case FaultSecondaryLimitNoRetryAfter:
		return &FaultResponse{Status: 403, Body: jsonBody(secondaryBody())}
	case FaultTooManyRequests:
		return &FaultResponse{Status: 429, Header: retryAfter, Body: jsonBody(secondaryBody())}
	case FaultPrimaryLimit:
		return &FaultResponse{Status: 403, ResetAfter: time.Second, Body: jsonBody(errorBody(
			"API rate limit exceeded for user ID 1.",
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit", 403))}
	}
	return nil
}

// RandomFaults returns a fault hook that, with probability rate, answers a
// request with one of kinds (all kinds when none are given), chosen
// uniformly. The same seed gives the same sequence of faults.
func RandomFaults(seed int64, rate float64, kinds ...FaultKind) func(*http.Request) *FaultResponse {
	if len(kinds) == 0 {
		kinds = AllFaultKinds
	}
	return simfault.Random(seed, rate, kinds, NewFault)
}

// serveFault carries out f; it reports whether the request is finished.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f *FaultResponse, call *Call) bool {
	if done, status := simfault.DelayOrDrop(w, r, f.Delay, f.Drop); done {
		if status != 0 {
			call.Status = status
		}
		return true
	}
	if f.Status == 0 {
		return false
	}
	s.mu.Lock()
	now := s.opts.Now()
	login, _, _ := s.authenticate(r)
	b := *s.bucketLocked(login, now)
	if f.ResetAfter > 0 {
		b = bucket{remaining: 0, reset: now.Add(f.ResetAfter)}
	}
	call.Login = login
	h := w.Header()
	s.setRateHeaders(h, &b, s.opts.RateLimit)
	s.mu.Unlock()
	for k, vs := range f.Header {
		h[k] = vs
	}
	if f.Body != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json; charset=utf-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
	call.Status = f.Status
	return true
}
