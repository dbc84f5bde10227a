// Package retry is the one retry policy and error classifier of every
// remote pmsync talks to: the trackers' HTTP APIs (trackers.Transport)
// and the git remote of the source (sync/source). Both used to decide on
// their own which failures were worth another attempt and how long to
// wait; kept apart, the two answers drifted (which TLS failures are
// final, how a Retry-After is read). Here they are decided once.
//
// Each remote keeps what only it knows: the trackers their rate-limit
// rules, the git source go-git's error types, which it adds through a
// Classifier. The package imports no other package of pmsync, so that
// both can import it.
package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"
)

// Defaults of a Policy.
const (
	DefaultFirst = time.Second
	DefaultMax   = time.Minute
)

// Policy is how many times and after how long a failed attempt is
// repeated.
type Policy struct {
	// Retries is how many times a failed attempt is repeated; the caller
	// applies its default.
	Retries int
	// First is the wait before the first retry (default DefaultFirst),
	// doubled before each next one up to Max (default DefaultMax).
	First, Max time.Duration
	// MaxAfter is the longest wait a server may ask for (Retry-After)
	// that is waited out; a longer one is left to the next run.
	MaxAfter time.Duration
}

// Delay is the backoff before retry n (0: the first): First doubled n
// times, never more than Max.
func (p Policy) Delay(n int) time.Duration {
	d, limit := cmpOr(p.First, DefaultFirst), cmpOr(p.Max, DefaultMax)
	for i := 0; i < n && d < limit; i++ {
		if d > limit/2 { // doubling would pass the cap (or overflow)
			return limit
		}
		d *= 2
	}
	return min(d, limit)
}

// Wait is the wait before retry n when the server asked to wait after
// (0: it did not say): the backoff, or after when that is longer.
func (p Policy) Wait(n int, after time.Duration) time.Duration {
	return max(p.Delay(n), after)
}

// cmpOr is d, or def when d is not positive.
func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Sleep waits for d, or until ctx ends, whichever comes first: a retry
// never waits past the run's context (SIGTERM, the run's deadline). It
// returns ctx.Err() when ctx ended first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Status reports whether an HTTP answer with this status is worth
// asking again: 429 (too many requests) and 5xx.
func Status(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// After reads a Retry-After header, in seconds or as an HTTP date, at
// now: how long the server asked to wait, and false when the header is
// absent or unreadable. A moment already past (a negative number, a date
// before now) is a wait of 0.
func After(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return seconds(n), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Reset reads a rate-limit reset header (X-RateLimit-Reset), in epoch
// seconds (GitHub) or RFC 3339 (Jira), at now: how long until the
// limit is lifted, plus a second since the header is rounded down to
// the second; false when the header is absent or unreadable.
func Reset(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return max(time.Unix(n, 0).Sub(now), 0) + time.Second, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return max(t.Sub(now), 0) + time.Second, true
	}
	return 0, false
}

// seconds is n seconds, 0 when negative, and the longest duration when
// n seconds would overflow one (a server asking for centuries is
// refused as asking for too long, not waited out as a random number).
func seconds(n int64) time.Duration {
	switch {
	case n < 0:
		return 0
	case n > int64(math.MaxInt64/time.Second):
		return math.MaxInt64
	}
	return time.Duration(n) * time.Second
}

// Verdict is what Classify makes of the error of one failed attempt.
type Verdict int8

const (
	// Unknown: no rule knows the error. Where every error comes from the
	// exchange (an http.RoundTripper's) it is worth retrying; where it
	// may come from local state (go-git's: a damaged clone) it is not.
	// The caller says which.
	Unknown Verdict = iota
	// Retry: the exchange failed in a way that need not happen again: a
	// connection reset, refused (a restarting server), closed early
	// (EOF) or broken (broken pipe), a timeout.
	Retry
	// Never: asking again cannot help: the server's identity does not
	// verify (a TLS certificate, an SSH host key), the TLS handshake or
	// the SSH authentication was refused, or the context of the
	// operation ended.
	Never
)

func (v Verdict) String() string {
	switch v {
	case Retry:
		return "retry"
	case Never:
		return "never"
	}
	return "unknown"
}

// Classifier classifies errors by the rules of this package, plus those
// of one remote. The zero value knows the network-level rules only.
type Classifier struct {
	// Never reports a remote's own error that retrying cannot fix (a
	// refused token, a missing repository). It is called on err and on
	// each error it wraps, after the rules of this package.
	Never func(error) bool
	// Unwrap opens a remote's wrappers that have no Unwrap method (go-git's
	// plumbing.UnexpectedError): the error inside, or nil.
	Unwrap func(error) error
}

// Classify is the zero Classifier's Classify.
func Classify(err error) Verdict { return Classifier{}.Classify(err) }

// Classify tells whether the failure err is worth another attempt. A
// rule that says Never wins over one that says Retry anywhere in the
// chain: a reset that followed a refused host key is still refused.
func (c Classifier) Classify(err error) Verdict {
	switch {
	case err == nil:
		return Unknown
	case c.Walk(err, func(e error) bool { return never(e) || c.Never != nil && c.Never(e) }):
		return Never
	case c.Walk(err, transient) || flattened(err.Error()):
		return Retry
	}
	return Unknown
}

// Walk calls f on err and on each error it wraps, until f returns true,
// and reports whether it did. Unlike errors.As it also opens the
// wrappers c.Unwrap knows.
func (c Classifier) Walk(err error, f func(error) bool) bool {
	for err != nil {
		if f(err) {
			return true
		}
		if c.Unwrap != nil {
			if inner := c.Unwrap(err); inner != nil {
				err = inner
				continue
			}
		}
		switch e := err.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				if c.Walk(x, f) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = e.Unwrap()
		default:
			return false
		}
	}
	return false
}

// never is the rule for one error of a chain: asking again cannot help.
func never(e error) bool {
	switch e.(type) {
	case *tls.CertificateVerificationError, x509.UnknownAuthorityError, x509.HostnameError,
		x509.CertificateInvalidError, x509.SystemRootsError, tls.RecordHeaderError, tls.AlertError,
		*knownhosts.KeyError, *knownhosts.RevokedError:
		return true
	}
	// The context's own values, not errors.Is: net's dial timeout says it
	// is context.DeadlineExceeded, and it is a timeout like any other,
	// not the end of the run.
	if e == context.Canceled || e == context.DeadlineExceeded {
		return true
	}
	// The SSH client's messages, where it keeps no error value.
	s := e.Error()
	return strings.Contains(s, "unable to authenticate") || strings.Contains(s, "knownhosts:") || strings.Contains(s, "host key")
}

// transient is the rule for one error of a chain: the exchange failed in
// a way that need not happen again.
func transient(e error) bool {
	if errors.Is(e, io.EOF) || errors.Is(e, io.ErrUnexpectedEOF) ||
		errors.Is(e, syscall.ECONNRESET) || errors.Is(e, syscall.ECONNABORTED) || errors.Is(e, syscall.EPIPE) ||
		// A server restarting (a rolling update) refuses for a moment; a
		// wrong port costs the run a few seconds of retries.
		errors.Is(e, syscall.ECONNREFUSED) {
		return true
	}
	ne, ok := e.(net.Error)
	return ok && ne.Timeout()
}

// flattened reports the network failures of transient in an error
// flattened into text ("error decoding upload-pack response: %s", as
// go-git reports them over SSH).
func flattened(s string) bool {
	for _, t := range []string{"connection reset by peer", "broken pipe", "unexpected EOF", "i/o timeout"} {
		if strings.Contains(s, t) {
			return true
		}
	}
	return s == "EOF" || strings.HasSuffix(s, ": EOF")
}
