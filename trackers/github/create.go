package github

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// labelDefs are the labels pmsync creates when missing. Descriptions stay
// under GitHub's 100 characters.
var labelDefs = map[string]struct{ color, desc string }{
	labelPostmortem: {"5319e7", "Follow-up of a postmortem, opened by pmsync"},
	labelAction:     {"0e8a16", "A postmortem action item"},
	labelFactor:     {"d93f0b", "A contributing factor found in a postmortem"},
	labelNeedsOwner: {"fbca04", "The postmortem names no owner for this item: please assign one"},
}

// Create opens an issue for spec. If GitHub refuses the assignee, the
// issue is opened again unassigned, labelled needs-owner, with a note.
func (t *Tracker) Create(ctx context.Context, spec ticket.Spec) (ticket.Ticket, error) {
	repo, err := t.target(spec.Target)
	if err != nil {
		return ticket.Ticket{}, err
	}
	what := "create issue in " + repo
	if m, err := ticket.ParseMarker("<!-- " + spec.Marker.String() + " -->"); err != nil || m != spec.Marker {
		return ticket.Ticket{}, trackers.Permanent(fmt.Errorf("github %s: %s: invalid marker %q", t.name, what, spec.Marker.String()))
	}
	labels := []string{labelPostmortem, labelAction}
	if spec.Kind == ticket.Factor {
		labels[1] = labelFactor
	}
	if spec.NeedsOwner {
		labels = append(labels, labelNeedsOwner)
	}
	if err := t.ensureLabels(ctx, repo, labels); err != nil {
		return ticket.Ticket{}, err
	}
	var milestone *int
	if t.mileName != "" {
		n, err := t.milestone(ctx, repo)
		if err != nil {
			return ticket.Ticket{}, err
		}
		milestone = &n
	}
	req := &gh.IssueRequest{
		Title:     gh.String(title(spec)),
		Body:      gh.String(renderBody(spec, "")),
		Labels:    &labels,
		Milestone: milestone,
	}
	if spec.Assignee != "" {
		req.Assignees = &[]string{spec.Assignee}
	}
	is, err := t.createIssue(ctx, repo, req)
	if err != nil && spec.Assignee != "" && unassignable(err) {
		t.log.Warn("github refused the assignee; opening the issue unassigned with needs-owner",
			"item", spec.Marker.Item, "doc", spec.Marker.PM, "assignee", spec.Assignee, "repo", repo)
		if !spec.NeedsOwner {
			labels = append(labels, labelNeedsOwner)
			if err := t.ensureLabels(ctx, repo, labels); err != nil {
				return ticket.Ticket{}, err
			}
		}
		note := fmt.Sprintf("%s could not be assigned in %s (GitHub refused: not a collaborator, or no such user). Please assign an owner.",
			inline("@"+spec.Assignee), inline(repo))
		req.Assignees = nil
		req.Labels = &labels
		req.Body = gh.String(renderBody(spec, note))
		is, err = t.createIssue(ctx, repo, req)
	}
	if err != nil {
		return ticket.Ticket{}, t.wrap(err, what, true)
	}
	if !hasLabel(is, labelPostmortem) {
		// GitHub silently drops labels set by a token without push
		// access; such an issue cannot be found again by its label.
		t.log.Warn("github dropped the labels of a new issue: the token needs push access, or pmsync cannot find its tickets again",
			"ticket", is.GetHTMLURL())
	}
	tk, err := t.ticketFrom(repo, is)
	if err != nil {
		// The body we sent carries a valid marker; GitHub echoes it.
		t.log.Warn("github returned a new issue without its pmsync marker", "ticket", is.GetHTMLURL(), "err", err)
		tk.Marker, tk.HasMarker = spec.Marker, true
	}
	return tk, nil
}

func (t *Tracker) createIssue(ctx context.Context, repo string, req *gh.IssueRequest) (*gh.Issue, error) {
	owner, name, _ := splitRepo(repo)
	is, _, err := doValue(ctx, t, func(c *gh.Client) (*gh.Issue, *gh.Response, error) {
		return c.Issues.Create(ctx, owner, name, req)
	})
	return is, err
}

func hasLabel(is *gh.Issue, name string) bool {
	for _, l := range is.Labels {
		if strings.EqualFold(l.GetName(), name) {
			return true
		}
	}
	return false
}

// ensureLabels makes sure names exist in repo: the repo's labels are
// listed once per tracker lifetime and each missing one is created once.
func (t *Tracker) ensureLabels(ctx context.Context, repo string, names []string) error {
	t.labelMu.Lock()
	defer t.labelMu.Unlock()
	owner, name, _ := splitRepo(repo)
	known, listed := t.labels[repo]
	if !listed {
		known = map[string]bool{}
		opts := &gh.ListOptions{PerPage: 100}
		for {
			page, resp, err := doValue(ctx, t, func(c *gh.Client) ([]*gh.Label, *gh.Response, error) {
				return c.Issues.ListLabels(ctx, owner, name, opts)
			})
			if err != nil {
				return t.wrap(err, "list labels in "+repo, true)
			}
			for _, l := range page {
				known[strings.ToLower(l.GetName())] = true
			}
			if resp.NextPage == 0 {
				break
			}
			opts.Page = resp.NextPage
		}
		t.labels[repo] = known
	}
	for _, n := range names {
		if known[strings.ToLower(n)] {
			continue
		}
		def := labelDefs[n]
		_, err := t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
			_, r, err := c.Issues.CreateLabel(ctx, owner, name, &gh.Label{
				Name: gh.String(n), Color: gh.String(def.color), Description: gh.String(def.desc),
			})
			return r, err
		})
		if err != nil && !alreadyExists(err) {
			return t.wrap(err, fmt.Sprintf("create label %q in %s", n, repo), true)
		}
		t.log.Info("github label created", "repo", repo, "label", n)
		known[strings.ToLower(n)] = true
	}
	return nil
}

// milestone finds Config.Milestone in repo by title (listed once per
// tracker lifetime) or creates it.
func (t *Tracker) milestone(ctx context.Context, repo string) (int, error) {
	t.msMu.Lock()
	defer t.msMu.Unlock()
	if n, ok := t.miles[repo]; ok {
		return n, nil
	}
	want := t.mileName
	what := fmt.Sprintf("milestone %q in %s", want, repo)
	n, err := t.findMilestone(ctx, repo, want)
	if err != nil {
		return 0, t.wrap(err, "list "+what, true)
	}
	if n == 0 {
		owner, name, _ := splitRepo(repo)
		var m *gh.Milestone
		m, _, err = doValue(ctx, t, func(c *gh.Client) (*gh.Milestone, *gh.Response, error) {
			return c.Issues.CreateMilestone(ctx, owner, name, &gh.Milestone{Title: gh.String(want)})
		})
		switch {
		case err == nil:
			n = m.GetNumber()
			t.log.Info("github milestone created", "repo", repo, "milestone", want)
		case alreadyExists(err):
			// Created meanwhile by someone else: look again.
			if n, err = t.findMilestone(ctx, repo, want); err == nil && n == 0 {
				err = errors.New("reported as existing but not listed")
			}
		}
		if err != nil {
			return 0, t.wrap(err, "create "+what, true)
		}
	}
	t.miles[repo] = n
	return n, nil
}

// findMilestone returns the number of the milestone titled want (open or
// closed; an exact title first, else one differing only in case), 0 if none.
func (t *Tracker) findMilestone(ctx context.Context, repo, want string) (int, error) {
	owner, name, _ := splitRepo(repo)
	opts := &gh.MilestoneListOptions{State: "all", ListOptions: gh.ListOptions{PerPage: 100}}
	fold := 0
	for {
		page, resp, err := doValue(ctx, t, func(c *gh.Client) ([]*gh.Milestone, *gh.Response, error) {
			return c.Issues.ListMilestones(ctx, owner, name, opts)
		})
		if err != nil {
			return 0, err
		}
		for _, m := range page {
			if m.GetTitle() == want {
				return m.GetNumber(), nil
			}
			if fold == 0 && strings.EqualFold(m.GetTitle(), want) {
				fold = m.GetNumber()
			}
		}
		if resp.NextPage == 0 {
			return fold, nil
		}
		opts.Page = resp.NextPage
	}
}

// CloseDuplicate comments on dup where the kept ticket is, then closes it
// as a duplicate. The PATCH sets a state, so it is safe to repeat.
func (t *Tracker) CloseDuplicate(ctx context.Context, dup, keep ticket.Ticket) error {
	repo, num, ok := t.parseRef(dup.Ref)
	if !ok {
		return trackers.Permanent(fmt.Errorf("github %s: close duplicate: %q is not an issue of this tracker", t.name, refString(dup.Ref)))
	}
	owner, name, _ := splitRepo(repo)
	keepRef := keep.Ref.Text
	if keepRef == "" {
		keepRef = keep.Ref.URL
	}
	if keepRef == "" {
		return fmt.Errorf("github %s: close duplicate %s#%d: the ticket to keep has no reference", t.name, repo, num)
	}
	body := fmt.Sprintf("Closed by pmsync as a duplicate of %s (same postmortem item).", escapeInline(keepRef))
	what := fmt.Sprintf("close duplicate %s#%d", repo, num)
	if _, err := t.comment(ctx, owner, name, num, body, what); err != nil {
		return err
	}
	t.tr.Stats.Comments.Add(1)
	pctx := trackers.Idempotent(ctx)
	_, err := t.do(pctx, func(c *gh.Client) (*gh.Response, error) {
		_, r, err := c.Issues.Edit(pctx, owner, name, num, &gh.IssueRequest{
			State: gh.String("closed"), StateReason: gh.String("duplicate"),
		})
		return r, err
	})
	if err != nil {
		return t.wrap(err, what, false)
	}
	t.log.Info("github duplicate closed", "ticket", refString(dup.Ref), "kept", keepRef)
	return nil
}
