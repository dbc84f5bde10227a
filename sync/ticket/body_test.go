package ticket

import (
	"strings"
	"testing"
	"time"
)

// tags is a dialect that shows which method wrote each part.
type tags struct{ limit int }

func (tags) Escape(s string) string  { return strings.ToUpper(s) }
func (tags) Strong(s string) string  { return "<b>" + s + "</b>" }
func (tags) Link(t, u string) string { return "<a " + u + ">" + t + "</a>" }
func (tags) Autolink(u string) string {
	if u == "" {
		return ""
	}
	return "<a " + u + ">"
}
func (tags) Item(s string) string    { return "<li>" + s + "\n" }
func (tags) Callout(s string) string { return "<q>" + s + "</q>" }
func (tags) Footer(m Marker) string  { return "<f>" + m.Item }
func (d tags) Limit() int            { return d.limit }

// Cut never splits a tag.
func (tags) Cut(s string, n int) string {
	s = Cut(s, n)
	if i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>'); i > j {
		s = s[:i]
	}
	return s
}

func (tags) Detail(s string, room int) (string, bool) {
	switch {
	case len(s) <= room:
		return s, true
	case room < len("<cut>"):
		return "<cut>", false
	}
	return s[:room-len("<cut>")] + "<cut>", true
}

func TestBody(t *testing.T) {
	t.Parallel()
	full := Spec{
		Marker: Marker{PM: "pm", Item: "ai-1"}, Kind: Action, Detail: "the detail",
		DocTitle: "doc", DocDate: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), DocSeverity: "sev", DocURL: "u",
		OwnerText: "  al\n ice ", Due: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Priority: "p1", Type: "detect",
		Factors: []Ref{{Text: "f1", URL: "u1"}, {URL: "u2"}, {Text: "f3"}, {}},
	}
	head := "Action item from the postmortem <b><a u>DOC</a></b> (2026-01-05, SEV).\n\n" +
		"<li><b>Owner:</b> AL ICE\n<li><b>Due:</b> 2026-04-01\n<li><b>Priority:</b> P1\n<li><b>Type:</b> DETECT\n" +
		"<li><b>Addresses:</b> <a u1>F1</a>, <a u2>, <a >F3</a>\n"
	tests := []struct {
		name  string
		spec  func(*Spec)
		note  string
		limit int
		want  string
	}{
		{"full", func(*Spec) {}, "", 1000, head + "the detail<f>ai-1"},
		{"note", func(*Spec) {}, "n", 1000, head + "\n<q><b>Note:</b> n</q>\n" + "the detail<f>ai-1"},
		{"bare factor", func(s *Spec) {
			*s = Spec{Marker: Marker{PM: "pm", Item: "cf-1"}, Kind: Factor, NeedsOwner: true}
		}, "", 1000, "Contributing factor from the postmortem <b><a >PM</a></b>.\n\n" +
			"<li><b>Owner:</b> none named; please assign one\n<f>cf-1"},
		{"detail cut", func(*Spec) {}, "", len(head) + len("<f>ai-1") + 8, head + "the<cut><f>ai-1"},
		{"head cut", func(*Spec) {}, "", 20, "Action i<cut><f>ai-1"},
		{"head cut by the dialect", func(*Spec) {}, "", 46, "Action item from the postmortem <cut><f>ai-1"},
		{"line ends", func(s *Spec) { s.Detail = "a\rb\r\nc\r\rd\r\r\ne" }, "", 1000, head + "a\nb\nc\n\nd\n\ne<f>ai-1"},
	}
	for _, tc := range tests {
		s := full
		tc.spec(&s)
		if got := Body(s, tc.note, tags{tc.limit}); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestLineAndCut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{"abc", 0, ""},
		{"abc", -1, ""},
		{"aé", 2, "a"}, // not half a rune
		{"🚒x", 3, ""},
	}
	for _, tc := range tests {
		if got := Cut(tc.in, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	if got := Line(" a \n\tb  " + strings.Repeat("c", 3*MaxField)); len(got) != MaxField || !strings.HasPrefix(got, "a b c") {
		t.Errorf("Line: %d bytes, %q…", len(got), got[:10])
	}
}
