package jirasim

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

// evalEnv is what evaluating a query needs besides the issue.
type evalEnv struct {
	now time.Time
	loc *time.Location
	me  string // the searching user's id (accountId or name)
	// userIs reports whether value names the user id: by id, name, e-mail
	// or display name, as Jira resolves user values.
	userIs func(id, value string) bool
	// projectIs reports whether value names the project key: by key, id or name.
	projectIs func(key, value string) bool
}

func (env *evalEnv) match(e Expr, is *Issue) bool {
	switch e := e.(type) {
	case *And:
		for _, t := range e.Terms {
			if !env.match(t, is) {
				return false
			}
		}
		return true
	case *Or:
		for _, t := range e.Terms {
			if env.match(t, is) {
				return true
			}
		}
		return false
	case *Not:
		return !env.match(e.X, is)
	case *Clause:
		return env.clause(e, is)
	}
	return false
}

// clause follows Jira's semantics: != and NOT IN never match an empty
// field ("assignee != bob" leaves out unassigned issues).
func (env *evalEnv) clause(c *Clause, is *Issue) bool {
	empty := env.empty(c, is)
	anyEqual := func() bool {
		for _, v := range c.Values {
			if env.equals(c, is, v) {
				return true
			}
		}
		return false
	}
	switch c.Op {
	case "is":
		return empty
	case "is not":
		return !empty
	case "=", "in":
		return anyEqual()
	case "!=", "not in":
		return !empty && !anyEqual()
	case "~":
		return !empty && env.contains(c, is, c.Values[0])
	case "!~":
		return !empty && !env.contains(c, is, c.Values[0])
	}
	n, ok := env.compare(c, is, c.Values[0])
	if !ok {
		return false
	}
	switch c.Op {
	case ">":
		return n > 0
	case ">=":
		return n >= 0
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	}
	return false
}

func (env *evalEnv) empty(c *Clause, is *Issue) bool {
	switch c.field.kind {
	case kindLabels:
		return len(is.Labels) == 0
	case kindResolution:
		return is.Resolution == ""
	case kindUser:
		return userField(c, is) == ""
	case kindDate:
		_, ok := dateField(c.field.id, is, env.loc)
		return !ok
	case kindComponent:
		return len(is.Components) == 0
	case kindText:
		return textField(c.field.id, is) == ""
	case kindCustom:
		return len(customStrings(is.Custom[c.field.id])) == 0
	case kindPriority:
		return is.Priority == ""
	}
	return false // project, key, status, category, type: always set
}

func (env *evalEnv) equals(c *Clause, is *Issue, v Value) bool {
	if v.Empty {
		return env.empty(c, is)
	}
	if v.Func != "" {
		switch c.field.kind {
		case kindUser:
			return strings.EqualFold(v.Func, "currentUser") && env.me != "" && userField(c, is) == env.me
		case kindDate:
			n, ok := env.compare(c, is, v)
			return ok && n == 0
		}
		return false
	}
	t := v.Text
	switch c.field.kind {
	case kindProject:
		return env.projectIs(is.Project, t)
	case kindKey:
		if idRE.MatchString(t) {
			return t == is.ID
		}
		if strings.EqualFold(t, is.Key) {
			return true
		}
		for _, k := range is.FormerKeys {
			if strings.EqualFold(t, k) {
				return true
			}
		}
		return false
	case kindLabels:
		return containsFold(is.Labels, t)
	case kindStatus:
		st := statusByName(is.Status)
		return st != nil && (strings.EqualFold(t, st.name) || t == st.id)
	case kindStatusCategory:
		cat := categoryByKey(is.StatusCategory)
		return cat != nil && (strings.EqualFold(t, cat.key) || strings.EqualFold(t, cat.name) || t == strconv.Itoa(cat.id))
	case kindResolution:
		if strings.EqualFold(t, "Unresolved") {
			return is.Resolution == ""
		}
		r := resolutionByName(is.Resolution)
		return r != nil && (strings.EqualFold(t, r.name) || t == r.id)
	case kindUser:
		id := userField(c, is)
		return id != "" && env.userIs(id, t)
	case kindPriority:
		p := priorityByName(is.Priority)
		return p != nil && (strings.EqualFold(t, p.name) || t == p.id)
	case kindType:
		it := issueTypeByName(is.Type)
		return it != nil && (strings.EqualFold(t, it.name) || t == it.id)
	case kindComponent:
		return containsFold(is.Components, t)
	case kindCustom:
		return containsFold(customStrings(is.Custom[c.field.id]), t)
	case kindDate:
		n, ok := env.compare(c, is, v)
		return ok && n == 0
	}
	return false
}

// contains is the ~ operator: a case-insensitive substring match, a
// simplification of Jira's word search; '*' wildcards are dropped.
func (env *evalEnv) contains(c *Clause, is *Issue, v Value) bool {
	needle := strings.ToLower(strings.Trim(strings.TrimSpace(v.Text), "*"))
	var hay string
	if c.field.kind == kindCustom {
		hay = strings.Join(customStrings(is.Custom[c.field.id]), "\n")
	} else {
		hay = textField(c.field.id, is)
	}
	return strings.Contains(strings.ToLower(hay), needle)
}

// compare orders the issue's field against v: <0, 0, >0; false when either
// side has no place in the order (empty field, key of another project).
func (env *evalEnv) compare(c *Clause, is *Issue, v Value) (int, bool) {
	switch c.field.kind {
	case kindDate:
		have, ok := dateField(c.field.id, is, env.loc)
		if !ok {
			return 0, false
		}
		want, ok := env.dateValue(v)
		if !ok {
			return 0, false
		}
		return have.Compare(want), true
	case kindKey:
		if idRE.MatchString(v.Text) {
			a, _ := strconv.ParseInt(is.ID, 10, 64)
			b, _ := strconv.ParseInt(v.Text, 10, 64)
			return cmp.Compare(a, b), true
		}
		p, n, ok := splitKey(v.Text)
		ip, in, _ := splitKey(is.Key)
		if !ok || !strings.EqualFold(p, ip) {
			return 0, false
		}
		return cmp.Compare(in, n), true
	case kindPriority:
		have, want := priorityByName(is.Priority), priorityByNameOrID(v.Text)
		if have == nil || want == nil {
			return 0, false
		}
		return cmp.Compare(want.rank, have.rank), true // rank 1 is the highest
	}
	return 0, false
}

// dateValue is the instant a date operand names, in the server's zone.
func (env *evalEnv) dateValue(v Value) (time.Time, bool) {
	if v.Func != "" {
		var shift time.Duration
		if len(v.Args) > 0 {
			shift, _ = parsePeriod(v.Args[0])
		}
		now := env.now.In(env.loc)
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, env.loc)
		switch strings.ToLower(v.Func) {
		case "now":
			return now.Add(shift), true
		case "startofday":
			return day.Add(shift), true
		case "endofday":
			return day.Add(24*time.Hour - time.Millisecond).Add(shift), true
		}
		return time.Time{}, false
	}
	abs, rel, ok := parseJQLDate(v.Text)
	if !ok {
		return time.Time{}, false
	}
	if abs.IsZero() {
		return env.now.Add(rel).Truncate(time.Minute), true
	}
	return time.Date(abs.Year(), abs.Month(), abs.Day(), abs.Hour(), abs.Minute(), 0, 0, env.loc), true
}

func userField(c *Clause, is *Issue) string {
	if c.field.id == "reporter" {
		return is.Reporter
	}
	return is.Assignee
}

func dateField(id string, is *Issue, loc *time.Location) (time.Time, bool) {
	var t time.Time
	switch id {
	case "created":
		t = is.Created
	case "updated":
		t = is.Updated
	case "resolutiondate":
		t = is.ResolutionDate
	case "duedate":
		if is.DueDate == "" {
			return time.Time{}, false
		}
		d, err := time.ParseInLocation(dateLayout, is.DueDate, loc)
		if err != nil {
			return time.Time{}, false
		}
		t = d
	}
	return t, !t.IsZero()
}

func textField(id string, is *Issue) string {
	switch id {
	case "summary":
		return is.Summary
	case "description":
		return is.Description
	}
	var parts []string
	if id == "text" {
		parts = append(parts, is.Summary, is.Description)
	}
	for _, c := range is.Comments {
		parts = append(parts, c.Body)
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// customStrings flattens a custom field's JSON value into the strings
// JQL compares: strings, numbers, and the value/name/key of options.
func customStrings(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}
	case bool:
		return []string{strconv.FormatBool(v)}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, customStrings(e)...)
		}
		return out
	case map[string]any:
		for _, k := range []string{"value", "name", "key", "id", "accountId"} {
			if s, ok := v[k].(string); ok {
				return []string{s}
			}
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

func splitKey(key string) (string, int, bool) {
	i := strings.LastIndexByte(key, '-')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(key[i+1:])
	return key[:i], n, err == nil
}

// compareIssues orders two issues by the query's ORDER BY; ties, and
// queries without ORDER BY, fall back to the newest issue first, a stable
// order (Jira promises none).
func (env *evalEnv) compareIssues(orders []Order, a, b *Issue) int {
	for _, o := range orders {
		n := env.compareField(o.field, a, b)
		if o.Desc {
			n = -n
		}
		if n != 0 {
			return n
		}
	}
	ai, _ := strconv.ParseInt(a.ID, 10, 64)
	bi, _ := strconv.ParseInt(b.ID, 10, 64)
	return cmp.Compare(bi, ai)
}

// compareField compares one sort key ascending; empty values sort last.
func (env *evalEnv) compareField(f *fieldDef, a, b *Issue) int {
	str := func(x, y string) int {
		switch {
		case x == y:
			return 0
		case x == "":
			return 1
		case y == "":
			return -1
		}
		return cmp.Compare(strings.ToLower(x), strings.ToLower(y))
	}
	switch f.kind {
	case kindKey:
		ap, an, _ := splitKey(a.Key)
		bp, bn, _ := splitKey(b.Key)
		if ap != bp {
			return cmp.Compare(ap, bp)
		}
		return cmp.Compare(an, bn)
	case kindProject:
		return str(a.Project, b.Project)
	case kindDate:
		at, aok := dateField(f.id, a, env.loc)
		bt, bok := dateField(f.id, b, env.loc)
		switch {
		case !aok && !bok:
			return 0
		case !aok:
			return 1
		case !bok:
			return -1
		}
		return at.Compare(bt)
	case kindPriority:
		ap, bp := priorityByName(a.Priority), priorityByName(b.Priority)
		switch {
		case ap == nil && bp == nil:
			return 0
		case ap == nil:
			return 1
		case bp == nil:
			return -1
		}
		return cmp.Compare(bp.rank, ap.rank) // ascending: lowest priority first, as Jira does
	case kindStatus:
		return cmp.Compare(statusIndex(a.Status), statusIndex(b.Status))
	case kindStatusCategory:
		return cmp.Compare(categoryIndex(a.StatusCategory), categoryIndex(b.StatusCategory))
	case kindResolution:
		return str(a.Resolution, b.Resolution)
	case kindUser:
		if f.id == "reporter" {
			return str(a.Reporter, b.Reporter)
		}
		return str(a.Assignee, b.Assignee)
	case kindType:
		return str(a.Type, b.Type)
	case kindText:
		return str(a.Summary, b.Summary)
	case kindComponent:
		return str(strings.Join(a.Components, ","), strings.Join(b.Components, ","))
	case kindCustom:
		return str(strings.Join(customStrings(a.Custom[f.id]), ","), strings.Join(customStrings(b.Custom[f.id]), ","))
	}
	return 0
}
