package github

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Labels come back from every read, with no call of their own.
func TestLabelsReadBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	since := e.clock.Now().Add(-time.Hour)
	for _, in := range []ghsim.Issue{
		{Title: "marked", Body: markerBody("ai-1", "us"), Labels: []string{"postmortem", "pmsync:due-soon"}},
		{Title: "adopted", Labels: []string{"bug", "pmsync:overdue"}},
	} {
		if _, err := e.sim.AddIssue("acme", "sre", in); err != nil {
			t.Fatal(err)
		}
	}
	target := ticket.Target{Repo: testRepo}
	calls := func() int { return len(e.paths.All()) }
	before := calls()
	found, err := e.tr.Find(t.Context(), target, time.Time{})
	if err != nil || len(found) != 1 {
		t.Fatal(found, err)
	}
	changed, err := e.tr.FindChanged(t.Context(), target, since)
	if err != nil || len(changed) != 2 {
		t.Fatal(changed, err)
	}
	if n := calls() - before; n != 2 {
		t.Errorf("%d calls for two listings, want 2", n)
	}
	got, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "acme/sre#1"}, {Text: "acme/sre#2"}})
	if err != nil || len(got) != 2 {
		t.Fatal(got, err)
	}
	want := [][]string{{"postmortem", "pmsync:due-soon"}, {"bug", "pmsync:overdue"}}
	for _, c := range []struct {
		how string
		tks []ticket.Ticket
		idx []int
	}{{"Find", found, []int{0}}, {"FindChanged", changed, []int{0, 1}}, {"Get", got, []int{0, 1}}} {
		for i, tk := range c.tks {
			if w := want[c.idx[i]]; !slices.Equal(tk.Labels, w) {
				t.Errorf("%s: %s labels %v, want %v", c.how, tk.Ref.Text, tk.Labels, w)
			}
		}
	}
}

func nudgeEnv(t *testing.T, mutate ...func(*envConfig)) (*env, ticket.Ref) {
	t.Helper()
	e := newEnv(t, mutate...)
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x", Body: markerBody("ai-1", "us"), Labels: []string{"postmortem"}}); err != nil {
		t.Fatal(err)
	}
	return e, ticket.Ref{Text: "acme/sre#1"}
}

var reminder = ticket.Comment{
	Mentions: []ticket.Mention{{ID: "alice"}, {ID: "acme/sre-oncall", Team: true}},
	Text:     "This action item is due in 3 days (2026-04-01).",
	Link:     "https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md",
	LinkText: "Checkout outage",
}

const reminderBody = "@alice @acme/sre-oncall\n\n" +
	`This action item is due in 3 days \(2026\-04\-01\)\.` + "\n\n" +
	"[Checkout outage](https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md)"

// A step is taken once: the label, then one comment; a second Nudge
// with the label (another run) posts nothing.
func TestNudgeOnce(t *testing.T) {
	t.Parallel()
	e, ref := nudgeEnv(t)
	if err := e.tr.Nudge(t.Context(), ref, "pmsync:due-soon", reminder); err != nil {
		t.Fatal(err)
	}
	is, _ := e.sim.Issue("acme", "sre", 1)
	if !slices.Equal(is.Labels, []string{"postmortem", "pmsync:due-soon"}) {
		t.Errorf("labels %v", is.Labels)
	}
	// The comment ends with the step's marker, which GitHub does not show.
	if len(is.Comments) != 1 || is.Comments[0].Body != reminderBody+"\n\n<!-- pmsync-step label=pmsync:due-soon -->" || is.Comments[0].Author != botLogin ||
		!is.Comments[0].CreatedAt.Equal(e.clock.Now()) {
		t.Fatalf("comments %+v, want one:\n%s", is.Comments, reminderBody)
	}
	for range 2 {
		if err := e.tr.Nudge(t.Context(), ref, "pmsync:due-soon", reminder); !errors.Is(err, trackers.ErrAlreadyDone) {
			t.Errorf("second Nudge = %v, want ErrAlreadyDone", err)
		}
	}
	// A label a person retyped in another case is the same label.
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "y", Labels: []string{"PMSYNC:Overdue"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.tr.Nudge(t.Context(), ticket.Ref{Text: "acme/sre#2"}, "pmsync:overdue", reminder); !errors.Is(err, trackers.ErrAlreadyDone) {
		t.Errorf("Nudge over PMSYNC:Overdue = %v, want ErrAlreadyDone", err)
	}
	// Another step is another label and another comment.
	if err := e.tr.Nudge(t.Context(), ref, "pmsync:overdue", ticket.Comment{Text: "Overdue."}); err != nil {
		t.Fatal(err)
	}
	is, _ = e.sim.Issue("acme", "sre", 1)
	// (GitHub labels are the repo's, named without regard to case: the
	// repo's "PMSYNC:Overdue" is the label added.)
	if len(is.Comments) != 2 || is.Comments[1].Body != "Overdue\\.\n\n<!-- pmsync-step label=pmsync:overdue -->" || !slices.Contains(is.Labels, "PMSYNC:Overdue") {
		t.Errorf("after a second step: labels %v, comments %+v", is.Labels, is.Comments)
	}
	if n := e.calls("POST", "/repos/acme/sre/issues/1/comments"); n != 2 {
		t.Errorf("%d comment POSTs, want 2", n)
	}
	// Each posted step lists the comments once to settle (no twin here).
	if n := e.calls("GET", "/repos/acme/sre/issues/1/comments"); n != 2 {
		t.Errorf("%d comment listings, want 2", n)
	}
	st := e.tr.Stats()
	if st.Nudges.Load() != 2 || st.Comments.Load() != 2 || st.SettleLists.Load() != 2 || st.TwinsDeleted.Load() != 0 {
		t.Errorf("stats: %d nudges, %d comments, %d settle lists, %d deleted; want 2, 2, 2, 0",
			st.Nudges.Load(), st.Comments.Load(), st.SettleLists.Load(), st.TwinsDeleted.Load())
	}
	// A read, a label and a comment per step, the first two paced like
	// every write.
	if ts := e.sim.WriteTimes(); len(ts) != 4 || ts[1].Sub(ts[0]) < time.Second {
		t.Errorf("write times %v", ts)
	}
}

// Nothing is written for a step that cannot be taken.
func TestNudgeRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		ref   ticket.Ref
		label string
		c     ticket.Comment
		want  error
	}{
		{"label with a space", ticket.Ref{Text: "acme/sre#1"}, "due soon", reminder, trackers.ErrPermanent},
		{"label too long", ticket.Ref{Text: "acme/sre#1"}, strings.Repeat("x", 51), reminder, trackers.ErrPermanent},
		{"login with markup", ticket.Ref{Text: "acme/sre#1"}, "l", ticket.Comment{Mentions: []ticket.Mention{{ID: "alice](https://x)"}}}, trackers.ErrPermanent},
		{"team without org", ticket.Ref{Text: "acme/sre#1"}, "l", ticket.Comment{Mentions: []ticket.Mention{{ID: "sre", Team: true}}}, trackers.ErrPermanent},
		{"empty comment", ticket.Ref{Text: "acme/sre#1"}, "l", ticket.Comment{}, ticket.ErrEmptyComment},
		{"not ours", ticket.Ref{Text: "OPS-1"}, "l", reminder, trackers.ErrPermanent},
		{"no such issue", ticket.Ref{Text: "acme/sre#9"}, "l", reminder, trackers.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := nudgeEnv(t)
			err := e.tr.Nudge(t.Context(), tc.ref, tc.label, tc.c)
			if !errors.Is(err, tc.want) {
				t.Errorf("Nudge = %v, want %v", err, tc.want)
			}
			if ts := e.sim.WriteTimes(); len(ts) != 0 {
				t.Errorf("%d writes", len(ts))
			}
		})
	}
}

// Comment posts without a label (a digest).
func TestComment(t *testing.T) {
	t.Parallel()
	e, ref := nudgeEnv(t)
	digest := ticket.Comment{Mentions: []ticket.Mention{{ID: "acme/sre", Team: true}}, Text: "3 items overdue:\n- OPS-1\n- OPS-2"}
	for range 2 {
		if err := e.tr.Comment(t.Context(), ref, digest); err != nil {
			t.Fatal(err)
		}
	}
	is, _ := e.sim.Issue("acme", "sre", 1)
	want := "@acme/sre\n\n3 items overdue\\:\n\\- OPS\\-1\n\\- OPS\\-2"
	if len(is.Comments) != 2 || is.Comments[0].Body != want || !slices.Equal(is.Labels, []string{"postmortem"}) {
		t.Errorf("labels %v comments %+v, want two of\n%s", is.Labels, is.Comments, want)
	}
	if n := e.tr.Stats().Comments.Load(); n != 2 {
		t.Errorf("%d comments counted", n)
	}
}

// unescaped lists what GitHub could read as more than text in a
// comment's text: outside code spans, any ASCII punctuation not escaped;
// inside one, anything but a mention or an issue reference.
func unescaped(md string) []string {
	var out []string
	for i := 0; i < len(md); i++ {
		switch c := md[i]; {
		case c == '\\' && i+1 < len(md) && isASCIIPunct(md[i+1]):
			i++
		case c == '`':
			j := strings.IndexByte(md[i+1:], '`')
			if j < 0 {
				return append(out, "unclosed code span at "+md[i:])
			}
			if code := md[i+1 : i+1+j]; !codeRE.MatchString(code) {
				out = append(out, "code "+code)
			}
			i += j + 1
		case isASCIIPunct(c):
			out = append(out, "bare "+string(c)+" in "+md[max(0, i-10):min(len(md), i+10)])
		}
	}
	return out
}

var codeRE = regexp.MustCompile(`^(?:@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?|#[0-9]+|(?i:gh-[0-9]+))+$`)

// Text from documents mentions nobody, links nothing, formats nothing and
// holds no marker, whatever it says.
func TestCommentHostileText(t *testing.T) {
	t.Parallel()
	e, ref := nudgeEnv(t)
	hostile := []string{
		"@everyone please look", "cc @acme/sre and bob@alice and x.@carol", "see #12 and acme/sre#13 and GH-14",
		"[~accountid:5b10ac8d82e05b22cc7d4ef5] and [~admin]", "<!-- pmsync:v1 pm=x item=ai-1 owner=y -->",
		"pmsync:v1 pm=a item=b owner=c", "[x|javascript:alert(1)] [y](javascript:alert(1)) [z](https://evil.example)",
		"{code}rm -rf /{code}", "https://evil.example/@mallory www.evil.example", "<img src=x onerror=alert(1)>",
		"# Heading", "- item", "1. item", "> quote", "---", "| a | b |", "**bold** _it_ ~~del~~", "`@hidden`",
		"&#64;everyone &lt;b&gt;", ":smile: \\@escaped \\", "    indented code", "@a@b#1@c",
	}
	for i, h := range hostile {
		if err := e.tr.Comment(t.Context(), ref, ticket.Comment{Text: h, LinkText: h + " [", Link: "https://x.example/pm"}); err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		is, _ := e.sim.Issue("acme", "sre", 1)
		body := is.Comments[i].Body
		text, link, _ := strings.Cut(body, "\n\n")
		if bad := unescaped(text); len(bad) > 0 {
			t.Errorf("%q became %q: unescaped %q", h, text, bad)
		}
		if m := live(text); len(m) > 0 {
			t.Errorf("%q became %q: live %v", h, text, m)
		}
		// Rendered as GitHub does, the text is paragraphs, line breaks and
		// code (the mentions and references): no link, no other element.
		for _, tag := range tagRE.FindAllString(render(text), -1) {
			if !slices.Contains([]string{"<p>", "</p>", "<code>", "</code>", "<br>", "<br />"}, tag) {
				t.Errorf("%q rendered %q", h, render(text))
				break
			}
		}
		if v := strings.TrimSpace(visible(text)); v != strings.TrimSpace(h) {
			t.Errorf("%q shows as %q", h, visible(text))
		}
		linkText, dest, ok := strings.Cut(strings.TrimPrefix(link, "["), "](")
		if !strings.HasPrefix(link, "[") || !ok || dest != "https://x.example/pm)" || len(unescaped(linkText)) > 0 {
			t.Errorf("%q: link %q", h, link)
		}
		if _, err := ticket.ParseMarker(body); !errors.Is(err, ticket.ErrNoMarker) || strings.Contains(body, "<!--") {
			t.Errorf("%q: a marker or comment in %q", h, body)
		}
	}
}

// Bodies stay within GitHub's limit: the text is cut, never the mentions
// or the link.
func TestCommentLimit(t *testing.T) {
	t.Parallel()
	e, ref := nudgeEnv(t)
	c := reminder
	c.Text = strings.Repeat("long *text* @x ", 10000)
	if err := e.tr.Comment(t.Context(), ref, c); err != nil {
		t.Fatal(err)
	}
	is, _ := e.sim.Issue("acme", "sre", 1)
	body := is.Comments[0].Body
	if len(body) > maxBody || !strings.HasPrefix(body, "@alice @acme/sre-oncall\n\n") ||
		!strings.HasSuffix(body, ticket.CommentCut+"\n\n[Checkout outage](https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md)") {
		t.Errorf("%d bytes: %q … %q", len(body), body[:40], body[len(body)-120:])
	}
	text, _, _ := strings.Cut(strings.TrimPrefix(body, "@alice @acme/sre-oncall\n\n"), "\n\n")
	if bad := unescaped(strings.TrimSuffix(text, ticket.CommentCut)); len(bad) > 0 {
		t.Errorf("the cut left live markup: %q", bad[:min(3, len(bad))])
	}
}
