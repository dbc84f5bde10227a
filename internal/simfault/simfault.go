// Package simfault is what the GitHub and Jira simulators share for
// injecting faults: a seeded random choice of fault kinds, and the
// delay-or-drop part of serving one. Each simulator keeps its own fault
// kinds and answers, which are the vendor's.
package simfault

import (
	"math/rand"
	"net"
	"net/http"
	"sync"
	"time"
)

// Random returns a hook that, with probability rate, answers a request
// with make(k) for one of kinds chosen uniformly; the same seed gives the
// same sequence of faults. It returns nil for requests it lets through.
func Random[K any, R any](seed int64, rate float64, kinds []K, make func(K) *R) func(*http.Request) *R {
	var mu sync.Mutex
	rng := rand.New(rand.NewSource(seed))
	return func(*http.Request) *R {
		mu.Lock()
		hit := rng.Float64() < rate
		k := kinds[rng.Intn(len(kinds))]
		mu.Unlock()
		if !hit {
			return nil
		}
		return make(k)
	}
}

// DelayOrDrop waits delay (or until the client gives up), then drops the
// connection when drop is set. finished reports that the request needs no
// answer; status is what was sent instead of dropping (HTTP/2 cannot be
// dropped), 0 otherwise.
func DelayOrDrop(w http.ResponseWriter, r *http.Request, delay time.Duration, drop bool) (finished bool, status int) {
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true, 0 // the client gave up; nobody to answer
		}
	}
	if !drop {
		return false, 0
	}
	if !hijack(w) {
		w.WriteHeader(http.StatusBadGateway) // cannot drop: the closest thing
		return true, http.StatusBadGateway
	}
	return true, 0
}

// hijack closes the connection at once, with a reset where possible.
func hijack(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
	return true
}

// Drop closes the connection of w at once, with a TCP reset where
// possible, instead of answering: what a crashed server or a proxy that
// gave up leaves the client with. It reports false when the connection
// cannot be taken over (HTTP/2); the caller then answers instead.
func Drop(w http.ResponseWriter) bool { return hijack(w) }
