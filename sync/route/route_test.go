package route

import (
	"strings"
	"testing"

	"github.com/pmsync/pmsync/sync/postmortem"
)

func TestRoute(t *testing.T) {
	t.Parallel()
	r := &Router{
		Rules: []Rule{
			{Team: "payments", Tracker: "jira", Project: "PAY"},
			{Service: "checkout", Tracker: "gh", Repo: "acme/checkout"},
			{Severity: "SEV1", Tracker: "gh", Repo: "acme/sev1"},
			{DocTracker: "legacy", Tracker: "gh", Repo: "acme/legacy"},
			{Tracker: "gh"},
		},
		Trackers: map[string]Tracker{
			"gh":   {Type: "github", Repo: "acme/sre"},
			"jira": {Type: "jira", Project: "OPS", Allowed: []string{"SEC"}},
			"gh2":  {Type: "github", Repo: "acme/other", Allowed: []string{"acme/x"}},
			"gh3":  {Type: "github", Repo: "acme/three", Allowed: []string{"tools/*"}},
		},
		Teams: map[string]postmortem.Team{"platform": {GitHub: "acme/platform", Jira: "PLAT"}},
	}
	tests := []struct {
		name string
		doc  postmortem.Doc
		item postmortem.Item
		want string
	}{
		{"default", postmortem.Doc{}, postmortem.Item{}, "gh:acme/sre"},
		{"doc team", postmortem.Doc{Teams: []string{"Payments"}}, postmortem.Item{}, "jira:PAY"},
		{"item team column wins over doc teams", postmortem.Doc{Teams: []string{"payments"}}, postmortem.Item{Team: "web"}, "gh:acme/sre"},
		{"item team column", postmortem.Doc{}, postmortem.Item{Team: "payments"}, "jira:PAY"},
		{"service", postmortem.Doc{Services: []string{"checkout"}}, postmortem.Item{}, "gh:acme/checkout"},
		{"first match wins", postmortem.Doc{Teams: []string{"payments"}, Services: []string{"checkout"}}, postmortem.Item{}, "jira:PAY"},
		{"severity", postmortem.Doc{Severity: "sev1"}, postmortem.Item{}, "gh:acme/sev1"},
		{"doc tracker rule", postmortem.Doc{Tracker: "legacy"}, postmortem.Item{}, "gh:acme/legacy"},
		{"doc tracker key with repo", postmortem.Doc{Tracker: "gh2:acme/x"}, postmortem.Item{}, "gh2:acme/x"},
		{"doc tracker key with project", postmortem.Doc{Tracker: "jira:SEC"}, postmortem.Item{}, "jira:SEC"},
		{"doc tracker key with a route's repo", postmortem.Doc{Tracker: "gh:acme/checkout"}, postmortem.Item{}, "gh:acme/checkout"},
		{"doc tracker key with a team's project", postmortem.Doc{Tracker: "jira:PLAT"}, postmortem.Item{}, "jira:PLAT"},
		{"doc tracker key with an allowed owner's repo", postmortem.Doc{Tracker: "gh3:tools/anything"}, postmortem.Item{}, "gh3:tools/anything"},
		{"doc tracker key naming the tracker only", postmortem.Doc{Tracker: "gh2"}, postmortem.Item{}, "gh2:acme/other"},
		{"team owner goes to team repo", postmortem.Doc{}, postmortem.Item{Owner: postmortem.Owner{Team: "platform"}}, "gh:acme/platform"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Route(&tc.doc, &tc.item)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Fatalf("Route = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := r.Route(&postmortem.Doc{Tracker: "nope"}, &postmortem.Item{}); err == nil {
		t.Fatal("unknown document tracker accepted")
	}
	// A document may not send tickets where the configuration does not:
	// anyone who can merge a postmortem could write wherever the token
	// reaches.
	for _, where := range []string{"gh:victim-org/private-repo", "gh2:acme/y", "jira:SECRET", "gh3:toolsx/a", "gh:tools/a"} {
		_, err := r.Route(&postmortem.Doc{Tracker: where}, &postmortem.Item{})
		if err == nil || !strings.Contains(err.Error(), "does not allow") || !strings.Contains(err.Error(), "allowed_") {
			t.Errorf("document tracker %s: err %v, want a refusal that says how to allow it", where, err)
		}
	}
	empty := &Router{Trackers: map[string]Tracker{"a": {Type: "github"}, "b": {Type: "jira", Project: "X"}}}
	if _, err := empty.Route(&postmortem.Doc{}, &postmortem.Item{}); err == nil {
		t.Fatal("no default route and several trackers: want an error")
	}
}
