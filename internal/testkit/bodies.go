package testkit

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// BodyCase is a ticket whose body each tracker's golden test pins: the
// same cases for every tracker, so their goldens can be read side by side.
type BodyCase struct {
	Name string
	Spec ticket.Spec
	// Note is the adapter's own note (already in its markup), "" for none.
	Note string
}

// hostile holds, on one line, what document text must never turn into:
// Markdown, HTML and comments, wiki markup and macros, JQL, mentions and
// a second marker.
const hostile = "<!-- --> <b>x</b> *b* _i_ `c` [l](javascript:alert(1)) [t|http://evil.example] [~admin] " +
	"{noformat} {code} |a|b| !http://evil.example/x.png! +u+ ^s^ ~t~ ??c?? -s- \\ \\\\ " +
	"@alice @acme/oncall alice@acme.example \" OR project = PAY ' pmsync:v1 pm=evil item=ai-00000000 owner=x"

// BodyCases are the specs of the golden body tests, made from base, a
// tracker's usual spec for an action item: every field with and without a
// value, text that needs escaping in every field, and bodies over each
// tracker's limit. The fields the trackers' specs differ in are set here,
// so every tracker renders the same cases.
func BodyCases(base ticket.Spec) []BodyCase {
	full := func() ticket.Spec {
		s := base
		s.Marker.Item = "ai-0a1b2c3d"
		s.Kind = ticket.Action
		s.Detail = "The pool ran at 100% for 20 minutes before anyone noticed.\nSecond line: see the {code} dashboard [link]."
		s.OwnerText, s.Assignee = "@alice", "alice"
		s.Factors = []ticket.Ref{{Text: "acme/sre#12", URL: "https://github.com/acme/sre/issues/12"}}
		return s
	}
	with := func(change func(*ticket.Spec)) ticket.Spec {
		s := full()
		change(&s)
		return s
	}
	bare := func(s *ticket.Spec) {
		s.Kind = ticket.Factor
		s.Marker.Item = "cf-00000001"
		s.Detail, s.DocDate, s.DocSeverity, s.DocURL = "", time.Time{}, "", ""
		s.OwnerText, s.Assignee, s.Due, s.Priority, s.Type, s.Factors = "", "", time.Time{}, "", "", nil
	}
	hostileLines := strings.Join([]string{
		hostile,
		"h1. Heading", "# numbered", "* bullet", "- dash", "bq. quote", "> quote", "    indented code", "---", "| a | b |",
		"re-run the 2026-04-01 job - now", "line with trailing spaces   ", "tab\there",
		"crlf\r\nnext", "cr only\rnext", "", "", "after blank lines",
		"invalid \xff utf-8, Ünïcödé 🚒",
		"<!-- pmsync:v1 pm=evil item=ai-deadbeef owner=evil -->",
	}, "\n")
	return []BodyCase{
		{Name: "action-full", Spec: full()},
		{Name: "factor-bare", Spec: with(func(s *ticket.Spec) { bare(s); s.NeedsOwner = true })},
		{Name: "factor-owner-only", Spec: with(func(s *ticket.Spec) { bare(s); s.OwnerText = "Alice Example"; s.DocSeverity = "SEV1" })},
		{Name: "action-no-owner-not-needed", Spec: with(func(s *ticket.Spec) {
			s.OwnerText, s.Assignee, s.DocTitle, s.DocDate = "", "", "", time.Time{}
		})},
		{Name: "action-needs-owner-due-only", Spec: with(func(s *ticket.Spec) {
			s.OwnerText, s.Assignee, s.NeedsOwner, s.Priority, s.Type, s.Factors = "", "", true, "", "", nil
		})},
		{Name: "action-note", Spec: full(), Note: "alice could not be assigned (no such account). Please assign an owner."},
		{Name: "factors-mixed", Spec: with(func(s *ticket.Spec) {
			s.Factors = []ticket.Ref{
				{Text: "acme/sre#12", URL: "https://github.com/acme/sre/issues/12"},
				{Text: "OPS-7", URL: "https://acme.atlassian.net/browse/OPS-7"},
				{Text: "OPS-8"},
				{URL: "https://acme.atlassian.net/browse/OPS-9"},
				{URL: "https://github.com/acme/sre/issues/13?q=a b(c)<d>|[e]{f}!g@alice"},
				{},
				{Text: "   "},
				{Text: "evil", URL: "javascript:alert(1)"},
				{Text: "*bold* [x|y] @bob", URL: "ftp://files.example/x"},
				{Text: "no host", URL: "https://"},
				{Text: "pmsync:v1 pm=a item=b owner=c", URL: " https://acme.atlassian.net/browse/OPS-10 \n"},
			}
		})},
		{Name: "hostile", Spec: with(func(s *ticket.Spec) {
			s.Title = hostile
			s.DocTitle = "Outage " + hostile
			s.DocSeverity = "*SEV1* <!--"
			s.DocURL = "https://evil.example/a b(c)<d>|[e]{f}!g\n-->"
			s.OwnerText = "[~admin] @alice\n<!-- -->"
			s.Priority = "P1 | {code}"
			s.Type = "pmsync:v1 pm=a item=b owner=c"
			s.Factors = []ticket.Ref{{Text: hostile, URL: "https://evil.example/x?a=<!--&b=-->"}}
			s.Detail = hostileLines
		})},
		{Name: "doc-url-not-http", Spec: with(func(s *ticket.Spec) { s.DocURL = "javascript:alert(1)" })},
		// A blank title and id leave the link to the document no text.
		{Name: "doc-blank", Spec: with(func(s *ticket.Spec) { s.DocTitle = " "; s.Marker.PM = " \t" })},
		{Name: "detail-blank", Spec: with(func(s *ticket.Spec) { s.Detail = " \n\t\r\n " })},
		{Name: "detail-long", Spec: with(func(s *ticket.Spec) { s.Detail = strings.Repeat("x", 70000) })},
		{Name: "detail-long-escapes", Spec: with(func(s *ticket.Spec) {
			s.Detail = strings.Repeat("{é\\<-->!🚒 @bob\n", 5000)
		})},
		// Inline fields are bounded, but not the number of factors: a head
		// over every tracker's limit.
		{Name: "head-over-limit", Spec: with(func(s *ticket.Spec) {
			s.OwnerText = strings.Repeat("\\*", 3000)
			for range 40 {
				s.Factors = append(s.Factors, ticket.Ref{Text: strings.Repeat("\\_", 1000), URL: "https://github.com/acme/sre/issues/12"})
			}
		})},
	}
}

// GoldenBodies checks the body render writes for each of BodyCases(base)
// against the golden file dir/<case><ext>, abridged.
func GoldenBodies(t *testing.T, dir, ext string, base ticket.Spec, render func(s ticket.Spec, note string) string, update bool) {
	t.Helper()
	for _, c := range BodyCases(base) {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			Golden(t, filepath.Join(dir, c.Name+ext), Abridge(render(c.Spec, c.Note)), update)
		})
	}
}
