package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/config"
)

// syncBranch is the branch pmsync owns in pull-request mode.
const syncBranch = "pmsync/sync"

const pullTitle = "pmsync: ticket links and statuses"

// pullRequestClient is a go-github client for the source repository's
// GitHub API: the first github tracker's base_url (by name), or
// api.github.com.
func pullRequestClient(cfg *config.Config, token string) (*gh.Client, error) {
	base := "https://api.github.com/"
	names := make([]string, 0, len(cfg.Trackers))
	for name := range cfg.Trackers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if t := cfg.Trackers[name]; t.Type == config.TrackerGitHub && t.BaseURL != "" {
			base = t.BaseURL
			break
		}
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("pull request: base_url %q: %w", base, err)
	}
	c := gh.NewClient(&http.Client{})
	if token != "" {
		c = c.WithAuthToken(token)
	}
	c.BaseURL = u
	return c, nil
}

// repoOfURL parses owner and name from https://host/owner/name(.git).
func repoOfURL(raw string) (owner, name string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("source.git.url: %w", err)
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 2 || parts[len(parts)-2] == "" || parts[len(parts)-1] == "" {
		return "", "", fmt.Errorf("source.git.url %q: pull-request mode needs https://host/owner/repo", u.Redacted())
	}
	return parts[len(parts)-2], strings.TrimSuffix(parts[len(parts)-1], ".git"), nil
}

// openOrUpdatePull opens the one pull request from syncBranch into base,
// or rewrites the body of the open one. It returns its number. pushed
// says whether this run changed the branch: a pull request someone closed
// without merging is respected (0, nil) until the write-back changes,
// rather than reopened every run.
func openOrUpdatePull(ctx context.Context, c *gh.Client, owner, name, base string, docs []string, pushed bool, log *slog.Logger) (int, error) {
	sorted := append([]string(nil), docs...)
	sort.Strings(sorted)
	var b strings.Builder
	fmt.Fprintf(&b, "pmsync wrote ticket links and statuses into %d postmortems:\n\n", len(sorted))
	for _, d := range sorted {
		fmt.Fprintf(&b, "- `%s`\n", d)
	}
	b.WriteString("\nThis branch is rewritten by every run; merge it to keep the postmortems up to date.\n")
	body := b.String()
	prs, _, err := c.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{
		State: "open", Head: owner + ":" + syncBranch, Base: base,
	})
	if err != nil {
		return 0, fmt.Errorf("pull request: list %s/%s: %w", owner, name, err)
	}
	if len(prs) == 0 && !pushed {
		closed, _, err := c.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{
			State: "closed", Head: owner + ":" + syncBranch, Base: base, Sort: "updated", Direction: "desc",
			ListOptions: gh.ListOptions{PerPage: 1},
		})
		if err != nil {
			return 0, fmt.Errorf("pull request: list %s/%s: %w", owner, name, err)
		}
		if len(closed) > 0 && closed[0].MergedAt == nil {
			log.Warn("the pull request with pmsync's write-back was closed without merging; not reopened until the write-back changes",
				"pull_request", closed[0].GetHTMLURL(), "branch", syncBranch)
			return 0, nil
		}
	}
	if len(prs) == 0 {
		pr, _, err := c.PullRequests.Create(ctx, owner, name, &gh.NewPullRequest{
			Title: gh.String(pullTitle), Head: gh.String(syncBranch), Base: gh.String(base), Body: gh.String(body),
		})
		if err != nil {
			return 0, fmt.Errorf("pull request: open in %s/%s: %w", owner, name, err)
		}
		return pr.GetNumber(), nil
	}
	pr := prs[0]
	if pr.GetBody() == body {
		return pr.GetNumber(), nil
	}
	if _, _, err := c.PullRequests.Edit(ctx, owner, name, pr.GetNumber(), &gh.PullRequest{Body: gh.String(body)}); err != nil {
		return 0, fmt.Errorf("pull request: update %s/%s#%d: %w", owner, name, pr.GetNumber(), err)
	}
	return pr.GetNumber(), nil
}

// commitPullRequest pushes the run's write-back to syncBranch and opens
// or updates the pull request.
func commitPullRequest(ctx context.Context, cfg *config.Config, g gitBrancher, token string, docs []string, log *slog.Logger) error {
	msg := fmt.Sprintf("pmsync: ticket links and statuses for %d postmortems", len(docs))
	pushed, err := g.CommitToBranch(ctx, syncBranch, msg)
	if err != nil {
		return err
	}
	owner, name, err := repoOfURL(cfg.Source.Git.URL)
	if err != nil {
		return err
	}
	c, err := pullRequestClient(cfg, token)
	if err != nil {
		return err
	}
	base := cfg.Source.Git.Branch
	if base == "" {
		base = "main"
	}
	_, err = openOrUpdatePull(ctx, c, owner, name, base, docs, pushed, log)
	return err
}

type gitBrancher interface {
	CommitToBranch(ctx context.Context, branch, message string) (bool, error)
}
