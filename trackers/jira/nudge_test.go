package jira

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Labels come back from every read (the JQL search asks for them).
func TestLabelsReadBack(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			m := ticket.Marker{PM: "pm-1", Item: "ai-1", Owner: "o"}
			for _, in := range []jirasim.Issue{
				{Summary: "marked", Labels: []string{"pm-pm-1", "pmsync:due-soon", "postmortem"}, Description: m.String()},
				{Summary: "adopted", Labels: []string{"bug", "pmsync:overdue"}},
			} {
				if _, err := e.sim.AddIssue("OPS", in); err != nil {
					t.Fatal(err)
				}
			}
			e.clock.Advance(time.Minute)
			target := ticket.Target{Project: "OPS"}
			found, err := e.tr.Find(t.Context(), target, time.Time{})
			if err != nil || len(found) != 1 {
				t.Fatal(found, err)
			}
			changed, err := e.tr.FindChanged(t.Context(), target, e.clock.Now().Add(-time.Hour))
			if err != nil || len(changed) != 2 {
				t.Fatal(changed, err)
			}
			got, err := e.tr.Get(t.Context(), []ticket.Ref{{Text: "OPS-1"}, {Text: "OPS-2"}})
			if err != nil || len(got) != 2 {
				t.Fatal(got, err)
			}
			want := [][]string{{"pm-pm-1", "pmsync:due-soon", "postmortem"}, {"bug", "pmsync:overdue"}}
			for _, c := range []struct {
				how string
				tks []ticket.Ticket
			}{{"Find", found}, {"FindChanged", changed}, {"Get", got}} {
				for i, tk := range c.tks {
					if !slices.Equal(tk.Labels, want[i]) {
						t.Errorf("%s: %s labels %v, want %v", c.how, tk.Ref.Text, tk.Labels, want[i])
					}
				}
			}
			if n := e.searches(); n != 3 {
				t.Errorf("%d searches for three reads, want 3", n)
			}
		})
	}
}

func nudgeEnv(t *testing.T, f jirasim.Flavor, mutate ...func(*envConfig)) (*env, ticket.Ref) {
	t.Helper()
	e := newEnv(t, f, mutate...)
	if _, err := e.sim.AddIssue("OPS", jirasim.Issue{Summary: "x", Labels: []string{"postmortem"}}); err != nil {
		t.Fatal(err)
	}
	return e, ticket.Ref{Text: "OPS-1"}
}

// reminder mentions alice and bob as the flavour names them.
func (e *env) reminder() ticket.Comment {
	bob := bobID
	if e.flavor == jirasim.DataCenter {
		bob = "bob"
	}
	return ticket.Comment{
		Mentions: []ticket.Mention{{ID: e.alice()}, {ID: bob}},
		Text:     "This action item is due in 3 days (2026-04-01).",
		Link:     "https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md",
		LinkText: "Checkout outage",
	}
}

// A step is taken once: the label, then one comment; a second Nudge with
// the label (another run) posts nothing.
func TestNudgeOnce(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e, ref := nudgeEnv(t, f)
			if err := e.tr.Nudge(t.Context(), ref, "pmsync:due-soon", e.reminder()); err != nil {
				t.Fatal(err)
			}
			mentions := "[~accountid:" + aliceID + "] [~accountid:" + bobID + "]"
			if f == jirasim.DataCenter {
				mentions = "[~alice] [~bob]"
			}
			want := mentions + "\n\nThis action item is due in 3 days (2026-04-01).\n\n" +
				"[Checkout outage|https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md]"
			is := e.mustIssue(t, "OPS-1")
			if !slices.Equal(is.Labels, []string{"pmsync:due-soon", "postmortem"}) {
				t.Errorf("labels %v", is.Labels)
			}
			bot := "pmsync-bot"
			if f == jirasim.Cloud {
				bot = e.sim.Issues("OPS")[0].Comments[0].Author // the bot's accountId
			}
			if len(is.Comments) != 1 || is.Comments[0].Body != want || is.Comments[0].Author != bot || bot == "" ||
				!is.Comments[0].Created.Equal(e.clock.Now().Truncate(time.Millisecond)) {
				t.Fatalf("comments %+v, want one:\n%s", is.Comments, want)
			}
			for _, tr := range []*Tracker{e.tr, newEnvOn(t, e)} {
				if err := tr.Nudge(t.Context(), ref, "pmsync:due-soon", e.reminder()); !errors.Is(err, trackers.ErrAlreadyDone) {
					t.Errorf("second Nudge = %v, want ErrAlreadyDone", err)
				}
			}
			if err := e.tr.Nudge(t.Context(), ref, "pmsync:overdue", ticket.Comment{Text: "Overdue."}); err != nil {
				t.Fatal(err)
			}
			is = e.mustIssue(t, "OPS-1")
			if len(is.Comments) != 2 || is.Comments[1].Body != "Overdue." || !slices.Contains(is.Labels, "pmsync:overdue") {
				t.Errorf("after a second step: labels %v, comments %+v", is.Labels, is.Comments)
			}
			if n := e.calls("POST", "/rest/api/2/issue/OPS-1/comment"); n != 2 {
				t.Errorf("%d comment POSTs, want 2", n)
			}
			st := e.tr.Stats()
			if st.Nudges.Load() != 2 || st.Comments.Load() != 2 {
				t.Errorf("stats: %d nudges, %d comments; want 2, 2", st.Nudges.Load(), st.Comments.Load())
			}
			// The reminder's label is read back by the next listing.
			found, err := e.tr.FindChanged(t.Context(), ticket.Target{Project: "OPS"}, e.clock.Now().Add(-time.Hour))
			if err != nil || len(found) != 1 || !slices.Equal(found[0].Labels, []string{"pmsync:due-soon", "pmsync:overdue", "postmortem"}) {
				t.Errorf("FindChanged = %+v, %v", found, err)
			}
		})
	}
}

// Nothing is written for a step that cannot be taken.
func TestNudgeRefusesBeforeWriting(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		for _, tc := range []struct {
			name  string
			ref   ticket.Ref
			label string
			c     ticket.Comment
			want  error
		}{
			{"label with a space", ticket.Ref{Text: "OPS-1"}, "due soon", ticket.Comment{Text: "x"}, trackers.ErrPermanent},
			{"team", ticket.Ref{Text: "OPS-1"}, "l", ticket.Comment{Mentions: []ticket.Mention{{ID: "sre", Team: true}}}, errTeamMention},
			{"mention with markup", ticket.Ref{Text: "OPS-1"}, "l", ticket.Comment{Mentions: []ticket.Mention{{ID: "alice]|[x"}}}, trackers.ErrPermanent},
			{"name for an accountId", ticket.Ref{Text: "OPS-1"}, "l", ticket.Comment{Mentions: []ticket.Mention{{ID: "alice bob"}}}, trackers.ErrPermanent},
			{"empty comment", ticket.Ref{Text: "OPS-1"}, "l", ticket.Comment{}, ticket.ErrEmptyComment},
			{"not ours", ticket.Ref{Text: "acme/sre#1"}, "l", ticket.Comment{Text: "x"}, trackers.ErrPermanent},
			{"no such issue", ticket.Ref{Text: "OPS-9"}, "l", ticket.Comment{Text: "x"}, trackers.ErrNotFound},
		} {
			t.Run(f.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				e, _ := nudgeEnv(t, f)
				if err := e.tr.Nudge(t.Context(), tc.ref, tc.label, tc.c); !errors.Is(err, tc.want) {
					t.Errorf("Nudge = %v, want %v", err, tc.want)
				}
				if n := e.sim.CallCount(func(c jirasim.Call) bool { return c.Mutating() }); n != 0 {
					t.Errorf("%d writes", n)
				}
			})
		}
	}
}

// Comment posts without a label.
func TestComment(t *testing.T) {
	t.Parallel()
	e, ref := nudgeEnv(t, jirasim.Cloud)
	if err := e.tr.Comment(t.Context(), ref, ticket.Comment{Text: "3 items overdue:\n- OPS-1\n# OPS-2"}); err != nil {
		t.Fatal(err)
	}
	is := e.mustIssue(t, "OPS-1")
	if want := "3 items overdue:\n\\- OPS-1\n\\# OPS-2"; len(is.Comments) != 1 || is.Comments[0].Body != want || !slices.Equal(is.Labels, []string{"postmortem"}) {
		t.Errorf("labels %v comments %+v, want %q", is.Labels, is.Comments, want)
	}
	if n := e.tr.Stats().Comments.Load(); n != 1 {
		t.Errorf("%d comments counted", n)
	}
}

// liveWiki lists what Jira would read as markup in escaped text: an
// unescaped special character, a URL it would link, a mention.
func liveWiki(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\':
			_, m := utf8.DecodeRuneInString(s[i+n:])
			n += m
		case strings.HasPrefix(s[i:], "&#"):
			if k := strings.IndexByte(s[i:], ';'); k > 0 {
				n = k + 1
			}
		case strings.ContainsRune(wikiSpecial, r):
			out = append(out, "bare "+string(r)+" in "+s[max(0, i-10):min(len(s), i+10)])
		case strings.HasPrefix(s[i:], "://"):
			out = append(out, "URL at "+s[max(0, i-10):min(len(s), i+10)])
		}
		i += n
	}
	return out
}

// Text from documents mentions nobody, links nothing, formats nothing and
// holds no marker, whatever it says.
func TestCommentHostileText(t *testing.T) {
	t.Parallel()
	hostile := []string{
		"[~accountid:5b10ac8d82e05b22cc7d4ef5] please look", "[~admin] and [~alice]", "@everyone",
		"[x|javascript:alert(1)] [https://evil.example] [y](https://evil.example)", "{code}rm -rf /{code}",
		"{color:red}red{color} {noformat}x{noformat} {panel}p{panel}", "pmsync:v1 pm=a item=b owner=c",
		"<!-- pmsync:v1 pm=x item=ai-1 owner=y -->", "!https://evil.example/x.png! !x.png|thumbnail!",
		"h1. Heading", "bq. quote", "# numbered", "* bullet", "- dash", "---- rule", "|| a || b ||",
		"*bold* _it_ +ins+ ^sup^ ~sub~ ??cite??", "https://evil.example/path \\\\ line break", "\\[~bob]",
	}
	for _, f := range flavors {
		e, ref := nudgeEnv(t, f)
		for i, h := range hostile {
			if err := e.tr.Comment(t.Context(), ref, ticket.Comment{Text: h, LinkText: h, Link: "https://x.example/pm"}); err != nil {
				t.Fatalf("%q: %v", h, err)
			}
			body := e.mustIssue(t, "OPS-1").Comments[i].Body
			text, link, _ := strings.Cut(body, "\n\n")
			if bad := liveWiki(text); len(bad) > 0 {
				t.Errorf("%s: %q became %q: live %q", f, h, text, bad)
			}
			linkText, ok := strings.CutSuffix(strings.TrimPrefix(link, "["), "|https://x.example/pm]")
			if !strings.HasPrefix(link, "[") || !ok || len(liveWiki(linkText)) > 0 {
				t.Errorf("%s: %q: link %q", f, h, link)
			}
			if _, err := ticket.ParseMarker(body); !errors.Is(err, ticket.ErrNoMarker) {
				t.Errorf("%s: %q: a marker in %q", f, h, body)
			}
			if strings.Contains(body, "[~") {
				t.Errorf("%s: %q: a mention in %q", f, h, body)
			}
		}
	}
}

// Bodies stay within Jira's limit: the text is cut, never the mentions
// or the link.
func TestCommentLimit(t *testing.T) {
	t.Parallel()
	e, ref := nudgeEnv(t, jirasim.DataCenter)
	c := e.reminder()
	c.Text = strings.Repeat("long *text* \\ é ", 5000)
	if err := e.tr.Comment(t.Context(), ref, c); err != nil {
		t.Fatal(err)
	}
	body := e.mustIssue(t, "OPS-1").Comments[0].Body
	if len(body) > maxDescription || !strings.HasPrefix(body, "[~alice] [~bob]\n\n") ||
		!strings.HasSuffix(body, ticket.CommentCut+"\n\n[Checkout outage|https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md]") {
		t.Errorf("%d bytes: %q … %q", len(body), body[:40], body[len(body)-120:])
	}
	text, _, _ := strings.Cut(strings.TrimPrefix(body, "[~alice] [~bob]\n\n"), "\n\n")
	if bad := liveWiki(strings.TrimSuffix(text, ticket.CommentCut)); len(bad) > 0 {
		t.Errorf("the cut left live markup: %q", bad[:min(3, len(bad))])
	}
}
