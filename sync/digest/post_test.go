package digest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// token is the secret part of the fake webhook's URL, as in Slack's
// https://hooks.slack.com/services/T000/B000/XXXX.
const token = "/services/T0SECRET/B0SECRET/s3cr3tT0k3nXYZ"

// hook is a loopback incoming webhook: it checks every payload against
// the schema, then answers with the statuses of answers in turn (the
// last one repeats).
type hook struct {
	t       *testing.T
	answers []func(w http.ResponseWriter, r *http.Request)
	calls   atomic.Int32
	srv     *httptest.Server
}

func newHook(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) *hook {
	h := &hook{t: t, answers: answers}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(h.calls.Add(1)) - 1
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != token || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		if err := validate(t, body); err != nil {
			t.Errorf("payload does not match the schema: %v\n%s", err, body)
		}
		h.answers[min(n, len(h.answers)-1)](w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) url() string { return h.srv.URL + token }

func status(code int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// echo is a hostile webhook: it answers with everything it was sent,
// the URL, its path and headers included.
func echo(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", r.URL.String())
		w.Header().Set("Retry-After", r.URL.Path)
		w.WriteHeader(code)
		_, _ = io.WriteString(w, r.Host+r.URL.String()+" "+r.URL.Path+" "+r.URL.RequestURI())
	}
}

// sleeps records the waits instead of waiting.
type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return ctx.Err()
}

func message(t *testing.T) Message {
	t.Helper()
	return Build([]Item{it("payments", "ai-1", day(11, 1))}, opts)[0]
}

func noSecret(t *testing.T, err error, webhook string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{webhook, token, "s3cr3tT0k3nXYZ", "T0SECRET"} {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error leaks the webhook (%q): %v", s, err)
		}
	}
}

func TestPost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []func(http.ResponseWriter, *http.Request)
		calls     int
		waits     []time.Duration
		wantErr   string // "" for success
		retryable bool
	}{
		{"ok", []func(http.ResponseWriter, *http.Request){status(200, "ok")}, 1, nil, "", false},
		{"5xx, then ok", []func(http.ResponseWriter, *http.Request){status(500, "rollup_error"), status(503, ""), status(200, "ok")}, 3,
			[]time.Duration{time.Second, 2 * time.Second}, "", false},
		{"429 with Retry-After", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(429)
		}, status(200, "ok")}, 2, []time.Duration{7 * time.Second}, "", false},
		{"429 asking too long", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}}, 1, nil, `digest for team "payments": the webhook is rate limited for 1h0m0s, longer than pmsync waits; the next run tries again`, true},
		{"always 503", []func(http.ResponseWriter, *http.Request){status(503, "")}, 4,
			[]time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			`digest for team "payments": the webhook answered 503 after 4 attempt(s); the next run tries again`, true},
		{"revoked", []func(http.ResponseWriter, *http.Request){status(404, "no_service")}, 1, nil,
			`digest for team "payments": the webhook answered 404 (no_service); the webhook was revoked, or its channel archived or restricted; create a new one and update the secret digests.webhook_env or digests.webhook_file names`, false},
		{"archived", []func(http.ResponseWriter, *http.Request){status(410, "channel_is_archived")}, 1, nil, "410 (channel_is_archived)", false},
		{"refused payload", []func(http.ResponseWriter, *http.Request){status(400, "invalid_payload")}, 1, nil, "400 (invalid_payload); the webhook refused the message", false},
		{"redirect not followed", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://elsewhere.example/", http.StatusTemporaryRedirect)
		}}, 1, nil, "a redirect, which pmsync does not follow", false},
		{"hostile echo, 400", []func(http.ResponseWriter, *http.Request){echo(400)}, 1, nil, "the webhook answered 400;", false},
		{"hostile echo, 500", []func(http.ResponseWriter, *http.Request){echo(500)}, 4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, "the webhook answered 500 after 4 attempt(s)", true},
		{"hostile echo, 429", []func(http.ResponseWriter, *http.Request){echo(429)}, 4, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, "the webhook answered 429 after 4 attempt(s)", true},
		{"huge answer", []func(http.ResponseWriter, *http.Request){func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(400)
			_, _ = io.WriteString(w, strings.Repeat("invalid_payload", 1<<16))
		}}, 1, nil, "the webhook answered 400;", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHook(t, tt.answers...)
			var s sleeps
			p := &Poster{Sleep: s.sleep}
			err := p.Post(context.Background(), h.url(), message(t))
			noSecret(t, err, h.url())
			if got := int(h.calls.Load()); got != tt.calls {
				t.Errorf("%d requests, want %d", got, tt.calls)
			}
			if !equalDurations(s.got, tt.waits) {
				t.Errorf("waits %v, want %v", s.got, tt.waits)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Post: %v", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Post = %v, want an *Error with %q", err, tt.wantErr)
			}
			if pe.Team != "payments" || pe.Retryable != tt.retryable || !strings.HasPrefix(err.Error(), `digest for team "payments": `) {
				t.Errorf("error %+v: want the team named and retryable %v", pe, tt.retryable)
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPostNetworkError: a webhook that cannot be reached is retried and
// reported without its URL (net/http's errors quote the whole URL).
func TestPostNetworkError(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	webhook := srv.URL + token
	srv.Close()
	var s sleeps
	err := (&Poster{Sleep: s.sleep}).Post(context.Background(), webhook, message(t))
	var pe *Error
	if !errors.As(err, &pe) || !pe.Retryable || !strings.Contains(err.Error(), "post failed:") || !strings.Contains(err.Error(), "after 4 attempt(s)") {
		t.Fatalf("Post = %v, want a retryable failure after 4 attempts", err)
	}
	noSecret(t, err, webhook)
	if len(s.got) != 3 {
		t.Errorf("waits %v, want 3", s.got)
	}
}

// TestPostDeadline: a retry that would end after the run's deadline is
// not waited for; a cancelled run stops.
func TestPostDeadline(t *testing.T) {
	t.Parallel()
	h := newHook(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
	})
	var s sleeps
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := (&Poster{Sleep: s.sleep}).Post(ctx, h.url(), message(t))
	if err == nil || !strings.Contains(err.Error(), "after the run's deadline") || len(s.got) != 0 || h.calls.Load() != 1 {
		t.Fatalf("Post = %v after %d calls and waits %v; want it to give up at once", err, h.calls.Load(), s.got)
	}
	noSecret(t, err, h.url())

	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	err = (&Poster{Sleep: s.sleep}).Post(cctx, h.url(), message(t))
	if err == nil || !strings.Contains(err.Error(), "stopped before it was posted") {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestPostBadURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "hooks.slack.com" + token, "ftp://x" + token, "https://" + token[1:] + "%zz"} {
		err := (&Poster{}).Post(context.Background(), u, message(t))
		if err == nil || !strings.Contains(err.Error(), "digests.webhook_env") {
			t.Errorf("%q: %v", u, err)
		}
		noSecret(t, err, u)
	}
}
