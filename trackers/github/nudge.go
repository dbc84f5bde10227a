package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var _ trackers.Nudger = (*Tracker)(nil)

// Nudge takes a follow-up step on an issue (trackers.Nudger): GET the
// issue (its labels as they are now), POST the label to the issue's
// labels, POST the comment; DELETE the label again when GitHub refuses
// the comment. GitHub creates a label that the repo lacks. Every write
// goes through the pacing transport.
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
	owner, name, _ := splitRepo(repo)
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
		Comment: func(ctx context.Context) error {
			return t.comment(ctx, owner, name, num, body, what)
		},
		NotPosted: func(err error) bool { return trackers.Refused(statusOf(err), err) },
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
	if err := t.comment(ctx, owner, name, num, body, what); err != nil {
		return err
	}
	t.tr.Stats.Comments.Add(1)
	return nil
}

// comment POSTs a comment. It is not repeated after a 5xx or a network
// error: GitHub may have posted it.
func (t *Tracker) comment(ctx context.Context, owner, name string, num int, body, what string) error {
	_, err := t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
		_, r, err := c.Issues.CreateComment(ctx, owner, name, num, &gh.IssueComment{Body: gh.String(body)})
		return r, err
	})
	return t.wrap(err, what, false)
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
