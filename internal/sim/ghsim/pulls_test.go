package ghsim_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/internal/contract"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

// TestPullRequests: create, list by head and base, and edit pull requests
// with go-github; the middleware checks each request and answer.
func TestPullRequests(t *testing.T) {
	t.Parallel()
	e := setup(t, ghsim.Options{Tokens: map[string]string{"t0ken": "pmsync-bot"}}, contract.Options{})
	ctx := context.Background()
	gh := e.gh

	pr, resp, err := gh.PullRequests.Create(ctx, "acme", "postmortems", &github.NewPullRequest{
		Title: github.String("pmsync: ticket links"), Head: github.String("pmsync/sync"),
		Base: github.String("main"), Body: github.String("first"),
	})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %v", err)
	}
	if pr.GetNumber() != 1 || pr.GetState() != "open" || pr.GetHead().GetRef() != "pmsync/sync" ||
		pr.GetBase().GetRef() != "main" || pr.GetHead().GetLabel() != "acme:pmsync/sync" || pr.GetUser().GetLogin() != "pmsync-bot" {
		t.Fatalf("created %+v", pr)
	}
	// A second open pull request for the same branches is refused.
	_, resp, err = gh.PullRequests.Create(ctx, "acme", "postmortems", &github.NewPullRequest{
		Title: github.String("again"), Head: github.String("acme:pmsync/sync"), Base: github.String("main"),
	})
	if err == nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate: %v", err)
	}
	// Another one, into another base.
	if _, _, err := gh.PullRequests.Create(ctx, "acme", "postmortems", &github.NewPullRequest{
		Title: github.String("other"), Head: github.String("feature"), Base: github.String("main"),
	}); err != nil {
		t.Fatal(err)
	}

	list := func(head, base, state string) []*github.PullRequest {
		t.Helper()
		prs, _, err := gh.PullRequests.List(ctx, "acme", "postmortems", &github.PullRequestListOptions{Head: head, Base: base, State: state})
		if err != nil {
			t.Fatal(err)
		}
		return prs
	}
	if got := list("", "", ""); len(got) != 2 || got[0].GetNumber() != 2 {
		t.Fatalf("list all: %d, want 2 newest first", len(got))
	}
	if got := list("acme:pmsync/sync", "main", "open"); len(got) != 1 || got[0].GetNumber() != 1 {
		t.Fatalf("list by head: %d", len(got))
	}
	if got := list("acme:pmsync/sync", "release", "open"); len(got) != 0 {
		t.Fatalf("list by other base: %d", len(got))
	}
	if got := list("other:pmsync/sync", "", "open"); len(got) != 0 {
		t.Fatalf("list by other owner: %d", len(got))
	}

	e.clock.Advance(time.Minute)
	pr, _, err = gh.PullRequests.Edit(ctx, "acme", "postmortems", 1, &github.PullRequest{Body: github.String("second")})
	if err != nil || pr.GetBody() != "second" || pr.GetTitle() != "pmsync: ticket links" {
		t.Fatalf("edit: %+v, %v", pr, err)
	}
	got, _, err := gh.PullRequests.Get(ctx, "acme", "postmortems", 1)
	if err != nil || got.GetBody() != "second" {
		t.Fatalf("get: %v", err)
	}
	if _, resp, err := gh.PullRequests.Get(ctx, "acme", "postmortems", 9); err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get missing: %v", err)
	}
	// Close: it leaves the open list.
	if _, _, err := gh.PullRequests.Edit(ctx, "acme", "postmortems", 2, &github.PullRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	if got := list("", "", "closed"); len(got) != 1 || got[0].GetNumber() != 2 {
		t.Fatalf("closed list: %d", len(got))
	}

	pulls := e.sim.Pulls("acme", "postmortems")
	if len(pulls) != 2 || pulls[0].Body != "second" || pulls[0].Head != "pmsync/sync" || pulls[0].Base != "main" ||
		pulls[1].State != "closed" || pulls[0].UpdatedAt.Sub(pulls[0].CreatedAt) != time.Minute {
		t.Fatalf("Pulls: %+v", pulls)
	}
	// Pull requests are issues too, as on GitHub.
	issues, _, err := gh.Issues.ListByRepo(ctx, "acme", "postmortems", &github.IssueListByRepoOptions{State: "all"})
	if err != nil || len(issues) != 2 || !issues[0].IsPullRequest() {
		t.Fatalf("issues: %d, %v", len(issues), err)
	}
}
