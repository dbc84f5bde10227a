package ghsim

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	docLabels     = "https://docs.github.com/rest/issues/labels"
	docMilestones = "https://docs.github.com/rest/issues/milestones"
	maxLabelName  = 50
	maxLabelDesc  = 100
)

var colorRE = regexp.MustCompile(`^(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

func (s *Server) listLabels(x *exchange) reply {
	rp, rep, ok := s.repoOf(x, docLabels+"#list-labels-for-a-repository")
	if !ok {
		return rep
	}
	ls := make([]*label, 0, len(rp.labels))
	for _, l := range rp.labels {
		ls = append(ls, l)
	}
	slices.SortFunc(ls, func(a, b *label) int { return cmpInt(a.id, b.id) })
	page, link := paginate(x, ls)
	body := make([]labelJSON, 0, len(page))
	for _, l := range page {
		body = append(body, l.json(x, rp))
	}
	return reply{status: http.StatusOK, body: body, link: link}
}

func (s *Server) getLabel(x *exchange) reply {
	const doc = docLabels + "#get-a-label"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	l := s.labelLocked(rp, x.r.PathValue("name"), false)
	if l == nil {
		return notFound(doc)
	}
	return reply{status: http.StatusOK, body: l.json(x, rp)}
}

func (s *Server) createLabel(x *exchange) reply {
	const doc = docLabels + "#create-a-label"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	name, ok := f.str("name")
	if !ok {
		return notA(doc, "name", "a string", f["name"])
	}
	color, ok := f.str("color")
	if !ok {
		return notA(doc, "color", "a string", f["color"])
	}
	desc, ok := f.str("description")
	if !ok {
		return notA(doc, "description", "a string", f["description"])
	}
	switch {
	case strings.TrimSpace(name) == "":
		return validationFailed(doc, fieldError{Resource: "Label", Code: "missing_field", Field: "name"})
	case utf8.RuneCountInString(name) > maxLabelName:
		return validationFailed(doc, tooLong("Label", "name", maxLabelName))
	case utf8.RuneCountInString(desc) > maxLabelDesc:
		return validationFailed(doc, tooLong("Label", "description", maxLabelDesc))
	case color != "" && !colorRE.MatchString(color):
		return validationFailed(doc, fieldError{Resource: "Label", Code: "invalid", Field: "color", Value: color})
	case s.labelLocked(rp, name, false) != nil:
		return validationFailed(doc, fieldError{Resource: "Label", Code: "already_exists", Field: "name"})
	}
	l := s.labelLocked(rp, name, true)
	if color != "" {
		l.color = strings.ToLower(color)
	}
	l.description = desc
	out := l.json(x, rp)
	return reply{status: http.StatusCreated, body: out, header: http.Header{"Location": {out.URL}}}
}

func (s *Server) listMilestones(x *exchange) reply {
	const doc = docMilestones + "#list-milestones"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	q := x.r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var ms []*milestoneJSON
	for _, m := range rp.milestones {
		if state == "all" || m.state == state {
			ms = append(ms, s.milestoneJSON(x, rp, m))
		}
	}
	// Milestones without a due date come last, as on GitHub.
	key := func(m *milestoneJSON) float64 {
		if m.DueOn == nil {
			return 1e18
		}
		t, _ := time.Parse(timeLayout, *m.DueOn)
		return float64(t.Unix())
	}
	if q.Get("sort") == "completeness" {
		key = func(m *milestoneJSON) float64 {
			if n := m.OpenIssues + m.ClosedIssues; n > 0 {
				return float64(m.ClosedIssues) / float64(n)
			}
			return 0
		}
	}
	desc := q.Get("direction") == "desc"
	slices.SortFunc(ms, func(a, b *milestoneJSON) int {
		c := 0
		if ka, kb := key(a), key(b); ka < kb {
			c = -1
		} else if ka > kb {
			c = 1
		}
		if c == 0 {
			c = a.Number - b.Number
		}
		if desc {
			return -c
		}
		return c
	})
	page, link := paginate(x, ms)
	if page == nil {
		page = []*milestoneJSON{}
	}
	return reply{status: http.StatusOK, body: page, link: link}
}

func (s *Server) getMilestone(x *exchange) reply {
	const doc = docMilestones + "#get-a-milestone"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	n, err := strconv.Atoi(x.r.PathValue("number"))
	m := rp.milestones[n]
	if err != nil || m == nil {
		return notFound(doc)
	}
	return reply{status: http.StatusOK, body: s.milestoneJSON(x, rp, m)}
}

func (s *Server) createMilestone(x *exchange) reply {
	const doc = docMilestones + "#create-a-milestone"
	rp, rep, ok := s.repoOf(x, doc)
	if !ok {
		return rep
	}
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return rep
	}
	var vals [4]string
	for i, k := range []string{"title", "state", "description", "due_on"} {
		if vals[i], ok = f.str(k); !ok {
			return notA(doc, k, "a string", f[k])
		}
	}
	title, state, desc, dueOn := vals[0], vals[1], vals[2], vals[3]
	if state == "" {
		state = "open"
	}
	var due time.Time
	if dueOn != "" {
		t, err := time.Parse(time.RFC3339, dueOn)
		if err != nil {
			return validationFailed(doc, fieldError{Resource: "Milestone", Code: "invalid", Field: "due_on", Value: dueOn})
		}
		due = pacificMidnight(t)
	}
	switch {
	case strings.TrimSpace(title) == "":
		return validationFailed(doc, fieldError{Resource: "Milestone", Code: "missing_field", Field: "title"})
	case state != "open" && state != "closed":
		return validationFailed(doc, fieldError{Resource: "Milestone", Code: "invalid", Field: "state", Value: state})
	}
	for _, m := range rp.milestones {
		if strings.EqualFold(m.title, title) {
			return validationFailed(doc, fieldError{Resource: "Milestone", Code: "already_exists", Field: "title"})
		}
	}
	m := &milestone{
		id: s.nextID(), number: rp.nextMS, title: title, description: desc, state: state,
		creator: x.login, due: due, created: x.now, updated: x.now,
	}
	if state == "closed" {
		m.closed = x.now
	}
	rp.milestones[m.number] = m
	rp.nextMS++
	out := s.milestoneJSON(x, rp, m)
	return reply{status: http.StatusCreated, body: out, header: http.Header{"Location": {out.URL}}}
}

// pacificMidnight keeps only the date of t as seen in US Pacific time, as
// GitHub does with a milestone's due_on: 2026-04-01T05:00:00Z becomes
// 2026-03-31T07:00:00Z. The US DST rule since 2007 is built in, so no
// time-zone database is needed.
func pacificMidnight(t time.Time) time.Time {
	y, m, d := t.UTC().Add(pacificOffset(t)).Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return midnight.Add(-pacificOffset(midnight.Add(8 * time.Hour)))
}

func pacificOffset(t time.Time) time.Duration {
	y := t.UTC().Year()
	nthSunday := func(month time.Month, n int) time.Time {
		first := time.Date(y, month, 1, 0, 0, 0, 0, time.UTC)
		return first.AddDate(0, 0, (7-int(first.Weekday()))%7+7*(n-1))
	}
	start := nthSunday(time.March, 2).Add(10 * time.Hour) // 02:00 PST
	end := nthSunday(time.November, 1).Add(9 * time.Hour) // 02:00 PDT
	if !t.Before(start) && t.Before(end) {
		return -7 * time.Hour
	}
	return -8 * time.Hour
}

func (s *Server) getRateLimit(x *exchange) reply {
	b := s.bucketLocked(x.login, x.now)
	core := map[string]any{
		"limit": s.opts.RateLimit, "remaining": b.remaining, "reset": b.reset.Unix(),
		"used": s.opts.RateLimit - b.remaining, "resource": "core",
	}
	fresh := func(limit int, window time.Duration, resource string) map[string]any {
		return map[string]any{"limit": limit, "remaining": limit, "reset": x.now.Add(window).Unix(), "used": 0, "resource": resource}
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"resources": map[string]any{
			"core":                 core,
			"search":               fresh(30, time.Minute, "search"),
			"code_search":          fresh(10, time.Minute, "code_search"),
			"graphql":              fresh(5000, time.Hour, "graphql"),
			"integration_manifest": fresh(5000, time.Hour, "integration_manifest"),
		},
		"rate": core,
	}}
}

// userProfile is the private (own) or public view of a user.
func (s *Server) userProfile(x *exchange, login string, private bool) map[string]any {
	u := s.user(x, login)
	created := ts(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC))
	m := map[string]any{
		"login": u.Login, "id": u.ID, "node_id": u.NodeID, "avatar_url": u.AvatarURL,
		"gravatar_id": u.GravatarID, "url": u.URL, "html_url": u.HTMLURL,
		"followers_url": u.FollowersURL, "following_url": u.FollowingURL, "gists_url": u.GistsURL,
		"starred_url": u.StarredURL, "subscriptions_url": u.SubscriptionsURL,
		"organizations_url": u.OrganizationsURL, "repos_url": u.ReposURL, "events_url": u.EventsURL,
		"received_events_url": u.ReceivedEventsURL, "type": u.Type, "site_admin": false,
		"name": login, "company": nil, "blog": "", "location": nil, "email": nil, "hireable": nil,
		"bio": nil, "twitter_username": nil, "public_repos": 0, "public_gists": 0,
		"followers": 0, "following": 0, "created_at": created, "updated_at": created,
		"user_view_type": "public",
	}
	if private {
		m["user_view_type"] = "private"
		m["private_gists"] = 0
		m["total_private_repos"] = 0
		m["owned_private_repos"] = 0
		m["disk_usage"] = 0
		m["collaborators"] = 0
		m["two_factor_authentication"] = true
		m["plan"] = map[string]any{"name": "free", "space": 976562499, "collaborators": 0, "private_repos": 10000}
	}
	return m
}

// tokenUser reports whether login is the user of some token.
func (s *Server) tokenUser(login string) bool {
	if strings.EqualFold(login, s.opts.Login) && s.opts.Tokens == nil {
		return true
	}
	for _, u := range s.opts.Tokens {
		if strings.EqualFold(u, login) {
			return true
		}
	}
	return false
}

func (s *Server) getAuthenticatedUser(x *exchange) reply {
	return reply{status: http.StatusOK, body: s.userProfile(x, x.login, true)}
}

func (s *Server) getUser(x *exchange) reply {
	login, ok := s.userLocked(x.r.PathValue("username"))
	if !ok {
		return notFound("https://docs.github.com/rest/users/users#get-a-user")
	}
	return reply{status: http.StatusOK, body: s.userProfile(x, login, false)}
}

func (s *Server) getRepo(x *exchange) reply {
	rp, rep, ok := s.repoOf(x, "https://docs.github.com/rest/repos/repos#get-a-repository")
	if !ok {
		return rep
	}
	return reply{status: http.StatusOK, body: s.repoJSON(x, rp)}
}

// repoJSON renders a repository (the full-repository shape).
func (s *Server) repoJSON(x *exchange, rp *repo) map[string]any {
	api, html := rp.apiURL(x), rp.htmlURL(s)
	owner := s.user(x, rp.owner)
	if !s.tokenUser(rp.owner) {
		owner.Type = "Organization" // shared postmortem repositories belong to organisations
	}
	open := 0
	for _, is := range rp.issues {
		if !is.deleted && is.state == "open" {
			open++
		}
	}
	host := strings.TrimPrefix(strings.TrimPrefix(s.opts.HTMLBase, "https://"), "http://")
	m := map[string]any{
		"id": rp.id, "node_id": nodeID("R_kgDO", rp.id), "name": rp.name,
		"full_name": rp.owner + "/" + rp.name, "private": true, "owner": owner,
		"html_url": html, "description": nil, "fork": false, "url": api,
		"homepage": nil, "language": nil, "mirror_url": nil, "license": nil,
		"clone_url": html + ".git", "git_url": "git://" + host + "/" + rp.owner + "/" + rp.name + ".git",
		"ssh_url": "git@" + host + ":" + rp.owner + "/" + rp.name + ".git", "svn_url": html,
		"default_branch": "main", "visibility": "private", "topics": []string{},
		"forks": 0, "forks_count": 0, "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
		"size": 0, "open_issues": open, "open_issues_count": open, "network_count": 0, "subscribers_count": 1,
		"has_issues": true, "has_projects": true, "has_wiki": true, "has_pages": false,
		"has_downloads": true, "has_discussions": false, "archived": false, "disabled": false,
		"is_template": false, "allow_forking": false, "web_commit_signoff_required": false,
		"pushed_at": ts(rp.created), "created_at": ts(rp.created), "updated_at": ts(rp.created),
		"permissions": map[string]bool{"admin": false, "maintain": false, "push": true, "triage": true, "pull": true},
	}
	// The *_url templates, as GitHub spells them.
	for k, suffix := range map[string]string{
		"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}",
		"blobs_url": "/git/blobs{/sha}", "branches_url": "/branches{/branch}",
		"collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
		"commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}",
		"contents_url": "/contents/{+path}", "contributors_url": "/contributors",
		"deployments_url": "/deployments", "downloads_url": "/downloads", "events_url": "/events",
		"forks_url": "/forks", "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}",
		"git_tags_url": "/git/tags{/sha}", "hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}",
		"issue_events_url": "/issues/events{/number}", "issues_url": "/issues{/number}",
		"keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}", "languages_url": "/languages",
		"merges_url": "/merges", "milestones_url": "/milestones{/number}",
		"notifications_url": "/notifications{?since,all,participating}", "pulls_url": "/pulls{/number}",
		"releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
		"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags",
		"teams_url": "/teams", "trees_url": "/git/trees{/sha}",
	} {
		m[k] = api + suffix
	}
	return m
}

// issueLabelsReply is the answer of the issue-label operations: the
// issue's labels, in the order they were added.
func (s *Server) issueLabelsReply(x *exchange, rp *repo, is *issue) reply {
	body := make([]labelJSON, 0, len(is.labels))
	for _, l := range is.labels {
		body = append(body, l.json(x, rp))
	}
	return reply{status: http.StatusOK, body: body}
}

func (s *Server) listIssueLabels(x *exchange) reply {
	rp, is, rep, ok := s.issueOf(x, docLabels+"#list-labels-for-an-issue")
	if !ok {
		return rep
	}
	page, link := paginate(x, is.labels)
	body := make([]labelJSON, 0, len(page))
	for _, l := range page {
		body = append(body, l.json(x, rp))
	}
	return reply{status: http.StatusOK, body: body, link: link}
}

// readIssueLabels reads the names of POST and PUT .../labels: an object
// {"labels": [...]} of names or {name} objects. GitHub also takes a bare
// array, which its description no longer allows: the simulator holds to
// the description.
func readIssueLabels(x *exchange, doc string) ([]string, reply, bool) {
	f, rep, ok := decodeObject(x, doc)
	if !ok {
		return nil, rep, false
	}
	if !f.has("labels") || f.null("labels") {
		return nil, invalidRequest(doc, "Invalid request.\n\n\"labels\" wasn't supplied."), false
	}
	names, ok := f.names("labels", "name")
	if !ok {
		return nil, notA(doc, "labels", "an array of strings or label objects", f["labels"]), false
	}
	for _, n := range names {
		switch {
		case strings.TrimSpace(n) == "":
			return nil, validationFailed(doc, fieldError{Resource: "Label", Code: "missing_field", Field: "name"}), false
		case utf8.RuneCountInString(n) > maxLabelName:
			return nil, validationFailed(doc, tooLong("Label", "name", maxLabelName)), false
		}
	}
	return names, reply{}, true
}

// addIssueLabels adds labels to an issue, creating those the repository
// lacks, as GitHub does; labels it already has stay once.
func (s *Server) addIssueLabels(x *exchange) reply {
	return s.writeIssueLabels(x, docLabels+"#add-labels-to-an-issue", func(rp *repo, is *issue, names []string) {
		for _, n := range names {
			if l := s.labelLocked(rp, n, true); !slices.Contains(is.labels, l) {
				is.labels = append(is.labels, l)
			}
		}
	})
}

// setIssueLabels replaces an issue's labels.
func (s *Server) setIssueLabels(x *exchange) reply {
	return s.writeIssueLabels(x, docLabels+"#set-labels-for-an-issue", func(rp *repo, is *issue, names []string) {
		s.setLabels(rp, is, names)
	})
}

// writeIssueLabels reads the labels of POST or PUT .../labels and applies
// them to the issue.
func (s *Server) writeIssueLabels(x *exchange, doc string, apply func(*repo, *issue, []string)) reply {
	rp, is, rep, ok := s.issueOf(x, doc)
	if !ok {
		return rep
	}
	names, rep, ok := readIssueLabels(x, doc)
	if !ok {
		return rep
	}
	apply(rp, is, names)
	is.updated = x.now
	return s.issueLabelsReply(x, rp, is)
}

func (s *Server) removeAllIssueLabels(x *exchange) reply {
	_, is, rep, ok := s.issueOf(x, docLabels+"#remove-all-labels-from-an-issue")
	if !ok {
		return rep
	}
	is.labels = nil
	is.updated = x.now
	return reply{status: http.StatusNoContent}
}

// removeIssueLabel removes one label: 404 "Label does not exist" when the
// issue does not carry it.
func (s *Server) removeIssueLabel(x *exchange) reply {
	const doc = docLabels + "#remove-a-label-from-an-issue"
	rp, is, rep, ok := s.issueOf(x, doc)
	if !ok {
		return rep
	}
	name := x.r.PathValue("name")
	i := slices.IndexFunc(is.labels, func(l *label) bool { return strings.EqualFold(l.name, name) })
	if i < 0 {
		return reply{status: http.StatusNotFound, body: errorBody("Label does not exist", doc, 404)}
	}
	is.labels = slices.Delete(is.labels, i, i+1)
	is.updated = x.now
	return s.issueLabelsReply(x, rp, is)
}
