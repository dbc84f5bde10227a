package testkit

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// FaultOn answers the first n requests for which match is true with f(),
// and lets every other request through (nil). R is a simulator's fault
// answer (ghsim.FaultResponse, jirasim.FaultResponse), so the hook fits
// its Fault option or SetFault.
func FaultOn[R any](n int, match func(*http.Request) bool, f func() *R) func(*http.Request) *R {
	var hits atomic.Int64
	return func(r *http.Request) *R {
		if !match(r) || hits.Add(1) > int64(n) {
			return nil
		}
		return f()
	}
}

// Match is true for requests with this method whose path ends in
// pathSuffix.
func Match(method, pathSuffix string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		return r.Method == method && strings.HasSuffix(r.URL.Path, pathSuffix)
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent use: a log that a
// tracker's goroutines or a child process's copier write while the test
// reads it.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// PathLog records what reached a test server ("METHOD /path"), safe for
// the server's concurrent handlers.
type PathLog struct {
	mu sync.Mutex
	p  []string
}

// Add records one request.
func (l *PathLog) Add(s string) {
	l.mu.Lock()
	l.p = append(l.p, s)
	l.mu.Unlock()
}

// All returns a copy of what was recorded, in order.
func (l *PathLog) All() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.p...)
}
