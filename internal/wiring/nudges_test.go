package wiring

import (
	"reflect"
	"testing"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/sync/nudge"
	"github.com/pmsync/pmsync/sync/ticket"
)

func TestNudgesFromConfig(t *testing.T) {
	cfg := config.Default()
	cfg.People = map[string]config.Person{
		"carol": {Name: "Carol", GitHub: "carol-gh", Jira: "5b10ac8d82e05b22cc7d4e03"},
		"dave":  {Name: "Dave", Jira: "5b10ac8d82e05b22cc7d4e04"},
	}
	cfg.Teams = map[string]config.Team{
		"platform": {GitHub: "acme/platform", GitHubTeam: "acme/platform-sre", Lead: "dave", Escalation: "carol", DigestIssue: "acme/platform#7"},
		"payments": {Escalation: "pay-boss"}, // not a key of people: taken as the identity itself
	}
	n, d, err := Nudges(cfg, "https://hooks.example/services/x")
	if err != nil {
		t.Fatal(err)
	}
	if n.Policy == nil || !n.Policy.Enabled || n.Policy.DueSoon != 3 || n.MaxPerRun != 200 || len(n.Policy.Ladder) != 4 {
		t.Fatalf("defaults: %+v %+v", n, n.Policy)
	}
	// config (which imports nothing of ours) and sync/nudge each state the
	// defaults; they must say the same.
	if !reflect.DeepEqual(n.Policy.Ladder, nudge.DefaultLadder()) || n.Policy.DueSoon != nudge.DefaultDueSoon ||
		n.Policy.AssignWithin != nudge.DefaultAssignWithin || n.MaxPerRun != nudge.DefaultMaxPerRun {
		t.Errorf("config's defaults %+v (max %d) differ from sync/nudge's (ladder %+v)", *n.Policy, n.MaxPerRun, nudge.DefaultLadder())
	}
	want := map[string]nudge.Team{
		"platform": {
			Team:       nudge.Contact{GitHub: ticket.Mention{ID: "acme/platform-sre", Team: true}, Jira: ticket.Mention{ID: "5b10ac8d82e05b22cc7d4e04"}},
			Escalation: nudge.Contact{GitHub: ticket.Mention{ID: "carol-gh"}, Jira: ticket.Mention{ID: "5b10ac8d82e05b22cc7d4e03"}},
		},
		"payments": {Escalation: nudge.Contact{GitHub: ticket.Mention{ID: "pay-boss"}, Jira: ticket.Mention{ID: "pay-boss"}}},
	}
	for k, w := range want {
		if n.Teams[k] != w {
			t.Errorf("team %s: %+v, want %+v", k, n.Teams[k], w)
		}
	}
	if d.Webhook == "" || d.Issues["platform"].Text != "acme/platform#7" || len(d.Issues) != 1 {
		t.Errorf("digests: %+v", d)
	}

	cfg.Nudges.Enabled = false
	if n, d, _ := Nudges(cfg, "https://hooks.example/services/x"); n.Policy != nil || d.Webhook == "" || len(d.Issues) != 1 {
		t.Errorf("nudges.enabled false: policy %+v, want none; digests %+v, want them kept", n.Policy, d)
	}
	cfg.Nudges.Enabled, cfg.Nudges.Hours = true, "09:00-17:00"
	if n, _, _ := Nudges(cfg, ""); n.Policy == nil || n.Policy.Hours == nil {
		t.Errorf("nudges.hours: not set in the policy")
	}
}
