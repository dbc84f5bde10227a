package jirasim

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/pmsync/pmsync/internal/simfault"
)

// FaultResponse is what a fault hook makes of a request.
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
	// RetryAfter, when positive, adds Retry-After (whole seconds, rounded
	// up) and, on a 429, the flavour's rate-limit headers: on Cloud
	// X-RateLimit-Reset as an ISO 8601 time (RetryAfter after the
	// simulator's now), X-RateLimit-Limit, -Remaining and RateLimit-Reason;
	// on Data Center X-RateLimit-Limit, -Remaining, -Interval-Seconds and
	// -FillRate.
	RetryAfter time.Duration
}

// FaultKind names the faults NewFault builds.
type FaultKind int

// The fault kinds. Retry-After times are short (1 s) so tests that wait
// them out stay fast.
const (
	FaultServerError                 FaultKind = iota + 1 // 500
	FaultBadGateway                                       // 502, an HTML page from the edge
	FaultUnavailable                                      // 503 with Retry-After
	FaultTimeout                                          // no answer for a minute, then a reset
	FaultReset                                            // connection reset, no answer
	FaultTooManyRequests                                  // 429 with Retry-After and rate-limit headers
	FaultTooManyRequestsNoRetryAfter                      // 429 without Retry-After (Jira says it "may" send one)
)

// AllFaultKinds lists every kind, for RandomFaults.
var AllFaultKinds = []FaultKind{
	FaultServerError, FaultBadGateway, FaultUnavailable, FaultTimeout, FaultReset,
	FaultTooManyRequests, FaultTooManyRequestsNoRetryAfter,
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
	case FaultTooManyRequests:
		return "too-many-requests"
	case FaultTooManyRequestsNoRetryAfter:
		return "too-many-requests-no-retry-after"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// NewFault returns Jira's answer for kind.
func NewFault(kind FaultKind) *FaultResponse {
	jsonBody := func(msg string) string {
		b, _ := encode(errorCollection{ErrorMessages: []string{msg}, Errors: map[string]string{}})
		return string(b)
	}
	switch kind {
	case FaultServerError:
		return &FaultResponse{Status: 500, Body: jsonBody("Internal server error")}
	case FaultBadGateway:
		return &FaultResponse{Status: 502, Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}},
			Body: "<html><body><h1>502 Bad Gateway</h1></body></html>\n"}
	case FaultUnavailable:
		return &FaultResponse{Status: 503, RetryAfter: time.Second, Body: jsonBody("Service Unavailable")}
	case FaultTimeout:
		return &FaultResponse{Delay: time.Minute, Drop: true}
	case FaultReset:
		return &FaultResponse{Drop: true}
	case FaultTooManyRequests:
		return &FaultResponse{Status: 429, RetryAfter: time.Second, Body: jsonBody("Rate limit exceeded.")}
	case FaultTooManyRequestsNoRetryAfter:
		return &FaultResponse{Status: 429, Body: jsonBody("Rate limit exceeded.")}
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
	h := w.Header()
	if f.RetryAfter > 0 {
		secs := int((f.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(secs))
		if f.Status == http.StatusTooManyRequests {
			s.mu.Lock()
			now := s.opts.Now()
			s.mu.Unlock()
			h.Set("X-RateLimit-Limit", "100")
			h.Set("X-RateLimit-Remaining", "0")
			if s.opts.Flavor == Cloud {
				h.Set("X-RateLimit-Reset", now.Add(f.RetryAfter).UTC().Format("2006-01-02T15:04:05Z"))
				h.Set("RateLimit-Reason", "jira-burst-based")
			} else {
				h.Set("X-RateLimit-Interval-Seconds", "1")
				h.Set("X-RateLimit-FillRate", "10")
			}
		}
	}
	for k, vs := range f.Header {
		h[k] = vs
	}
	if f.Body != "" && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json;charset=UTF-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
	call.Status = f.Status
	return true
}
