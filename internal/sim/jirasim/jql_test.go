package jirasim

import (
	"strings"
	"testing"
	"time"
)

func TestParseJQL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		jql  string
		want string // canonical String(); "" for an empty query
	}{
		{``, ``},
		{`   `, ``},
		{`project = OPS`, `project = "OPS"`},
		{`project=OPS`, `project = "OPS"`},
		{`PROJECT = "OPS" and Labels = postmortem`, `PROJECT = "OPS" AND Labels = "postmortem"`},
		{`project = OPS AND labels in (postmortem, "pm-2026-01") ORDER BY created DESC`,
			`project = "OPS" AND labels IN ("postmortem", "pm-2026-01") ORDER BY created DESC`},
		{`labels not in ('a', "b")`, `labels NOT IN ("a", "b")`},
		{`assignee is EMPTY`, `assignee IS EMPTY`},
		{`assignee IS NOT null`, `assignee IS NOT EMPTY`},
		{`assignee = EMPTY`, `assignee = EMPTY`},
		{`assignee = "EMPTY"`, `assignee = "EMPTY"`},
		{`status = Done OR status = "Won't Do" AND project = OPS`,
			`status = "Done" OR status = "Won't Do" AND project = "OPS"`},
		{`(status = Done OR status = "Won't Do") AND project = OPS`,
			`(status = "Done" OR status = "Won't Do") AND project = "OPS"`},
		{`NOT (labels = a OR labels = b)`, `NOT (labels = "a" OR labels = "b")`},
		{`! labels = a && labels = b || labels = c`, `NOT labels = "a" AND labels = "b" OR labels = "c"`},
		{`statusCategory != done`, `statusCategory != "done"`},
		{`updated >= "2026/11/25 08:55"`, `updated >= "2026/11/25 08:55"`},
		{`updated >= "2026-11-25 08:55" AND created < 2026-11-25`, `updated >= "2026-11-25 08:55" AND created < "2026-11-25"`},
		{`updated > -7d`, `updated > "-7d"`},
		{`updated > "-4w 2d"`, `updated > "-4w 2d"`},
		{`due <= startOfDay("+1d")`, `due <= startOfDay("+1d")`},
		{`assignee = currentUser()`, `assignee = currentUser()`},
		{`key in (OPS-1, ops-2, 10042)`, `key IN ("OPS-1", "ops-2", "10042")`},
		{`issue = OPS-1`, `issue = "OPS-1"`},
		{`key > OPS-10 ORDER BY key`, `key > "OPS-10" ORDER BY key ASC`},
		{`resolution = Unresolved`, `resolution = "Unresolved"`},
		{`resolution in ("Won't Do", Duplicate, 'Cannot Reproduce')`, `resolution IN ("Won't Do", "Duplicate", "Cannot Reproduce")`},
		{`summary ~ "disk full"`, `summary ~ "disk full"`},
		{`text !~ pmsync`, `text !~ "pmsync"`},
		{`cf[10010] = "x"`, `cf[10010] = "x"`},
		{`"Labels" = a`, `Labels = "a"`},
		{`ORDER BY created`, `ORDER BY created ASC`},
		{`order by updated desc, key asc`, `ORDER BY updated DESC, key ASC`},
		{`labels = "a\"b" AND labels = 'c\'d' AND labels = "e\\f"`, `labels = "a\"b" AND labels = "c'd" AND labels = "e\\f"`},
		{`labels = a\u002eb`, `labels = "a.b"`},
		{`labels = "\u0041"`, `labels = "A"`},
		{"labels = \"tab\\there\"", `labels = "tab\there"`},
		{`labels = "x.y@z"`, `labels = "x.y@z"`},
		{`priority >= High`, `priority >= "High"`},
	}
	for _, tc := range tests {
		t.Run(tc.jql, func(t *testing.T) {
			q, err := ParseJQL(tc.jql)
			if err != nil {
				t.Fatalf("ParseJQL: %v", err)
			}
			if got := q.String(); got != tc.want {
				t.Fatalf("String()\n got %s\nwant %s", got, tc.want)
			}
			// The canonical form parses to itself.
			again, err := ParseJQL(q.String())
			if err != nil || again.String() != tc.want {
				t.Fatalf("round trip: %q, %v", again.String(), err)
			}
		})
	}
}

// TestParseJQLInjection: whatever a quoted value holds, it stays one value.
func TestParseJQLInjection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		jql   string
		value string
	}{
		{`labels = "a\" OR project = X"`, `a" OR project = X`},
		{`labels = 'a\' OR project = X'`, `a' OR project = X`},
		{`labels = "a' OR project = 'X"`, `a' OR project = 'X`},
		{`labels = "x) OR (project = X"`, `x) OR (project = X`},
		{`labels = "a\\\" OR labels = b"`, `a\" OR labels = b`},
		{`labels = "ORDER BY key"`, `ORDER BY key`},
		{`labels = "\u0022 OR project = X"`, `" OR project = X`},
	}
	for _, tc := range tests {
		t.Run(tc.jql, func(t *testing.T) {
			q, err := ParseJQL(tc.jql)
			if err != nil {
				t.Fatal(err)
			}
			c, ok := q.Where.(*Clause)
			if !ok || c.Field != "labels" || c.Op != "=" || len(c.Values) != 1 || c.Values[0].Text != tc.value || q.OrderBy != nil {
				t.Fatalf("got %#v (%s), want one clause labels = %q", q.Where, q, tc.value)
			}
			// Quoting the value back keeps it one value.
			round, err := ParseJQL(q.String())
			if err != nil || round.Where.(*Clause).Values[0].Text != tc.value {
				t.Fatalf("round trip of %s: %v", q, err)
			}
		})
	}
}

func TestParseJQLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ jql, want string }{
		{`project =`, `Error in the JQL Query: Expecting either a value, list or function but got 'EOF'. You must surround 'EOF' in quotation marks to use it as a value. (line 1, character 10)`},
		{`project OPS`, `Error in the JQL Query: Expecting operator but got 'OPS'.`},
		{`project = OPS labels = x`, `Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'labels'. (line 1, character 15)`},
		{`labels = "abc`, `Error in the JQL Query: The quoted string 'abc' has not been completed. (line 1, character 10)`},
		{`labels = a.b`, `Error in the JQL Query: The character '.' is a reserved JQL character. You must enclose it in a string or use the escape '\u002e' instead. (line 1, character 11)`},
		{`assignee = bob@example.com`, `The character '@' is a reserved JQL character.`},
		{"project = OPS AND\n  labels = a/b", `(line 2, character 13)`},
		{`labels = "a\qb"`, `The escape sequence '\q' is illegal.`},
		{`(project = OPS`, `Expecting ')' but got 'EOF'.`},
		{`labels in a`, `Expecting '(' but got 'a'.`},
		{`labels in (a b)`, `Expecting ')' but got 'b'.`},
		{`labels is a`, `Expecting 'EMPTY' or 'NULL' but got 'a'.`},
		{`labels = AND`, `Expecting either a value, list or function but got 'AND'.`},
		{`ORDER created`, `Expecting 'BY' but got 'created'.`},
		{`project = OPS ORDER BY created DESC key`, `Expecting ',' but got 'key'.`},
		{`labels = a &`, `The character '&' is a reserved JQL character.`},
		{`foo = bar`, `Field 'foo' does not exist or you do not have permission to view it.`},
		{`labels > a`, `The operator '>' is not supported by the 'labels' field.`},
		{`summary = "disk full"`, `The operator '=' is not supported by the 'summary' field.`},
		{`labels ~ a`, `The operator '~' is not supported by the 'labels' field.`},
		{`key = foo`, `The issue key 'foo' for field 'key' is invalid.`},
		{`issue in (OPS-1, "0.0")`, `The issue key '0.0' for field 'issue' is invalid.`},
		{`created > "yesterday"`, `Date value 'yesterday' for field 'created' is invalid.`},
		{`updated >= "2026/13/45 08:55"`, `Date value '2026/13/45 08:55' for field 'updated' is invalid.`},
		{`assignee = nobody()`, `Unable to find JQL function 'nobody()'.`},
		{`created > currentUser()`, `The function 'currentUser' is not supported by the 'created' field.`},
		{`status = (a, b)`, `The operator '=' does not support a list of values for field 'status'.`},
		{`ORDER BY labels`, `Field 'labels' does not support sorting.`},
		{`ORDER BY nope`, `Field 'nope' does not exist or you do not have permission to view it.`},
	}
	for _, tc := range tests {
		t.Run(tc.jql, func(t *testing.T) {
			_, err := ParseJQL(tc.jql)
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if _, ok := err.(*JQLError); !ok {
				t.Fatalf("error %T, want *JQLError", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("CET", 3600)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	users := map[string][]string{ // id: name, e-mail, display name
		"acc-alice": {"alice", "alice@example.com", "Alice Example"},
		"acc-bob":   {"bob", "bob@example.com", "Bob Builder"},
	}
	env := &evalEnv{
		now: now, loc: loc, me: "acc-alice",
		userIs: func(id, v string) bool {
			if id == v {
				return true
			}
			for _, n := range users[id] {
				if strings.EqualFold(n, v) {
					return true
				}
			}
			return false
		},
		projectIs: func(key, v string) bool { return strings.EqualFold(key, v) || key == "OPS" && v == "10001" },
	}
	open := Issue{
		ID: "10010", Key: "OPS-7", FormerKeys: []string{"OLD-3"}, Project: "OPS", Type: "Task",
		Summary: "Add saturation alert", Description: "pmsync:v1 pm=pm-1 item=ai-0123abcd owner=x",
		Status: "In Progress", StatusCategory: "indeterminate", Labels: []string{"postmortem", "pm-2026-01"},
		Assignee: "acc-alice", Reporter: "acc-bob", DueDate: "2026-12-01", Priority: "High",
		Components: []string{"api"}, Custom: map[string]any{"customfield_10010": map[string]any{"value": "SEV1"}},
		Created: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC), Updated: time.Date(2026, 11, 25, 7, 55, 0, 0, time.UTC),
		Comments: []Comment{{Body: "Blocked on capacity review"}},
	}
	done := Issue{
		ID: "10011", Key: "OPS-8", Project: "OPS", Type: "Bug", Summary: "Disk filled up",
		Status: "Won't Do", StatusCategory: "done", Resolution: "Won't Do",
		ResolutionDate: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), Reporter: "acc-alice", Priority: "Low",
		Created: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Updated: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		jql        string
		open, done bool
	}{
		{`project = OPS`, true, true},
		{`project = ops`, true, true},
		{`project = 10001`, true, true},
		{`project != OPS`, false, false},
		{`key = OPS-7`, true, false},
		{`key = ops-7`, true, false},
		{`key = OLD-3`, true, false}, // a moved issue keeps answering to its old key
		{`id = 10011`, false, true},
		{`key in (OPS-8, OPS-9)`, false, true},
		{`key > OPS-7`, false, true},
		{`key <= OPS-7`, true, false},
		{`key > ABC-1`, false, false}, // another project: no order
		{`labels = postmortem`, true, false},
		{`labels = POSTMORTEM`, true, false},
		{`labels in (x, pm-2026-01)`, true, false},
		{`labels != postmortem`, false, false}, // != never matches an empty field
		{`labels not in (x)`, true, false},
		{`labels is EMPTY`, false, true},
		{`labels = EMPTY`, false, true},
		{`labels in (EMPTY, postmortem)`, true, true},
		{`labels is not EMPTY`, true, false},
		{`NOT labels = postmortem`, false, true},
		{`status = "In Progress"`, true, false},
		{`status = 3`, true, false},
		{`status in ("Won't Do", Done)`, false, true},
		{`statusCategory = done`, false, true},
		{`statusCategory = "In Progress"`, true, false},
		{`statusCategory != Done`, true, false},
		{`statusCategory = 4`, true, false},
		{`resolution = Unresolved`, true, false},
		{`resolution is EMPTY`, true, false},
		{`resolution = "Won't Do"`, false, true},
		{`resolution in (Duplicate, "Won't Do", Declined)`, false, true},
		{`assignee = acc-alice`, true, false},
		{`assignee = alice`, true, false},
		{`assignee = "alice@example.com"`, true, false},
		{`assignee = "Alice Example"`, true, false},
		{`assignee = currentUser()`, true, false},
		{`assignee != bob`, true, false}, // unassigned OPS-8 is not "not bob"
		{`assignee is EMPTY`, false, true},
		{`reporter = currentUser()`, false, true},
		{`created >= "2026/11/20 10:30"`, true, false}, // the server's zone is UTC+1
		{`created > "2026/11/20 10:30"`, false, false},
		{`created > "2026-11-20 09:30"`, true, false},
		{`created > "2026-11-20 10:31"`, false, false},
		{`created < 2026-10-02`, false, true},
		{`updated >= -1d`, true, false},
		{`updated >= "-4h 10m"`, true, false},
		{`updated < startOfDay()`, false, true},
		{`updated <= now()`, true, true},
		{`resolved >= 2026-11-01`, false, true},
		{`resolved is EMPTY`, true, false},
		{`due < "2026/12/02"`, true, false},
		{`due = 2026-12-01`, true, false},
		{`due is EMPTY`, false, true},
		{`due < endOfDay("+7d")`, true, false},
		{`priority = High`, true, false},
		{`priority > Medium`, true, false},
		{`priority < Medium`, false, true},
		{`priority >= 2`, true, false},
		{`type = Bug`, false, true},
		{`issuetype in (Task, Story)`, true, false},
		{`component = API`, true, false},
		{`component is EMPTY`, false, true},
		{`summary ~ saturation`, true, false},
		{`summary ~ "disk*"`, false, true},
		{`description ~ "item=ai-0123abcd"`, true, false},
		{`description !~ pmsync`, false, false},
		{`text ~ capacity`, true, false},
		{`comment ~ "capacity review"`, true, false},
		{`cf[10010] = SEV1`, true, false},
		{`customfield_10010 is EMPTY`, false, true},
		{`project = OPS AND (labels = postmortem OR status = "Won't Do")`, true, true},
		{`project = OPS AND labels = postmortem OR status = "Won't Do"`, true, true},
		{`labels = postmortem AND statusCategory = done`, false, false},
		{`NOT (status = "Won't Do" OR key = OPS-7)`, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.jql, func(t *testing.T) {
			q, err := ParseJQL(tc.jql)
			if err != nil {
				t.Fatal(err)
			}
			if got := env.match(q.Where, &open); got != tc.open {
				t.Errorf("OPS-7 (open): got %v, want %v", got, tc.open)
			}
			if got := env.match(q.Where, &done); got != tc.done {
				t.Errorf("OPS-8 (won't do): got %v, want %v", got, tc.done)
			}
		})
	}
}

func TestOrder(t *testing.T) {
	t.Parallel()
	env := &evalEnv{now: time.Now(), loc: time.UTC}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	issues := []Issue{
		{ID: "1", Key: "OPS-1", Priority: "Low", Created: day(3), DueDate: "2026-02-01", Status: "Done"},
		{ID: "2", Key: "OPS-2", Priority: "Highest", Created: day(1), Status: "To Do"},
		{ID: "3", Key: "OPS-10", Priority: "Low", Created: day(2), DueDate: "2026-01-15", Status: "In Progress"},
	}
	tests := []struct{ jql, want string }{
		{`ORDER BY key`, "OPS-1 OPS-2 OPS-10"},
		{`ORDER BY key DESC`, "OPS-10 OPS-2 OPS-1"},
		{`ORDER BY created`, "OPS-2 OPS-10 OPS-1"},
		{`ORDER BY due`, "OPS-10 OPS-1 OPS-2"}, // no due date last
		{`ORDER BY priority DESC, key`, "OPS-2 OPS-1 OPS-10"},
		{`ORDER BY status`, "OPS-2 OPS-10 OPS-1"}, // workflow order
		{``, "OPS-10 OPS-2 OPS-1"},                // newest (highest id) first
	}
	for _, tc := range tests {
		t.Run(tc.jql, func(t *testing.T) {
			q, err := ParseJQL(tc.jql)
			if err != nil {
				t.Fatal(err)
			}
			list := []*Issue{&issues[0], &issues[1], &issues[2]}
			sortIssues(env, q, list)
			var keys []string
			for _, is := range list {
				keys = append(keys, is.Key)
			}
			if got := strings.Join(keys, " "); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func sortIssues(env *evalEnv, q Query, list []*Issue) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && env.compareIssues(q.OrderBy, list[j], list[j-1]) < 0; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}
