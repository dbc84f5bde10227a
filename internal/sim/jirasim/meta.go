package jirasim

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Users, server info, fields and create metadata.

func (s *Server) getMyself(x *exchange) reply {
	return reply{status: http.StatusOK, body: s.userJSON(x, x.user)}
}

// getUser is GET /user: ?accountId= on Cloud, ?username= (or key=) on
// Data Center.
func (s *Server) getUser(x *exchange) reply {
	q := x.r.URL.Query()
	var u *User
	if s.opts.Flavor == Cloud {
		id := q.Get("accountId")
		if id == "" {
			return errorReply(http.StatusBadRequest, "The 'accountId' query parameter needs to be provided.")
		}
		u = s.userLocked(id)
	} else {
		name := orDefault(q.Get("username"), q.Get("key"))
		if name == "" {
			return errorReply(http.StatusBadRequest, "Either the 'username' or the 'key' query parameters need to be provided")
		}
		u = s.userLocked(name)
		if u == nil && strings.HasPrefix(name, "JIRAUSER") {
			for _, c := range s.users {
				if s.userJSON(x, c).Key == name {
					u = c
				}
			}
		}
	}
	if u == nil {
		return errorReply(http.StatusNotFound, "Specified user does not exist or you do not have required permissions")
	}
	return reply{status: http.StatusOK, body: s.userJSON(x, u)}
}

// findUsers is GET /user/search. Cloud matches query against the prefix
// of the e-mail address and of display-name words, and refuses username
// (GDPR strict mode). Data Center wants username, matched against the
// username, e-mail and display name, and leaves inactive users out unless
// includeInactive=true.
func (s *Server) findUsers(x *exchange) reply {
	q := x.r.URL.Query()
	startAt, bad := intParam(x, "startAt", 0)
	if bad != nil {
		return *bad
	}
	maxResults, bad := intParam(x, "maxResults", 50)
	if bad != nil {
		return *bad
	}
	var found []*User
	if s.opts.Flavor == Cloud {
		switch {
		case q.Has("username"):
			return errorReply(http.StatusBadRequest, "The query parameter 'username' is not supported in GDPR strict mode.")
		case q.Get("query") != "" && q.Get("accountId") != "":
			return errorReply(http.StatusBadRequest, "Only one of 'query' and 'accountId' may be provided.")
		case q.Get("accountId") != "":
			if u := s.userLocked(q.Get("accountId")); u != nil {
				found = append(found, u)
			}
		case q.Get("query") != "":
			found = s.usersMatching(q.Get("query"), true)
		default:
			return errorReply(http.StatusBadRequest, "One of 'query', 'accountId' or 'property' must be provided.")
		}
	} else {
		name := q.Get("username")
		if name == "" {
			return errorReply(http.StatusBadRequest, "The username query parameter was not provided")
		}
		found = s.usersMatching(name, q.Get("includeInactive") == "true")
	}
	return reply{status: http.StatusOK, body: s.userPage(x, found, startAt, maxResults)}
}

// findAssignableUsers is GET /user/assignable/search: active users only,
// for a project or issue.
func (s *Server) findAssignableUsers(x *exchange) reply {
	q := x.r.URL.Query()
	if q.Get("project") == "" && q.Get("issueKey") == "" && q.Get("issueId") == "" {
		return errorReply(http.StatusBadRequest, "The 'project' or 'issueKey' query parameter needs to be provided.")
	}
	if p := q.Get("project"); p != "" && s.projectLocked(p, false) == nil && s.opts.Projects != nil {
		return errorReply(http.StatusNotFound, "Project '"+p+"' not found.")
	}
	if k := orDefault(q.Get("issueKey"), q.Get("issueId")); k != "" && s.issueLocked(k) == nil {
		return errorReply(http.StatusNotFound, issueNotFound)
	}
	startAt, bad := intParam(x, "startAt", 0)
	if bad != nil {
		return *bad
	}
	maxResults, bad := intParam(x, "maxResults", 50)
	if bad != nil {
		return *bad
	}
	term := q.Get("query")
	if s.opts.Flavor == DataCenter {
		term = q.Get("username")
	}
	var found []*User
	if id := q.Get("accountId"); id != "" {
		if u := s.userLocked(id); u != nil && !u.Inactive {
			found = append(found, u)
		}
	} else {
		found = s.usersMatching(term, false)
	}
	return reply{status: http.StatusOK, body: s.userPage(x, found, startAt, maxResults)}
}

// usersMatching finds users by prefix of their e-mail, username or any
// word of their display name, case-insensitively; "" matches everyone.
func (s *Server) usersMatching(term string, inactive bool) []*User {
	term = strings.ToLower(strings.TrimSpace(term))
	var out []*User
	for _, u := range s.users {
		if u.Inactive && !inactive {
			continue
		}
		cands := []string{u.Email, u.DisplayName}
		if s.opts.Flavor == DataCenter {
			cands = append(cands, u.Name)
		}
		cands = append(cands, strings.Fields(u.DisplayName)...)
		if slices.ContainsFunc(cands, func(c string) bool { return c != "" && strings.HasPrefix(strings.ToLower(c), term) }) {
			out = append(out, u)
		}
	}
	return out
}

func (s *Server) userPage(x *exchange, users []*User, startAt, maxResults int) []any {
	out := []any{}
	for i := max(startAt, 0); i < len(users) && len(out) < max(maxResults, 0); i++ {
		out = append(out, s.userJSON(x, users[i]))
	}
	return out
}

func (s *Server) getServerInfo(x *exchange) reply {
	now := s.ts(x.now)
	info := map[string]any{
		"baseUrl": x.base, "buildDate": now, "serverTime": now, "serverTitle": "Jira",
		"scmInfo": "3f7bd4d9c0e6a1b58f2d7e4c9a0b1c2d3e4f5a6b", "serverTimeZone": s.loc.String(),
	}
	if s.opts.Flavor == Cloud {
		info["version"], info["versionNumbers"] = "1001.0.0-SNAPSHOT", []int{1001, 0, 0}
		info["deploymentType"], info["buildNumber"] = "Cloud", 100294
	} else {
		info["version"], info["versionNumbers"] = "9.12.15", []int{9, 12, 15}
		info["deploymentType"], info["buildNumber"] = "DataCenter", 9120015
	}
	return reply{status: http.StatusOK, body: info}
}

// systemField describes one system field for /field and create metadata.
type systemField struct {
	id, name, typ, items string
	required             bool
	ops                  []string
}

var systemFields = []systemField{
	{id: "summary", name: "Summary", typ: "string", required: true, ops: []string{"set"}},
	{id: "issuetype", name: "Issue Type", typ: "issuetype", required: true},
	{id: "project", name: "Project", typ: "project", required: true, ops: []string{"set"}},
	{id: "description", name: "Description", typ: "string", ops: []string{"set"}},
	{id: "environment", name: "Environment", typ: "string", ops: []string{"set"}},
	{id: "status", name: "Status", typ: "status"},
	{id: "resolution", name: "Resolution", typ: "resolution", ops: []string{"set"}},
	{id: "resolutiondate", name: "Resolved", typ: "datetime"},
	{id: "priority", name: "Priority", typ: "priority", ops: []string{"set"}},
	{id: "labels", name: "Labels", typ: "array", items: "string", ops: []string{"add", "set", "remove"}},
	{id: "components", name: "Components", typ: "array", items: "component", ops: []string{"add", "set", "remove"}},
	{id: "assignee", name: "Assignee", typ: "user", ops: []string{"set"}},
	{id: "reporter", name: "Reporter", typ: "user", ops: []string{"set"}},
	{id: "creator", name: "Creator", typ: "user"},
	{id: "created", name: "Created", typ: "datetime"},
	{id: "updated", name: "Updated", typ: "datetime"},
	{id: "duedate", name: "Due date", typ: "date", ops: []string{"set"}},
	{id: "issuelinks", name: "Linked Issues", typ: "array", items: "issuelinks", ops: []string{"add"}},
	{id: "parent", name: "Parent", typ: "issuelink", ops: []string{"set"}},
	{id: "comment", name: "Comment", typ: "comments-page", ops: []string{"add"}},
}

// clauseNames are each field's JQL names, from the JQL field table.
func clauseNames(id string) []string {
	out := []string{}
	for name, def := range jqlFields {
		if def.id == id {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Server) getFields(x *exchange) reply {
	out := []any{map[string]any{
		"id": "issuekey", "key": "issuekey", "name": "Key", "custom": false, "orderable": false,
		"navigable": true, "searchable": false, "clauseNames": clauseNames("issuekey"),
	}}
	for _, f := range systemFields {
		schema := map[string]any{"type": f.typ, "system": f.id}
		if f.items != "" {
			schema["items"] = f.items
		}
		out = append(out, map[string]any{
			"id": f.id, "key": f.id, "name": f.name, "custom": false, "orderable": f.ops != nil,
			"navigable": f.id != "comment", "searchable": len(clauseNames(f.id)) > 0,
			"clauseNames": clauseNames(f.id), "schema": schema,
		})
	}
	for _, id := range s.customFieldIDs() {
		out = append(out, s.customFieldJSON(id))
	}
	return reply{status: http.StatusOK, body: out}
}

func (s *Server) customFieldIDs() []string {
	var ids []string
	for id := range s.opts.CustomFields {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) customFieldJSON(id string) map[string]any {
	n := strings.TrimPrefix(id, "customfield_")
	num, _ := strconv.Atoi(n)
	name := s.opts.CustomFields[id]
	return map[string]any{
		"id": id, "key": id, "name": name, "custom": true, "orderable": true, "navigable": true,
		"searchable": true, "clauseNames": []string{"cf[" + n + "]", name},
		"schema": map[string]any{"type": "any", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:textfield", "customId": num},
	}
}

func (s *Server) createMetaProject(x *exchange) (*project, *reply) {
	p := s.projectLocked(x.r.PathValue("project"), true)
	if p == nil {
		rep := errorReply(http.StatusBadRequest, "No project could be found with key '"+x.r.PathValue("project")+"'.")
		return nil, &rep
	}
	return p, nil
}

// getCreateMetaIssueTypes is GET /issue/createmeta/{project}/issuetypes.
func (s *Server) getCreateMetaIssueTypes(x *exchange) reply {
	if _, bad := s.createMetaProject(x); bad != nil {
		return *bad
	}
	list := []any{}
	for _, t := range issueTypes {
		list = append(list, map[string]any{
			"self": x.api() + "/issuetype/" + t.id, "id": t.id, "name": t.name, "subtask": t.subtask,
			"hierarchyLevel": t.level, "avatarId": t.avatar,
			"iconUrl": x.base + "/rest/api/2/universal_avatar/view/type/issuetype/avatar/" + strconv.Itoa(t.avatar) + "?size=medium",
		})
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"issueTypes": list, "maxResults": 50, "startAt": 0, "total": len(list),
	}}
}

// getCreateMetaFields is GET /issue/createmeta/{project}/issuetypes/{id}:
// the fields the create screen takes.
func (s *Server) getCreateMetaFields(x *exchange) reply {
	if _, bad := s.createMetaProject(x); bad != nil {
		return *bad
	}
	var t *issueType
	for _, it := range issueTypes {
		if it.id == x.r.PathValue("type") {
			t = it
		}
	}
	if t == nil {
		return errorReply(http.StatusBadRequest, "The issue type selected is invalid.")
	}
	list := []any{}
	for _, f := range systemFields {
		if f.ops == nil && f.id != "issuetype" || f.id == "resolution" || f.id == "comment" {
			continue // not on the create screen
		}
		schema := map[string]any{"type": f.typ, "system": f.id}
		if f.items != "" {
			schema["items"] = f.items
		}
		m := map[string]any{
			"fieldId": f.id, "key": f.id, "name": f.name, "required": f.required,
			"operations": orEmpty(f.ops), "schema": schema, "hasDefaultValue": f.id == "priority",
		}
		switch f.id {
		case "priority":
			var vals []any
			for _, p := range priorities {
				vals = append(vals, priorityOf(x, p))
			}
			m["allowedValues"] = vals
		case "issuetype":
			m["allowedValues"] = []any{issueTypeOf(x, t)}
		}
		list = append(list, m)
	}
	for _, id := range s.customFieldIDs() {
		c := s.customFieldJSON(id)
		list = append(list, map[string]any{
			"fieldId": id, "key": id, "name": c["name"], "required": false, "operations": []string{"set"},
			"schema": c["schema"], "hasDefaultValue": false,
		})
	}
	return reply{status: http.StatusOK, body: map[string]any{
		"fields": list, "maxResults": 50, "startAt": 0, "total": len(list),
	}}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
