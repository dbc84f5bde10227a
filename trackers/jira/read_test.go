package jira

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// seed adds n issues pmsync opened a month ago, and noise: an issue
// without the label, one without a marker, one with a malformed marker.
func seed(t *testing.T, e *env, project string, n int) {
	t.Helper()
	old := e.clock.Now().AddDate(0, -1, 0)
	for i := range n {
		m := ticket.Marker{PM: "pm-1", Item: fmt.Sprintf("ai-%08d", i), Owner: "o"}
		if _, err := e.sim.AddIssue(project, jirasim.Issue{
			Summary: "item " + m.Item, Labels: []string{"postmortem", "pm-pm-1"}, Description: "text\n" + m.String(),
			Created: old, Updated: old,
		}); err != nil {
			t.Fatal(err)
		}
	}
	for _, noise := range []jirasim.Issue{
		{Summary: "unlabelled", Description: ticket.Marker{PM: "x", Item: "ai-1", Owner: "o"}.String()},
		{Summary: "no marker", Labels: []string{"postmortem"}, Description: "hand-made"},
		{Summary: "malformed", Labels: []string{"postmortem"}, Description: "pmsync:v1 pm=a item=b"},
	} {
		noise.Created, noise.Updated = old, old
		if _, err := e.sim.AddIssue(project, noise); err != nil {
			t.Fatal(err)
		}
	}
}

// Find pages through every issue (100 a page), on each deployment's own
// search API, and keeps only marked ones.
func TestFindPagination(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			seed(t, e, "OPS", 250)
			seed(t, e, "PAY", 3)
			found, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 250 {
				t.Fatalf("found %d, want 250", len(found))
			}
			for i, tk := range found {
				if want := fmt.Sprintf("ai-%08d", i); tk.Marker.Item != want || !tk.HasMarker || tk.Target.Project != "OPS" {
					t.Fatalf("found[%d] = %+v, want %s", i, tk, want)
				}
			}
			if n := e.searches(); n != 3 {
				t.Errorf("%d searches, want 3 pages", n)
			}
			if f == jirasim.Cloud && e.calls("GET", "/rest/api/2/search") != 0 {
				t.Error("Cloud called the removed /rest/api/2/search")
			}
			if f == jirasim.DataCenter && e.calls("GET", "/rest/api/2/search/jql") != 0 {
				t.Error("Data Center called /search/jql")
			}
			if !strings.Contains(e.logs.String(), "malformed pmsync marker") {
				t.Error("the malformed marker was not reported")
			}
		})
	}
}

// since narrows Find to recent updates whatever the Jira account's time
// zone, which JQL reads date literals in.
func TestFindSince(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		for _, zone := range []string{"UTC", "America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12"} {
			t.Run(f.String()+" "+zone, func(t *testing.T) {
				t.Parallel()
				loc, err := time.LoadLocation(zone)
				if err != nil {
					t.Skip(err)
				}
				e := newEnv(t, f, func(c *envConfig) { c.sim.TimeZone = loc })
				seed(t, e, "OPS", 20)
				e.clock.Advance(2 * time.Hour)
				for _, k := range []string{"OPS-3", "OPS-7", "OPS-11"} {
					if err := e.sim.Transition(k, "In Progress", ""); err != nil {
						t.Fatal(err)
					}
				}
				e.clock.Advance(time.Minute)
				since := e.clock.Now().Add(-5 * time.Minute) // the engine's margin
				found, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, since)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, tk := range found {
					keys = append(keys, tk.Ref.Text)
					if tk.Status.State != ticket.StateInProgress {
						t.Errorf("%s: %+v", tk.Ref.Text, tk.Status)
					}
				}
				if strings.Join(keys, ",") != "OPS-3,OPS-7,OPS-11" {
					t.Errorf("found %v, want OPS-3, OPS-7, OPS-11", keys)
				}
			})
		}
	}
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f, func(c *envConfig) { c.cfg.WontDo = []string{"Won't Do", "Duplicate", "Declined"} })
			alice := e.alice()
			created := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
			resolved := time.Date(2026, 2, 20, 23, 30, 0, 0, time.UTC)
			m := ticket.Marker{PM: "pm", Item: "ai-1", Owner: "o"}
			cases := []struct {
				in   jirasim.Issue
				want ticket.Status
			}{
				{jirasim.Issue{Status: "To Do"}, ticket.Status{State: ticket.StateOpen}},
				{jirasim.Issue{Status: "In Progress"}, ticket.Status{State: ticket.StateInProgress}},
				{jirasim.Issue{Status: "Done", ResolutionDate: resolved}, ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)}},
				{jirasim.Issue{Status: "Won't Do", ResolutionDate: resolved}, ticket.Status{State: ticket.StateWontDo}},
				{jirasim.Issue{Status: "Done", Resolution: "Duplicate", ResolutionDate: resolved}, ticket.Status{State: ticket.StateWontDo}},
				{jirasim.Issue{Status: "Done", Resolution: "Declined", ResolutionDate: resolved}, ticket.Status{State: ticket.StateWontDo}},
				// Not configured as Won't do here: Done.
				{jirasim.Issue{Status: "Done", Resolution: "Cannot Reproduce", ResolutionDate: resolved}, ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)}},
			}
			var refs []ticket.Ref
			for _, c := range cases {
				in := c.in
				in.Summary, in.Description, in.Labels = "s", m.String(), []string{"postmortem"}
				in.Assignee, in.Reporter, in.DueDate, in.Created, in.Updated = alice, alice, "2026-04-01", created, created
				key, err := e.sim.AddIssue("OPS", in)
				if err != nil {
					t.Fatal(err)
				}
				refs = append(refs, ticket.Ref{Text: key})
			}
			gone, err := e.sim.AddIssue("OPS", jirasim.Issue{Summary: "gone"})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.sim.Delete(gone); err != nil {
				t.Fatal(err)
			}
			refs = append(refs, ticket.Ref{Text: gone, URL: e.srv.URL + "/browse/" + gone})
			got, err := e.tr.Get(t.Context(), refs)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(refs) {
				t.Fatalf("%d tickets for %d refs", len(got), len(refs))
			}
			for i, c := range cases {
				g := got[i]
				if g.Ref.Text != refs[i].Text || g.Status != c.want {
					t.Errorf("%s (%s %s): %+v, want %+v", g.Ref.Text, c.in.Status, c.in.Resolution, g.Status, c.want)
				}
				if g.Assignee != alice || g.Author != alice || !g.Due.Equal(time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)) ||
					!g.Created.Equal(created) || g.Title != "s" || g.Marker != m || g.Ref.URL != e.srv.URL+"/browse/"+g.Ref.Text {
					t.Errorf("%s: %+v", g.Ref.Text, g)
				}
			}
			if last := got[len(got)-1]; last.Status.State != ticket.StateMissing || last.Ref.Text != gone {
				t.Errorf("deleted: %+v", last)
			}
		})
	}
}

// Get reads up to 100 keys with one query; a deleted key is Missing
// once the project is seen to exist (one check per project); a project
// the account cannot see is an error, not a hundred Missing tickets.
func TestGetBatching(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			seed(t, e, "OPS", 150)
			refs := make([]ticket.Ref, 0, 150)
			for i := 1; i <= 150; i++ {
				refs = append(refs, ticket.Ref{Text: fmt.Sprintf("OPS-%d", i)})
			}
			got, err := e.tr.Get(t.Context(), refs[:100])
			if err != nil || len(got) != 100 {
				t.Fatalf("%d tickets, %v", len(got), err)
			}
			if n := e.searches(); n != 1 {
				t.Errorf("%d searches for 100 keys, want 1", n)
			}
			for _, k := range []string{"OPS-5", "OPS-120"} {
				if err := e.sim.Delete(k); err != nil {
					t.Fatal(err)
				}
			}
			before := e.searches()
			got, err = e.tr.Get(t.Context(), append(refs, refs[0])) // a duplicate ref too
			if err != nil || len(got) != 151 {
				t.Fatalf("%d tickets, %v", len(got), err)
			}
			missing := 0
			for _, g := range got {
				if g.Status.State == ticket.StateMissing {
					missing++
					if g.Ref.Text != "OPS-5" && g.Ref.Text != "OPS-120" {
						t.Errorf("%s missing", g.Ref.Text)
					}
				}
			}
			if missing != 2 {
				t.Errorf("%d missing, want 2", missing)
			}
			// Two batches; Cloud refuses a query naming a deleted key and
			// is asked again without it; one project check.
			want := 2 + 1
			if f == jirasim.Cloud {
				want += 2
			}
			if n := e.searches() - before; n != want {
				t.Errorf("%d searches, want %d", n, want)
			}

			// A project that is gone, or the account cannot browse.
			_, err = e.tr.Get(t.Context(), []ticket.Ref{{Text: "GONE-1"}, {Text: "GONE-2"}, {Text: "OPS-1"}})
			if !errors.Is(err, trackers.ErrNotFound) || !strings.Contains(err.Error(), "check that project GONE exists") {
				t.Errorf("err %v", err)
			}
		})
	}
}

func TestFindUnknownProject(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			_, err := e.tr.Find(t.Context(), ticket.Target{Project: "GONE"}, time.Time{})
			if !errors.Is(err, trackers.ErrNotFound) || !errors.Is(err, trackers.ErrPermanent) ||
				!strings.Contains(err.Error(), "The value 'GONE' does not exist for the field 'project'") {
				t.Errorf("err %v", err)
			}
		})
	}
}

func TestRecognize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jirasim.Cloud, func(c *envConfig) { c.cfg.WebURL = "https://acme.atlassian.net/" })
	for _, tc := range []struct {
		ref     ticket.Ref
		project string
	}{
		{ticket.Ref{Text: "OPS-12", URL: "https://acme.atlassian.net/browse/OPS-12"}, "OPS"},
		{ticket.Ref{URL: "https://ACME.atlassian.net/browse/pay-3/"}, "PAY"},
		{ticket.Ref{URL: "https://acme.atlassian.net/browse/PAY-3?focusedCommentId=1"}, "PAY"},
		{ticket.Ref{URL: e.srv.URL + "/browse/PAY-4"}, "PAY"}, // the API host
		{ticket.Ref{Text: "OPS-7"}, "OPS"},
		{ticket.Ref{Text: "PAY-7"}, ""},       // another project's bare key: maybe another Jira
		{ticket.Ref{Text: "SEV-1"}, ""},       // looks like a key
		{ticket.Ref{Text: "ops-7"}, ""},       // keys are upper case
		{ticket.Ref{Text: "acme/sre#12"}, ""}, // GitHub
		{ticket.Ref{URL: "https://other.atlassian.net/browse/OPS-1"}, ""},
		{ticket.Ref{URL: "https://acme.atlassian.net/jira/OPS-1"}, ""},
		{ticket.Ref{URL: "https://acme.atlassian.net/browse/OPS-1/x"}, ""},
		{ticket.Ref{URL: "javascript:alert(1)//acme.atlassian.net/browse/OPS-1"}, ""},
	} {
		tg, ok := e.tr.Recognize(tc.ref)
		if ok != (tc.project != "") || ok && (tg.Project != tc.project || tg.Tracker != "jira") {
			t.Errorf("Recognize(%+v) = %+v, %v; want %q", tc.ref, tg, ok, tc.project)
		}
	}
}

// Cloud's search lags writes; the issues this tracker created are
// reconciled, so a Find or Get right after a create sees them.
func TestReadAfterCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, jirasim.Cloud, func(c *envConfig) { c.sim.IndexLag = time.Minute })
	tk, err := e.tr.Create(t.Context(), spec(ticket.Action, "ai-00000001"))
	if err != nil {
		t.Fatal(err)
	}
	found, err := e.tr.Find(t.Context(), ticket.Target{Project: "OPS"}, e.clock.Now().Add(-5*time.Minute))
	if err != nil || len(found) != 1 || found[0].Ref != tk.Ref {
		t.Fatalf("Find = %+v, %v", found, err)
	}
	got, err := e.tr.Get(t.Context(), []ticket.Ref{tk.Ref})
	if err != nil || len(got) != 1 || got[0].Status.State != ticket.StateOpen {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	// Another tracker (another run) does not see it yet: the index lags.
	other := newEnvOn(t, e)
	if found, err := other.Find(t.Context(), ticket.Target{Project: "OPS"}, time.Time{}); err != nil || len(found) != 0 {
		t.Errorf("another run found %d, %v; the simulator's index should lag", len(found), err)
	}
}

// FindChanged finds every issue of the project changed since, labelled
// or not, marked or not: how the engine keeps a ticket a document
// adopted current within its one search per project.
func TestFindChanged(t *testing.T) {
	t.Parallel()
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, f)
			seed(t, e, "OPS", 5)
			old := e.clock.Now().AddDate(0, -1, 0)
			adopted, err := e.sim.AddIssue("OPS", jirasim.Issue{Summary: "an existing bug", Description: "filed by hand", Created: old, Updated: old})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.tr.FindChanged(t.Context(), ticket.Target{Project: "OPS"}, time.Time{}); err == nil {
				t.Fatal("FindChanged with no since searched the whole project")
			}
			e.clock.Advance(2 * time.Hour)
			since := e.clock.Now()
			e.clock.Advance(time.Minute)
			for k, to := range map[string]string{adopted: "Done", "OPS-3": "In Progress"} {
				if err := e.sim.Transition(k, to, ""); err != nil {
					t.Fatal(err)
				}
			}
			e.sim.ResetCalls()
			found, err := e.tr.FindChanged(t.Context(), ticket.Target{Project: "OPS"}, since)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]ticket.Ticket{}
			for _, tk := range found {
				got[tk.Ref.Text] = tk
			}
			if len(got) != 2 || got[adopted].HasMarker || got[adopted].Status.State != ticket.StateDone || !got["OPS-3"].HasMarker {
				t.Errorf("found %+v, want %s (done, no marker) and OPS-3 (marked)", found, adopted)
			}
			for _, c := range e.sim.Calls() {
				if jql := c.Query.Get("jql"); strings.Contains(jql, "labels") || !strings.Contains(jql, "updated >=") {
					t.Errorf("search %q: want every issue updated since, no label", jql)
				}
			}
			if n := len(e.sim.Calls()); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
		})
	}
}
