package github

import (
	"context"
	"fmt"
	"net/http"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var _ trackers.Identifier = (*Tracker)(nil)

// Account is the login pmsync's issues are opened by, as Ticket.Author
// spells it: the token's user (GET /user), or for a GitHub App its bot
// user "<slug>[bot]" (GET /repos/{owner}/{repo}/installation, as the
// App). It is asked once per run, and only when a marked issue no
// document links needs checking.
func (t *Tracker) Account(ctx context.Context, target ticket.Target) (string, error) {
	t.selfMu.Lock()
	defer t.selfMu.Unlock()
	if t.self != "" {
		return t.self, nil
	}
	if t.apps != nil {
		repo, err := t.target(target)
		if err != nil {
			return "", err
		}
		owner, name, _ := splitRepo(repo)
		c := gh.NewClient(&http.Client{Transport: t.apps, CheckRedirect: t.checkRedirect})
		c.BaseURL = t.base
		t.tr.Stats.Requests.Add(1) // not through the pacing transport: it is no issue call
		inst, _, err := c.Apps.FindRepositoryInstallation(ctx, owner, name)
		if err != nil {
			return "", t.wrap(err, "find the GitHub App's installation on "+repo, true)
		}
		if inst.GetAppSlug() == "" {
			return "", fmt.Errorf("github %s: the installation on %s names no app", t.name, repo)
		}
		t.self = inst.GetAppSlug() + "[bot]"
		return t.self, nil
	}
	u, _, err := doValue(ctx, t, func(c *gh.Client) (*gh.User, *gh.Response, error) {
		return c.Users.Get(ctx, "")
	})
	if err != nil {
		return "", t.wrap(err, "get the token's user", false)
	}
	if u.GetLogin() == "" {
		return "", fmt.Errorf("github %s: GET /user named no login", t.name)
	}
	t.self = u.GetLogin()
	return t.self, nil
}
