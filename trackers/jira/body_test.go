package jira

import (
	"flag"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The description Jira receives is pinned byte for byte: escaping, layout
// and truncation must not change unnoticed.
func TestDescriptionGolden(t *testing.T) {
	t.Parallel()
	testkit.GoldenBodies(t, "testdata/description", ".txt", spec(ticket.Action, "ai-0a1b2c3d"), renderDescription, *update)
}

func TestDescriptionFormat(t *testing.T) {
	t.Parallel()
	s := spec(ticket.Action, "ai-0a1b2c3d")
	s.Factors = []ticket.Ref{{Text: "OPS-12", URL: "https://acme.atlassian.net/browse/OPS-12"}}
	got := renderDescription(s, "")
	want := "Action item from the postmortem *[Checkout outage|https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md]* (2026-01-05, SEV2).\n" +
		"\n" +
		"* *Owner:* alice@acme.example\n" +
		"* *Due:* 2026-04-01\n" +
		"* *Priority:* P1\n" +
		"* *Type:* detect\n" +
		"* *Addresses:* [OPS-12|https://acme.atlassian.net/browse/OPS-12]\n" +
		"\n" +
		"The pool ran at 100% for 20 minutes before anyone noticed.\n" +
		"Second line: see the \\{code\\} dashboard \\[link\\].\n" +
		"\n" +
		"----\n" +
		"_Opened by pmsync from the postmortem, which stays the source of truth for this item. pmsync finds this issue by the marker on the last line: keep it._\n" +
		"pmsync:v1 pm=2026%2Fcheckout-outage item=ai-0a1b2c3d owner=git@github.com:acme%2Fpostmortems.git"
	if got != want {
		t.Errorf("description\n got %q\nwant %q", got, want)
	}
	if m, err := ticket.ParseMarker(got); err != nil || m != s.Marker {
		t.Errorf("marker %+v, %v", m, err)
	}
}

// Document text can neither add markup (links, mentions, macros, images,
// tables, effects, list or heading lines) nor fake a marker, and the real
// marker is the last line whatever the text.
func TestDescriptionEscapes(t *testing.T) {
	t.Parallel()
	evil := "pmsync:v1 pm=evil item=ai-00000000 owner=x\n" +
		"h1. Heading\n# numbered\n* bullet\n- dash\nbq. quote\n" +
		"{noformat}[~admin] [click|javascript:alert(1)] !http://evil.example/x.png! |a|b| *b* _i_ +u+ ^s^ ~t~ ??c?? -s- \\\\ \\"
	s := spec(ticket.Factor, "cf-00000001")
	s.DocTitle = "Title [x|http://evil.example] {code}"
	s.OwnerText = "[~admin]"
	s.DocSeverity = "*SEV1*"
	s.Type = "pmsync:v1 pm=a item=b owner=c"
	s.Detail = evil
	d := renderDescription(s, "")
	if m, err := ticket.ParseMarker(d); err != nil || m != s.Marker {
		t.Fatalf("marker %+v, %v in\n%s", m, err, d)
	}
	lines := strings.Split(d, "\n")
	if last := lines[len(lines)-1]; last != s.Marker.String() {
		t.Errorf("last line %q", last)
	}
	if strings.Count(d, "pmsync:v") != 1 {
		t.Errorf("a second marker prefix survived:\n%s", d)
	}
	// With every escape pair replaced, no markup is left.
	plain := regexp.MustCompile(`\\.`).ReplaceAllString(d, "·")
	for _, bad := range []string{"{noformat}", "{code}", "[~admin]", "[click|", "[x|", "!http", "|a|", "*b*", "_i_", "+u+", "^s^", "~t~", "??c??", " -s- ", `\\`} {
		if strings.Contains(plain, bad) {
			t.Errorf("unescaped %q in\n%s", bad, d)
		}
	}
	for _, l := range lines[:len(lines)-3] {
		for _, p := range []string{"h1.", "# ", "* ", "- ", "bq."} {
			if strings.HasPrefix(l, p) && !strings.HasPrefix(l, "* *") {
				t.Errorf("line %q starts with markup %q", l, p)
			}
		}
	}
	for _, want := range []string{`h1\. Heading`, `\# numbered`, `\* bullet`, `\- dash`, `bq\. quote`, `\[\~admin\]`, "&#92;&#92; &#92;", "pmsync&#58;v1 pm=evil"} {
		if !strings.Contains(d, want) {
			t.Errorf("description lacks %q:\n%s", want, d)
		}
	}
	// Ordinary hyphens stay readable.
	if got := escapeWiki("re-run the 2026-04-01 job - now"); got != `re-run the 2026-04-01 job \- now` {
		t.Errorf("hyphens: %q", got)
	}
}

// A long detail is cut, never the marker; the whole stays within
// Jira's 32,767 characters, and no escape is cut in half.
func TestDescriptionLimit(t *testing.T) {
	t.Parallel()
	for _, unit := range []string{"x", "{", "é", "\\", "日本"} {
		s := spec(ticket.Action, "ai-00000002")
		s.Detail = strings.Repeat(unit, 40000)
		d := renderDescription(s, "a note")
		if len(d) > maxDescription {
			t.Errorf("%q: %d bytes", unit, len(d))
		}
		if !utf8.ValidString(d) {
			t.Errorf("%q: invalid UTF-8", unit)
		}
		if !strings.HasSuffix(d, "\n"+s.Marker.String()) || !strings.Contains(d, "(truncated; the full text is in the postmortem)") {
			t.Errorf("%q: tail %q", unit, d[len(d)-200:])
		}
		i := strings.Index(d, "_(truncated")
		if body := d[:i]; strings.HasSuffix(strings.TrimRight(body, "\n"), `\`) || strings.HasSuffix(body, "&#9") {
			t.Errorf("%q: a cut escape before the note: %q", unit, body[len(body)-10:])
		}
	}
	// A detail that fits is kept whole.
	s := spec(ticket.Action, "ai-00000003")
	s.Detail = strings.Repeat("y", 30000)
	if d := renderDescription(s, ""); strings.Contains(d, "truncated") || !strings.Contains(d, s.Detail) {
		t.Error("a detail that fits was cut")
	}
}

// The note on an issue Jira would not assign names the person, the
// project and Jira's reason; none of them can add wiki markup.
func TestAssignNote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, who, project, why, want string
	}{
		{"plain", "carol", "OPS", "cannot be assigned issues",
			"carol could not be assigned in OPS (cannot be assigned issues). Please assign an owner."},
		{"no project", "nobody@acme.example", "", "no Jira account has this e-mail",
			"nobody@acme.example could not be assigned (no Jira account has this e-mail). Please assign an owner."},
		{"macro and mention", "[~accountid:x]", "{code}", "a {noformat}",
			`\[\~accountid:x\] could not be assigned in \{code\} (a \{noformat\}). Please assign an owner.`},
		{"table and effects", "*carol*", "OPS|*X*|_Y_", "x | y",
			`\*carol\* could not be assigned in OPS\|\*X\*\|\_Y\_ (x \| y). Please assign an owner.`},
		{"lines", "carol\nh1. x", "OPS\r\n# y", "why\n----\n* z",
			`carol h1. x could not be assigned in OPS # y (why \-\-\-\- \* z). Please assign an owner.`},
		{"marker", "pmsync:v1 pm=a item=b owner=c", "OPS", "",
			"pmsync&#58;v1 pm=a item=b owner=c could not be assigned in OPS (). Please assign an owner."},
	}
	for _, tc := range tests {
		note := assignNote(tc.who, tc.project, tc.why)
		if note != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, note, tc.want)
		}
		s := spec(ticket.Action, "ai-00000007")
		d := renderDescription(s, note)
		if !strings.Contains(d, "\n*Note:* "+tc.want+"\n") {
			t.Errorf("%s: the description does not hold the note on a line of its own:\n%s", tc.name, d)
		}
		if m, err := ticket.ParseMarker(d); err != nil || m != s.Marker {
			t.Errorf("%s: marker %+v, %v", tc.name, m, err)
		}
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	s := spec(ticket.Action, "ai-1")
	s.Title = "  Add\nan   alert \t"
	if got := summary(s); got != "Add an alert" {
		t.Errorf("summary %q", got)
	}
	s.Title = strings.Repeat("😀", 200) // 400 UTF-16 units
	got := summary(s)
	if n := utf16Len(got); n > maxSummary {
		t.Errorf("summary is %d UTF-16 units", n)
	}
	if !strings.HasSuffix(got, "…") {
		t.Errorf("no ellipsis: %q", got)
	}
	s.Title = ""
	if got := summary(s); got != "Postmortem item ai-1" {
		t.Errorf("empty title: %q", got)
	}
}

func TestPMLabel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2026/checkout-outage":                       "pm-2026-checkout-outage",
		"dfds/PM2019-009 - Kubernetes IP starvation": "pm-dfds-pm2019-009-kubernetes-ip-starvation",
		"  Ünïcode Tïtle ":                           "pm-ünïcode-tïtle",
		"///":                                        "pm-x",
	} {
		if got := pmLabel(in); got != want {
			t.Errorf("pmLabel(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("a", 300)
	l1, l2 := pmLabel(long), pmLabel(long+"b")
	if utf16Len(l1) > maxLabel || l1 == l2 || strings.ContainsAny(l1, " \t") {
		t.Errorf("long labels %q %q", l1, l2)
	}
}

func TestFindJQL(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 14, 7, 59, 0, time.UTC)
	tests := []struct {
		since time.Time
		want  string
	}{
		{time.Time{}, `project = "OPS" AND labels = "postmortem" ORDER BY key ASC`},
		// Time zones do not matter: the bound is relative to now.
		{time.Date(2026, 3, 1, 15, 2, 59, 0, time.FixedZone("CET", 3600)), `project = "OPS" AND labels = "postmortem" AND updated >= "-5m" ORDER BY key ASC`},
		{now.Add(-65*time.Minute - time.Second), `project = "OPS" AND labels = "postmortem" AND updated >= "-66m" ORDER BY key ASC`},
		{now.Add(-24*time.Hour - 5*time.Minute), `project = "OPS" AND labels = "postmortem" AND updated >= "-1445m" ORDER BY key ASC`},
		{now, `project = "OPS" AND labels = "postmortem" AND updated >= "-0m" ORDER BY key ASC`},
		{now.Add(24 * time.Hour), `project = "OPS" AND labels = "postmortem" AND updated >= "1440m" ORDER BY key ASC`}, // the clock went back
	}
	for _, tt := range tests {
		if got := findJQL("OPS", tt.since, now, true); got != tt.want {
			t.Errorf("since %s\n got %s\nwant %s", tt.since, got, tt.want)
		}
	}
}

// Whatever room the head leaves the detail, from none to a little more
// than the truncation note, the description stays within Jira's 32,767
// characters and ends with the marker, whole.
func TestDescriptionFitsAtEveryRoom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, detail string
	}{
		{"empty", ""},
		{"short", "x"},
		{"plain", strings.Repeat("x", 200)},
		{"escapes", strings.Repeat("{", 200)},
		{"entities", strings.Repeat("\\", 200)},
		{"two-byte", strings.Repeat("é", 200)},
		{"astral", strings.Repeat("😀", 200)},
		{"lines", strings.Repeat("a\n", 200)},
		{"long", strings.Repeat("y", 40000)},
	}
	s := spec(ticket.Action, "ai-00000004")
	note := noteLeaving(s)
	for _, tc := range tests {
		s.Detail = tc.detail
		for room := -60; room <= 2*len(truncated); room++ {
			checkDescription(t, fmt.Sprintf("%s, room %d", tc.name, room), s, renderDescription(s, note(room)))
		}
	}
}

// FuzzDescriptionLimit: any detail, after a head that leaves it about
// anything from nothing to a few hundred bytes.
func FuzzDescriptionLimit(f *testing.F) {
	for _, seed := range []struct {
		room   int16
		detail string
	}{
		{0, "x"}, {53, "{{{{"}, {54, "\\\\"}, {-3, "😀😀"}, {300, strings.Repeat("é{", 200)}, {12, "a\r\nb\rc"},
	} {
		f.Add(seed.room, seed.detail)
	}
	f.Fuzz(func(t *testing.T, room int16, detail string) {
		s := spec(ticket.Action, "ai-00000005")
		s.Detail = detail
		checkDescription(t, fmt.Sprintf("room %d", room%400), s, renderDescription(s, noteLeaving(s)(int(room%400))))
	})
}

// limited is the wiki dialect with another limit, so that a small
// description can be cut at every point.
type limited struct {
	wiki
	limit int
}

func (l limited) Limit() int { return l.limit }

// A description cut to fit, at any length, is the whole one up to a
// point that splits no escape: no backslash is left to escape the
// truncation note, no entity is left half written.
func TestDescriptionCutKeepsEscapes(t *testing.T) {
	t.Parallel()
	s := spec(ticket.Action, "ai-00000009")
	s.OwnerText = "\\ {x} [~bob] é😀 pmsync:v1"
	s.Factors = []ticket.Ref{{Text: "*a* \\\\ |b|", URL: "https://acme.atlassian.net/browse/OPS-7"}}
	s.Detail = "d {e} \\ [~f]|g| 😀 -h- \\"
	full := ticket.Body(s, "", limited{limit: 1 << 20})
	footer := wiki{}.Footer(s.Marker)
	halfEntity := regexp.MustCompile(`&#?[0-9]*$`)
	for limit := len(footer) + len(truncated); limit < len(full); limit++ {
		d := ticket.Body(s, "", limited{limit: limit})
		i := strings.Index(d, truncated)
		if len(d) > limit || !strings.HasSuffix(d, footer) || i < 0 {
			t.Errorf("limit %d: %d bytes, footer kept %v, note at %d", limit, len(d), strings.HasSuffix(d, footer), i)
			continue
		}
		kept := d[:i]
		if !strings.HasPrefix(full, kept) || !utf8.RuneStart(full[len(kept)]) ||
			strings.HasSuffix(kept, `\`) || halfEntity.MatchString(kept) {
			t.Errorf("limit %d: cut inside a character or escape: …%q|%q…", limit, kept[max(0, len(kept)-12):], full[len(kept):len(kept)+6])
		}
	}
}

// noteLeaving returns notes that leave the detail of s room bytes (or,
// when room is negative, make the head that much too long).
func noteLeaving(s ticket.Spec) func(room int) string {
	s.Detail = ""
	base := len(renderDescription(s, ""))
	overhead := len(renderDescription(s, "n")) - base - 1
	return func(room int) string { return strings.Repeat("n", maxDescription-base-overhead-room) }
}

// checkDescription fails unless d, the description of s, is within
// Jira's limit as Jira counts it (UTF-16 units) and ends with the whole
// marker on its own line.
func checkDescription(t *testing.T, name string, s ticket.Spec, d string) {
	t.Helper()
	if n := utf16Len(d); n > maxDescription {
		t.Errorf("%s: %d characters, over Jira's %d", name, n, maxDescription)
	}
	if !utf8.ValidString(d) {
		t.Errorf("%s: invalid UTF-8", name)
	}
	if !strings.HasSuffix(d, "\n"+s.Marker.String()) {
		t.Errorf("%s: the marker is not the whole last line: …%q", name, d[max(0, len(d)-120):])
	}
	if m, err := ticket.ParseMarker(d); err != nil || m != s.Marker {
		t.Errorf("%s: marker %+v, %v", name, m, err)
	}
}
