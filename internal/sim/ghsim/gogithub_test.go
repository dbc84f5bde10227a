package ghsim_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

// TestGoGitHubAgainstContract drives every endpoint pmsync uses with the
// real go-github client; the middleware checks each request and answer.
func TestGoGitHubAgainstContract(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{
		Tokens: map[string]string{"t0ken": "pmsync-bot"},
		Users:  []string{"alice", "bob"},
	}, contract.Options{})
	ctx := context.Background()
	gh := e.gh

	me, _, err := gh.Users.Get(ctx, "")
	if err != nil || me.GetLogin() != "pmsync-bot" {
		t.Fatalf("GET /user: %v, %v", me.GetLogin(), err)
	}
	alice, _, err := gh.Users.Get(ctx, "Alice")
	if err != nil || alice.GetLogin() != "alice" {
		t.Fatalf("GET /users/Alice: %v, %v", alice.GetLogin(), err)
	}
	repo, _, err := gh.Repositories.Get(ctx, "acme", "sre")
	if err != nil || repo.GetFullName() != "acme/sre" || !repo.GetHasIssues() {
		t.Fatalf("GET repo: %+v, %v", repo, err)
	}
	limits, resp, err := gh.RateLimit.Get(ctx)
	if err != nil || limits.GetCore().Limit != 5000 || resp.Rate.Limit != 5000 {
		t.Fatalf("GET /rate_limit: %+v, %v", limits, err)
	}

	// Labels: one made explicitly, one implicitly by the issue below.
	lbl, _, err := gh.Issues.CreateLabel(ctx, "acme", "sre", &github.Label{
		Name: ptr("postmortem"), Color: ptr("B60205"), Description: ptr("opened by pmsync")})
	if err != nil || lbl.GetColor() != "b60205" {
		t.Fatalf("create label: %+v, %v", lbl, err)
	}
	if _, _, err := gh.Issues.CreateLabel(ctx, "acme", "sre", &github.Label{Name: ptr("Postmortem")}); err == nil {
		t.Fatal("a label differing only in case was created twice")
	} else if status, body := errorJSON(t, err); status != 422 || !strings.Contains(fmt.Sprint(body["errors"]), "already_exists") {
		t.Fatalf("duplicate label: %d %v", status, body)
	}
	ms, _, err := gh.Issues.CreateMilestone(ctx, "acme", "sre", &github.Milestone{
		Title: ptr("Q2 follow-ups"), DueOn: &github.Timestamp{Time: time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)}})
	if err != nil || ms.GetNumber() != 1 {
		t.Fatalf("create milestone: %+v, %v", ms, err)
	}

	is, resp, err := gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{
		Title:     ptr("Add saturation alert"),
		Body:      ptr("Due 2026-04-01\n\n<!-- pmsync:v1 pm=pm-1 item=ai-0123abcd owner=x -->"),
		Labels:    &[]string{"postmortem", "action-item"},
		Assignees: &[]string{"alice"},
		Milestone: ptr(1),
	})
	if err != nil {
		t.Fatalf("create issue: %v", err)
	}
	if resp.StatusCode != 201 || is.GetNumber() != 1 || is.GetUser().GetLogin() != "pmsync-bot" ||
		is.GetState() != "open" || is.GetMilestone().GetNumber() != 1 || len(is.Labels) != 2 ||
		is.Assignees[0].GetLogin() != "alice" || is.GetAssignee().GetLogin() != "alice" ||
		is.GetHTMLURL() != "https://github.com/acme/sre/issues/1" || !is.GetCreatedAt().Time.Equal(start) {
		t.Fatalf("created issue: %+v", is)
	}
	if l, _, err := gh.Issues.GetLabel(ctx, "acme", "sre", "action-item"); err != nil || l.GetColor() != "ededed" {
		t.Fatalf("implicit label: %+v, %v", l, err)
	}
	labels, _, err := gh.Issues.ListLabels(ctx, "acme", "sre", &github.ListOptions{PerPage: 100})
	if err != nil || len(labels) != 2 {
		t.Fatalf("list labels: %d, %v", len(labels), err)
	}

	got, _, err := gh.Issues.Get(ctx, "acme", "sre", 1)
	if err != nil || got.GetBody() != is.GetBody() || got.GetTitle() != is.GetTitle() {
		t.Fatalf("get issue: %+v, %v", got, err)
	}

	e.clock.Advance(time.Hour)
	closed, _, err := gh.Issues.Edit(ctx, "acme", "sre", 1, &github.IssueRequest{
		State: ptr("closed"), StateReason: ptr("not_planned")})
	if err != nil || closed.GetState() != "closed" || closed.GetStateReason() != "not_planned" ||
		!closed.GetClosedAt().Time.Equal(start.Add(time.Hour)) || closed.GetClosedBy().GetLogin() != "pmsync-bot" ||
		!closed.GetUpdatedAt().Time.Equal(start.Add(time.Hour)) {
		t.Fatalf("close issue: %+v, %v", closed, err)
	}
	e.clock.Advance(time.Minute)
	reopened, _, err := gh.Issues.Edit(ctx, "acme", "sre", 1, &github.IssueRequest{State: ptr("open")})
	if err != nil || reopened.GetStateReason() != "reopened" || reopened.ClosedAt != nil {
		t.Fatalf("reopen issue: %+v, %v", reopened, err)
	}
	if _, _, err := gh.Issues.Edit(ctx, "acme", "sre", 1, &github.IssueRequest{
		State: ptr("closed"), StateReason: ptr("completed"), Labels: &[]string{"postmortem"}}); err != nil {
		t.Fatal(err)
	}

	e.clock.Advance(time.Minute)
	c, _, err := gh.Issues.CreateComment(ctx, "acme", "sre", 1, &github.IssueComment{Body: ptr("Still overdue.")})
	if err != nil || c.GetUser().GetLogin() != "pmsync-bot" {
		t.Fatalf("create comment: %+v, %v", c, err)
	}
	comments, _, err := gh.Issues.ListComments(ctx, "acme", "sre", 1, &github.IssueListCommentsOptions{
		Since: ptr(start.Add(time.Hour)), ListOptions: github.ListOptions{PerPage: 100}})
	if err != nil || len(comments) != 1 || comments[0].GetBody() != "Still overdue." {
		t.Fatalf("list comments: %v, %v", comments, err)
	}
	if ms, _, err := gh.Issues.GetMilestone(ctx, "acme", "sre", 1); err != nil || ms.GetClosedIssues() != 1 {
		t.Fatalf("get milestone: %+v, %v", ms, err)
	}
	if mss, _, err := gh.Issues.ListMilestones(ctx, "acme", "sre", &github.MilestoneListOptions{State: "all"}); err != nil || len(mss) != 1 {
		t.Fatalf("list milestones: %v, %v", mss, err)
	}

	snap, ok := e.sim.Issue("acme", "sre", 1)
	if !ok || snap.State != "closed" || snap.StateReason != "completed" || !slices.Equal(snap.Labels, []string{"postmortem"}) ||
		snap.Author != "pmsync-bot" || snap.Milestone != 1 || len(snap.Comments) != 1 ||
		!slices.Equal(snap.Assignees, []string{"alice"}) {
		t.Fatalf("snapshot: %+v", snap)
	}
}

// TestGoGitHubPaginatesByLink lists 250 matching issues, 100 a page: go-github
// follows only the Link header, so this needs it exactly right.
func TestGoGitHubPaginatesByLink(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	ctx := context.Background()
	since := start.Add(time.Hour)
	want := 0
	for i := range 300 {
		in := ghsim.Issue{Title: fmt.Sprintf("item %d", i), Labels: []string{"postmortem", "sev2"},
			CreatedAt: start.Add(time.Duration(i) * time.Minute)}
		switch {
		case i%10 == 0:
			in.Labels = []string{"postmortem"} // not sev2
		case i < 60:
			in.UpdatedAt = since.Add(-time.Second) // too old for since
		default:
			want++
		}
		if i%3 == 0 {
			in.State = "closed"
		}
		if _, err := e.sim.AddIssue("acme", "sre", in); err != nil {
			t.Fatal(err)
		}
	}
	// One more through the API, updated exactly at since: "at or after" counts it.
	e.clock.Advance(time.Hour)
	if _, _, err := e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{
		Title: ptr("via API"), Labels: &[]string{"postmortem", "SEV2"}}); err != nil {
		t.Fatal(err)
	}
	want++

	opts := &github.IssueListByRepoOptions{
		State: "all", Labels: []string{"postmortem", "sev2"}, Since: since,
		ListOptions: github.ListOptions{PerPage: 100},
	}
	var all []*github.Issue
	var pages []int
	for {
		page, resp, err := e.gh.Issues.ListByRepo(ctx, "acme", "sre", opts)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		pages = append(pages, len(page))
		if resp.NextPage == 0 {
			if resp.FirstPage != 1 || resp.PrevPage != 2 {
				t.Errorf("last page links: first=%d prev=%d", resp.FirstPage, resp.PrevPage)
			}
			break
		}
		if resp.LastPage != 3 {
			t.Errorf("page %d: last=%d, want 3", opts.Page, resp.LastPage)
		}
		opts.Page = resp.NextPage
	}
	if len(all) != want || !slices.Equal(pages, []int{100, 100, want - 200}) {
		t.Fatalf("listed %d issues in pages %v, want %d", len(all), pages, want)
	}
	// Default order: newest first.
	for i := 1; i < len(all); i++ {
		if all[i].GetCreatedAt().After(all[i-1].GetCreatedAt().Time) {
			t.Fatalf("not sorted by created desc at %d", i)
		}
	}
	if n := e.sim.CallCount(func(c ghsim.Call) bool { return c.Method == "GET" && c.Path == "/repos/acme/sre/issues" }); n != 3 {
		t.Fatalf("%d list calls, want 3", n)
	}
}

// TestGoGitHubEnterpriseBaseURL serves the same API under /api/v3/.
func TestGoGitHubEnterpriseBaseURL(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{HTMLBase: "https://ghe.example.com"}, contract.Options{StripPrefix: "/api/v3"})
	gh, err := github.NewClient(e.srv.Client()).WithAuthToken("t0ken").WithEnterpriseURLs(e.srv.URL, e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	is, _, err := gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{Title: ptr("GHES"), Labels: &[]string{"postmortem"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.srv.URL + "/api/v3/repos/acme/sre/issues/1"; is.GetURL() != want {
		t.Errorf("url %s, want %s", is.GetURL(), want)
	}
	if is.GetHTMLURL() != "https://ghe.example.com/acme/sre/issues/1" {
		t.Errorf("html_url %s", is.GetHTMLURL())
	}
	if _, _, err := gh.Issues.Get(ctx, "acme", "sre", 1); err != nil {
		t.Fatal(err)
	}
	list, _, err := gh.Issues.ListByRepo(ctx, "acme", "sre", &github.IssueListByRepoOptions{Labels: []string{"postmortem"}})
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %d, %v", len(list), err)
	}
	if _, _, err := gh.Users.Get(ctx, ""); err != nil {
		t.Fatal(err)
	}
	calls := e.sim.Calls()
	if len(calls) != 4 || calls[0].Path != "/repos/acme/sre/issues" || calls[0].Status != 201 {
		t.Fatalf("calls: %+v", calls)
	}
}

// TestConcurrentCreates numbers issues uniquely under concurrent writes.
func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	ctx := context.Background()
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			_, _, err := e.gh.Issues.Create(ctx, "acme", "sre", &github.IssueRequest{Title: ptr(fmt.Sprint("c", i))})
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	seen := map[int]bool{}
	for _, is := range e.sim.Issues("acme", "sre") {
		seen[is.Number] = true
	}
	if len(seen) != 20 || !seen[1] || !seen[20] {
		t.Fatalf("numbers %v", seen)
	}
	if n := len(e.sim.WriteTimes()); n != 20 {
		t.Fatalf("%d write times, want 20", n)
	}
}
