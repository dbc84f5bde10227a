package github

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec("ai-0a1b2c3d")
	tk, err := e.tr.Create(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	is, ok := e.sim.Issue("acme", "sre", 1)
	if !ok {
		t.Fatal("no issue created")
	}
	if is.Title != s.Title {
		t.Errorf("title %q", is.Title)
	}
	if want := []string{"postmortem", "action-item"}; !slices.Equal(is.Labels, want) {
		t.Errorf("labels %v, want %v", is.Labels, want)
	}
	if !slices.Equal(is.Assignees, []string{"alice"}) {
		t.Errorf("assignees %v", is.Assignees)
	}
	for _, want := range []string{
		"Action item from the postmortem **[Checkout outage](https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md)** (2026-01-05, SEV2).",
		"- **Owner:** `@alice`\n",
		"- **Due:** 2026-04-01\n",
		"- **Priority:** P1\n",
		"- **Type:** detect\n",
		"- **Addresses:** [acme/sre#12](https://github.com/acme/sre/issues/12)\n",
		"\nThe pool ran at 100% for 20 minutes before anyone noticed.\n",
	} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, is.Body)
		}
	}
	lines := strings.Split(strings.TrimRight(is.Body, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "<!-- "+s.Marker.String()+" -->" {
		t.Errorf("last line %q", last)
	}
	if m, err := ticket.ParseMarker(is.Body); err != nil || m != s.Marker {
		t.Errorf("marker %+v, %v", m, err)
	}
	want := ticket.Ticket{
		Target:    ticket.Target{Tracker: "gh", Repo: testRepo},
		Ref:       ticket.Ref{Text: "acme/sre#1", URL: e.srv.URL + "/acme/sre/issues/1"},
		Marker:    s.Marker,
		HasMarker: true,
		Title:     s.Title,
		Status:    ticket.Status{State: ticket.StateOpen},
		Created:   e.clock.Now(),
		Updated:   e.clock.Now(),
		Assignee:  "alice",
		Due:       s.Due,
		Author:    botLogin,
		Labels:    []string{"postmortem", "action-item"},
	}
	if !tk.Created.Equal(want.Created) || !tk.Updated.Equal(want.Updated) {
		t.Errorf("times %v %v, want %v", tk.Created, tk.Updated, want.Created)
	}
	tk.Created, tk.Updated = want.Created, want.Updated
	if !reflect.DeepEqual(tk, want) {
		t.Errorf("ticket\n got %+v\nwant %+v", tk, want)
	}
}

func TestCreateFactorUsesTargetRepo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := spec("cf-00000001")
	s.Kind = ticket.Factor
	s.Target.Repo = "acme/checkout"
	tk, err := e.tr.Create(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	is, ok := e.sim.Issue("acme", "checkout", 1)
	if !ok || tk.Ref.Text != "acme/checkout#1" || tk.Target.Repo != "acme/checkout" {
		t.Fatalf("issue %v, ticket %+v", ok, tk)
	}
	if !slices.Equal(is.Labels, []string{"postmortem", "contributing-factor"}) {
		t.Errorf("labels %v", is.Labels)
	}
	if !strings.HasPrefix(is.Body, "Contributing factor from the postmortem") {
		t.Errorf("body %q", is.Body)
	}
}

func TestCreateLabelsOncePerRepo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// An existing label is not created again.
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "old", Labels: []string{"Postmortem"}}); err != nil {
		t.Fatal(err)
	}
	for i, k := range []ticket.Kind{ticket.Action, ticket.Factor, ticket.Action, ticket.Factor} {
		s := spec("ai-0000000" + string(rune('1'+i)))
		s.Kind = k
		s.NeedsOwner = i == 2
		if s.NeedsOwner {
			s.Assignee, s.OwnerText = "", ""
		}
		if _, err := e.tr.Create(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
	s := spec("ai-00000009")
	s.Target.Repo = "acme/other"
	if _, err := e.tr.Create(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	if n := e.calls("GET", "/repos/acme/sre/labels"); n != 1 {
		t.Errorf("listed labels of acme/sre %d times, want 1", n)
	}
	// action-item, contributing-factor, needs-owner; postmortem existed.
	if n := e.calls("POST", "/repos/acme/sre/labels"); n != 3 {
		t.Errorf("created %d labels in acme/sre, want 3", n)
	}
	if l, c := e.calls("GET", "/repos/acme/other/labels"), e.calls("POST", "/repos/acme/other/labels"); l != 1 || c != 2 {
		t.Errorf("acme/other: %d lists, %d creates; want 1 and 2", l, c)
	}
	is, _ := e.sim.Issue("acme", "sre", 4)
	if !slices.Equal(is.Labels, []string{"Postmortem", "action-item", "needs-owner"}) || len(is.Assignees) != 0 {
		t.Errorf("needs-owner issue: labels %v assignees %v", is.Labels, is.Assignees)
	}
	if !strings.Contains(is.Body, "- **Owner:** none named; please assign one\n") {
		t.Errorf("needs-owner body:\n%s", is.Body)
	}
}

func TestCreateLabelRaceAlreadyExists(t *testing.T) {
	t.Parallel()
	// Another writer creates the label between our list and our create:
	// GitHub's 422 already_exists is success.
	e := newEnv(t)
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "x"}); err != nil {
		t.Fatal(err)
	}
	// Prime the cache, then add the label behind the tracker's back.
	if err := e.tr.ensureLabels(t.Context(), testRepo, []string{labelPostmortem}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{Title: "y", Labels: []string{"action-item"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.tr.Create(t.Context(), spec("ai-00000001")); err != nil {
		t.Fatal(err)
	}
	if n := e.calls("POST", "/repos/acme/sre/labels"); n != 2 {
		t.Errorf("%d label creates, want 2 (postmortem; action-item answered already_exists)", n)
	}
}

func TestCreateUnassignableFallsBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.sim.Users = []string{"alice"} })
	s := spec("ai-0a1b2c3d")
	s.Assignee = "mallory"
	s.OwnerText = "Mallory"
	tk, err := e.tr.Create(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.calls("POST", "/repos/acme/sre/issues"); n != 2 {
		t.Errorf("%d issue POSTs, want 2 (refused, then unassigned)", n)
	}
	issues := e.sim.Issues("acme", "sre")
	if len(issues) != 1 {
		t.Fatalf("%d issues", len(issues))
	}
	is := issues[0]
	if len(is.Assignees) != 0 || !slices.Contains(is.Labels, "needs-owner") {
		t.Errorf("assignees %v labels %v", is.Assignees, is.Labels)
	}
	if !strings.Contains(is.Body, "> **Note:** `@mallory` could not be assigned in acme/sre") {
		t.Errorf("body lacks the note:\n%s", is.Body)
	}
	if m, err := ticket.ParseMarker(is.Body); err != nil || m != s.Marker || !tk.HasMarker {
		t.Errorf("marker %v %v", m, err)
	}
	if !strings.Contains(e.logs.String(), `"level":"WARN","msg":"github refused the assignee`) {
		t.Errorf("no warning logged:\n%s", e.logs)
	}
}

func TestCreateMilestone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *envConfig) { c.cfg.Milestone = "Postmortem follow-ups" })
	for _, item := range []string{"ai-00000001", "ai-00000002"} {
		if _, err := e.tr.Create(t.Context(), spec(item)); err != nil {
			t.Fatal(err)
		}
	}
	if l, c := e.calls("GET", "/repos/acme/sre/milestones"), e.calls("POST", "/repos/acme/sre/milestones"); l != 1 || c != 1 {
		t.Errorf("%d milestone lists, %d creates; want 1 and 1", l, c)
	}
	for _, is := range e.sim.Issues("acme", "sre") {
		if is.Milestone == 0 {
			t.Errorf("issue %d has no milestone", is.Number)
		}
	}
	// A second tracker (the next run) finds it by title.
	tr2, err := New(Config{Name: "gh", Repo: testRepo, Token: testToken, BaseURL: e.srv.URL + "/", Milestone: "Postmortem follow-ups"},
		Options{Clock: e.clock, Base: e.srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr2.Create(t.Context(), spec("ai-00000003")); err != nil {
		t.Fatal(err)
	}
	if c := e.calls("POST", "/repos/acme/sre/milestones"); c != 1 {
		t.Errorf("milestone created %d times", c)
	}
	is, _ := e.sim.Issue("acme", "sre", 3)
	first, _ := e.sim.Issue("acme", "sre", 1)
	if is.Milestone != first.Milestone {
		t.Errorf("milestones %d and %d", is.Milestone, first.Milestone)
	}
}

// Text from documents cannot end the marker comment, fake a marker, or
// push the marker out of a body that is too long.
func TestCreateHostileText(t *testing.T) {
	t.Parallel()
	fake := "<!-- pmsync:v1 pm=evil item=ai-deadbeef owner=evil -->"
	tests := []struct {
		name   string
		change func(*ticket.Spec)
	}{
		{"comment end in title", func(s *ticket.Spec) { s.Title = "Fix --> the <!-- parser"; s.DocTitle = "Outage --> <!--" }},
		{"fake marker in detail", func(s *ticket.Spec) { s.Detail = fake + "\n" + "pmsync:v1 pm=a item=b owner=c" }},
		{"fake marker in doc title", func(s *ticket.Spec) { s.DocTitle = fake }},
		{"unsupported version text", func(s *ticket.Spec) { s.Detail = "see pmsync:v2 someday" }},
		{"huge detail", func(s *ticket.Spec) { s.Detail = strings.Repeat("Ünïcödé 🚒 ", 20000) }},
		{"huge everything", func(s *ticket.Spec) {
			s.DocTitle = strings.Repeat("<!--", 5000)
			s.OwnerText = strings.Repeat("x", 100000)
			for i := range 3000 {
				s.Factors = append(s.Factors, ticket.Ref{Text: "acme/sre#" + strings.Repeat("9", i%7+1), URL: "https://github.com/acme/sre/issues/9"})
			}
			s.Detail = strings.Repeat("🚒", 70000)
		}},
		{"markdown and mentions", func(s *ticket.Spec) {
			s.Title = "Rotate *all* [keys](javascript:alert(1)) | now"
			s.Detail = "@bob and @acme/oncall should <b>look</b> at `x`"
			s.DocURL = "javascript:alert(1)"
		}},
		{"long title", func(s *ticket.Spec) { s.Title = strings.Repeat("é", 300) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			s := spec("ai-0a1b2c3d")
			tc.change(&s)
			tk, err := e.tr.Create(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			is, _ := e.sim.Issue("acme", "sre", 1)
			m, err := ticket.ParseMarker(is.Body)
			if err != nil || m != s.Marker || tk.Marker != s.Marker {
				t.Fatalf("marker %+v, %v", m, err)
			}
			if n := len(is.Body); n > maxBody {
				t.Errorf("body is %d bytes", n)
			}
			if !strings.Contains(is.Body, "\n\n---\n<sub>") {
				t.Errorf("the rule before the footer is not a thematic break")
			}
			if !strings.HasSuffix(is.Body, "\n<!-- "+s.Marker.String()+" -->\n") {
				t.Errorf("body does not end with the marker: %q", is.Body[max(0, len(is.Body)-200):])
			}
			// The only HTML comment is the marker.
			if c := strings.Count(is.Body, "<!--") - strings.Count(is.Body, `\<!--`); c != 1 {
				t.Errorf("%d comment openings", c)
			}
			if strings.Count(is.Body, "-->") != 1 {
				t.Errorf("a document's --> survived unescaped")
			}
			if utf8.RuneCountInString(is.Title) > maxTitle {
				t.Errorf("title has %d characters", utf8.RuneCountInString(is.Title))
			}
			if strings.Contains(is.Body, "javascript:") && strings.Contains(is.Body, "](javascript:") {
				t.Errorf("javascript link survived")
			}
			if strings.Contains(is.Body, " @bob") || strings.Contains(is.Body, " @acme/oncall") {
				t.Errorf("mention survived:\n%s", is.Body)
			}
		})
	}
}

func TestCreateErrorsArePermanent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      func(*envConfig)
		notFound bool
		hint     string
	}{
		{"bad token", func(c *envConfig) { c.cfg.Token = "ghp_wrong" }, false, "check the token in trackers.gh token_env/token_file"},
		{"no such repo", func(c *envConfig) { c.sim.Repos = []string{"acme/elsewhere"} }, true, "check trackers.gh.repo"},
		{"forbidden", func(c *envConfig) {
			c.sim.Fault = testkit.FaultOn(1, testkit.Match("GET", "/labels"), func() *ghsim.FaultResponse {
				return &ghsim.FaultResponse{Status: 403, Body: `{"message":"Resource not accessible by personal access token","documentation_url":"https://docs.github.com/rest","status":"403"}`}
			})
		}, false, "the token lacks a permission"},
		{"validation", func(c *envConfig) {
			c.sim.Fault = testkit.FaultOn(1, testkit.Match("POST", "/issues"), func() *ghsim.FaultResponse {
				return &ghsim.FaultResponse{Status: 422, Body: `{"message":"Validation Failed","errors":[{"resource":"Issue","code":"custom","field":"body","message":"body is too long"}],"documentation_url":"https://docs.github.com/rest","status":"422"}`}
			})
		}, false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tc.env)
			_, err := e.tr.Create(t.Context(), spec("ai-00000001"))
			if !errors.Is(err, trackers.ErrPermanent) {
				t.Fatalf("err %v is not permanent", err)
			}
			if errors.Is(err, trackers.ErrNotFound) != tc.notFound {
				t.Errorf("ErrNotFound %v, want %v: %v", !tc.notFound, tc.notFound, err)
			}
			if !strings.Contains(err.Error(), "github gh: ") || !strings.Contains(err.Error(), tc.hint) {
				t.Errorf("err %q lacks context or hint %q", err, tc.hint)
			}
		})
	}
}

// A POST that failed with a 5xx may still have created the issue: it is
// not repeated (the marker lookup of the next run recovers it).
func TestCreateServerErrorNotRetried(t *testing.T) {
	t.Parallel()
	for _, kind := range []ghsim.FaultKind{ghsim.FaultServerError, ghsim.FaultBadGateway, ghsim.FaultUnavailable, ghsim.FaultReset} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(c *envConfig) {
				c.sim.Fault = testkit.FaultOn(1, testkit.Match("POST", "/repos/acme/sre/issues"), func() *ghsim.FaultResponse { return ghsim.NewFault(kind) })
			})
			_, err := e.tr.Create(t.Context(), spec("ai-00000001"))
			if err == nil || errors.Is(err, trackers.ErrPermanent) {
				t.Fatalf("err %v, want a transient error", err)
			}
			if n := e.calls("POST", "/repos/acme/sre/issues"); n != 1 {
				t.Errorf("%d POSTs reached the server, want 1", n)
			}
		})
	}
}

func TestTitle(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Add alert", "Add alert"},
		{"  two\nlines\t here ", "two lines here"},
		{"", "Postmortem item ai-1"},
		{strings.Repeat("a", 256), strings.Repeat("a", 256)},
		{strings.Repeat("é", 257), strings.Repeat("é", 255) + "…"},
	}
	for _, tc := range tests {
		if got := title(ticket.Spec{Title: tc.in, Marker: ticket.Marker{Item: "ai-1"}}); got != tc.want {
			t.Errorf("title(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestInlineEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a --> b <!-- c", `a --\> b \<!-- c`},
		{"*bold* _x_ [l](u) `c` | ~s~", `\*bold\* \_x\_ \[l\](u) \` + "`" + `c\` + "`" + ` \| \~s\~`},
		{"ping @alice and @acme/sre-oncall", "ping `@alice` and `@acme/sre-oncall`"},
		{"mail alice@example.com", "mail alice@example.com"},
		{"pmsync:v1 pm=a item=b owner=c", `pmsync\:v1 pm=a item=b owner=c`},
		{"a\n\nb", "a b"},
	}
	for _, tc := range tests {
		if got := inline(tc.in); got != tc.want {
			t.Errorf("inline(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
