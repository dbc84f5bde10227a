package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var _ trackers.Nudger = (*Tracker)(nil)

// Nudge takes a follow-up step on an issue (trackers.Nudger): GET the
// issue (its labels as they are now), POST the label to the issue's
// labels, POST the comment; DELETE the label again when GitHub refuses
// the comment. GitHub creates a label that the repo lacks. Then it
// settles (trackers.Step): GET the issue's comments updated since a
// little before the step began (every page, 100 a page), and DELETE ours
// when an older comment of the same account carries the same step
// marker. The comment ends with that marker, an HTML comment GitHub
// does not show ("<!-- pmsync-step label=… -->"): twins are found by
// step, even when two installations word the comment differently. Every
// write goes through the pacing transport.
func (t *Tracker) Nudge(ctx context.Context, ref ticket.Ref, label string, c ticket.Comment) error {
	repo, num, ok := t.parseRef(ref)
	if !ok {
		return trackers.Permanent(fmt.Errorf("github %s: nudge: %q is not an issue of this tracker", t.name, refString(ref)))
	}
	what := fmt.Sprintf("nudge %s#%d (%s)", repo, num, label)
	if err := ticket.CheckLabel(label); err != nil {
		return trackers.Permanent(fmt.Errorf("github %s: %s: %w", t.name, what, err))
	}
	body, err := t.renderComment(c, what)
	if err != nil {
		return err
	}
	mark := stepMarker(label)
	body += "\n\n" + mark
	if utf8.RuneCountInString(body) > maxBody {
		return trackers.Permanent(fmt.Errorf("github %s: %s: comment longer than %d characters", t.name, what, maxBody))
	}
	owner, name, _ := splitRepo(repo)
	var author string // who posted ours, from the answer
	labelsPath := fmt.Sprintf("repos/%s/%s/issues/%d/labels", url.PathEscape(owner), url.PathEscape(name), num)
	step := trackers.Step{
		Label: label,
		Labels: func(ctx context.Context) ([]string, error) {
			is, err := t.getIssue(ctx, repo, num)
			if err != nil {
				return nil, t.wrap(err, what+": read its labels", false)
			}
			names := make([]string, 0, len(is.Labels))
			for _, l := range is.Labels {
				names = append(names, l.GetName())
			}
			return names, nil
		},
		// go-github posts labels as a bare array, which GitHub's
		// description no longer allows: the object form is sent here.
		// Adding a label twice leaves one, so the POST may be repeated.
		AddLabel: func(ctx context.Context) error {
			ctx = trackers.Idempotent(ctx)
			return t.wrap(t.send(ctx, http.MethodPost, labelsPath, map[string][]string{"labels": {label}}), what+": add the label", false)
		},
		RemoveLabel: func(ctx context.Context) error {
			return t.wrap(t.send(ctx, http.MethodDelete, labelsPath+"/"+url.PathEscape(label), nil), what+": remove the label", false)
		},
		Comment: func(ctx context.Context) (string, error) {
			posted, err := t.comment(ctx, owner, name, num, body, what)
			if err != nil || posted.GetID() == 0 {
				return "", err
			}
			author = posted.GetUser().GetLogin()
			return strconv.FormatInt(posted.GetID(), 10), nil
		},
		Twins: func(ctx context.Context, since time.Time) ([]string, error) {
			return t.twins(ctx, owner, name, num, author, mark, since, what)
		},
		DeleteComment: func(ctx context.Context, id string) error {
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				return err
			}
			_, err = t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
				return c.Issues.DeleteComment(ctx, owner, name, n)
			})
			if statusOf(err) == http.StatusNotFound {
				return nil // gone already (a retried DELETE)
			}
			return t.wrap(err, what+": delete our comment, posted twice", false)
		},
		NotPosted: func(err error) bool { return trackers.Refused(statusOf(err), err) },
		Now:       t.clock.Now,
		What:      fmt.Sprintf("%s#%d", repo, num),
		Log:       t.log,
		Stats:     &t.tr.Stats,
	}
	if err := step.Run(ctx); err != nil {
		return err
	}
	t.log.Info("github follow-up posted", "ticket", step.What, "label", label)
	return nil
}

// Comment posts c on an issue, with no label (trackers.Nudger).
func (t *Tracker) Comment(ctx context.Context, ref ticket.Ref, c ticket.Comment) error {
	repo, num, ok := t.parseRef(ref)
	if !ok {
		return trackers.Permanent(fmt.Errorf("github %s: comment: %q is not an issue of this tracker", t.name, refString(ref)))
	}
	what := fmt.Sprintf("comment on %s#%d", repo, num)
	body, err := t.renderComment(c, what)
	if err != nil {
		return err
	}
	owner, name, _ := splitRepo(repo)
	if _, err := t.comment(ctx, owner, name, num, body, what); err != nil {
		return err
	}
	t.tr.Stats.Comments.Add(1)
	return nil
}

// comment POSTs a comment and returns it as GitHub answered. It is not
// repeated after a 5xx or a network error: GitHub may have posted it.
func (t *Tracker) comment(ctx context.Context, owner, name string, num int, body, what string) (*gh.IssueComment, error) {
	posted, _, err := doValue(ctx, t, func(c *gh.Client) (*gh.IssueComment, *gh.Response, error) {
		return c.Issues.CreateComment(ctx, owner, name, num, &gh.IssueComment{Body: gh.String(body)})
	})
	return posted, t.wrap(err, what, false)
}

// stepMarker ends a follow-up comment: the step it takes, invisible on
// GitHub. Comment text cannot forge it (Text escapes "<" and "!").
func stepMarker(label string) string {
	return "<!-- pmsync-step label=" + strings.ToLower(label) + " -->"
}

// twins lists the comments of an issue updated at or after since (every
// page) and returns the ids of those author posted that carry mark,
// lowest (oldest) first.
func (t *Tracker) twins(ctx context.Context, owner, name string, num int, author, mark string, since time.Time, what string) ([]string, error) {
	if author == "" {
		return nil, errors.New("the comment's answer named no author")
	}
	var ids []int64
	opts := &gh.IssueListCommentsOptions{Since: &since, ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		page, resp, err := doValue(ctx, t, func(c *gh.Client) ([]*gh.IssueComment, *gh.Response, error) {
			return c.Issues.ListComments(ctx, owner, name, num, opts)
		})
		if err != nil {
			return nil, t.wrap(err, what+": list its comments", false)
		}
		for _, c := range page {
			if strings.EqualFold(c.GetUser().GetLogin(), author) && strings.Contains(c.GetBody(), mark) {
				ids = append(ids, c.GetID())
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	slices.Sort(ids)
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strconv.FormatInt(id, 10))
	}
	return out, nil
}

// send makes one request built here, path relative to the API base,
// discarding the answer's body.
func (t *Tracker) send(ctx context.Context, method, path string, body any) error {
	_, err := t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
		req, err := c.NewRequest(method, path, body)
		if err != nil {
			return nil, err
		}
		return c.Do(ctx, req, nil)
	})
	return err
}
