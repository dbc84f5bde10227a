package ghsim_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

type githubContract struct {
	doc    *openapi3.T
	router routers.Router
}

var loadContract = sync.OnceValues(func() (githubContract, error) {
	path, err := contract.Path("github.openapi.json")
	if err != nil {
		return githubContract{}, err
	}
	doc, router, err := contract.Load(path)
	return githubContract{doc, router}, err
})

// clock is the simulator's clock under the test's control.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type env struct {
	sim   *ghsim.Server
	srv   *httptest.Server
	gh    *github.Client
	clock *clock
}

// setup serves a simulator behind the contract middleware: every request
// and answer of the test is checked against GitHub's OpenAPI description.
func setup(t *testing.T, opts ghsim.Options, copts contract.Options) *env {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: start}
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	sim := ghsim.New(opts)
	srv := httptest.NewServer(contract.Middleware(t, c.doc, c.router, sim, copts))
	t.Cleanup(srv.Close)
	e := &env{sim: sim, srv: srv, clock: clk}
	e.gh = e.client("t0ken")
	return e
}

// client is a fresh go-github client (go-github remembers rate limits and
// refuses requests locally after one, so limit tests start over with it).
func (e *env) client(token string) *github.Client {
	c := github.NewClient(e.srv.Client()).WithAuthToken(token)
	c.BaseURL, _ = url.Parse(e.srv.URL + "/")
	return c
}

// raw sends a request without go-github and decodes a JSON answer;
// header holds extra header names and values.
func (e *env) raw(t *testing.T, method, path, token, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if strings.HasPrefix(string(data), "{") {
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, path, err, data)
		}
	}
	return resp, m
}

// errorJSON is the body of a go-github error answer, decoded generically.
func errorJSON(t *testing.T, err error) (int, map[string]any) {
	t.Helper()
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	var resp *http.Response
	switch {
	case errors.As(err, &rl):
		resp = rl.Response
	case errors.As(err, &ab):
		resp = ab.Response
	case errors.As(err, &er):
		resp = er.Response
	default:
		t.Fatalf("not a GitHub error answer: %v", err)
	}
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, m
}

func ptr[T any](v T) *T { return &v }

func jsonEqual(t *testing.T, got map[string]any, want string) {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	ws, _ := json.Marshal(w)
	if string(g) != string(ws) {
		t.Errorf("body\n got %s\nwant %s", g, ws)
	}
}
