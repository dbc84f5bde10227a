package jira

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var _ trackers.Nudger = (*Tracker)(nil)

// Nudge takes a follow-up step on an issue (trackers.Nudger): GET the
// issue's labels, PUT the label ({"update":{"labels":[{"add":…}]}}),
// POST the comment; PUT the label's removal when Jira refuses the
// comment. Then it settles (trackers.Step): GET the newest
// comments (one page of 50, newest first), and DELETE ours when an older
// comment of the same account, created since a little before the step
// began, has the same body. Wiki markup has no invisible marker, so
// twins are found by body: two installations that word the step
// differently (other mentions, another link) both keep theirs. Every
// write goes through the pacing transport.
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
	var posted postedComment // ours, as Jira answered
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
		Comment: func(ctx context.Context) (string, error) {
			p, err := t.comment(ctx, key, body, what)
			posted = p
			return p.ID, err
		},
		Twins: func(ctx context.Context, since time.Time) ([]string, error) {
			return t.twins(ctx, key, posted, since, what)
		},
		DeleteComment: func(ctx context.Context, id string) error {
			err := t.call(ctx, http.MethodDelete, path+"/comment/"+url.PathEscape(id), nil, nil, nil)
			if statusOf(err) == http.StatusNotFound {
				return nil // gone already (a retried DELETE)
			}
			return t.wrap(err, what+": delete our comment, posted twice", project)
		},
		NotPosted: func(err error) bool { return trackers.Refused(statusOf(err), err) },
		Now:       t.clock.Now,
		What:      key,
		Log:       t.log,
		Stats:     &t.tr.Stats,
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
	if _, err := t.comment(ctx, key, body, what); err != nil {
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

// comment POSTs a comment (v2: a wiki-markup string) and returns it as
// Jira answered. It is not repeated after a 5xx or a network error: Jira
// may have posted it.
func (t *Tracker) comment(ctx context.Context, key, body, what string) (postedComment, error) {
	var out postedComment
	err := t.call(ctx, http.MethodPost, "rest/api/2/issue/"+url.PathEscape(key)+"/comment", nil, map[string]string{"body": body}, &out)
	return out, t.wrap(err, what, projectOf(key))
}

// postedComment is a comment as v2 answers it.
type postedComment struct {
	ID      string    `json:"id"`
	Author  jira.User `json:"author"`
	Body    string    `json:"body"`
	Created string    `json:"created"`
}

// twinsPage is how many of an issue's newest comments settling reads:
// a twin is seconds old.
const twinsPage = 50

// twins returns the ids of the comments that are ours' twins:
// the same author and body, created at or after since; oldest first
// (created, then id).
func (t *Tracker) twins(ctx context.Context, key string, ours postedComment, since time.Time, what string) ([]string, error) {
	info, err := t.server(ctx)
	if err != nil {
		return nil, err
	}
	author := account(info, &ours.Author)
	if author == "" {
		return nil, errors.New("the comment's answer named no author")
	}
	var page struct {
		Comments []postedComment `json:"comments"`
	}
	q := url.Values{"orderBy": {"-created"}, "maxResults": {strconv.Itoa(twinsPage)}}
	if err := t.call(ctx, http.MethodGet, "rest/api/2/issue/"+url.PathEscape(key)+"/comment", q, nil, &page); err != nil {
		return nil, t.wrap(err, what+": list its comments", projectOf(key))
	}
	type twin struct {
		id      string
		n       int64
		created time.Time
	}
	var ts []twin
	for _, c := range page.Comments {
		created, err := time.Parse("2006-01-02T15:04:05.999-0700", c.Created)
		if err != nil || created.Before(since) || c.Body != ours.Body || account(info, &c.Author) != author {
			continue
		}
		n, _ := strconv.ParseInt(c.ID, 10, 64)
		ts = append(ts, twin{c.ID, n, created})
	}
	slices.SortFunc(ts, func(a, b twin) int { return cmp.Or(a.created.Compare(b.created), cmp.Compare(a.n, b.n)) })
	ids := make([]string, 0, len(ts))
	for _, tw := range ts {
		ids = append(ids, tw.id)
	}
	return ids, nil
}
