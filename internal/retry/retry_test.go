package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/testkit"
	"golang.org/x/crypto/ssh/knownhosts"
)

// TestHeaders: Retry-After in both forms, and the rate-limit reset of
// GitHub and Jira.
func TestHeaders(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	epoch := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name   string
		parse  func(string, time.Time) (time.Duration, bool)
		header string
		want   time.Duration
		ok     bool
	}{
		{"Retry-After absent", After, "", 0, false},
		{"Retry-After seconds", After, "30", 30 * time.Second, true},
		{"Retry-After seconds with spaces", After, " 7 ", 7 * time.Second, true},
		{"Retry-After zero", After, "0", 0, true},
		{"Retry-After negative: already past", After, "-5", 0, true},
		{"Retry-After centuries: the longest wait, not an overflow", After, "99999999999999999", math.MaxInt64, true},
		{"Retry-After HTTP date", After, now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"Retry-After HTTP date, RFC 850 form", After, now.Add(time.Hour).Format(time.RFC850), time.Hour, true},
		{"Retry-After HTTP date, ANSI C form", After, now.Add(2 * time.Second).Format(time.ANSIC), 2 * time.Second, true},
		{"Retry-After HTTP date already past", After, now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Retry-After unreadable", After, "soon", 0, false},
		{"Retry-After fraction", After, "1.5", 0, false},
		{"reset absent", Reset, "", 0, false},
		{"reset in epoch seconds (GitHub)", Reset, epoch(90 * time.Second), 91 * time.Second, true},
		{"reset in epoch seconds already past", Reset, epoch(-time.Hour), time.Second, true},
		{"reset in RFC 3339 (Jira)", Reset, now.Add(10 * time.Second).Format(time.RFC3339), 11 * time.Second, true},
		{"reset unreadable", Reset, "tomorrow", 0, false},
	}
	for _, tt := range tests {
		if got, ok := tt.parse(tt.header, now); got != tt.want || ok != tt.ok {
			t.Errorf("%s: %q = %v, %v; want %v, %v", tt.name, tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	for code, want := range map[int]bool{200: false, 400: false, 401: false, 403: false, 404: false, 413: false, 429: true, 500: true, 502: true, 503: true, 504: true} {
		if got := Status(code); got != want {
			t.Errorf("Status(%d) = %v, want %v", code, got, want)
		}
	}
}

// opaque wraps an error without an Unwrap method, as go-git's
// plumbing.UnexpectedError does.
type opaque struct{ err error }

func (o *opaque) Error() string { return "unexpected: " + o.err.Error() }

func TestClassify(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://api.example/x", Err: err} }
	opErr := func(op string, errno syscall.Errno) error {
		return urlErr(&net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)})
	}
	// A real dial timeout: net's error for it says it is
	// context.DeadlineExceeded, and is a timeout all the same.
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	_, dialTimeout := (&net.Dialer{}).DialContext(expired, "tcp", "127.0.0.1:9")
	if !errors.Is(dialTimeout, context.DeadlineExceeded) {
		t.Fatalf("dial with an expired context: %v, want an error that is context.DeadlineExceeded", dialTimeout)
	}
	tests := []struct {
		name string
		err  error
		want Verdict
	}{
		{"nil", nil, Unknown},
		// The server is not who it claims to be, or not speaking TLS.
		{"certificate by an unknown authority", urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), Never},
		{"x509 unknown authority", urlErr(x509.UnknownAuthorityError{}), Never},
		{"x509 host name", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "api.example"}), Never},
		{"x509 expired", urlErr(x509.CertificateInvalidError{Reason: x509.Expired}), Never},
		{"x509 no system roots", urlErr(x509.SystemRootsError{}), Never},
		{"TLS to a plain port", urlErr(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), Never},
		{"TLS alert", fmt.Errorf("handshake: %w%.0w", errors.New("bad certificate"), tls.AlertError(42)), Never},
		{"SSH host key mismatch", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{Want: []knownhosts.KnownKey{{}}}), Never},
		{"SSH host key revoked", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.RevokedError{}), Never},
		{"SSH host key, as text", errors.New("ssh: handshake failed: ssh: host key mismatch"), Never},
		{"SSH authentication", errors.New("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"), Never},
		// The run ended.
		{"context canceled", urlErr(context.Canceled), Never},
		{"context deadline (a timeout too)", urlErr(context.DeadlineExceeded), Never},
		{"canceled while waiting after a reset", fmt.Errorf("%w while waiting to retry after: %w", context.Canceled, opErr("read", syscall.ECONNRESET)), Never},
		{"a reset after a refused certificate", errors.Join(io.EOF, x509.HostnameError{Certificate: &x509.Certificate{}, Host: "api.example"}), Never},
		// The exchange failed; the next one may not.
		{"reset", opErr("read", syscall.ECONNRESET), Retry},
		{"aborted", opErr("read", syscall.ECONNABORTED), Retry},
		{"broken pipe", opErr("write", syscall.EPIPE), Retry},
		{"refused (a restarting server)", opErr("dial", syscall.ECONNREFUSED), Retry},
		{"EOF", urlErr(io.EOF), Retry},
		{"unexpected EOF", fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), Retry},
		{"read timeout", urlErr(&net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}), Retry},
		{"dial timeout", dialTimeout, Retry},
		{"EOF, flattened", errors.New("error decoding upload-pack response: EOF"), Retry},
		{"unexpected EOF, flattened", fmt.Errorf("error decoding upload-pack response: %s", io.ErrUnexpectedEOF), Retry},
		{"reset, flattened", errors.New("read tcp 10.0.0.1:443: read: connection reset by peer (flattened)"), Retry},
		{"timeout, flattened", errors.New("dial tcp 10.0.0.1:22: i/o timeout (flattened)"), Retry},
		// Nobody knows: the caller decides.
		{"unknown", errors.New("something else"), Unknown},
		{"DNS name not found", urlErr(&net.DNSError{Err: "no such host", Name: "api.example", IsNotFound: true}), Unknown},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("%s: Classify(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestClassifierExtends: a remote adds its own final errors, also behind
// wrappers without an Unwrap method, and they win over a transient cause.
func TestClassifierExtends(t *testing.T) {
	t.Parallel()
	errRefused := errors.New("authentication required")
	c := Classifier{
		Never: func(e error) bool { return errors.Is(e, errRefused) },
		Unwrap: func(e error) error {
			if o, ok := e.(*opaque); ok {
				return o.err
			}
			return nil
		},
	}
	tests := []struct {
		name      string
		err       error
		zero, ext Verdict
	}{
		{"the remote's final error", fmt.Errorf("clone: %w", errRefused), Unknown, Never},
		{"behind an opaque wrapper", &opaque{errRefused}, Unknown, Never},
		{"a refused connection behind an opaque wrapper", &opaque{&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}, Unknown, Retry},
		{"with a reset beside it", errors.Join(io.ErrUnexpectedEOF, &opaque{errRefused}), Retry, Never},
		{"a certificate stays final", &opaque{x509.UnknownAuthorityError{}}, Unknown, Never},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.zero {
			t.Errorf("%s: Classify = %v, want %v", tt.name, got, tt.zero)
		}
		if got := c.Classify(tt.err); got != tt.ext {
			t.Errorf("%s: extended Classify = %v, want %v", tt.name, got, tt.ext)
		}
	}
}

func TestPolicyDelay(t *testing.T) {
	t.Parallel()
	s := time.Second
	tests := []struct {
		name string
		p    Policy
		want []time.Duration // for n = 0, 1, ...
	}{
		{"defaults: 1 s doubled up to a minute", Policy{}, []time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, time.Minute, time.Minute}},
		{"own first delay and cap", Policy{First: 10 * s, Max: 25 * s}, []time.Duration{10 * s, 20 * s, 25 * s, 25 * s}},
		{"a first delay above the cap is cut to it", Policy{First: time.Hour, Max: time.Minute}, []time.Duration{time.Minute, time.Minute}},
		{"rate limits without a hint: a minute doubled up to 16", Policy{First: time.Minute, Max: 16 * time.Minute},
			[]time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 16 * time.Minute}},
	}
	for _, tt := range tests {
		for n, want := range tt.want {
			if got := tt.p.Delay(n); got != want {
				t.Errorf("%s: Delay(%d) = %v, want %v", tt.name, n, got, want)
			}
		}
	}
	// No overflow however many retries, even without a useful cap.
	for _, p := range []Policy{{}, {First: time.Hour, Max: math.MaxInt64}} {
		limit := cmpOr(p.Max, DefaultMax)
		for _, n := range []int{62, 63, 64, 100, 1 << 20} {
			if got := p.Delay(n); got <= 0 || got > limit {
				t.Errorf("%+v: Delay(%d) = %v, want in (0, %v]", p, n, got, limit)
			}
		}
	}
	// A server asking for longer than the backoff wins; a shorter ask
	// does not shorten it.
	p := Policy{First: 2 * s}
	if got := p.Wait(0, 5*s); got != 5*s {
		t.Errorf("Wait(0, 5s) = %v, want 5s", got)
	}
	if got := p.Wait(1, s); got != 4*s {
		t.Errorf("Wait(1, 1s) = %v, want 4s", got)
	}
}

// TestSleep: a wait never outlasts its context.
func TestSleep(t *testing.T) {
	t.Parallel()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	soon, cancelSoon := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelSoon()
	tests := []struct {
		name    string
		ctx     context.Context
		d       time.Duration
		want    error
		longest time.Duration
	}{
		{"short wait", context.Background(), time.Millisecond, nil, 5 * time.Second},
		{"no wait", context.Background(), 0, nil, time.Second},
		{"context already ended", ended, time.Hour, context.Canceled, time.Second},
		{"context already ended, no wait", ended, 0, context.Canceled, time.Second},
		{"deadline before the wait ends", soon, time.Hour, context.DeadlineExceeded, 5 * time.Second},
	}
	for _, tt := range tests {
		start := time.Now()
		err := Sleep(tt.ctx, tt.d)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Sleep(%v) = %v; want %v", tt.name, tt.d, err, tt.want)
		}
		// A Sleep that ignored its context would wait an hour (the test's
		// timeout); the bound itself is wall clock, so opt-in.
		testkit.Within(t, tt.name, time.Since(start), tt.longest)
	}
}
