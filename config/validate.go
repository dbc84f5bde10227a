package config

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var (
	// spanRE is the shape of a due span; the real parser lives with the
	// postmortem model, this only catches typos early.
	spanRE     = regexp.MustCompile(`(?i)^\s*\d+\s*(d|w|m|y|days?|weeks?|months?|years?)\s*$`)
	repoRE     = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	projectRE  = regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)
	nameRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	envVarRE   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	ghLoginRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`)
	priorityRE = regexp.MustCompile(`^P[0-4]$`)
	issueRE    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+#[1-9][0-9]*$`)
	identityRE = regexp.MustCompile(`^[^\s@][^\s]*$`)
	hoursRE    = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$`)
	// schemeRE and scpLikeRE are go-git's (internal/url), which the git
	// source clones with: isSSHURL must read a URL as it does.
	schemeRE  = regexp.MustCompile(`^[^:]+://`)
	scpLikeRE = regexp.MustCompile(`^(?:[^@]+@)?[^:\s]+:(?:[0-9]{1,5}:)?[^\\].*$`)
)

// Validate reports every problem of c at once, each naming its key, as a
// *ValidationError.
func (c *Config) Validate() error {
	if probs := c.problems(); len(probs) > 0 {
		return newValidationError("", probs)
	}
	return nil
}

func newValidationError(path string, probs []Problem) *ValidationError {
	where := "the config file"
	if path != "" {
		where = path
	}
	return &ValidationError{
		Header:   fmt.Sprintf("invalid configuration; fix these keys in %s (or the PMSYNC_ environment variables that override them)", where),
		Problems: probs,
	}
}

func (c *Config) problems() []Problem {
	var v validator
	v.owner(c.OwnerID)
	v.source(c.Source)
	trackers := v.trackers(c)
	v.routes(c.Routes, trackers)
	v.directory(c.People, c.Teams)
	v.defaults(c.Defaults)
	v.finalized(c.Finalized)
	v.oneOf("factors.prose", c.Factors.Prose, FactorProseParagraphs, FactorProseIgnore)
	if c.Source.Since != "" {
		if _, err := time.Parse("2006-01-02", c.Source.Since); err != nil {
			v.add("source.since", "must be a date YYYY-MM-DD, got %q", c.Source.Since)
		}
	}
	v.report(c.Report, c.Source)
	v.url("metrics.pushgateway_url", c.Metrics.PushgatewayURL)
	if c.Metrics.PushgatewayURL != "" && c.Metrics.Job == "" {
		v.add("metrics.job", "must be set when metrics.pushgateway_url is")
	}
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "auto", "json", "text")
	v.nudges(c.Nudges)
	v.digests(c.Digests, c.Teams)
	return v.probs
}

type validator struct{ probs []Problem }

func (v *validator) add(key, format string, args ...any) {
	v.probs = append(v.probs, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) oneOf(key, got string, allowed ...string) {
	for _, a := range allowed {
		if got == a {
			return
		}
	}
	v.add(key, "must be %s, got %q", orList(allowed), got)
}

func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// url checks an optional http(s) URL. The value is never quoted: a URL
// may carry credentials.
func (v *validator) url(key, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		v.add(key, "must be an absolute http or https URL")
	case u.User != nil:
		v.add(key, "must not contain credentials; put them in a token_env or token_file")
	}
}

// clearText checks a URL credentials are sent to: plain http:// only to
// this machine (loopback), unless allowKey is set, since anyone on the
// path could read the token.
func (v *validator) clearText(key, raw string, allowed bool, allowKey string) {
	if u, err := url.Parse(raw); err == nil && u.Scheme == "http" && !allowed && !Loopback(u.Hostname()) {
		v.add(key, "is http://: the credentials would cross the network in clear text; use https://, or set %s: true to accept that (a warning is logged every run)", allowKey)
	}
}

// Loopback reports a host name or address of this machine.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// envVar checks a *_env key. The value is never quoted: it may be a secret
// pasted into the wrong key.
func (v *validator) envVar(key, name string) {
	if name != "" && !envVarRE.MatchString(name) {
		v.add(key, "must be the name of an environment variable (letters, digits and _), not the secret itself")
	}
}

func (v *validator) secretPair(prefix, base, env, file string) {
	v.envVar(prefix+base+"_env", env)
	if env != "" && file != "" {
		v.add(prefix+base+"_env", "set %s_env or %s_file, not both", base, base)
	}
}

func (v *validator) owner(id string) {
	if strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		v.add("owner_id", "must not contain spaces or control characters (it is part of every ticket's marker)")
	}
}

func (v *validator) source(s Source) {
	v.oneOf("source.type", s.Type, SourceDir, SourceGit)
	if s.Path == "" {
		v.add("source.path", "must be set")
	} else if s.Type == SourceGit && (path.IsAbs(s.Path) || strings.HasPrefix(path.Clean(s.Path), "..")) {
		v.add("source.path", "must be a folder inside the repository for a git source, got %q", s.Path)
	}
	if len(s.Include) == 0 {
		v.add("source.include", "must list at least one glob, e.g. **/*.md")
	}
	v.globs("source.include", s.Include)
	v.globs("source.exclude", s.Exclude)
	// Globs match paths inside source.path only: one that climbs out or is
	// absolute would silently match nothing.
	inside := func(key string, globs []string) {
		for i, g := range globs {
			if strings.HasPrefix(g, "/") || filepath.IsAbs(g) || slices.Contains(strings.Split(filepath.ToSlash(g), "/"), "..") {
				v.add(fmt.Sprintf("%s[%d]", key, i), "%q reaches outside source.path, which it can never match; write it relative to source.path, e.g. team/**/*.md", g)
			}
		}
	}
	inside("source.include", s.Include)
	inside("source.exclude", s.Exclude)
	v.url("source.web_url", s.WebURL)

	g := s.Git
	if s.Type == SourceGit {
		if g.URL == "" {
			v.add("source.git.url", "must be set for a git source")
		}
		if g.Branch == "" {
			v.add("source.git.branch", "must be set for a git source")
		}
	}
	if g.URL != "" {
		if u, err := url.Parse(g.URL); err == nil && u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				v.add("source.git.url", "must not contain credentials; use source.git.token_env or source.git.token_file")
			}
		}
	}
	// Host keys are checked unless the user asks otherwise: a man in the
	// middle of an unchecked SSH connection can read and rewrite the
	// repository.
	switch ssh := isSSHURL(g.URL); {
	case s.Type != SourceGit:
	case ssh && g.KnownHostsFile == "" && !g.InsecureIgnoreHostKey:
		v.add("source.git.known_hosts_file", "must be set for an SSH source.git.url: a known_hosts file with the server's host key "+
			"(e.g. from ssh-keyscan, checked against the host's published fingerprints); or, for tests only, "+
			"set source.git.insecure_ignore_host_key: true to accept any host key")
	case ssh && g.KnownHostsFile != "" && g.InsecureIgnoreHostKey:
		v.add("source.git.insecure_ignore_host_key", "set known_hosts_file or insecure_ignore_host_key, not both")
	case !ssh && g.InsecureIgnoreHostKey:
		v.add("source.git.insecure_ignore_host_key", "applies to SSH URLs only (ssh://host/path or user@host:path)")
	}
	if s.Type == SourceGit && g.Token().IsSet() {
		v.clearText("source.git.url", g.URL, g.AllowInsecureHTTP, "source.git.allow_insecure_http")
	}
	v.oneOf("source.git.mode", g.Mode, GitModePush, GitModePullRequest)
	v.secretPair("source.git.", "token", g.TokenEnv, g.TokenFile)
	if g.Retries < 0 || g.Retries > 10 {
		v.add("source.git.retries", "must be 0 to 10, got %d", g.Retries)
	}
	if g.RetryBackoff < 0 || g.RetryBackoff > time.Minute {
		v.add("source.git.retry_backoff", "must be between 0s and 1m, got %s", g.RetryBackoff)
	}
	if g.AuthorEmail != "" && !strings.Contains(g.AuthorEmail, "@") {
		v.add("source.git.author_email", "must be an e-mail address, got %q", g.AuthorEmail)
	}
}

// isSSHURL reports whether a git URL is reached over SSH (ssh://... or
// scp-like [user@]host:path), read as go-git's transport.NewEndpoint
// reads it, without importing go-git here. Anything else is a URL of
// another scheme (git+ssh:// included: go-git has no client for it) or a
// local path.
func isSSHURL(u string) bool {
	if schemeRE.MatchString(u) {
		p, err := url.Parse(u)
		return err == nil && p.Scheme == "ssh"
	}
	if !scpLikeRE.MatchString(u) {
		return false
	}
	// As git's url_is_local_not_ssh: a "/" before the first ":" makes a
	// path (./a:b), and so does a drive letter on Windows (C:/x).
	host, _, _ := strings.Cut(u, ":")
	if strings.Contains(host, "/") {
		return false
	}
	return runtime.GOOS != "windows" || len(host) != 1 || !isASCIILetter(host[0])
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// trackers checks each tracker and returns them by lower-case name.
func (v *validator) trackers(c *Config) map[string]Tracker {
	byName := make(map[string]Tracker, len(c.Trackers))
	for _, name := range sortedKeys(c.Trackers) {
		t := c.Trackers[name]
		byName[strings.ToLower(name)] = t
		p := "trackers." + name + "."
		if !nameRE.MatchString(name) {
			v.add("trackers."+name, "tracker names must be lower-case letters, digits, - and _")
		}
		if t.Type != TrackerGitHub && t.Type != TrackerJira {
			v.add(p+"type", "must be github or jira, got %q", t.Type)
			continue // the rest depends on the type
		}
		v.url(p+"base_url", t.BaseURL)
		v.clearText(p+"base_url", t.BaseURL, t.AllowInsecureHTTP, p+"allow_insecure_http")
		if t.OAuth.TokenURL != "" {
			v.url(p+"oauth.token_url", t.OAuth.TokenURL)
			v.clearText(p+"oauth.token_url", t.OAuth.TokenURL, t.AllowInsecureHTTP, p+"allow_insecure_http")
		}
		v.secretPair(p, "token", t.TokenEnv, t.TokenFile)
		v.secretPair(p, "user", t.UserEnv, t.UserFile)
		if t.WriteInterval < 0 {
			v.add(p+"write_interval", "must not be negative")
		}
		if t.MaxCreates < 0 {
			v.add(p+"max_creates", "must not be negative")
		}
		if t.MaxResponseBytes < 0 || t.MaxResponseBytes > 1<<30 {
			v.add(p+"max_response_bytes", "must be between 0 (the default, 32 MiB) and 1 GiB, got %d", t.MaxResponseBytes)
		}
		if t.MaxCreateShare <= 0 || t.MaxCreateShare > 1 {
			v.add(p+"max_create_share", "must be more than 0 and at most 1 (1 turns the check off), got %v", t.MaxCreateShare)
		}
		// Keys of the other type are mistakes worth catching: they would be
		// ignored silently.
		other := func(key string, set bool) {
			if set {
				v.add(p+key, "applies to %s trackers only", map[string]string{TrackerGitHub: TrackerJira, TrackerJira: TrackerGitHub}[t.Type])
			}
		}
		switch t.Type {
		case TrackerGitHub:
			if t.Repo != "" && !repoRE.MatchString(t.Repo) {
				v.add(p+"repo", "must be owner/name, got %q", t.Repo)
			}
			if t.IsGitHubApp() {
				if t.AppID == 0 || t.InstallationID == 0 || t.PrivateKeyFile == "" {
					v.add(p+"app_id", "a GitHub App needs app_id, installation_id and private_key_file together")
				}
				if t.TokenEnv != "" || t.TokenFile != "" {
					v.add(p+"app_id", "use a token (token_env/token_file) or a GitHub App, not both")
				}
				if t.AppID < 0 {
					v.add(p+"app_id", "must be the App's positive id (its settings page shows it)")
				}
				if t.InstallationID < 0 {
					v.add(p+"installation_id", "must be the installation's positive id (in its settings URL)")
				}
			}
			for i, a := range t.AllowedRepos {
				if !repoRE.MatchString(a) && !(strings.HasSuffix(a, "/*") && repoRE.MatchString(strings.TrimSuffix(a, "*")+"x")) {
					v.add(fmt.Sprintf("%sallowed_repos[%d]", p, i), "must be owner/name or owner/*, got %q", a)
				}
			}
			other("allowed_projects", len(t.AllowedProjects) > 0)
			other("project", t.Project != "")
			other("deployment", t.Deployment != "")
			other("issue_types", len(t.IssueTypes) > 0)
			other("priorities", len(t.Priorities) > 0)
			other("wont_do_resolutions", len(t.WontDoResolutions) > 0)
			other("components", len(t.Components) > 0)
			other("epic", t.Epic != "")
			other("custom_fields", len(t.CustomFields) > 0)
			other("oauth", t.OAuth.IsSet())
		case TrackerJira:
			if t.Project != "" && !projectRE.MatchString(t.Project) {
				v.add(p+"project", "must be a Jira project key like OPS, got %q", t.Project)
			}
			v.oneOf(p+"deployment", t.Deployment, DeploymentAuto, DeploymentCloud, DeploymentDataCenter)
			for _, k := range sortedKeys(t.IssueTypes) {
				if k != "action" && k != "factor" {
					v.add(p+"issue_types."+k, "unknown item kind; use action or factor")
				} else if t.IssueTypes[k] == "" {
					v.add(p+"issue_types."+k, "must name a Jira issue type")
				}
			}
			for _, k := range sortedKeys(t.Priorities) {
				if !priorityRE.MatchString(k) {
					v.add(p+"priorities."+k, "unknown priority; use P0 to P4")
				} else if t.Priorities[k] == "" {
					v.add(p+"priorities."+k, "must name a Jira priority")
				}
			}
			if t.OAuth.IsSet() {
				if t.TokenEnv != "" || t.TokenFile != "" || t.UserEnv != "" || t.UserFile != "" {
					v.add(p+"oauth", "use OAuth or user_env/token_env, not both")
				}
				if t.OAuth.RefreshTokenEnv == "" && t.OAuth.RefreshTokenFile == "" {
					v.add(p+"oauth.refresh_token_env", "OAuth needs a refresh token: set refresh_token_env or refresh_token_file")
				}
				if t.OAuth.ClientSecretEnv == "" && t.OAuth.ClientSecretFile == "" {
					v.add(p+"oauth.client_secret_env", "OAuth needs the client secret: set client_secret_env or client_secret_file")
				}
			}
			for i, a := range t.AllowedProjects {
				if !projectRE.MatchString(a) {
					v.add(fmt.Sprintf("%sallowed_projects[%d]", p, i), "must be a Jira project key like OPS, got %q", a)
				}
			}
			other("allowed_repos", len(t.AllowedRepos) > 0)
			other("repo", t.Repo != "")
			other("milestone", t.Milestone != "")
			other("app_id", t.AppID != 0)
			other("installation_id", t.InstallationID != 0)
			other("private_key_file", t.PrivateKeyFile != "")
		}
	}

	// A tracker needs its own repo/project unless routes always give one.
	for _, name := range sortedKeys(c.Trackers) {
		t := c.Trackers[name]
		named, covered := 0, 0
		for _, r := range c.Routes {
			if strings.EqualFold(r.Tracker, name) {
				named++
				if (t.Type == TrackerGitHub && r.Repo != "") || (t.Type == TrackerJira && r.Project != "") {
					covered++
				}
			}
		}
		if named > 0 && named == covered {
			continue
		}
		if t.Type == TrackerGitHub && t.Repo == "" {
			v.add("trackers."+name+".repo", "must be set unless every route to this tracker sets repo")
		}
		if t.Type == TrackerJira && t.Project == "" {
			v.add("trackers."+name+".project", "must be set unless every route to this tracker sets project")
		}
	}
	return byName
}

func (v *validator) routes(routes []Route, trackers map[string]Tracker) {
	catchAll := -1
	for i, r := range routes {
		p := fmt.Sprintf("routes[%d].", i)
		if catchAll >= 0 {
			v.add(fmt.Sprintf("routes[%d]", i), "is never used: routes[%d] before it has no match and takes everything", catchAll)
		}
		if r.Match.IsZero() && catchAll < 0 {
			catchAll = i
		}
		if r.Match.Tracker != "" {
			if _, ok := trackers[strings.ToLower(r.Match.Tracker)]; !ok {
				v.add(p+"match.tracker", "unknown tracker %q; define it under trackers", r.Match.Tracker)
			}
		}
		if r.Tracker == "" {
			v.add(p+"tracker", "must name a tracker")
			continue
		}
		t, ok := trackers[strings.ToLower(r.Tracker)]
		if !ok {
			v.add(p+"tracker", "unknown tracker %q; define it under trackers", r.Tracker)
			continue
		}
		switch t.Type {
		case TrackerGitHub:
			if r.Project != "" {
				v.add(p+"project", "tracker %q is a github tracker; use repo", r.Tracker)
			}
			if r.Repo != "" && !repoRE.MatchString(r.Repo) {
				v.add(p+"repo", "must be owner/name, got %q", r.Repo)
			}
		case TrackerJira:
			if r.Repo != "" {
				v.add(p+"repo", "tracker %q is a jira tracker; use project", r.Tracker)
			}
			if r.Project != "" && !projectRE.MatchString(r.Project) {
				v.add(p+"project", "must be a Jira project key like OPS, got %q", r.Project)
			}
		}
	}
	if len(routes) > 0 && !routes[len(routes)-1].Match.IsZero() {
		v.add(fmt.Sprintf("routes[%d].match", len(routes)-1),
			"the last route must have no match: it is the default for items no other route takes; add one like {tracker: NAME}")
	}
}

func (v *validator) directory(people map[string]Person, teams map[string]Team) {
	for _, k := range sortedKeys(people) {
		p := people[k]
		key := "people." + k + "."
		if p.Email != "" && !strings.Contains(p.Email, "@") {
			v.add(key+"email", "must be an e-mail address, got %q", p.Email)
		}
		if p.GitHub != "" && !ghLoginRE.MatchString(p.GitHub) {
			v.add(key+"github", "must be a GitHub login without @, got %q", p.GitHub)
		}
	}
	for _, k := range sortedKeys(teams) {
		t := teams[k]
		if _, ok := people[k]; ok {
			v.add("teams."+k, "is also a key under people; an owner %q would be ambiguous", k)
		}
		if t.GitHub != "" && !repoRE.MatchString(t.GitHub) {
			v.add("teams."+k+".github", "must be org/team, got %q", t.GitHub)
		}
		if t.GitHubTeam != "" && !repoRE.MatchString(t.GitHubTeam) {
			v.add("teams."+k+".github_team", "must be a GitHub team as org/team-slug, without @, got %q", t.GitHubTeam)
		}
		for _, f := range []struct{ key, val string }{{"lead", t.Lead}, {"escalation", t.Escalation}} {
			if f.val != "" && !identityRE.MatchString(f.val) {
				v.add("teams."+k+"."+f.key, "must be a key of people or one tracker account (a GitHub login without @, a Jira account id or user name), without spaces, got %q", f.val)
			}
		}
		if t.DigestIssue != "" && !issueRE.MatchString(t.DigestIssue) {
			v.add("teams."+k+".digest_issue", "must be a GitHub issue as owner/repo#123, got %q", t.DigestIssue)
		}
	}
}

func (v *validator) nudges(n Nudges) {
	if n.DueSoon < 0 || n.DueSoon > 365 {
		v.add("nudges.due_soon", "must be between 0d (no due-soon reminder) and 365d, got %s", n.DueSoon)
	}
	if n.AssignWithin < 0 || n.AssignWithin > 365 {
		v.add("nudges.assign_within", "must be between 0d and 365d, got %s", n.AssignWithin)
	}
	for i, s := range n.Ladder {
		key := fmt.Sprintf("nudges.ladder[%d]", i)
		if s.After < 1 || s.After > 3650 {
			v.add(key+".after", "must be between 1d and 3650d past the due date (the overdue reminder is the day after it), got %s", s.After)
		}
		v.oneOf(key+".to", s.To, NudgeToAssignee, NudgeToTeam, NudgeToEscalation)
		for j, p := range s.Priorities {
			if p == "" || strings.IndexFunc(p, unicode.IsSpace) >= 0 {
				v.add(fmt.Sprintf("%s.priorities[%d]", key, j), "must be one word: a priority (P1), a severity (SEV2) or default, got %q", p)
			}
		}
		// Each step is marked on the ticket by a label of its day, so two
		// steps of one day for the same items would be one.
		for j := range i {
			if o := n.Ladder[j]; o.After == s.After && overlap(o.Priorities, s.Priorities) {
				v.add(key+".after", "is %s, as nudges.ladder[%d] for some of the same items; give each step of an item its own day (a step is marked by the label pmsync:escalated-%dd)", s.After, j, int(s.After))
				break
			}
		}
	}
	if n.Hours != "" {
		if m := hoursRE.FindStringSubmatch(n.Hours); m == nil || !validHours(m) {
			v.add("nudges.hours", "must be a daily window like 09:00-17:00 (24-hour clock, in nudges.timezone; 22:00-06:00 spans midnight), got %q", n.Hours)
		}
	}
	if _, err := time.LoadLocation(n.Timezone); err != nil || n.Timezone == "" || strings.EqualFold(n.Timezone, "local") {
		v.add("nudges.timezone", "must be an IANA time zone such as UTC or Europe/Berlin, got %q", n.Timezone)
	}
	if n.MaxPerRun < 1 {
		v.add("nudges.max_per_run", "must be at least 1, got %d; to turn nudges off, set nudges.enabled: false", n.MaxPerRun)
	}
}

// overlap reports whether two steps' priorities select some of the same
// items: an empty list selects every item, "default" the items no step
// names.
func overlap(a, b []string) bool {
	if len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if strings.EqualFold(x, y) {
				return true
			}
		}
	}
	return false
}

// validHours checks the numbers of a window hoursRE matched.
func validHours(m []string) bool {
	var n [4]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	from, to := n[0]*60+n[1], n[2]*60+n[3]
	return n[1] < 60 && n[3] < 60 && from < 24*60 && to <= 24*60 && from != to
}

func (v *validator) digests(d Digests, teams map[string]Team) {
	v.secretPair("digests.", "webhook", d.WebhookEnv, d.WebhookFile)
	switch {
	case d.Every < 0:
		v.add("digests.every", "must not be negative; 0 turns digests off")
	case d.Every > 0 && d.Every < time.Hour:
		v.add("digests.every", "must be at least 1h (a week is 168h or 7d), or 0 to turn digests off, got %s", d.Every)
	case d.Every > 0 && !d.Webhook().IsSet():
		issue := false
		for _, t := range teams {
			issue = issue || t.DigestIssue != ""
		}
		if !issue {
			v.add("digests.every", "is set, but digests go nowhere: set digests.webhook_env or digests.webhook_file (a Slack-compatible incoming webhook), or a team's digest_issue")
		}
	}
}

func (v *validator) globs(key string, globs []string) {
	for i, g := range globs {
		if _, err := path.Match(g, ""); err != nil || g == "" {
			v.add(fmt.Sprintf("%s[%d]", key, i), "%q is not a valid glob", g)
		}
	}
}

func (v *validator) defaults(d Defaults) {
	v.spans("defaults.due_after", d.DueAfter)
	v.spans("defaults.horizons", d.Horizons)
}

func (v *validator) spans(key string, m map[string]string) {
	for _, k := range sortedKeys(m) {
		if !spanRE.MatchString(m[k]) {
			v.add(key+"."+k, "must be a span like 14d, 2w, 3m, 1y or \"30 days\", got %q", m[k])
		}
	}
}

func (v *validator) finalized(f Finalized) {
	for i, w := range f.Words {
		if w == "" || strings.IndexFunc(w, unicode.IsSpace) >= 0 {
			v.add(fmt.Sprintf("finalized.words[%d]", i), "must be one word (it is matched against the status's first word), got %q", w)
		}
	}
	v.oneOf("finalized.when_unstated", f.WhenUnstated, WhenUnstatedFinal, WhenUnstatedDraft)
}

func (v *validator) report(r Report, s Source) {
	if r.Dir == "" {
		v.add("report.dir", "must be set")
	}
	if r.Commit {
		if s.Type != SourceGit {
			v.add("report.commit", "needs source.type: git (a folder source writes the report to report.dir)")
		}
		if d := filepath.ToSlash(filepath.Clean(r.Dir)); r.Dir != "" && (filepath.IsAbs(r.Dir) || d == "." || d == ".." || strings.HasPrefix(d, "../") || d == ".git" || strings.HasPrefix(d, ".git/")) {
			v.add("report.dir", "with report.commit, must be a folder inside the repository, relative to its root (e.g. reports)")
		}
	}
	for i, f := range r.Formats {
		v.oneOf(fmt.Sprintf("report.formats[%d]", i), f, "md", "html", "json", "csv")
	}
}
