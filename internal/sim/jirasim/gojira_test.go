package jirasim_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jira "github.com/andygrunwald/go-jira"
	"github.com/trivago/tgo/tcontainer"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
)

// TestGoJiraCloud drives every endpoint pmsync uses on Jira Cloud with the
// real go-jira client; the middleware checks each request and answer.
func TestGoJiraCloud(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{
		Projects:     []string{"OPS"},
		Components:   []string{"api", "storage"},
		CustomFields: map[string]string{"customfield_10010": "Severity"},
	}, goJiraQuirks)
	c := e.client(t)

	me, _, err := c.User.GetSelf()
	if err != nil || me.EmailAddress != botEmail || me.AccountID == "" || me.AccountType != "atlassian" {
		t.Fatalf("myself: %+v, %v", me, err)
	}
	found, _, err := c.User.Find("alice@")
	if err != nil || len(found) != 1 || found[0].AccountID != aliceID || found[0].DisplayName != "Alice Example" {
		t.Fatalf("user search by e-mail: %+v, %v", found, err)
	}
	if found, _, err = c.User.Find("build"); err != nil || len(found) != 1 || found[0].AccountID != bobID {
		t.Fatalf("user search by display-name word: %+v, %v", found, err)
	}
	u, _, err := c.User.GetByAccountID(aliceID)
	if err != nil || u.EmailAddress != "alice@example.com" {
		t.Fatalf("GET /user: %+v, %v", u, err)
	}

	epic, resp, err := c.Issue.Create(task("Payments outage follow-ups", func(f *jira.IssueFields) { f.Type.Name = "Epic" }))
	if err != nil || resp.StatusCode != 201 || epic.Key != "OPS-1" || epic.ID == "" || !strings.HasSuffix(epic.Self, "/rest/api/2/issue/"+epic.ID) {
		t.Fatalf("create epic: %+v, %v", epic, err)
	}
	created, _, err := c.Issue.Create(task("Add saturation alert", func(f *jira.IssueFields) {
		f.Description = "Postmortem: Payments outage\n\npmsync:v1 pm=pm-1 item=ai-0123abcd owner=x"
		f.Duedate = jira.Date(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
		f.Assignee = &jira.User{AccountID: aliceID}
		f.Priority = &jira.Priority{Name: "High"}
		f.Labels = []string{"postmortem", "pm-pm-1"}
		f.Components = []*jira.Component{{Name: "api"}}
		f.Parent = &jira.Parent{Key: "OPS-1"}
		f.Unknowns = tcontainer.MarshalMap{"customfield_10010": map[string]any{"value": "SEV2"}}
	}))
	if err != nil || created.Key != "OPS-2" {
		t.Fatalf("create task: %+v, %v", created, err)
	}
	factor, _, err := c.Issue.Create(task("Connection pool too small", func(f *jira.IssueFields) {
		f.Type.Name = "Bug"
		f.Labels = []string{"postmortem"}
	}))
	if err != nil || factor.Key != "OPS-3" {
		t.Fatalf("create bug: %+v, %v", factor, err)
	}

	got, _, err := c.Issue.Get("OPS-2", nil)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	f := got.Fields
	if f.Summary != "Add saturation alert" || !strings.HasSuffix(f.Description, "owner=x") || f.Type.Name != "Task" ||
		f.Project.Key != "OPS" || f.Status.Name != "To Do" || f.Status.StatusCategory.Key != "new" || f.Resolution != nil ||
		!time.Time(f.Created).Equal(start) || !time.Time(f.Updated).Equal(start) ||
		time.Time(f.Duedate).Format("2006-01-02") != "2026-04-01" || f.Assignee.AccountID != aliceID ||
		f.Assignee.DisplayName != "Alice Example" || f.Reporter.EmailAddress != botEmail || f.Priority.Name != "High" ||
		!slices.Equal(f.Labels, []string{"pm-pm-1", "postmortem"}) || len(f.Components) != 1 || f.Components[0].Name != "api" ||
		f.Parent == nil || f.Parent.Key != "OPS-1" {
		t.Fatalf("got issue fields %+v", f)
	}
	if sev, _ := f.Unknowns.Value("customfield_10010"); obj(sev)["value"] != "SEV2" {
		t.Fatalf("custom field: %v", f.Unknowns)
	}
	some, _, err := c.Issue.Get("OPS-2", &jira.GetQueryOptions{Fields: "summary,status"})
	if err != nil || some.Fields.Summary == "" || some.Fields.Status == nil || some.Fields.Assignee != nil {
		t.Fatalf("get with fields: %+v, %v", some.Fields, err)
	}

	trs, _, err := c.Issue.GetTransitions("OPS-2")
	if err != nil || len(trs) != 3 {
		t.Fatalf("transitions from To Do: %+v, %v", trs, err)
	}
	names := map[string]string{}
	for _, tr := range trs {
		names[tr.Name] = tr.ID
		if tr.To.Name != tr.Name {
			t.Errorf("transition %s goes to %s", tr.Name, tr.To.Name)
		}
	}
	if _, ok := trs[len(trs)-1].Fields["resolution"]; !ok {
		t.Errorf("Won't Do has no resolution field: %+v", trs[len(trs)-1])
	}
	e.clock.Advance(time.Hour)
	if _, err := c.Issue.DoTransition("OPS-2", names["In Progress"]); err != nil {
		t.Fatalf("to In Progress: %v", err)
	}
	if got, _, _ := c.Issue.Get("OPS-2", nil); got.Fields.Status.StatusCategory.Key != "indeterminate" ||
		!time.Time(got.Fields.Updated).Equal(start.Add(time.Hour)) {
		t.Fatalf("after In Progress: %+v", got.Fields.Status)
	}
	e.clock.Advance(time.Hour)
	wontDo := jira.CreateTransitionPayload{
		Transition: jira.TransitionPayload{ID: names["Won't Do"]},
		Fields:     jira.TransitionPayloadFields{Resolution: &jira.Resolution{Name: "Duplicate"}},
		Update: jira.TransitionPayloadUpdate{Comment: []jira.TransitionPayloadComment{
			{Add: jira.TransitionPayloadCommentBody{Body: "Duplicate of OPS-9"}},
		}},
	}
	if _, err := c.Issue.DoTransitionWithPayload("OPS-3", wontDo); err != nil {
		t.Fatalf("to Won't Do: %v", err)
	}
	closed, _, _ := c.Issue.Get("OPS-3", nil)
	if closed.Fields.Status.Name != "Won't Do" || closed.Fields.Status.StatusCategory.Key != "done" ||
		closed.Fields.Resolution == nil || closed.Fields.Resolution.Name != "Duplicate" ||
		!time.Time(closed.Fields.Resolutiondate).Equal(start.Add(2*time.Hour)) ||
		closed.Fields.Comments == nil || len(closed.Fields.Comments.Comments) != 1 {
		t.Fatalf("after Won't Do: %+v", closed.Fields)
	}

	cm, resp, err := c.Issue.AddComment("OPS-2", &jira.Comment{Body: "Reminder: this action item is overdue."})
	if err != nil || resp.StatusCode != 201 || cm.ID == "" || cm.Body != "Reminder: this action item is overdue." || cm.Author.EmailAddress != botEmail {
		t.Fatalf("add comment: %+v, %v", cm, err)
	}
	resp, err = c.Issue.AddLink(&jira.IssueLink{
		Type: jira.IssueLinkType{Name: "Relates"}, InwardIssue: &jira.Issue{Key: "OPS-2"}, OutwardIssue: &jira.Issue{Key: "OPS-3"},
	})
	if err != nil || resp.StatusCode != 201 || resp.Header.Get("Location") == "" {
		t.Fatalf("add link: %v, %v", resp, err)
	}
	if resp.ContentLength != 0 {
		t.Errorf("issueLink answered with a body (%d bytes); Jira sends none", resp.ContentLength)
	}
	linked, _, _ := c.Issue.Get("OPS-2", nil)
	if l := linked.Fields.IssueLinks; len(l) != 1 || l[0].Type.Name != "Relates" || l[0].OutwardIssue == nil || l[0].OutwardIssue.Key != "OPS-3" {
		t.Fatalf("links of OPS-2: %+v", l)
	}
	// go-jira's IssueLinkType.GetList decodes an array; Jira sends
	// {"issueLinkTypes": [...]}, so read it directly.
	if _, body := e.raw(t, "GET", "/rest/api/2/issueLinkType", ""); len(body["issueLinkTypes"].([]any)) != 4 {
		t.Fatalf("link types: %v", body)
	}

	if _, err := c.Issue.UpdateAssignee("OPS-2", &jira.User{AccountID: bobID}); err != nil {
		t.Fatalf("assign: %v", err)
	}
	if resp, err := c.Issue.UpdateIssue("OPS-2", map[string]any{"fields": map[string]any{"duedate": "2026-05-01"}}); err != nil || resp.StatusCode != 204 {
		t.Fatalf("edit: %v, %v", resp, err)
	}

	issues, resp, err := c.Issue.SearchV2JQL(`project = OPS AND labels = postmortem ORDER BY key`,
		&jira.SearchOptionsV2{Fields: []string{"summary", "status", "assignee", "duedate", "resolution", "resolutiondate", "labels"}, MaxResults: 100})
	if err != nil || len(issues) != 2 || !resp.IsLast || resp.NextPageToken != "" {
		t.Fatalf("search: %d issues, %+v, %v", len(issues), resp, err)
	}
	if a := issues[0]; a.Key != "OPS-2" || a.Fields.Assignee.AccountID != bobID ||
		time.Time(a.Fields.Duedate).Format("2006-01-02") != "2026-05-01" || a.Fields.Status.Name != "In Progress" {
		t.Fatalf("first result: %+v", a.Fields)
	}
	if b := issues[1]; b.Key != "OPS-3" || b.Fields.Resolution.Name != "Duplicate" {
		t.Fatalf("second result: %+v", b.Fields)
	}
	ids, _, err := c.Issue.SearchV2JQL(`labels = "pm-pm-1"`, nil)
	if err != nil || len(ids) != 1 || ids[0].ID == "" || ids[0].Key != "" || ids[0].Fields != nil {
		t.Fatalf("search with default fields (id only): %+v, %v", ids, err)
	}

	fields, _, err := c.Field.GetList()
	if err != nil || !slices.ContainsFunc(fields, func(f jira.Field) bool { return f.ID == "customfield_10010" && f.Custom }) {
		t.Fatalf("fields: %v", err)
	}

	// The final state, through the test hooks.
	all := e.sim.Issues("OPS")
	if len(all) != 3 {
		t.Fatalf("issues: %+v", all)
	}
	if is := all[1]; is.Assignee != bobID || is.DueDate != "2026-05-01" || is.Status != "In Progress" ||
		is.StatusCategory != "indeterminate" || is.Parent != "OPS-1" || is.Reporter == "" ||
		len(is.Links) != 1 || is.Links[0] != (jirasim.Link{Type: "Relates", Direction: "outward", Key: "OPS-3"}) ||
		len(is.Comments) != 1 || is.Custom["customfield_10010"] == nil {
		t.Fatalf("OPS-2: %+v", is)
	}
	if is := all[2]; is.Resolution != "Duplicate" || is.Links[0] != (jirasim.Link{Type: "Relates", Direction: "inward", Key: "OPS-2"}) {
		t.Fatalf("OPS-3: %+v", is)
	}
}

// TestGoJiraDataCenter: the same calls on Data Center, by username, with a
// personal access token and the legacy search.
func TestGoJiraDataCenter(t *testing.T) {
	t.Parallel()
	// 404 on /search/jql is undocumented: the spec describes Cloud.
	quirks := goJiraQuirks
	quirks.AllowUndocumentedStatus = []int{http.StatusNotFound}
	e := setup(t, jirasim.Options{Flavor: jirasim.DataCenter, Projects: []string{"OPS"}}, quirks)
	c := e.client(t)

	me, _, err := c.User.GetSelf()
	if err != nil || me.Name != "pmsync" || me.Key == "" || me.AccountID != "" {
		t.Fatalf("myself: %+v, %v", me, err)
	}
	found, _, err := c.User.Find("", jira.WithUsername("ali"))
	if err != nil || len(found) != 1 || found[0].Name != "alice" {
		t.Fatalf("user search: %+v, %v", found, err)
	}
	if found, _, _ = c.User.Find("", jira.WithUsername("carol")); len(found) != 0 {
		t.Fatalf("inactive users are listed only with includeInactive: %+v", found)
	}
	if found, _, _ = c.User.Find("", jira.WithUsername("carol"), jira.WithInactive(true)); len(found) != 1 || found[0].Active {
		t.Fatalf("includeInactive: %+v", found)
	}

	is, _, err := c.Issue.Create(task("Add saturation alert", func(f *jira.IssueFields) {
		f.Assignee = &jira.User{Name: "alice"}
		f.Labels = []string{"postmortem"}
		f.Duedate = jira.Date(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC))
	}))
	if err != nil || is.Key != "OPS-1" {
		t.Fatalf("create: %+v, %v", is, err)
	}
	got, _, err := c.Issue.Get("OPS-1", nil)
	if err != nil || got.Fields.Assignee.Name != "alice" || got.Fields.Assignee.AccountID != "" || got.Fields.Reporter.Name != "pmsync" {
		t.Fatalf("get: %+v, %v", got.Fields, err)
	}
	trs, _, err := c.Issue.GetTransitions("OPS-1")
	if err != nil || len(trs) != 3 {
		t.Fatalf("transitions: %+v, %v", trs, err)
	}
	if _, err := c.Issue.DoTransition("OPS-1", "31"); err != nil {
		t.Fatalf("to Done: %v", err)
	}
	if _, _, err := c.Issue.AddComment("OPS-1", &jira.Comment{Body: "Closed by the owner."}); err != nil {
		t.Fatalf("comment: %v", err)
	}
	if _, err := c.Issue.UpdateAssignee("OPS-1", &jira.User{Name: "bob"}); err != nil {
		t.Fatalf("assign: %v", err)
	}
	other, _, _ := c.Issue.Create(task("Connection pool too small", nil))
	if _, err := c.Issue.AddLink(&jira.IssueLink{Type: jira.IssueLinkType{Name: "Blocks"},
		InwardIssue: &jira.Issue{Key: other.Key}, OutwardIssue: &jira.Issue{Key: "OPS-1"}}); err != nil {
		t.Fatalf("link: %v", err)
	}

	issues, resp, err := c.Issue.Search(`project = OPS ORDER BY key`, &jira.SearchOptions{MaxResults: 1, Fields: []string{"summary", "status", "resolution", "resolutiondate", "issuelinks"}})
	if err != nil || len(issues) != 1 || resp.Total != 2 || resp.MaxResults != 1 || resp.StartAt != 0 {
		t.Fatalf("search page 1: %d, %+v, %v", len(issues), resp, err)
	}
	if f := issues[0].Fields; f.Status.Name != "Done" || f.Resolution.Name != "Done" || time.Time(f.Resolutiondate).IsZero() ||
		len(f.IssueLinks) != 1 || f.IssueLinks[0].InwardIssue.Key != other.Key || f.IssueLinks[0].Type.Inward != "is blocked by" {
		t.Fatalf("OPS-1 in search: %+v", f)
	}
	page2, resp, err := c.Issue.Search(`project = OPS ORDER BY key`, &jira.SearchOptions{StartAt: 1, MaxResults: 1})
	if err != nil || len(page2) != 1 || page2[0].Key != "OPS-2" || resp.StartAt != 1 || resp.Total != 2 {
		t.Fatalf("search page 2: %+v, %+v, %v", page2, resp, err)
	}

	// Data Center has no enhanced search.
	_, resp, err = c.Issue.SearchV2JQL(`project = OPS`, nil)
	if resp == nil || resp.StatusCode != http.StatusNotFound || err == nil {
		t.Fatalf("DC /search/jql: %v, %v", resp, err)
	}
	final, _ := e.sim.Issue("OPS-1")
	if final.Assignee != "bob" || final.Resolution != "Done" || len(final.Comments) != 1 {
		t.Fatalf("OPS-1: %+v", final)
	}
}
