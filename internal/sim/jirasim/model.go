package jirasim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Issue is a snapshot of one issue, for tests and seed data.
type Issue struct {
	ID             string
	Key            string
	FormerKeys     []string // keys the issue had before it was moved
	Project        string   // key
	Type           string   // Task, Bug, Story, Epic, Sub-task
	Summary        string
	Description    string // plain text (ADF bodies are flattened)
	Status         string // To Do, In Progress, Done, Won't Do
	StatusCategory string // new, indeterminate, done
	Resolution     string // "" while unresolved
	ResolutionDate time.Time
	Labels         []string
	Assignee       string // accountId on Cloud, name on Data Center; "" unassigned
	Reporter       string
	Creator        string // who created it; seeds default to the reporter
	DueDate        string // YYYY-MM-DD, "" for none
	Priority       string // Highest, High, Medium, Low, Lowest
	Components     []string
	Parent         string // the parent's key (an epic), "" for none
	Links          []Link
	Custom         map[string]any // customfield_NNNNN values as decoded JSON
	Comments       []Comment
	Created        time.Time
	Updated        time.Time
}

// Link is one issue link seen from the issue that holds it: "this issue
// <Type's outward or inward description> Key".
type Link struct {
	Type      string // Relates, Blocks, Duplicate, Cloners
	Direction string // outward ("blocks") or inward ("is blocked by")
	Key       string
}

// Comment is one comment.
type Comment struct {
	ID      string
	Author  string // accountId or name
	Body    string // plain text
	Created time.Time
}

// The simulator's fixed configuration: one simplified workflow in which
// every status can be reached from every other, Jira Cloud's default
// resolutions, priorities, issue types and link types.

type category struct {
	id        int
	key, name string
	colorName string
}

var categories = []*category{
	{id: 2, key: "new", name: "To Do", colorName: "blue-gray"},
	{id: 4, key: "indeterminate", name: "In Progress", colorName: "yellow"},
	{id: 3, key: "done", name: "Done", colorName: "green"},
}

type statusDef struct {
	id, name    string
	cat         *category
	transition  string // id of the global transition into this status
	description string
}

var statuses = []*statusDef{
	{id: "10000", name: "To Do", cat: categories[0], transition: "11"},
	{id: "3", name: "In Progress", cat: categories[1], transition: "21", description: "This issue is being actively worked on at the moment by the assignee."},
	{id: "10001", name: "Done", cat: categories[2], transition: "31"},
	{id: "10002", name: "Won't Do", cat: categories[2], transition: "41"},
}

type resolutionDef struct{ id, name, description string }

var resolutions = []*resolutionDef{
	{"10000", "Done", "Work has been completed on this issue."},
	{"10001", "Won't Do", "This issue won't be actioned."},
	{"10002", "Duplicate", "The problem is a duplicate of an existing issue."},
	{"10003", "Cannot Reproduce", "All attempts at reproducing this issue failed, or not enough information was available to reproduce the issue."},
	{"10004", "Declined", "This issue was not approved."},
}

type priorityDef struct {
	id, name string
	rank     int // 1 is the highest
}

var priorities = []*priorityDef{
	{"1", "Highest", 1}, {"2", "High", 2}, {"3", "Medium", 3}, {"4", "Low", 4}, {"5", "Lowest", 5},
}

const defaultPriority = "Medium"

type issueType struct {
	id, name, description string
	subtask               bool
	level                 int // hierarchyLevel
	avatar                int
}

var issueTypes = []*issueType{
	{id: "10000", name: "Epic", description: "A big user story that needs to be broken down.", level: 1, avatar: 10307},
	{id: "10001", name: "Story", description: "Functionality or a feature expressed as a user goal.", avatar: 10315},
	{id: "10002", name: "Task", description: "A small, distinct piece of work.", avatar: 10318},
	{id: "10003", name: "Sub-task", description: "A small piece of work that's part of a larger task.", subtask: true, level: -1, avatar: 10316},
	{id: "10004", name: "Bug", description: "A problem or error.", avatar: 10303},
}

type linkType struct{ id, name, inward, outward string }

var linkTypes = []*linkType{
	{"10000", "Blocks", "is blocked by", "blocks"},
	{"10001", "Cloners", "is cloned by", "clones"},
	{"10002", "Duplicate", "is duplicated by", "duplicates"},
	{"10003", "Relates", "relates to", "relates to"},
}

func statusByName(name string) *statusDef {
	for _, s := range statuses {
		if strings.EqualFold(s.name, name) {
			return s
		}
	}
	return nil
}

func statusIndex(name string) int {
	for i, s := range statuses {
		if strings.EqualFold(s.name, name) {
			return i
		}
	}
	return len(statuses)
}

func categoryByKey(key string) *category {
	for _, c := range categories {
		if c.key == key {
			return c
		}
	}
	return nil
}

func categoryIndex(key string) int {
	for i, c := range categories {
		if c.key == key {
			return i
		}
	}
	return len(categories)
}

func resolutionByName(name string) *resolutionDef {
	for _, r := range resolutions {
		if strings.EqualFold(r.name, name) {
			return r
		}
	}
	return nil
}

func priorityByName(name string) *priorityDef {
	for _, p := range priorities {
		if strings.EqualFold(p.name, name) {
			return p
		}
	}
	return nil
}

func priorityByNameOrID(v string) *priorityDef {
	for _, p := range priorities {
		if strings.EqualFold(p.name, v) || p.id == v {
			return p
		}
	}
	return nil
}

func issueTypeByName(name string) *issueType {
	for _, t := range issueTypes {
		if strings.EqualFold(t.name, name) {
			return t
		}
	}
	return nil
}

func linkTypeByName(name string) *linkType {
	for _, t := range linkTypes {
		if strings.EqualFold(t.name, name) {
			return t
		}
	}
	return nil
}

type project struct {
	id   int64
	key  string
	name string
	next int // next issue number
}

type issue struct {
	id          int64
	key         string
	formerKeys  []string
	proj        *project
	typ         *issueType
	summary     string
	description string
	environment string
	status      *statusDef
	resolution  *resolutionDef
	resolved    time.Time
	labels      []string
	assignee    string
	reporter    string // settable (Jira's "Modify Reporter" permission)
	creator     string // who created it; never changes
	due         string
	priority    *priorityDef
	components  []string
	parent      int64 // issue id, 0 for none
	custom      map[string]any
	comments    []*comment
	created     time.Time
	updated     time.Time
	catChanged  time.Time // statuscategorychangedate
	deleted     bool

	// What search sees, when Options.IndexLag delays it: the view
	// indexed so far and the views still on their way to the index.
	indexed *Issue
	pending []pendingView
}

type pendingView struct {
	at   time.Time
	view Issue
}

type comment struct {
	id           int64
	author       string
	updateAuthor string
	body         string
	created      time.Time
	updated      time.Time
}

type link struct {
	id      int64
	typ     *linkType
	inward  int64 // the request's inwardIssue: the link's source ("A blocks B")
	outward int64 // the request's outwardIssue: its destination
}

const dateLayout = "2006-01-02"

var projectKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,9}$`)

// projectLocked finds a project by key or id; with Options.Projects unset,
// a well-formed key that is not yet known is created.
func (s *Server) projectLocked(keyOrID string, create bool) *project {
	if p := s.projects[strings.ToUpper(keyOrID)]; p != nil {
		return p
	}
	for _, p := range s.projects {
		if strconv.FormatInt(p.id, 10) == keyOrID {
			return p
		}
	}
	key := strings.ToUpper(keyOrID) // keys are matched case-insensitively
	if s.opts.Projects != nil || !create || !projectKeyRE.MatchString(key) {
		return nil
	}
	return s.addProjectLocked(key)
}

func (s *Server) addProjectLocked(key string) *project {
	s.nextProject++
	p := &project{id: s.nextProject, key: key, name: key, next: 1}
	s.projects[key] = p
	return p
}

// issueLocked finds a live issue by key (current or former) or id.
func (s *Server) issueLocked(keyOrID string) *issue {
	var is *issue
	if idRE.MatchString(keyOrID) {
		id, _ := strconv.ParseInt(keyOrID, 10, 64)
		is = s.issues[id]
	} else {
		is = s.byKey[strings.ToUpper(keyOrID)]
	}
	if is == nil || is.deleted {
		return nil
	}
	return is
}

func (s *Server) nextIDLocked() int64 {
	s.seq++
	return s.seq
}

// touchLocked records a change: updated moves on, and with an index lag
// the new state reaches search only later.
func (s *Server) touchLocked(is *issue, now time.Time) {
	is.updated = now
	if s.opts.IndexLag > 0 {
		is.pending = append(is.pending, pendingView{at: now.Add(s.opts.IndexLag), view: s.snapshotLocked(is)})
	}
}

// searchViewLocked is the issue as search sees it at now; nil when it is
// not indexed yet. Reconciled issues are read as they are.
func (s *Server) searchViewLocked(is *issue, now time.Time, reconcile bool) *Issue {
	if s.opts.IndexLag <= 0 || reconcile {
		v := s.snapshotLocked(is)
		return &v
	}
	i := 0
	for i < len(is.pending) && !is.pending[i].at.After(now) {
		v := is.pending[i].view
		is.indexed = &v
		i++
	}
	is.pending = is.pending[i:]
	return is.indexed
}

func (s *Server) snapshotLocked(is *issue) Issue {
	out := Issue{
		ID: strconv.FormatInt(is.id, 10), Key: is.key, FormerKeys: slices.Clone(is.formerKeys),
		Project: is.proj.key, Type: is.typ.name, Summary: is.summary, Description: is.description,
		Status: is.status.name, StatusCategory: is.status.cat.key, ResolutionDate: is.resolved,
		Labels: slices.Clone(is.labels), Assignee: is.assignee, Reporter: is.reporter, Creator: is.creator, DueDate: is.due,
		Components: slices.Clone(is.components), Custom: cloneJSONMap(is.custom),
		Created: is.created, Updated: is.updated,
	}
	if is.resolution != nil {
		out.Resolution = is.resolution.name
	}
	if is.priority != nil {
		out.Priority = is.priority.name
	}
	if p := s.issues[is.parent]; p != nil && !p.deleted {
		out.Parent = p.key
	}
	for _, l := range s.linksOfLocked(is) {
		if l.inward == is.id {
			out.Links = append(out.Links, Link{Type: l.typ.name, Direction: "outward", Key: s.issues[l.outward].key})
		} else {
			out.Links = append(out.Links, Link{Type: l.typ.name, Direction: "inward", Key: s.issues[l.inward].key})
		}
	}
	for _, c := range is.comments {
		out.Comments = append(out.Comments, Comment{ID: strconv.FormatInt(c.id, 10), Author: c.author, Body: c.body, Created: c.created})
	}
	return out
}

// linksOfLocked lists the links of is whose other end still exists.
func (s *Server) linksOfLocked(is *issue) []*link {
	var out []*link
	for _, l := range s.links {
		other := int64(0)
		switch is.id {
		case l.inward:
			other = l.outward
		case l.outward:
			other = l.inward
		default:
			continue
		}
		if o := s.issues[other]; o != nil && !o.deleted {
			out = append(out, l)
		}
	}
	return out
}

// cloneJSONMap deep-copies decoded JSON so snapshots share nothing.
func cloneJSONMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneJSON(v)
	}
	return out
}

func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneJSONMap(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}

// Users.

// userID is a user's identity in the flavour: accountId or username.
func (s *Server) userID(u *User) string {
	if s.opts.Flavor == DataCenter {
		return u.Name
	}
	return u.AccountID
}

// userLocked finds a user by id. With Options.Users unset, any plausible
// id is a user, made up on first use.
func (s *Server) userLocked(id string) *User {
	if id == "" {
		return nil
	}
	for _, u := range s.users {
		if s.opts.Flavor == DataCenter && strings.EqualFold(u.Name, id) || s.opts.Flavor == Cloud && u.AccountID == id {
			return u
		}
	}
	if s.opts.Users != nil || len(id) > 128 || strings.ContainsAny(id, " \t\n") {
		return nil
	}
	u := &User{DisplayName: id}
	if s.opts.Flavor == DataCenter {
		u.Name = id
		u.Email = id + "@example.com"
	} else {
		u.AccountID = id
	}
	s.users = append(s.users, u)
	return u
}

// userMatches reports whether value names the user with the id, the way
// JQL resolves user values: id, username, e-mail or display name.
func (s *Server) userMatches(id, value string) bool {
	u := s.userLocked(id)
	if u == nil {
		return false
	}
	if s.opts.Flavor == Cloud && u.AccountID == value {
		return true
	}
	for _, v := range []string{u.Name, u.Email, u.DisplayName} {
		if v != "" && strings.EqualFold(v, value) {
			return true
		}
	}
	return false
}

// knownUserValue reports whether a JQL user value names anyone.
func (s *Server) knownUserValue(value string) bool {
	if s.opts.Users == nil {
		return true
	}
	for _, u := range s.users {
		if s.userMatches(s.userID(u), value) {
			return true
		}
	}
	return false
}

// accountFor returns the user an e-mail (Cloud) or username (Data Center)
// signs in as, adding one when the directory does not list them: the API
// user always exists.
func (s *Server) accountFor(login string) *User {
	for _, u := range s.users {
		if s.opts.Flavor == Cloud && strings.EqualFold(u.Email, login) ||
			s.opts.Flavor == DataCenter && strings.EqualFold(u.Name, login) {
			return u
		}
	}
	u := &User{Email: login, DisplayName: login}
	if s.opts.Flavor == Cloud {
		sum := sha256.Sum256([]byte(strings.ToLower(login)))
		u.AccountID = "712020:" + hex.EncodeToString(sum[:16])
		if local, _, ok := strings.Cut(login, "@"); ok {
			u.DisplayName = local
		}
	} else {
		u.Name = login
		u.Email = login + "@example.com"
	}
	s.users = append(s.users, u)
	return u
}

// Test hooks.

// Issues returns a snapshot of the project's issues in creation order;
// deleted issues are left out.
func (s *Server) Issues(projectKey string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, id := range slices.Sorted(maps.Keys(s.issues)) {
		is := s.issues[id]
		if !is.deleted && strings.EqualFold(is.proj.key, projectKey) {
			out = append(out, s.snapshotLocked(is))
		}
	}
	return out
}

// Issue returns one issue by key (current or former) or id; false when it
// does not exist or was deleted.
func (s *Server) Issue(key string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueLocked(key)
	if is == nil {
		return Issue{}, false
	}
	return s.snapshotLocked(is), true
}

// AddIssue stores an issue as if it had been created earlier (seed data)
// and returns its key. ID, Key, Project, Links and Comment IDs of in are
// ignored; zero times default to now; Type defaults to Task, Status to To
// Do, Priority to Medium; a done status without Resolution gets the
// status's own (Done or Won't Do) and, without ResolutionDate, Updated.
// Seeded issues are searchable at once, whatever Options.IndexLag.
func (s *Server) AddIssue(projectKey string, in Issue) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.projectLocked(projectKey, true)
	if p == nil {
		return "", fmt.Errorf("jirasim: no project %s", projectKey)
	}
	now := s.nowLocked()
	at := func(t time.Time) time.Time {
		if t.IsZero() {
			return now
		}
		return t.Truncate(time.Millisecond)
	}
	is := &issue{
		id: s.nextIDLocked(), proj: p, summary: in.Summary, description: in.Description,
		labels: slices.Clone(in.Labels), assignee: in.Assignee, reporter: in.Reporter, due: in.DueDate,
		components: slices.Clone(in.Components), custom: cloneJSONMap(in.Custom), created: at(in.Created),
	}
	is.updated = is.created
	if !in.Updated.IsZero() {
		is.updated = at(in.Updated)
	}
	is.catChanged = is.created
	if is.typ = issueTypeByName(orDefault(in.Type, "Task")); is.typ == nil {
		return "", fmt.Errorf("jirasim: no issue type %q", in.Type)
	}
	if is.status = statusByName(orDefault(in.Status, "To Do")); is.status == nil {
		return "", fmt.Errorf("jirasim: no status %q", in.Status)
	}
	if is.priority = priorityByName(orDefault(in.Priority, defaultPriority)); is.priority == nil {
		return "", fmt.Errorf("jirasim: no priority %q", in.Priority)
	}
	if in.DueDate != "" {
		if _, err := time.Parse(dateLayout, in.DueDate); err != nil {
			return "", fmt.Errorf("jirasim: due date %q is not YYYY-MM-DD", in.DueDate)
		}
	}
	for _, id := range []string{in.Assignee, in.Reporter, in.Creator} {
		if id != "" && s.userLocked(id) == nil {
			return "", fmt.Errorf("jirasim: no user %q", id)
		}
	}
	if is.reporter == "" {
		is.reporter = s.defaultReporterLocked()
	}
	if is.creator = in.Creator; is.creator == "" {
		is.creator = is.reporter
	}
	if in.Parent != "" {
		parent := s.issueLocked(in.Parent)
		if parent == nil {
			return "", fmt.Errorf("jirasim: no parent issue %s", in.Parent)
		}
		is.parent = parent.id
	}
	if is.status.cat.key == "done" {
		res := in.Resolution
		if res == "" {
			res = is.status.name
		}
		if is.resolution = resolutionByName(res); is.resolution == nil {
			return "", fmt.Errorf("jirasim: no resolution %q", res)
		}
		is.resolved = is.updated
		if !in.ResolutionDate.IsZero() {
			is.resolved = at(in.ResolutionDate)
		}
		is.catChanged = is.resolved
	}
	for _, c := range in.Comments {
		author := orDefault(c.Author, is.reporter)
		t := at(c.Created)
		is.comments = append(is.comments, &comment{id: s.nextIDLocked(), author: author, updateAuthor: author, body: c.Body, created: t, updated: t})
	}
	s.addIssueLocked(is)
	v := s.snapshotLocked(is)
	is.indexed = &v
	return is.key, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Server) addIssueLocked(is *issue) {
	is.key = fmt.Sprintf("%s-%d", is.proj.key, is.proj.next)
	is.proj.next++
	s.issues[is.id] = is
	s.byKey[is.key] = is
}

// defaultReporterLocked is the reporter of seeded issues: the first user.
func (s *Server) defaultReporterLocked() string {
	if len(s.users) > 0 {
		return s.userID(s.users[0])
	}
	return ""
}

// Transition moves an issue to a status as a person would in the web UI:
// to is a status or transition name (To Do, In Progress, Done, Won't Do);
// resolution, for done statuses, defaults to the status's own.
func (s *Server) Transition(key, to, resolution string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueLocked(key)
	if is == nil {
		return fmt.Errorf("jirasim: no issue %s", key)
	}
	st := statusByName(to)
	if st == nil {
		return fmt.Errorf("jirasim: no status %q", to)
	}
	var res *resolutionDef
	if resolution != "" {
		if res = resolutionByName(resolution); res == nil {
			return fmt.Errorf("jirasim: no resolution %q", resolution)
		}
	}
	s.transitionLocked(is, st, res, s.nowLocked())
	return nil
}

// transitionLocked sets the status and, as Jira's simplified workflow
// does, the resolution: set on entering a done status, cleared on leaving.
func (s *Server) transitionLocked(is *issue, st *statusDef, res *resolutionDef, now time.Time) {
	if st.cat != is.status.cat {
		is.catChanged = now
	}
	is.status = st
	if st.cat.key == "done" {
		if res == nil {
			res = resolutionByName(st.name)
		}
		if is.resolution == nil || res != is.resolution {
			is.resolved = now
		}
		is.resolution = res
	} else {
		is.resolution, is.resolved = nil, time.Time{}
	}
	s.touchLocked(is, now)
}

// Edit changes an issue as a person would in the web UI: f edits a
// snapshot, and Summary, Description, Labels, Assignee, DueDate,
// Priority, Components and Custom are written back. Status changes go
// through Transition.
func (s *Server) Edit(key string, f func(*Issue)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueLocked(key)
	if is == nil {
		return fmt.Errorf("jirasim: no issue %s", key)
	}
	v := s.snapshotLocked(is)
	f(&v)
	if v.Assignee != "" && s.userLocked(v.Assignee) == nil {
		return fmt.Errorf("jirasim: no user %q", v.Assignee)
	}
	if v.DueDate != "" {
		if _, err := time.Parse(dateLayout, v.DueDate); err != nil {
			return fmt.Errorf("jirasim: due date %q is not YYYY-MM-DD", v.DueDate)
		}
	}
	p := priorityByName(v.Priority)
	if v.Priority != "" && p == nil {
		return fmt.Errorf("jirasim: no priority %q", v.Priority)
	}
	is.summary, is.description, is.labels = v.Summary, v.Description, slices.Clone(v.Labels)
	is.assignee, is.due, is.priority = v.Assignee, v.DueDate, p
	is.components, is.custom = slices.Clone(v.Components), cloneJSONMap(v.Custom)
	s.touchLocked(is, s.nowLocked())
	return nil
}

// Delete deletes an issue: GET answers 404 and search no longer finds it.
func (s *Server) Delete(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueLocked(key)
	if is == nil {
		return fmt.Errorf("jirasim: no issue %s", key)
	}
	is.deleted = true
	return nil
}

// Move moves an issue to another project, as Jira's Move does: it gets a
// new key, and its old key still finds it (GET and JQL answer with the
// new key). It returns the new key.
func (s *Server) Move(key, projectKey string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueLocked(key)
	if is == nil {
		return "", fmt.Errorf("jirasim: no issue %s", key)
	}
	p := s.projectLocked(projectKey, true)
	if p == nil {
		return "", fmt.Errorf("jirasim: no project %s", projectKey)
	}
	is.formerKeys = append(is.formerKeys, is.key)
	is.proj = p
	s.addIssueLocked(is)
	s.touchLocked(is, s.nowLocked())
	return is.key, nil
}
