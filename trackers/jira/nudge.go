package jira

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var _ trackers.Nudger = (*Tracker)(nil)

// Nudge takes a follow-up step on an issue (trackers.Nudger): GET the
// issue's labels, PUT the label ({"update":{"labels":[{"add":…}]}}),
// POST the comment; PUT the label's removal when Jira refuses the
// comment. Every write goes through the pacing transport.
func (t *Tracker) Nudge(ctx context.Context, ref ticket.Ref, label string, c ticket.Comment) error {
	key, ok := t.parseRef(ref, false)
	if !ok {
		return trackers.Permanent(fmt.Errorf("jira %s: nudge: %q is not an issue of this tracker", t.name, refString(ref)))
	}
	what := fmt.Sprintf("nudge %s (%s)", key, label)
	if err := ticket.CheckLabel(label); err != nil {
		return trackers.Permanent(fmt.Errorf("jira %s: %s: %w", t.name, what, err))
	}
	body, err := t.renderComment(ctx, c, what)
	if err != nil {
		return err
	}
	path := "rest/api/2/issue/" + url.PathEscape(key)
	project := projectOf(key)
	editLabel := func(ctx context.Context, verb, doing string) error {
		update := map[string]any{"update": map[string]any{"labels": []map[string]string{{verb: label}}}}
		return t.wrap(t.call(ctx, http.MethodPut, path, nil, update, nil), what+": "+doing, project)
	}
	step := trackers.Step{
		Label: label,
		Labels: func(ctx context.Context) ([]string, error) {
			var is struct {
				Fields struct {
					Labels []string `json:"labels"`
				} `json:"fields"`
			}
			err := t.call(ctx, http.MethodGet, path, url.Values{"fields": {"labels"}}, nil, &is)
			return is.Fields.Labels, t.wrap(err, what+": read its labels", project)
		},
		AddLabel:    func(ctx context.Context) error { return editLabel(ctx, "add", "add the label") },
		RemoveLabel: func(ctx context.Context) error { return editLabel(ctx, "remove", "remove the label") },
		Comment:     func(ctx context.Context) error { return t.comment(ctx, key, body, what) },
		NotPosted:   func(err error) bool { return trackers.Refused(statusOf(err), err) },
		What:        key,
		Log:         t.log,
		Stats:       &t.tr.Stats,
	}
	if err := step.Run(ctx); err != nil {
		return err
	}
	t.log.Info("jira follow-up posted", "ticket", key, "label", label)
	return nil
}

// Comment posts c on an issue, with no label (trackers.Nudger).
func (t *Tracker) Comment(ctx context.Context, ref ticket.Ref, c ticket.Comment) error {
	key, ok := t.parseRef(ref, false)
	if !ok {
		return trackers.Permanent(fmt.Errorf("jira %s: comment: %q is not an issue of this tracker", t.name, refString(ref)))
	}
	what := "comment on " + key
	body, err := t.renderComment(ctx, c, what)
	if err != nil {
		return err
	}
	if err := t.comment(ctx, key, body, what); err != nil {
		return err
	}
	t.tr.Stats.Comments.Add(1)
	return nil
}

// renderComment writes c in wiki markup for this deployment (known
// after one serverInfo call at most); a comment that cannot be written
// (a malformed mention, a team) is a permanent error.
func (t *Tracker) renderComment(ctx context.Context, c ticket.Comment, what string) (string, error) {
	info, err := t.server(ctx)
	if err != nil {
		return "", err
	}
	body, err := c.Render(commentWiki{cloud: info.cloud})
	if err != nil {
		return "", trackers.Permanent(fmt.Errorf("jira %s: %s: %w", t.name, what, err))
	}
	if n := utf16Len(body); n > maxDescription {
		return "", trackers.Permanent(fmt.Errorf("jira %s: %s: comment of %d characters, over Jira's %d", t.name, what, n, maxDescription))
	}
	return body, nil
}

// comment POSTs a comment (v2: a wiki-markup string). It is not repeated
// after a 5xx or a network error: Jira may have posted it.
func (t *Tracker) comment(ctx context.Context, key, body, what string) error {
	err := t.call(ctx, http.MethodPost, "rest/api/2/issue/"+url.PathEscape(key)+"/comment", nil, map[string]string{"body": body}, nil)
	return t.wrap(err, what, projectOf(key))
}
