package jirasim_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	jira "github.com/andygrunwald/go-jira"
	"github.com/trivago/tgo/tcontainer"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
)

// TestCreateRejects: the create validation pmsync must respect, with
// Jira's messages, through go-jira and on both flavours.
func TestCreateRejects(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 256)
	cloudTests := []struct {
		name  string
		issue *jira.Issue
		field string
		want  string
	}{
		{"summary of 256 characters", task(long, nil), "summary", "Summary must be less than 255 characters."},
		{"summary with a newline", task("a\nb", nil), "summary", "newline"},
		{"no summary", task("", nil), "summary", "You must specify a summary of the issue."},
		{"label with a space", task("ok", func(f *jira.IssueFields) { f.Labels = []string{"post mortem"} }),
			"labels", "The label 'post mortem' contains spaces which is invalid."},
		{"label too long", task("ok", func(f *jira.IssueFields) { f.Labels = []string{long} }),
			"labels", "exceeds the maximum length for a single label of 255 characters."},
		{"unknown accountId", task("ok", func(f *jira.IssueFields) { f.Assignee = &jira.User{AccountID: "nobody"} }),
			"assignee", "Account ID nobody does not exist."},
		{"assignee by name on Cloud", task("ok", func(f *jira.IssueFields) { f.Assignee = &jira.User{Name: "alice"} }),
			"assignee", "expected Object containing a 'accountId' property"},
		{"inactive assignee", task("ok", func(f *jira.IssueFields) { f.Assignee = &jira.User{AccountID: carolID} }),
			"assignee", "User 'Carol Gone' cannot be assigned issues."},
		{"description too long", task("ok", func(f *jira.IssueFields) { f.Description = strings.Repeat("d", 32768) }),
			"description", "It exceeds the allowed limit of 32,767 characters."},
		{"unknown project", task("ok", func(f *jira.IssueFields) { f.Project.Key = "NOPE" }), "project", "valid project is required"},
		{"unknown issue type", task("ok", func(f *jira.IssueFields) { f.Type.Name = "Incident" }), "issuetype", "valid issue type is required"},
		{"unknown priority", task("ok", func(f *jira.IssueFields) { f.Priority = &jira.Priority{Name: "P0"} }), "priority", "The priority selected is invalid."},
		{"unknown component", task("ok", func(f *jira.IssueFields) { f.Components = []*jira.Component{{Name: "web"}} }), "components", "Component name 'web' is not valid"},
		{"unknown parent", task("ok", func(f *jira.IssueFields) { f.Parent = &jira.Parent{Key: "OPS-99"} }), "parent", "Could not find issue by id or key."},
		{"task under a task", task("ok", func(f *jira.IssueFields) { f.Parent = &jira.Parent{Key: "OPS-1"} }), "parent", "appropriate hierarchy"},
		{"an unknown field", task("ok", func(f *jira.IssueFields) { f.Unknowns = tcontainer.MarshalMap{"storyPoints": 3} }),
			"storyPoints", "Field 'storyPoints' cannot be set. It is not on the appropriate screen, or unknown."},
		{"an unknown custom field", task("ok", func(f *jira.IssueFields) { f.Unknowns = tcontainer.MarshalMap{"customfield_99999": "x"} }),
			"customfield_99999", "Field 'customfield_99999' cannot be set."},
	}
	e := setup(t, jirasim.Options{Projects: []string{"OPS"}, Components: []string{"api"},
		CustomFields: map[string]string{"customfield_10010": "Severity"}}, contract.Options{})
	c := e.client(t)
	if _, _, err := c.Issue.Create(task(strings.Repeat("y", 255), nil)); err != nil {
		t.Fatalf("a 255-character summary: %v", err)
	}
	for _, tc := range cloudTests {
		t.Run("cloud/"+tc.name, func(t *testing.T) {
			_, resp, err := c.Issue.Create(tc.issue)
			status, je := jiraError(t, resp, err)
			if status != http.StatusBadRequest || !strings.Contains(je.Errors[tc.field], tc.want) || je.ErrorMessages == nil {
				t.Fatalf("got %d %+v, want 400 with errors.%s %q", status, je, tc.field, tc.want)
			}
		})
	}
	if n := len(e.sim.Issues("OPS")); n != 1 {
		t.Fatalf("rejected creates left %d issues", n)
	}

	dc := setup(t, jirasim.Options{Flavor: jirasim.DataCenter}, contract.Options{})
	dcc := dc.client(t)
	dcTests := []struct {
		name string
		user *jira.User
		want string
	}{
		{"accountId on Data Center", &jira.User{AccountID: aliceID}, "expected Object containing a 'name' property"},
		{"unknown username", &jira.User{Name: "nobody"}, "User 'nobody' does not exist."},
	}
	for _, tc := range dcTests {
		t.Run("dc/"+tc.name, func(t *testing.T) {
			_, resp, err := dcc.Issue.Create(task("ok", func(f *jira.IssueFields) { f.Assignee = tc.user }))
			status, je := jiraError(t, resp, err)
			if status != http.StatusBadRequest || je.Errors["assignee"] != tc.want {
				t.Fatalf("got %d %+v, want 400 with errors.assignee %q", status, je, tc.want)
			}
		})
	}
	// Jira's exact shape for a long summary.
	resp, body := e.raw(t, "POST", "/rest/api/2/issue",
		`{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"`+long+`"}}`)
	if resp.StatusCode != 400 || str(body) != `{"errorMessages":[],"errors":{"summary":"Summary must be less than 255 characters."}}` {
		t.Fatalf("long summary: %d %s", resp.StatusCode, str(body))
	}
}

// TestRequestRejects: the other errors, in Jira's shapes.
func TestRequestRejects(t *testing.T) {
	t.Parallel()
	// 415, and 401 on operations that do not document it, are not in the spec.
	e := setup(t, jirasim.Options{}, contract.Options{AllowUndocumentedStatus: []int{401, 415}})
	if _, err := e.sim.AddIssue("OPS", jirasim.Issue{Summary: "one"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddIssue("OPS", jirasim.Issue{Summary: "gone"}); err != nil {
		t.Fatal(err)
	}
	_ = e.sim.Delete("OPS-2")
	notFound := `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`
	for _, key := range []string{"OPS-2", "OPS-99", "NOPE-1"} {
		resp, body := e.raw(t, "GET", "/rest/api/2/issue/"+key, "")
		if resp.StatusCode != 404 || str(body) != notFound {
			t.Errorf("GET %s: %d %s", key, resp.StatusCode, str(body))
		}
	}
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/rest/api/2/issue/OPS-1/transitions", `{"transition":{"id":"99"}}`, 400, "Transition id '99' is not valid for this issue."},
		{"POST", "/rest/api/2/issue/OPS-1/transitions", `{"transition":{"id":"11"}}`, 400, "Transition id '11' is not valid"}, // already To Do
		{"POST", "/rest/api/2/issue/OPS-1/transitions", `{}`, 400, "Missing 'transition' identifier"},
		{"POST", "/rest/api/2/issue/OPS-1/transitions", `{"transition":{"id":"21"},"fields":{"resolution":{"name":"Done"}}}`, 400, "Field 'resolution' cannot be set."},
		{"POST", "/rest/api/2/issue/OPS-1/transitions", `{"transition":{"id":"31"},"fields":{"resolution":{"name":"Fixed"}}}`, 400, "Resolution 'Fixed' is not valid."},
		{"POST", "/rest/api/2/issue/OPS-2/transitions", `{"transition":{"id":"31"}}`, 404, "Issue does not exist"},
		{"POST", "/rest/api/2/issue/OPS-1/comment", `{"body":"  "}`, 400, "Comment body can not be empty!"},
		{"POST", "/rest/api/2/issue/OPS-1/comment", `{"body":{"type":"doc","version":1,"content":[]}}`, 400, "Operation value must be a string"},
		{"POST", "/rest/api/2/issueLink", `{"type":{"name":"Relates"},"inwardIssue":{"key":"OPS-1"},"outwardIssue":{"key":"OPS-2"}}`, 404, "Issue Does Not Exist"},
		{"POST", "/rest/api/2/issueLink", `{"type":{"name":"Causes"},"inwardIssue":{"key":"OPS-1"},"outwardIssue":{"key":"OPS-1"}}`, 404, "No issue link type with name 'Causes' found."},
		{"PUT", "/rest/api/2/issue/OPS-1", `{"fields":{"project":{"key":"SRE"}}}`, 400, "Field 'project' cannot be set."},
		{"PUT", "/rest/api/2/issue/OPS-1", `{"fields":{"duedate":"01/04/2026"}}`, 400, "Error parsing date string: 01/04/2026"},
		{"PUT", "/rest/api/2/issue/OPS-1", `{"update":{"labels":[{"add":"has space"}]}}`, 400, "contains spaces"},
		{"PUT", "/rest/api/2/issue/OPS-1/assignee", `{"accountId":"nobody"}`, 400, "Account ID nobody does not exist."},
		{"PUT", "/rest/api/2/issue/OPS-1/assignee", `{"name":"alice"}`, 400, "expected Object containing a 'accountId' property"},
		{"GET", "/rest/api/2/user/search?username=alice", "", 400, "not supported in GDPR strict mode"},
		{"GET", "/rest/api/2/user/search", "", 400, "must be provided"},
	}
	for _, tc := range tests {
		resp, body := e.raw(t, tc.method, tc.path, tc.body)
		wantErrors(t, resp.StatusCode, body, tc.status, tc.want)
	}
	// A failed edit changes nothing.
	before, _ := e.sim.Issue("OPS-1")
	resp, _ := e.raw(t, "PUT", "/rest/api/2/issue/OPS-1", `{"fields":{"summary":"new","labels":["bad label"]}}`)
	if after, _ := e.sim.Issue("OPS-1"); resp.StatusCode != 400 || after.Summary != before.Summary || !after.Updated.Equal(before.Updated) {
		t.Fatalf("a failed edit changed the issue: %+v", after)
	}
	// Requests the contract itself refuses go to the simulator directly.
	if status, _ := e.direct405(t); status != http.StatusMethodNotAllowed {
		t.Errorf("PATCH an issue: %d", status)
	}
	status, body := e.direct(t, "POST", "/rest/api/2/issue/OPS-1/comment", `body=hello`, "Content-Type", "application/x-www-form-urlencoded")
	wantErrors(t, status, body, http.StatusUnsupportedMediaType, "Unsupported Media Type")
	status, body = e.direct(t, "GET", "/rest/api/2/issue/OPS-1/comment?maxResults=lots", "")
	wantErrors(t, status, body, http.StatusBadRequest, "is not a number")
	status, body = e.direct(t, "POST", "/rest/api/2/issue", `{"fields":`)
	wantErrors(t, status, body, http.StatusBadRequest, "Unexpected character")

	// Authentication: Basic e-mail and API token on Cloud.
	bad := "Basic " + base64.StdEncoding.EncodeToString([]byte(botEmail+":wrong"))
	for _, auth := range []string{bad, "Bearer " + pat, "Basic !!!", ""} {
		resp, body := e.raw(t, "GET", "/rest/api/2/myself", "", "Authorization", auth)
		wantErrors(t, resp.StatusCode, body, http.StatusUnauthorized, "You are not authenticated")
	}
	dc := setup(t, jirasim.Options{Flavor: jirasim.DataCenter}, contract.Options{AllowUndocumentedStatus: []int{401}})
	for _, auth := range []string{"Bearer wrong", "Basic " + base64.StdEncoding.EncodeToString([]byte("pmsync:pw"))} {
		if resp, _ := dc.raw(t, "GET", "/rest/api/2/myself", "", "Authorization", auth); resp.StatusCode != 401 {
			t.Errorf("DC %q: %d", auth, resp.StatusCode)
		}
	}
	// Nothing is recorded as a user for refused calls.
	if n := e.sim.CallCount(func(c jirasim.Call) bool { return c.Status == 401 && c.User != "" }); n != 0 {
		t.Errorf("%d refused calls have a user", n)
	}
}

// TestV3RichText: v3 takes and gives Atlassian Document Format, v2 plain
// text, for the same issue.
func TestV3RichText(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{}, contract.Options{})
	adf := `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Postmortem: "},{"type":"text","text":"Payments","marks":[{"type":"strong"}]}]},{"type":"paragraph","content":[{"type":"text","text":"pmsync:v1 pm=pm-1 item=ai-1 owner=x"}]}]}`
	resp, body := e.raw(t, "POST", "/rest/api/3/issue",
		`{"fields":{"project":{"key":"OPS"},"issuetype":{"id":"10002"},"summary":"v3 issue","description":`+adf+`}}`)
	if resp.StatusCode != 201 || !strings.HasSuffix(str(body["self"]), "/rest/api/3/issue/"+str(body["id"])) {
		t.Fatalf("v3 create: %d %v", resp.StatusCode, body)
	}
	is, _ := e.sim.Issue("OPS-1")
	if is.Description != "Postmortem: Payments\npmsync:v1 pm=pm-1 item=ai-1 owner=x" || is.Type != "Task" {
		t.Fatalf("stored description %q", is.Description)
	}
	_, v2 := e.raw(t, "GET", "/rest/api/2/issue/OPS-1?fields=description", "")
	if obj(v2["fields"])["description"] != is.Description {
		t.Fatalf("v2 description: %v", v2["fields"])
	}
	_, v3 := e.raw(t, "GET", "/rest/api/3/issue/OPS-1?fields=description", "")
	d := obj(obj(v3["fields"])["description"])
	if d["type"] != "doc" || len(d["content"].([]any)) != 2 {
		t.Fatalf("v3 description: %v", d)
	}
	// v3 comments: ADF in and out; a plain string is accepted too.
	resp, c := e.raw(t, "POST", "/rest/api/3/issue/OPS-1/comment", `{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Overdue."}]}]}}`)
	if resp.StatusCode != 201 || obj(c["body"])["type"] != "doc" {
		t.Fatalf("v3 comment: %d %v", resp.StatusCode, c)
	}
	if resp, _ := e.raw(t, "POST", "/rest/api/3/issue/OPS-1/comment", `{"body":"plain"}`); resp.StatusCode != 201 {
		t.Fatalf("v3 string comment: %d", resp.StatusCode)
	}
	resp, page := e.raw(t, "GET", "/rest/api/2/issue/OPS-1/comment?orderBy=-created", "")
	if resp.StatusCode != 200 || page["total"] != float64(2) || obj(page["comments"].([]any)[1])["body"] != "Overdue." {
		t.Fatalf("v2 comments: %v", page)
	}
	// v2 wants strings.
	resp, body = e.raw(t, "PUT", "/rest/api/2/issue/OPS-1", `{"fields":{"description":`+adf+`}}`)
	wantErrors(t, resp.StatusCode, body, 400, "Operation value must be a string")
	// v3 refuses other objects.
	resp, body = e.raw(t, "PUT", "/rest/api/3/issue/OPS-1", `{"fields":{"description":{"text":"x"}}}`)
	wantErrors(t, resp.StatusCode, body, 400, "Atlassian Document")
}

// TestMetadata: server info, fields and create metadata, both flavours.
func TestMetadata(t *testing.T) {
	t.Parallel()
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(flavor.String(), func(t *testing.T) {
			t.Parallel()
			e := setup(t, jirasim.Options{Flavor: flavor, TimeZone: time.FixedZone("", 2*3600),
				CustomFields: map[string]string{"customfield_10010": "Severity"}}, contract.Options{})
			_, info := e.raw(t, "GET", "/rest/api/2/serverInfo", "")
			wantType := map[jirasim.Flavor]string{jirasim.Cloud: "Cloud", jirasim.DataCenter: "DataCenter"}[flavor]
			if info["deploymentType"] != wantType || info["serverTime"] != "2026-03-02T11:00:00.000+0200" || info["baseUrl"] != e.srv.URL {
				t.Fatalf("serverInfo: %v", info)
			}
			_, types := e.raw(t, "GET", "/rest/api/2/issue/createmeta/OPS/issuetypes", "")
			if types["total"] != float64(5) {
				t.Fatalf("createmeta issue types: %v", types)
			}
			_, fields := e.raw(t, "GET", "/rest/api/2/issue/createmeta/OPS/issuetypes/10002", "")
			if !strings.Contains(str(fields), `"fieldId":"customfield_10010"`) || !strings.Contains(str(fields), `"fieldId":"summary"`) {
				t.Fatalf("createmeta fields: %v", fields)
			}
			_, all := e.raw(t, "GET", "/rest/api/2/field", "")
			if !strings.Contains(str(all), `"cf[10010]"`) {
				t.Fatalf("fields: %v", all)
			}
			// Timestamps are in the zone, with Jira's offset form.
			key, _ := e.sim.AddIssue("OPS", jirasim.Issue{Summary: "zoned"})
			_, is := e.raw(t, "GET", "/rest/api/2/issue/"+key+"?fields=created", "")
			if got := obj(is["fields"])["created"]; got != "2026-03-02T11:00:00.000+0200" {
				t.Fatalf("created %v", got)
			}
		})
	}
}

// TestTestHooks: seeding, people's changes, deletion and the call log.
func TestTestHooks(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{}, contract.Options{})
	key, err := e.sim.AddIssue("OPS", jirasim.Issue{
		Summary: "Seeded", Status: "Done", Labels: []string{"postmortem"}, Assignee: aliceID, DueDate: "2026-01-31",
		Created: start.Add(-48 * time.Hour), Comments: []jirasim.Comment{{Body: "old"}},
	})
	if err != nil || key != "OPS-1" {
		t.Fatalf("AddIssue: %s, %v", key, err)
	}
	is, _ := e.sim.Issue(key)
	if is.Resolution != "Done" || is.StatusCategory != "done" || !is.ResolutionDate.Equal(start.Add(-48*time.Hour)) || len(is.Comments) != 1 {
		t.Fatalf("seeded: %+v", is)
	}
	for _, bad := range []jirasim.Issue{{Status: "Closed"}, {Assignee: "nobody"}, {DueDate: "soon"}, {Type: "Incident"}} {
		if _, err := e.sim.AddIssue("OPS", bad); err == nil {
			t.Errorf("AddIssue(%+v) accepted", bad)
		}
	}
	e.clock.Advance(time.Hour)
	if err := e.sim.Transition(key, "To Do", ""); err != nil {
		t.Fatal(err)
	}
	if is, _ := e.sim.Issue(key); is.Resolution != "" || !is.ResolutionDate.IsZero() || !is.Updated.Equal(start.Add(time.Hour)) {
		t.Fatalf("reopened: %+v", is)
	}
	if err := e.sim.Transition(key, "Won't Do", ""); err != nil {
		t.Fatal(err)
	}
	if is, _ := e.sim.Issue(key); is.Resolution != "Won't Do" {
		t.Fatalf("won't do: %+v", is)
	}
	if err := e.sim.Edit(key, func(is *jirasim.Issue) { is.DueDate = "2026-02-28"; is.Assignee = bobID }); err != nil {
		t.Fatal(err)
	}
	if is, _ := e.sim.Issue(key); is.DueDate != "2026-02-28" || is.Assignee != bobID {
		t.Fatalf("edited: %+v", is)
	}
	e.sim.ResetCalls()
	c := e.client(t)
	_, _, _ = c.Issue.Get(key, nil)
	_, _ = c.Issue.UpdateIssue(key, map[string]any{"fields": map[string]any{"summary": "renamed"}})
	_, _, _ = c.Issue.SearchV2JQL(`project = OPS`, nil)
	calls := e.sim.Calls()
	if len(calls) != 3 || calls[0].Method != "GET" || calls[0].User == "" || !calls[1].Mutating() || calls[2].Mutating() {
		t.Fatalf("calls: %+v", calls)
	}
	if n := e.sim.CallCount(jirasim.Call.Mutating); n != 1 {
		t.Fatalf("mutating calls: %d", n)
	}
	if err := e.sim.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.sim.Issue(key); ok || len(e.sim.Issues("OPS")) != 0 {
		t.Fatal("a deleted issue is still listed")
	}
	if err := e.sim.Delete(key); err == nil {
		t.Fatal("deleted twice")
	}
}
