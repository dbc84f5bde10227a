package jira

import (
	"fmt"
	"math"
	"strconv"
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

// findJQL is the query for pmsync's issues in a project (with labelled;
// without, for every issue), oldest key first; with since, only those
// updated since then. The bound is a period
// relative to the server's now ("-95m"), not a date: JQL reads date
// literals in the time zone of the account that sends the query, which
// pmsync does not know, and guessing it (a date 12 hours early) made
// every run list half a day of changes again. Clock skew between pmsync
// and Jira is covered by the engine asking for since = last run − 5
// minutes (engine.sinceMargin); the period is rounded up to the minute.
func findJQL(project string, since, now time.Time, labelled bool) string {
	q := "project = " + Quote(project)
	if labelled {
		q += " AND labels = " + Quote(labelPostmortem)
	}
	if !since.IsZero() {
		// Whole minutes back, rounded up; a since after now (the clock
		// went back) is a period ahead, which lists nothing yet.
		period := "-" + strconv.Itoa(int(math.Ceil(now.Sub(since).Minutes()))) + "m"
		if since.After(now) {
			period = strconv.Itoa(int(math.Floor(since.Sub(now).Minutes()))) + "m"
		}
		q += " AND updated >= " + Quote(period)
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
