package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/sync/ticket"
)

const jiraToken = "jira-api-token-never-printed"

// TestMixedRouting: one config, the examples routed to two GitHub
// repositories and two Jira Cloud projects; every item's ticket is in
// exactly the place its route names.
func TestMixedRouting(t *testing.T) {
	doc, router := contract.MustLoad(t, "jira.openapi.json")
	var jh http.Handler
	jsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { jh.ServeHTTP(w, r) }))
	defer jsrv.Close()
	jira := jirasim.New(jirasim.Options{Accounts: map[string]string{"pmsync@acme.example": jiraToken}, BaseURL: jsrv.URL,
		Users: []jirasim.User{
			{AccountID: "5b10ac8d82e05b22cc7d4ef5", Email: "alice@acme.example", DisplayName: "Alice Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef6", Email: "bob@acme.example", DisplayName: "Bob Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef7", Email: "carol@acme.example", DisplayName: "Carol Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef8", Email: "dave@acme.example", DisplayName: "Dave Example"},
		}})
	jh = contract.Middleware(t, doc, router, jira, contract.Options{})

	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	cfg := fmt.Sprintf(`owner_id: mixed
source: {path: %q}
trackers:
  gh:   {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: 1ms}
  jira: {type: jira, deployment: cloud, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS, write_interval: 1ms}
routes:
  - {match: {team: payments}, tracker: jira, project: PAY}
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {match: {severity: SEV2}, tracker: jira}
  - {tracker: gh}
people:
  alice: {github: alice-gh, jira: 5b10ac8d82e05b22cc7d4ef5}
  bob:   {github: bob-gh, jira: 5b10ac8d82e05b22cc7d4ef6}
  carol: {email: carol@acme.example, github: carol-gh, jira: 5b10ac8d82e05b22cc7d4ef7}
  dave:  {email: dave@acme.example, github: dave-gh, jira: 5b10ac8d82e05b22cc7d4ef8}
teams:
  payments: {jira: PAY}
  platform: {github: acme/platform}
report: {dir: %q}
`, e.dir, e.srv.URL+"/", jsrv.URL+"/", filepath.Join(filepath.Dir(e.dir), "reports"))
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// One SEV2 document becomes SEV3, so the default route is used too.
	mobile := filepath.Join(e.dir, "2026-08-18-mobile-api-ingress-upgrade.md")
	b, _ := os.ReadFile(mobile)
	if err := os.WriteFile(mobile, []byte(strings.Replace(string(b), "Severity: SEV2", "Severity: SEV3", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GH_TOKEN=" + testToken, "JIRA_USER=pmsync@acme.example", "JIRA_TOKEN=" + jiraToken}
	code, out, errOut := runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, jiraToken) || strings.Contains(out+errOut, testToken) {
		t.Fatal("a token appears in the output")
	}
	// Where each ticket must be, from the documents' own metadata.
	where := func(team, severity string) string {
		switch {
		case team == "payments":
			return "jira:PAY"
		case team == "platform":
			return "gh:acme/platform"
		case strings.EqualFold(severity, "SEV2"):
			return "jira:OPS"
		}
		return "gh:acme/sre"
	}
	places := map[string]int{}
	for _, d := range e.docs(t) {
		if !d.Finalized {
			continue
		}
		team := ""
		if len(d.Teams) > 0 {
			team = d.Teams[0]
		}
		for _, it := range d.Items() {
			if it.Ticket.IsZero() || it.Ticket.Text == "acme/sre#12" {
				continue
			}
			tm := team
			if it.Team != "" {
				tm = it.Team
			}
			want := where(tm, d.Severity)
			got := ""
			switch {
			case strings.HasPrefix(it.Ticket.Text, "PAY-"):
				got = "jira:PAY"
			case strings.HasPrefix(it.Ticket.Text, "OPS-"):
				got = "jira:OPS"
			default:
				repo, _, _ := strings.Cut(it.Ticket.Text, "#")
				got = "gh:" + repo
			}
			if got != want {
				t.Errorf("%s:%d (team %q, %s): ticket %s in %s, want %s", d.Path, it.Line, tm, d.Severity, it.Ticket.Text, got, want)
			}
			places[got]++
		}
	}
	if len(places) != 4 {
		t.Fatalf("tickets in %v, want all four places used", places)
	}
	// The Jira tickets carry the Jira content of SPEC §4.1.
	for _, p := range []string{"PAY", "OPS"} {
		for _, is := range jira.Issues(p) {
			m, err := ticket.ParseMarker(is.Description)
			if err != nil || m.Owner != "mixed" {
				t.Errorf("%s: marker %+v %v", is.Key, m, err)
			}
			if !contains(is.Labels, "postmortem") || !hasPrefix(is.Labels, "pm-") {
				t.Errorf("%s: labels %v", is.Key, is.Labels)
			}
			wantType := "Task"
			if contains(is.Labels, "contributing-factor") {
				wantType = "Bug"
			}
			if is.Type != wantType {
				t.Errorf("%s: type %s, want %s", is.Key, is.Type, wantType)
			}
		}
	}
	t.Logf("tickets: %v", places)
	// Steady state across both trackers: one search per Jira project, one
	// list per GitHub repository.
	e.sim.ResetCalls()
	jira.ResetCalls()
	code, out, _ = runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK || !strings.Contains(out, " 0 created") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	if g, j := e.sim.CallCount(nil), jira.CallCount(nil); g != 2 || j != 2 {
		t.Errorf("steady state: %d GitHub and %d Jira calls, want 2 and 2", g, j)
	}
}

func hasPrefix(list []string, p string) bool {
	for _, v := range list {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}
