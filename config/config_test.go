package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
)

// writeConfig writes yaml to a temporary file and returns its path.
func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pmsync.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// validYAML is a small valid config the validation cases start from.
const validYAML = `
trackers:
  gh: {type: github, repo: acme/sre, token_env: GITHUB_TOKEN}
  jira: {type: jira, project: OPS, token_env: JIRA_TOKEN, user_env: JIRA_USER}
routes:
  - {match: {team: payments}, tracker: jira}
  - {tracker: gh}
`

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	got, err := Load("", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Default()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Load(\"\", nil) =\n%+v\nwant\n%+v", got, want)
	}
	for name, v := range map[string]any{
		"source.type":             got.Source.Type == "dir",
		"source.path":             got.Source.Path == "postmortems",
		"source.git.branch":       got.Source.Git.Branch == "main",
		"source.git.mode":         got.Source.Git.Mode == "push",
		"finalized.when_unstated": got.Finalized.WhenUnstated == "draft",
		"defaults.due_after.P1":   got.Defaults.DueAfter["P1"] == "28d",
		"defaults.horizons":       got.Defaults.Horizons["long-term"] == "180d",
		"report.formats":          reflect.DeepEqual(got.Report.Formats, []string{"md", "html", "json"}),
		"metrics.job":             got.Metrics.Job == "pmsync",
		"log":                     got.Log == Log{Level: "info", Format: "auto"},
	} {
		if v != true {
			t.Errorf("default %s is wrong", name)
		}
	}
}

func TestLoadSpecExample(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/spec.yaml", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	gh, jira := c.Trackers["gh"], c.Trackers["jira"]
	checks := []struct {
		name string
		ok   bool
	}{
		{"tracker names", gh.Name == "gh" && jira.Name == "jira"},
		{"gh", gh.Type == TrackerGitHub && gh.Repo == "acme/sre" && gh.BaseURL == "https://api.github.com/" && gh.TokenEnv == "GITHUB_TOKEN"},
		{"gh pacing", gh.WriteInterval == time.Second && gh.MaxCreates == 100 && gh.MaxCreateShare == 0.5},
		{"gh has no jira defaults", gh.Deployment == "" && len(gh.IssueTypes) == 0 && len(gh.WontDoResolutions) == 0},
		{"jira", jira.Type == TrackerJira && jira.Deployment == DeploymentCloud && jira.Project == "OPS" && jira.UserEnv == "JIRA_USER"},
		{"jira defaults", jira.IssueTypes["action"] == "Task" && jira.IssueTypes["factor"] == "Bug" &&
			jira.Priorities["P0"] == "Highest" && len(jira.WontDoResolutions) == 4 && jira.WriteInterval == time.Second},
		{"routes", len(c.Routes) == 3 && c.Routes[0].Match.Team == "payments" && c.Routes[0].Project == "PAY" &&
			c.Routes[1].Repo == "acme/checkout" && c.Routes[2].Match.IsZero() && c.Routes[2].Tracker == "gh"},
		{"people", c.People["alice"] == Person{Name: "Alice Example", Email: "alice@acme.example", GitHub: "alice-gh", Jira: "5b10ac8d82e05b22cc7d4ef5"}},
		{"teams", c.Teams["payments"].GitHub == "acme/payments-oncall"},
		{"due_after keys keep their case", reflect.DeepEqual(c.Defaults.DueAfter, map[string]string{"P0": "14d", "P1": "28d", "P2": "56d", "default": "56d"})},
		{"source", c.Source.WebURL == "https://github.com/acme/postmortems/blob/main/" && c.Source.Git.TokenEnv == "PMSYNC_GIT_TOKEN"},
		{"report", c.Report.Dir == "reports"},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("%s: not as in the SPEC example; got %+v", ch.name, c)
		}
	}
}

func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yaml  string
		want  []string // substrings of the error
		never []string // must not appear (values that may be secrets)
	}{
		{
			name: "unknown top-level key",
			yaml: "sourc: {path: x}\n",
			want: []string{"sourc: unknown key"},
		},
		{
			name: "unknown nested keys all at once",
			yaml: "source: {paht: x}\nroutes:\n  - {match: {teams: a}, tracker: gh}\ntrackers:\n  gh: {type: github, repo: a/b, milestones: x}\n",
			want: []string{"source.paht: unknown key", "routes[0].match.teams: unknown key", "trackers.gh.milestones: unknown key"},
		},
		{
			name:  "token in the file",
			yaml:  "trackers:\n  gh: {type: github, repo: a/b, token: ghp_supersecret123}\n",
			want:  []string{"trackers.gh.token", "use token_env or token_file"},
			never: []string{"ghp_supersecret123"},
		},
		{
			name:  "password in the file",
			yaml:  "trackers:\n  jira: {type: jira, project: OPS, password: hunter2}\n",
			want:  []string{"trackers.jira.password", "token_env or token_file"},
			never: []string{"hunter2"},
		},
		{
			name: "bare number for a duration",
			yaml: "trackers:\n  gh: {type: github, repo: a/b, write_interval: 5}\n",
			want: []string{"write_interval", "like 1s"},
		},
		{
			name: "unknown keys, bad values and invalid values together",
			yaml: "sourc: 1\nsource: {type: svn}\ntrackers:\n  gh: {type: github, repo: a/b, max_creates: lots, tokn: x}\n",
			want: []string{"sourc: unknown key", "trackers.gh.tokn: unknown key", "trackers.gh.max_creates: cannot parse", "source.type: must be dir or git"},
		},
		{
			name: "not YAML",
			yaml: "source: [unclosed\n",
			want: []string{"parse config file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(writeConfig(t, tt.yaml), nil)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(err.Error(), n) {
					t.Errorf("error %q leaks %q", err, n)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	t.Parallel()
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestLoadEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yaml  string // "" means no file
		env   []string
		check func(*Config) bool
	}{
		{
			name:  "top-level struct key without a file",
			env:   []string{"PMSYNC_SOURCE_PATH=docs/pm"},
			check: func(c *Config) bool { return c.Source.Path == "docs/pm" },
		},
		{
			name:  "key with underscore",
			env:   []string{"PMSYNC_FINALIZED_WHEN_UNSTATED=final"},
			check: func(c *Config) bool { return c.Finalized.WhenUnstated == "final" },
		},
		{
			name: "tracker in the file",
			yaml: validYAML,
			env:  []string{"PMSYNC_TRACKERS_GH_REPO=acme/other", "PMSYNC_TRACKERS_GH_WRITE_INTERVAL=3s", "PMSYNC_TRACKERS_GH_MAX_CREATES=7"},
			check: func(c *Config) bool {
				gh := c.Trackers["gh"]
				return gh.Repo == "acme/other" && gh.WriteInterval == 3*time.Second && gh.MaxCreates == 7
			},
		},
		{
			name: "tracker name with underscore",
			yaml: "trackers:\n  my_gh: {type: github, repo: a/b}\n",
			env:  []string{"PMSYNC_TRACKERS_MY_GH_REPO=c/d", "PMSYNC_TRACKERS_MY_GH_MAX_CREATE_SHARE=1"},
			check: func(c *Config) bool {
				return c.Trackers["my_gh"].Repo == "c/d" && c.Trackers["my_gh"].MaxCreateShare == 1
			},
		},
		{
			name: "list as comma-separated value",
			env:  []string{"PMSYNC_SOURCE_INCLUDE=a/*.md, b/**/*.md", "PMSYNC_REPORT_FORMATS=csv"},
			check: func(c *Config) bool {
				return reflect.DeepEqual(c.Source.Include, []string{"a/*.md", "b/**/*.md"}) && reflect.DeepEqual(c.Report.Formats, []string{"csv"})
			},
		},
		{
			name: "map entry, existing and new",
			env:  []string{"PMSYNC_DEFAULTS_DUE_AFTER_P1=3w", "PMSYNC_DEFAULTS_DUE_AFTER_SEV1=15d", "PMSYNC_DEFAULTS_HORIZONS_SHORT_TERM=10d"},
			check: func(c *Config) bool {
				d := c.Defaults
				return d.DueAfter["P1"] == "3w" && d.DueAfter["SEV1"] == "15d" && d.DueAfter["P0"] == "14d" && d.Horizons["short-term"] == "10d"
			},
		},
		{
			name: "route in the file",
			yaml: validYAML,
			env:  []string{"PMSYNC_ROUTES_0_MATCH_TEAM=billing", "PMSYNC_ROUTES_1_REPO=acme/default"},
			check: func(c *Config) bool {
				return c.Routes[0].Match.Team == "billing" && c.Routes[0].Tracker == "jira" && c.Routes[1].Repo == "acme/default"
			},
		},
		{
			name:  "bool",
			env:   []string{"PMSYNC_LINT_REQUIRE_OWNER=true"},
			check: func(c *Config) bool { return c.Lint.RequireOwner },
		},
		{
			name:  "last one wins, empty ignored, others untouched",
			env:   []string{"PMSYNC_LOG_LEVEL=warn", "PMSYNC_LOG_LEVEL=debug", "PMSYNC_LOG_FORMAT=", "PMSYNC_CONFIG=x.yaml", "PMSYNC_GIT_TOKEN=s"},
			check: func(c *Config) bool { return c.Log.Level == "debug" && c.Log.Format == "auto" },
		},
		{
			name:  "tracker type from env gets that type's defaults",
			yaml:  "trackers:\n  t: {type: github, project: OPS}\n",
			env:   []string{"PMSYNC_TRACKERS_T_TYPE=jira"},
			check: func(c *Config) bool { return c.Trackers["t"].Deployment == DeploymentAuto },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := ""
			if tt.yaml != "" {
				path = writeConfig(t, tt.yaml)
			}
			c, err := Load(path, tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !tt.check(c) {
				t.Errorf("override not applied: %+v", c)
			}
		})
	}
}

func TestLoadEnvInvalid(t *testing.T) {
	t.Parallel()
	_, err := Load("", []string{"PMSYNC_SOURCE_TYPE=svn"})
	if err == nil || !strings.Contains(err.Error(), `source.type: must be dir or git, got "svn"`) {
		t.Fatalf("Load = %v, want a source.type error", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // key path and message start
	}{
		{"source type", func(c *Config) { c.Source.Type = "svn" }, `source.type: must be dir or git, got "svn"`},
		{"source path", func(c *Config) { c.Source.Path = "" }, "source.path: must be set"},
		{"git path escapes", func(c *Config) { c.Source.Type = "git"; c.Source.Git.URL = "https://x/y.git"; c.Source.Path = "../x" }, "source.path:"},
		{"git url", func(c *Config) { c.Source.Type = "git" }, "source.git.url: must be set"},
		{"git url credentials", func(c *Config) { c.Source.Git.URL = "https://u:pw@example.com/r.git" }, "source.git.url: must not contain credentials"},
		{"git mode", func(c *Config) { c.Source.Git.Mode = "merge" }, "source.git.mode: must be push or pull-request"},
		{"git retries", func(c *Config) { c.Source.Git.Retries = 11 }, "source.git.retries: must be 0 to 10, got 11"},
		{"git retry backoff", func(c *Config) { c.Source.Git.RetryBackoff = 2 * time.Minute }, "source.git.retry_backoff: must be between 0s and 1m"},
		{"ssh scp-like without known_hosts", func(c *Config) { c.Source.Type, c.Source.Git.URL = "git", "git@github.com:acme/pm.git" },
			"source.git.known_hosts_file: must be set for an SSH source.git.url"},
		{"ssh url without known_hosts", func(c *Config) { c.Source.Type, c.Source.Git.URL = "git", "ssh://git@git.acme.example:2222/pm.git" },
			"or, for tests only, set source.git.insecure_ignore_host_key: true"},
		{"ssh with known_hosts and insecure", func(c *Config) {
			c.Source.Type, c.Source.Git.URL = "git", "git@github.com:acme/pm.git"
			c.Source.Git.KnownHostsFile, c.Source.Git.InsecureIgnoreHostKey = "/etc/ssh/known_hosts", true
		}, "source.git.insecure_ignore_host_key: set known_hosts_file or insecure_ignore_host_key, not both"},
		{"insecure on https", func(c *Config) {
			c.Source.Type, c.Source.Git.URL, c.Source.Git.InsecureIgnoreHostKey = "git", "https://github.com/acme/pm.git", true
		}, "source.git.insecure_ignore_host_key: applies to SSH URLs only"},
		{"include empty", func(c *Config) { c.Source.Include = nil }, "source.include: must list"},
		{"bad glob", func(c *Config) { c.Source.Exclude = append(c.Source.Exclude, "[x") }, "source.exclude[6]:"},
		{"include climbs out", func(c *Config) { c.Source.Include = []string{"**/*.md", "../other/**/*.md"} },
			`source.include[1]: "../other/**/*.md" reaches outside source.path, which it can never match; write it relative to source.path`},
		{"include absolute", func(c *Config) { c.Source.Include = []string{"/etc/**"} }, `source.include[0]: "/etc/**" reaches outside source.path`},
		{"exclude climbs out", func(c *Config) { c.Source.Exclude = []string{"drafts/../../x.md"} }, `source.exclude[0]: "drafts/../../x.md" reaches outside source.path`},
		{"web url", func(c *Config) { c.Source.WebURL = "github.com/acme" }, "source.web_url: must be an absolute http or https URL"},
		{"owner id", func(c *Config) { c.OwnerID = "two words" }, "owner_id:"},
		{"tracker type", func(c *Config) { gh := c.Trackers["gh"]; gh.Type = "gitlab"; c.Trackers["gh"] = gh }, `trackers.gh.type: must be github or jira, got "gitlab"`},
		{"tracker type missing", func(c *Config) { gh := c.Trackers["gh"]; gh.Type = ""; c.Trackers["gh"] = gh }, `trackers.gh.type: must be github or jira, got ""`},
		{"base url", func(c *Config) { gh := c.Trackers["gh"]; gh.BaseURL = "ftp://x"; c.Trackers["gh"] = gh }, "trackers.gh.base_url: must be an absolute http or https URL"},
		{"repo shape", func(c *Config) { gh := c.Trackers["gh"]; gh.Repo = "sre"; c.Trackers["gh"] = gh }, "trackers.gh.repo: must be owner/name"},
		{"repo missing", func(c *Config) { gh := c.Trackers["gh"]; gh.Repo = ""; c.Trackers["gh"] = gh }, "trackers.gh.repo: must be set unless every route"},
		{"project missing", func(c *Config) { j := c.Trackers["jira"]; j.Project = ""; c.Trackers["jira"] = j }, "trackers.jira.project: must be set unless every route"},
		{"project shape", func(c *Config) { j := c.Trackers["jira"]; j.Project = "ops"; c.Trackers["jira"] = j }, "trackers.jira.project: must be a Jira project key"},
		{"deployment", func(c *Config) { j := c.Trackers["jira"]; j.Deployment = "server"; c.Trackers["jira"] = j }, "trackers.jira.deployment: must be auto, cloud or datacenter"},
		{"jira key on github", func(c *Config) { gh := c.Trackers["gh"]; gh.Project = "OPS"; c.Trackers["gh"] = gh }, "trackers.gh.project: applies to jira trackers only"},
		{"share", func(c *Config) { gh := c.Trackers["gh"]; gh.MaxCreateShare = 1.5; c.Trackers["gh"] = gh }, "trackers.gh.max_create_share:"},
		{"max creates", func(c *Config) { gh := c.Trackers["gh"]; gh.MaxCreates = -1; c.Trackers["gh"] = gh }, "trackers.gh.max_creates: must not be negative"},
		{"token env and file", func(c *Config) { gh := c.Trackers["gh"]; gh.TokenFile = "/t"; c.Trackers["gh"] = gh }, "trackers.gh.token_env: set token_env or token_file, not both"},
		{"token pasted into token_env", func(c *Config) { gh := c.Trackers["gh"]; gh.TokenEnv = "ghp-abc.def"; c.Trackers["gh"] = gh }, "trackers.gh.token_env: must be the name of an environment variable"},
		{"negative app id", func(c *Config) {
			gh := c.Trackers["gh"]
			gh.TokenEnv, gh.AppID, gh.InstallationID, gh.PrivateKeyFile = "", -1, 7, "/k.pem"
			c.Trackers["gh"] = gh
		}, "trackers.gh.app_id: must be the App's positive id"},
		{"partial app", func(c *Config) { gh := c.Trackers["gh"]; gh.TokenEnv = ""; gh.AppID = 1; c.Trackers["gh"] = gh }, "trackers.gh.app_id: a GitHub App needs"},
		{"priority key", func(c *Config) {
			j := c.Trackers["jira"]
			j.Priorities = map[string]string{"P9": "x"}
			c.Trackers["jira"] = j
		}, "trackers.jira.priorities.P9:"},
		{"issue type key", func(c *Config) {
			j := c.Trackers["jira"]
			j.IssueTypes = map[string]string{"bug": "Bug"}
			c.Trackers["jira"] = j
		}, "trackers.jira.issue_types.bug:"},
		{"tracker name", func(c *Config) { c.Trackers["a:b"] = c.Trackers["gh"] }, "trackers.a:b: tracker names"},
		{"unknown route tracker", func(c *Config) { c.Routes = append([]Route{{Match: Match{Team: "x"}, Tracker: "foo"}}, c.Routes...) }, `routes[0].tracker: unknown tracker "foo"`},
		{"unknown match tracker", func(c *Config) { c.Routes[0].Match.Tracker = "foo" }, `routes[0].match.tracker: unknown tracker "foo"`},
		{"route tracker missing", func(c *Config) { c.Routes[0].Tracker = "" }, "routes[0].tracker: must name a tracker"},
		{"route repo on jira", func(c *Config) { c.Routes[0].Repo = "a/b" }, "routes[0].repo: tracker \"jira\" is a jira tracker"},
		{"route repo shape", func(c *Config) { c.Routes[1].Repo = "nope" }, "routes[1].repo: must be owner/name"},
		{"no default route", func(c *Config) { c.Routes[1].Match.Severity = "SEV1" }, "routes[1].match: the last route must have no match"},
		{"unreachable route", func(c *Config) { c.Routes[0].Match = Match{}; c.Routes[1].Match.Team = "x" }, "routes[1]: is never used"},
		{"person email", func(c *Config) { c.People = map[string]Person{"bob": {Email: "bob"}} }, `people.bob.email: must be an e-mail address, got "bob"`},
		{"person github", func(c *Config) { c.People = map[string]Person{"bob": {GitHub: "@bob"}} }, "people.bob.github: must be a GitHub login without @"},
		{"team github", func(c *Config) { c.Teams = map[string]Team{"sre": {GitHub: "sre"}} }, "teams.sre.github: must be org/team"},
		{"team and person", func(c *Config) { c.Teams = map[string]Team{"bob": {}}; c.People = map[string]Person{"bob": {}} }, "teams.bob: is also a key under people"},
		{"due span", func(c *Config) { c.Defaults.DueAfter["P1"] = "four weeks" }, `defaults.due_after.P1: must be a span`},
		{"horizon span", func(c *Config) { c.Defaults.Horizons["short-term"] = "14" }, `defaults.horizons.short-term: must be a span`},
		{"final word", func(c *Config) { c.Finalized.Words = []string{"final", "signed off"} }, "finalized.words[1]: must be one word"},
		{"when unstated", func(c *Config) { c.Finalized.WhenUnstated = "merged" }, `finalized.when_unstated: must be final or draft, got "merged"`},
		{"report format", func(c *Config) { c.Report.Formats = []string{"md", "pdf"} }, `report.formats[1]: must be md, html, json or csv, got "pdf"`},
		{"report dir", func(c *Config) { c.Report.Dir = "" }, "report.dir: must be set"},
		{"report commit needs git", func(c *Config) { c.Report.Commit = true }, "report.commit: needs source.type: git"},
		{"report commit outside repo", func(c *Config) {
			c.Source.Type, c.Source.Git.URL, c.Report.Commit, c.Report.Dir = "git", "https://x/y.git", true, "../reports"
		}, "report.dir: with report.commit, must be a folder inside the repository"},
		{"report commit into .git", func(c *Config) {
			c.Source.Type, c.Source.Git.URL, c.Report.Commit, c.Report.Dir = "git", "https://x/y.git", true, ".git/hooks"
		}, "report.dir: with report.commit, must be a folder inside the repository"},
		{"report commit absolute", func(c *Config) {
			c.Source.Type, c.Source.Git.URL, c.Report.Commit, c.Report.Dir = "git", "https://x/y.git", true, "/var/reports"
		}, "report.dir: with report.commit, must be a folder inside the repository"},
		{"pushgateway", func(c *Config) { c.Metrics.PushgatewayURL = "pushgateway:9091" }, "metrics.pushgateway_url:"},
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, `log.level: must be debug, info, warn or error, got "verbose"`},
		{"log format", func(c *Config) { c.Log.Format = "xml" }, "log.format: must be auto, json or text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := loadValid(t)
			tt.mutate(c)
			err := c.Validate()
			if err == nil {
				t.Fatal("Validate succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%v\ndoes not contain %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "fix these keys in the config file") {
				t.Errorf("error %q does not say what to do", err)
			}
		})
	}
}

// TestValidateSSHHostKey: an SSH git source is valid with a known_hosts
// file, or with the host key check explicitly turned off; HTTPS and folder
// sources need neither. The keys load from YAML and the environment.
func TestValidateSSHHostKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, git string
		env       []string
		wantKey   string // "" means valid
	}{
		{"scp-like with known_hosts", `{url: "git@github.com:acme/pm.git", known_hosts_file: /etc/ssh/known_hosts}`, nil, ""},
		{"ssh url with known_hosts", `{url: "ssh://git@git.acme.example:2222/pm.git", known_hosts_file: /kh}`, nil, ""},
		{"ssh, insecure asked for", `{url: "git@github.com:acme/pm.git", insecure_ignore_host_key: true}`, nil, ""},
		{"ssh, insecure from the environment", `{url: "git@github.com:acme/pm.git"}`, []string{"PMSYNC_SOURCE_GIT_INSECURE_IGNORE_HOST_KEY=true"}, ""},
		{"https needs no host key", `{url: "https://github.com/acme/pm.git"}`, nil, ""},
		{"ssh without either", `{url: "git@github.com:acme/pm.git"}`, nil, "source.git.known_hosts_file"},
		{"ssh url from the environment", `{url: "https://github.com/acme/pm.git"}`, []string{"PMSYNC_SOURCE_GIT_URL=git@github.com:acme/pm.git"}, "source.git.known_hosts_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(writeConfig(t, validYAML+"source: {type: git, path: postmortems, git: "+tt.git+"}\n"), tt.env)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if c.Source.Git.KnownHostsFile == "" && !c.Source.Git.InsecureIgnoreHostKey && isSSHURL(c.Source.Git.URL) {
					t.Fatalf("git = %+v: neither key loaded", c.Source.Git)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) != 1 || verr.Problems[0].Key != tt.wantKey {
				t.Fatalf("Load = %v, want one problem with %s", err, tt.wantKey)
			}
		})
	}
	// A folder source ignores a leftover SSH URL: it is never cloned.
	if _, err := Load(writeConfig(t, validYAML+"source: {type: dir, path: pm, git: {url: \"git@github.com:acme/pm.git\"}}\n"), nil); err != nil {
		t.Fatalf("folder source with an SSH git.url: %v", err)
	}
}

// TestIsSSHURL: the check that needs a known_hosts file tells SSH URLs
// from others (the table of all forms is sync/source's TestGitSSHURL; both
// ask go-git).
// sshURLCases are the forms go-git's transport.NewEndpoint tells apart;
// ssh is whether it reads them as SSH.
var sshURLCases = []struct {
	url string
	ssh bool
}{
	{"ssh://git@github.com/org/repo.git", true},
	{"ssh://github.com:2222/org/repo.git", true},
	{"SSH://github.com/org/repo.git", true}, // schemes are case-insensitive
	{"ssh://[::1]:22/repo.git", true},
	{"ssh://host:port/repo.git", false}, // not a URL: no endpoint at all
	{"git+ssh://git@github.com/org/repo.git", false},
	{"ssh+git://git@github.com/org/repo.git", false},
	{"git@github.com:org/repo.git", true},
	{"github.com:org/repo.git", true},
	{"host:22/path", true},  // scp-like: the path is "22/path"
	{"host:22:path", true},  // scp-like with a port
	{"a:b@host:path", true}, // a user may hold a colon
	{"ssh:/path", true},     // scp-like: host "ssh"
	{"host:", false},        // no path
	{"host:\\path", false},  // a path may not start with a backslash
	{"host name:path", false},
	{"host:pa\nth", false},
	{`C:\path\repo`, false},
	{"c:/path/repo", runtime.GOOS != "windows"}, // a drive on Windows only, as for git
	{"C:path", runtime.GOOS != "windows"},
	{"file:///srv/pm.git", false},
	{"https://github.com/org/repo.git", false},
	{"http://user@git.acme.example/pm.git", false},
	{"git://github.com/org/repo.git", false},
	{"/srv/pm.git", false},
	{"/srv/with:colon/pm.git", false},
	{"./rel", false},
	{"./rel:path", false},
	{"../pm.git", false},
	{"pm.git", false},
	{"", false},
}

func TestIsSSHURL(t *testing.T) {
	t.Parallel()
	for _, tc := range sshURLCases {
		if got := isSSHURL(tc.url); got != tc.ssh {
			t.Errorf("isSSHURL(%q) = %v, want %v", tc.url, got, tc.ssh)
		}
	}
}

// isSSHURL copies go-git's reading of a URL; the fuzzer checks the copy
// against the original, which the git source dials with.
func FuzzIsSSHURL(f *testing.F) {
	for _, tc := range sshURLCases {
		f.Add(tc.url)
	}
	f.Fuzz(func(t *testing.T, u string) {
		ep, err := transport.NewEndpoint(u)
		if want := err == nil && ep.Protocol == "ssh"; isSSHURL(u) != want {
			t.Errorf("isSSHURL(%q) = %v, go-git reads it as SSH: %v", u, !want, want)
		}
	})
}

// loadValid loads validYAML; each call returns a fresh Config.
func loadValid(t *testing.T) *Config {
	t.Helper()
	c, err := Load(writeConfig(t, validYAML), nil)
	if err != nil {
		t.Fatalf("Load(validYAML): %v", err)
	}
	return c
}

func TestValidateRoutesGiveRepo(t *testing.T) {
	t.Parallel()
	yaml := `
trackers:
  gh: {type: github}
  jira: {type: jira}
routes:
  - {match: {team: a}, tracker: jira, project: PAY}
  - {tracker: gh, repo: acme/x}
`
	if _, err := Load(writeConfig(t, yaml), nil); err != nil {
		t.Fatalf("Load: %v (routes give repo and project, so trackers need none)", err)
	}
}

func TestValidateReportsAllProblems(t *testing.T) {
	t.Parallel()
	yaml := `
source: {type: svn}
trackers:
  gh: {type: gitlab}
routes:
  - {match: {team: a}, tracker: foo}
finalized: {when_unstated: maybe}
defaults: {horizons: {soon: quickly}}
`
	_, err := Load(writeConfig(t, yaml), nil)
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("Load = %v, want a *ValidationError", err)
	}
	var keys []string
	for _, p := range verr.Problems {
		keys = append(keys, p.Key)
	}
	want := []string{"source.type", "trackers.gh.type", "routes[0].tracker", "routes[0].match", "defaults.horizons.soon", "finalized.when_unstated"}
	for _, w := range want {
		found := false
		for _, k := range keys {
			found = found || k == w
		}
		if !found {
			t.Errorf("no problem reported for %s; got keys %v", w, keys)
		}
	}
	// The joined form is inspectable with errors.Is/As like errors.Join.
	if n := len(verr.Unwrap()); n != len(verr.Problems) {
		t.Errorf("Unwrap returned %d errors, want %d", n, len(verr.Problems))
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value"
	files := map[string]string{
		"/run/secrets/token": secret + "\n",
		"/run/secrets/empty": "\n",
	}
	readFile := func(name string) ([]byte, error) {
		if v, ok := files[name]; ok {
			return []byte(v), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	s := Secrets{Env: []string{"GITHUB_TOKEN=" + secret, "EMPTY="}, ReadFile: readFile}
	gh := Tracker{Name: "gh"}

	tests := []struct {
		name    string
		ref     SecretRef
		want    string
		wantErr []string
	}{
		{name: "env", ref: SecretRef{Key: "trackers.gh.token", Env: "GITHUB_TOKEN"}, want: secret},
		{name: "file, trailing newline trimmed", ref: SecretRef{Key: "trackers.gh.token", File: "/run/secrets/token"}, want: secret},
		{name: "tracker helper", ref: func() SecretRef { t := gh; t.TokenEnv = "GITHUB_TOKEN"; return t.Token() }(), want: secret},
		{name: "env unset", ref: SecretRef{Key: "trackers.gh.token", Env: "NOPE"}, wantErr: []string{"trackers.gh.token_env", "NOPE", "not set"}},
		{name: "env empty", ref: SecretRef{Key: "trackers.gh.token", Env: "EMPTY"}, wantErr: []string{"trackers.gh.token_env", "EMPTY"}},
		{name: "file missing", ref: SecretRef{Key: "trackers.gh.token", File: "/nope"}, wantErr: []string{"trackers.gh.token_file", "/nope", "not exist"}},
		{name: "file empty", ref: SecretRef{Key: "trackers.gh.token", File: "/run/secrets/empty"}, wantErr: []string{"trackers.gh.token_file", "/run/secrets/empty", "empty"}},
		{name: "both", ref: SecretRef{Key: "trackers.gh.token", Env: "GITHUB_TOKEN", File: "/run/secrets/token"}, wantErr: []string{"not both"}},
		{name: "none", ref: gh.User(), wantErr: []string{"trackers.gh.user", "user_env", "user_file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Resolve(tt.ref)
			if tt.wantErr == nil {
				if err != nil || got != tt.want {
					t.Fatalf("Resolve = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("Resolve = %q, want an error", got)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q leaks the secret", err)
			}
		})
	}
	if _, err := s.Resolve(gh.User()); !errors.Is(err, ErrSecretNotConfigured) {
		t.Errorf("Resolve(unset) = %v, want ErrSecretNotConfigured", err)
	}
}

// TestNoSecretFields keeps secrets out of Config: a field that could hold
// one would end up in logs and dumps.
func TestNoSecretFields(t *testing.T) {
	t.Parallel()
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				tag, ok := fieldTag(typ.Field(i))
				if !ok {
					continue
				}
				if slices.Contains([]string{"token", "password", "passwd", "secret", "api_key", "api_token", "private_key", "ssh_key"}, tag) {
					t.Errorf("%s.%s looks like a secret-holding field", path, tag)
				}
				walk(typ.Field(i).Type, path+"."+tag)
			}
		case reflect.Map, reflect.Slice:
			walk(typ.Elem(), path)
		}
	}
	walk(reflect.TypeFor[Config](), "config")
}
