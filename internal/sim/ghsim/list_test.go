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

func TestLinkHeader(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	for i := range 250 {
		if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	base := e.srv.URL + "/repos/acme/sre/issues?per_page=100&page="
	cases := []struct{ page, want string }{
		{"1", `<` + base + `2>; rel="next", <` + base + `3>; rel="last"`},
		{"2", `<` + base + `1>; rel="prev", <` + base + `3>; rel="next", <` + base + `3>; rel="last", <` + base + `1>; rel="first"`},
		{"3", `<` + base + `2>; rel="prev", <` + base + `1>; rel="first"`},
	}
	for _, c := range cases {
		resp, _ := e.raw(t, "GET", "/repos/acme/sre/issues?per_page=100&page="+c.page, "t0ken", "")
		if got := resp.Header.Get("Link"); got != fixOrder(c.want) {
			t.Errorf("page %s:\n got %s\nwant %s", c.page, got, fixOrder(c.want))
		}
	}
	// per_page is clamped to 100; one page has no Link.
	_, resp, err := e.gh.Issues.ListByRepo(context.Background(), "acme", "sre",
		&github.IssueListByRepoOptions{ListOptions: github.ListOptions{PerPage: 500}})
	if err != nil || resp.LastPage != 3 {
		t.Fatalf("per_page=500: last page %d, %v", resp.LastPage, err)
	}
	resp2, _ := e.raw(t, "GET", "/repos/acme/sre/labels", "t0ken", "")
	if resp2.Header.Get("Link") != "" {
		t.Errorf("single page has a Link header")
	}
}

// fixOrder puts the query in url.Values.Encode order (page before per_page).
func fixOrder(s string) string {
	out := s
	for _, p := range []string{"1", "2", "3"} {
		out = strings.ReplaceAll(out, "per_page=100&page="+p, "page="+p+"&per_page=100")
	}
	return out
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{}, contract.Options{})
	ctx := context.Background()
	ms, _, err := e.gh.Issues.CreateMilestone(ctx, "acme", "sre", &github.Milestone{Title: ptr("m")})
	if err != nil {
		t.Fatal(err)
	}
	seed := []ghsim.Issue{
		{Title: "a", Labels: []string{"postmortem"}, Assignees: []string{"alice"}, Author: "bob"},
		{Title: "b", Labels: []string{"Postmortem", "x"}, State: "closed", Milestone: ms.GetNumber()},
		{Title: "c", Labels: []string{"other"}},
		{Title: "pr", Labels: []string{"postmortem"}, PullRequest: true},
	}
	for i, in := range seed {
		in.CreatedAt = start.Add(time.Duration(i) * time.Hour)
		in.UpdatedAt = start.Add(time.Duration(10-i) * time.Hour)
		if _, err := e.sim.AddIssue("acme", "sre", in); err != nil {
			t.Fatal(err)
		}
	}
	titles := func(opts *github.IssueListByRepoOptions) []string {
		t.Helper()
		list, _, err := e.gh.Issues.ListByRepo(ctx, "acme", "sre", opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, is := range list {
			out = append(out, is.GetTitle())
		}
		return out
	}
	for _, c := range []struct {
		name string
		opts github.IssueListByRepoOptions
		want []string
	}{
		{"default open, created desc", github.IssueListByRepoOptions{}, []string{"pr", "c", "a"}},
		{"labels case-insensitive", github.IssueListByRepoOptions{State: "all", Labels: []string{"POSTMORTEM"}}, []string{"pr", "b", "a"}},
		{"labels AND", github.IssueListByRepoOptions{State: "all", Labels: []string{"postmortem", "x"}}, []string{"b"}},
		{"closed", github.IssueListByRepoOptions{State: "closed"}, []string{"b"}},
		{"updated asc", github.IssueListByRepoOptions{State: "all", Sort: "updated", Direction: "asc"}, []string{"pr", "c", "b", "a"}},
		{"since is inclusive", github.IssueListByRepoOptions{State: "all", Since: start.Add(8 * time.Hour)}, []string{"c", "b", "a"}},
		{"assignee", github.IssueListByRepoOptions{Assignee: "alice"}, []string{"a"}},
		{"no assignee", github.IssueListByRepoOptions{Assignee: "none"}, []string{"pr", "c"}},
		{"creator", github.IssueListByRepoOptions{State: "all", Creator: "bob"}, []string{"a"}},
		{"milestone", github.IssueListByRepoOptions{State: "all", Milestone: "1"}, []string{"b"}},
	} {
		if got := titles(&c.opts); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	list, _, err := e.gh.Issues.ListByRepo(ctx, "acme", "sre", nil)
	if err != nil || !list[0].IsPullRequest() || list[1].IsPullRequest() {
		t.Fatalf("pull requests are listed and marked: %v", err)
	}
}
