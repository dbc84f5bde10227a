package ghsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const docPulls = "https://docs.github.com/rest/pulls/pulls"

// Pull is a snapshot of one pull request for tests.
type Pull struct {
	Number    int
	Title     string
	Body      string
	State     string // open, closed
	Head      string // branch name
	Base      string // branch name
	Author    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// pull is what a pull request adds to its issue. The simulator has no
// git data: it keeps branch names only.
type pull struct {
	head, base string
}

// Pulls returns the repository's pull requests by number.
func (s *Server) Pulls(owner, name string) []Pull {
	s.mu.Lock()
	defer s.mu.Unlock()
	rp := s.repos[strings.ToLower(owner+"/"+name)]
	if rp == nil {
		return nil
	}
	var out []Pull
	for _, is := range rp.issues {
		if pr := s.pulls[is]; pr != nil && !is.deleted {
			out = append(out, Pull{
				Number: is.number, Title: is.title, Body: is.body, State: is.state,
				Head: pr.head, Base: pr.base, Author: is.author, CreatedAt: is.created, UpdatedAt: is.updated,
			})
		}
	}
	slices.SortFunc(out, func(a, b Pull) int { return a.Number - b.Number })
	return out
}

// pullOf finds the request's pull request.
func (s *Server) pullOf(x *exchange, doc string) (*repo, *issue, *pull, reply, bool) {
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return nil, nil, nil, rep, false
	}
	n, err := strconv.Atoi(x.r.PathValue("number"))
	is := rp.issues[n]
	if err != nil || is == nil || is.deleted || s.pulls[is] == nil {
		return nil, nil, nil, notFound(doc), false
	}
	return rp, is, s.pulls[is], reply{}, true
}

// readPullText reads title and body, as create and update share them.
func readPullText(f fields, doc string) (title, body *string, rep reply, ok bool) {
	if f.has("title") && !f.null("title") {
		t, ok := f.str("title")
		if !ok {
			return nil, nil, notA(doc, "title", "a string", f["title"]), false
		}
		if utf8.RuneCountInString(t) > maxTitle {
			return nil, nil, validationFailed(doc, tooLong("PullRequest", "title", maxTitle)), false
		}
		title = &t
	}
	if f.has("body") && !f.null("body") {
		b, ok := f.str("body")
		if !ok {
			return nil, nil, notA(doc, "body", "a string", f["body"]), false
		}
		if utf8.RuneCountInString(b) > maxBody {
			return nil, nil, validationFailed(doc, tooLong("PullRequest", "body", maxBody)), false
		}
		body = &b
	}
	return title, body, reply{}, true
}

func (s *Server) createPull(x *exchange) reply {
	const doc = docPulls + "#create-a-pull-request"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	for _, k := range []string{"head", "base"} {
		if !f.has(k) || f.null(k) {
			return invalidRequest(doc, fmt.Sprintf("Invalid request.\n\n%q wasn't supplied.", k))
		}
	}
	head, ok1 := f.str("head")
	base, ok2 := f.str("base")
	if !ok1 || !ok2 {
		return invalidRequest(doc, "Invalid request.\n\nFor 'properties/head' and 'properties/base', strings are expected.")
	}
	if o, b, found := strings.Cut(head, ":"); found {
		if !strings.EqualFold(o, rp.owner) {
			return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "invalid", Field: "head"})
		}
		head = b
	}
	title, body, rep, ok := readPullText(f, doc)
	if !ok {
		return rep
	}
	if title == nil || strings.TrimSpace(*title) == "" {
		return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "missing_field", Field: "title"})
	}
	if head == "" || base == "" || head == base {
		return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "invalid", Field: "head"})
	}
	for is, pr := range s.pulls {
		if s.repoHas(rp, is) && is.state == "open" && pr.head == head && pr.base == base {
			return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "custom",
				Message: fmt.Sprintf("A pull request already exists for %s:%s.", rp.owner, head)})
		}
	}
	is := &issue{
		id: s.nextID(), number: rp.next, title: *title, state: "open", author: x.login,
		created: x.now, updated: x.now, assignees: []string{}, pr: true,
	}
	if body != nil {
		is.body = *body
	}
	rp.issues[is.number] = is
	rp.next++
	if s.pulls == nil {
		s.pulls = map[*issue]*pull{}
	}
	s.pulls[is] = &pull{head: head, base: base}
	out := s.pullJSON(x, rp, is, s.pulls[is])
	return reply{status: http.StatusCreated, body: out, header: http.Header{"Location": {out.URL}}}
}

func (s *Server) repoHas(rp *repo, is *issue) bool { return rp.issues[is.number] == is }

func (s *Server) getPull(x *exchange) reply {
	rp, is, pr, rep, ok := s.pullOf(x, docPulls+"#get-a-pull-request")
	if !ok {
		return rep
	}
	return reply{status: http.StatusOK, body: s.pullJSON(x, rp, is, pr)}
}

func (s *Server) updatePull(x *exchange) reply {
	const doc = docPulls + "#update-a-pull-request"
	rp, is, pr, rep, ok := s.pullOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	title, body, rep, ok := readPullText(f, doc)
	if !ok {
		return rep
	}
	if title != nil {
		is.title = *title
	}
	if body != nil {
		is.body = *body
	}
	if f.has("base") && !f.null("base") {
		b, ok := f.str("base")
		if !ok || b == "" {
			return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "invalid", Field: "base"})
		}
		pr.base = b
	}
	if f.has("state") && !f.null("state") {
		st, _ := f.str("state")
		switch st {
		case "open":
			is.state, is.closed = "open", time.Time{}
		case "closed":
			if is.state != "closed" {
				is.state, is.closed = "closed", x.now
			}
		default:
			return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "invalid", Field: "state", Value: st})
		}
	}
	is.updated = x.now
	return reply{status: http.StatusOK, body: s.pullJSON(x, rp, is, pr)}
}

func (s *Server) listPulls(x *exchange) reply {
	const doc = docPulls + "#list-pull-requests"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	q := x.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		return validationFailed(doc, fieldError{Resource: "PullRequest", Code: "invalid", Field: "state", Value: state})
	}
	headOwner, headRef, byHead := "", "", q.Get("head") != ""
	if byHead {
		var found bool
		headOwner, headRef, found = strings.Cut(q.Get("head"), ":")
		if !found { // GitHub ignores a head without its owner
			byHead = false
		}
	}
	var out []*issue
	for _, is := range rp.issues {
		pr := s.pulls[is]
		if pr == nil || is.deleted || (state != "all" && is.state != state) {
			continue
		}
		if byHead && (!strings.EqualFold(headOwner, rp.owner) || headRef != pr.head) {
			continue
		}
		if b := q.Get("base"); b != "" && b != pr.base {
			continue
		}
		out = append(out, is)
	}
	key := func(is *issue) int64 { return is.created.Unix() }
	if q.Get("sort") == "updated" {
		key = func(is *issue) int64 { return is.updated.Unix() }
	}
	desc := q.Get("direction") != "asc"
	if q.Get("direction") == "" && q.Get("sort") != "" && q.Get("sort") != "created" {
		desc = false
	}
	slices.SortFunc(out, func(a, b *issue) int {
		c := cmpInt(key(a), key(b))
		if c == 0 {
			c = cmpInt(int64(a.number), int64(b.number))
		}
		if desc {
			return -c
		}
		return c
	})
	page, link := paginate(x, out)
	body := make([]*pullJSON, 0, len(page))
	for _, is := range page {
		body = append(body, s.pullJSON(x, rp, is, s.pulls[is]))
	}
	return reply{status: http.StatusOK, body: body, link: link}
}

type linkJSON struct {
	Href string `json:"href"`
}

type pullRefJSON struct {
	Label string         `json:"label"`
	Ref   string         `json:"ref"`
	Repo  map[string]any `json:"repo"`
	SHA   string         `json:"sha"`
	User  *userJSON      `json:"user"`
}

type pullJSON struct {
	URL                 string              `json:"url"`
	ID                  int64               `json:"id"`
	NodeID              string              `json:"node_id"`
	HTMLURL             string              `json:"html_url"`
	DiffURL             string              `json:"diff_url"`
	PatchURL            string              `json:"patch_url"`
	IssueURL            string              `json:"issue_url"`
	CommitsURL          string              `json:"commits_url"`
	ReviewCommentsURL   string              `json:"review_comments_url"`
	ReviewCommentURL    string              `json:"review_comment_url"`
	CommentsURL         string              `json:"comments_url"`
	StatusesURL         string              `json:"statuses_url"`
	Number              int                 `json:"number"`
	State               string              `json:"state"`
	Locked              bool                `json:"locked"`
	Title               string              `json:"title"`
	User                *userJSON           `json:"user"`
	Body                *string             `json:"body"`
	Labels              []labelJSON         `json:"labels"`
	Milestone           *milestoneJSON      `json:"milestone"`
	ActiveLockReason    *string             `json:"active_lock_reason"`
	CreatedAt           string              `json:"created_at"`
	UpdatedAt           string              `json:"updated_at"`
	ClosedAt            *string             `json:"closed_at"`
	MergedAt            *string             `json:"merged_at"`
	MergeCommitSHA      *string             `json:"merge_commit_sha"`
	Assignee            *userJSON           `json:"assignee"`
	Assignees           []*userJSON         `json:"assignees"`
	RequestedReviewers  []*userJSON         `json:"requested_reviewers"`
	RequestedTeams      []struct{}          `json:"requested_teams"`
	Head                pullRefJSON         `json:"head"`
	Base                pullRefJSON         `json:"base"`
	Links               map[string]linkJSON `json:"_links"`
	AuthorAssociation   string              `json:"author_association"`
	AutoMerge           *struct{}           `json:"auto_merge"`
	Draft               bool                `json:"draft"`
	Merged              bool                `json:"merged"`
	Mergeable           *bool               `json:"mergeable"`
	Rebaseable          *bool               `json:"rebaseable"`
	MergeableState      string              `json:"mergeable_state"`
	MergedBy            *userJSON           `json:"merged_by"`
	Comments            int                 `json:"comments"`
	ReviewComments      int                 `json:"review_comments"`
	MaintainerCanModify bool                `json:"maintainer_can_modify"`
	Commits             int                 `json:"commits"`
	Additions           int                 `json:"additions"`
	Deletions           int                 `json:"deletions"`
	ChangedFiles        int                 `json:"changed_files"`
}

// fakeSHA stands for a branch's head commit: the simulator has no git data.
func fakeSHA(parts ...string) string {
	sum := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

func (s *Server) pullJSON(x *exchange, rp *repo, is *issue, pr *pull) *pullJSON {
	api := rp.apiURL(x)
	u := api + fmt.Sprintf("/pulls/%d", is.number)
	html := rp.htmlURL(s) + fmt.Sprintf("/pull/%d", is.number)
	issueURL := api + fmt.Sprintf("/issues/%d", is.number)
	headSHA := fakeSHA(rp.owner, rp.name, pr.head, ts(is.updated))
	owner := s.user(x, rp.owner)
	ref := func(branch, sha string) pullRefJSON {
		return pullRefJSON{Label: rp.owner + ":" + branch, Ref: branch, Repo: s.repoJSON(x, rp), SHA: sha, User: owner}
	}
	out := &pullJSON{
		URL: u, ID: is.id, NodeID: nodeID("PR_kwDO", is.id), HTMLURL: html, DiffURL: html + ".diff",
		PatchURL: html + ".patch", IssueURL: issueURL, CommitsURL: u + "/commits",
		ReviewCommentsURL: u + "/comments", ReviewCommentURL: api + "/pulls/comments{/number}",
		CommentsURL: issueURL + "/comments", StatusesURL: api + "/statuses/" + headSHA,
		Number: is.number, State: is.state, Title: is.title, User: s.user(x, is.author),
		Labels: []labelJSON{}, CreatedAt: ts(is.created), UpdatedAt: ts(is.updated),
		ClosedAt: tsOrNil(is.closed), Assignees: []*userJSON{}, RequestedReviewers: []*userJSON{},
		RequestedTeams: []struct{}{},
		Head:           ref(pr.head, headSHA), Base: ref(pr.base, fakeSHA(rp.owner, rp.name, pr.base)),
		AuthorAssociation: s.association(rp, is.author), MergeableState: "unknown",
		Comments: len(is.comments), MaintainerCanModify: false, Commits: 1, ChangedFiles: 1,
	}
	for _, l := range is.labels {
		out.Labels = append(out.Labels, l.json(x, rp))
	}
	if is.body != "" {
		b := is.body
		out.Body = &b
	}
	out.Links = map[string]linkJSON{
		"self": {u}, "html": {html}, "issue": {issueURL}, "comments": {issueURL + "/comments"},
		"review_comments": {u + "/comments"}, "review_comment": {api + "/pulls/comments{/number}"},
		"commits": {u + "/commits"}, "statuses": {api + "/statuses/" + headSHA},
	}
	return out
}
