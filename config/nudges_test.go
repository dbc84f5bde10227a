package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNudgesDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Nudges
	if !n.Enabled || n.DueSoon != 3 || n.AssignWithin != 3 || n.Hours != "" || n.Timezone != "UTC" || n.Weekends || n.MaxPerRun != 200 {
		t.Errorf("nudges defaults: %+v", n)
	}
	if !reflect.DeepEqual(n.Ladder, DefaultLadder()) {
		t.Errorf("ladder = %+v, want %+v", n.Ladder, DefaultLadder())
	}
	if c.Digests != (Digests{}) {
		t.Errorf("digests are on by default: %+v", c.Digests)
	}
}

func TestNudgesLoad(t *testing.T) {
	t.Parallel()
	const yaml = validYAML + `
people:
  carol: {github: carol-gh, jira: 5b10ac8d82e05b22cc7d4ef6}
teams:
  payments: {github: acme/payments, github_team: acme/payments-oncall, lead: carol, escalation: carol, digest_issue: "acme/sre#42"}
nudges:
  enabled: true
  due_soon: 2d
  assign_within: 1w
  ladder:
    - {after: 5d, to: Team, priorities: [p1, sev2, Default]}
    - {after: 20 days, to: escalation}
  hours: "09:00-17:30"
  timezone: Europe/Berlin
  weekends: true
  max_per_run: 50
digests: {every: 7d, webhook_env: SLACK_WEBHOOK}
`
	c, err := Load(writeConfig(t, yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Nudges{Enabled: true, DueSoon: 2, AssignWithin: 7, Ladder: []LadderStep{
		{After: 5, To: "team", Priorities: []string{"P1", "SEV2", "default"}},
		{After: 20, To: "escalation"},
	}, Hours: "09:00-17:30", Timezone: "Europe/Berlin", Weekends: true, MaxPerRun: 50}
	if !reflect.DeepEqual(c.Nudges, want) {
		t.Errorf("nudges =\n%+v\nwant\n%+v", c.Nudges, want)
	}
	if c.Digests.Every != 168*time.Hour || c.Digests.Webhook() != (SecretRef{Key: "digests.webhook", Env: "SLACK_WEBHOOK"}) {
		t.Errorf("digests = %+v", c.Digests)
	}
	if got := c.Teams["payments"]; got.GitHubTeam != "acme/payments-oncall" || got.Lead != "carol" || got.Escalation != "carol" || got.DigestIssue != "acme/sre#42" {
		t.Errorf("team = %+v", got)
	}
	// The webhook is a credential like a token, checked with the others.
	found := false
	for _, cr := range c.Credentials() {
		found = found || cr.Ref.Key == "digests.webhook"
	}
	if !found {
		t.Error("the webhook is not among the credentials")
	}
	err = Secrets{Env: []string{"GITHUB_TOKEN=t", "JIRA_TOKEN=t", "JIRA_USER=u"}}.Check(c.Credentials())
	if err == nil || !strings.Contains(err.Error(), "digests.webhook_env: environment variable SLACK_WEBHOOK is not set") {
		t.Errorf("Check = %v", err)
	}
}

func TestNudgesEnv(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, validYAML+"teams: {payments: {jira: PAY}}\n"), []string{
		"PMSYNC_NUDGES_ENABLED=false",
		"PMSYNC_NUDGES_DUE_SOON=5d",
		"PMSYNC_NUDGES_MAX_PER_RUN=1000",
		"PMSYNC_NUDGES_LADDER_1_AFTER=10d", // an element of the default ladder
		"PMSYNC_NUDGES_LADDER_0_PRIORITIES=P0,SEV1",
		"PMSYNC_DIGESTS_EVERY=24h",
		"PMSYNC_DIGESTS_WEBHOOK_FILE=/var/run/secrets/pmsync/slack-webhook",
		"PMSYNC_TEAMS_PAYMENTS_ESCALATION=carol-gh",
		"PMSYNC_TEAMS_PAYMENTS_GITHUB_TEAM=acme/oncall",
	})
	if err != nil {
		t.Fatal(err)
	}
	n := c.Nudges
	if n.Enabled || n.DueSoon != 5 || n.MaxPerRun != 1000 || n.Ladder[1].After != 10 || n.Ladder[1].To != NudgeToEscalation ||
		!reflect.DeepEqual(n.Ladder[0].Priorities, []string{"P0", "SEV1"}) || len(n.Ladder) != 4 {
		t.Errorf("nudges = %+v", n)
	}
	if c.Digests.Every != 24*time.Hour || c.Digests.WebhookFile == "" {
		t.Errorf("digests = %+v", c.Digests)
	}
	if tm := c.Teams["payments"]; tm.Escalation != "carol-gh" || tm.GitHubTeam != "acme/oncall" {
		t.Errorf("team = %+v", tm)
	}
	// A variable the config names as the webhook's is not an override.
	p := writeConfig(t, validYAML+"digests: {every: 168h, webhook_env: PMSYNC_DIGESTS_SLACK}\n")
	if _, err := Load(p, []string{"PMSYNC_DIGESTS_SLACK=https://hooks.example/services/x"}); err != nil {
		t.Errorf("the webhook's variable was taken for an override: %v", err)
	}
}

func TestNudgesValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string // "" for valid
	}{
		{"ladder off", "nudges: {ladder: []}\n", ""},
		{"hours overnight", "nudges: {hours: \"22:00-06:00\"}\n", ""},
		{"every in days", "digests: {every: 2w, webhook_file: /run/hook}\n", ""},
		{"digest to an issue only", "teams: {sre: {digest_issue: \"acme/sre#7\"}}\ndigests: {every: 168h}\n", ""},
		{"due soon bare number", "nudges: {due_soon: 3}\n", "nudges.due_soon: want days with a unit, like 3d or 2w, got 3"},
		{"due soon in hours", "nudges: {due_soon: 72h}\n", `nudges.due_soon: want days with a unit, like 3d or 2w, got "72h"`},
		{"assign within negative", "nudges: {assign_within: -1d}\n", "nudges.assign_within: want days"},
		{"after 0", "nudges: {ladder: [{after: 0d, to: team}]}\n", "nudges.ladder[0].after: must be between 1d and 3650d"},
		{"after missing", "nudges: {ladder: [{to: team}]}\n", "nudges.ladder[0].after: must be between 1d"},
		{"to unknown", "nudges: {ladder: [{after: 7d, to: manager}]}\n", `nudges.ladder[0].to: must be assignee, team or escalation, got "manager"`},
		{"priority with a space", "nudges: {ladder: [{after: 7d, to: team, priorities: [\"P 1\"]}]}\n", "nudges.ladder[0].priorities[0]: must be one word"},
		{"two steps one day", "nudges: {ladder: [{after: 7d, to: team, priorities: [P1]}, {after: 7d, to: escalation, priorities: [p1, P2]}]}\n",
			"nudges.ladder[1].after: is 7d, as nudges.ladder[0] for some of the same items"},
		{"two steps one day, for all", "nudges: {ladder: [{after: 7d, to: team, priorities: [P1]}, {after: 1w, to: escalation}]}\n",
			"nudges.ladder[1].after: is 7d"},
		{"one day, other items", "nudges: {ladder: [{after: 7d, to: team, priorities: [P1]}, {after: 7d, to: team, priorities: [default]}]}\n", ""},
		{"hours", "nudges: {hours: 9-5}\n", `nudges.hours: must be a daily window like 09:00-17:00`},
		{"hours out of range", "nudges: {hours: \"09:00-25:00\"}\n", `nudges.hours: must be a daily window`},
		{"hours empty window", "nudges: {hours: \"09:00-09:00\"}\n", `nudges.hours: must be a daily window`},
		{"timezone", "nudges: {timezone: CEST}\n", `nudges.timezone: must be an IANA time zone such as UTC or Europe/Berlin, got "CEST"`},
		{"timezone Local", "nudges: {timezone: Local}\n", `nudges.timezone: must be an IANA time zone`},
		{"max per run", "nudges: {max_per_run: 0}\n", "nudges.max_per_run: must be at least 1, got 0; to turn nudges off, set nudges.enabled: false"},
		{"every too often", "digests: {every: 10m, webhook_env: HOOK}\n", "digests.every: must be at least 1h"},
		{"every negative", "digests: {every: -1h, webhook_env: HOOK}\n", "digests.every: must not be negative"},
		{"every nowhere", "digests: {every: 168h}\n", "digests.every: is set, but digests go nowhere"},
		{"webhook in the file", "digests: {every: 168h, webhook: \"https://hooks.slack.com/services/T/B/secret\"}\n", "digests.webhook: unknown key"},
		{"webhook env and file", "digests: {every: 168h, webhook_env: HOOK, webhook_file: /h}\n", "digests.webhook_env: set webhook_env or webhook_file, not both"},
		{"webhook pasted into env", "digests: {every: 168h, webhook_env: \"https://hooks.slack.com/services/T/B/secret\"}\n",
			"digests.webhook_env: must be the name of an environment variable"},
		{"github team", "teams: {sre: {github_team: \"@acme/sre\"}}\n", `teams.sre.github_team: must be a GitHub team as org/team-slug`},
		{"lead with a space", "teams: {sre: {lead: \"Carol Example\"}}\n", `teams.sre.lead: must be a key of people or one tracker account`},
		{"escalation with @", "teams: {sre: {escalation: \"@carol\"}}\n", `teams.sre.escalation: must be a key of people`},
		{"digest issue", "teams: {sre: {digest_issue: \"acme/sre/42\"}}\n", `teams.sre.digest_issue: must be a GitHub issue as owner/repo#123`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(writeConfig(t, validYAML+tt.yaml), nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			var verr *ValidationError
			if !errors.As(err, &verr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "hooks.slack.com") || strings.Contains(err.Error(), "T/B/secret") {
				t.Errorf("the error quotes the webhook: %v", err)
			}
		})
	}
}
