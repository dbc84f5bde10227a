package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var (
	projectRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	keyRE     = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)-([1-9][0-9]{0,11})$`)
)

// searchFields are the fields pmsync reads of an issue.
var searchFields = []string{
	"summary", "status", "resolution", "resolutiondate", "created", "updated", "duedate",
	"assignee", "creator", "reporter", "description", "labels",
}

// Recognize accepts browse URLs on this tracker's web (or API) host,
// https://acme.atlassian.net/browse/OPS-12, for any project; and a bare
// key "OPS-12" only when its project is the tracker's configured
// project. A bare key names no Jira site and many texts look like keys
// (SEV-1, CVE-2021, another Jira's OPS-12); the configured project is
// the one case where the document can only mean this tracker. The rule
// is fixed, not learned from earlier calls, so every run decides alike.
func (t *Tracker) Recognize(ref ticket.Ref) (ticket.Target, bool) {
	key, ok := t.parseRef(ref, true)
	if !ok {
		return ticket.Target{}, false
	}
	return ticket.Target{Tracker: t.name, Project: projectOf(key)}, true
}

// parseRef reads an issue key from a ref. When the ref has a URL, the
// URL decides. strict limits bare keys to the configured project.
func (t *Tracker) parseRef(ref ticket.Ref, strict bool) (string, bool) {
	if raw := strings.TrimSpace(ref.URL); raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || !t.ourHost(u.Host) {
			return "", false
		}
		p := u.Path
		for _, base := range []string{t.web().Path, t.base.Path, "/"} {
			if rest, found := strings.CutPrefix(p, base+"browse/"); found {
				key := strings.ToUpper(strings.TrimSuffix(rest, "/"))
				if keyRE.MatchString(key) {
					return key, true
				}
				return "", false
			}
		}
		return "", false
	}
	key := strings.TrimSpace(ref.Text)
	if !keyRE.MatchString(key) {
		return "", false
	}
	if strict && (t.project == "" || projectOf(key) != t.project) {
		return "", false
	}
	return key, true
}

func projectOf(key string) string {
	if i := strings.LastIndexByte(key, '-'); i > 0 {
		return key[:i]
	}
	return ""
}

// web is where issues are shown, as far as known without a call.
func (t *Tracker) web() *url.URL {
	t.infoMu.Lock()
	defer t.infoMu.Unlock()
	if t.info != nil {
		return t.info.web
	}
	return t.webOr(t.webCfg)
}

func (t *Tracker) ourHost(host string) bool {
	h := strings.ToLower(host)
	return h == strings.ToLower(t.web().Host) || h == strings.ToLower(t.base.Host)
}

// refOf is the reference pmsync writes for an issue.
func (t *Tracker) refOf(key string) ticket.Ref {
	return ticket.Ref{Text: key, URL: t.web().String() + "browse/" + key}
}

func (t *Tracker) target(target ticket.Target) (string, error) {
	p := target.Project
	if p == "" {
		p = t.project
	}
	if p == "" {
		return "", trackers.Permanent(fmt.Errorf("jira %s: no project: set trackers.%s.project or the route's project", t.name, t.name))
	}
	if !projectRE.MatchString(p) {
		return "", trackers.Permanent(fmt.Errorf("jira %s: %q is not a Jira project key (e.g. OPS)", t.name, p))
	}
	return p, nil
}

// Find lists the project's postmortem-labelled issues by JQL, oldest key
// first, all pages; since narrows it to issues updated since then (see
// findJQL). Issues without a marker are left out.
func (t *Tracker) Find(ctx context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error) {
	return t.list(ctx, target, since, true)
}

// FindChanged finds every issue of the project updated at or after
// since, labelled or not, marked or not (trackers.ChangeLister): one
// search that also shows the tickets documents adopted. since must not
// be zero.
func (t *Tracker) FindChanged(ctx context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error) {
	if since.IsZero() {
		return nil, trackers.Permanent(fmt.Errorf("jira %s: FindChanged needs a since (a whole project is not searched)", t.name))
	}
	return t.list(ctx, target, since, false)
}

func (t *Tracker) list(ctx context.Context, target ticket.Target, since time.Time, labelled bool) ([]ticket.Ticket, error) {
	project, err := t.target(target)
	if err != nil {
		return nil, err
	}
	info, err := t.server(ctx)
	if err != nil {
		return nil, err
	}
	what := "find issues in " + project
	// An issue updated while we page may be seen twice: keep its last version.
	index := map[string]int{}
	var out []ticket.Ticket
	err = t.search(ctx, info, findJQL(project, since, t.clock.Now(), labelled), false, t.reconcile(project, nil), func(page []jira.Issue) {
		for _, is := range page {
			tk, err := t.ticketFrom(info, is)
			switch {
			case err == nil:
			case !errors.Is(err, ticket.ErrNoMarker):
				t.log.Warn("jira issue has a malformed pmsync marker; skipped", "ticket", is.Key, "err", err)
				continue
			case labelled:
				continue
			}
			if i, seen := index[is.Key]; seen {
				out[i] = tk
				continue
			}
			index[is.Key] = len(out)
			out = append(out, tk)
		}
	})
	if err != nil {
		return nil, t.wrap(err, what, project)
	}
	return out, nil
}

// search runs jql over all pages, 100 issues a page: on Cloud by
// /rest/api/2/search/jql (nextPageToken; the old /search answers 410
// there), on Data Center by /rest/api/2/search (startAt). lenient asks
// Data Center to warn, not fail, about keys that do not exist. Cloud's
// search reads an index that lags writes by seconds; reconcile lists
// ids (at most 50) it must show as they are: the issues this tracker
// created, so a Find or Get right after a create sees them.
func (t *Tracker) search(ctx context.Context, info *serverInfo, jql string, lenient bool, reconcile []int, each func([]jira.Issue)) error {
	if info.cloud {
		opts := &jira.SearchOptionsV2{MaxResults: pageSize, Fields: searchFields}
		seen := map[string]bool{}
		for {
			var (
				issues []jira.Issue
				last   bool
				next   string
				err    error
			)
			if len(reconcile) == 0 {
				var resp *jira.Response
				issues, resp, err = t.client.Issue.SearchV2JQLWithContext(ctx, jql, opts)
				err = sdkErr(resp, err)
				if resp != nil {
					last, next = resp.IsLast, resp.NextPageToken
				}
			} else {
				issues, last, next, err = t.searchReconciled(ctx, jql, opts.NextPageToken, reconcile)
			}
			if err != nil {
				return err
			}
			each(issues)
			if last || next == "" {
				return nil
			}
			if seen[next] {
				return errors.New("search paging does not advance (nextPageToken repeated)")
			}
			seen[next] = true
			opts.NextPageToken = next
		}
	}
	opts := &jira.SearchOptions{MaxResults: pageSize, Fields: searchFields}
	if lenient {
		opts.ValidateQuery = "warn"
	}
	for {
		issues, resp, err := t.client.Issue.SearchWithContext(ctx, jql, opts)
		if err != nil {
			return sdkErr(resp, err)
		}
		each(issues)
		opts.StartAt += len(issues)
		if len(issues) == 0 || resp == nil || opts.StartAt >= resp.Total {
			return nil
		}
	}
}

// Get reads tickets by key, 100 keys a JQL query (key in (...)), in the
// order of refs. A key Jira does not return is StateMissing, once its
// project has been seen to exist (else the account may just have lost
// access, and every ticket would look deleted). A ref that fails is left
// out and its error joined into the returned error; the others are
// returned. An issue moved to another key is found by its old key, but
// comes back under its new one, so it reads as Missing.
func (t *Tracker) Get(ctx context.Context, refs []ticket.Ref) ([]ticket.Ticket, error) {
	var errs []error
	keys := make([]string, len(refs))
	var uniq []string
	seen := map[string]bool{}
	for i, ref := range refs {
		key, ok := t.parseRef(ref, false)
		if !ok {
			errs = append(errs, trackers.Permanent(fmt.Errorf("jira %s: %q is not an issue of this tracker", t.name, refString(ref))))
			continue
		}
		keys[i] = key
		if !seen[key] {
			seen[key] = true
			uniq = append(uniq, key)
		}
	}
	if len(uniq) == 0 {
		return nil, errors.Join(errs...)
	}
	info, err := t.server(ctx)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	found := map[string]ticket.Ticket{}
	failed := map[string]bool{}
	for start := 0; start < len(uniq); start += pageSize {
		batch := uniq[start:min(start+pageSize, len(uniq))]
		if err := t.getBatch(ctx, info, batch, found); err != nil {
			errs = append(errs, err)
			for _, k := range batch {
				failed[k] = true
			}
		}
	}
	out := make([]ticket.Ticket, 0, len(refs))
	reported := map[string]bool{}
	for _, key := range keys {
		if key == "" || failed[key] {
			continue
		}
		if tk, ok := found[key]; ok {
			out = append(out, tk)
			continue
		}
		project := projectOf(key)
		if perr := t.checkProject(ctx, info, project); perr != nil {
			if !reported[project] {
				reported[project] = true
				errs = append(errs, perr)
			}
			continue
		}
		out = append(out, ticket.Ticket{
			Target: ticket.Target{Tracker: t.name, Project: project},
			Ref:    t.refOf(key),
			Status: ticket.Status{State: ticket.StateMissing},
		})
	}
	return out, errors.Join(errs...)
}

// getBatch fetches one batch of keys into found. Jira Cloud answers 400
// for the whole query when a key does not exist ("An issue with key
// 'OPS-9' does not exist for field 'key'."): the keys it names are left
// out and the query is sent again without them.
func (t *Tracker) getBatch(ctx context.Context, info *serverInfo, batch []string, found map[string]ticket.Ticket) error {
	batch = append([]string(nil), batch...)
	for len(batch) > 0 {
		var got []ticket.Ticket
		err := t.search(ctx, info, keysJQL(batch), true, t.reconcile("", batch), func(page []jira.Issue) {
			for _, is := range page {
				tk, merr := t.ticketFrom(info, is)
				if merr != nil && !errors.Is(merr, ticket.ErrNoMarker) {
					t.log.Warn("jira issue has a malformed pmsync marker", "ticket", is.Key, "err", merr)
				}
				got = append(got, tk)
			}
		})
		if err == nil {
			for _, tk := range got {
				found[tk.Ref.Text] = tk
			}
			return nil
		}
		named := namedKeys(err, batch)
		if len(named) == 0 {
			return t.wrap(err, "get issues "+strings.Join(batch, ", "), "")
		}
		batch = without(batch, named)
	}
	return nil
}

var quotedRE = regexp.MustCompile(`'([^']{1,64})'|"([^"]{1,64})"`)

// namedKeys are the keys of batch a 400's messages quote.
func namedKeys(err error, batch []string) map[string]bool {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return nil
	}
	in := map[string]bool{}
	for _, k := range batch {
		in[k] = true
	}
	named := map[string]bool{}
	for _, m := range ae.all() {
		for _, q := range quotedRE.FindAllStringSubmatch(m, -1) {
			k := strings.ToUpper(q[1] + q[2])
			if in[k] {
				named[k] = true
			}
		}
	}
	return named
}

func without(keys []string, drop map[string]bool) []string {
	var out []string
	for _, k := range keys {
		if !drop[k] {
			out = append(out, k)
		}
	}
	return out
}

// checkProject asks once per project and tracker lifetime whether the
// project exists and the account can browse it: a JQL query on it, which
// Jira refuses (400, "The value 'OPS' does not exist for the field
// 'project'") otherwise. It runs only when an issue was not returned.
func (t *Tracker) checkProject(ctx context.Context, info *serverInfo, project string) error {
	t.projMu.Lock()
	defer t.projMu.Unlock()
	if err, done := t.projSeen[project]; done {
		return err
	}
	var err error
	if info.cloud {
		_, resp, e := t.client.Issue.SearchV2JQLWithContext(ctx, "project = "+Quote(project), &jira.SearchOptionsV2{MaxResults: 1, Fields: []string{"id"}})
		err = sdkErr(resp, e)
	} else {
		_, resp, e := t.client.Issue.SearchWithContext(ctx, "project = "+Quote(project), &jira.SearchOptions{MaxResults: 1, Fields: []string{"id"}})
		err = sdkErr(resp, e)
	}
	if err != nil {
		err = t.wrap(err, "check project "+project, project)
		if !errors.Is(err, trackers.ErrPermanent) {
			return err // transient: ask again next time
		}
	}
	t.projSeen[project] = err
	return err
}

// searchReconciled is one page of GET /search/jql with reconcileIssues.
// go-jira joins the ids with commas into one value; the API declares an
// array parameter (reconcileIssues=1&reconcileIssues=2), sent here.
func (t *Tracker) searchReconciled(ctx context.Context, jql, token string, reconcile []int) (issues []jira.Issue, last bool, next string, err error) {
	q := url.Values{"jql": {jql}, "maxResults": {strconv.Itoa(pageSize)}, "fields": {strings.Join(searchFields, ",")}}
	if token != "" {
		q.Set("nextPageToken", token)
	}
	for _, id := range reconcile {
		q.Add("reconcileIssues", strconv.Itoa(id))
	}
	var page struct {
		Issues        []jira.Issue `json:"issues"`
		IsLast        bool         `json:"isLast"`
		NextPageToken string       `json:"nextPageToken"`
	}
	if err := t.call(ctx, http.MethodGet, "rest/api/2/search/jql", q, nil, &page); err != nil {
		return nil, false, "", err
	}
	return page.Issues, page.IsLast, page.NextPageToken, nil
}

// maxReconcile is Jira's limit on reconcileIssues.
const maxReconcile = 50

// remember notes an issue this tracker created, for reconcile.
func (t *Tracker) remember(key, id string) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return
	}
	t.createdMu.Lock()
	t.created = append(t.created, createdRef{key: key, id: n})
	t.createdMu.Unlock()
}

// reconcile lists the ids of the issues this tracker created, newest
// first, at most 50: those of project, or those among keys.
func (t *Tracker) reconcile(project string, keys []string) []int {
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	t.createdMu.Lock()
	defer t.createdMu.Unlock()
	var ids []int
	for i := len(t.created) - 1; i >= 0 && len(ids) < maxReconcile; i-- {
		c := t.created[i]
		if project != "" && projectOf(c.key) == project || want[c.key] {
			ids = append(ids, c.id)
		}
	}
	return ids
}

func refString(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Text
}

// ticketFrom maps an issue. The ticket is returned even when the marker
// is missing or malformed (HasMarker false); err says why.
func (t *Tracker) ticketFrom(info *serverInfo, is jira.Issue) (ticket.Ticket, error) {
	key := strings.ToUpper(is.Key)
	tk := ticket.Ticket{
		Target: ticket.Target{Tracker: t.name, Project: projectOf(key)},
		Ref:    t.refOf(key),
	}
	f := is.Fields
	if f == nil {
		tk.Status = ticket.Status{State: ticket.StateOpen}
		return tk, ticket.ErrNoMarker
	}
	tk.Title = f.Summary
	tk.Created = time.Time(f.Created)
	tk.Updated = time.Time(f.Updated)
	if d := time.Time(f.Duedate); !d.IsZero() {
		tk.Due = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	tk.Status = t.statusOf(f)
	tk.Labels = slices.Clone(f.Labels)
	tk.Assignee = account(info, f.Assignee)
	if tk.Author = account(info, f.Creator); tk.Author == "" {
		tk.Author = account(info, f.Reporter)
	}
	m, err := ticket.ParseMarker(f.Description)
	if err != nil {
		return tk, err
	}
	tk.Marker, tk.HasMarker = m, true
	return tk, nil
}

// account is a user as pmsync names them: the accountId on Cloud, the
// user name on Data Center.
func account(info *serverInfo, u *jira.User) string {
	if u == nil {
		return ""
	}
	if info.cloud && u.AccountID != "" {
		return u.AccountID
	}
	if u.Name != "" {
		return u.Name
	}
	if u.AccountID != "" {
		return u.AccountID
	}
	return u.Key
}

// statusOf maps an issue's status category and resolution (SPEC §4.2):
// new → Open, indeterminate → In progress, done → Done on the UTC date
// of resolutiondate (else of updated), unless the resolution is one of
// the Won't do ones.
func (t *Tracker) statusOf(f *jira.IssueFields) ticket.Status {
	cat := ""
	if f.Status != nil {
		cat = strings.ToLower(f.Status.StatusCategory.Key)
	}
	if cat == "" && f.Resolution != nil && f.Resolution.Name != "" {
		cat = "done" // a resolution without a known status: resolved
	}
	switch cat {
	case "indeterminate":
		return ticket.Status{State: ticket.StateInProgress}
	case "done":
	default: // "new", and "undefined" of odd workflows
		return ticket.Status{State: ticket.StateOpen}
	}
	if f.Resolution != nil && t.wontDo[strings.ToLower(strings.TrimSpace(f.Resolution.Name))] {
		return ticket.Status{State: ticket.StateWontDo}
	}
	d := time.Time(f.Resolutiondate)
	if d.IsZero() {
		d = time.Time(f.Updated)
	}
	st := ticket.Status{State: ticket.StateDone}
	if !d.IsZero() {
		d = d.UTC()
		st.Done = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	}
	return st
}
