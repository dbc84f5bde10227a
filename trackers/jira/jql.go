package jira

import (
	"fmt"
	"strings"
	"time"
)

// Quote makes s one JQL string literal: in double quotes, with the
// quote, the backslash and control characters escaped (\" \\ \n \r \t,
// other control characters as \uXXXX); every other byte is kept as it
// is. Whatever s holds, the result is a single value: it cannot end the
// literal early, so it can never add an operator, a clause or an ORDER
// BY to the query it is put in.
func Quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\u%04x`, c)
				continue
			}
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// jqlTimeLayout is JQL's date-time literal, minute precision.
const jqlTimeLayout = "2006/01/02 15:04"

// zoneSlack is how much earlier than since a Find asks. JQL reads date
// literals in the time zone of the Jira account that sends the query,
// which pmsync does not know (asking GET myself would cost a call per
// run). pmsync writes the literal in UTC: for an account at UTC+h the
// query then reaches h hours further back, which only lists more; for an
// account behind UTC it would miss updates, so the literal is written 12
// hours early (the zones end at UTC−12). On top of this the engine asks
// for since = last run − 5 minutes (engine.sinceMargin) against clock
// skew; the minute is rounded down.
const zoneSlack = 12 * time.Hour

// findJQL is the query for pmsync's issues in a project, oldest key first.
func findJQL(project string, since time.Time) string {
	q := "project = " + Quote(project) + " AND labels = " + Quote(labelPostmortem)
	if !since.IsZero() {
		q += " AND updated >= " + Quote(since.UTC().Add(-zoneSlack).Format(jqlTimeLayout))
	}
	return q + " ORDER BY key ASC"
}

// keysJQL fetches issues by key.
func keysJQL(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = Quote(k)
	}
	return "key in (" + strings.Join(q, ", ") + ") ORDER BY key ASC"
}
