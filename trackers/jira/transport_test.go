package jira

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Rate-limit answers (429 with Retry-After, and on Cloud an ISO 8601
// X-RateLimit-Reset) are waited out on the clock, never failures; a
// rate-limited create was not processed, so it is sent again.
func TestRateLimitsWaitedOut(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		for _, kind := range []jirasim.FaultKind{jirasim.FaultTooManyRequests, jirasim.FaultTooManyRequestsNoRetryAfter, jirasim.FaultUnavailable} {
			for _, method := range []string{"GET", "POST"} {
				t.Run(fmt.Sprintf("%s %s %s", f, kind, method), func(t *testing.T) {
					t.Parallel()
					path := "/rest/api/2/issue"
					if method == "GET" {
						path = "/rest/api/2/search/jql"
						if f == jirasim.DataCenter {
							path = "/rest/api/2/search"
						}
					}
					e := newEnv(t, f, func(c *envConfig) {
						c.sim.Fault = testkit.FaultOn(2, testkit.Match(method, path), func() *jirasim.FaultResponse { return jirasim.NewFault(kind) })
					})
					if method == "GET" {
						if _, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{}); err != nil {
							t.Fatal(err)
						}
					} else if _, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001")); err != nil {
						t.Fatal(err)
					}
					if n := len(e.sim.Issues("OPS")); method == "POST" && n != 1 {
						t.Errorf("%d issues, want 1", n)
					}
					st := e.tr.Stats()
					if st.RateLimited.Load() != 2 || st.Retries.Load() != 0 {
						t.Errorf("stats %s; want 2 rate-limited, 0 retries", st)
					}
					if slept := e.clock.Slept(); slept < 2*time.Second || slept > 15*time.Minute {
						t.Errorf("waited %v", slept)
					}
				})
			}
		}
	}
}

// A wait beyond 15 minutes is not waited: it is a RateLimitError.
func TestLongRateLimitIsAnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jirasim.Cloud, func(c *envConfig) {
		c.sim.Fault = func(*http.Request) *jirasim.FaultResponse {
			return &jirasim.FaultResponse{Status: 429, RetryAfter: time.Hour}
		}
	})
	_, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
	var rl *trackers.RateLimitError
	if !errors.As(err, &rl) || errors.Is(err, trackers.ErrPermanent) {
		t.Fatalf("err %v, want a RateLimitError", err)
	}
}

// Reads are retried after a 5xx or a dropped connection; writes are not.
func TestReadsRetried(t *testing.T) {
	t.Parallel()
	for _, kind := range []jirasim.FaultKind{jirasim.FaultServerError, jirasim.FaultBadGateway, jirasim.FaultReset} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, jirasim.Cloud, func(c *envConfig) {
				c.sim.Fault = testkit.FaultOn(2, testkit.Match("GET", "/search/jql"), func() *jirasim.FaultResponse { return jirasim.NewFault(kind) })
			})
			seed(t, e, "OPS", 3)
			found, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{})
			if err != nil || len(found) != 3 {
				t.Fatalf("%d found, %v", len(found), err)
			}
			if r := e.tr.Stats().Retries.Load(); r != 2 {
				t.Errorf("%d retries, want 2", r)
			}
		})
	}
}

// deployment: auto asks GET serverInfo once and then uses the right
// search: Cloud never calls the removed /rest/api/2/search.
func TestDeploymentAuto(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, func(c *envConfig) { c.cfg.Deployment = "" })
			seed(t, e, "OPS", 2)
			for range 3 {
				if _, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "OPS-1"}}); err != nil {
				t.Fatal(err)
			}
			s := spec(ticket.Action, "ai-1")
			s.Assignee = "alice@acme.example"
			tk, err := e.tr.Create(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Assignee != e.alice() {
				t.Errorf("assignee %q: the deployment decides accountId or name", tk.Assignee)
			}
			if n := e.calls("GET", "/rest/api/2/serverInfo"); n != 1 {
				t.Errorf("%d serverInfo calls, want 1", n)
			}
			legacy, jql := e.calls("GET", "/rest/api/2/search"), e.calls("GET", "/rest/api/2/search/jql")
			if f == jirasim.Cloud && (legacy != 0 || jql != 4) || f == jirasim.DataCenter && (legacy != 4 || jql != 0) {
				t.Errorf("/search %d, /search/jql %d", legacy, jql)
			}
			for _, c := range e.sim.Calls() {
				if c.Status == http.StatusGone {
					t.Errorf("%s %s answered 410", c.Method, c.Path)
				}
			}
		})
	}
}

// Values from documents end up only inside JQL literals, and only after
// they passed the key and project grammars: nothing reaches Jira that
// could change a query.
func TestNoJQLInjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jirasim.Cloud)
	seed(t, e, "OPS", 2)
	seed(t, e, "PAY", 2)
	e.sim.ResetCalls()
	for _, p := range []string{`OPS" OR project = "PAY`, "OPS OR project = PAY", "OPS\nORDER BY created", "ops"} {
		if _, err := e.tr.Find(t.Context(), ticket.Target{Project: p}, time.Time{}); !errors.Is(err, trackers.ErrPermanent) {
			t.Errorf("Find(%q): %v", p, err)
		}
		s := spec(ticket.Action, "ai-1")
		s.Target.Project = p
		if _, err := e.tr.Create(t.Context(), s); !errors.Is(err, trackers.ErrPermanent) {
			t.Errorf("Create(%q): %v", p, err)
		}
	}
	for _, r := range []ticket.Ref{
		{Text: `OPS-1") OR key in ("PAY-1`},
		{Text: "OPS-1 OR project = PAY"},
		{URL: e.srv.URL + `/browse/OPS-1")%20OR%20project%20=%20("PAY`},
	} {
		got, err := e.tr.Get(t.Context(), []ticket.Ref{r})
		if !errors.Is(err, trackers.ErrPermanent) || len(got) != 0 {
			t.Errorf("Get(%+v) = %v, %v", r, got, err)
		}
	}
	if n := e.sim.CallCount(nil); n != 0 {
		t.Errorf("%d calls reached Jira", n)
	}
	// A marker's postmortem id (document text) goes into a label, never
	// into JQL; Find finds the issue by the label postmortem.
	s := spec(ticket.Action, "ai-1")
	s.Marker.PM = `x" OR project = "PAY`
	if _, err := e.tr.Create(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	found, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{})
	if err != nil || len(found) != 3 {
		t.Fatalf("found %d, %v", len(found), err)
	}
	for _, tk := range found {
		if tk.Target.Project != "OPS" {
			t.Errorf("found %s", tk.Ref.Text)
		}
	}
}

// Secrets never appear in errors or logs, however calls fail: Jira's
// refusal, faults, a dropped connection, a proxy that echoes the
// Authorization header in its error page.
func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	echo := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("jql") != "" || r.Method == http.MethodPost {
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"errorMessages":["bad request with header %s"],"errors":{"Authorization":%q}}`,
					strings.ReplaceAll(r.Header.Get("Authorization"), `"`, ""), r.Header.Get("Authorization"))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	for _, f := range flavors {
		secret := testToken
		if f == jirasim.DataCenter {
			secret = testPAT
		}
		basic := base64.StdEncoding.EncodeToString([]byte(botEmail + ":" + testToken))
		for _, tc := range []struct {
			name string
			mut  func(*envConfig)
		}{
			{"wrong token", func(c *envConfig) {
				if f == jirasim.Cloud {
					c.sim.Accounts = map[string]string{botEmail: "another"}
				} else {
					c.sim.Tokens = map[string]string{"another": "pmsync-bot"}
				}
			}},
			{"403", func(c *envConfig) {
				c.sim.Fault = func(*http.Request) *jirasim.FaultResponse {
					return &jirasim.FaultResponse{Status: 403, Body: `{"errorMessages":["You do not have permission"],"errors":{}}`}
				}
			}},
			{"500", func(c *envConfig) {
				c.sim.Fault = func(*http.Request) *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultServerError) }
			}},
			{"502 page", func(c *envConfig) {
				c.sim.Fault = func(*http.Request) *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultBadGateway) }
			}},
			{"reset", func(c *envConfig) {
				c.sim.Fault = func(*http.Request) *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultReset) }
			}},
			{"echo", func(c *envConfig) { c.wrap = echo }},
			{"bad request", func(c *envConfig) { c.cfg.Components = []string{"Nope"} }},
		} {
			t.Run(f.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, f, tc.mut)
				var errs []error
				_, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{})
				errs = append(errs, err)
				_, err = e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
				errs = append(errs, err)
				_, err = e.tr.Get(t.Context(), []ticket.Ref{{Text: "OPS-1"}})
				errs = append(errs, err)
				err = e.tr.CloseDuplicate(t.Context(), ticket.Ticket{Ref: ticket.Ref{Text: "OPS-1"}}, ticket.Ticket{Ref: ticket.Ref{Text: "OPS-2"}})
				errs = append(errs, err)
				errs = append(errs, e.tr.Nudge(t.Context(), ticket.Ref{Text: "OPS-1"}, "pmsync:due-soon", ticket.Comment{Text: "due soon"}))
				errs = append(errs, e.tr.Comment(t.Context(), ticket.Ref{Text: "OPS-1"}, ticket.Comment{Text: "digest"}))
				failed := 0
				for _, err := range errs {
					if err == nil {
						continue
					}
					failed++
					msg := fmt.Sprintf("%v %+v %#v", err, err, err)
					for _, s := range []string{secret, basic} {
						if strings.Contains(msg, s) {
							t.Errorf("secret in error: %s", msg)
						}
					}
					if tc.name == "wrong token" && !strings.Contains(err.Error(), "check trackers.jira user_env and token_env") {
						t.Errorf("no hint: %v", err)
					}
				}
				if failed == 0 {
					t.Error("nothing failed")
				}
				for _, s := range []string{secret, basic} {
					if strings.Contains(e.logs.String(), s) {
						t.Errorf("secret in logs:\n%s", e.logs)
					}
				}
			})
		}
	}
	cfg := Config{User: botEmail, Token: testToken, OAuth: &oauth2.Config{ClientSecret: "client-SECRET"}}
	for _, s := range []string{cfg.String(), cfg.GoString(), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)} {
		if strings.Contains(s, testToken) || strings.Contains(s, "client-SECRET") || strings.Contains(s, botEmail) {
			t.Errorf("config prints a secret: %s", s)
		}
	}
}

// OAuth 2.0 (3LO): the token is refreshed through the token endpoint,
// calls go to api.atlassian.com/ex/jira/{cloudid}/, and issues are
// shown on the site, learned from serverInfo.
func TestOAuth(t *testing.T) {
	t.Parallel()
	var refreshes atomic.Int64
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("refresh_token") != "refresh-SECRET-1" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		refreshes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"access-SECRET-2","token_type":"Bearer","expires_in":3600,"refresh_token":"refresh-SECRET-2"}`)
	}))
	t.Cleanup(tokens.Close)
	// api.atlassian.com takes the Bearer token; the simulator takes Basic.
	bearer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer access-SECRET-2" {
				w.Header().Set("Content-Type", "application/json;charset=UTF-8")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"errorMessages":["Unauthorized"],"errors":{}}`)
				return
			}
			r.SetBasicAuth(botEmail, "x")
			next.ServeHTTP(w, r)
		})
	}
	e := newEnv(t, jirasim.Cloud, func(c *envConfig) {
		c.prefix = "/ex/jira/11223344-a1b2-3b33-c444-def123456789"
		c.wrap = bearer
		c.sim.Accounts = nil
		c.sim.BaseURL = "https://acme.atlassian.net"
		c.cfg.User, c.cfg.Token, c.cfg.Deployment = "", "", ""
		c.cfg.OAuth = &oauth2.Config{ClientID: "id", ClientSecret: "client-SECRET", Endpoint: oauth2.Endpoint{TokenURL: tokens.URL}}
		c.cfg.OAuthToken = &oauth2.Token{AccessToken: "access-SECRET-1", RefreshToken: "refresh-SECRET-1", Expiry: time.Now().Add(-time.Hour)}
	})
	tk, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-1"))
	if err != nil {
		t.Fatal(err)
	}
	if tk.Ref.URL != "https://acme.atlassian.net/browse/OPS-1" {
		t.Errorf("ref %+v", tk.Ref)
	}
	if tg, ok := e.tr.Recognize(tk.Ref); !ok || tg.Project != "OPS" {
		t.Errorf("Recognize(%+v) = %v %v", tk.Ref, tg, ok)
	}
	found, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{})
	if err != nil || len(found) != 1 || found[0].Ref != tk.Ref {
		t.Fatalf("found %+v, %v", found, err)
	}
	if n := refreshes.Load(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if n := e.calls("GET", "/rest/api/2/serverInfo"); n != 1 {
		t.Errorf("%d serverInfo calls, want 1", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	ok := Config{BaseURL: "https://acme.atlassian.net/", User: botEmail, Token: testToken}
	for name, mut := range map[string]func(*Config){
		"no credentials":     func(c *Config) { c.User, c.Token = "", "" },
		"credentials in URL": func(c *Config) { c.BaseURL = "https://u:" + testToken + "@acme.atlassian.net/" },
		"not a URL":          func(c *Config) { c.BaseURL = "acme.atlassian.net" },
		"deployment":         func(c *Config) { c.Deployment = "mainframe" },
		"project":            func(c *Config) { c.Project = `OPS" OR 1=1` },
		"epic":               func(c *Config) { c.Epic = "epic" },
		"cloud without user": func(c *Config) { c.User, c.Deployment = "", "cloud" },
		"token and oauth":    func(c *Config) { c.OAuth, c.OAuthToken = &oauth2.Config{}, &oauth2.Token{} },
	} {
		c := ok
		mut(&c)
		_, err := New(c, Options{})
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), testToken) {
			t.Errorf("%s: secret in %v", name, err)
		}
	}
	if _, err := New(ok, Options{}); err != nil {
		t.Errorf("valid config: %v", err)
	}
}
