package github

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Rate-limit answers are waited out with the clock, never failures, and a
// rate-limited create was not processed, so it is sent again: exactly
// one issue results.
func TestRateLimitsWaitedOut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind    ghsim.FaultKind
		minWait time.Duration
	}{
		{ghsim.FaultTooManyRequests, time.Second},
		{ghsim.FaultSecondaryLimit, time.Second},
		{ghsim.FaultSecondaryLimitNoRetryAfter, time.Minute},
		{ghsim.FaultPrimaryLimit, time.Second},
	}
	for _, tc := range tests {
		for _, method := range []string{"GET", "POST"} {
			t.Run(tc.kind.String()+" "+method, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, func(c *envConfig) {
					c.sim.Fault = testkit.FaultOn(2, testkit.Match(method, "/repos/acme/sre/issues"), func() *ghsim.FaultResponse { return ghsim.NewFault(tc.kind) })
				})
				if method == "GET" {
					if _, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{}); err != nil {
						t.Fatal(err)
					}
				} else if _, err := e.tr.Create(t.Context(), spec("ai-00000001")); err != nil {
					t.Fatal(err)
				}
				if n := len(e.sim.Issues("acme", "sre")); method == "POST" && n != 1 {
					t.Errorf("%d issues, want 1", n)
				}
				st := e.tr.Stats()
				if st.RateLimited.Load() != 2 || st.Retries.Load() != 0 {
					t.Errorf("stats %s; want 2 rate-limited, 0 retries", st)
				}
				if slept := e.clock.Slept(); slept < 2*tc.minWait || slept > 15*time.Minute {
					t.Errorf("waited %v, want at least %v", slept, 2*tc.minWait)
				}
			})
		}
	}
}

// Writes are paced at least WriteInterval apart, on the simulated clock.
func TestWritesPaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 3 {
		if _, err := e.tr.Create(t.Context(), spec(fmt.Sprintf("ai-0000000%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	ts := e.sim.WriteTimes()
	for i := 1; i < len(ts); i++ {
		if d := ts[i].Sub(ts[i-1]); d < time.Second {
			t.Errorf("writes %d and %d %v apart", i-1, i, d)
		}
	}
}

// go-github refuses requests locally after an answer that said the budget
// is spent; the tracker waits until the reset on its clock and goes on.
func TestLocalRateLimitRefusalWaitedOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.sim.RateWindow = 2 * time.Minute })
	// The next answer is a 200 that spends the budget: X-RateLimit-Remaining 0.
	e.sim.SetRateRemaining(botLogin, 1)
	if _, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	sent := e.sim.CallCount(nil)
	got, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/sre#1"}})
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	if slept := e.clock.Slept(); slept < time.Minute || slept > 3*time.Minute {
		t.Errorf("waited %v, want about the 2 min window", slept)
	}
	if n := e.sim.CallCount(nil) - sent; n < 1 {
		t.Errorf("nothing sent after the wait")
	}
	// The wait was go-github's local refusal, not a 403 answer.
	if !strings.Contains(e.logs.String(), `"msg":"github rate limit: waiting"`) || e.tr.Stats().RateLimited.Load() != 0 {
		t.Errorf("no local refusal: stats %s, logs\n%s", e.tr.Stats(), e.logs)
	}
}

// A wait beyond 15 minutes is not waited: it is a RateLimitError.
func TestLongRateLimitIsAnError(t *testing.T) {
	t.Parallel()
	t.Run("local refusal", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t) // an hour's window
		e.sim.SetRateRemaining(botLogin, 1)
		if _, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{}); err != nil {
			t.Fatal(err)
		}
		_, err := e.tr.Create(t.Context(), spec("ai-00000001"))
		var rl *trackers.RateLimitError
		if !errors.As(err, &rl) || rl.Tracker != "gh" || rl.Until.Before(e.clock.Now().Add(50*time.Minute)) {
			t.Fatalf("err %v", err)
		}
		if len(e.sim.Issues("acme", "sre")) != 0 {
			t.Error("issue created")
		}
	})
	t.Run("answer", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, func(c *envConfig) {
			c.sim.Fault = testkit.FaultOn(1, testkit.Match("POST", "/issues"), func() *ghsim.FaultResponse {
				return &ghsim.FaultResponse{Status: 429, Header: http.Header{"Retry-After": {"3600"}}, Body: `{"message":"slow down"}`}
			})
		})
		_, err := e.tr.Create(t.Context(), spec("ai-00000001"))
		var rl *trackers.RateLimitError
		if !errors.As(err, &rl) || errors.Is(err, trackers.ErrPermanent) {
			t.Fatalf("err %v", err)
		}
		if strings.Contains(err.Error(), testToken) {
			t.Error("token in error")
		}
	})
}

func TestServerErrorsOnReadsRetried(t *testing.T) {
	t.Parallel()
	for _, kind := range []ghsim.FaultKind{ghsim.FaultServerError, ghsim.FaultBadGateway, ghsim.FaultUnavailable, ghsim.FaultReset} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *envConfig) {
				c.sim.Fault = testkit.FaultOn(2, testkit.Match("GET", "/issues/1"), func() *ghsim.FaultResponse { return ghsim.NewFault(kind) })
			})
			if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x", Body: markerBody("ai-1", "us")}); err != nil {
				t.Fatal(err)
			}
			got, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/sre#1"}})
			if err != nil || len(got) != 1 || got[0].Status.State != ticket.StateOpen {
				t.Fatal(got, err)
			}
			if n := e.calls("GET", "/repos/acme/sre/issues/1"); n != 3 {
				t.Errorf("%d GETs, want 3", n)
			}
			if r := e.tr.Stats().Retries.Load(); r != 2 {
				t.Errorf("%d retries, want 2", r)
			}
		})
	}
}

func TestRequestTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) {
		c.cfg.Timeout = 50 * time.Millisecond
		c.sim.Fault = testkit.FaultOn(1, testkit.Match("GET", "/issues/1"), func() *ghsim.FaultResponse {
			return &ghsim.FaultResponse{Delay: 5 * time.Second}
		})
	})
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/sre#1"}})
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	// The slow answer was cut and the GET asked again: two calls. Had the
	// timeout not cut it, the first call would have been answered.
	if n := e.sim.CallCount(nil); n != 2 {
		t.Errorf("%d calls, want 2: the timeout did not cut the slow answer", n)
	}
	testkit.Within(t, "a get whose first answer is 5 s slow", time.Since(start), 3*time.Second)
}

// The token appears in no error and no log line, however requests fail.
func TestTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	forbidden := func() *ghsim.FaultResponse {
		return &ghsim.FaultResponse{Status: 403, Body: `{"message":"Resource not accessible by personal access token","documentation_url":"https://docs.github.com/rest","status":"403"}`}
	}
	always := func(*http.Request) bool { return true }
	tests := []struct {
		name string
		env  func(*envConfig)
	}{
		{"bad credentials", func(c *envConfig) { c.sim.Tokens = map[string]string{"other": botLogin} }},
		{"forbidden", func(c *envConfig) { c.sim.Fault = testkit.FaultOn(1000, always, forbidden) }},
		{"no repo", func(c *envConfig) { c.sim.Repos = []string{"x/y"} }},
		{"server errors", func(c *envConfig) {
			c.sim.Fault = testkit.FaultOn(1000, always, func() *ghsim.FaultResponse { return ghsim.NewFault(ghsim.FaultServerError) })
		}},
		{"connection resets", func(c *envConfig) {
			c.sim.Fault = testkit.FaultOn(1000, always, func() *ghsim.FaultResponse { return ghsim.NewFault(ghsim.FaultReset) })
		}},
		{"long rate limit", func(c *envConfig) {
			c.sim.Fault = testkit.FaultOn(1000, always, func() *ghsim.FaultResponse {
				return &ghsim.FaultResponse{Status: 429, Header: http.Header{"Retry-After": {"7200"}}}
			})
		}},
		{"unassignable", func(c *envConfig) { c.sim.Users = []string{} }},
		{"unreachable", func(c *envConfig) { c.cfg.BaseURL = "http://127.0.0.1:1/" }},
		{"timeout", func(c *envConfig) {
			c.cfg.Timeout = 20 * time.Millisecond
			c.sim.Fault = testkit.FaultOn(1000, always, func() *ghsim.FaultResponse { return &ghsim.FaultResponse{Delay: time.Second} })
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.env)
			var errs []error
			_, err := e.tr.Create(t.Context(), spec("ai-00000001"))
			errs = append(errs, err)
			_, err = e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{})
			errs = append(errs, err)
			_, err = e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/sre#1"}})
			errs = append(errs, err)
			errs = append(errs, e.tr.CloseDuplicate(t.Context(),
				ticket.Ticket{Ref: ticket.Ref{Text: "acme/sre#2"}}, ticket.Ticket{Ref: ticket.Ref{Text: "acme/sre#1"}}))
			errs = append(errs, e.tr.Nudge(t.Context(), ticket.Ref{Text: "acme/sre#1"}, "pmsync:due-soon", reminder))
			errs = append(errs, e.tr.Comment(t.Context(), ticket.Ref{Text: "acme/sre#1"}, reminder))
			failed := 0
			for _, err := range errs {
				if err == nil {
					continue
				}
				failed++
				if msg := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(msg, testToken) {
					t.Errorf("token in error: %s", msg)
				}
			}
			if failed == 0 && tc.name != "unassignable" {
				t.Errorf("nothing failed")
			}
			if strings.Contains(e.logs.String(), testToken) {
				t.Errorf("token in logs:\n%s", e.logs)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	key := testKey(t)
	tests := []struct {
		name string
		cfg  Config
		want string // "" = valid
	}{
		{"token", Config{Token: "x"}, ""},
		{"app", Config{AppID: 1, InstallationID: 2, PrivateKey: key}, ""},
		{"nothing", Config{}, "no credentials"},
		{"both", Config{Token: "x", AppID: 1, InstallationID: 2, PrivateKey: key}, "both a token and GitHub App"},
		{"half an app", Config{AppID: 1, PrivateKey: key}, "installation_id"},
		{"bad key", Config{AppID: 1, InstallationID: 2, PrivateKey: []byte("-----BEGIN RSA PRIVATE KEY-----\nnope\n-----END RSA PRIVATE KEY-----\n")}, "private key"},
		{"bad base", Config{Token: "x", BaseURL: "ghe.example"}, "not an http(s) URL"},
		{"bad repo", Config{Token: "x", Repo: "just-a-name"}, "not owner/name"},
		{"credentials in base", Config{Token: "x", BaseURL: "https://bot:nope@ghe.example/api/v3/"}, "must not carry credentials"},
	}
	for _, tc := range tests {
		_, err := New(tc.cfg, Options{})
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "nope") {
			t.Errorf("%s: key material in error: %v", tc.name, err)
		}
	}
}

func testKey(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// A GitHub App gets an installation token (not through the pacing
// transport: it is no issue write) and uses it for the API calls.
func TestGitHubApp(t *testing.T) {
	t.Parallel()
	const instToken = "ghs_installationTOKENsecret123"
	var tokenCalls, installCalls atomic.Int64
	var refuse atomic.Bool
	appEnv := func(c *envConfig) {
		c.cfg.Token = ""
		c.cfg.AppID, c.cfg.InstallationID, c.cfg.PrivateKey = 42, 7, testKey(t)
		c.sim.Tokens = map[string]string{instToken: "pmsync-app[bot]"}
		c.wrap = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/repos/"+testRepo+"/installation" {
					// As the App (a JWT), never the installation token.
					installCalls.Add(1)
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
					if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey") {
						w.WriteHeader(401)
						_, _ = w.Write([]byte(`{"message":"A JSON web token could not be decoded","documentation_url":"https://docs.github.com/rest","status":"401"}`))
						return
					}
					_ = json.NewEncoder(w).Encode(map[string]any{
						"id": 7, "app_id": 42, "app_slug": "pmsync-app", "target_id": 1, "target_type": "Organization",
						"single_file_name": nil, "repository_selection": "all",
						"access_tokens_url": "https://api.github.com/app/installations/7/access_tokens",
						"html_url":          "https://github.com/organizations/acme/settings/installations/7",
						"repositories_url":  "https://api.github.com/installation/repositories",
						"events":            []string{"issues"}, "account": nil, "permissions": map[string]string{"issues": "write"},
						"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
						"suspended_by": nil, "suspended_at": nil,
					})
					return
				}
				if r.URL.Path != "/app/installations/7/access_tokens" {
					next.ServeHTTP(w, r)
					return
				}
				tokenCalls.Add(1)
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				if refuse.Load() || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ey") {
					w.WriteHeader(401)
					_, _ = w.Write([]byte(`{"message":"A JSON web token could not be decoded","documentation_url":"https://docs.github.com/rest","status":"401"}`))
					return
				}
				w.WriteHeader(201)
				_ = json.NewEncoder(w).Encode(map[string]any{
					"token": instToken, "expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
					"permissions": map[string]string{"issues": "write"}, "repository_selection": "all",
				})
			})
		}
	}
	e := newEnv(t, appEnv)
	if _, err := e.tr.Create(t.Context(), spec("ai-00000001")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n := tokenCalls.Load(); n != 1 {
		t.Errorf("%d token requests, want 1 (cached)", n)
	}
	// The token request is not counted (nor paced) by the transport.
	if st := e.tr.Stats(); st.Requests.Load() != int64(e.sim.CallCount(nil)) {
		t.Errorf("transport counted %d requests, simulator saw %d API calls", st.Requests.Load(), e.sim.CallCount(nil))
	}
	// The App's issues are opened by its bot user, which Account names.
	found, err := e.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{})
	if err != nil || len(found) != 1 {
		t.Fatalf("Find = %+v, %v", found, err)
	}
	for range 2 {
		acct, err := e.tr.Account(t.Context(), ticket.Target{Repo: testRepo})
		if err != nil || acct != "pmsync-app[bot]" || !strings.EqualFold(found[0].Author, acct) {
			t.Fatalf("Account = %q, %v; issue author %q", acct, err, found[0].Author)
		}
	}
	if n := installCalls.Load(); n != 1 {
		t.Errorf("%d installation lookups, want 1 (cached)", n)
	}

	refuse.Store(true)
	e2 := newEnv(t, appEnv)
	_, err = e2.tr.Find(t.Context(), ticket.Target{Repo: testRepo}, time.Time{})
	if !errors.Is(err, trackers.ErrPermanent) || !strings.Contains(err.Error(), "check the token") {
		t.Errorf("refused app token: %v", err)
	}
	if strings.Contains(err.Error(), instToken) || strings.Contains(e2.logs.String(), instToken) {
		t.Error("installation token leaked")
	}
}

func TestConfigPrintsNoSecrets(t *testing.T) {
	t.Parallel()
	c := Config{Name: "gh", Token: testToken, PrivateKey: []byte("-----BEGIN KEY-----secretkey")}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", &c)} {
		if strings.Contains(s, testToken) || strings.Contains(s, "secretkey") || !strings.Contains(s, "REDACTED") {
			t.Errorf("printed %s", s)
		}
	}
	if _, err := New(c, Options{}); err == nil {
		t.Fatal("both secrets accepted")
	}
	c.PrivateKey = nil
	tr, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := fmt.Sprintf("%+v %#v", tr, tr); strings.Contains(s, testToken) {
		t.Errorf("tracker prints its token: %s", s)
	}
}

func TestRefusal(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ra := 30 * time.Second
	tests := []struct {
		name    string
		err     error
		until   time.Time
		limited bool
	}{
		{"primary, reset ahead", &gh.RateLimitError{Rate: gh.Rate{Reset: gh.Timestamp{Time: now.Add(time.Minute)}}}, now.Add(time.Minute + time.Second), true},
		{"primary, reset passed", &gh.RateLimitError{Rate: gh.Rate{Reset: gh.Timestamp{Time: now.Add(-time.Minute)}}}, now.Add(time.Second), true},
		{"secondary with retry-after", fmt.Errorf("wrapped: %w", &gh.AbuseRateLimitError{RetryAfter: &ra}), now.Add(ra), true},
		{"secondary without", &gh.AbuseRateLimitError{}, now.Add(time.Minute), true},
		{"other", errors.New("boom"), time.Time{}, false},
		{"nil", nil, time.Time{}, false},
	}
	for _, tc := range tests {
		until, limited := refusal(tc.err, now)
		if limited != tc.limited || !until.Equal(tc.until) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, until, limited, tc.until, tc.limited)
		}
	}
}
