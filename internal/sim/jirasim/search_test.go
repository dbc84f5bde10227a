package jirasim_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
)

// seed adds n issues to OPS, labelled postmortem, one minute apart.
func seed(t *testing.T, e *env, n int) []string {
	t.Helper()
	var keys []string
	for i := range n {
		key, err := e.sim.AddIssue("OPS", jirasim.Issue{
			Summary: fmt.Sprintf("Action item %d", i+1), Labels: []string{"postmortem", fmt.Sprintf("pm-%d", i%3)},
			Created: start.Add(time.Duration(i) * time.Minute),
		})
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	return keys
}

func TestSearchJQLPagination(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{}, contract.Options{})
	c := e.client(t)
	want := seed(t, e, 250)

	var got []string
	pages := 0
	opts := &jira.SearchOptionsV2{Fields: []string{"summary", "created"}, MaxResults: 1000} // capped at 100
	for {
		issues, resp, err := c.Issue.SearchV2JQL(`project = OPS AND labels = postmortem ORDER BY created ASC`, opts)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		if len(issues) > 100 {
			t.Fatalf("page %d has %d issues; the cap is 100 with fields", pages, len(issues))
		}
		for _, is := range issues {
			got = append(got, is.Key)
		}
		if resp.IsLast {
			if resp.NextPageToken != "" {
				t.Fatalf("last page carries a token")
			}
			break
		}
		if resp.NextPageToken == "" || pages > 10 {
			t.Fatalf("page %d: not last and no token", pages)
		}
		opts.NextPageToken = resp.NextPageToken
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Fatalf("%d pages, %d keys; want 3 pages and every key once, in order", pages, len(got))
	}

	// Keys only: up to 5,000 a page.
	issues, resp, err := c.Issue.SearchV2JQL(`project = OPS`, &jira.SearchOptionsV2{Fields: []string{"key"}, MaxResults: 5000})
	if err != nil || len(issues) != 250 || !resp.IsLast || issues[0].Key != "OPS-250" || issues[0].Fields != nil {
		t.Fatalf("keys only: %d, %+v, %v", len(issues), resp, err)
	}
	// Default page size: 50.
	if issues, _, _ := c.Issue.SearchV2JQL(`labels = "pm-1"`, nil); len(issues) != 50 {
		t.Fatalf("default page: %d", len(issues))
	}

	// The same through POST, with a token.
	_, body := e.raw(t, "POST", "/rest/api/3/search/jql", `{"jql":"labels = pm-2","maxResults":80,"fields":["summary"]}`)
	if n := len(body["issues"].([]any)); n != 80 || body["isLast"] != false || body["nextPageToken"] == nil || body["total"] != nil {
		t.Fatalf("POST page 1: %d issues, %v", n, body["isLast"])
	}
	_, body2 := e.raw(t, "POST", "/rest/api/3/search/jql", fmt.Sprintf(`{"jql":"labels = pm-2","maxResults":80,"fields":["summary"],"nextPageToken":%q}`, body["nextPageToken"]))
	if n := len(body2["issues"].([]any)); n != 3 || body2["isLast"] != true {
		t.Fatalf("POST page 2: %d issues, %v", n, body2)
	}

	// A token only continues its own query.
	resp2, errBody := e.raw(t, "GET", "/rest/api/2/search/jql?jql="+url.QueryEscape("labels = pm-1")+"&fields=summary&nextPageToken="+url.QueryEscape(str(body["nextPageToken"])), "")
	wantErrors(t, resp2.StatusCode, errBody, 400, "next page token is invalid")
	resp2, errBody = e.raw(t, "GET", "/rest/api/2/search/jql?jql=project%3DOPS&nextPageToken=garbage", "")
	wantErrors(t, resp2.StatusCode, errBody, 400, "next page token is invalid")
	// Tokens expire after 7 days.
	e.clock.Advance(8 * 24 * time.Hour)
	_, first, _ := c.Issue.SearchV2JQL(`project = OPS`, &jira.SearchOptionsV2{MaxResults: 10})
	e.clock.Advance(8 * 24 * time.Hour)
	_, _, err = c.Issue.SearchV2JQL(`project = OPS`, &jira.SearchOptionsV2{MaxResults: 10, NextPageToken: first.NextPageToken})
	if err == nil {
		t.Fatal("an expired token was accepted")
	}
}

func TestSearchLegacyDataCenterPagination(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{Flavor: jirasim.DataCenter}, contract.Options{})
	c := e.client(t)
	want := seed(t, e, 130)
	var got []string
	for startAt := 0; ; {
		issues, resp, err := c.Issue.Search(`labels = postmortem ORDER BY key`, &jira.SearchOptions{StartAt: startAt, MaxResults: 50, Fields: []string{"summary"}})
		if err != nil || resp.Total != 130 {
			t.Fatalf("startAt %d: %+v, %v", startAt, resp, err)
		}
		for _, is := range issues {
			got = append(got, is.Key)
		}
		startAt += len(issues)
		if len(issues) == 0 || startAt >= resp.Total {
			break
		}
	}
	slices.SortFunc(want, func(a, b string) int { return cmpKeys(a, b) })
	if !slices.Equal(got, want) {
		t.Fatalf("got %d keys, want all 130 in key order", len(got))
	}
	// An empty query is fine on Data Center: everything.
	if _, resp, err := c.Issue.Search(``, &jira.SearchOptions{MaxResults: 1}); err != nil || resp.Total != 130 {
		t.Fatalf("empty JQL: %+v, %v", resp, err)
	}
	// POST /search.
	_, body := e.raw(t, "POST", "/rest/api/2/search", `{"jql":"labels = pm-0","startAt":40,"maxResults":10,"fields":["summary"]}`)
	if body["total"] != float64(44) || len(body["issues"].([]any)) != 4 || body["startAt"] != float64(40) {
		t.Fatalf("POST /search: %v", body)
	}
}

func cmpKeys(a, b string) int {
	var pa, pb string
	var na, nb int
	_, _ = fmt.Sscanf(strings.Replace(a, "-", " ", 1), "%s %d", &pa, &na)
	_, _ = fmt.Sscanf(strings.Replace(b, "-", " ", 1), "%s %d", &pb, &nb)
	if pa != pb {
		return strings.Compare(pa, pb)
	}
	return na - nb
}

// TestSearchEndpointsByFlavor: Cloud has removed /search (410) and serves
// /search/jql; Data Center is the other way round.
func TestSearchEndpointsByFlavor(t *testing.T) {
	t.Parallel()
	// 410 and 404 are not documented for these operations.
	copts := contract.Options{AllowUndocumentedStatus: []int{http.StatusGone, http.StatusNotFound}}
	cloud := setup(t, jirasim.Options{}, copts)
	dc := setup(t, jirasim.Options{Flavor: jirasim.DataCenter}, copts)
	removed := `{"errorMessages":["The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"],"errors":{}}`
	for _, v := range []string{"2", "3"} {
		resp, body := cloud.raw(t, "GET", "/rest/api/"+v+"/search?jql=project%3DOPS", "")
		wantErrors(t, resp.StatusCode, body, http.StatusGone, "CHANGE-2046")
		if got := str(body); got != removed {
			t.Errorf("410 body\n got %s\nwant %s", got, removed)
		}
		resp, body = cloud.raw(t, "POST", "/rest/api/"+v+"/search", `{"jql":"project = OPS"}`)
		wantErrors(t, resp.StatusCode, body, http.StatusGone, "/rest/api/3/search/jql")
		if resp, _ := cloud.raw(t, "GET", "/rest/api/"+v+"/search/jql?jql=project%3DOPS", ""); resp.StatusCode != 200 {
			t.Errorf("Cloud v%s /search/jql: %d", v, resp.StatusCode)
		}
	}
	// go-jira's Search is the removed endpoint.
	_, resp, err := cloud.client(t).Issue.Search(`project = OPS`, nil)
	if code, je := jiraError(t, resp, err); code != http.StatusGone || !strings.Contains(je.ErrorMessages[0], "removed") {
		t.Fatalf("go-jira Search on Cloud: %d %+v", code, je)
	}

	for _, m := range []string{"GET", "POST"} {
		resp, _ := dc.raw(t, m, "/rest/api/2/search/jql", `{"jql":"project = OPS"}`)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("DC %s /search/jql: %d", m, resp.StatusCode)
		}
	}
	if resp, _ := dc.raw(t, "GET", "/rest/api/2/search?jql=project%3DOPS", ""); resp.StatusCode != 200 {
		t.Errorf("DC /search: %d", resp.StatusCode)
	}
	// Data Center has no REST API v3.
	if resp, _ := dc.raw(t, "GET", "/rest/api/3/myself", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("DC v3: %d", resp.StatusCode)
	}
}

func TestSearchRejects(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{Projects: []string{"OPS"}}, contract.Options{})
	seed(t, e, 3)
	if err := e.sim.Delete("OPS-3"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ jql, want string }{
		{``, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."},
		{`ORDER BY created DESC`, "Unbounded JQL queries are not allowed here."},
		{`project = OPS AND`, "Error in the JQL Query: Expecting a field name but got 'EOF'."},
		{`labels = "a`, "Error in the JQL Query: The quoted string 'a' has not been completed."},
		{`project = NOPE`, "The value 'NOPE' does not exist for the field 'project'."},
		{`key in (OPS-1, OPS-3)`, "An issue with key 'OPS-3' does not exist for field 'key'."},
		{`issue = OPS-99`, "An issue with key 'OPS-99' does not exist for field 'issue'."},
		{`status = Resolved`, "The value 'Resolved' does not exist for the field 'status'."},
		{`assignee = nobody`, "The value 'nobody' does not exist for the field 'assignee'."},
		{`resolution = Fixed`, "The value 'Fixed' does not exist for the field 'resolution'."},
		{`foo = bar`, "Field 'foo' does not exist or you do not have permission to view it."},
	}
	for _, tc := range tests {
		resp, body := e.raw(t, "GET", "/rest/api/2/search/jql?jql="+url.QueryEscape(tc.jql), "")
		wantErrors(t, resp.StatusCode, body, http.StatusBadRequest, tc.want)
	}
	// An injection attempt is one odd label: nothing matches.
	_, body := e.raw(t, "GET", "/rest/api/2/search/jql?jql="+url.QueryEscape(`labels = "x\" OR project = OPS OR labels = \"y"`), "")
	if n := len(body["issues"].([]any)); n != 0 {
		t.Fatalf("injection matched %d issues", n)
	}
}

// TestSearchValidateQuery: Data Center's legacy search can turn value
// errors into warnings, which clients use for batches with deleted keys.
func TestSearchValidateQuery(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{Flavor: jirasim.DataCenter}, contract.Options{})
	seed(t, e, 3)
	_ = e.sim.Delete("OPS-2")
	jql := url.QueryEscape(`key in (OPS-1, OPS-2, OPS-3)`)
	resp, body := e.raw(t, "GET", "/rest/api/2/search?jql="+jql, "")
	wantErrors(t, resp.StatusCode, body, 400, "An issue with key 'OPS-2' does not exist for field 'key'.")
	resp, body = e.raw(t, "GET", "/rest/api/2/search?validateQuery=warn&jql="+jql, "")
	if resp.StatusCode != 200 || body["total"] != float64(2) || !strings.Contains(str(body["warningMessages"]), "OPS-2") {
		t.Fatalf("warn: %d %v", resp.StatusCode, body)
	}
	resp, body = e.raw(t, "GET", "/rest/api/2/search?validateQuery=none&jql="+jql, "")
	if resp.StatusCode != 200 || body["total"] != float64(2) || body["warningMessages"] != nil {
		t.Fatalf("none: %d %v", resp.StatusCode, body)
	}
}

// TestIndexLag: the enhanced search is eventually consistent; GET by key
// and reconcileIssues are not.
func TestIndexLag(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{IndexLag: 5 * time.Second}, goJiraQuirks)
	c := e.client(t)
	is, _, err := c.Issue.Create(task("Fresh", func(f *jira.IssueFields) { f.Labels = []string{"pm-x"} }))
	if err != nil {
		t.Fatal(err)
	}
	search := func(reconcile ...int) []jira.Issue {
		issues, _, err := c.Issue.SearchV2JQL(`labels = pm-x`, &jira.SearchOptionsV2{Fields: []string{"labels"}, ReconcileIssues: reconcile})
		if err != nil {
			t.Fatal(err)
		}
		return issues
	}
	if got := search(); len(got) != 0 {
		t.Fatalf("a new issue is searchable at once: %+v", got)
	}
	if _, _, err := c.Issue.Get(is.Key, nil); err != nil {
		t.Fatalf("GET by key: %v", err)
	}
	var id int
	_, _ = fmt.Sscan(is.ID, &id)
	if got := search(id); len(got) != 1 {
		t.Fatalf("reconcileIssues: %+v", got)
	}
	e.clock.Advance(5 * time.Second)
	if got := search(); len(got) != 1 {
		t.Fatalf("after the lag: %+v", got)
	}
	// A change is seen late too: the index still has the label.
	if _, err := c.Issue.UpdateIssue(is.Key, map[string]any{"update": map[string]any{"labels": []any{map[string]any{"remove": "pm-x"}}}}); err != nil {
		t.Fatal(err)
	}
	if got := search(); len(got) != 1 {
		t.Fatalf("the removal was indexed at once")
	}
	e.clock.Advance(5 * time.Second)
	if got := search(); len(got) != 0 {
		t.Fatalf("after the lag: %+v", got)
	}
}

// TestMovedIssue: a moved issue answers to its old key, with its new one.
func TestMovedIssue(t *testing.T) {
	t.Parallel()
	e := setup(t, jirasim.Options{}, contract.Options{})
	seed(t, e, 2)
	newKey, err := e.sim.Move("OPS-2", "SRE")
	if err != nil || newKey != "SRE-1" {
		t.Fatalf("move: %s, %v", newKey, err)
	}
	got, _, err := e.client(t).Issue.Get("OPS-2", nil)
	if err != nil || got.Key != "SRE-1" || got.Fields.Project.Key != "SRE" {
		t.Fatalf("GET by old key: %+v, %v", got, err)
	}
	issues, _, err := e.client(t).Issue.SearchV2JQL(`key in (OPS-1, OPS-2)`, &jira.SearchOptionsV2{Fields: []string{"summary"}})
	if err != nil || len(issues) != 2 || issues[0].Key != "SRE-1" {
		t.Fatalf("JQL by old key: %+v, %v", issues, err)
	}
}
