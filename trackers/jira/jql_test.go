package jira

import (
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
)

// FuzzQuote: whatever a document puts into a value, the quoted value is
// one literal to Jira's parser, read back unchanged, and the query keeps
// exactly the clauses pmsync wrote: no operator, clause or ORDER BY can
// be injected.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{
		"", "OPS", `a" OR project = "X`, `\" OR 1=1 --`, `x\`, `x\\" OR labels is EMPTY ORDER BY created DESC`,
		"line\nbreak\r\ttab", "\x00\x1f\x7f", "ünï 日本 😀", "' OR ''='", ") OR (", "\xff\xfe", `\u0022`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		jql := "labels = " + Quote(s) + " AND project = " + Quote("OPS") + " ORDER BY key ASC"
		q, err := jirasim.ParseJQL(jql)
		if err != nil {
			t.Fatalf("ParseJQL(%q): %v", jql, err)
		}
		and, ok := q.Where.(*jirasim.And)
		if !ok || len(and.Terms) != 2 {
			t.Fatalf("%q parsed as %s, want two clauses", jql, q.Where)
		}
		c, ok := and.Terms[0].(*jirasim.Clause)
		if !ok || c.Op != "=" || len(c.Values) != 1 || c.List || c.Values[0].Empty || c.Values[0].Func != "" {
			t.Fatalf("%q: first clause %s", jql, and.Terms[0])
		}
		if got := c.Values[0].Text; got != s {
			t.Fatalf("value %q read back as %q", s, got)
		}
		if p, ok := and.Terms[1].(*jirasim.Clause); !ok || p.Values[0].Text != "OPS" {
			t.Fatalf("%q: second clause %s", jql, and.Terms[1])
		}
		if len(q.OrderBy) != 1 || q.OrderBy[0].Desc || !strings.EqualFold(q.OrderBy[0].Field, "key") {
			t.Fatalf("%q: order %+v", jql, q.OrderBy)
		}
	})
}

// Document-derived values end up only inside literals: the queries
// pmsync builds parse to the intended shape whatever the project or key.
func TestQueriesParse(t *testing.T) {
	t.Parallel()
	for _, jql := range []string{
		findJQL("OPS", spec("action", "ai-1").Due, spec("action", "ai-1").Due.Add(time.Hour), true),
		findJQL("OPS", time.Time{}, time.Now(), true),
		keysJQL([]string{"OPS-1", "OPS-22", "AB_C-3"}),
	} {
		if _, err := jirasim.ParseJQL(jql); err != nil {
			t.Errorf("%s: %v", jql, err)
		}
	}
}
