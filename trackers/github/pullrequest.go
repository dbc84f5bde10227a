package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"
)

// PullRequest opens, or updates the body of, the one open pull request
// from head into base of repo (owner/name) and returns its number — for
// the git source's pull-request mode, through this tracker's transport
// (pacing, retries, redaction). pushed says whether this run changed
// head: a pull request someone closed without merging is respected (0,
// nil) until the write-back changes, rather than reopened every run.
func (t *Tracker) PullRequest(ctx context.Context, repo, head, base, title, body string, pushed bool) (int, error) {
	owner, name, err := splitRepo(repo)
	if err != nil {
		return 0, fmt.Errorf("pull request: %w", err)
	}
	var prs []*gh.PullRequest
	_, err = t.do(ctx, func(c *gh.Client) (r *gh.Response, err error) {
		prs, r, err = c.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{State: "open", Head: owner + ":" + head, Base: base})
		return r, err
	})
	if err != nil {
		return 0, fmt.Errorf("pull request: list %s: %w", repo, err)
	}
	if len(prs) == 0 && !pushed {
		var closed []*gh.PullRequest
		_, err := t.do(ctx, func(c *gh.Client) (r *gh.Response, err error) {
			closed, r, err = c.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{
				State: "closed", Head: owner + ":" + head, Base: base, Sort: "updated", Direction: "desc",
				ListOptions: gh.ListOptions{PerPage: 1},
			})
			return r, err
		})
		if err != nil {
			return 0, fmt.Errorf("pull request: list %s: %w", repo, err)
		}
		if len(closed) > 0 && closed[0].MergedAt == nil {
			t.log.Warn("the pull request with pmsync's write-back was closed without merging; not reopened until the write-back changes",
				"pull_request", closed[0].GetHTMLURL(), "branch", head)
			return 0, nil
		}
	}
	if len(prs) == 0 {
		var pr *gh.PullRequest
		_, err := t.do(ctx, func(c *gh.Client) (r *gh.Response, err error) {
			pr, r, err = c.PullRequests.Create(ctx, owner, name, &gh.NewPullRequest{
				Title: gh.String(title), Head: gh.String(head), Base: gh.String(base), Body: gh.String(body),
			})
			return r, err
		})
		if err != nil {
			return 0, fmt.Errorf("pull request: open in %s: %w", repo, err)
		}
		return pr.GetNumber(), nil
	}
	pr := prs[0]
	if pr.GetBody() == body {
		return pr.GetNumber(), nil
	}
	_, err = t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
		_, r, err := c.PullRequests.Edit(ctx, owner, name, pr.GetNumber(), &gh.PullRequest{Body: gh.String(body)})
		return r, err
	})
	if err != nil {
		return 0, fmt.Errorf("pull request: update %s#%d: %w", repo, pr.GetNumber(), err)
	}
	return pr.GetNumber(), nil
}
