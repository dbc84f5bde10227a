// Package config is pmsync's typed configuration: one YAML file read with
// viper, every key overridable from the environment (PMSYNC_ + the key path
// upper-cased with _), validated as a whole so a user sees every problem at
// once. Viper stays inside Load; the rest of the program sees only Config.
//
// Secrets never live in the file: the file names where they come from
// (token_env, token_file, ...) and Secrets resolves them at run time.
//
// Map keys (tracker, people and team names, priorities, ...) are
// case-insensitive, as viper makes them; Load stores them canonically (see
// Load).
package config

import (
	"slices"
	"strconv"
	"time"
)

// Config is the whole configuration. The mapstructure tags are the YAML keys
// of SPEC §5.
type Config struct {
	// OwnerID tells this installation's tickets from another's; empty means
	// derived from the source (the git URL or the folder's absolute path).
	OwnerID   string             `mapstructure:"owner_id"`
	Source    Source             `mapstructure:"source"`
	Trackers  map[string]Tracker `mapstructure:"trackers"`
	Routes    []Route            `mapstructure:"routes"`
	People    map[string]Person  `mapstructure:"people"`
	Teams     map[string]Team    `mapstructure:"teams"`
	Defaults  Defaults           `mapstructure:"defaults"`
	Finalized Finalized          `mapstructure:"finalized"`
	Factors   Factors            `mapstructure:"factors"`
	Lint      Lint               `mapstructure:"lint"`
	Report    Report             `mapstructure:"report"`
	Metrics   Metrics            `mapstructure:"metrics"`
	Log       Log                `mapstructure:"log"`
	Nudges    Nudges             `mapstructure:"nudges"`
	Digests   Digests            `mapstructure:"digests"`
}

// Source types.
const (
	SourceDir = "dir"
	SourceGit = "git"
)

// Source is where the postmortems live.
type Source struct {
	Type    string   `mapstructure:"type"`    // dir | git
	Path    string   `mapstructure:"path"`    // folder; inside the repository for git
	Include []string `mapstructure:"include"` // globs relative to Path; ** matches any depth
	Exclude []string `mapstructure:"exclude"`
	// WebURL is the base the documents' paths are appended to for links.
	WebURL string `mapstructure:"web_url"`
	// Since (YYYY-MM-DD): postmortems of incidents before it are an
	// archive, read and reported but never ticketed (added in v0.3).
	Since string `mapstructure:"since"`
	Git   Git    `mapstructure:"git"`
}

// Git modes.
const (
	GitModePush        = "push"
	GitModePullRequest = "pull-request"
)

// Git is the repository a git source clones and writes back to.
type Git struct {
	URL        string `mapstructure:"url"`
	Branch     string `mapstructure:"branch"`
	TokenEnv   string `mapstructure:"token_env"`
	TokenFile  string `mapstructure:"token_file"`
	SSHKeyFile string `mapstructure:"ssh_key_file"`
	// KnownHostsFile is a known_hosts file checking the SSH server's host
	// key. An SSH source needs it unless InsecureIgnoreHostKey is set.
	KnownHostsFile string `mapstructure:"known_hosts_file"`
	// InsecureIgnoreHostKey accepts any SSH host key (a man in the middle
	// could read and rewrite the repository); for tests and labs only.
	InsecureIgnoreHostKey bool   `mapstructure:"insecure_ignore_host_key"`
	Mode                  string `mapstructure:"mode"` // push | pull-request
	AuthorName            string `mapstructure:"author_name"`
	AuthorEmail           string `mapstructure:"author_email"`
	// Dir is where the repository is cloned (default: TMPDIR); in
	// Kubernetes, an emptyDir volume.
	Dir string `mapstructure:"dir"`
	// Retries and RetryBackoff bound the retries of each remote operation
	// after a 5xx, 429, reset or timeout (defaults 3 and 1s, doubling; 0
	// retries turns them off; added in v0.2).
	Retries      int           `mapstructure:"retries"`
	RetryBackoff time.Duration `mapstructure:"retry_backoff"`
	// AllowInsecureHTTP accepts an http:// url off this machine, which
	// sends the token in clear text; logged as a warning every run.
	AllowInsecureHTTP bool `mapstructure:"allow_insecure_http"`
}

// Token is where the git token comes from.
func (g Git) Token() SecretRef {
	return SecretRef{Key: "source.git.token", Env: g.TokenEnv, File: g.TokenFile}
}

// SSHKey is where the git SSH private key comes from.
func (g Git) SSHKey() SecretRef {
	return SecretRef{Key: "source.git.ssh_key", File: g.SSHKeyFile}
}

// Tracker types.
const (
	TrackerGitHub = "github"
	TrackerJira   = "jira"
)

// Jira deployments.
const (
	DeploymentAuto       = "auto"
	DeploymentCloud      = "cloud"
	DeploymentDataCenter = "datacenter"
)

// Tracker is one GitHub or Jira connection. Fields marked jira or github
// apply to that type only.
type Tracker struct {
	// Name is the tracker's key under trackers (lower case); set by Load.
	Name string `mapstructure:"-"`

	Type      string `mapstructure:"type"` // github | jira
	BaseURL   string `mapstructure:"base_url"`
	TokenEnv  string `mapstructure:"token_env"`
	TokenFile string `mapstructure:"token_file"`
	UserEnv   string `mapstructure:"user_env"`
	UserFile  string `mapstructure:"user_file"`

	Repo       string `mapstructure:"repo"`       // github: owner/name
	Project    string `mapstructure:"project"`    // jira: project key
	Deployment string `mapstructure:"deployment"` // jira: auto | cloud | datacenter

	// WriteInterval paces mutating calls.
	WriteInterval time.Duration `mapstructure:"write_interval"`
	// MaxCreates is the per-run creation budget.
	MaxCreates int `mapstructure:"max_creates"`
	// MaxCreateShare refuses a plan that would create tickets for more than
	// this share of one repo's or project's items; 1 disables the check.
	MaxCreateShare float64 `mapstructure:"max_create_share"`
	// TrustedAuthors are accounts (GitHub logins, Jira account ids or user
	// names) whose marked tickets pmsync adopts besides its own account's,
	// e.g. the bot account it used before a token rotation.
	TrustedAuthors []string `mapstructure:"trusted_authors"`
	// AllowedRepos (github: "owner/name" or "owner/*") and AllowedProjects
	// (jira) are where a postmortem's own tracker key may send tickets,
	// besides the targets the routes, the teams and the tracker name.
	AllowedRepos    []string `mapstructure:"allowed_repos"`
	AllowedProjects []string `mapstructure:"allowed_projects"`
	// AllowInsecureHTTP accepts an http:// base_url or oauth.token_url
	// off this machine, which sends credentials in clear text; logged as
	// a warning every run.
	AllowInsecureHTTP bool `mapstructure:"allow_insecure_http"`
	// MaxResponseBytes caps one API response body (default 32 MiB): a
	// server that sends more ends the request with an error, not the
	// run's memory.
	MaxResponseBytes int64 `mapstructure:"max_response_bytes"`

	// GitHub App authentication (instead of a token).
	AppID          int64  `mapstructure:"app_id"`
	InstallationID int64  `mapstructure:"installation_id"`
	PrivateKeyFile string `mapstructure:"private_key_file"`
	// OAuth is Jira Cloud OAuth 2.0 (3LO), the third way to authenticate
	// (instead of user_env/token_env): base_url is then
	// https://api.atlassian.com/ex/jira/{cloudid}/.
	OAuth     OAuth  `mapstructure:"oauth"`
	Milestone string `mapstructure:"milestone"` // github

	// IssueTypes maps item kind (action, factor) to a Jira issue type.
	IssueTypes map[string]string `mapstructure:"issue_types"`
	// Priorities maps P0..P4 to Jira priority names.
	Priorities map[string]string `mapstructure:"priorities"`
	// WontDoResolutions are the Jira resolutions that mean "won't do".
	WontDoResolutions []string       `mapstructure:"wont_do_resolutions"`
	Components        []string       `mapstructure:"components"`
	Epic              string         `mapstructure:"epic"`
	CustomFields      map[string]any `mapstructure:"custom_fields"`
}

// OAuth is an OAuth 2.0 client with a refresh token (Jira Cloud 3LO).
type OAuth struct {
	ClientID         string `mapstructure:"client_id"`
	ClientSecretEnv  string `mapstructure:"client_secret_env"`
	ClientSecretFile string `mapstructure:"client_secret_file"`
	RefreshTokenEnv  string `mapstructure:"refresh_token_env"`
	RefreshTokenFile string `mapstructure:"refresh_token_file"`
	// TokenURL defaults to Atlassian's, https://auth.atlassian.com/oauth/token.
	TokenURL string `mapstructure:"token_url"`
	// WebURL is the site people open issues on (https://acme.atlassian.net/).
	WebURL string `mapstructure:"web_url"`
}

// IsSet reports whether OAuth is configured.
func (o OAuth) IsSet() bool { return o.ClientID != "" }

// ClientSecret is where the OAuth client secret comes from.
func (t Tracker) ClientSecret() SecretRef {
	return SecretRef{Key: "trackers." + t.Name + ".oauth.client_secret", Env: t.OAuth.ClientSecretEnv, File: t.OAuth.ClientSecretFile}
}

// RefreshToken is where the OAuth refresh token comes from.
func (t Tracker) RefreshToken() SecretRef {
	return SecretRef{Key: "trackers." + t.Name + ".oauth.refresh_token", Env: t.OAuth.RefreshTokenEnv, File: t.OAuth.RefreshTokenFile}
}

// Token is where the tracker's API token comes from.
func (t Tracker) Token() SecretRef {
	return SecretRef{Key: "trackers." + t.Name + ".token", Env: t.TokenEnv, File: t.TokenFile}
}

// User is where the tracker's user name (Jira Cloud: the account e-mail)
// comes from.
func (t Tracker) User() SecretRef {
	return SecretRef{Key: "trackers." + t.Name + ".user", Env: t.UserEnv, File: t.UserFile}
}

// PrivateKey is where the GitHub App's private key comes from.
func (t Tracker) PrivateKey() SecretRef {
	return SecretRef{Key: "trackers." + t.Name + ".private_key", File: t.PrivateKeyFile}
}

// IsGitHubApp reports whether the tracker authenticates as a GitHub App.
func (t Tracker) IsGitHubApp() bool {
	return t.AppID != 0 || t.InstallationID != 0 || t.PrivateKeyFile != ""
}

// Route sends the items that match to a tracker (and a repo or project in
// it). Routes are tried in order; the last one, with an empty match, is the
// default.
type Route struct {
	Match   Match  `mapstructure:"match"`
	Tracker string `mapstructure:"tracker"` // lower case, as tracker names
	Repo    string `mapstructure:"repo"`
	Project string `mapstructure:"project"`
}

// Match selects items by their postmortem's (or item's) attributes; empty
// fields match anything.
type Match struct {
	Team     string `mapstructure:"team"`
	Service  string `mapstructure:"service"`
	Severity string `mapstructure:"severity"`
	// Tracker matches the document's own tracker (front matter), by name.
	Tracker string `mapstructure:"tracker"`
}

// IsZero reports whether m matches everything.
func (m Match) IsZero() bool { return m == Match{} }

// Person is one entry of the owner directory.
type Person struct {
	Name   string `mapstructure:"name"`
	Email  string `mapstructure:"email"`
	GitHub string `mapstructure:"github"` // login
	Jira   string `mapstructure:"jira"`   // Cloud accountId or Data Center user name
}

// Team is a team that can own items; its tickets are opened unassigned.
type Team struct {
	GitHub string `mapstructure:"github"` // the repository (owner/name) of its GitHub tickets
	Jira   string `mapstructure:"jira"`   // the project key of its Jira tickets
	// GitHubTeam (org/team) is mentioned by nudges to the team on GitHub.
	GitHubTeam string `mapstructure:"github_team"`
	// Lead is mentioned by nudges to the team where there is no team to
	// mention (Jira has no group mention): a key of people, or a tracker
	// identity (a GitHub login, a Jira account id or user name).
	Lead string `mapstructure:"lead"`
	// Escalation is mentioned by the escalation steps of nudges.ladder:
	// a key of people, or a tracker identity.
	Escalation string `mapstructure:"escalation"`
	// DigestIssue (owner/repo#123) is a GitHub issue the team's digest is
	// posted on as a comment.
	DigestIssue string `mapstructure:"digest_issue"`
}

// Defaults are the due-date policy. Values are spans like 14d, 2w, 3m, 1y
// or "2 weeks"; they are parsed where they are used.
type Defaults struct {
	// DueAfter is keyed by priority (P1), severity (SEV2) or "default";
	// keys are stored upper-case except "default".
	DueAfter map[string]string `mapstructure:"due_after"`
	// Horizons is keyed by horizon label (short-term), lower case.
	Horizons map[string]string `mapstructure:"horizons"`
}

// Values of Finalized.WhenUnstated.
const (
	WhenUnstatedFinal = "final"
	WhenUnstatedDraft = "draft"
)

// Finalized decides which postmortems are synced.
type Finalized struct {
	Words        []string `mapstructure:"words"`
	WhenUnstated string   `mapstructure:"when_unstated"` // final | draft
}

// Values of Factors.Prose.
const (
	FactorProseParagraphs = "paragraphs"
	FactorProseIgnore     = "ignore"
)

// Factors decides how contributing factors are read.
type Factors struct {
	// Prose: paragraphs (each paragraph under a cause heading is a
	// factor) or ignore (list items and table rows only, as before v0.3).
	Prose string `mapstructure:"prose"`
}

// Lint tunes pmsync lint.
type Lint struct {
	RequireOwner bool `mapstructure:"require_owner"`
	// BlamelessQuestions: warn (in one finding per document) about the
	// questions of a blameless postmortem it leaves unanswered (added in
	// v0.3; default true).
	BlamelessQuestions bool `mapstructure:"blameless_questions"`
}

// Report is where and how the follow-through report is written.
type Report struct {
	Dir     string   `mapstructure:"dir"`
	Formats []string `mapstructure:"formats"` // md | html | json | csv
	// Commit (git source only) writes the report into the postmortem
	// repository, Dir relative to the repository root, and commits it
	// with the run's write-backs (added in v0.2; default false).
	Commit bool `mapstructure:"commit"`
}

// Metrics are pushed to a Prometheus Pushgateway at the end of a run when
// PushgatewayURL is set.
type Metrics struct {
	PushgatewayURL string `mapstructure:"pushgateway_url"`
	Job            string `mapstructure:"job"`
}

// Days is a whole number of calendar days, written with a unit: 3d,
// 2w, "10 days".
type Days int

// String writes d as the file does: 3d.
func (d Days) String() string { return strconv.Itoa(int(d)) + "d" }

// Targets of a ladder step.
const (
	NudgeToAssignee   = "assignee"
	NudgeToTeam       = "team"
	NudgeToEscalation = "escalation"
)

// Nudges are the reminders pmsync posts on the tickets of open action
// items (added in v0.4): due soon, due today, overdue, an escalation
// ladder, and "needs an owner".
type Nudges struct {
	// Enabled false turns every nudge off.
	Enabled bool `mapstructure:"enabled"`
	// DueSoon: how long before the due date the due-soon reminder comes
	// (0d: none).
	DueSoon Days `mapstructure:"due_soon"`
	// AssignWithin: how long an item may have no owner, after its
	// postmortem or ticket, before its team is asked to find one.
	AssignWithin Days `mapstructure:"assign_within"`
	// Ladder is the escalation ladder after the due date.
	Ladder []LadderStep `mapstructure:"ladder"`
	// Hours ("09:00-17:00"), when set, are the only hours nudges are
	// posted, in Timezone.
	Hours string `mapstructure:"hours"`
	// Timezone (IANA, e.g. Europe/Berlin) is where days and hours are
	// counted.
	Timezone string `mapstructure:"timezone"`
	// Weekends allows nudges on Saturday and Sunday.
	Weekends bool `mapstructure:"weekends"`
	// MaxPerRun refuses a run that would post more nudges.
	MaxPerRun int `mapstructure:"max_per_run"`
}

// LadderStep is one step of the escalation ladder: After days past the
// due date, mention To (assignee, team or escalation). Priorities limits
// the step to items of these priorities or severities (P1, SEV2;
// "default": items no step names); empty means every item.
type LadderStep struct {
	After      Days     `mapstructure:"after"`
	To         string   `mapstructure:"to"`
	Priorities []string `mapstructure:"priorities"`
}

// UrgentPriorities are the priorities and severities the default ladder
// escalates sooner.
var UrgentPriorities = []string{"P0", "P1", "SEV0", "SEV1", "SEV2"}

// DefaultLadder is nudges.ladder when the file sets none.
func DefaultLadder() []LadderStep {
	return []LadderStep{
		{After: 3, To: NudgeToTeam, Priorities: slices.Clone(UrgentPriorities)},
		{After: 14, To: NudgeToEscalation, Priorities: slices.Clone(UrgentPriorities)},
		{After: 7, To: NudgeToTeam, Priorities: []string{"default"}},
		{After: 30, To: NudgeToEscalation, Priorities: []string{"default"}},
	}
}

// Digests are the teams' digests of their overdue and due-soon items
// (added in v0.4).
type Digests struct {
	// Every is how often each team gets a digest; 0 turns digests off.
	Every time.Duration `mapstructure:"every"`
	// WebhookEnv / WebhookFile name where the Slack-compatible incoming
	// webhook's URL comes from: it is a secret (its path is the token).
	WebhookEnv  string `mapstructure:"webhook_env"`
	WebhookFile string `mapstructure:"webhook_file"`
}

// Webhook is where the digests' webhook URL comes from.
func (d Digests) Webhook() SecretRef {
	return SecretRef{Key: "digests.webhook", Env: d.WebhookEnv, File: d.WebhookFile}
}

// Log configures the logger.
type Log struct {
	Level  string `mapstructure:"level"`  // debug | info | warn | error
	Format string `mapstructure:"format"` // auto | json | text
}

// Default returns the configuration used when nothing is set.
func Default() *Config {
	return &Config{
		Source: Source{
			Type:    SourceDir,
			Path:    "postmortems",
			Include: []string{"**/*.md"},
			Exclude: []string{
				"**/README.md", "**/readme.md", "**/index.md", "**/_index.md",
				"**/*template*.md", "**/*TEMPLATE*.md",
			},
			Git: Git{Branch: "main", Mode: GitModePush, Retries: 3, RetryBackoff: time.Second},
		},
		Defaults: Defaults{
			DueAfter: map[string]string{"P0": "14d", "P1": "28d", "P2": "56d", "default": "56d"},
			Horizons: map[string]string{
				"immediate": "7d", "short-term": "14d", "medium-term": "56d", "long-term": "180d",
			},
		},
		Factors: Factors{Prose: FactorProseParagraphs},
		Lint:    Lint{BlamelessQuestions: true},
		Finalized: Finalized{
			Words:        []string{"final", "finalized", "published", "complete", "completed", "closed", "reviewed", "approved", "done"},
			WhenUnstated: WhenUnstatedDraft,
		},
		Report:  Report{Dir: "reports", Formats: []string{"md", "html", "json"}},
		Metrics: Metrics{Job: "pmsync"},
		Log:     Log{Level: "info", Format: "auto"},
		Nudges: Nudges{
			Enabled: true, DueSoon: 3, AssignWithin: 3, Ladder: DefaultLadder(),
			Timezone: "UTC", MaxPerRun: 200,
		},
	}
}

// DefaultTracker returns the defaults for a tracker of the given type
// (github or jira).
func DefaultTracker(typ string) Tracker {
	t := Tracker{
		Type:           typ,
		WriteInterval:  time.Second,
		MaxCreates:     100,
		MaxCreateShare: 0.5,
	}
	if typ == TrackerJira {
		t.Deployment = DeploymentAuto
		t.IssueTypes = map[string]string{"action": "Task", "factor": "Bug"}
		// Jira's stock priority scheme.
		t.Priorities = map[string]string{"P0": "Highest", "P1": "High", "P2": "Medium", "P3": "Low", "P4": "Lowest"}
		t.WontDoResolutions = []string{"Won't Do", "Duplicate", "Declined", "Cannot Reproduce"}
	}
	return t
}
