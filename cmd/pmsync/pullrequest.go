package main

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/trackers/factory"
	"github.com/pmsync/pmsync/trackers/github"
)

// pullRequests opens pmsync's pull request in the source repository
// (engine.PullRequester), with the git token, through a GitHub adapter on
// the first github tracker's base_url (by name), or api.github.com. It is
// built on first use: a run that writes nothing needs no token.
type pullRequests struct {
	cfg *config.Config
	fo  factory.Options
}

func (p *pullRequests) PullRequest(ctx context.Context, head, base, title, body string, pushed bool) (int, error) {
	owner, name, err := repoOfURL(p.cfg.Source.Git.URL)
	if err != nil {
		return 0, err
	}
	token, err := resolveGitToken(p.cfg, p.fo)
	if err != nil {
		return 0, err
	}
	gc := github.Config{Name: "source", Token: token, Repo: owner + "/" + name, Timeout: p.fo.Timeout}
	names := make([]string, 0, len(p.cfg.Trackers))
	for n := range p.cfg.Trackers {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if t := p.cfg.Trackers[n]; t.Type == config.TrackerGitHub {
			gc.BaseURL, gc.WriteInterval = cmp.Or(t.BaseURL, gc.BaseURL), t.WriteInterval
			break
		}
	}
	t, err := github.New(gc, github.Options{Clock: p.fo.Clock, Logger: p.fo.Logger, Base: p.fo.Base})
	if err != nil {
		return 0, fmt.Errorf("pull request: %w", err)
	}
	return t.PullRequest(ctx, gc.Repo, head, base, title, body, pushed)
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
