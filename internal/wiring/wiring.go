// Package wiring turns the configuration into a run's parts: the
// parser's options, the router, the source (a folder, or a git clone with
// its secrets), where the outcome is published, and the engine itself.
// Like trackers/factory, it reads config so that nothing below it does.
package wiring

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/trackers"
	"github.com/pmsync/pmsync/trackers/factory"
	"github.com/pmsync/pmsync/trackers/github"
)

// ConfigError is an error in the configuration (pmsync exits 2).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(err error) error { return &ConfigError{err} }

// Flags are a run's command-line choices.
type Flags struct {
	DryRun        bool
	Only          []string // --only
	IncludeDrafts bool
	Since         string // --since, YYYY-MM-DD (validated); "" for source.since
	// Offline (report --offline): no tracker is asked and no tracker
	// credential is needed; the report comes from the documents and
	// .pmsync/ alone.
	Offline bool
	// Today (--now): the day the report is evaluated as of; zero: today.
	Today time.Time
	// Report: the run only reports (pmsync report): no nudge is decided
	// or posted, and none refuses the run.
	Report bool
	// KeepPlan: the plan is printed after the run (sync --format json),
	// so each create keeps its ticket content once created.
	KeepPlan bool
}

// Run is an engine ready to run, with the trackers it uses (for their
// call counts) and the source to close after it.
type Run struct {
	Engine   *engine.Engine
	Trackers map[string]trackers.Tracker
	Source   Source
}

// NewRun wires the configuration into one engine run. Every credential
// problem is reported at once, before anything is cloned or listed.
func NewRun(ctx context.Context, cfg *config.Config, f Flags, log *slog.Logger, fo factory.Options) (*Run, error) {
	opts, err := DocOptions(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	creds := cfg.Credentials()
	if f.Offline {
		creds = sourceCredentials(cfg)
	}
	if err := (config.Secrets{Env: fo.Env, ReadFile: fo.ReadFile}).Check(creds); err != nil {
		return nil, configErr(err)
	}
	src, gitSrc, err := OpenSource(ctx, cfg, fo)
	if err != nil {
		return nil, err
	}
	trs := map[string]trackers.Tracker{}
	if !f.Offline {
		if trs, err = factory.New(cfg, fo); err != nil {
			src.Close()
			return nil, configErr(err)
		}
	}
	// What pmsync before 0.3 used when owner_id was unset; the engine
	// keeps it for an installation that synced before the id was
	// written into the source.
	legacyOwnerID := "dir:" + filepath.ToSlash(src.Root())
	if gitSrc != nil {
		legacyOwnerID = "git:" + src.Root()
	}
	var since time.Time
	if d := cmp.Or(f.Since, cfg.Source.Since); d != "" {
		since, _ = time.Parse("2006-01-02", d) // validated with the flag and the config
	}
	maxCreates, maxShare, trusted := map[string]int{}, map[string]float64{}, map[string][]string{}
	for name, t := range cfg.Trackers {
		maxCreates[name] = t.MaxCreates
		maxShare[name] = t.MaxCreateShare
		trusted[name] = t.TrustedAuthors
	}
	var webhook string
	if ref := cfg.Digests.Webhook(); ref.IsSet() && !f.Offline {
		if webhook, err = (config.Secrets{Env: fo.Env, ReadFile: fo.ReadFile}).Resolve(ref); err != nil {
			src.Close()
			return nil, configErr(err)
		}
		if fo.Secret != nil {
			fo.Secret(webhook) // the logger redacts it, like a token
		}
	}
	nudges, digests, err := Nudges(cfg, webhook)
	if err != nil {
		src.Close()
		return nil, configErr(err)
	}
	nudges.ReportOnly = f.Report
	e := &engine.Engine{
		Source: src, Parser: postmortem.NewParser(opts), Router: Router(cfg), Directory: opts.Directory,
		Trackers: trs, Log: log,
		Config: engine.Config{
			OwnerID: cfg.OwnerID, LegacyOwnerID: legacyOwnerID, WebURL: DocWebURL(cfg.Source, gitSrc != nil), DryRun: f.DryRun, Only: f.Only,
			IncludeDrafts: f.IncludeDrafts, MaxCreates: maxCreates, MaxShare: maxShare, Since: since,
			TrustedAuthors: trusted, Offline: f.Offline, Today: f.Today, Nudges: nudges, Digests: digests, KeepPlan: f.KeepPlan,
		},
		Publish: publish(cfg, gitSrc, fo),
	}
	if fo.Clock != nil {
		// One clock for the run and its trackers (simulated in tests and
		// benchmarks, so "since the last run" means the same to both).
		e.Now = fo.Clock.Now
	}
	return &Run{Engine: e, Trackers: trs, Source: src}, nil
}

// sourceCredentials are the credentials the source alone needs (a git
// clone's), for a run that asks no tracker.
func sourceCredentials(cfg *config.Config) []config.Credential {
	if cfg.Source.Type != config.SourceGit {
		return nil
	}
	src := *cfg
	src.Trackers = nil
	return src.Credentials()
}

// DocOptions turns the configuration into the parser's options. Its
// errors are configuration errors (exit 2).
func DocOptions(cfg *config.Config) (postmortem.Options, error) {
	o := postmortem.Options{
		FinalWords:        cfg.Finalized.Words,
		FinalWhenUnstated: cfg.Finalized.WhenUnstated == config.WhenUnstatedFinal,
		Directory:         Directory(cfg),
		Horizons:          map[string]postmortem.Span{},
		DueAfter:          map[string]postmortem.Span{},
		FactorsListOnly:   cfg.Factors.Prose == config.FactorProseIgnore,
		JiraProjects:      configuredJiraProjects(cfg),
	}
	var problems []string
	spans := func(key string, in map[string]string, out map[string]postmortem.Span) {
		keys := make([]string, 0, len(in))
		for k := range in {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s, err := postmortem.ParseSpan(in[k])
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s.%s: %v", key, k, err))
				continue
			}
			out[k] = s
		}
	}
	spans("defaults.due_after", cfg.Defaults.DueAfter, o.DueAfter)
	spans("defaults.horizons", cfg.Defaults.Horizons, o.Horizons)
	if len(problems) > 0 {
		return o, fmt.Errorf("configuration: %s; fix the config file", strings.Join(problems, "; "))
	}
	return o, nil
}

// configuredJiraProjects are the Jira projects the configuration names.
func configuredJiraProjects(cfg *config.Config) []string {
	var out []string
	for _, t := range cfg.Trackers {
		if t.Type == config.TrackerJira {
			out = append(append(out, t.Project), t.AllowedProjects...)
		}
	}
	for _, r := range cfg.Routes {
		out = append(out, r.Project)
	}
	for _, t := range cfg.Teams {
		out = append(out, t.Jira)
	}
	return out
}

func Directory(cfg *config.Config) postmortem.Directory {
	d := postmortem.Directory{People: map[string]postmortem.Person{}, Teams: map[string]postmortem.Team{}}
	for k, p := range cfg.People {
		d.People[k] = postmortem.Person{Key: k, Name: p.Name, Email: p.Email, GitHub: p.GitHub, Jira: p.Jira}
	}
	for k, t := range cfg.Teams {
		d.Teams[k] = postmortem.Team{Key: k, GitHub: t.GitHub, Jira: t.Jira}
	}
	return d
}

func Router(cfg *config.Config) *route.Router {
	r := &route.Router{Trackers: map[string]route.Tracker{}, Teams: Directory(cfg).Teams}
	for name, t := range cfg.Trackers {
		r.Trackers[name] = route.Tracker{Type: t.Type, Repo: t.Repo, Project: t.Project,
			Allowed: append(append([]string(nil), t.AllowedRepos...), t.AllowedProjects...)}
	}
	for _, rt := range cfg.Routes {
		r.Rules = append(r.Rules, route.Rule{
			Team: rt.Match.Team, Service: rt.Match.Service, Severity: rt.Match.Severity, DocTracker: rt.Match.Tracker,
			Tracker: rt.Tracker, Repo: rt.Repo, Project: rt.Project,
		})
	}
	return r
}

// publish says where a run's outcome goes: the repository of a git
// source (a commit, or pmsync's branch and a pull request), the report,
// the Pushgateway.
func publish(cfg *config.Config, gitSrc *source.Git, fo factory.Options) engine.Publish {
	pub := engine.Publish{ReportDir: cfg.Report.Dir, ReportFormats: cfg.Report.Formats,
		Pushgateway: cfg.Metrics.PushgatewayURL, Job: cfg.Metrics.Job}
	if gitSrc == nil {
		return pub
	}
	pub.Repo, pub.ReportInRepo = gitSrc, cfg.Report.Commit
	if cfg.Source.Git.Mode == config.GitModePullRequest {
		pub.PullRequests = &pullRequests{cfg: cfg, fo: fo}
		pub.PullBase = cmp.Or(cfg.Source.Git.Branch, "main")
	}
	return pub
}

// DocWebURL is the base a document's path (relative to source.path) is
// appended to for its link. For a git source web_url is the address of
// the repository's files (…/blob/main/, as SPEC §5 shows), so the folder
// inside the repository comes in between, unless web_url already ends
// with it; for a folder source web_url is the folder's address.
func DocWebURL(s config.Source, git bool) string {
	if s.WebURL == "" || !git {
		return s.WebURL
	}
	folder := strings.Trim(path.Clean("/"+filepath.ToSlash(s.Path)), "/")
	base := strings.TrimRight(s.WebURL, "/")
	if folder == "" || strings.HasSuffix(base, "/"+folder) {
		return base + "/"
	}
	return base + "/" + folder + "/"
}

// GitToken resolves source.git's token ("" when none is set).
func GitToken(cfg *config.Config, fo factory.Options) (string, error) {
	g := cfg.Source.Git
	if !g.Token().IsSet() {
		return "", nil
	}
	secrets := config.Secrets{Env: fo.Env, ReadFile: fo.ReadFile}
	if fo.Logger != nil {
		secrets.Warn = func(msg string) { fo.Logger.Warn(msg) }
		if u, err := url.Parse(g.URL); err == nil && u.Scheme == "http" && !config.Loopback(u.Hostname()) {
			fo.Logger.Warn("the git token is sent in clear text over http:// (source.git.allow_insecure_http is set); use https://", "host", u.Host)
		}
	}
	t, err := secrets.Resolve(g.Token())
	if err != nil {
		return "", configErr(err)
	}
	if fo.Secret != nil {
		fo.Secret(t)
	}
	return t, nil
}

// Source is a source that releases what it holds.
type Source interface {
	source.Source
	Close() error
}

// OpenSource opens the configured folder, or clones the configured git
// repository (into TMPDIR: an emptyDir in Kubernetes).
func OpenSource(ctx context.Context, cfg *config.Config, fo factory.Options) (Source, *source.Git, error) {
	dirOpts := source.DirOptions{Include: cfg.Source.Include, Exclude: cfg.Source.Exclude, MaxBytes: postmortem.MaxSize}
	switch cfg.Source.Type {
	case config.SourceDir:
		src, err := source.OpenDir(cfg.Source.Path, dirOpts)
		if err != nil {
			return nil, nil, configErr(err)
		}
		return src, nil, nil
	case config.SourceGit:
		g := cfg.Source.Git
		token, err := GitToken(cfg, fo)
		if err != nil {
			return nil, nil, err
		}
		secrets := config.Secrets{Env: fo.Env, ReadFile: fo.ReadFile}
		sshKey, knownHosts, err := GitSSHSecrets(g, secrets, fo)
		if err != nil {
			return nil, nil, configErr(err)
		}
		if cfg.Report.Commit {
			// The committed report is not a postmortem.
			if ex, ok := ReportExclude(cfg.Source.Path, cfg.Report.Dir); ok {
				dirOpts.Exclude = append(slices.Clone(dirOpts.Exclude), ex)
			}
		}
		sum := sha256.Sum256([]byte(g.URL + "\x00" + g.Branch))
		parent := g.Dir
		if parent == "" {
			// TMPDIR of the environment pmsync was given (the process's
			// own when run from main).
			parent = os.TempDir()
			for _, kv := range fo.Env {
				if v, ok := strings.CutPrefix(kv, "TMPDIR="); ok && v != "" {
					parent = v
				}
			}
		}
		src, err := source.OpenGit(ctx, source.GitOptions{
			URL: g.URL, Branch: g.Branch, Token: token, Path: cfg.Source.Path,
			Dir:     filepath.Join(parent, "pmsync-"+hex.EncodeToString(sum[:6])),
			Include: dirOpts.Include, Exclude: dirOpts.Exclude, MaxBytes: dirOpts.MaxBytes,
			AuthorName: g.AuthorName, AuthorEmail: g.AuthorEmail,
			SSHKey: sshKey, KnownHosts: knownHosts, InsecureIgnoreHostKey: g.InsecureIgnoreHostKey,
			Retries: cmp.Or(g.Retries, -1), RetryBackoff: g.RetryBackoff, // source.git.retries: 0 means none
			Log: fo.Logger,
		})
		if err != nil {
			return nil, nil, err
		}
		return src, src, nil
	}
	return nil, nil, configErr(fmt.Errorf("source.type %q: use dir or git", cfg.Source.Type))
}

// ReportExclude is the source glob that keeps a report committed under
// reportDir (relative to the repository root) out of the documents of the
// postmortems folder docPath; false when the report is outside it.
func ReportExclude(docPath, reportDir string) (string, bool) {
	d := path.Clean("/" + filepath.ToSlash(docPath))
	r := path.Clean("/" + filepath.ToSlash(reportDir))
	if d == "/" {
		return r[1:] + "/**", true
	}
	if rest, ok := strings.CutPrefix(r, d+"/"); ok {
		return rest + "/**", true
	}
	return "", false
}

// pullRequests opens pmsync's pull request in the source repository
// (engine.PullRequester), with the git token, through a GitHub adapter on
// the first github tracker's base_url (by name), or api.github.com. It is
// built on first use: a run that writes nothing needs no token.
type pullRequests struct {
	cfg *config.Config
	fo  factory.Options
}

func (p *pullRequests) PullRequest(ctx context.Context, head, base, title, body string, pushed bool) (int, error) {
	owner, name, err := repoOfURL(p.cfg.Source.Git.URL)
	if err != nil {
		return 0, err
	}
	token, err := GitToken(p.cfg, p.fo)
	if err != nil {
		return 0, err
	}
	gc := github.Config{Name: "source", Token: token, Repo: owner + "/" + name, Timeout: p.fo.Timeout}
	names := make([]string, 0, len(p.cfg.Trackers))
	for n := range p.cfg.Trackers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if t := p.cfg.Trackers[n]; t.Type == config.TrackerGitHub {
			gc.BaseURL, gc.WriteInterval = cmp.Or(t.BaseURL, gc.BaseURL), t.WriteInterval
			break
		}
	}
	t, err := github.New(gc, github.Options{Clock: p.fo.Clock, Logger: p.fo.Logger, Base: p.fo.Base})
	if err != nil {
		return 0, fmt.Errorf("pull request: %w", err)
	}
	return t.PullRequest(ctx, gc.Repo, head, base, title, body, pushed)
}

// repoOfURL parses owner and name from https://host/owner/name(.git).
func repoOfURL(raw string) (owner, name string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("source.git.url: %w", err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] == "" || parts[len(parts)-1] == "" {
		return "", "", fmt.Errorf("source.git.url %q: pull-request mode needs https://host/owner/repo", u.Redacted())
	}
	return parts[len(parts)-2], strings.TrimSuffix(parts[len(parts)-1], ".git"), nil
}

// GitSSHSecrets reads the SSH private key (source.git.ssh_key_file, a
// mounted secret) and the known_hosts file of a git source; both are nil
// when not configured. It warns when host keys are not checked.
func GitSSHSecrets(g config.Git, secrets config.Secrets, fo factory.Options) (key, knownHosts []byte, err error) {
	if g.InsecureIgnoreHostKey && g.KnownHostsFile == "" && fo.Logger != nil {
		// Validation allows the flag only on an SSH URL; say so on every
		// run, so it is not forgotten in production.
		fo.Logger.Warn("source.git.insecure_ignore_host_key is set: any SSH host key is accepted, so a man in the middle "+
			"could read and rewrite the repository; set source.git.known_hosts_file instead", "url", g.URL)
	}
	if g.SSHKey().IsSet() {
		k, err := secrets.Resolve(g.SSHKey())
		if err != nil {
			return nil, nil, err
		}
		if fo.Secret != nil {
			fo.Secret(k)
		}
		key = []byte(k + "\n")
	}
	if g.KnownHostsFile != "" {
		read := fo.ReadFile
		if read == nil {
			read = os.ReadFile
		}
		knownHosts, err = read(g.KnownHostsFile)
		if err != nil {
			return nil, nil, fmt.Errorf("source.git.known_hosts_file: %w", err)
		}
	}
	return key, knownHosts, nil
}
