package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/ticket"
)

// impostorFor plants, in the gh tracker, an older ticket carrying the
// marker of an item pmsync is about to open a ticket for, opened by
// author, and returns it with the planned creation it mimics.
func impostorFor(t *testing.T, f *fixture, author string) (ticket.Ticket, plan.Create) {
	t.Helper()
	res := f.run(t, func(e *Engine) { e.Config.DryRun = true })
	for _, c := range res.Plan.Creates {
		if c.Spec.Target.Tracker != "gh" {
			continue
		}
		imp := f.gh.Inject(ticket.Ticket{
			Target: c.Spec.Target, Marker: c.Spec.Marker, HasMarker: true, Title: c.Spec.Title,
			Status: ticket.Status{State: ticket.StateOpen}, Created: f.now.Add(-time.Hour), Author: author,
		})
		return imp, c
	}
	t.Fatal("no creation planned on gh")
	return ticket.Ticket{}, plan.Create{}
}

func countCalls(calls []string, op string) int {
	n := 0
	for _, c := range calls {
		if c == op {
			n++
		}
	}
	return n
}

// TestImpostorNotAdopted: a ticket with pmsync's marker opened by another
// account is neither adopted nor kept as the oldest "duplicate" (which
// would close pmsync's own ticket); pmsync opens its own, lists the
// impostor in the result, and keeps listing it on steady runs.
func TestImpostorNotAdopted(t *testing.T) {
	f := newFixture(t)
	imp, c := impostorFor(t, f, "mallory")
	res := f.run(t)
	if res.Failed() {
		t.Fatalf("failures: %v", res.Failures)
	}
	if res.Adopted != 0 || res.Closed != 0 {
		t.Fatalf("adopted %d, closed %d: the impostor was taken for pmsync's", res.Adopted, res.Closed)
	}
	if len(res.Impostors) != 1 || res.Impostors[0].Ticket != imp.Ref.Text || res.Impostors[0].Author != "mallory" || res.Impostors[0].Item != c.Spec.Marker.Item || res.Impostors[0].Tracker != "gh" {
		t.Fatalf("impostors = %+v, want %s by mallory", res.Impostors, imp.Ref.Text)
	}
	items := f.parsedItems(t)
	it := items[c.Spec.Marker.PM+" "+c.Spec.Marker.Item]
	if it == nil || it.Ticket.IsZero() || it.Ticket == imp.Ref {
		t.Fatalf("item links %+v; want pmsync's own ticket, not the impostor %s", it, imp.Ref.Text)
	}
	for _, tk := range f.gh.All() {
		if tk.Ref == imp.Ref && tk.Status.State != ticket.StateOpen {
			t.Fatalf("the impostor was changed: %+v", tk.Status)
		}
	}
	if n := countCalls(f.gh.Calls(), "account"); n != 1 {
		t.Fatalf("asked the account %d times, want once", n)
	}
	// Steady: still reported (from the state), no new question.
	f.now = f.now.Add(time.Hour)
	res = f.run(t)
	if len(res.Impostors) != 1 || res.Created != 0 || res.Adopted != 0 {
		t.Fatalf("steady run: impostors %+v, created %d, adopted %d", res.Impostors, res.Created, res.Adopted)
	}
	if n := countCalls(f.gh.Calls(), "account"); n != 1 {
		t.Fatalf("steady run asked the account again (%d calls)", n)
	}
	// Deleted: a full listing forgets it.
	f.gh.Delete(imp.Ref.Text)
	res = f.run(t, func(e *Engine) { e.Config.FullRefresh = time.Nanosecond })
	if len(res.Impostors) != 0 {
		t.Fatalf("after deletion: impostors %+v", res.Impostors)
	}
}

func TestImpostorAuthors(t *testing.T) {
	tests := []struct {
		name, author string
		trusted      []string
		adopted      bool
	}{
		{"pmsync's own account (another run)", "pmsync", nil, true},
		{"same account, other case", "PMSync", nil, true},
		{"another account", "mallory", nil, false},
		{"no author given", "nobody", nil, false},
		{"trusted (the bot before a token rotation)", "old-bot", []string{"old-bot"}, true},
		{"trusted on another tracker only", "old-bot", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			imp, _ := impostorFor(t, f, tt.author)
			res := f.run(t, func(e *Engine) {
				if tt.trusted != nil {
					e.Config.TrustedAuthors = map[string][]string{"gh": tt.trusted}
				} else {
					e.Config.TrustedAuthors = map[string][]string{"jira": {"old-bot"}}
				}
			})
			if res.Failed() {
				t.Fatalf("failures: %v", res.Failures)
			}
			if got := res.Adopted == 1; got != tt.adopted {
				t.Fatalf("adopted %d, want adopted=%v", res.Adopted, tt.adopted)
			}
			if got := len(res.Impostors) == 1 && res.Impostors[0].Ticket == imp.Ref.Text; got == tt.adopted {
				t.Fatalf("impostors %+v", res.Impostors)
			}
			assertOneTicketPerItemExcept(t, f, imp.Ref, !tt.adopted)
		})
	}
}

// assertOneTicketPerItemExcept is assertOneTicketPerItem with the
// impostor left out when it is not pmsync's.
func assertOneTicketPerItemExcept(t *testing.T, f *fixture, imp ticket.Ref, skip bool) {
	t.Helper()
	if !skip {
		assertOneTicketPerItem(t, f)
		return
	}
	f.gh.Delete(imp.Text)
	assertOneTicketPerItem(t, f)
}

// TestImpostorAccountUnknown: when the tracker cannot say which account
// it is, nothing is adopted or created where the question arose.
func TestImpostorAccountUnknown(t *testing.T) {
	f := newFixture(t)
	imp, c := impostorFor(t, f, "pmsync")
	f.gh.Fail = func(op string) error {
		if op == "account" {
			return errors.New("401 bad credentials")
		}
		return nil
	}
	res := f.run(t)
	if !res.Failed() || res.Adopted != 0 {
		t.Fatalf("failed %v, adopted %d", res.Failed(), res.Adopted)
	}
	for _, tk := range f.gh.All() {
		if tk.Target == c.Spec.Target && tk.Ref != imp.Ref {
			t.Fatalf("created %s in %s although the author could not be checked", tk.Ref.Text, c.Spec.Target)
		}
	}
	if len(f.jira.All()) == 0 {
		t.Fatal("the other tracker was held up too")
	}
	// Next run, the tracker answers: the ticket (pmsync's) is adopted.
	f.gh.Fail = nil
	res = f.run(t)
	if res.Adopted != 1 || res.Failed() {
		t.Fatalf("recovery: adopted %d, failures %v", res.Adopted, res.Failures)
	}
}

// TestNoAccountCallWhenAllLinked: steady runs (and a first run) never ask
// who the tracker is; only an unlinked marked ticket does.
func TestNoAccountCallWhenAllLinked(t *testing.T) {
	f := newFixture(t)
	f.run(t)
	f.now = f.now.Add(time.Hour)
	f.run(t, func(e *Engine) { e.Config.FullRefresh = time.Nanosecond })
	for _, tr := range []interface{ Calls() []string }{f.gh, f.jira} {
		if slices.Contains(tr.Calls(), "account") {
			t.Fatalf("account asked: %v", tr.Calls())
		}
	}
}

// TestImpostorInReport: the report lists the impostor for leadership.
func TestImpostorInReport(t *testing.T) {
	f := newFixture(t)
	imp, c := impostorFor(t, f, "mallory")
	res := f.run(t)
	got := res.Report.Impostors
	if len(got) != 1 || got[0].Ticket != imp.Ref.Text || got[0].Author != "mallory" || got[0].Key != c.Spec.Marker.Item || got[0].Seen != "2026-11-25" {
		t.Fatalf("report impostors = %+v", got)
	}
}

// TestShareGuardRefusalPersists: a flood of new items is refused, and
// refused again next run (the refused run does not count them as known).
func TestShareGuardRefusalPersists(t *testing.T) {
	f := newFixture(t)
	guard := func(e *Engine) { e.Config.MaxShare = map[string]float64{"gh": 0.5, "jira": 0.5} }
	if res := f.run(t, guard); res.Failed() {
		t.Fatalf("first run: %v", res.Failures)
	}
	var b strings.Builder
	b.WriteString("---\nid: flood\nstatus: final\ndate: 2026-11-01\n---\n# Flood\n\n## Action items\n\n| Action item | Owner | Due |\n|---|---|---|\n")
	for i := range 80 {
		fmt.Fprintf(&b, "| Flood action %d | alice | 2099-01-01 |\n", i)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "flood.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for run := range 2 {
		f.now = f.now.Add(time.Hour)
		n := len(f.gh.All())
		res := f.run(t, guard)
		if len(res.Plan.Refusals) != 1 || len(f.gh.All()) != n {
			t.Fatalf("run %d: refusals %+v, %d tickets created", run, res.Plan.Refusals, len(f.gh.All())-n)
		}
	}
}
