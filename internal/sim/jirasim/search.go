package jirasim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Search limits: the enhanced search pages up to 100 issues with fields,
// 5,000 with ids or keys only; its tokens live 7 days. The legacy search
// on Data Center pages up to 1,000 (jira.search.views.default.max).
const (
	defaultPage   = 50
	jqlPageFields = 100
	maxPageLimit  = 5000
	legacyMaxPage = 1000
	tokenLifetime = 7 * 24 * time.Hour
)

const searchRemoved = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"

// searchParams are a search's inputs, from the query string or a POST body.
type searchParams struct {
	JQL           string   `json:"jql"`
	NextPageToken string   `json:"nextPageToken"`
	StartAt       int      `json:"startAt"`
	MaxResults    *int     `json:"maxResults"`
	Fields        []string `json:"fields"`
	Reconcile     []int64  `json:"reconcileIssues"`
	ValidateQuery string   `json:"validateQuery"`
}

func (x *exchange) searchParams() (searchParams, *reply) {
	var p searchParams
	if x.r.Method == http.MethodPost {
		if rep := x.jsonBody(&p); rep != nil {
			return p, rep
		}
		return p, nil
	}
	q := x.r.URL.Query()
	p.JQL, p.NextPageToken, p.ValidateQuery = q.Get("jql"), q.Get("nextPageToken"), q.Get("validateQuery")
	p.Fields = q["fields"]
	var bad *reply
	if p.StartAt, bad = intParam(x, "startAt", 0); bad != nil {
		return p, bad
	}
	if q.Get("maxResults") != "" {
		n, bad := intParam(x, "maxResults", 0)
		if bad != nil {
			return p, bad
		}
		p.MaxResults = &n
	}
	for _, list := range q["reconcileIssues"] {
		for _, v := range strings.Split(list, ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				p.Reconcile = append(p.Reconcile, id)
			}
		}
	}
	return p, nil
}

// searchJQL is Cloud's enhanced search, GET and POST /search/jql: token
// pagination, isLast, no total; unbounded queries are refused. Data Center
// has no such endpoint.
func (s *Server) searchJQL(x *exchange) reply {
	if s.opts.Flavor == DataCenter {
		return s.noSuchResource(x)
	}
	p, bad := x.searchParams()
	if bad != nil {
		return *bad
	}
	q, err := ParseJQL(p.JQL)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	if q.Where == nil {
		return errorReply(http.StatusBadRequest, "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.")
	}
	if errs := s.checkValuesLocked(q); len(errs) > 0 {
		return errorReply(http.StatusBadRequest, errs...)
	}
	sel := parseFieldSel(p.Fields, "id")
	limit := jqlPageFields
	if sel.idOnly() {
		limit = maxPageLimit
	}
	size := defaultPage
	if p.MaxResults != nil && *p.MaxResults > 0 {
		size = min(*p.MaxResults, limit)
	}
	fingerprint := q.String() + "\x00" + strings.Join(p.Fields, ",")
	offset := 0
	if p.NextPageToken != "" {
		var ok bool
		if offset, ok = readToken(p.NextPageToken, fingerprint, x.now); !ok {
			return errorReply(http.StatusBadRequest, badToken)
		}
	}
	found := s.matchLocked(x, q, p.Reconcile)
	end := min(offset+size, len(found))
	issues := []any{}
	for _, is := range found[min(offset, len(found)):end] {
		issues = append(issues, s.issueBean(x, is, sel))
	}
	body := map[string]any{"issues": issues, "isLast": end >= len(found)}
	if end < len(found) {
		body["nextPageToken"] = makeToken(end, fingerprint, x.now)
	}
	return reply{status: http.StatusOK, body: body}
}

// searchLegacy is GET and POST /search: gone from Cloud (410), served by
// Data Center with startAt, maxResults and total.
func (s *Server) searchLegacy(x *exchange) reply {
	if s.opts.Flavor == Cloud {
		return errorReply(http.StatusGone, searchRemoved)
	}
	p, bad := x.searchParams()
	if bad != nil {
		return *bad
	}
	q, err := ParseJQL(p.JQL)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	// validateQuery warn/none turns value errors (a deleted key) into
	// warnings; the offending clause then matches nothing.
	var warnings []string
	if errs := s.checkValuesLocked(q); len(errs) > 0 {
		switch strings.ToLower(p.ValidateQuery) {
		case "warn":
			warnings = errs
		case "none", "false":
		default:
			return errorReply(http.StatusBadRequest, errs...)
		}
	}
	size := defaultPage
	if p.MaxResults != nil {
		size = max(0, min(*p.MaxResults, legacyMaxPage))
	}
	start := max(p.StartAt, 0)
	found := s.matchLocked(x, q, nil)
	sel := parseFieldSel(p.Fields, "*navigable")
	issues := []any{}
	for i := start; i < len(found) && len(issues) < size; i++ {
		bean := s.issueBean(x, found[i], sel)
		if sel.idOnly() { // the legacy search always sends key and self
			bean = map[string]any{"id": bean["id"], "key": found[i].key, "self": s.issueSelf(x, found[i])}
		}
		issues = append(issues, bean)
	}
	body := map[string]any{"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(found), "issues": issues}
	if warnings != nil {
		body["warningMessages"] = warnings
	}
	return reply{status: http.StatusOK, body: body}
}

// matchLocked returns the live issues the query matches, in its order.
// Matching reads the index's view of each issue (see Options.IndexLag);
// reconciled ids are read as they are.
func (s *Server) matchLocked(x *exchange, q Query, reconcile []int64) []*issue {
	env := s.evalEnv(x)
	type hit struct {
		is   *issue
		view *Issue
	}
	var hits []hit
	for _, is := range s.issues {
		if is.deleted {
			continue
		}
		view := s.searchViewLocked(is, x.now, slices.Contains(reconcile, is.id))
		if view == nil || (q.Where != nil && !env.match(q.Where, view)) {
			continue
		}
		hits = append(hits, hit{is, view})
	}
	slices.SortFunc(hits, func(a, b hit) int { return env.compareIssues(q.OrderBy, a.view, b.view) })
	out := make([]*issue, len(hits))
	for i, h := range hits {
		out[i] = h.is
	}
	return out
}

func (s *Server) evalEnv(x *exchange) *evalEnv {
	return &evalEnv{
		now: x.now, loc: s.loc, me: s.userID(x.user), userIs: s.userMatches,
		projectIs: func(key, v string) bool {
			if strings.EqualFold(key, v) {
				return true
			}
			p := s.projects[key]
			return p != nil && (strconv.FormatInt(p.id, 10) == v || strings.EqualFold(p.name, v))
		},
	}
}

// checkValuesLocked does Jira's value validation: named projects, issues,
// statuses, users… must exist. It returns Jira's messages.
func (s *Server) checkValuesLocked(q Query) []string {
	var errs []string
	var walk func(e Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case *And:
			for _, t := range e.Terms {
				walk(t)
			}
		case *Or:
			for _, t := range e.Terms {
				walk(t)
			}
		case *Not:
			walk(e.X)
		case *Clause:
			for _, v := range e.Values {
				if v.Empty || v.Func != "" {
					continue
				}
				if msg := s.checkValueLocked(e, v.Text); msg != "" {
					errs = append(errs, msg)
				}
			}
		}
	}
	if q.Where != nil {
		walk(q.Where)
	}
	return errs
}

func (s *Server) checkValueLocked(c *Clause, v string) string {
	missing := fmt.Sprintf("The value '%s' does not exist for the field '%s'.", v, c.Field)
	ok := true
	switch c.field.kind {
	case kindProject:
		ok = s.opts.Projects == nil || s.projectLocked(v, false) != nil
	case kindKey:
		if !idRE.MatchString(v) && s.issueLocked(v) == nil {
			return fmt.Sprintf("An issue with key '%s' does not exist for field '%s'.", v, c.Field)
		}
	case kindStatus:
		ok = slices.ContainsFunc(statuses, func(st *statusDef) bool { return strings.EqualFold(st.name, v) || st.id == v })
	case kindStatusCategory:
		ok = slices.ContainsFunc(categories, func(cat *category) bool {
			return strings.EqualFold(cat.key, v) || strings.EqualFold(cat.name, v) || strconv.Itoa(cat.id) == v
		})
	case kindResolution:
		ok = strings.EqualFold(v, "Unresolved") || slices.ContainsFunc(resolutions, func(r *resolutionDef) bool { return strings.EqualFold(r.name, v) || r.id == v })
	case kindPriority:
		ok = priorityByNameOrID(v) != nil
	case kindType:
		ok = slices.ContainsFunc(issueTypes, func(t *issueType) bool { return strings.EqualFold(t.name, v) || t.id == v })
	case kindUser:
		ok = s.knownUserValue(v)
	case kindComponent:
		ok = s.opts.Components == nil || containsFold(s.opts.Components, v)
	}
	if !ok {
		return missing
	}
	return ""
}

// Page tokens are opaque to clients: an offset, a digest of the query
// they continue and the time they were issued.

const badToken = "The provided next page token is invalid or expired."

func makeToken(offset int, fingerprint string, now time.Time) string {
	sum := sha256.Sum256([]byte(fingerprint))
	buf := make([]byte, 0, 24)
	buf = binary.AppendUvarint(buf, uint64(offset))
	buf = binary.AppendVarint(buf, now.UnixMilli())
	buf = append(buf, sum[:8]...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

func readToken(tok, fingerprint string, now time.Time) (int, bool) {
	buf, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	offset, n := binary.Uvarint(buf)
	if n <= 0 {
		return 0, false
	}
	issued, m := binary.Varint(buf[n:])
	if m <= 0 || len(buf[n+m:]) != 8 {
		return 0, false
	}
	sum := sha256.Sum256([]byte(fingerprint))
	if string(buf[n+m:]) != string(sum[:8]) || now.Sub(time.UnixMilli(issued)) > tokenLifetime {
		return 0, false
	}
	return int(offset), true
}
