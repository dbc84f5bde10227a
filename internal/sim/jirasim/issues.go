package jirasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Jira's limits on what an issue holds.
const (
	maxSummary = 255
	maxText    = 32767 // description, comment bodies
	maxLabel   = 255
)

const issueNotFound = "Issue does not exist or you do not have permission to see it."

// updateRequest is IssueUpdateDetails: create, edit and transition bodies.
type updateRequest struct {
	Fields     map[string]json.RawMessage              `json:"fields"`
	Update     map[string][]map[string]json.RawMessage `json:"update"`
	Transition *struct {
		ID json.RawMessage `json:"id"`
	} `json:"transition"`
}

// edit is a change being validated: all of it applies, or none.
type edit struct {
	is       issue // a working copy
	links    []newLink
	comments []string
	errs     map[string]string
	creating bool
}

type newLink struct {
	typ      *linkType
	other    *issue
	outgoing bool // this issue is the link's source (the request's inwardIssue)
}

func (e *edit) fail(field, msg string) {
	if _, dup := e.errs[field]; !dup {
		e.errs[field] = msg
	}
}

func cannotSet(field string) string {
	return fmt.Sprintf("Field '%s' cannot be set. It is not on the appropriate screen, or unknown.", field)
}

var customFieldRE = regexp.MustCompile(`^customfield_\d+$`)

// setField validates one entry of "fields" (or an update's set) into e.
func (s *Server) setField(x *exchange, e *edit, name string, raw json.RawMessage) {
	null := isNull(raw)
	switch name {
	case "project":
		if !e.creating {
			e.fail(name, cannotSet(name))
			return
		}
		ref, ok := decodeRef(raw)
		if !ok {
			e.fail(name, "project is required")
			return
		}
		p := s.projectLocked(firstOf(ref, "key", "id"), true)
		if p == nil {
			e.fail(name, "valid project is required")
			return
		}
		e.is.proj = p
	case "issuetype":
		ref, ok := decodeRef(raw)
		if !ok {
			e.fail(name, "issue type is required")
			return
		}
		t := issueTypeByName(ref["name"])
		if t == nil {
			for _, it := range issueTypes {
				if it.id == ref["id"] {
					t = it
				}
			}
		}
		if t == nil {
			e.fail(name, "valid issue type is required")
			return
		}
		e.is.typ = t
	case "summary":
		v, ok := decodeString(raw)
		switch {
		case !ok:
			e.fail(name, "Operation value must be a string")
		case strings.ContainsAny(v, "\r\n"):
			e.fail(name, "The summary is invalid because it contains newline characters.")
		case utf8.RuneCountInString(v) > maxSummary:
			e.fail(name, "Summary must be less than 255 characters.")
		default:
			e.is.summary = v
		}
	case "description":
		v, msg := x.decodeRichText(raw)
		switch {
		case msg != "":
			e.fail(name, msg)
		case utf8.RuneCountInString(v) > maxText:
			e.fail(name, "The entered text is too long. It exceeds the allowed limit of 32,767 characters.")
		default:
			e.is.description = v
		}
	case "environment":
		v, msg := x.decodeRichText(raw)
		switch {
		case msg != "":
			e.fail(name, msg)
		case utf8.RuneCountInString(v) > maxText:
			e.fail(name, "The entered text is too long. It exceeds the allowed limit of 32,767 characters.")
		default:
			e.is.environment = v
		}
	case "duedate":
		v, ok := decodeString(raw)
		switch {
		case null || (ok && v == ""):
			e.is.due = ""
		case !ok:
			e.fail(name, "Operation value must be a string")
		default:
			if _, err := time.Parse(dateLayout, v); err != nil {
				e.fail(name, "Error parsing date string: "+v)
				return
			}
			e.is.due = v
		}
	case "assignee", "reporter":
		if null && name == "reporter" {
			e.fail(name, "Reporter is required.")
			return
		}
		if null {
			e.is.assignee = ""
			return
		}
		id, msg := s.userRef(raw, name == "assignee")
		if msg != "" {
			e.fail(name, msg)
			return
		}
		if name == "assignee" {
			e.is.assignee = id
		} else {
			e.is.reporter = id
		}
	case "priority":
		if null {
			e.is.priority = nil
			return
		}
		ref, ok := decodeRef(raw)
		p := priorityByNameOrID(firstOf(ref, "name", "id"))
		if !ok || p == nil {
			e.fail(name, "The priority selected is invalid.")
			return
		}
		e.is.priority = p
	case "labels":
		var labels []string
		if !null && json.Unmarshal(raw, &labels) != nil {
			e.fail(name, "data was not an array")
			return
		}
		e.is.labels = nil
		s.addLabels(e, labels)
	case "components":
		var refs []map[string]any
		if !null && json.Unmarshal(raw, &refs) != nil {
			e.fail(name, "data was not an array")
			return
		}
		e.is.components = nil
		for _, r := range refs {
			s.addComponent(e, r)
		}
	case "parent":
		if null {
			e.is.parent = 0
			return
		}
		ref, ok := decodeRef(raw)
		p := s.issueLocked(firstOf(ref, "key", "id"))
		if !ok || p == nil {
			e.fail(name, "Could not find issue by id or key.")
			return
		}
		e.is.parent = p.id
	default:
		if !customFieldRE.MatchString(name) || s.opts.CustomFields != nil && s.opts.CustomFields[name] == "" {
			e.fail(name, cannotSet(name))
			return
		}
		if e.is.custom == nil {
			e.is.custom = map[string]any{}
		}
		if null {
			delete(e.is.custom, name)
			return
		}
		var v any
		_ = json.Unmarshal(raw, &v)
		e.is.custom[name] = v
	}
}

// addLabels adds labels as Jira does: no spaces, at most 255 characters,
// no duplicates, kept sorted.
func (s *Server) addLabels(e *edit, labels []string) {
	for _, l := range labels {
		switch {
		case l == "":
			continue
		case strings.ContainsAny(l, " \t\r\n"):
			e.fail("labels", fmt.Sprintf("The label '%s' contains spaces which is invalid.", l))
			return
		case utf8.RuneCountInString(l) > maxLabel:
			e.fail("labels", fmt.Sprintf("The label '%s' exceeds the maximum length for a single label of 255 characters.", l))
			return
		}
		if !slices.Contains(e.is.labels, l) {
			e.is.labels = append(e.is.labels, l)
		}
	}
	slices.Sort(e.is.labels)
}

func (s *Server) addComponent(e *edit, ref map[string]any) {
	name, _ := ref["name"].(string)
	if id, ok := ref["id"].(string); ok && name == "" {
		for _, c := range s.knownComponents(e) {
			if componentID(c) == id {
				name = c
			}
		}
		if name == "" {
			e.fail("components", fmt.Sprintf("Component with id '%s' does not exist.", id))
			return
		}
	}
	if name == "" || s.opts.Components != nil && !containsFold(s.opts.Components, name) {
		e.fail("components", fmt.Sprintf("Component name '%s' is not valid", name))
		return
	}
	if !containsFold(e.is.components, name) {
		e.is.components = append(e.is.components, name)
	}
}

func (s *Server) knownComponents(e *edit) []string {
	if s.opts.Components != nil {
		return s.opts.Components
	}
	return e.is.components
}

// userRef reads a user object: {accountId} on Cloud, {name} on Data
// Center. Messages are Jira's; Cloud's wording for an unknown accountId
// is unverified.
func (s *Server) userRef(raw json.RawMessage, assignee bool) (string, string) {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return "", "data was not an object"
	}
	prop := "accountId"
	if s.opts.Flavor == DataCenter {
		prop = "name"
	}
	v, present := m[prop]
	if !present {
		return "", fmt.Sprintf("expected Object containing a '%s' property", prop)
	}
	id, _ := v.(string)
	if v == nil || assignee && id == "-1" { // unassigned, or the project default (nobody here)
		return "", ""
	}
	u := s.userLocked(id)
	switch {
	case u == nil && s.opts.Flavor == DataCenter:
		return "", fmt.Sprintf("User '%s' does not exist.", id)
	case u == nil:
		return "", fmt.Sprintf("Account ID %s does not exist.", id)
	case assignee && u.Inactive:
		return "", fmt.Sprintf("User '%s' cannot be assigned issues.", orDefault(u.DisplayName, id))
	}
	return s.userID(u), ""
}

// applyUpdate validates an "update" section: add/remove/set operations.
func (s *Server) applyUpdate(x *exchange, e *edit, update map[string][]map[string]json.RawMessage) {
	for name, ops := range update {
		for _, op := range ops {
			for verb, raw := range op {
				s.updateOp(x, e, name, verb, raw)
			}
		}
	}
}

func (s *Server) updateOp(x *exchange, e *edit, name, verb string, raw json.RawMessage) {
	unsupported := func() { e.fail(name, fmt.Sprintf("Field does not support update '%s'", name)) }
	switch name {
	case "labels":
		var l string
		switch verb {
		case "set":
			s.setField(x, e, name, raw)
		case "add", "remove":
			if json.Unmarshal(raw, &l) != nil {
				e.fail(name, "Operation value must be a string")
				return
			}
			if verb == "add" {
				s.addLabels(e, []string{l})
			} else {
				e.is.labels = slices.DeleteFunc(e.is.labels, func(x string) bool { return x == l })
			}
		default:
			unsupported()
		}
	case "components":
		var ref map[string]any
		switch verb {
		case "set":
			s.setField(x, e, name, raw)
		case "add", "remove":
			if json.Unmarshal(raw, &ref) != nil {
				e.fail(name, "data was not an object")
				return
			}
			if verb == "add" {
				s.addComponent(e, ref)
			} else {
				n, _ := ref["name"].(string)
				e.is.components = slices.DeleteFunc(e.is.components, func(c string) bool { return strings.EqualFold(c, n) })
			}
		default:
			unsupported()
		}
	case "issuelinks":
		if verb != "add" {
			unsupported()
			return
		}
		var req struct {
			Type         map[string]string `json:"type"`
			InwardIssue  map[string]string `json:"inwardIssue"`
			OutwardIssue map[string]string `json:"outwardIssue"`
		}
		if json.Unmarshal(raw, &req) != nil {
			e.fail(name, "data was not an object")
			return
		}
		t := linkTypeByName(req.Type["name"])
		if t == nil {
			e.fail(name, fmt.Sprintf("No issue link type with name '%s' found.", req.Type["name"]))
			return
		}
		// Seen from this issue: an outwardIssue is what it points to.
		ref, outgoing := req.OutwardIssue, true
		if ref == nil {
			ref, outgoing = req.InwardIssue, false
		}
		other := s.issueLocked(firstOf(ref, "key", "id"))
		if other == nil {
			e.fail(name, issueNotFound)
			return
		}
		e.links = append(e.links, newLink{typ: t, other: other, outgoing: outgoing})
	case "comment":
		if verb != "add" {
			unsupported()
			return
		}
		var c struct {
			Body json.RawMessage `json:"body"`
		}
		if json.Unmarshal(raw, &c) != nil {
			e.fail(name, "data was not an object")
			return
		}
		body, msg := x.decodeRichText(c.Body)
		if msg == "" {
			msg = commentProblem(body)
		}
		if msg != "" {
			e.fail(name, msg)
			return
		}
		e.comments = append(e.comments, body)
	default:
		if verb != "set" {
			unsupported()
			return
		}
		s.setField(x, e, name, raw)
	}
}

func commentProblem(body string) string {
	switch {
	case strings.TrimSpace(body) == "":
		return "Comment body can not be empty!"
	case utf8.RuneCountInString(body) > maxText:
		return "The entered text is too long. It exceeds the allowed limit of 32,767 characters."
	}
	return ""
}

// commitLocked stores a validated edit: the working copy, then its new
// links and comments.
func (s *Server) commitLocked(x *exchange, is *issue, e *edit) {
	id, key, former, pending, indexed := is.id, is.key, is.formerKeys, is.pending, is.indexed
	*is = e.is
	is.id, is.key, is.formerKeys, is.pending, is.indexed = id, key, former, pending, indexed
	for _, l := range e.links {
		nl := &link{id: s.nextIDLocked(), typ: l.typ, inward: is.id, outward: l.other.id}
		if !l.outgoing {
			nl.inward, nl.outward = l.other.id, is.id
		}
		s.addLinkLocked(nl, x.now)
	}
	for _, body := range e.comments {
		id := s.userID(x.user)
		is.comments = append(is.comments, &comment{id: s.nextIDLocked(), author: id, updateAuthor: id, body: body, created: x.now, updated: x.now})
	}
	s.touchLocked(is, x.now)
}

// addLinkLocked adds a link unless the same one exists, as Jira does, and
// touches both ends.
func (s *Server) addLinkLocked(l *link, now time.Time) {
	for _, old := range s.links {
		if old.typ == l.typ && old.inward == l.inward && old.outward == l.outward {
			return
		}
	}
	s.links = append(s.links, l)
	for _, id := range []int64{l.inward, l.outward} {
		if is := s.issues[id]; is != nil {
			s.touchLocked(is, now)
		}
	}
}

func (s *Server) createIssue(x *exchange) reply {
	var req updateRequest
	if rep := x.jsonBody(&req); rep != nil {
		return *rep
	}
	e := &edit{creating: true, errs: map[string]string{}, is: issue{
		priority: priorityByName(defaultPriority), status: statuses[0],
		reporter: s.userID(x.user), creator: s.userID(x.user), created: x.now, catChanged: x.now,
	}}
	for name, raw := range req.Fields {
		s.setField(x, e, name, raw)
	}
	s.applyUpdate(x, e, req.Update)
	if _, ok := req.Fields["project"]; !ok {
		e.fail("project", "project is required")
	}
	if _, ok := req.Fields["issuetype"]; !ok {
		e.fail("issuetype", "issue type is required")
	}
	if e.is.summary == "" && e.errs["summary"] == "" {
		e.fail("summary", "You must specify a summary of the issue.")
	}
	s.checkParent(e)
	if len(e.errs) > 0 {
		return fieldErrors(http.StatusBadRequest, e.errs)
	}
	is := &issue{id: s.nextIDLocked(), proj: e.is.proj}
	s.addIssueLocked(is) // the key first: commit snapshots the issue
	s.commitLocked(x, is, e)
	return reply{status: http.StatusCreated, body: map[string]any{
		"id": strconv.FormatInt(is.id, 10), "key": is.key, "self": s.issueSelf(x, is),
	}}
}

// checkParent applies the hierarchy: an epic parents standard issues, a
// standard issue parents sub-tasks.
func (s *Server) checkParent(e *edit) {
	if e.is.parent == 0 || e.is.typ == nil {
		return
	}
	if p := s.issues[e.is.parent]; p != nil && p.typ.level != e.is.typ.level+1 {
		e.fail("parent", "Given parent issue does not belong to appropriate hierarchy.")
	}
}

func (s *Server) getIssue(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	sel := parseFieldSel(x.r.URL.Query()["fields"], "*all")
	return reply{status: http.StatusOK, body: s.issueBean(x, is, sel)}
}

func (s *Server) editIssue(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	var req updateRequest
	if rep := x.jsonBody(&req); rep != nil {
		return *rep
	}
	e := &edit{is: s.workingCopy(is), errs: map[string]string{}}
	for name, raw := range req.Fields {
		s.setField(x, e, name, raw)
	}
	s.applyUpdate(x, e, req.Update)
	if e.is.summary == "" && e.errs["summary"] == "" {
		e.fail("summary", "You must specify a summary of the issue.")
	}
	s.checkParent(e)
	if len(e.errs) > 0 {
		return fieldErrors(http.StatusBadRequest, e.errs)
	}
	s.commitLocked(x, is, e)
	if x.r.URL.Query().Get("returnIssue") == "true" {
		return reply{status: http.StatusOK, body: s.issueBean(x, is, parseFieldSel(nil, "*all"))}
	}
	return reply{status: http.StatusNoContent}
}

// workingCopy copies an issue so that a failed edit leaves it untouched.
func (s *Server) workingCopy(is *issue) issue {
	c := *is
	c.labels = slices.Clone(is.labels)
	c.components = slices.Clone(is.components)
	c.custom = cloneJSONMap(is.custom)
	c.comments = slices.Clone(is.comments)
	c.formerKeys = slices.Clone(is.formerKeys)
	return c
}

// assignIssue is PUT /issue/{key}/assignee: {accountId} on Cloud, {name}
// on Data Center; null unassigns, "-1" picks the project default (nobody).
func (s *Server) assignIssue(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	var raw json.RawMessage
	if rep := x.jsonBody(&raw); rep != nil {
		return *rep
	}
	id := ""
	if !isNull(raw) {
		var msg string
		if id, msg = s.userRef(raw, true); msg != "" {
			return fieldErrors(http.StatusBadRequest, map[string]string{"assignee": msg})
		}
	}
	if is.assignee != id {
		is.assignee = id
		s.touchLocked(is, x.now)
	}
	return reply{status: http.StatusNoContent}
}

type transitionJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	To            statusJSON     `json:"to"`
	HasScreen     bool           `json:"hasScreen"`
	IsGlobal      bool           `json:"isGlobal"`
	IsInitial     bool           `json:"isInitial"`
	IsAvailable   bool           `json:"isAvailable"`
	IsConditional bool           `json:"isConditional"`
	Looped        bool           `json:"looped"`
	Fields        map[string]any `json:"fields,omitempty"`
}

// transitionsFor lists the workflow's global transitions into every status
// but the current one.
func transitionsFor(is *issue) []*statusDef {
	var out []*statusDef
	for _, st := range statuses {
		if st != is.status {
			out = append(out, st)
		}
	}
	return out
}

func (s *Server) getTransitions(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	withFields := strings.Contains(x.r.URL.Query().Get("expand"), "transitions.fields")
	only := x.r.URL.Query().Get("transitionId")
	list := []transitionJSON{}
	for _, st := range transitionsFor(is) {
		if only != "" && only != st.transition {
			continue
		}
		t := transitionJSON{
			ID: st.transition, Name: st.name, To: statusOf(x, st), IsGlobal: true, IsAvailable: true,
			HasScreen: st.cat.key == "done",
		}
		if withFields {
			t.Fields = map[string]any{}
			if st.cat.key == "done" {
				allowed := []any{}
				for _, r := range resolutions {
					allowed = append(allowed, resolutionOf(x, r))
				}
				t.Fields["resolution"] = map[string]any{
					"required": false, "schema": map[string]any{"type": "resolution", "system": "resolution"},
					"name": "Resolution", "key": "resolution", "operations": []string{"set"},
					"allowedValues": allowed, "hasDefaultValue": true,
				}
			}
		}
		list = append(list, t)
	}
	return reply{status: http.StatusOK, body: map[string]any{"expand": "transitions", "transitions": list}}
}

func (s *Server) doTransition(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	var req updateRequest
	if rep := x.jsonBody(&req); rep != nil {
		return *rep
	}
	if req.Transition == nil || len(req.Transition.ID) == 0 {
		return errorReply(http.StatusBadRequest, "Missing 'transition' identifier")
	}
	id := strings.Trim(string(req.Transition.ID), `"`)
	var to *statusDef
	for _, st := range transitionsFor(is) {
		if st.transition == id {
			to = st
		}
	}
	if to == nil {
		return errorReply(http.StatusBadRequest, fmt.Sprintf("Transition id '%s' is not valid for this issue.", id))
	}
	e := &edit{is: s.workingCopy(is), errs: map[string]string{}}
	var res *resolutionDef
	for name, raw := range req.Fields {
		if name != "resolution" || to.cat.key != "done" {
			e.fail(name, cannotSet(name))
			continue
		}
		ref, ok := decodeRef(raw)
		if !ok {
			e.fail(name, "data was not an object")
			continue
		}
		for _, r := range resolutions {
			if ref["id"] == r.id || ref["id"] == "" && strings.EqualFold(ref["name"], r.name) {
				res = r
			}
		}
		if res == nil {
			e.fail(name, fmt.Sprintf("Resolution '%s' is not valid.", firstOf(ref, "name", "id")))
		}
	}
	for name, ops := range req.Update {
		for _, op := range ops {
			for verb, raw := range op {
				if name != "comment" {
					e.fail(name, cannotSet(name))
					continue
				}
				s.updateOp(x, e, name, verb, raw)
			}
		}
	}
	if len(e.errs) > 0 {
		return fieldErrors(http.StatusBadRequest, e.errs)
	}
	s.commitLocked(x, is, e)
	s.transitionLocked(is, to, res, x.now)
	return reply{status: http.StatusNoContent}
}

func (s *Server) getComments(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	startAt, bad := intParam(x, "startAt", 0)
	if bad != nil {
		return *bad
	}
	maxResults, bad := intParam(x, "maxResults", 100)
	if bad != nil {
		return *bad
	}
	list := slices.Clone(is.comments)
	if x.r.URL.Query().Get("orderBy") == "-created" {
		slices.Reverse(list)
	}
	page := []any{}
	for i := max(startAt, 0); i < len(list) && len(page) < max(maxResults, 0); i++ {
		page = append(page, s.commentJSON(x, is, list[i]))
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"startAt": startAt, "maxResults": maxResults, "total": len(list), "comments": page,
	}}
}

func (s *Server) addComment(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	// go-jira sends its whole Comment struct: author, updateAuthor and
	// visibility are read-only or empty here and are ignored, as Jira does.
	var req struct {
		Body json.RawMessage `json:"body"`
	}
	if rep := x.jsonBody(&req); rep != nil {
		return *rep
	}
	body, msg := x.decodeRichText(req.Body)
	if msg == "" {
		msg = commentProblem(body)
	}
	if msg != "" {
		return fieldErrors(http.StatusBadRequest, map[string]string{"comment": msg})
	}
	id := s.userID(x.user)
	c := &comment{id: s.nextIDLocked(), author: id, updateAuthor: id, body: body, created: x.now, updated: x.now}
	is.comments = append(is.comments, c)
	s.touchLocked(is, x.now)
	return reply{status: http.StatusCreated, body: s.commentJSON(x, is, c)}
}

// deleteComment is DELETE /issue/{key}/comment/{id}: 204, or 404 for an
// issue or comment that does not exist. Every user of the simulator may
// delete any comment (Jira's "Delete all comments" permission).
func (s *Server) deleteComment(x *exchange) reply {
	is := s.issueLocked(x.r.PathValue("key"))
	if is == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	id, err := strconv.ParseInt(x.r.PathValue("id"), 10, 64)
	i := slices.IndexFunc(is.comments, func(c *comment) bool { return c.id == id })
	if err != nil || i < 0 {
		return errorReply(http.StatusNotFound, "Can not find a comment for the id: "+x.r.PathValue("id")+".")
	}
	is.comments = slices.Delete(is.comments, i, i+1)
	return reply{status: http.StatusNoContent}
}

// linkIssues is POST /issueLink. {inwardIssue: A, outwardIssue: B} makes A
// the link's source: A "blocks" B, and GET A lists B as its outwardIssue.
// Jira answers 201 with an empty JSON body and a Location header.
func (s *Server) linkIssues(x *exchange) reply {
	var req struct {
		Type         map[string]any `json:"type"`
		InwardIssue  map[string]any `json:"inwardIssue"`
		OutwardIssue map[string]any `json:"outwardIssue"`
		Comment      *struct {
			Body json.RawMessage `json:"body"`
		} `json:"comment"`
	}
	if rep := x.jsonBody(&req); rep != nil {
		return *rep
	}
	name, _ := req.Type["name"].(string)
	id, _ := req.Type["id"].(string)
	var t *linkType
	for _, lt := range linkTypes {
		if id != "" && lt.id == id || id == "" && strings.EqualFold(lt.name, name) {
			t = lt
		}
	}
	if t == nil {
		return errorReply(http.StatusNotFound, fmt.Sprintf("No issue link type with name '%s' found.", orDefault(name, id)))
	}
	in := s.issueLocked(firstOfAny(req.InwardIssue, "key", "id"))
	out := s.issueLocked(firstOfAny(req.OutwardIssue, "key", "id"))
	if in == nil || out == nil {
		return errorReply(http.StatusNotFound, "Issue Does Not Exist")
	}
	if in == out {
		return errorReply(http.StatusBadRequest, "You cannot link an issue to itself.")
	}
	var body string
	if req.Comment != nil {
		var msg string
		if body, msg = x.decodeRichText(req.Comment.Body); msg == "" {
			msg = commentProblem(body)
		}
		if msg != "" {
			return fieldErrors(http.StatusBadRequest, map[string]string{"comment": msg})
		}
	}
	l := &link{id: s.nextIDLocked(), typ: t, inward: in.id, outward: out.id}
	s.addLinkLocked(l, x.now)
	if req.Comment != nil {
		uid := s.userID(x.user)
		out.comments = append(out.comments, &comment{id: s.nextIDLocked(), author: uid, updateAuthor: uid, body: body, created: x.now, updated: x.now})
		s.touchLocked(out, x.now)
	}
	return reply{status: http.StatusCreated, emptyJSON: true,
		header: http.Header{"Location": {x.api() + "/issueLink/" + strconv.FormatInt(l.id, 10)}}}
}

func (s *Server) getLinkTypes(x *exchange) reply {
	list := []any{}
	for _, t := range linkTypes {
		list = append(list, linkTypeOf(x, t))
	}
	return reply{status: http.StatusOK, body: map[string]any{"issueLinkTypes": list}}
}

// JSON helpers.

func isNull(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func decodeString(raw json.RawMessage) (string, bool) {
	var v string
	err := json.Unmarshal(raw, &v)
	return v, err == nil
}

// decodeRef reads a reference object such as {"key": "OPS"} or {"id": 3};
// numbers become strings.
func decodeRef(raw json.RawMessage) (map[string]string, bool) {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return nil, false
	}
	out := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return out, true
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if m[k] != "" {
			return m[k]
		}
	}
	return ""
}

func firstOfAny(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// decodeRichText reads a description or comment body: a string on v2;
// on v3 an Atlassian Document or, leniently, a string. The message is
// Jira's when the value has the wrong type.
func (x *exchange) decodeRichText(raw json.RawMessage) (string, string) {
	if isNull(raw) {
		return "", ""
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", "Operation value must be a string"
	}
	switch v := v.(type) {
	case string:
		return v, ""
	case map[string]any:
		if x.ver == "3" && isADF(v) {
			return adfToText(v), ""
		}
	}
	if x.ver == "3" {
		return "", "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
	}
	return "", "Operation value must be a string"
}

// intParam reads an integer query parameter; Jira answers 400 for junk.
func intParam(x *exchange, name string, def int) (int, *reply) {
	v := x.r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		rep := errorReply(http.StatusBadRequest, fmt.Sprintf("The value '%s' for the '%s' parameter is not a number.", v, name))
		return 0, &rep
	}
	return n, nil
}
