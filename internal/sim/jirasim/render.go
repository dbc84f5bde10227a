package jirasim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// JSON rendering: the shapes of Jira's REST API v2 (and v3, where only
// rich-text bodies differ).

// timeLayout is Jira's timestamp: milliseconds, offset without a colon.
const timeLayout = "2006-01-02T15:04:05.000-0700"

func (s *Server) ts(t time.Time) string { return t.In(s.loc).Format(timeLayout) }

func (s *Server) tsOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.ts(t)
}

type avatarURLs struct {
	X48 string `json:"48x48"`
	X24 string `json:"24x24"`
	X16 string `json:"16x16"`
	X32 string `json:"32x32"`
}

func avatars(seed string) avatarURLs {
	sum := sha256.Sum256([]byte(strings.ToLower(seed)))
	u := "https://secure.gravatar.com/avatar/" + hex.EncodeToString(sum[:16]) + "?d=identicon&s="
	return avatarURLs{X48: u + "48", X24: u + "24", X16: u + "16", X32: u + "32"}
}

// userJSON fits both the User and UserDetails schemas.
type userJSON struct {
	Self         string     `json:"self"`
	AccountID    string     `json:"accountId,omitempty"`
	AccountType  string     `json:"accountType,omitempty"`
	Key          string     `json:"key,omitempty"`
	Name         string     `json:"name,omitempty"`
	EmailAddress string     `json:"emailAddress,omitempty"`
	AvatarURLs   avatarURLs `json:"avatarUrls"`
	DisplayName  string     `json:"displayName"`
	Active       bool       `json:"active"`
	TimeZone     string     `json:"timeZone"`
}

func (s *Server) userJSON(x *exchange, u *User) *userJSON {
	out := &userJSON{
		EmailAddress: u.Email, DisplayName: u.DisplayName, Active: !u.Inactive,
		TimeZone: s.loc.String(),
	}
	if s.opts.Flavor == DataCenter {
		out.Self = x.api() + "/user?username=" + url.QueryEscape(u.Name)
		out.Name = u.Name
		out.Key = "JIRAUSER" + strconv.Itoa(10000+slices.Index(s.users, u))
		out.AvatarURLs = avatars(u.Name)
	} else {
		out.Self = x.api() + "/user?accountId=" + url.QueryEscape(u.AccountID)
		out.AccountID = u.AccountID
		out.AccountType = "atlassian"
		out.AvatarURLs = avatars(u.AccountID)
	}
	if out.DisplayName == "" {
		out.DisplayName = s.userID(u)
	}
	return out
}

// userOrNil renders the user with the id, or null.
func (s *Server) userOrNil(x *exchange, id string) any {
	if u := s.userLocked(id); u != nil {
		return s.userJSON(x, u)
	}
	return nil
}

type statusCategoryJSON struct {
	Self      string `json:"self"`
	ID        int    `json:"id"`
	Key       string `json:"key"`
	ColorName string `json:"colorName"`
	Name      string `json:"name"`
}

type statusJSON struct {
	Self           string             `json:"self"`
	Description    string             `json:"description"`
	IconURL        string             `json:"iconUrl"`
	Name           string             `json:"name"`
	ID             string             `json:"id"`
	StatusCategory statusCategoryJSON `json:"statusCategory"`
}

func statusOf(x *exchange, st *statusDef) statusJSON {
	c := st.cat
	return statusJSON{
		Self: x.api() + "/status/" + st.id, Description: st.description, IconURL: x.base + "/",
		Name: st.name, ID: st.id,
		StatusCategory: statusCategoryJSON{
			Self: x.api() + "/statuscategory/" + strconv.Itoa(c.id), ID: c.id, Key: c.key,
			ColorName: c.colorName, Name: c.name,
		},
	}
}

func resolutionOf(x *exchange, r *resolutionDef) any {
	if r == nil {
		return nil
	}
	return map[string]any{"self": x.api() + "/resolution/" + r.id, "id": r.id, "description": r.description, "name": r.name}
}

func priorityOf(x *exchange, p *priorityDef) any {
	if p == nil {
		return nil
	}
	return map[string]any{
		"self": x.api() + "/priority/" + p.id, "iconUrl": x.base + "/images/icons/priorities/" + strings.ToLower(p.name) + ".svg",
		"name": p.name, "id": p.id,
	}
}

func issueTypeOf(x *exchange, t *issueType) map[string]any {
	return map[string]any{
		"self": x.api() + "/issuetype/" + t.id, "id": t.id, "description": t.description,
		"iconUrl": x.base + "/rest/api/2/universal_avatar/view/type/issuetype/avatar/" + strconv.Itoa(t.avatar) + "?size=medium",
		"name":    t.name, "subtask": t.subtask, "avatarId": t.avatar, "hierarchyLevel": t.level,
	}
}

func projectOf(x *exchange, p *project) map[string]any {
	id := strconv.FormatInt(p.id, 10)
	return map[string]any{
		"self": x.api() + "/project/" + id, "id": id, "key": p.key, "name": p.name,
		"projectTypeKey": "software", "simplified": false, "avatarUrls": avatars(p.key),
	}
}

func linkTypeOf(x *exchange, t *linkType) map[string]any {
	return map[string]any{"id": t.id, "name": t.name, "inward": t.inward, "outward": t.outward, "self": x.api() + "/issueLinkType/" + t.id}
}

func (s *Server) issueSelf(x *exchange, is *issue) string {
	return x.api() + "/issue/" + strconv.FormatInt(is.id, 10)
}

// issueRef is the short form of an issue inside another: links, parent.
func (s *Server) issueRef(x *exchange, is *issue) map[string]any {
	return map[string]any{
		"id": strconv.FormatInt(is.id, 10), "key": is.key, "self": s.issueSelf(x, is),
		"fields": map[string]any{
			"summary": is.summary, "status": statusOf(x, is.status),
			"priority": priorityOf(x, is.priority), "issuetype": issueTypeOf(x, is.typ),
		},
	}
}

// richText is a description or comment body: a string on v2, an
// Atlassian Document on v3.
func (x *exchange) richText(text string) any {
	if x.ver == "3" {
		return textToADF(text)
	}
	return text
}

func (x *exchange) richTextOrNil(text string) any {
	if text == "" {
		return nil
	}
	return x.richText(text)
}

func (s *Server) commentJSON(x *exchange, is *issue, c *comment) map[string]any {
	id := strconv.FormatInt(c.id, 10)
	return map[string]any{
		"self": s.issueSelf(x, is) + "/comment/" + id, "id": id,
		"author": s.userOrNil(x, c.author), "body": x.richText(c.body), "updateAuthor": s.userOrNil(x, c.updateAuthor),
		"created": s.ts(c.created), "updated": s.ts(c.updated), "jsdPublic": true,
	}
}

// fieldSel is an issue's field selection: the fields parameter's
// *all, *navigable, names and -exclusions.
type fieldSel struct {
	all, navigable bool
	include        map[string]bool
	exclude        map[string]bool
}

// parseFieldSel reads fields parameters (repeated and comma-separated);
// def applies when none name a field to include.
func parseFieldSel(params []string, def string) fieldSel {
	sel := fieldSel{include: map[string]bool{}, exclude: map[string]bool{}}
	picked := false
	for _, p := range params {
		for _, f := range strings.Split(p, ",") {
			f = strings.TrimSpace(f)
			switch {
			case f == "":
			case f == "*all":
				sel.all, picked = true, true
			case f == "*navigable":
				sel.navigable, picked = true, true
			case strings.HasPrefix(f, "-"):
				sel.exclude[f[1:]] = true
			default:
				sel.include[f] = true
				picked = true
			}
		}
	}
	if !picked {
		switch def {
		case "*all":
			sel.all = true
		case "*navigable":
			sel.navigable = true
		default:
			sel.include[def] = true
		}
	}
	return sel
}

func (f fieldSel) has(id string) bool {
	if f.exclude[id] {
		return false
	}
	// comment is not navigable: *navigable leaves it out.
	return f.all || f.include[id] || (f.navigable && id != "comment")
}

// idOnly reports a selection of no field beyond id and key, which search
// answers with the bare issue (and allows 5,000 per page).
func (f fieldSel) idOnly() bool {
	if f.all || f.navigable {
		return false
	}
	for k := range f.include {
		if k != "id" && k != "key" {
			return false
		}
	}
	return true
}

// issueBean renders an issue with the selected fields.
func (s *Server) issueBean(x *exchange, is *issue, sel fieldSel) map[string]any {
	id := strconv.FormatInt(is.id, 10)
	if sel.idOnly() {
		out := map[string]any{"id": id}
		if sel.include["key"] {
			out["key"], out["self"] = is.key, s.issueSelf(x, is)
		}
		return out
	}
	all := s.issueFields(x, is)
	fields := map[string]any{}
	for k, v := range all {
		if sel.has(k) {
			fields[k] = v
		}
	}
	return map[string]any{
		"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
		"id":     id, "self": s.issueSelf(x, is), "key": is.key, "fields": fields,
	}
}

// issueFields are every field of an issue, by field id.
func (s *Server) issueFields(x *exchange, is *issue) map[string]any {
	labels := slices.Clone(is.labels)
	if labels == nil {
		labels = []string{}
	}
	components := []any{}
	for _, c := range is.components {
		components = append(components, map[string]any{"self": x.api() + "/component/" + componentID(c), "id": componentID(c), "name": c})
	}
	links := []any{}
	for _, l := range s.linksOfLocked(is) {
		id := strconv.FormatInt(l.id, 10)
		m := map[string]any{"id": id, "self": x.api() + "/issueLink/" + id, "type": linkTypeOf(x, l.typ)}
		if l.inward == is.id {
			m["outwardIssue"] = s.issueRef(x, s.issues[l.outward])
		} else {
			m["inwardIssue"] = s.issueRef(x, s.issues[l.inward])
		}
		links = append(links, m)
	}
	comments := []any{}
	for _, c := range is.comments {
		comments = append(comments, s.commentJSON(x, is, c))
	}
	var due any
	if is.due != "" {
		due = is.due
	}
	f := map[string]any{
		"summary": is.summary, "issuetype": issueTypeOf(x, is.typ), "project": projectOf(x, is.proj),
		"status": statusOf(x, is.status), "statuscategorychangedate": s.ts(is.catChanged),
		"resolution": resolutionOf(x, is.resolution), "resolutiondate": s.tsOrNil(is.resolved),
		"priority": priorityOf(x, is.priority), "labels": labels, "components": components,
		"assignee": s.userOrNil(x, is.assignee), "reporter": s.userOrNil(x, is.reporter),
		"creator": s.userOrNil(x, is.creator), "created": s.ts(is.created), "updated": s.ts(is.updated),
		"duedate": due, "description": x.richTextOrNil(is.description), "issuelinks": links,
		"environment": x.richTextOrNil(is.environment),
		"comment": map[string]any{
			"comments": comments, "self": s.issueSelf(x, is) + "/comment",
			"maxResults": len(comments), "total": len(comments), "startAt": 0,
		},
	}
	if p := s.issues[is.parent]; p != nil && !p.deleted {
		f["parent"] = s.issueRef(x, p)
	}
	for k, v := range is.custom {
		f[k] = v
	}
	return f
}

// componentID is a stable made-up id for a component name.
func componentID(name string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(name)))
	n := (int(sum[0])<<8 | int(sum[1])) % 90000
	return strconv.Itoa(10000 + n)
}

// Atlassian Document Format, as much as rich-text bodies need: text in,
// one paragraph per line; text out, every text node, blocks on their own
// lines.

func textToADF(text string) map[string]any {
	content := []any{}
	if text != "" {
		for _, line := range strings.Split(text, "\n") {
			p := map[string]any{"type": "paragraph", "content": []any{}}
			if line != "" {
				p["content"] = []any{map[string]any{"type": "text", "text": line}}
			}
			content = append(content, p)
		}
	}
	return map[string]any{"type": "doc", "version": 1, "content": content}
}

// isADF reports whether v is an Atlassian Document.
func isADF(v any) bool {
	m, ok := v.(map[string]any)
	return ok && m["type"] == "doc"
}

func adfToText(v any) string {
	var blocks []string
	var walk func(n any, b *strings.Builder)
	walk = func(n any, b *strings.Builder) {
		m, ok := n.(map[string]any)
		if !ok {
			return
		}
		switch m["type"] {
		case "text":
			s, _ := m["text"].(string)
			b.WriteString(s)
		case "hardBreak":
			b.WriteString("\n")
		case "mention", "emoji", "status", "date":
			if a, ok := m["attrs"].(map[string]any); ok {
				s, _ := a["text"].(string)
				b.WriteString(s)
			}
		case "inlineCard":
			if a, ok := m["attrs"].(map[string]any); ok {
				s, _ := a["url"].(string)
				b.WriteString(s)
			}
		}
		kids, _ := m["content"].([]any)
		for _, k := range kids {
			walk(k, b)
		}
	}
	var leaf func(n any)
	leaf = func(n any) {
		m, ok := n.(map[string]any)
		if !ok {
			return
		}
		kids, _ := m["content"].([]any)
		inline := len(kids) == 0
		for _, k := range kids {
			if km, ok := k.(map[string]any); ok {
				switch km["type"] {
				case "text", "hardBreak", "mention", "emoji", "inlineCard", "status", "date":
					inline = true
				}
			}
		}
		if m["type"] != "doc" && inline {
			var b strings.Builder
			walk(m, &b)
			blocks = append(blocks, b.String())
			return
		}
		for _, k := range kids {
			leaf(k)
		}
	}
	leaf(v)
	return strings.Join(blocks, "\n")
}
