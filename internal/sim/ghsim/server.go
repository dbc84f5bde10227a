// Package ghsim is a stateful simulator of the GitHub REST API (version
// 2022-11-28) for the endpoints pmsync uses: issues, issue comments, labels,
// milestones, users, the repository and the rate limit. It answers in
// GitHub's shapes, with GitHub's errors, pagination, rate-limit headers and
// limits, so that tests and `pmsync demo` exercise the real go-github client.
//
// It uses the standard library only: it ships inside the pmsync binary.
package ghsim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// Now is the simulator's clock, used for every timestamp and for the
	// rate-limit windows. Default time.Now.
	Now func() time.Time
	// HTMLBase is the web address in html_url fields. Default https://github.com.
	HTMLBase string
	// APIBase is the API address in url fields (e.g. https://api.github.com).
	// Default: the scheme and host of each request, plus /api/v3 when the
	// request used that prefix.
	APIBase string
	// Tokens maps each accepted token to its user's login. When nil, any
	// token is accepted as the user Login.
	Tokens map[string]string
	// Login is the user of every token when Tokens is nil. Default "pmsync-bot".
	Login string
	// Users are the logins that exist (assignable, served by /users/{u}),
	// besides the token users. When nil, every well-formed login exists.
	Users []string
	// Repos are the repositories ("owner/name") that exist. When nil,
	// every repository exists, created empty on first use.
	Repos []string
	// RateLimit is the primary budget of requests per user and RateWindow.
	// Default 5000 per hour, GitHub's budget for a personal token.
	RateLimit  int
	RateWindow time.Duration
	// SecondaryLimit turns on GitHub's content-creation limit: more than
	// WritesPerMinute mutating requests by one token in a rolling minute
	// are answered 403 with Retry-After. Default 80 a minute.
	SecondaryLimit  bool
	WritesPerMinute int
	// Fault, when set, is consulted before each request is handled; see
	// FaultResponse. SetFault replaces it at run time.
	Fault func(r *http.Request) *FaultResponse
}

// Call is one request the simulator received.
type Call struct {
	Method string
	Path   string // without the /api/v3 prefix of GitHub Enterprise Server
	Query  url.Values
	Status int       // 0 when the connection was dropped
	Login  string    // the authenticated user, "" when authentication failed
	Time   time.Time // Options.Now when the request was handled
	Fault  bool      // answered (or delayed) by the fault hook
}

// Mutating reports whether the call was a write (POST, PATCH, PUT, DELETE).
func (c Call) Mutating() bool { return mutating(c.Method) }

// Server is the simulator: an http.Handler. Its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	fault     func(*http.Request) *FaultResponse
	repos     map[string]*repo // by lower-case "owner/name"
	users     map[string]string
	rates     map[string]*bucket     // by login
	writes    map[string][]time.Time // by token: accepted writes, for the secondary limit
	calls     []Call
	seq       int64            // ids of issues, comments, labels, milestones
	pulls     map[*issue]*pull // the pull-request side of issues with pr set
	requestID int
}

type bucket struct {
	remaining int
	reset     time.Time
}

// New returns a simulator with no issues.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTMLBase == "" {
		opts.HTMLBase = "https://github.com"
	}
	opts.HTMLBase = strings.TrimRight(opts.HTMLBase, "/")
	opts.APIBase = strings.TrimRight(opts.APIBase, "/")
	if opts.Login == "" {
		opts.Login = "pmsync-bot"
	}
	if opts.RateLimit <= 0 {
		opts.RateLimit = 5000
	}
	if opts.RateWindow <= 0 {
		opts.RateWindow = time.Hour
	}
	if opts.WritesPerMinute <= 0 {
		opts.WritesPerMinute = 80
	}
	s := &Server{
		opts:   opts,
		fault:  opts.Fault,
		repos:  map[string]*repo{},
		rates:  map[string]*bucket{},
		writes: map[string][]time.Time{},
		seq:    1000,
	}
	if opts.Users != nil {
		s.users = map[string]string{}
		for _, u := range opts.Users {
			s.users[strings.ToLower(u)] = u
		}
		s.users[strings.ToLower(opts.Login)] = opts.Login
		for _, u := range opts.Tokens {
			s.users[strings.ToLower(u)] = u
		}
	}
	for _, full := range opts.Repos {
		if owner, name, ok := strings.Cut(full, "/"); ok {
			s.repos[strings.ToLower(full)] = newRepo(owner, name, s.nextID(), opts.Now())
		}
	}
	s.routes()
	return s
}

// SetFault replaces the fault hook; nil turns faults off.
func (s *Server) SetFault(f func(r *http.Request) *FaultResponse) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// Calls returns a copy of the calls received since the last ResetCalls.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallCount counts the calls for which filter returns true (all when nil).
func (s *Server) CallCount(filter func(Call) bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if filter == nil || filter(c) {
			n++
		}
	}
	return n
}

// ResetCalls forgets the recorded calls.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

// WriteTimes returns the arrival times (simulated clock) of the mutating
// calls since the last ResetCalls, for assertions on pacing.
func (s *Server) WriteTimes() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ts []time.Time
	for _, c := range s.calls {
		if c.Mutating() {
			ts = append(ts, c.Time)
		}
	}
	return ts
}

// SetRateRemaining sets what is left of login's primary budget in the
// current window, e.g. 0 to test waiting for X-RateLimit-Reset.
func (s *Server) SetRateRemaining(login string, remaining int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bucketLocked(login, s.opts.Now())
	b.remaining = max(0, min(remaining, s.opts.RateLimit))
}

func mutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

const enterprisePrefix = "/api/v3"

// exchange is one request on its way through the handlers.
type exchange struct {
	r     *http.Request // path without the enterprise prefix
	login string
	now   time.Time
	api   string // API base for url fields
	reply reply
}

// reply is what a handler answers; ServeHTTP encodes it.
type reply struct {
	status int
	body   any
	link   string // Link header
	header http.Header
}

type exchangeKey struct{}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, enterprise := r.URL.Path, false
	if p, ok := strings.CutPrefix(path, enterprisePrefix); ok && (p == "" || p[0] == '/') {
		path, enterprise = p, true
		if path == "" {
			path = "/"
		}
	}
	s.mu.Lock()
	call := Call{Method: r.Method, Path: path, Query: r.URL.Query(), Time: s.opts.Now()}
	fault := s.fault
	s.mu.Unlock()

	// The fault hook runs without the lock: it may sleep.
	if fault != nil {
		if f := fault(r); f != nil {
			call.Fault = true
			if done := s.serveFault(w, r, f, &call); done {
				s.record(call)
				return
			}
		}
	}

	s.mu.Lock()
	status, body := s.serveLocked(w.Header(), r, path, enterprise, &call)
	s.calls = append(s.calls, call)
	s.mu.Unlock()

	// Written without the lock: a slow client must not stall the others.
	if body != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serveLocked answers a request that the fault hook let through: it sets
// the headers in h and returns the status and JSON body (nil for none).
func (s *Server) serveLocked(h http.Header, r *http.Request, path string, enterprise bool, call *Call) (int, []byte) {
	// Calls and the secondary limit keep the clock's precision, for pacing
	// assertions; GitHub's timestamps have whole seconds.
	exact := s.opts.Now()
	now := exact.UTC().Truncate(time.Second)
	call.Time = exact
	answer := func(status int, v any) (int, []byte) {
		call.Status = status
		body, _ := encode(v)
		return status, body
	}

	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	s.requestID++
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("5150:%04X:%06X", s.requestID>>16, s.requestID))

	login, token, ok := s.authenticate(r)
	if !ok {
		msg := "Bad credentials"
		if r.Header.Get("Authorization") == "" {
			msg = "Requires authentication"
		}
		// GitHub's budget for unauthenticated callers.
		s.setRateHeaders(h, &bucket{remaining: 59, reset: now.Add(time.Hour)}, 60)
		return answer(http.StatusUnauthorized, errorBody(msg, "https://docs.github.com/rest", 401))
	}
	call.Login = login
	b := s.bucketLocked(login, now)
	counted := path != "/rate_limit" // GitHub does not charge for /rate_limit
	if counted && b.remaining == 0 {
		s.setRateHeaders(h, b, s.opts.RateLimit)
		return answer(http.StatusForbidden, errorBody(
			fmt.Sprintf("API rate limit exceeded for user ID %d.", userID(login)),
			"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit", 403))
	}
	write := mutating(r.Method)
	if write && s.opts.SecondaryLimit {
		if wait, limited := s.secondaryLocked(token, exact); limited {
			s.setRateHeaders(h, b, s.opts.RateLimit)
			h.Set("Retry-After", strconv.Itoa(wait))
			return answer(http.StatusForbidden, secondaryBody())
		}
	}

	api := s.opts.APIBase
	if api == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		api = scheme + "://" + r.Host
		if enterprise {
			api += enterprisePrefix
		}
	}
	x := &exchange{login: login, now: now, api: api}
	r2 := r.Clone(context.WithValue(r.Context(), exchangeKey{}, x))
	r2.URL.Path = path
	r2.URL.RawPath = ""
	if enterprise && r.URL.RawPath != "" {
		r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, enterprisePrefix)
	}
	x.r = r2
	s.mux.ServeHTTP(discard{}, r2)
	rep := x.reply
	if rep.status == 0 { // the mux redirected an unclean path: GitHub has no such route
		rep = notFound("https://docs.github.com/rest")
	}

	body, err := encode(rep.body)
	if err != nil {
		rep = reply{status: http.StatusInternalServerError}
		body, _ = encode(errorBody("Server Error", "", 500))
	}
	status := rep.status
	if r.Method == http.MethodGet && status == http.StatusOK {
		etag := `W/"` + etagOf(body) + `"`
		h.Set("ETag", etag)
		if matchETag(r.Header.Get("If-None-Match"), etag) {
			// A 304 is free: GitHub does not charge it to the primary budget.
			status, body, counted = http.StatusNotModified, nil, false
		}
	}
	if counted {
		b.remaining--
	}
	if write && status < 300 {
		s.writes[token] = append(s.writes[token], exact)
	}
	s.setRateHeaders(h, b, s.opts.RateLimit)
	for k, vs := range rep.header {
		h[k] = vs
	}
	if rep.link != "" {
		h.Set("Link", rep.link)
	}
	call.Status = status
	return status, body
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// authenticate accepts "token X" and "Bearer X" as GitHub does.
func (s *Server) authenticate(r *http.Request) (login, token string, ok bool) {
	auth := r.Header.Get("Authorization")
	scheme, token, found := strings.Cut(auth, " ")
	if !found || token == "" {
		return "", "", false
	}
	switch strings.ToLower(scheme) {
	case "token", "bearer":
	default:
		return "", "", false
	}
	if s.opts.Tokens == nil {
		return s.opts.Login, token, true
	}
	login, ok = s.opts.Tokens[token]
	return login, token, ok
}

// bucketLocked returns login's primary budget, refilled when its window ended.
func (s *Server) bucketLocked(login string, now time.Time) *bucket {
	b := s.rates[login]
	if b == nil || !now.Before(b.reset) {
		b = &bucket{remaining: s.opts.RateLimit, reset: now.Add(s.opts.RateWindow)}
		s.rates[login] = b
	}
	return b
}

func (s *Server) setRateHeaders(h http.Header, b *bucket, limit int) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(b.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(b.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(limit-b.remaining))
	h.Set("X-RateLimit-Resource", "core")
}

// secondaryLocked applies the content-creation limit to token's accepted
// writes in the last minute; it returns the Retry-After seconds.
func (s *Server) secondaryLocked(token string, now time.Time) (int, bool) {
	from := now.Add(-time.Minute)
	ts := s.writes[token]
	i := 0
	for i < len(ts) && !ts[i].After(from) {
		i++
	}
	ts = ts[i:]
	s.writes[token] = ts
	if len(ts) < s.opts.WritesPerMinute {
		return 0, false
	}
	wait := ts[0].Add(time.Minute).Sub(now)
	secs := int((wait + time.Second - 1) / time.Second)
	return max(secs, 1), true
}

func secondaryBody() map[string]any {
	return errorBody("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 5150:0000:000000.",
		secondaryDocURL, 403)
}

const secondaryDocURL = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"

// errorBody is GitHub's basic-error shape.
func errorBody(msg, doc string, status int) map[string]any {
	m := map[string]any{"message": msg, "documentation_url": doc}
	if status != 0 {
		m["status"] = strconv.Itoa(status)
	}
	return m
}

func encode(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // GitHub sends "<!--" as is
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func matchETag(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// discard swallows what the mux writes itself (redirects of unclean paths):
// every route answers through the exchange.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// route registers a handler that answers through the request's exchange.
func (s *Server) route(pattern string, h func(x *exchange) reply) {
	s.mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
		x := r.Context().Value(exchangeKey{}).(*exchange)
		x.r = r // carries the path values
		x.reply = h(x)
	})
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.route("/", func(*exchange) reply { return notFound("https://docs.github.com/rest") })
	s.route("GET /rate_limit", s.getRateLimit)
	s.route("GET /user", s.getAuthenticatedUser)
	s.route("GET /users/{username}", s.getUser)
	s.route("GET /repos/{owner}/{repo}", s.getRepo)
	s.route("GET /repos/{owner}/{repo}/issues", s.listIssues)
	s.route("POST /repos/{owner}/{repo}/issues", s.createIssue)
	s.route("GET /repos/{owner}/{repo}/issues/{number}", s.getIssue)
	s.route("PATCH /repos/{owner}/{repo}/issues/{number}", s.updateIssue)
	s.route("GET /repos/{owner}/{repo}/issues/{number}/comments", s.listComments)
	s.route("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
	s.route("GET /repos/{owner}/{repo}/issues/{number}/labels", s.listIssueLabels)
	s.route("POST /repos/{owner}/{repo}/issues/{number}/labels", s.addIssueLabels)
	s.route("PUT /repos/{owner}/{repo}/issues/{number}/labels", s.setIssueLabels)
	// "issues/comments/{id}" and "issues/{number}/labels" overlap as
	// patterns (a mux panics on them): one route tells them apart.
	s.route("DELETE /repos/{owner}/{repo}/issues/{number}/{what}", s.deleteUnderIssues)
	s.route("DELETE /repos/{owner}/{repo}/issues/{number}/labels/{name}", s.removeIssueLabel)
	s.route("GET /repos/{owner}/{repo}/labels", s.listLabels)
	s.route("POST /repos/{owner}/{repo}/labels", s.createLabel)
	s.route("GET /repos/{owner}/{repo}/labels/{name}", s.getLabel)
	s.route("GET /repos/{owner}/{repo}/milestones", s.listMilestones)
	s.route("POST /repos/{owner}/{repo}/milestones", s.createMilestone)
	s.route("GET /repos/{owner}/{repo}/milestones/{number}", s.getMilestone)
	s.route("GET /repos/{owner}/{repo}/pulls", s.listPulls)
	s.route("POST /repos/{owner}/{repo}/pulls", s.createPull)
	s.route("GET /repos/{owner}/{repo}/pulls/{number}", s.getPull)
	s.route("PATCH /repos/{owner}/{repo}/pulls/{number}", s.updatePull)
}

func notFound(doc string) reply {
	return reply{status: http.StatusNotFound, body: errorBody("Not Found", doc, 404)}
}
