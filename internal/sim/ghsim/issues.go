package ghsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GitHub's limits on issue content, which its OpenAPI description does not state.
const (
	maxTitle = 256
	maxBody  = 65536
)

const (
	docIssues   = "https://docs.github.com/rest/issues/issues"
	docComments = "https://docs.github.com/rest/issues/comments"
)

// fields is a decoded JSON object whose members are decoded on demand, so
// that absent and null can be told apart.
type fields map[string]json.RawMessage

// decodeObject reads the request body as a JSON object.
func decodeObject(x *exchange, doc string) (fields, reply, bool) {
	data, err := io.ReadAll(io.LimitReader(x.r.Body, 32<<20))
	if err != nil {
		return nil, reply{status: http.StatusBadRequest, body: errorBody("Problems parsing JSON", doc, 400)}, false
	}
	var f fields
	if len(bytes.TrimSpace(data)) == 0 {
		return fields{}, reply{}, true
	}
	if err := json.Unmarshal(data, &f); err != nil || f == nil {
		if err == nil || isTypeError(err) {
			return nil, invalidRequest(doc, "Invalid request.\n\nRoot element is not an object."), false
		}
		return nil, reply{status: http.StatusBadRequest, body: errorBody("Problems parsing JSON", doc, 400)}, false
	}
	return f, reply{}, true
}

func isTypeError(err error) bool {
	_, ok := err.(*json.UnmarshalTypeError)
	return ok
}

func (f fields) has(k string) bool { _, ok := f[k]; return ok }

func (f fields) null(k string) bool { return string(bytes.TrimSpace(f[k])) == "null" }

// str decodes a string member (absent or null: ""); ok is false when it
// has another type.
func (f fields) str(k string) (string, bool) {
	var s string
	if !f.has(k) || f.null(k) {
		return "", true
	}
	if json.Unmarshal(f[k], &s) != nil {
		return "", false
	}
	return s, true
}

// names decodes an array of strings or of objects carrying key (GitHub
// accepts label objects by "name" and assignee objects by "login").
func (f fields) names(k, key string) ([]string, bool) {
	var items []json.RawMessage
	if json.Unmarshal(f[k], &items) != nil || items == nil {
		return nil, false
	}
	out := []string{}
	for _, it := range items {
		var s string
		if json.Unmarshal(it, &s) == nil {
			out = append(out, s)
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(it, &obj) != nil || obj == nil || json.Unmarshal(obj[key], &s) != nil {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func invalidRequest(doc, msg string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: errorBody(msg, doc, 422)}
}

func notA(doc, field, want string, raw json.RawMessage) reply {
	return invalidRequest(doc, fmt.Sprintf("Invalid request.\n\nFor 'properties/%s', %s is not %s.", field, bytes.TrimSpace(raw), want))
}

// fieldError is one entry of a 422 "Validation Failed" answer.
type fieldError struct {
	Resource string `json:"resource,omitempty"`
	Code     string `json:"code"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message,omitempty"`
	Value    any    `json:"value,omitempty"`
}

func validationFailed(doc string, errs ...fieldError) reply {
	return reply{status: http.StatusUnprocessableEntity, body: map[string]any{
		"message": "Validation Failed", "errors": errs, "documentation_url": doc, "status": "422",
	}}
}

func tooLong(resource, field string, limit int) fieldError {
	return fieldError{Resource: resource, Code: "custom", Field: field,
		Message: fmt.Sprintf("%s is too long (maximum is %d characters)", field, limit)}
}

// repoOf finds the request's repository.
func (s *Server) repoOf(x *exchange, doc string) (*repo, reply, bool) {
	rp := s.repoLocked(x.r.PathValue("owner"), x.r.PathValue("repo"), true)
	if rp == nil {
		return nil, notFound(doc), false
	}
	return rp, reply{}, true
}

// issueOf finds the request's issue: 404 when unknown, 410 when deleted.
func (s *Server) issueOf(x *exchange, doc string) (*repo, *issue, reply, bool) {
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return nil, nil, rep, false
	}
	n, err := strconv.Atoi(x.r.PathValue("number"))
	is := rp.issues[n]
	if err != nil || is == nil {
		return nil, nil, notFound(doc), false
	}
	if is.deleted {
		return nil, nil, reply{status: http.StatusGone, body: errorBody("This issue was deleted", doc, 410)}, false
	}
	return rp, is, reply{}, true
}

// issueInput is what create and update read from the body; nil members
// were not sent.
type issueInput struct {
	title, body   *string
	labels        *[]string
	assignees     *[]string
	milestone     **milestone
	state, reason *string
}

// readIssue decodes and checks the members shared by create and update.
func (s *Server) readIssue(rp *repo, f fields, doc string) (issueInput, reply, bool) {
	var in issueInput
	if f.has("title") && !f.null("title") {
		var t string
		if json.Unmarshal(f["title"], &t) != nil {
			var n json.Number
			if json.Unmarshal(f["title"], &n) != nil {
				return in, notA(doc, "title", "a string or integer", f["title"]), false
			}
			t = n.String()
		}
		if strings.TrimSpace(t) == "" {
			return in, validationFailed(doc, fieldError{Resource: "Issue", Code: "missing_field", Field: "title"}), false
		}
		if utf8.RuneCountInString(t) > maxTitle {
			return in, validationFailed(doc, tooLong("Issue", "title", maxTitle)), false
		}
		in.title = &t
	}
	if f.has("body") {
		b, ok := f.str("body")
		if !ok {
			return in, notA(doc, "body", "a string", f["body"]), false
		}
		if utf8.RuneCountInString(b) > maxBody {
			return in, validationFailed(doc, tooLong("Issue", "body", maxBody)), false
		}
		in.body = &b
	}
	if f.has("labels") {
		ls, ok := f.names("labels", "name")
		if !ok {
			return in, notA(doc, "labels", "an array of strings or label objects", f["labels"]), false
		}
		in.labels = &ls
	}
	var assignees []string
	sentAssignees := false
	if f.has("assignees") && !f.null("assignees") {
		as, ok := f.names("assignees", "login")
		if !ok {
			return in, notA(doc, "assignees", "an array of strings", f["assignees"]), false
		}
		assignees, sentAssignees = as, true
	}
	if f.has("assignee") {
		a, ok := f.str("assignee")
		if !ok {
			return in, notA(doc, "assignee", "a string", f["assignee"]), false
		}
		// The singular form counts only when the plural one is absent.
		if !sentAssignees {
			sentAssignees = true
			if a != "" {
				assignees = []string{a}
			}
		}
	}
	if sentAssignees {
		canon := []string{}
		for _, a := range assignees {
			u, ok := s.userLocked(a)
			if !ok {
				return in, validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "assignees", Value: a}), false
			}
			if !slices.ContainsFunc(canon, func(c string) bool { return strings.EqualFold(c, u) }) {
				canon = append(canon, u)
			}
		}
		in.assignees = &canon
	}
	if f.has("milestone") {
		var m *milestone
		if !f.null("milestone") {
			var n json.Number
			var str string
			switch {
			case json.Unmarshal(f["milestone"], &n) == nil:
			case json.Unmarshal(f["milestone"], &str) == nil:
				n = json.Number(str)
			default:
				return in, notA(doc, "milestone", "a string or integer", f["milestone"]), false
			}
			num, err := n.Int64()
			if m = rp.milestones[int(num)]; err != nil || m == nil {
				return in, validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "milestone", Value: n.String()}), false
			}
		}
		in.milestone = &m
	}
	if f.has("state") {
		st, ok := f.str("state")
		if !ok || (st != "open" && st != "closed") {
			return in, validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "state", Value: st}), false
		}
		in.state = &st
	}
	if f.has("state_reason") && !f.null("state_reason") {
		r, ok := f.str("state_reason")
		if !ok || !slices.Contains([]string{"completed", "not_planned", "reopened", "duplicate"}, r) {
			return in, validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "state_reason", Value: r}), false
		}
		in.reason = &r
	}
	return in, reply{}, true
}

func (s *Server) setLabels(rp *repo, is *issue, names []string) {
	is.labels = is.labels[:0]
	for _, n := range names {
		l := s.labelLocked(rp, n, true)
		if !slices.Contains(is.labels, l) {
			is.labels = append(is.labels, l)
		}
	}
}

func (s *Server) createIssue(x *exchange) reply {
	const doc = docIssues + "#create-an-issue"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	if !f.has("title") || f.null("title") {
		return invalidRequest(doc, "Invalid request.\n\n\"title\" wasn't supplied.")
	}
	in, rep, ok := s.readIssue(rp, f, doc)
	if !ok {
		return rep
	}
	is := &issue{
		id: s.nextID(), number: rp.next, title: *in.title, state: "open", author: x.login,
		created: x.now, updated: x.now, assignees: []string{},
	}
	if in.body != nil {
		is.body = *in.body
	}
	if in.labels != nil {
		s.setLabels(rp, is, *in.labels)
	}
	if in.assignees != nil {
		is.assignees = *in.assignees
	}
	if in.milestone != nil {
		is.milestone = *in.milestone
	}
	rp.issues[is.number] = is
	rp.next++
	out := s.issueJSON(x, rp, is, true)
	return reply{status: http.StatusCreated, body: out, header: http.Header{"Location": {out.URL}}}
}

func (s *Server) getIssue(x *exchange) reply {
	rp, is, rep, ok := s.issueOf(x, docIssues+"#get-an-issue")
	if !ok {
		return rep
	}
	return reply{status: http.StatusOK, body: s.issueJSON(x, rp, is, true)}
}

func (s *Server) updateIssue(x *exchange) reply {
	const doc = docIssues + "#update-an-issue"
	rp, is, rep, ok := s.issueOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	in, rep, ok := s.readIssue(rp, f, doc)
	if !ok {
		return rep
	}
	if in.state != nil && *in.state == "closed" && in.reason != nil && *in.reason == "reopened" {
		return validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "state_reason", Value: "reopened"})
	}
	if in.title != nil {
		is.title = *in.title
	}
	if in.body != nil {
		is.body = *in.body
	}
	if in.labels != nil {
		s.setLabels(rp, is, *in.labels)
	}
	if in.assignees != nil {
		is.assignees = *in.assignees
	}
	if in.milestone != nil {
		is.milestone = *in.milestone
	}
	// state_reason counts only with a state: GitHub ignores it otherwise.
	if in.state != nil {
		switch {
		case *in.state == "closed":
			if is.state != "closed" {
				is.closed, is.closedBy = x.now, x.login
			}
			is.state, is.stateReason = "closed", "completed"
			if in.reason != nil {
				is.stateReason = *in.reason
			}
		case is.state == "closed":
			is.state, is.stateReason, is.closed, is.closedBy = "open", "reopened", time.Time{}, ""
		}
	}
	is.updated = x.now
	return reply{status: http.StatusOK, body: s.issueJSON(x, rp, is, true)}
}

func (s *Server) listIssues(x *exchange) reply {
	const doc = docIssues + "#list-repository-issues"
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
		return validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "state", Value: state})
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return validationFailed(doc, fieldError{Resource: "Issue", Code: "invalid", Field: "since", Value: v})
		}
		since = t
	}
	var want []string
	for l := range strings.SplitSeq(q.Get("labels"), ",") {
		if l = strings.TrimSpace(l); l != "" {
			want = append(want, strings.ToLower(l))
		}
	}
	var out []*issue
	for _, is := range rp.issues {
		if is.deleted || (state != "all" && is.state != state) || is.updated.Before(since) {
			continue
		}
		if !hasLabels(is, want) || !matchUser(q.Get("assignee"), is.assignees) ||
			!matchMilestone(q.Get("milestone"), is.milestone) {
			continue
		}
		if c := q.Get("creator"); c != "" && !strings.EqualFold(c, is.author) {
			continue
		}
		out = append(out, is)
	}
	key := func(is *issue) int64 { return is.created.Unix() }
	switch q.Get("sort") {
	case "updated":
		key = func(is *issue) int64 { return is.updated.Unix() }
	case "comments":
		key = func(is *issue) int64 { return int64(len(is.comments)) }
	}
	desc := q.Get("direction") != "asc"
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
	body := make([]*issueJSON, 0, len(page))
	for _, is := range page {
		body = append(body, s.issueJSON(x, rp, is, false))
	}
	return reply{status: http.StatusOK, body: body, link: link}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func hasLabels(is *issue, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(is.labels, func(l *label) bool { return strings.ToLower(l.name) == w }) {
			return false
		}
	}
	return true
}

func matchUser(filter string, logins []string) bool {
	switch filter {
	case "":
		return true
	case "*":
		return len(logins) > 0
	case "none":
		return len(logins) == 0
	}
	return slices.ContainsFunc(logins, func(l string) bool { return strings.EqualFold(l, filter) })
}

func matchMilestone(filter string, m *milestone) bool {
	switch filter {
	case "":
		return true
	case "*":
		return m != nil
	case "none":
		return m == nil
	}
	return m != nil && strconv.Itoa(m.number) == filter
}

// paginate cuts one page out of items by per_page (default 30, at most
// 100) and page, and builds GitHub's Link header for it.
func paginate[T any](x *exchange, items []T) ([]T, string) {
	q := x.r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max(1, (len(items)+per-1)/per)
	from := min((page-1)*per, len(items))
	to := min(from+per, len(items))
	return items[from:to], linkHeader(x, q, page, last)
}

// linkHeader lists prev, next, last and first in GitHub's order; the first
// page has no prev/first, the last page no next/last.
func linkHeader(x *exchange, q url.Values, page, last int) string {
	if last <= 1 && page <= 1 {
		return ""
	}
	ref := func(p int, rel string) string {
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, x.api, x.r.URL.EscapedPath(), q.Encode(), rel)
	}
	var parts []string
	if page > 1 {
		parts = append(parts, ref(min(page-1, last), "prev"))
	}
	if page < last {
		parts = append(parts, ref(page+1, "next"), ref(last, "last"))
	}
	if page > 1 {
		parts = append(parts, ref(1, "first"))
	}
	return strings.Join(parts, ", ")
}

func (s *Server) createComment(x *exchange) reply {
	const doc = docComments + "#create-an-issue-comment"
	rp, is, rep, ok := s.issueOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	if !f.has("body") || f.null("body") {
		return invalidRequest(doc, "Invalid request.\n\n\"body\" wasn't supplied.")
	}
	body, ok := f.str("body")
	if !ok {
		return notA(doc, "body", "a string", f["body"])
	}
	if strings.TrimSpace(body) == "" {
		return validationFailed(doc, fieldError{Resource: "IssueComment", Code: "missing_field", Field: "body"})
	}
	if utf8.RuneCountInString(body) > maxBody {
		return validationFailed(doc, tooLong("IssueComment", "body", maxBody))
	}
	c := &comment{id: s.nextID(), author: x.login, body: body, created: x.now, updated: x.now}
	is.comments = append(is.comments, c)
	is.updated = x.now // a comment is activity on the issue
	out := s.commentJSON(x, rp, is, c)
	return reply{status: http.StatusCreated, body: out, header: http.Header{"Location": {out.URL}}}
}

func (s *Server) listComments(x *exchange) reply {
	const doc = docComments + "#list-issue-comments"
	rp, is, rep, ok := s.issueOf(x, doc)
	if !ok {
		return rep
	}
	var since time.Time
	if v := x.r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return validationFailed(doc, fieldError{Resource: "IssueComment", Code: "invalid", Field: "since", Value: v})
		}
		since = t
	}
	var cs []*comment
	for _, c := range is.comments {
		if !c.updated.Before(since) {
			cs = append(cs, c)
		}
	}
	page, link := paginate(x, cs)
	body := make([]*commentJSON, 0, len(page))
	for _, c := range page {
		body = append(body, s.commentJSON(x, rp, is, c))
	}
	return reply{status: http.StatusOK, body: body, link: link}
}

// deleteUnderIssues is DELETE /repos/{owner}/{repo}/issues/{number}/labels
// and DELETE /repos/{owner}/{repo}/issues/comments/{id}.
func (s *Server) deleteUnderIssues(x *exchange) reply {
	switch {
	case x.r.PathValue("number") == "comments":
		x.r.SetPathValue("id", x.r.PathValue("what"))
		return s.deleteComment(x)
	case x.r.PathValue("what") == "labels":
		return s.removeAllIssueLabels(x)
	}
	return notFound("https://docs.github.com/rest")
}

// deleteComment is DELETE /repos/{owner}/{repo}/issues/comments/{id}:
// 204, or 404 for a comment the repository does not have (deleted
// already, or on a deleted issue). Every user of the simulator may push,
// so any comment may be deleted.
func (s *Server) deleteComment(x *exchange) reply {
	const doc = docComments + "#delete-an-issue-comment"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	id, err := strconv.ParseInt(x.r.PathValue("id"), 10, 64)
	if err != nil {
		return notFound(doc)
	}
	for _, is := range rp.issues {
		if is.deleted {
			continue
		}
		if i := slices.IndexFunc(is.comments, func(c *comment) bool { return c.id == id }); i >= 0 {
			is.comments = slices.Delete(is.comments, i, i+1)
			return reply{status: http.StatusNoContent}
		}
	}
	return notFound(doc)
}
