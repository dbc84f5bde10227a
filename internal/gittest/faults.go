package gittest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/pmsync/pmsync/internal/simfault"
)

// Fault is what a fault hook makes of one smart-HTTP request (the
// info/refs advertisement, git-upload-pack for clone and fetch,
// git-receive-pack for push).
type Fault struct {
	// Status answers the request with this status and Body instead of
	// serving it; 0 serves it (after Delay: a slow remote).
	Status int
	Body   string
	// RetryAfter, when set, is sent as the Retry-After header ("0", "1").
	RetryAfter string
	// Delay is waited before anything else; it ends early, with no
	// answer, when the client gives up.
	Delay time.Duration
	// Drop resets the connection instead of answering.
	Drop bool
	// LoseAnswer serves the request (a push lands in the repository),
	// then resets the connection instead of sending the answer: the
	// client cannot tell whether its push happened.
	LoseAnswer bool
}

// FaultKind names the faults NewFault builds.
type FaultKind int

// The fault kinds. Waits are short so that tests stay fast.
const (
	FaultServerError     FaultKind = iota + 1 // 500
	FaultBadGateway                           // 502, an HTML page from a proxy
	FaultUnavailable                          // 503 with Retry-After: 1
	FaultTooManyRequests                      // 429 with Retry-After: 1
	FaultReset                                // connection reset, no answer
	FaultTimeout                              // no answer for TimeoutDelay, then a reset (a proxy giving up)
	FaultSlow                                 // served after SlowDelay
	FaultLostAnswer                           // served (a push lands), then a reset instead of the answer
)

// SlowDelay and TimeoutDelay are the waits of FaultSlow and FaultTimeout.
const (
	SlowDelay    = 150 * time.Millisecond
	TimeoutDelay = 400 * time.Millisecond
)

// AllFaultKinds lists every kind, for RandomFaults.
var AllFaultKinds = []FaultKind{
	FaultServerError, FaultBadGateway, FaultUnavailable, FaultTooManyRequests,
	FaultReset, FaultTimeout, FaultSlow, FaultLostAnswer,
}

func (k FaultKind) String() string {
	switch k {
	case FaultServerError:
		return "server-error"
	case FaultBadGateway:
		return "bad-gateway"
	case FaultUnavailable:
		return "unavailable"
	case FaultTooManyRequests:
		return "too-many-requests"
	case FaultReset:
		return "reset"
	case FaultTimeout:
		return "timeout"
	case FaultSlow:
		return "slow"
	case FaultLostAnswer:
		return "lost-answer"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// NewFault returns the fault of kind (nil for an unknown kind).
func NewFault(kind FaultKind) *Fault {
	switch kind {
	case FaultServerError:
		return &Fault{Status: http.StatusInternalServerError, Body: "Internal Server Error\n"}
	case FaultBadGateway:
		return &Fault{Status: http.StatusBadGateway, Body: "<html><body><h1>502 Bad Gateway</h1></body></html>\n"}
	case FaultUnavailable:
		return &Fault{Status: http.StatusServiceUnavailable, RetryAfter: "1", Body: "Service Unavailable\n"}
	case FaultTooManyRequests:
		return &Fault{Status: http.StatusTooManyRequests, RetryAfter: "1", Body: "Too Many Requests\n"}
	case FaultReset:
		return &Fault{Drop: true}
	case FaultTimeout:
		return &Fault{Delay: TimeoutDelay, Drop: true}
	case FaultSlow:
		return &Fault{Delay: SlowDelay}
	case FaultLostAnswer:
		return &Fault{LoseAnswer: true}
	}
	return nil
}

// RandomFaults returns a fault hook that, with probability rate, answers a
// request with one of kinds (all kinds when none are given), chosen
// uniformly. The same seed gives the same sequence of faults.
func RandomFaults(seed int64, rate float64, kinds ...FaultKind) func(*http.Request) *Fault {
	if len(kinds) == 0 {
		kinds = AllFaultKinds
	}
	return simfault.Random(seed, rate, kinds, NewFault)
}

// Call is one request the server received (after authentication).
type Call struct {
	Method  string
	Path    string // e.g. /repo.git/info/refs, /repo.git/git-receive-pack
	Service string // git-upload-pack (clone, fetch) or git-receive-pack (push)
	// Status is the answer's status; 0 when the connection was dropped or
	// the client gave up first.
	Status int
	Fault  bool // answered, delayed or dropped by the fault hook
	// Served is true when git http-backend handled the request (a push
	// was then applied, unless git refused it in its answer), whatever
	// the client was told.
	Served bool
}

// Push reports whether the call carried a push's objects and ref update.
func (c Call) Push() bool {
	return c.Method == http.MethodPost && c.Service == "git-receive-pack"
}

// SetFault sets the hook consulted before each request (nil: no faults);
// it may return nil to let a request through.
func (s *Server) SetFault(f func(*http.Request) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// Calls returns the requests received so far, in the order they ended.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallCount counts the calls for which filter returns true (all when nil).
func (s *Server) CallCount(filter func(Call) bool) int {
	n := 0
	for _, c := range s.Calls() {
		if filter == nil || filter(c) {
			n++
		}
	}
	return n
}

// ResetCalls forgets the calls received so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// serve answers one authenticated request with h, unless the fault hook
// says otherwise.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, h http.Handler) {
	s.mu.Lock()
	hook := s.fault
	s.mu.Unlock()
	var f *Fault
	if hook != nil {
		f = hook(r)
	}
	call := Call{Method: r.Method, Path: r.URL.Path, Service: service(r), Fault: f != nil}
	defer func() {
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
	}()
	if f != nil {
		if done, status := simfault.DelayOrDrop(w, r, f.Delay, f.Drop); done {
			call.Status = status
			return
		}
		switch {
		case f.LoseAnswer:
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			call.Served = rec.Code < 400
			if !simfault.Drop(w) {
				w.WriteHeader(http.StatusBadGateway)
				call.Status = http.StatusBadGateway
			}
			return
		case f.Status != 0:
			if f.RetryAfter != "" {
				w.Header().Set("Retry-After", f.RetryAfter)
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if strings.HasPrefix(f.Body, "<html>") {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			call.Status = f.Status
			return
		}
	}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h.ServeHTTP(sw, r)
	call.Status, call.Served = sw.status, sw.status < 400
}

// service is the git service a smart-HTTP request is for.
func service(r *http.Request) string {
	if s := r.URL.Query().Get("service"); s != "" {
		return s
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/git-upload-pack"):
		return "git-upload-pack"
	case strings.HasSuffix(r.URL.Path, "/git-receive-pack"):
		return "git-receive-pack"
	}
	return ""
}

// statusWriter remembers the status written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
