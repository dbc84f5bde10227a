package report

import (
	"bytes"
	"strings"
	"testing"
)

// hostileNudges: nudges whose step and team try to inject markup.
func hostileNudges() Input {
	in := evilInput()
	for i := range in.Items {
		if in.Items[i].DocID == "evil" {
			in.Items[i].Nudges = []Nudge{
				{Step: "<script>alert(7)</script> | `x` [y](javascript:z)", At: d("2026-03-01")},
				{Step: "=cmd|' /C calc'!A0", At: d("2026-03-02"), Moved: d("2026-03-03")},
			}
		}
	}
	return in
}

// TestNudgeFormats: every format has the nudge section, and hostile step
// and team text stays text.
func TestNudgeFormats(t *testing.T) {
	r := Compute(hostileNudges())

	var md bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	for _, want := range []string{
		"## Nudges\n\n**Did the nudges work?** 7 of 18 nudges (38.9%) were followed within 7 days by the item moving",
		"| Escalated, 30 days overdue | 2 | 0 | 0.0% |",
		"| &lt;script&gt;alert(7)&lt;/script&gt; \\| \\`x\\` \\[y\\](javascript:z) | 2 | 0 | 0.0% |",
		"| &lt;svg onload=alert(2)&gt; | 4 | 2 | 50.0% |",
		"### Nudges by team",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script") || strings.Contains(out, "<svg") || checkTables(out) < 0 {
		t.Errorf("Markdown: markup or a broken table:\n%s", out)
	}
	if i, j := strings.Index(out, "## Who carries the most overdue work"), strings.Index(out, "## Nudges"); i < 0 || j < i {
		t.Error("Markdown: the nudges are not after the escalation")
	}

	page := renderHTML(t, r)
	for _, bad := range []string{"<script", "<svg onload"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	sec := page[strings.Index(page, `<section id="nudges"`):]
	sec = spanTag.ReplaceAllString(sec[:strings.Index(sec, "</section>")], "")
	for _, want := range []string{
		"<strong>Did the nudges work?</strong> 7 of 18 nudges (38.9%)",
		"<td>&lt;script&gt;alert(7)&lt;/script&gt; | `x` [y](javascript:z)</td>",
		"<td>&lt;svg onload=alert(2)&gt;</td>",
		`<div class="table narrow"><table class="groups">`,
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("HTML nudges lack %q:\n%s", want, sec)
		}
	}

	var js bytes.Buffer
	if err := r.JSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"nudges": {`, `"sent": 18,`, `"moved": 7,`, `"nudged_items": 10,`, `"step": "\u003cscript\u003ealert(7)`, `"last_nudge": "=cmd|' /c calc'!a0@2026-03-02"`} {
		if !strings.Contains(js.String(), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}

	recs := csvRecords(t, r)
	if h := recs[0]; h[len(h)-2] != "nudges" || h[len(h)-1] != "last_nudge" || len(h) != 36 {
		t.Errorf("CSV header ends %q, %d columns", h[len(h)-2:], len(h))
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[6] == "ai-e1" {
			found = true
			if rec[34] != "2" || rec[35] != "'=cmd|' /c calc'!a0@2026-03-02" {
				t.Errorf("CSV ai-e1: nudges %q, last %q", rec[34], rec[35])
			}
		}
	}
	if !found {
		t.Error("CSV: no row ai-e1")
	}
}

// TestNoNudges: without nudges, Markdown and HTML say so in one line,
// and the JSON has the section with empty lists.
func TestNoNudges(t *testing.T) {
	r := Compute(Input{Now: fixtureNow})
	var md bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## Nudges\n\nNo nudges were posted.\n\n## By team") {
		t.Errorf("Markdown:\n%s", md.String())
	}
	if page := renderHTML(t, r); !strings.Contains(page, "<h2 id=\"h-nudges\">Nudges</h2>\n<p class=\"none\">No nudges were posted.</p>\n</section>") {
		t.Error("HTML does not say no nudges were posted")
	}
	var js bytes.Buffer
	if err := r.JSON(&js); err != nil {
		t.Fatal(err)
	}
	const want = `"nudges": {
    "sent": 0,
    "moved": 0,
    "nudged_items": 0,
    "still_open": 0,
    "waiting": 0,
    "by_step": [],
    "by_team": []
  },`
	if !strings.Contains(js.String(), want) {
		t.Errorf("JSON:\n%s", js.String())
	}
}
