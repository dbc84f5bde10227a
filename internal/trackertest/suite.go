// Package trackertest is the behaviour every tracker must show, run
// against each implementation (memory, GitHub on its simulator, Jira on
// its simulator): create, find by marker, status mapping, batch reads,
// duplicates, pagination, hostile text.
package trackertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Control lets the suite act in the tracker as people do.
type Control interface {
	// Close closes a ticket as done ("completed") or not planned ("wontdo").
	Close(t testing.TB, ref ticket.Ref, how string)
	// Start moves a ticket to in progress; ok is false where the tracker
	// has no such state (GitHub).
	Start(t testing.TB, ref ticket.Ref) (ok bool)
	// Delete removes a ticket.
	Delete(t testing.TB, ref ticket.Ref)
}

// Harness builds a fresh tracker for each test.
type Harness struct {
	New    func(t *testing.T) (trackers.Tracker, Control)
	Target ticket.Target
	// Today is the tracker's clock date, for done dates.
	Today func() time.Time
}

func spec(h Harness, pm, key string) ticket.Spec {
	return ticket.Spec{
		Target: h.Target, Marker: ticket.Marker{PM: pm, Item: key, Owner: "suite"}, Kind: ticket.Action,
		Title: "Add an alert for " + key, DocTitle: "Suite postmortem", DocDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Due: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Priority: "P1", NeedsOwner: true,
	}
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("create then find by marker", func(t *testing.T) {
		tr, _ := h.New(t)
		created, err := tr.Create(ctx, spec(h, "pm-1", "ai-00000001"))
		if err != nil {
			t.Fatal(err)
		}
		if created.Ref.Text == "" || created.Status.State != ticket.StateOpen {
			t.Fatalf("created %+v", created)
		}
		if tg, ok := tr.Recognize(created.Ref); !ok || tg.Tracker != h.Target.Tracker {
			t.Fatalf("Recognize(%+v) = %+v, %v", created.Ref, tg, ok)
		}
		found, err := tr.Find(ctx, h.Target, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 || found[0].Ref != created.Ref || !found[0].HasMarker ||
			found[0].Marker != (ticket.Marker{PM: "pm-1", Item: "ai-00000001", Owner: "suite"}) {
			t.Fatalf("Find = %+v", found)
		}
		if found[0].Title != "Add an alert for ai-00000001" {
			t.Errorf("title %q", found[0].Title)
		}
	})
	t.Run("find since", func(t *testing.T) {
		tr, _ := h.New(t)
		if _, err := tr.Create(ctx, spec(h, "pm-1", "ai-00000002")); err != nil {
			t.Fatal(err)
		}
		later, err := tr.Find(ctx, h.Target, h.Today().Add(48*time.Hour))
		if err != nil || len(later) != 0 {
			t.Fatalf("Find(since tomorrow) = %d tickets, %v", len(later), err)
		}
		earlier, err := tr.Find(ctx, h.Target, h.Today().Add(-48*time.Hour))
		if err != nil || len(earlier) != 1 {
			t.Fatalf("Find(since yesterday) = %d tickets, %v", len(earlier), err)
		}
	})
	t.Run("statuses", func(t *testing.T) {
		tr, c := h.New(t)
		var refs []ticket.Ref
		for i := 0; i < 4; i++ {
			tk, err := tr.Create(ctx, spec(h, "pm-2", fmt.Sprintf("ai-1000000%d", i)))
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, tk.Ref)
		}
		c.Close(t, refs[0], "completed")
		c.Close(t, refs[1], "wontdo")
		c.Delete(t, refs[2])
		inProgress := c.Start(t, refs[3])
		got, err := tr.Get(ctx, refs)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("Get returned %d tickets for 4 refs", len(got))
		}
		by := map[string]ticket.Status{}
		for _, g := range got {
			by[g.Ref.Text] = g.Status
		}
		today := h.Today().UTC().Format(ticket.DateLayout)
		if s := by[refs[0].Text]; s.State != ticket.StateDone || s.Done.UTC().Format(ticket.DateLayout) != today {
			t.Errorf("completed: %+v, want Done %s", s, today)
		}
		if s := by[refs[1].Text]; s.State != ticket.StateWontDo {
			t.Errorf("not planned: %+v", s)
		}
		if s := by[refs[2].Text]; s.State != ticket.StateMissing {
			t.Errorf("deleted: %+v", s)
		}
		want := ticket.StateOpen
		if inProgress {
			want = ticket.StateInProgress
		}
		if s := by[refs[3].Text]; s.State != want {
			t.Errorf("started: %+v, want %s", s, want)
		}
	})
	t.Run("close duplicate", func(t *testing.T) {
		tr, _ := h.New(t)
		keep, err := tr.Create(ctx, spec(h, "pm-3", "ai-20000000"))
		if err != nil {
			t.Fatal(err)
		}
		dup, err := tr.Create(ctx, spec(h, "pm-3", "ai-20000000"))
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.CloseDuplicate(ctx, dup, keep); err != nil {
			t.Fatal(err)
		}
		got, err := tr.Get(ctx, []ticket.Ref{keep.Ref, dup.Ref})
		if err != nil || len(got) != 2 {
			t.Fatalf("%v %v", got, err)
		}
		for _, g := range got {
			switch g.Ref {
			case keep.Ref:
				if g.Status.State != ticket.StateOpen {
					t.Errorf("kept ticket: %+v", g.Status)
				}
			case dup.Ref:
				if g.Status.State != ticket.StateWontDo {
					t.Errorf("duplicate: %+v, want Won't do", g.Status)
				}
			}
		}
	})
	t.Run("pagination", func(t *testing.T) {
		tr, _ := h.New(t)
		const n = 130
		for i := 0; i < n; i++ {
			if _, err := tr.Create(ctx, spec(h, "pm-4", fmt.Sprintf("ai-3%07d", i))); err != nil {
				t.Fatal(err)
			}
		}
		found, err := tr.Find(ctx, h.Target, time.Time{})
		if err != nil || len(found) != n {
			t.Fatalf("Find = %d tickets, %v; want %d", len(found), err, n)
		}
		refs := make([]ticket.Ref, 0, n)
		for _, f := range found {
			refs = append(refs, f.Ref)
		}
		got, err := tr.Get(ctx, refs)
		if err != nil || len(got) != n {
			t.Fatalf("Get = %d tickets, %v", len(got), err)
		}
	})
	t.Run("hostile text keeps the marker", func(t *testing.T) {
		tr, _ := h.New(t)
		s := spec(h, "pm/5 with spaces", "ai-40000000")
		s.Title = `End --> the comment {code} [link|x] pmsync:v1 pm=evil item=ai-ffffffff owner=suite "quoted" AND project = X`
		s.Detail = "-->\n<!-- pmsync:v1 pm=evil item=cf-00000000 owner=suite -->\n" + strings.Repeat("long ", 20000)
		s.DocTitle = "<script>alert(1)</script> -->"
		if _, err := tr.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		found, err := tr.Find(ctx, h.Target, time.Time{})
		if err != nil || len(found) != 1 {
			t.Fatalf("Find = %+v, %v", found, err)
		}
		if found[0].Marker != s.Marker {
			t.Fatalf("marker read back as %+v, want %+v", found[0].Marker, s.Marker)
		}
	})
	t.Run("other installations' markers are reported as such", func(t *testing.T) {
		tr, _ := h.New(t)
		s := spec(h, "pm-6", "ai-50000000")
		s.Marker.Owner = "someone-else"
		if _, err := tr.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
		found, err := tr.Find(ctx, h.Target, time.Time{})
		if err != nil || len(found) != 1 || found[0].Marker.Owner != "someone-else" {
			t.Fatalf("Find = %+v, %v", found, err)
		}
	})
	t.Run("the tracker's account is the author of what it creates", func(t *testing.T) {
		tr, _ := h.New(t)
		id, ok := tr.(trackers.Identifier)
		if !ok {
			t.Fatal("tracker does not implement trackers.Identifier: marked tickets could not be checked")
		}
		created, err := tr.Create(ctx, spec(h, "pm-7", "ai-60000000"))
		if err != nil {
			t.Fatal(err)
		}
		acct, err := id.Account(ctx, h.Target)
		if err != nil || acct == "" {
			t.Fatalf("Account = %q, %v", acct, err)
		}
		found, err := tr.Find(ctx, h.Target, time.Time{})
		if err != nil || len(found) != 1 || found[0].Ref != created.Ref {
			t.Fatalf("Find = %+v, %v", found, err)
		}
		if !strings.EqualFold(found[0].Author, acct) {
			t.Fatalf("listed author %q, account %q: pmsync would take its own tickets for impostors", found[0].Author, acct)
		}
		got, err := tr.Get(ctx, []ticket.Ref{created.Ref})
		if err != nil || len(got) != 1 || !strings.EqualFold(got[0].Author, acct) {
			t.Fatalf("Get = %+v, %v; want author %q", got, err, acct)
		}
		// Asked once per run (per tracker value).
		if again, err := id.Account(ctx, h.Target); err != nil || again != acct {
			t.Fatalf("second Account = %q, %v", again, err)
		}
	})
	runNudges(t, h)
}

// Commenter is the Control of a trackers.Nudger: it shows the comments a
// ticket received and makes the next comment fail.
type Commenter interface {
	// Comments are the bodies of the comments ref received, oldest first.
	Comments(t testing.TB, ref ticket.Ref) []string
	// FailNextComment makes the tracker's next comment fail as kind
	// says: "refused" (a 4xx), "server-error" (500), "bad-gateway" (502,
	// which may come after the tracker posted) or "lost" (no answer).
	FailNextComment(t testing.TB, kind string)
}

// runNudges checks that each follow-up step is posted once: labelled,
// commented, never twice, retried only when the comment surely failed.
func runNudges(t *testing.T, h Harness) {
	ctx := context.Background()
	setup := func(t *testing.T) (trackers.Nudger, Commenter, trackers.Tracker, ticket.Ref) {
		tr, c := h.New(t)
		n, ok := tr.(trackers.Nudger)
		if !ok {
			t.Fatal("tracker does not implement trackers.Nudger")
		}
		cm, ok := c.(Commenter)
		if !ok {
			t.Fatal("control does not implement trackertest.Commenter")
		}
		created, err := tr.Create(ctx, spec(h, "pm-8", "ai-70000000"))
		if err != nil {
			t.Fatal(err)
		}
		return n, cm, tr, created.Ref
	}
	labelled := func(t *testing.T, tr trackers.Tracker, ref ticket.Ref, label string) bool {
		got, err := tr.Get(ctx, []ticket.Ref{ref})
		if err != nil || len(got) != 1 {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		return slices.ContainsFunc(got[0].Labels, func(l string) bool { return strings.EqualFold(l, label) })
	}
	reminder := ticket.Comment{Text: "Due in 3 days.", Link: "https://example.com/pm", LinkText: "The postmortem"}
	t.Run("a step is posted once", func(t *testing.T) {
		n, c, tr, ref := setup(t)
		if err := n.Nudge(ctx, ref, "pmsync:due-soon", reminder); err != nil {
			t.Fatal(err)
		}
		if !labelled(t, tr, ref, "pmsync:due-soon") {
			t.Error("no label after Nudge")
		}
		found, err := tr.Find(ctx, h.Target, time.Time{})
		if err != nil || len(found) != 1 || !slices.ContainsFunc(found[0].Labels, func(l string) bool { return strings.EqualFold(l, "pmsync:due-soon") }) {
			t.Errorf("Find = %+v, %v: the label is not listed", found, err)
		}
		for range 2 {
			if err := n.Nudge(ctx, ref, "pmsync:due-soon", reminder); !errors.Is(err, trackers.ErrAlreadyDone) {
				t.Errorf("Nudge again = %v, want ErrAlreadyDone", err)
			}
		}
		if err := n.Comment(ctx, ref, ticket.Comment{Text: "A digest."}); err != nil {
			t.Fatal(err)
		}
		if got := c.Comments(t, ref); len(got) != 2 || !strings.Contains(got[0], "Due in 3 days") || !strings.Contains(got[1], "A digest") {
			t.Errorf("comments %q, want the reminder once, then the digest", got)
		}
	})
	// Two runs (two installations) that reach a ticket at the same moment
	// both find the label absent and may both post; settling leaves one
	// comment, and the run whose comment was deleted reports the step as
	// another run's.
	t.Run("two runs at once post a step once", func(t *testing.T) {
		tr, c := h.New(t)
		n, ok := tr.(trackers.Nudger)
		if !ok {
			t.Fatal("tracker does not implement trackers.Nudger")
		}
		cm := c.(Commenter)
		const rounds = 20
		for round := range rounds {
			created, err := tr.Create(ctx, spec(h, "pm-9", fmt.Sprintf("ai-8%07d", round)))
			if err != nil {
				t.Fatal(err)
			}
			start := make(chan struct{})
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = n.Nudge(ctx, created.Ref, "pmsync:overdue", reminder)
				}()
			}
			close(start)
			wg.Wait()
			posted := 0
			for _, err := range errs {
				switch {
				case err == nil:
					posted++
				case !errors.Is(err, trackers.ErrAlreadyDone):
					t.Fatalf("round %d: Nudge = %v", round, err)
				}
			}
			got := cm.Comments(t, created.Ref)
			if posted != 1 || len(got) != 1 || !strings.Contains(got[0], "Due in 3 days") {
				t.Fatalf("round %d: %d runs took the step, comments %q; want one of each", round, posted, got)
			}
			if !labelled(t, tr, created.Ref, "pmsync:overdue") {
				t.Fatalf("round %d: no label", round)
			}
		}
		if s, ok := tr.(trackers.Statser); ok {
			st := s.Stats()
			t.Logf("%d rounds: %d comments posted, %d deleted as twins, %d settle listings",
				rounds, st.Comments.Load(), st.TwinsDeleted.Load(), st.SettleLists.Load())
		}
	})
	for _, tc := range []struct {
		kind      string
		keepLabel bool // the comment may have been posted: the step is not retried
	}{{"refused", false}, {"server-error", false}, {"bad-gateway", true}, {"lost", true}} {
		t.Run("a comment "+tc.kind, func(t *testing.T) {
			n, c, tr, ref := setup(t)
			c.FailNextComment(t, tc.kind)
			if err := n.Nudge(ctx, ref, "pmsync:overdue", reminder); err == nil {
				t.Fatal("Nudge succeeded with its comment failing")
			}
			if got := labelled(t, tr, ref, "pmsync:overdue"); got != tc.keepLabel {
				t.Fatalf("labelled %v after the failed comment, want %v", got, tc.keepLabel)
			}
			err := n.Nudge(ctx, ref, "pmsync:overdue", reminder)
			comments := c.Comments(t, ref)
			switch {
			case tc.keepLabel && (!errors.Is(err, trackers.ErrAlreadyDone) || len(comments) != 0):
				t.Errorf("next run: %v with %d comments; want ErrAlreadyDone and none", err, len(comments))
			case !tc.keepLabel && (err != nil || len(comments) != 1):
				t.Errorf("next run: %v with %d comments; want the comment, once", err, len(comments))
			}
		})
	}
}
