// Package jira is the Jira tracker, Cloud and Data Center: it opens an
// issue for every postmortem item, finds pmsync's issues again by their
// marker (JQL on the postmortem label), reads their status and closes
// duplicates (SPEC §4). It talks REST v2 (wiki-markup descriptions)
// through go-jira over the shared trackers.Transport, which paces writes,
// waits out rate limits (Retry-After, ISO 8601 X-RateLimit-Reset) and
// retries what is safe to retry.
//
// go-jira's own weak spots are avoided: on Cloud the removed
// /rest/api/2/search is never called (Issue.SearchV2JQL instead), request
// bodies that go-jira would pad with read-only or secret-shaped fields
// (create, comment, link) are built here, user search parameters are
// URL-encoded, and error bodies are read for every call.
package jira

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	jira "github.com/andygrunwald/go-jira"
	"golang.org/x/oauth2"

	"github.com/pmsync/pmsync/trackers"
)

// Deployment kinds.
const (
	DeploymentAuto       = "auto"
	DeploymentCloud      = "cloud"
	DeploymentDataCenter = "datacenter"
)

// Config is one Jira tracker's configuration, secrets already resolved.
type Config struct {
	Name    string // tracker name from the configuration
	BaseURL string // https://acme.atlassian.net/ or https://jira.example/ (a context path is kept)
	// WebURL is where people open issues (WebURL + "browse/KEY-1");
	// default BaseURL. With OAuth 2.0 (3LO), where BaseURL is
	// api.atlassian.com/ex/jira/{cloudid}/, the default is the site's
	// baseUrl from GET serverInfo (asked once).
	WebURL     string
	Deployment string // auto (default) | cloud | datacenter; auto asks GET /rest/api/2/serverInfo once
	Project    string // default project key

	// Credentials, one way of three: Cloud: User (e-mail) + Token (API
	// token), HTTP Basic; Data Center: Token alone (personal access
	// token, Bearer), or User + Token (Basic); or OAuth 2.0 (3LO).
	User, Token string
	OAuth       *oauth2.Config
	OAuthToken  *oauth2.Token

	IssueTypes   map[string]string // kind ("action", "factor") -> issue type name; defaults Task, Bug
	Priorities   map[string]string // P0..P4 -> priority name; defaults Highest, High, Medium, Low, Lowest
	WontDo       []string          // resolutions that mean Won't do; default Won't Do, Duplicate, Declined, Cannot Reproduce
	Components   []string          // component names set on new issues
	Epic         string            // parent epic key of new issues (Cloud: parent; Data Center: the Epic Link field)
	CustomFields map[string]any    // field id (customfield_10010) -> value, sent as is

	WriteInterval time.Duration // default 1s
	Timeout       time.Duration // per request, default 30s
	// MaxResponseBytes caps one response body (default 32 MiB).
	MaxResponseBytes int64
}

// String redacts the secrets, so a Config printed by mistake leaks none.
func (c Config) String() string {
	oauth := "<nil>"
	if c.OAuth != nil || c.OAuthToken != nil {
		oauth = "REDACTED"
	}
	return fmt.Sprintf("{Name:%s BaseURL:%s WebURL:%s Deployment:%s Project:%s User:%s Token:%s OAuth:%s Epic:%s WriteInterval:%s Timeout:%s}",
		c.Name, c.BaseURL, c.WebURL, c.Deployment, c.Project, trackers.Redacted(len(c.User)), trackers.Redacted(len(c.Token)), oauth,
		c.Epic, c.WriteInterval, c.Timeout)
}

// GoString redacts like String, for %#v.
func (c Config) GoString() string { return "jira.Config" + c.String() }

// Options are the tracker's collaborators.
type Options struct {
	Clock  trackers.Clock
	Logger *slog.Logger
	Base   http.RoundTripper // innermost transport; http.DefaultTransport when nil (tests replace it)
}

const (
	// maxWait is the longest rate-limit wait accepted within a run.
	maxWait = 15 * time.Minute
	// pageSize is the JQL page size (Jira's practical cap is 100).
	pageSize = 100
)

var (
	defaultIssueTypes = map[string]string{"action": "Task", "factor": "Bug"}
	defaultPriorities = map[string]string{"P0": "Highest", "P1": "High", "P2": "Medium", "P3": "Low", "P4": "Lowest"}
	defaultWontDo     = []string{"Won't Do", "Duplicate", "Declined", "Cannot Reproduce"}
)

// Tracker is a Jira tracker. It is safe for concurrent use.
type Tracker struct {
	name       string
	project    string
	deployment string // as configured
	oauth      bool
	base       *url.URL // API base, with a trailing slash
	webCfg     *url.URL // Config.WebURL, or nil
	issueTypes map[string]string
	priorities map[string]string
	wontDo     map[string]bool // lower-case resolution names
	components []string
	epic       string
	custom     map[string]any

	secrets []string // cut out of every error text

	clock  trackers.Clock
	log    *slog.Logger
	tr     *trackers.Transport
	http   *http.Client
	client *jira.Client

	infoMu sync.Mutex
	info   *serverInfo // nil until known
	selfMu sync.Mutex
	self   string // Account's answer, once known

	userMu sync.Mutex
	users  map[string]userResult // lower-case e-mail -> account, per tracker lifetime (one run)

	projMu   sync.Mutex
	projSeen map[string]error // project -> result of the existence check

	createdMu sync.Mutex
	created   []createdRef // issues created by this tracker, oldest first

	epicMu    sync.Mutex
	epicField string // Data Center: the Epic Link field id, once looked up
	epicErr   error
}

// createdRef is an issue this tracker created.
type createdRef struct {
	key string
	id  int
}

// serverInfo is what the tracker learns from GET serverInfo.
type serverInfo struct {
	cloud bool
	web   *url.URL
}

var _ trackers.Tracker = (*Tracker)(nil)

// New builds a tracker. It sends nothing: credentials are first used,
// and the deployment is first asked, by the first call.
func New(cfg Config, o Options) (*Tracker, error) {
	if cfg.Name == "" {
		cfg.Name = "jira"
	}
	fail := func(format string, args ...any) (*Tracker, error) {
		return nil, fmt.Errorf("jira %s: %s", cfg.Name, fmt.Sprintf(format, args...))
	}
	base, err := parseBase(cfg.BaseURL)
	if err != nil {
		return fail("base_url: %v", err)
	}
	var web *url.URL
	if cfg.WebURL != "" {
		if web, err = parseBase(cfg.WebURL); err != nil {
			return fail("web_url: %v", err)
		}
	}
	switch strings.ToLower(cfg.Deployment) {
	case "", DeploymentAuto:
		cfg.Deployment = DeploymentAuto
	case DeploymentCloud, DeploymentDataCenter:
		cfg.Deployment = strings.ToLower(cfg.Deployment)
	case "server", "data-center", "dc":
		cfg.Deployment = DeploymentDataCenter
	default:
		return fail("deployment %q: want auto, cloud or datacenter", cfg.Deployment)
	}
	if cfg.Project != "" && !projectRE.MatchString(cfg.Project) {
		return fail("project %q is not a Jira project key (e.g. OPS)", cfg.Project)
	}
	if cfg.Epic != "" && !keyRE.MatchString(cfg.Epic) {
		return fail("epic %q is not an issue key (e.g. OPS-1)", cfg.Epic)
	}
	if cfg.WriteInterval == 0 {
		cfg.WriteInterval = time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	// The per-request timeout sits below the pacing transport, so a
	// rate-limit wait there is not cut short by it (an http.Client
	// Timeout would bound the waits too).
	clock, logger, inner := trackers.Defaults(o.Clock, o.Logger, o.Base, cfg.Timeout)

	oauthSet := cfg.OAuth != nil || cfg.OAuthToken != nil
	var auth http.RoundTripper
	switch {
	case oauthSet && (cfg.User != "" || cfg.Token != ""):
		return fail("both a token and OAuth 2.0 credentials are set; use one")
	case oauthSet:
		if cfg.OAuth == nil || cfg.OAuthToken == nil {
			return fail("OAuth 2.0 needs both the client configuration and a token")
		}
		if cfg.Deployment == DeploymentDataCenter {
			return fail("OAuth 2.0 (3LO) is for Jira Cloud; Data Center takes a personal access token")
		}
		// Token refreshes go through inner, not through the pacing
		// transport: they are not Jira calls.
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: inner})
		auth = &oauth2.Transport{Source: cfg.OAuth.TokenSource(ctx, cfg.OAuthToken), Base: inner}
		cfg.Deployment = DeploymentCloud
	case cfg.Token == "":
		return fail("no credentials: set token_env or token_file (and user_env for Jira Cloud)")
	case cfg.User != "":
		auth = basicAuth{user: cfg.User, pass: cfg.Token, base: inner}
	default:
		if cfg.Deployment == DeploymentCloud {
			return fail("Jira Cloud needs the account's e-mail (user_env) with the API token")
		}
		auth = bearerAuth{token: cfg.Token, base: inner}
	}

	t := &Tracker{
		name:       cfg.Name,
		project:    cfg.Project,
		deployment: cfg.Deployment,
		oauth:      oauthSet,
		base:       base,
		webCfg:     web,
		issueTypes: merged(defaultIssueTypes, cfg.IssueTypes),
		priorities: merged(defaultPriorities, upperKeys(cfg.Priorities)),
		wontDo:     map[string]bool{},
		components: cfg.Components,
		epic:       cfg.Epic,
		custom:     cfg.CustomFields,
		clock:      clock,
		log:        logger.With("tracker", cfg.Name),
		users:      map[string]userResult{},
		projSeen:   map[string]error{},
		secrets:    secretsOf(cfg),
	}
	wd := cfg.WontDo
	if len(wd) == 0 {
		wd = defaultWontDo
	}
	for _, r := range wd {
		t.wontDo[strings.ToLower(strings.TrimSpace(r))] = true
	}
	switch {
	case cfg.Deployment == DeploymentCloud && (!oauthSet || web != nil):
		t.info = &serverInfo{cloud: true, web: t.webOr(web)}
	case cfg.Deployment == DeploymentDataCenter:
		t.info = &serverInfo{cloud: false, web: t.webOr(web)}
	}
	t.tr = &trackers.Transport{
		Base:          auth,
		WriteInterval: cfg.WriteInterval,
		Clock:         clock,
		Tracker:       cfg.Name,
		MaxWait:       maxWait,
		MaxBody:       cfg.MaxResponseBytes,
	}
	t.http = &http.Client{Transport: t.tr, CheckRedirect: t.checkRedirect}
	c, err := jira.NewClient(t.http, base.String())
	if err != nil {
		return fail("base_url: %v", err)
	}
	t.client = c
	return t, nil
}

func (t *Tracker) webOr(web *url.URL) *url.URL {
	if web != nil {
		return web
	}
	return t.base
}

func merged(def, cfg map[string]string) map[string]string {
	out := make(map[string]string, len(def)+len(cfg))
	for k, v := range def {
		out[k] = v
	}
	for k, v := range cfg {
		out[k] = v
	}
	return out
}

func upperKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToUpper(strings.TrimSpace(k))] = v
	}
	return out
}

// parseBase checks an http(s) base URL and gives it a trailing slash.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err == nil && u.User != nil {
		return nil, errors.New("must not carry credentials; use user_env and token_env or token_file")
	}
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// checkRedirect follows redirects only on the API host: the auth
// transport adds the credentials to every request, wherever it goes.
func (t *Tracker) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if !strings.EqualFold(req.URL.Host, t.base.Host) || req.URL.Scheme != t.base.Scheme {
		return fmt.Errorf("redirect to %s://%s refused: credentials stay on %s", req.URL.Scheme, req.URL.Host, t.base.Host)
	}
	return nil
}

// Name is the tracker's name in the configuration.
func (t *Tracker) Name() string { return t.name }

// Stats are the transport's counters.
func (t *Tracker) Stats() *trackers.Stats { return &t.tr.Stats }

// server returns what is known of the server, asking GET serverInfo once
// when the deployment is auto (or, with OAuth, for the site's URL). A
// failure is not remembered: the next call asks again.
func (t *Tracker) server(ctx context.Context) (*serverInfo, error) {
	t.infoMu.Lock()
	defer t.infoMu.Unlock()
	if t.info != nil {
		return t.info, nil
	}
	var body struct {
		BaseURL        string `json:"baseUrl"`
		DeploymentType string `json:"deploymentType"`
	}
	if err := t.call(ctx, http.MethodGet, "rest/api/2/serverInfo", nil, nil, &body); err != nil {
		return nil, t.wrap(err, "get serverInfo", "")
	}
	info := &serverInfo{cloud: strings.EqualFold(body.DeploymentType, "Cloud")}
	switch t.deployment {
	case DeploymentCloud:
		info.cloud = true
	case DeploymentDataCenter:
		info.cloud = false
	}
	info.web = t.webOr(t.webCfg)
	if t.webCfg == nil && t.oauth {
		// 3LO calls go to api.atlassian.com; people open the site.
		if u, err := parseBase(body.BaseURL); err == nil {
			info.web = u
		}
	}
	t.info = info
	kind := "data center"
	if info.cloud {
		kind = "cloud"
	}
	t.log.Info("jira deployment detected", "deployment", kind, "deploymentType", body.DeploymentType)
	return info, nil
}

// basicAuth is HTTP Basic: Cloud e-mail + API token (or DC user +
// password). The credentials exist only in the Authorization header.
type basicAuth struct {
	user, pass string
	base       http.RoundTripper
}

func (a basicAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.SetBasicAuth(a.user, a.pass)
	return a.base.RoundTrip(r2)
}

// bearerAuth is a Data Center personal access token.
type bearerAuth struct {
	token string
	base  http.RoundTripper
}

func (a bearerAuth) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", "Bearer "+a.token)
	return a.base.RoundTrip(r2)
}
