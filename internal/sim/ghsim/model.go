package ghsim

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Issue is a snapshot of one issue (or pull request) for tests.
type Issue struct {
	Number      int
	Title       string
	Body        string
	State       string // open, closed
	StateReason string // "", completed, not_planned, reopened, duplicate
	Labels      []string
	Assignees   []string
	Author      string
	Milestone   int // number; 0 for none
	Comments    []Comment
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time // zero while open
	PullRequest bool      // listed by the issues API, as GitHub does
}

// Comment is a snapshot of one issue comment.
type Comment struct {
	ID        int64
	Author    string
	Body      string
	CreatedAt time.Time
}

type repo struct {
	owner, name string
	id          int64
	created     time.Time
	issues      map[int]*issue
	next        int               // next issue number
	labels      map[string]*label // by lower-case name
	milestones  map[int]*milestone
	nextMS      int
}

type issue struct {
	id          int64
	number      int
	title, body string
	state       string
	stateReason string
	labels      []*label
	assignees   []string
	author      string
	milestone   *milestone
	comments    []*comment
	created     time.Time
	updated     time.Time
	closed      time.Time
	closedBy    string
	deleted     bool
	pr          bool
}

type comment struct {
	id      int64
	author  string
	body    string
	created time.Time
	updated time.Time
}

type label struct {
	id          int64
	name        string
	color       string
	description string
}

type milestone struct {
	id          int64
	number      int
	title       string
	description string
	state       string
	creator     string
	due         time.Time
	created     time.Time
	updated     time.Time
	closed      time.Time
}

func newRepo(owner, name string, id int64, now time.Time) *repo {
	return &repo{
		owner: owner, name: name, id: id, created: now.UTC().Truncate(time.Second),
		issues: map[int]*issue{}, next: 1, labels: map[string]*label{},
		milestones: map[int]*milestone{}, nextMS: 1,
	}
}

func (s *Server) nextID() int64 {
	s.seq++
	return s.seq
}

// repoLocked finds a repository; with Options.Repos unset it creates it.
func (s *Server) repoLocked(owner, name string, create bool) *repo {
	key := strings.ToLower(owner + "/" + name)
	if rp := s.repos[key]; rp != nil {
		return rp
	}
	if s.opts.Repos != nil || !create || !validLogin(owner) || name == "" {
		return nil
	}
	rp := newRepo(owner, name, s.nextID(), s.opts.Now())
	s.repos[key] = rp
	return rp
}

// labelLocked returns the repository's label by name (case-insensitive),
// creating it when create is set, as issue creation does on GitHub.
func (s *Server) labelLocked(rp *repo, name string, create bool) *label {
	if l := rp.labels[strings.ToLower(name)]; l != nil {
		return l
	}
	if !create {
		return nil
	}
	l := &label{id: s.nextID(), name: name, color: "ededed"}
	rp.labels[strings.ToLower(name)] = l
	return l
}

var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}(\[bot\])?$`)

func validLogin(login string) bool { return loginRE.MatchString(login) }

// userLocked returns the canonical login of an existing user.
func (s *Server) userLocked(login string) (string, bool) {
	if s.users == nil {
		return login, validLogin(login)
	}
	u, ok := s.users[strings.ToLower(login)]
	return u, ok
}

func (is *issue) snapshot() Issue {
	out := Issue{
		Number: is.number, Title: is.title, Body: is.body, State: is.state,
		StateReason: is.stateReason, Assignees: slices.Clone(is.assignees), Author: is.author,
		CreatedAt: is.created, UpdatedAt: is.updated, ClosedAt: is.closed, PullRequest: is.pr,
	}
	for _, l := range is.labels {
		out.Labels = append(out.Labels, l.name)
	}
	if is.milestone != nil {
		out.Milestone = is.milestone.number
	}
	for _, c := range is.comments {
		out.Comments = append(out.Comments, Comment{ID: c.id, Author: c.author, Body: c.body, CreatedAt: c.created})
	}
	return out
}

// Issues returns a snapshot of the repository's issues, by number;
// deleted issues are left out.
func (s *Server) Issues(owner, name string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[strings.ToLower(owner+"/"+name)]
	if rp == nil {
		return nil
	}
	var out []Issue
	for n := 1; n < rp.next; n++ {
		if is := rp.issues[n]; is != nil && !is.deleted {
			out = append(out, is.snapshot())
		}
	}
	return out
}

// Issue returns one issue; false when it does not exist or was deleted.
func (s *Server) Issue(owner, name string, number int) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[strings.ToLower(owner+"/"+name)]
	if rp == nil || rp.issues[number] == nil || rp.issues[number].deleted {
		return Issue{}, false
	}
	return rp.issues[number].snapshot(), true
}

// AddIssue stores an issue directly, as if created earlier (seed data):
// Number is assigned; zero times default to now; Author defaults to the
// default login; labels and milestone numbers must make sense but labels
// are created when missing. It returns the issue's number.
func (s *Server) AddIssue(owner, name string, in Issue) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repoLocked(owner, name, true)
	if rp == nil {
		return 0, fmt.Errorf("ghsim: no repository %s/%s", owner, name)
	}
	now := s.opts.Now().UTC().Truncate(time.Second)
	at := func(t time.Time) time.Time {
		if t.IsZero() {
			return now
		}
		return t.UTC().Truncate(time.Second)
	}
	is := &issue{
		id: s.nextID(), number: rp.next, title: in.Title, body: in.Body, state: "open",
		author: in.Author, assignees: slices.Clone(in.Assignees), pr: in.PullRequest,
		created: at(in.CreatedAt),
	}
	if is.author == "" {
		is.author = s.opts.Login
	}
	is.updated = is.created
	if !in.UpdatedAt.IsZero() {
		is.updated = at(in.UpdatedAt)
	}
	for _, l := range in.Labels {
		is.labels = append(is.labels, s.labelLocked(rp, l, true))
	}
	if in.Milestone != 0 {
		if is.milestone = rp.milestones[in.Milestone]; is.milestone == nil {
			return 0, fmt.Errorf("ghsim: no milestone %d in %s/%s", in.Milestone, owner, name)
		}
	}
	if in.State == "closed" {
		is.state, is.stateReason, is.closed, is.closedBy = "closed", in.StateReason, at(in.ClosedAt), is.author
		if is.stateReason == "" {
			is.stateReason = "completed"
		}
	}
	for _, c := range in.Comments {
		author := c.Author
		if author == "" {
			author = s.opts.Login
		}
		t := at(c.CreatedAt)
		is.comments = append(is.comments, &comment{id: s.nextID(), author: author, body: c.Body, created: t, updated: t})
	}
	rp.issues[is.number] = is
	rp.next++
	return is.number, nil
}

// Close closes an issue as a person would in the web UI; reason is
// completed (the default), not_planned or duplicate.
func (s *Server) Close(owner, name string, number int, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, err := s.issueLocked(owner, name, number)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "completed"
	}
	now := s.opts.Now().UTC().Truncate(time.Second)
	is.state, is.stateReason, is.closed, is.closedBy, is.updated = "closed", reason, now, s.opts.Login, now
	return nil
}

// Delete deletes an issue: it is no longer listed and GET answers 410.
func (s *Server) Delete(owner, name string, number int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, err := s.issueLocked(owner, name, number)
	if err != nil {
		return err
	}
	is.deleted = true
	return nil
}

func (s *Server) issueLocked(owner, name string, number int) (*issue, error) {
	rp := s.repos[strings.ToLower(owner+"/"+name)]
	if rp == nil || rp.issues[number] == nil || rp.issues[number].deleted {
		return nil, fmt.Errorf("ghsim: no issue %s/%s#%d", owner, name, number)
	}
	return rp.issues[number], nil
}

// JSON rendering: the shapes of GitHub's 2022-11-28 REST API.

const timeLayout = "2006-01-02T15:04:05Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func tsOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := ts(t)
	return &s
}

func userID(login string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(login)))
	return int64(h.Sum32()%90_000_000) + 1_000_000
}

func nodeID(prefix string, id int64) string {
	return prefix + base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "0:%d", id))
}

type userJSON struct {
	Login             string `json:"login"`
	ID                int64  `json:"id"`
	NodeID            string `json:"node_id"`
	AvatarURL         string `json:"avatar_url"`
	GravatarID        string `json:"gravatar_id"`
	URL               string `json:"url"`
	HTMLURL           string `json:"html_url"`
	FollowersURL      string `json:"followers_url"`
	FollowingURL      string `json:"following_url"`
	GistsURL          string `json:"gists_url"`
	StarredURL        string `json:"starred_url"`
	SubscriptionsURL  string `json:"subscriptions_url"`
	OrganizationsURL  string `json:"organizations_url"`
	ReposURL          string `json:"repos_url"`
	EventsURL         string `json:"events_url"`
	ReceivedEventsURL string `json:"received_events_url"`
	Type              string `json:"type"`
	UserViewType      string `json:"user_view_type"`
	SiteAdmin         bool   `json:"site_admin"`
}

func (s *Server) user(x *exchange, login string) *userJSON {
	id := userID(login)
	u := x.api + "/users/" + url.PathEscape(login)
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return &userJSON{
		Login: login, ID: id, NodeID: nodeID("U_kgDO", id),
		AvatarURL:  fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id),
		GravatarID: "", URL: u, HTMLURL: s.opts.HTMLBase + "/" + url.PathEscape(login),
		FollowersURL: u + "/followers", FollowingURL: u + "/following{/other_user}",
		GistsURL: u + "/gists{/gist_id}", StarredURL: u + "/starred{/owner}{/repo}",
		SubscriptionsURL: u + "/subscriptions", OrganizationsURL: u + "/orgs",
		ReposURL: u + "/repos", EventsURL: u + "/events{/privacy}",
		ReceivedEventsURL: u + "/received_events", Type: typ, UserViewType: "public",
	}
}

type labelJSON struct {
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	URL         string  `json:"url"`
	Name        string  `json:"name"`
	Color       string  `json:"color"`
	Default     bool    `json:"default"`
	Description *string `json:"description"`
}

func (rp *repo) apiURL(x *exchange) string {
	return x.api + "/repos/" + url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name)
}

func (rp *repo) htmlURL(s *Server) string {
	return s.opts.HTMLBase + "/" + url.PathEscape(rp.owner) + "/" + url.PathEscape(rp.name)
}

func (l *label) json(x *exchange, rp *repo) labelJSON {
	var desc *string
	if l.description != "" {
		d := l.description
		desc = &d
	}
	return labelJSON{
		ID: l.id, NodeID: nodeID("LA_kwDO", l.id), URL: rp.apiURL(x) + "/labels/" + url.PathEscape(l.name),
		Name: l.name, Color: l.color, Description: desc,
	}
}

type milestoneJSON struct {
	URL          string    `json:"url"`
	HTMLURL      string    `json:"html_url"`
	LabelsURL    string    `json:"labels_url"`
	ID           int64     `json:"id"`
	NodeID       string    `json:"node_id"`
	Number       int       `json:"number"`
	Title        string    `json:"title"`
	Description  *string   `json:"description"`
	Creator      *userJSON `json:"creator"`
	OpenIssues   int       `json:"open_issues"`
	ClosedIssues int       `json:"closed_issues"`
	State        string    `json:"state"`
	CreatedAt    string    `json:"created_at"`
	UpdatedAt    string    `json:"updated_at"`
	DueOn        *string   `json:"due_on"`
	ClosedAt     *string   `json:"closed_at"`
}

func (s *Server) milestoneJSON(x *exchange, rp *repo, m *milestone) *milestoneJSON {
	var desc *string
	if m.description != "" {
		d := m.description
		desc = &d
	}
	u := rp.apiURL(x) + fmt.Sprintf("/milestones/%d", m.number)
	out := &milestoneJSON{
		URL: u, HTMLURL: rp.htmlURL(s) + fmt.Sprintf("/milestone/%d", m.number), LabelsURL: u + "/labels",
		ID: m.id, NodeID: nodeID("MI_kwDO", m.id), Number: m.number, Title: m.title, Description: desc,
		Creator: s.user(x, m.creator), State: m.state, CreatedAt: ts(m.created), UpdatedAt: ts(m.updated),
		DueOn: tsOrNil(m.due), ClosedAt: tsOrNil(m.closed),
	}
	for _, is := range rp.issues {
		if is.milestone == m && !is.deleted {
			if is.state == "open" {
				out.OpenIssues++
			} else {
				out.ClosedIssues++
			}
		}
	}
	return out
}

type reactionsJSON struct {
	URL        string `json:"url"`
	TotalCount int    `json:"total_count"`
	PlusOne    int    `json:"+1"`
	MinusOne   int    `json:"-1"`
	Laugh      int    `json:"laugh"`
	Hooray     int    `json:"hooray"`
	Confused   int    `json:"confused"`
	Heart      int    `json:"heart"`
	Rocket     int    `json:"rocket"`
	Eyes       int    `json:"eyes"`
}

type pullRequestRef struct {
	URL      string  `json:"url"`
	HTMLURL  string  `json:"html_url"`
	DiffURL  string  `json:"diff_url"`
	PatchURL string  `json:"patch_url"`
	MergedAt *string `json:"merged_at"`
}

type subIssuesJSON struct {
	Total            int `json:"total"`
	Completed        int `json:"completed"`
	PercentCompleted int `json:"percent_completed"`
}

type issueJSON struct {
	URL                   string          `json:"url"`
	RepositoryURL         string          `json:"repository_url"`
	LabelsURL             string          `json:"labels_url"`
	CommentsURL           string          `json:"comments_url"`
	EventsURL             string          `json:"events_url"`
	HTMLURL               string          `json:"html_url"`
	ID                    int64           `json:"id"`
	NodeID                string          `json:"node_id"`
	Number                int             `json:"number"`
	Title                 string          `json:"title"`
	User                  *userJSON       `json:"user"`
	Labels                []labelJSON     `json:"labels"`
	State                 string          `json:"state"`
	Locked                bool            `json:"locked"`
	Assignee              *userJSON       `json:"assignee"`
	Assignees             []*userJSON     `json:"assignees"`
	Milestone             *milestoneJSON  `json:"milestone"`
	Comments              int             `json:"comments"`
	CreatedAt             string          `json:"created_at"`
	UpdatedAt             string          `json:"updated_at"`
	ClosedAt              *string         `json:"closed_at"`
	AuthorAssociation     string          `json:"author_association"`
	ActiveLockReason      *string         `json:"active_lock_reason"`
	PullRequest           *pullRequestRef `json:"pull_request,omitempty"`
	Body                  *string         `json:"body"`
	ClosedBy              *userJSON       `json:"closed_by,omitempty"`
	Reactions             reactionsJSON   `json:"reactions"`
	TimelineURL           string          `json:"timeline_url"`
	PerformedViaGitHubApp *struct{}       `json:"performed_via_github_app"`
	StateReason           *string         `json:"state_reason"`
	SubIssuesSummary      subIssuesJSON   `json:"sub_issues_summary"`
}

// issueJSON renders an issue; single says whether it is the answer for
// one issue, which alone carries closed_by on GitHub.
func (s *Server) issueJSON(x *exchange, rp *repo, is *issue, single bool) *issueJSON {
	u := rp.apiURL(x) + fmt.Sprintf("/issues/%d", is.number)
	kind := "issues"
	if is.pr {
		kind = "pull"
	}
	out := &issueJSON{
		URL: u, RepositoryURL: rp.apiURL(x), LabelsURL: u + "/labels{/name}", CommentsURL: u + "/comments",
		EventsURL: u + "/events", HTMLURL: rp.htmlURL(s) + fmt.Sprintf("/%s/%d", kind, is.number),
		ID: is.id, NodeID: nodeID("I_kwDO", is.id), Number: is.number, Title: is.title,
		User: s.user(x, is.author), Labels: []labelJSON{}, State: is.state, Assignees: []*userJSON{},
		Comments: len(is.comments), CreatedAt: ts(is.created), UpdatedAt: ts(is.updated),
		ClosedAt: tsOrNil(is.closed), AuthorAssociation: s.association(rp, is.author),
		Reactions:   reactionsJSON{URL: u + "/reactions"},
		TimelineURL: u + "/timeline",
	}
	for _, l := range is.labels {
		out.Labels = append(out.Labels, l.json(x, rp))
	}
	for _, a := range is.assignees {
		out.Assignees = append(out.Assignees, s.user(x, a))
	}
	if len(out.Assignees) > 0 {
		out.Assignee = out.Assignees[0]
	}
	if is.milestone != nil {
		out.Milestone = s.milestoneJSON(x, rp, is.milestone)
	}
	if is.body != "" {
		b := is.body
		out.Body = &b
	}
	if is.stateReason != "" {
		r := is.stateReason
		out.StateReason = &r
	}
	if single && is.closedBy != "" {
		out.ClosedBy = s.user(x, is.closedBy)
	}
	if is.pr {
		pu := rp.apiURL(x) + fmt.Sprintf("/pulls/%d", is.number)
		h := rp.htmlURL(s) + fmt.Sprintf("/pull/%d", is.number)
		out.PullRequest = &pullRequestRef{URL: pu, HTMLURL: h, DiffURL: h + ".diff", PatchURL: h + ".patch"}
	}
	return out
}

// association is the author's relation to the repository: every user of
// the simulator may push, so they are collaborators unless they own it.
func (s *Server) association(rp *repo, login string) string {
	if strings.EqualFold(login, rp.owner) {
		return "OWNER"
	}
	return "COLLABORATOR"
}

type commentJSON struct {
	URL               string        `json:"url"`
	HTMLURL           string        `json:"html_url"`
	IssueURL          string        `json:"issue_url"`
	ID                int64         `json:"id"`
	NodeID            string        `json:"node_id"`
	User              *userJSON     `json:"user"`
	CreatedAt         string        `json:"created_at"`
	UpdatedAt         string        `json:"updated_at"`
	AuthorAssociation string        `json:"author_association"`
	Body              string        `json:"body"`
	Reactions         reactionsJSON `json:"reactions"`
	PerformedVia      *struct{}     `json:"performed_via_github_app"`
}

func (s *Server) commentJSON(x *exchange, rp *repo, is *issue, c *comment) *commentJSON {
	u := rp.apiURL(x) + fmt.Sprintf("/issues/comments/%d", c.id)
	return &commentJSON{
		URL: u, HTMLURL: rp.htmlURL(s) + fmt.Sprintf("/issues/%d#issuecomment-%d", is.number, c.id),
		IssueURL: rp.apiURL(x) + fmt.Sprintf("/issues/%d", is.number), ID: c.id,
		NodeID: nodeID("IC_kwDO", c.id), User: s.user(x, c.author), CreatedAt: ts(c.created),
		UpdatedAt: ts(c.updated), AuthorAssociation: s.association(rp, c.author), Body: c.body,
		Reactions: reactionsJSON{URL: u + "/reactions"},
	}
}
