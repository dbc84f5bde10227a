package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Labels pmsync puts on its issues (SPEC §4.1).
const (
	labelPostmortem = "postmortem"
	labelAction     = "action-item"
	labelFactor     = "contributing-factor"
	labelNeedsOwner = "needs-owner"
)

var refTextRE = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.-]+)#([1-9][0-9]{0,9})$`)

// Recognize accepts issue URLs on this tracker's web host and "owner/repo#N".
// A bare "#N" is refused: the document may mean another repo.
func (t *Tracker) Recognize(ref ticket.Ref) (ticket.Target, bool) {
	repo, _, ok := t.parseRef(ref)
	if !ok {
		return ticket.Target{}, false
	}
	return ticket.Target{Tracker: t.name, Repo: repo}, true
}

// parseRef reads a ref's repo and issue number. When the ref has a URL,
// the URL decides.
func (t *Tracker) parseRef(ref ticket.Ref) (repo string, num int, ok bool) {
	if ref.URL != "" {
		u, err := url.Parse(strings.TrimSpace(ref.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !t.webHost(u.Host) {
			return "", 0, false
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) != 4 || parts[2] != "issues" {
			return "", 0, false
		}
		repo = parts[0] + "/" + parts[1]
		if _, _, err := splitRepo(repo); err != nil {
			return "", 0, false
		}
		n, err := strconv.Atoi(parts[3])
		if err != nil || n <= 0 {
			return "", 0, false
		}
		return repo, n, true
	}
	m := refTextRE.FindStringSubmatch(strings.TrimSpace(ref.Text))
	if m == nil {
		return "", 0, false
	}
	if _, _, err := splitRepo(m[1]); err != nil {
		return "", 0, false
	}
	n, _ := strconv.Atoi(m[2])
	return m[1], n, true
}

func (t *Tracker) webHost(host string) bool {
	h := strings.ToLower(host)
	w := strings.ToLower(t.web.Host)
	return h == w || h == "www."+w || h == strings.ToLower(t.base.Host)
}

// canonicalRef is the ref pmsync writes for an issue it could not read.
func (t *Tracker) canonicalRef(repo string, num int) ticket.Ref {
	return ticket.Ref{
		Text: fmt.Sprintf("%s#%d", repo, num),
		URL:  t.web.JoinPath(repo, "issues", strconv.Itoa(num)).String(),
	}
}

func (t *Tracker) target(target ticket.Target) (string, error) {
	repo := target.Repo
	if repo == "" {
		repo = t.repo
	}
	if repo == "" {
		return "", trackers.Permanent(fmt.Errorf("github %s: no repo: set trackers.%s.repo or the route's repo", t.name, t.name))
	}
	if _, _, err := splitRepo(repo); err != nil {
		return "", trackers.Permanent(fmt.Errorf("github %s: %w", t.name, err))
	}
	return repo, nil
}

// Find lists the repo's postmortem-labelled issues (never the eventually
// consistent search API), oldest update first, following the Link header.
func (t *Tracker) Find(ctx context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error) {
	return t.list(ctx, target, since, true)
}

// FindChanged lists every issue of the repo updated at or after since,
// labelled or not, marked or not (trackers.ChangeLister): one listing
// that also shows the tickets documents adopted. since must not be zero.
func (t *Tracker) FindChanged(ctx context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error) {
	if since.IsZero() {
		return nil, trackers.Permanent(fmt.Errorf("github %s: FindChanged needs a since (a whole repo is not listed)", t.name))
	}
	return t.list(ctx, target, since, false)
}

// list pages through the repo's issues updated since (all when zero):
// with labelled, those labelled postmortem that carry a marker; without,
// every issue.
func (t *Tracker) list(ctx context.Context, target ticket.Target, since time.Time, labelled bool) ([]ticket.Ticket, error) {
	repo, err := t.target(target)
	if err != nil {
		return nil, err
	}
	owner, name, _ := splitRepo(repo)
	opts := &gh.IssueListByRepoOptions{
		State:       "all",
		Sort:        "updated",
		Direction:   "asc",
		ListOptions: gh.ListOptions{PerPage: 100},
	}
	if labelled {
		opts.Labels = []string{labelPostmortem}
	}
	if !since.IsZero() {
		opts.Since = since.UTC()
	}
	what := "list issues in " + repo
	page, resp, err := doValue(ctx, t, func(c *gh.Client) ([]*gh.Issue, *gh.Response, error) {
		return c.Issues.ListByRepo(ctx, owner, name, opts)
	})
	if err != nil {
		return nil, t.wrap(err, what, true)
	}
	// An issue updated while we page moves to the end and may be seen
	// twice: keep its last version.
	index := map[int]int{}
	var out []ticket.Ticket
	for {
		for _, is := range page {
			if is.IsPullRequest() {
				continue
			}
			tk, err := t.ticketFrom(repo, is)
			switch {
			case err == nil:
			case !errors.Is(err, ticket.ErrNoMarker):
				t.log.Warn("github issue has a malformed pmsync marker; skipped", "ticket", is.GetHTMLURL(), "err", err)
				continue
			case labelled:
				continue
			}
			if i, seen := index[is.GetNumber()]; seen {
				out[i] = tk
				continue
			}
			index[is.GetNumber()] = len(out)
			out = append(out, tk)
		}
		next := nextLink(resp)
		if next == "" {
			return out, nil
		}
		if err := t.sameHost(next); err != nil {
			return nil, fmt.Errorf("github %s: %s: %w", t.name, what, err)
		}
		page = nil
		resp, err = t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
			req, err := c.NewRequest(http.MethodGet, next, nil)
			if err != nil {
				return nil, err
			}
			page = nil
			return c.Do(ctx, req, &page)
		})
		if err != nil {
			return nil, t.wrap(err, what, true)
		}
	}
}

// sameHost keeps credentials on the API host whatever a Link says.
func (t *Tracker) sameHost(link string) error {
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Host, t.base.Host) || u.Scheme != t.base.Scheme {
		return fmt.Errorf("pagination link %q leaves %s", link, t.base.Host)
	}
	return nil
}

var linkRE = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="?next"?`)

// nextLink is the rel="next" URL of a response's Link header.
func nextLink(resp *gh.Response) string {
	if resp == nil || resp.Response == nil {
		return ""
	}
	for _, l := range resp.Header.Values("Link") {
		for _, part := range strings.Split(l, ",") {
			if m := linkRE.FindStringSubmatch(part); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// Get reads tickets one GET each (REST has no batch read), in the order
// of refs. 404 and 410 are StateMissing. A ref that fails is left out and
// its error joined into the returned error; the others are returned.
func (t *Tracker) Get(ctx context.Context, refs []ticket.Ref) ([]ticket.Ticket, error) {
	out := make([]ticket.Ticket, 0, len(refs))
	var errs []error
	for _, ref := range refs {
		if err := ctx.Err(); err != nil {
			return out, errors.Join(append(errs, err)...)
		}
		tk, err := t.get(ctx, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, tk)
	}
	return out, errors.Join(errs...)
}

func (t *Tracker) get(ctx context.Context, ref ticket.Ref) (ticket.Ticket, error) {
	repo, num, ok := t.parseRef(ref)
	if !ok {
		return ticket.Ticket{}, trackers.Permanent(fmt.Errorf("github %s: %q is not an issue of this tracker", t.name, refString(ref)))
	}
	is, err := t.getIssue(ctx, repo, num)
	what := fmt.Sprintf("get issue %s#%d", repo, num)
	switch code := statusOf(err); {
	case code == http.StatusNotFound:
		// Tell a deleted issue from a repo the token cannot see: the
		// latter would mark every ticket of the repo missing.
		if rerr := t.checkRepo(ctx, repo); rerr != nil {
			return ticket.Ticket{}, rerr
		}
		fallthrough
	case code == http.StatusGone:
		return ticket.Ticket{
			Target: ticket.Target{Tracker: t.name, Repo: repo},
			Ref:    t.canonicalRef(repo, num),
			Status: ticket.Status{State: ticket.StateMissing},
		}, nil
	case err != nil:
		return ticket.Ticket{}, t.wrap(err, what, false)
	}
	tk, merr := t.ticketFrom(repo, is)
	if merr != nil && !errors.Is(merr, ticket.ErrNoMarker) {
		t.log.Warn("github issue has a malformed pmsync marker", "ticket", is.GetHTMLURL(), "err", merr)
	}
	return tk, nil
}

// getIssue is one GET of an issue.
func (t *Tracker) getIssue(ctx context.Context, repo string, num int) (*gh.Issue, error) {
	owner, name, _ := splitRepo(repo)
	is, _, err := doValue(ctx, t, func(c *gh.Client) (*gh.Issue, *gh.Response, error) {
		return c.Issues.Get(ctx, owner, name, num)
	})
	return is, err
}

// checkRepo is a GET of the repo, once per repo per tracker lifetime; it
// runs only after an issue answered 404.
func (t *Tracker) checkRepo(ctx context.Context, repo string) error {
	t.repoMu.Lock()
	defer t.repoMu.Unlock()
	if err, done := t.repoSeen[repo]; done {
		return err
	}
	owner, name, _ := splitRepo(repo)
	_, err := t.do(ctx, func(c *gh.Client) (*gh.Response, error) {
		_, r, err := c.Repositories.Get(ctx, owner, name)
		return r, err
	})
	if err != nil {
		err = t.wrap(err, "get repo "+repo, true)
		if !errors.Is(err, trackers.ErrPermanent) {
			return err // transient: ask again next time
		}
	}
	t.repoSeen[repo] = err
	return err
}

func refString(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Text
}

// ticketFrom maps an issue. The ticket is returned even when the marker
// is missing or malformed (HasMarker false); err says why.
func (t *Tracker) ticketFrom(repo string, is *gh.Issue) (ticket.Ticket, error) {
	if r := repoOfHTML(is.GetHTMLURL()); r != "" {
		repo = r // a transferred issue answers from its new repo
	}
	tk := ticket.Ticket{
		Target:  ticket.Target{Tracker: t.name, Repo: repo},
		Ref:     ticket.Ref{Text: fmt.Sprintf("%s#%d", repo, is.GetNumber()), URL: is.GetHTMLURL()},
		Title:   is.GetTitle(),
		Status:  issueStatus(is),
		Created: is.GetCreatedAt().Time,
		Updated: is.GetUpdatedAt().Time,
		Author:  is.GetUser().GetLogin(),
		Due:     dueFromBody(is.GetBody()),
	}
	for _, l := range is.Labels {
		tk.Labels = append(tk.Labels, l.GetName())
	}
	if len(is.Assignees) > 0 {
		tk.Assignee = is.Assignees[0].GetLogin()
	} else if is.Assignee != nil {
		tk.Assignee = is.Assignee.GetLogin()
	}
	m, err := ticket.ParseMarker(is.GetBody())
	if err != nil {
		return tk, err
	}
	tk.Marker, tk.HasMarker = m, true
	return tk, nil
}

// repoOfHTML reads owner/repo from https://host/owner/repo/issues/N.
func repoOfHTML(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 4 || parts[len(parts)-2] != "issues" {
		return ""
	}
	return parts[len(parts)-4] + "/" + parts[len(parts)-3]
}

// issueStatus maps an issue's state (SPEC §4.2). GitHub has no "in
// progress"; a closed issue without a reason is completed.
func issueStatus(is *gh.Issue) ticket.Status {
	if is.GetState() != "closed" {
		return ticket.Status{State: ticket.StateOpen}
	}
	switch is.GetStateReason() {
	case "not_planned", "duplicate":
		return ticket.Status{State: ticket.StateWontDo}
	}
	st := ticket.Status{State: ticket.StateDone}
	if c := is.GetClosedAt().Time; !c.IsZero() {
		c = c.UTC()
		st.Done = time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, time.UTC)
	}
	return st
}

var dueRE = regexp.MustCompile(`(?m)^- \*\*Due:\*\* (\d{4}-\d{2}-\d{2})\s*$`)

// dueFromBody reads the due date pmsync wrote into the body, so an edit of
// it in GitHub shows up as drift.
func dueFromBody(body string) time.Time {
	m := dueRE.FindStringSubmatch(body)
	if m == nil {
		return time.Time{}
	}
	d, err := time.Parse(ticket.DateLayout, m[1])
	if err != nil {
		return time.Time{}
	}
	return d
}
