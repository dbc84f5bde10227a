// Package github is the GitHub Issues tracker: it opens an issue for every
// postmortem item, finds pmsync's issues again by their marker, reads
// their status and closes duplicates (SPEC §4). It talks REST through
// go-github v60 over the shared trackers.Transport, which paces writes,
// waits out rate limits and retries what is safe to retry.
package github

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

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v60/github"
	// ghinstallation's token options are go-github v88 types.
	ghapp "github.com/google/go-github/v88/github"
	"golang.org/x/oauth2"

	"github.com/pmsync/pmsync/trackers"
)

// Config is one GitHub tracker's configuration, secrets already resolved.
type Config struct {
	Name    string // tracker name from the configuration
	BaseURL string // "" = https://api.github.com/; GitHub Enterprise Server: https://ghe.example/api/v3/
	Repo    string // default owner/name
	Token   string // resolved secret (PAT or OAuth token); or the App fields:

	AppID, InstallationID int64
	PrivateKey            []byte // PEM, GitHub App

	Milestone     string        // optional milestone title for new issues
	WriteInterval time.Duration // default 1s
	Timeout       time.Duration // per request, default 30s
	// MaxResponseBytes caps one response body (default 32 MiB).
	MaxResponseBytes int64
}

// String redacts the secrets, so a Config printed by mistake leaks none.
func (c Config) String() string {
	return fmt.Sprintf("{Name:%s BaseURL:%s Repo:%s Token:%s AppID:%d InstallationID:%d PrivateKey:%s Milestone:%q WriteInterval:%s Timeout:%s}",
		c.Name, c.BaseURL, c.Repo, trackers.Redacted(len(c.Token)), c.AppID, c.InstallationID, trackers.Redacted(len(c.PrivateKey)),
		c.Milestone, c.WriteInterval, c.Timeout)
}

// GoString redacts like String, for %#v.
func (c Config) GoString() string { return "github.Config" + c.String() }

// Options are the tracker's collaborators.
type Options struct {
	Clock  trackers.Clock
	Logger *slog.Logger
	Base   http.RoundTripper // innermost transport; http.DefaultTransport when nil (tests replace it)
}

const (
	defaultBaseURL = "https://api.github.com/"
	// maxRefusals bounds how often a go-github local rate-limit refusal is
	// waited out for one call.
	maxRefusals = 3
	// maxWait is the longest rate-limit wait accepted within a run.
	maxWait = 15 * time.Minute
)

// Tracker is a GitHub Issues tracker. It is safe for concurrent use.
type Tracker struct {
	name     string
	repo     string
	mileName string   // Config.Milestone; the Config itself is not kept (it holds secrets)
	base     *url.URL // API base, with a trailing slash
	web      *url.URL // web host issues live on: https://github.com/
	clock    trackers.Clock
	log      *slog.Logger
	tr       *trackers.Transport
	http     *http.Client
	mu       sync.Mutex
	client   *gh.Client
	labelMu  sync.Mutex
	labels   map[string]map[string]bool // repo -> lower-case label names known to exist
	msMu     sync.Mutex
	miles    map[string]int // repo -> milestone number
	repoMu   sync.Mutex
	repoSeen map[string]error // repo -> result of the existence check after a 404
	// apps authenticates as the GitHub App itself (a JWT), nil with a
	// token; only Account uses it.
	apps   http.RoundTripper
	selfMu sync.Mutex
	self   string // Account's answer, once known
}

var _ trackers.Tracker = (*Tracker)(nil)

// New builds a tracker. It sends nothing: credentials are first used by
// the first call.
func New(cfg Config, o Options) (*Tracker, error) {
	if cfg.Name == "" {
		cfg.Name = "github"
	}
	fail := func(format string, args ...any) (*Tracker, error) {
		return nil, fmt.Errorf("github %s: %s", cfg.Name, fmt.Sprintf(format, args...))
	}
	raw := cfg.BaseURL
	if raw == "" {
		raw = defaultBaseURL
	}
	base, err := url.Parse(raw)
	if err == nil && base.User != nil {
		return fail("base_url must not carry credentials; use token_env or token_file")
	}
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fail("base_url %q is not an http(s) URL", cfg.BaseURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	base.RawQuery, base.Fragment = "", ""
	if cfg.Repo != "" {
		if _, _, err := splitRepo(cfg.Repo); err != nil {
			return fail("repo: %v", err)
		}
	}
	if cfg.WriteInterval == 0 {
		cfg.WriteInterval = time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	// The per-request timeout sits below the pacing transport, so a
	// rate-limit wait there is not cut short by it.
	clock, logger, inner := trackers.Defaults(o.Clock, o.Logger, o.Base, cfg.Timeout)

	app := cfg.AppID != 0 || cfg.InstallationID != 0 || len(cfg.PrivateKey) > 0
	var auth, apps http.RoundTripper
	switch {
	case cfg.Token != "" && app:
		return fail("both a token and GitHub App credentials are set; use one")
	case cfg.Token != "":
		auth = &oauth2.Transport{
			Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.Token}),
			Base:   inner,
		}
	case app:
		if cfg.AppID == 0 || cfg.InstallationID == 0 || len(cfg.PrivateKey) == 0 {
			return fail("a GitHub App needs app_id, installation_id and a private key")
		}
		// Installation-token requests go through inner directly, not
		// through the pacing transport: they are not issue writes.
		itr, err := ghinstallation.New(inner, cfg.AppID, cfg.InstallationID, cfg.PrivateKey)
		if err != nil {
			// The parse error names no key material.
			return fail("GitHub App private key: %v", err)
		}
		itr.BaseURL = strings.TrimSuffix(base.String(), "/")
		// Least privilege: the token can touch issues, nothing else. (Left
		// nil, ghinstallation would also send a "null" body.)
		itr.InstallationTokenOptions = &ghapp.InstallationTokenOptions{
			Permissions: &ghapp.InstallationPermissions{Issues: ghapp.Ptr("write"), Metadata: ghapp.Ptr("read")},
		}
		auth = appTransport{itr}
		atr, err := ghinstallation.NewAppsTransport(inner, cfg.AppID, cfg.PrivateKey)
		if err != nil {
			return fail("GitHub App private key: %v", err)
		}
		atr.BaseURL = itr.BaseURL
		apps = atr
	default:
		return fail("no credentials: set token_env or token_file, or the GitHub App fields")
	}

	t := &Tracker{
		name:     cfg.Name,
		repo:     cfg.Repo,
		mileName: cfg.Milestone,
		base:     base,
		web:      webBase(base),
		clock:    clock,
		log:      logger.With("tracker", cfg.Name),
		labels:   map[string]map[string]bool{},
		miles:    map[string]int{},
		repoSeen: map[string]error{},
		apps:     apps,
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
	t.client = t.newClient()
	return t, nil
}

// checkRedirect follows GitHub's redirects (a moved issue answers 301)
// only on the API host: the auth transport adds the token to every
// request, wherever it goes.
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

func (t *Tracker) newClient() *gh.Client {
	c := gh.NewClient(t.http)
	c.BaseURL = t.base
	c.UploadURL = t.base
	c.UserAgent = "pmsync"
	return c
}

// webBase is where issues are shown: api.github.com -> github.com (and
// api.<sub>.ghe.com -> <sub>.ghe.com); a GHES host serves both.
func webBase(api *url.URL) *url.URL {
	host := api.Host
	if h, ok := strings.CutPrefix(strings.ToLower(host), "api."); ok {
		host = h
	}
	return &url.URL{Scheme: api.Scheme, Host: host, Path: "/"}
}

// doValue is do for a go-github call that answers a value: the value of
// the attempt do returns.
func doValue[T any](ctx context.Context, t *Tracker, op func(c *gh.Client) (T, *gh.Response, error)) (T, *gh.Response, error) {
	var v T
	resp, err := t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
		var r *gh.Response
		var err error
		v, r, err = op(c)
		return r, err
	})
	return v, resp, err
}

// do runs op with the go-github client. go-github remembers a rate-limit
// answer and refuses later requests locally, by the wall clock, until its
// reset. The transport already waits real answers out with the Clock, so a
// refusal is waited out here the same way and op runs again on a fresh
// client, whose memory is empty: the transport stays the one authority.
func (t *Tracker) do(ctx context.Context, op func(c *gh.Client) (*gh.Response, error)) (*gh.Response, error) {
	for n := 0; ; n++ {
		c := t.gh()
		resp, err := op(c)
		until, limited := refusal(err, t.clock.Now())
		if !limited {
			return resp, err
		}
		wait := until.Sub(t.clock.Now())
		if wait > maxWait || n >= maxRefusals {
			return resp, &trackers.RateLimitError{Tracker: t.name, Until: until}
		}
		t.log.Info("github rate limit: waiting", "until", until.UTC().Format(time.RFC3339), "wait", wait.String())
		if err := t.clock.Sleep(ctx, wait); err != nil {
			return resp, err
		}
		t.renew(c)
	}
}

func (t *Tracker) gh() *gh.Client {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.client
}

func (t *Tracker) renew(old *gh.Client) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.client == old {
		t.client = t.newClient()
	}
}

// refusal tells go-github's rate-limit errors and until when to wait.
func refusal(err error, now time.Time) (time.Time, bool) {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		if reset := rl.Rate.Reset.Time; reset.After(now) {
			return reset.Add(time.Second), true
		}
		return now.Add(time.Second), true
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		if ab.RetryAfter != nil && *ab.RetryAfter > 0 {
			return now.Add(*ab.RetryAfter), true
		}
		return now.Add(time.Minute), true
	}
	return time.Time{}, false
}

// appTransport authenticates as a GitHub App installation. A refused
// token request is passed up as its HTTP answer, not as a transport error,
// so a 401 stays permanent (not retried) and names the token endpoint.
type appTransport struct{ itr *ghinstallation.Transport }

func (a appTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.itr.RoundTrip(r)
	var he *ghinstallation.HTTPError
	if err != nil && errors.As(err, &he) && he.Response != nil && he.RootCause == nil {
		return he.Response, nil
	}
	return resp, err
}
