package github

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/trackers"
)

var repoRE = regexp.MustCompile(`^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/([A-Za-z0-9_.-]+)$`)

// splitRepo checks "owner/name".
func splitRepo(repo string) (owner, name string, err error) {
	m := repoRE.FindStringSubmatch(repo)
	if m == nil || m[2] == "." || m[2] == ".." {
		return "", "", fmt.Errorf("%q is not owner/name", repo)
	}
	return m[1], m[2], nil
}

// statusOf is the HTTP status of a go-github error, 0 when there is none.
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// wrap adds context to err and classifies it: 4xx answers (rate limits
// never get here) are permanent, so callers do not retry them; a 404 is
// also ErrNotFound. what is e.g. "create issue in acme/sre"; hint404 is
// said when a 404 means the repo.
func (t *Tracker) wrap(err error, what string, repoLevel bool) error {
	if err == nil {
		return nil
	}
	code := statusOf(err)
	var hint string
	switch code {
	case http.StatusUnauthorized:
		hint = fmt.Sprintf("GitHub rejected the credentials: check the token in trackers.%s token_env/token_file (or the GitHub App settings)", t.name)
	case http.StatusForbidden:
		hint = "the token lacks a permission this needs (Issues: read and write; Metadata: read)"
	case http.StatusNotFound:
		if repoLevel {
			hint = fmt.Sprintf("check trackers.%s.repo (or the route's repo) and that the token can access it", t.name)
		}
	case http.StatusGone:
		hint = "issues are disabled in this repository"
	}
	e := fmt.Errorf("github %s: %s: %w", t.name, what, err)
	if hint != "" {
		e = fmt.Errorf("%w: %s", e, hint)
	}
	switch {
	case code == http.StatusNotFound:
		return trackers.Permanent(fmt.Errorf("%w (%w)", e, trackers.ErrNotFound))
	case code >= 400 && code < 500 && code != http.StatusTooManyRequests:
		return trackers.Permanent(e)
	}
	return e
}

// unassignable tells GitHub's 422 for an assignee it refuses (not a
// collaborator, unknown login).
func unassignable(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Field == "assignees" || e.Field == "assignee" {
			return true
		}
	}
	return strings.Contains(strings.ToLower(er.Message), "assign")
}

// alreadyExists tells a 422 whose only complaint is a duplicate name.
func alreadyExists(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, e := range er.Errors {
		if e.Code == "already_exists" {
			return true
		}
	}
	return false
}
