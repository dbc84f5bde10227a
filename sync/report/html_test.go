package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/sync/ticket"
)

const evilTitle = `<img src=x onerror=alert(1)>`

// evilInput is the fixture plus a postmortem whose title, team, item text
// and ticket try to inject HTML and script into the page.
func evilInput() Input {
	in := fixture()
	in.Docs = append(in.Docs, Doc{ID: "evil", Title: evilTitle, Date: d("2026-01-05"), Severity: `<b>SEV1</b>`, Teams: []string{`<svg onload=alert(2)>`}})
	in.Items = append(in.Items,
		Item{DocID: "evil", Key: "ai-e1", Kind: ticket.Action, Text: `</title><script>alert(3)</script>`, Team: `<svg onload=alert(2)>`,
			Owner: `"><img src=x onerror=alert(4)>`, OwnerAccount: "mallory", Due: d("2026-02-01"), State: ticket.StateOpen, Created: d("2026-01-06"),
			Ticket: ticket.Ref{Text: "X-1", URL: "javascript:alert(5)"}},
		Item{DocID: "evil", Key: "ai-e2", Kind: ticket.Action, Text: "two", Team: `<svg onload=alert(2)>`,
			Owner: "@mallory", OwnerAccount: "mallory", Due: d("2026-02-01"), State: ticket.StateOpen, Created: d("2026-01-06"),
			Ticket: ticket.Ref{Text: "X-2", URL: `https://x.example/a"><script>alert(6)</script>`}},
	)
	return in
}

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.HTML(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLGolden(t *testing.T) {
	out := renderHTML(t, Compute(fixture()))
	path := filepath.Join("testdata", "report.html")
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("report.html differs from the golden file (go test -update rewrites it)")
	}
}

func TestHTMLEscapes(t *testing.T) {
	out := renderHTML(t, Compute(evilInput()))
	for _, bad := range []string{"<img", "<script", "<svg onload", "<b>SEV1", "javascript:", `"&gt;<`, `"><img`} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, good := range []string{
		"&lt;img src=x onerror=alert(1)&gt;",
		"&#34;&gt;&lt;img src=x onerror=alert(4)&gt;",         // the owner                  // the title, in tables
		"&lt;svg onload=alert(2)&gt;",                         // the team, in the chart and tables
		"&lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;", // the item text
		"&lt;B&gt;SEV1&lt;/B&gt;",                             // upper-cased severity
		"<td>X-1</td>",                                        // not linked: not http(s)
		`<a href="https://x.example/a%22%3E%3Cscript%3Ealert%286%29%3C/script%3E">X-2</a>`,
	} {
		if !strings.Contains(out, good) {
			t.Errorf("HTML lacks %q", good)
		}
	}
}

var hrefAttr = regexp.MustCompile(`<a href="[^"]*">`)

// The page is self-contained: no script, no reference outside it but the
// ticket links, and the three charts.
func TestHTMLSelfContained(t *testing.T) {
	r := Compute(fixture())
	out := renderHTML(t, r)
	const icon = `<link rel="icon" href="data:,">` // no favicon request
	if !strings.Contains(out, icon) {
		t.Error("no empty icon: browsers will fetch /favicon.ico")
	}
	low := strings.ToLower(strings.Replace(out, icon, "", 1))
	for _, bad := range []string{"<script", "javascript:", " on", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(", "src="} {
		if bad == " on" {
			if regexp.MustCompile(`<[^>]*\son[a-z]+=`).MatchString(low) {
				t.Error("HTML has an event handler attribute")
			}
			continue
		}
		if strings.Contains(low, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	links := hrefAttr.FindAllString(out, -1)
	if len(links) == 0 {
		t.Error("no ticket links")
	}
	rest := hrefAttr.ReplaceAllString(out, "")
	for _, u := range []string{"http://", "https://", "//"} {
		if i := strings.Index(rest, u); i >= 0 && !(u == "//" && strings.HasPrefix(rest[i-1:], ":")) {
			t.Errorf("HTML references %q outside a ticket link: …%s…", u, rest[max(0, i-40):min(len(rest), i+40)])
		}
	}
	if n := strings.Count(out, `<svg class="chart"`); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	for id, want := range map[string]int{
		"chart-month": len(r.ByMonth),
		"chart-age":   len(r.OpenByAge.Buckets) + min(r.OpenByAge.Unknown, 1),
		"chart-team":  len(r.ByTeam),
	} {
		i := strings.Index(out, `id="`+id+`"`)
		j := strings.Index(out[i:], "</svg>")
		if got := strings.Count(out[i:i+j], `class="bar"`); got != want || want == 0 {
			t.Errorf("%s: %d bars, want %d (> 0)", id, got, want)
		}
	}
	// Every chart is followed by a table of its numbers.
	for _, id := range []string{"chart-month", "chart-age", "chart-team"} {
		i := strings.Index(out, `id="`+id+`"`)
		rest := out[i:]
		if t1, s := strings.Index(rest, "<table"), strings.Index(rest, "</section>"); t1 < 0 || t1 > s {
			t.Errorf("%s is not followed by a table in its section", id)
		}
	}
}

func TestHTMLEmpty(t *testing.T) {
	out := renderHTML(t, Compute(Input{Now: fixtureNow}))
	if n := strings.Count(out, `class="bar"`); n != len(Compute(Input{Now: fixtureNow}).OpenByAge.Buckets) {
		t.Errorf("%d bars in an empty report", n)
	}
	if !strings.Contains(out, "No data.") {
		t.Error("empty charts do not say so")
	}
}

// Many months turn the column labels so they do not overlap.
func TestHTMLManyMonths(t *testing.T) {
	vals := make([]chartValue, 14)
	for i := range vals {
		vals[i] = chartValue{label: "2025-01", value: 0.5, has: true, text: "50.0%"}
	}
	if c := columns("x", "t", "d", vals, true); !c.Rotate || len(c.Bars) != 14 {
		t.Errorf("rotate = %v, %d bars", c.Rotate, len(c.Bars))
	}
	if c := columns("x", "t", "d", vals[:4], true); c.Rotate {
		t.Error("four months rotated")
	}
}
