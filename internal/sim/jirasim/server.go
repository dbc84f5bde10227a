// Package jirasim is a stateful simulator of the Jira REST API, Cloud and
// Data Center flavours, for the endpoints pmsync uses: issues (create,
// get, edit, assign), transitions, comments, issue links, JQL search,
// users, fields, create metadata and server info. It answers in Jira's
// shapes, with Jira's errors, timestamps (2021-01-17T12:34:00.000+0000),
// pagination and limits, so that tests and `pmsync demo` exercise real
// clients such as go-jira.
//
// Both /rest/api/2 and /rest/api/3 are served (v3 carries Atlassian
// Document Format bodies; Data Center has no v3). Search differs by
// flavour, as in the real products: Cloud serves /search/jql (token
// pagination, no total, bounded queries only) and answers 410 Gone on the
// removed /search; Data Center serves /search (startAt, total) and has no
// /search/jql.
//
// JQL is parsed and evaluated, not matched against canned answers:
// fields project, key (issue, issuekey, id), labels, status,
// statusCategory, resolution, assignee, reporter, created, updated,
// resolved, due, priority, type, component, summary, description, comment,
// text and custom fields (cf[N]); operators =, !=, <, <=, >, >=, ~, !~,
// IN, NOT IN, IS [NOT] EMPTY; AND, OR, NOT, parentheses, ORDER BY; values
// bare, "double" or 'single' quoted with backslash escapes, EMPTY, dates
// ("2026/11/25 08:55", "2026-11-25", -7d) and the functions currentUser(),
// now(), startOfDay() and endOfDay().
//
// It uses the standard library only: it ships inside the pmsync binary.
package jirasim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Flavor is the Jira deployment simulated.
type Flavor int

const (
	// Cloud is Jira Cloud: accountIds, API-token Basic auth, /search/jql.
	Cloud Flavor = iota
	// DataCenter is Jira Data Center (and Server): usernames, personal
	// access tokens, the legacy /search with startAt and total.
	DataCenter
)

func (f Flavor) String() string {
	if f == DataCenter {
		return "DataCenter"
	}
	return "Cloud"
}

// User is one Jira account.
type User struct {
	AccountID   string // Cloud identity
	Name        string // Data Center username
	Email       string
	DisplayName string
	// Inactive users (people who left) are listed but cannot be assigned.
	Inactive bool
}

// Options configures a Server. The zero value is a Cloud site that
// accepts any credentials, projects and users.
type Options struct {
	// Now is the simulator's clock. Default time.Now.
	Now func() time.Time
	// Flavor is the deployment: Cloud (default) or DataCenter.
	Flavor Flavor
	// TimeZone is the zone timestamps are written in and JQL dates are
	// read in (the API user's profile zone). Default UTC.
	TimeZone *time.Location
	// Projects are the keys of the projects that exist. When nil, every
	// well-formed key exists, created on first use.
	Projects []string
	// Users are the accounts that exist (Cloud assigns by AccountID, Data
	// Center by Name). When nil, any plausible id is a user.
	Users []User
	// Accounts maps Cloud e-mail addresses to their API tokens (Basic
	// auth). When nil, any Basic credentials are accepted.
	Accounts map[string]string
	// Tokens maps Data Center personal access tokens (Bearer) to
	// usernames. When nil, any Bearer token is accepted as user "pmsync",
	// and Basic auth as its username.
	Tokens map[string]string
	// Components are the component names every project has. When nil,
	// any name is accepted.
	Components []string
	// CustomFields maps custom field ids (customfield_10010) to their
	// names, for /field and for validation. When nil, any customfield_N
	// is accepted.
	CustomFields map[string]string
	// IndexLag delays what /search and /search/jql see of a change, as
	// Jira's eventually consistent index does; reconcileIssues bypasses
	// it. Default 0: search is consistent.
	IndexLag time.Duration
	// BaseURL is the site address in self links, e.g.
	// https://acme.atlassian.net. Default: scheme and host of each request.
	BaseURL string
	// Fault, when set, is consulted before each request is handled; see
	// FaultResponse. SetFault replaces it at run time.
	Fault func(r *http.Request) *FaultResponse
}

// Call is one request the simulator received.
type Call struct {
	Method string
	Path   string
	Query  url.Values
	Status int       // 0 when the connection was dropped
	User   string    // accountId or username; "" when authentication failed
	Time   time.Time // Options.Now when the request arrived
	Fault  bool      // answered (or delayed) by the fault hook
}

// Mutating reports whether the call was a write (POST, PUT, DELETE);
// searches sent by POST count as reads.
func (c Call) Mutating() bool {
	switch c.Method {
	case http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	case http.MethodPost:
		return !strings.HasSuffix(c.Path, "/search") && !strings.HasSuffix(c.Path, "/search/jql")
	}
	return false
}

// Server is the simulator: an http.Handler. Its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	loc  *time.Location
	mux  *http.ServeMux

	mu          sync.Mutex
	fault       func(*http.Request) *FaultResponse
	projects    map[string]*project // by key
	issues      map[int64]*issue
	byKey       map[string]*issue // current and former keys
	links       []*link
	users       []*User
	calls       []Call
	seq         int64 // ids of issues, comments and links
	nextProject int64
	requestID   int
}

// New returns a simulator with no issues.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	loc := opts.TimeZone
	if loc == nil {
		loc = time.UTC
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Server{
		opts: opts, loc: loc, fault: opts.Fault,
		projects: map[string]*project{}, issues: map[int64]*issue{}, byKey: map[string]*issue{},
		seq: 10000, nextProject: 10000,
	}
	for _, u := range opts.Users {
		s.users = append(s.users, &u)
	}
	for _, key := range opts.Projects {
		s.addProjectLocked(strings.ToUpper(key))
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

// nowLocked is the clock at Jira's precision, milliseconds.
func (s *Server) nowLocked() time.Time { return s.opts.Now().Truncate(time.Millisecond) }

// exchange is one request on its way through the handlers.
type exchange struct {
	r    *http.Request
	user *User
	now  time.Time
	base string // site address for self links
	ver  string // "2" or "3"
	raw  []byte // the request body
	rep  reply
}

// api is the REST base of the request's version, for self links.
func (x *exchange) api() string { return x.base + "/rest/api/" + x.ver }

// reply is what a handler answers; ServeHTTP encodes it.
type reply struct {
	status int
	body   any
	// emptyJSON sends Content-Type JSON and no body, as Jira does for
	// some 201s (issueLink).
	emptyJSON bool
	header    http.Header
}

type exchangeKey struct{}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	call := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Time: s.opts.Now()}
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

	body, err := readBody(r)
	s.mu.Lock()
	var rep reply
	if err != nil {
		rep = errorReply(http.StatusBadRequest, "Could not read the request body.")
	} else {
		rep = s.serveLocked(r, body, &call)
	}
	call.Status = rep.status
	s.calls = append(s.calls, call)
	s.requestID++
	reqID := s.requestID
	s.mu.Unlock()

	// Written without the lock: a slow client must not stall the others.
	h := w.Header()
	for k, vs := range rep.header {
		h[k] = vs
	}
	h.Set("X-AREQUESTID", fmt.Sprintf("%dx%dx1", 600+reqID%400, reqID))
	h.Set("Cache-Control", "no-cache, no-store, no-transform")
	var out []byte
	if rep.body != nil {
		out, _ = encode(rep.body)
	}
	if rep.body != nil || rep.emptyJSON {
		h.Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(out)
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	_, err := buf.ReadFrom(r.Body)
	return buf.Bytes(), err
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

// serveLocked authenticates and routes a request the fault hook let through.
func (s *Server) serveLocked(r *http.Request, body []byte, call *Call) reply {
	user := s.authenticateLocked(r)
	if user == nil {
		rep := errorReply(http.StatusUnauthorized, "You are not authenticated. Authentication required to perform this operation.")
		rep.header = http.Header{"X-Seraph-LoginReason": {"AUTHENTICATED_FAILED"}}
		if s.opts.Flavor == DataCenter {
			rep.header.Set("WWW-Authenticate", `OAuth realm="`+s.baseURL(r)+`"`)
		}
		return rep
	}
	call.User = s.userID(user)
	base := s.baseURL(r)
	x := &exchange{user: user, now: s.nowLocked(), base: base, raw: body}
	r2 := r.Clone(context.WithValue(r.Context(), exchangeKey{}, x))
	r2.Body = http.NoBody
	x.r = r2
	d := &discard{}
	s.mux.ServeHTTP(d, r2)
	rep := x.rep
	switch {
	case d.status == http.StatusMethodNotAllowed:
		rep = reply{status: http.StatusMethodNotAllowed, header: http.Header{"Allow": d.header.Values("Allow")}}
	case rep.status == 0: // the mux answered itself: no such path
		rep = s.noSuchResource(x)
	}
	if s.opts.Flavor == DataCenter {
		if rep.header == nil {
			rep.header = http.Header{}
		}
		rep.header.Set("X-AUSERNAME", user.Name)
	}
	return rep
}

func (s *Server) baseURL(r *http.Request) string {
	if s.opts.BaseURL != "" {
		return s.opts.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// authenticateLocked returns the request's user, nil when refused:
// Cloud takes Basic e-mail:API-token; Data Center a Bearer personal
// access token (or Basic when Options.Tokens is nil).
func (s *Server) authenticateLocked(r *http.Request) *User {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		if err != nil {
			return nil
		}
		login, secret, ok := strings.Cut(string(raw), ":")
		if !ok || login == "" {
			return nil
		}
		if s.opts.Flavor == DataCenter {
			if s.opts.Tokens != nil {
				return nil
			}
			return s.accountFor(login)
		}
		if s.opts.Accounts != nil {
			tok, ok := s.opts.Accounts[login]
			if !ok {
				for email, t := range s.opts.Accounts {
					if strings.EqualFold(email, login) {
						tok, ok = t, true
					}
				}
			}
			if !ok || tok != secret {
				return nil
			}
		}
		return s.accountFor(login)
	case strings.EqualFold(scheme, "Bearer") && s.opts.Flavor == DataCenter:
		tok := strings.TrimSpace(cred)
		if tok == "" {
			return nil
		}
		if s.opts.Tokens == nil {
			return s.accountFor("pmsync")
		}
		name, ok := s.opts.Tokens[tok]
		if !ok {
			return nil
		}
		return s.accountFor(name)
	}
	return nil
}

// errorReply is Jira's ErrorCollection with messages.
func errorReply(status int, msgs ...string) reply {
	if msgs == nil {
		msgs = []string{}
	}
	return reply{status: status, body: errorCollection{ErrorMessages: msgs, Errors: map[string]string{}}}
}

// fieldErrors is Jira's ErrorCollection with per-field messages.
func fieldErrors(status int, errs map[string]string) reply {
	return reply{status: status, body: errorCollection{ErrorMessages: []string{}, Errors: errs}}
}

type errorCollection struct {
	ErrorMessages   []string          `json:"errorMessages"`
	Errors          map[string]string `json:"errors"`
	WarningMessages []string          `json:"warningMessages,omitempty"`
}

// noSuchResource is the REST plugin's answer for a path nothing serves.
func (s *Server) noSuchResource(x *exchange) reply {
	return reply{status: http.StatusNotFound, body: map[string]any{
		"message":     "null for uri: " + x.base + x.r.URL.RequestURI(),
		"status-code": http.StatusNotFound,
	}}
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// discard swallows what the mux writes itself (every route answers
// through the exchange), keeping its status: 405 for a wrong method.
type discard struct {
	header http.Header
	status int
}

func (d *discard) Header() http.Header {
	if d.header == nil {
		d.header = http.Header{}
	}
	return d.header
}
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(status int)      { d.status = status }

// route registers a handler for /rest/api/{2,3}/path. Data Center has no
// v3; Cloud-only and DC-only routes say so with only.
func (s *Server) route(method, path string, h func(x *exchange) reply) {
	s.mux.HandleFunc(method+" /rest/api/{ver}"+path, func(_ http.ResponseWriter, r *http.Request) {
		x := r.Context().Value(exchangeKey{}).(*exchange)
		x.r = r // carries the path values
		x.ver = r.PathValue("ver")
		if x.ver != "2" && (x.ver != "3" || s.opts.Flavor == DataCenter) {
			x.rep = s.noSuchResource(x)
			return
		}
		x.rep = h(x)
	})
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.route("POST", "/issue", s.createIssue)
	s.route("GET", "/issue/{key}", s.getIssue)
	s.route("PUT", "/issue/{key}", s.editIssue)
	s.route("PUT", "/issue/{key}/assignee", s.assignIssue)
	s.route("GET", "/issue/{key}/transitions", s.getTransitions)
	s.route("POST", "/issue/{key}/transitions", s.doTransition)
	s.route("GET", "/issue/{key}/comment", s.getComments)
	s.route("POST", "/issue/{key}/comment", s.addComment)
	s.route("DELETE", "/issue/{key}/comment/{id}", s.deleteComment)
	s.route("POST", "/issueLink", s.linkIssues)
	s.route("GET", "/issueLinkType", s.getLinkTypes)
	s.route("GET", "/search", s.searchLegacy)
	s.route("POST", "/search", s.searchLegacy)
	s.route("GET", "/search/jql", s.searchJQL)
	s.route("POST", "/search/jql", s.searchJQL)
	s.route("GET", "/user", s.getUser)
	s.route("GET", "/user/search", s.findUsers)
	s.route("GET", "/user/assignable/search", s.findAssignableUsers)
	s.route("GET", "/myself", s.getMyself)
	s.route("GET", "/serverInfo", s.getServerInfo)
	s.route("GET", "/field", s.getFields)
	s.route("GET", "/issue/createmeta/{project}/issuetypes", s.getCreateMetaIssueTypes)
	s.route("GET", "/issue/createmeta/{project}/issuetypes/{type}", s.getCreateMetaFields)
}

// jsonBody decodes the request body as JSON; Jira wants application/json
// and answers 415 otherwise.
func (x *exchange) jsonBody(v any) *reply {
	ct := strings.ToLower(x.r.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "application/json") {
		rep := errorReply(http.StatusUnsupportedMediaType, "Unsupported Media Type")
		return &rep
	}
	dec := json.NewDecoder(bytes.NewReader(x.raw))
	if err := dec.Decode(v); err != nil {
		rep := errorReply(http.StatusBadRequest, "Unexpected character in the request body: "+err.Error())
		return &rep
	}
	return nil
}
