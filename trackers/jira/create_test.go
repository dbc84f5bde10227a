package jira

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Every field of a new issue, on both deployments.
func TestCreateEveryField(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, func(c *envConfig) {
				c.cfg.Components = []string{"SRE"}
				c.cfg.Epic = "OPS-1"
				c.cfg.CustomFields = map[string]any{"customfield_10010": "payments"}
			})
			if _, err := e.sim.AddIssue("OPS", jirasim.Issue{Type: "Epic", Summary: "Postmortem follow-ups"}); err != nil {
				t.Fatal(err)
			}
			s := spec(ticket.Action, "ai-0a1b2c3d")
			s.Assignee = e.alice()
			tk, err := e.tr.Create(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			is := e.mustIssue(t, "OPS-2")
			if is.Type != "Task" || is.Summary != s.Title || is.DueDate != "2026-04-01" || is.Priority != "High" {
				t.Errorf("type %q summary %q due %q priority %q", is.Type, is.Summary, is.DueDate, is.Priority)
			}
			if want := []string{"action-item", "pm-2026-checkout-outage", "postmortem"}; !slices.Equal(is.Labels, want) {
				t.Errorf("labels %v, want %v", is.Labels, want)
			}
			if !slices.Equal(is.Components, []string{"SRE"}) || is.Custom["customfield_10010"] != "payments" {
				t.Errorf("components %v custom %v", is.Components, is.Custom)
			}
			if f == jirasim.Cloud && is.Parent != "OPS-1" {
				t.Errorf("parent %q, want the epic OPS-1", is.Parent)
			}
			if f == jirasim.DataCenter && (is.Custom["customfield_10101"] != "OPS-1" || is.Parent != "") {
				t.Errorf("Epic Link %v, parent %q; want the Epic Link field", is.Custom["customfield_10101"], is.Parent)
			}
			if is.Assignee != e.alice() {
				t.Errorf("assignee %q, want %q", is.Assignee, e.alice())
			}
			lines := strings.Split(is.Description, "\n")
			if last := lines[len(lines)-1]; last != s.Marker.String() {
				t.Errorf("last line %q, want the marker", last)
			}
			for _, want := range []string{
				"Action item from the postmortem *[Checkout outage|https://github.com/acme/postmortems/blob/main/2026/checkout-outage.md]* (2026-01-05, SEV2).",
				"* *Owner:* alice@acme.example\n", "* *Due:* 2026-04-01\n", "* *Priority:* P1\n", "* *Type:* detect\n",
				"Second line: see the \\{code\\} dashboard \\[link\\].",
			} {
				if !strings.Contains(is.Description, want) {
					t.Errorf("description lacks %q:\n%s", want, is.Description)
				}
			}
			want := ticket.Ticket{
				Target: ticket.Target{Tracker: "jira", Project: "OPS"},
				Ref:    ticket.Ref{Text: "OPS-2", URL: e.srv.URL + "/browse/OPS-2"},
				Marker: s.Marker, HasMarker: true, Title: s.Title,
				Status:  ticket.Status{State: ticket.StateOpen},
				Created: e.clock.Now(), Updated: e.clock.Now(), Assignee: e.alice(), Due: s.Due,
				Labels: []string{"action-item", "pm-2026-checkout-outage", "postmortem"},
			}
			if !reflect.DeepEqual(tk, want) {
				t.Errorf("ticket\n got %+v\nwant %+v", tk, want)
			}
			// It reads back the same.
			got, err := e.tr.Get(t.Context(), []ticket.Ref{tk.Ref})
			if err != nil || len(got) != 1 {
				t.Fatal(got, err)
			}
			g := got[0]
			if g.Ref != tk.Ref || g.Marker != s.Marker || g.Assignee != e.alice() || !g.Due.Equal(s.Due) ||
				!g.Created.Equal(e.clock.Now()) || g.Author != "pmsync-bot" && g.Author == "" || g.Status.State != ticket.StateOpen ||
				!slices.Equal(g.Labels, want.Labels) {
				t.Errorf("read back %+v", g)
			}
		})
	}
}

func TestCreateFactor(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			s := spec(ticket.Factor, "cf-00000001")
			s.Target.Project = "PAY"
			s.Assignee, s.OwnerText, s.NeedsOwner = "", "", true
			s.Priority = "P4"
			tk, err := e.tr.Create(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Ref.Text != "PAY-1" || tk.Target.Project != "PAY" {
				t.Fatalf("ticket %+v", tk)
			}
			is := e.mustIssue(t, "PAY-1")
			if is.Type != "Bug" || is.Priority != "Lowest" || is.Assignee != "" {
				t.Errorf("type %q priority %q assignee %q", is.Type, is.Priority, is.Assignee)
			}
			if want := []string{"contributing-factor", "needs-owner", "pm-2026-checkout-outage", "postmortem"}; !slices.Equal(is.Labels, want) {
				t.Errorf("labels %v, want %v", is.Labels, want)
			}
			if !strings.HasPrefix(is.Description, "Contributing factor from the postmortem") ||
				!strings.Contains(is.Description, "* *Owner:* none named; please assign one\n") {
				t.Errorf("description:\n%s", is.Description)
			}
		})
	}
}

// An e-mail is looked up once per run, however many items name it.
func TestCreateAssigneeByEmailCached(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			for _, item := range []string{"ai-00000001", "ai-00000002", "ai-00000003"} {
				s := spec(ticket.Action, item)
				s.Assignee = "Alice@acme.example"
				tk, err := e.tr.Create(t.Context(), s)
				if err != nil {
					t.Fatal(err)
				}
				if tk.Assignee != e.alice() {
					t.Errorf("%s: assignee %q", item, tk.Assignee)
				}
			}
			for _, is := range e.sim.Issues("OPS") {
				if is.Assignee != e.alice() {
					t.Errorf("%s assigned to %q", is.Key, is.Assignee)
				}
			}
			if n := e.calls("GET", "/rest/api/2/user/search"); n != 1 {
				t.Errorf("%d user searches, want 1", n)
			}
		})
	}
}

// An account Jira refuses, or an e-mail that names nobody: the issue is
// opened unassigned, labelled needs-owner, with a note, and a warning.
func TestCreateUnassignableFallsBack(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		for _, tc := range []struct {
			name, assignee string
			posts          int
			reason         string
		}{
			{"refused", "", 2, "cannot be assigned issues"},
			{"unknown e-mail", "nobody@acme.example", 1, "no Jira account has this e-mail"},
		} {
			t.Run(f.String()+" "+tc.name, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, f)
				s := spec(ticket.Action, "ai-0a1b2c3d")
				s.Assignee = tc.assignee
				if s.Assignee == "" { // carol has left: Jira refuses her
					s.Assignee = map[jirasim.Flavor]string{jirasim.Cloud: "5c0000000000000000000001", jirasim.DataCenter: "carol"}[f]
				}
				tk, err := e.tr.Create(t.Context(), s)
				if err != nil {
					t.Fatal(err)
				}
				if n := e.calls("POST", "/rest/api/2/issue"); n != tc.posts {
					t.Errorf("%d issue POSTs, want %d", n, tc.posts)
				}
				issues := e.sim.Issues("OPS")
				if len(issues) != 1 {
					t.Fatalf("%d issues", len(issues))
				}
				is := issues[0]
				if is.Assignee != "" || tk.Assignee != "" || !slices.Contains(is.Labels, "needs-owner") {
					t.Errorf("assignee %q labels %v", is.Assignee, is.Labels)
				}
				if !strings.Contains(is.Description, "*Note:* ") || !strings.Contains(is.Description, tc.reason) ||
					!strings.Contains(is.Description, "Please assign an owner.") {
					t.Errorf("description lacks the note:\n%s", is.Description)
				}
				if m, err := ticket.ParseMarker(is.Description); err != nil || m != s.Marker {
					t.Errorf("marker %v %v", m, err)
				}
				if !strings.Contains(e.logs.String(), `"level":"WARN"`) || !strings.Contains(e.logs.String(), "needs-owner") {
					t.Errorf("no warning logged:\n%s", e.logs)
				}
			})
		}
	}
}

// An action item is linked "Relates" to its factors' issues on this
// tracker; other references are shown, not linked; a failed link is a
// warning.
func TestCreateLinksFactors(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			f1, err := e.tr.Create(t.Context(), spec(ticket.Factor, "cf-00000001"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.tr.Create(t.Context(), spec(ticket.Factor, "cf-00000002")); err != nil {
				t.Fatal(err)
			}
			pay := spec(ticket.Factor, "cf-00000003")
			pay.Target.Project = "PAY"
			if _, err := e.tr.Create(t.Context(), pay); err != nil {
				t.Fatal(err)
			}
			s := spec(ticket.Action, "ai-00000001")
			s.Factors = []ticket.Ref{
				f1.Ref,          // browse URL
				{Text: "OPS-2"}, // bare key of the item's project
				{Text: "PAY-1"}, // bare key of another project: maybe another Jira
				{Text: "acme/sre#12", URL: "https://github.com/acme/sre/issues/12"},
				{Text: "OPS-99", URL: e.srv.URL + "/browse/OPS-99"}, // gone: the link fails
			}
			tk, err := e.tr.Create(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			is := e.mustIssue(t, tk.Ref.Text)
			var linked []string
			for _, l := range is.Links {
				if l.Type != "Relates" {
					t.Errorf("link %+v", l)
				}
				linked = append(linked, l.Key)
			}
			slices.Sort(linked)
			if !slices.Equal(linked, []string{"OPS-1", "OPS-2"}) {
				t.Errorf("linked to %v, want OPS-1 and OPS-2", linked)
			}
			want := "* *Addresses:* [OPS-1|" + e.srv.URL + "/browse/OPS-1], OPS-2, PAY-1, [acme/sre#12|https://github.com/acme/sre/issues/12], [OPS-99|" + e.srv.URL + "/browse/OPS-99]\n"
			if !strings.Contains(is.Description, want) {
				t.Errorf("description lacks %q:\n%s", want, is.Description)
			}
			if !strings.Contains(e.logs.String(), `"msg":"jira link to a factor failed"`) {
				t.Errorf("no warning for the failed link:\n%s", e.logs)
			}
			// A factor is not linked to anything.
			if n := e.calls("POST", "/rest/api/2/issueLink"); n != 3 {
				t.Errorf("%d link POSTs, want 3", n)
			}
		})
	}
}

// A create answered 5xx is not sent again (it may have been created):
// the error is transient, and the next run's marker lookup tells.
func TestCreate5xxNotRetried(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, func(c *envConfig) {
				c.sim.Fault = testkit.FaultOn(1, testkit.Match("POST", "/rest/api/2/issue"), func() *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultServerError) })
			})
			_, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
			if err == nil || errors.Is(err, trackers.ErrPermanent) {
				t.Fatalf("err %v, want a transient error", err)
			}
			if !strings.HasPrefix(err.Error(), "jira jira: create issue in OPS: HTTP 500") {
				t.Errorf("error %q", err)
			}
			if n := e.calls("POST", "/rest/api/2/issue"); n != 1 || e.tr.Stats().Retries.Load() != 0 {
				t.Errorf("%d POSTs, %d retries; want 1 and 0", n, e.tr.Stats().Retries.Load())
			}
		})
	}
}

// Jira's 400 is permanent, and its messages (which name fields, never
// secrets) are in the error.
func TestCreateValidationErrorPermanent(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, func(c *envConfig) { c.cfg.Components = []string{"Nope"} })
			_, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
			if !errors.Is(err, trackers.ErrPermanent) || !strings.Contains(err.Error(), "HTTP 400 Bad Request: components: Component name 'Nope' is not valid") {
				t.Fatalf("err %v", err)
			}
			e2 := newEnv(t, f)
			s := spec(ticket.Action, "ai-00000001")
			s.Target.Project = "GONE"
			_, err = e2.tr.Create(t.Context(), s)
			if !errors.Is(err, trackers.ErrPermanent) || !strings.Contains(err.Error(), "project") {
				t.Fatalf("unknown project: %v", err)
			}
		})
	}
}

// Writes are paced at least WriteInterval apart, on the simulated clock.
func TestWritesPaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jirasim.Cloud)
	for _, item := range []string{"ai-00000001", "ai-00000002", "ai-00000003"} {
		if _, err := e.tr.Create(t.Context(), spec(ticket.Action, item)); err != nil {
			t.Fatal(err)
		}
	}
	var times []int64
	for _, c := range e.sim.Calls() {
		if c.Mutating() {
			times = append(times, c.Time.UnixNano())
		}
	}
	if len(times) != 3 {
		t.Fatalf("%d writes", len(times))
	}
	for i := 1; i < len(times); i++ {
		if d := times[i] - times[i-1]; d < int64(1e9) {
			t.Errorf("writes %d and %d %dns apart", i-1, i, d)
		}
	}
}
