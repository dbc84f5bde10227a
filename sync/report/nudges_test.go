package report

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/pmsync/pmsync/sync/ticket"
)

// showNudges renders nudge counts as sent/moved/rate, "-" for no rate.
func showNudges(c NudgeCounts) string {
	r := "-"
	if c.MovedRate != nil {
		r = fmt.Sprintf("%.4f", *c.MovedRate)
	}
	return fmt.Sprintf("%d/%d/%s", c.Sent, c.Moved, r)
}

// TestComputeNudges: the fixture's nudges (see its comments), action
// items only, steps in the ladder's order, teams merged.
func TestComputeNudges(t *testing.T) {
	n := Compute(fixture()).Nudges
	// #2 #4 #8 #10 #12 #14 #18 #20; the factor #11's nudge is left out.
	if got := fmt.Sprintf("%s items=%d open=%d waiting=%d", showNudges(n.NudgeCounts), n.NudgedItems, n.StillOpen, n.Waiting); got != "14/5/0.3571 items=8 open=5 waiting=3" {
		t.Errorf("nudges = %s", got)
	}
	steps := keys(n.ByStep, func(s NudgeStep) string { return s.Step + " " + showNudges(s.NudgeCounts) })
	wantSteps := []string{
		"due-soon 3/2/0.6667",  // #2 #4 #12
		"due-today 2/0/0.0000", // #4 #12
		"overdue 4/1/0.2500",   // #4 (moved) #8 #10 #14
		"escalated-7d 2/1/0.5000",
		"escalated-30d 2/0/0.0000", // after 7d: by days, not by name
		"needs-owner 1/1/1.0000",
	}
	if !reflect.DeepEqual(steps, wantSteps) {
		t.Errorf("by step:\n got %q\nwant %q", steps, wantSteps)
	}
	teams := keys(n.ByTeam, func(s NudgeTeam) string { return s.Team + " " + showNudges(s.NudgeCounts) })
	wantTeams := []string{
		"auth 2/1/0.5000", // #12; not the factor #11
		"db 6/2/0.3333",   // #2 #4
		"edge 3/0/0.0000", // #8 #10
		// @acme/payments (#18) and PAYMENTS (#20): one team.
		"payments 2/2/1.0000",
		" 1/0/0.0000", // #14, no team: last
	}
	if !reflect.DeepEqual(teams, wantTeams) {
		t.Errorf("by team:\n got %q\nwant %q", teams, wantTeams)
	}
}

// TestNudgeCases: what counts as moved (Moved as the engine gives it),
// which nudges are still waiting for their 7 days, what is left out, and
// each item's nudges and last nudge. Today is 2026-03-15.
func TestNudgeCases(t *testing.T) {
	cases := []struct {
		name   string
		kind   ticket.Kind
		state  ticket.State
		nudges []Nudge
		// sent/moved/rate, nudged items, still open, waiting
		want, last string
	}{
		{"none", ticket.Action, ticket.StateOpen, nil, "0/0/- 0 0 0", ""},
		{"moved on the 7th day", ticket.Action, ticket.StateOpen, []Nudge{posted("overdue", "2026-02-01", "2026-02-08")}, "1/1/1.0000 1 1 0", "overdue@2026-02-01"},
		{"not moved", ticket.Action, ticket.StateInProgress, []Nudge{posted("overdue", "2026-02-01", "")}, "1/0/0.0000 1 1 0", "overdue@2026-02-01"},
		{"posted 7 days ago: waiting", ticket.Action, ticket.StateOpen, []Nudge{posted("due-today", "2026-03-08", "")}, "1/0/0.0000 1 1 1", "due-today@2026-03-08"},
		{"posted 8 days ago: not waiting", ticket.Action, ticket.StateOpen, []Nudge{posted("due-today", "2026-03-07", "")}, "1/0/0.0000 1 1 0", "due-today@2026-03-07"},
		{"posted today and moved", ticket.Action, ticket.StateOpen, []Nudge{posted("due-soon", "2026-03-15", "2026-03-15")}, "1/1/1.0000 1 1 0", "due-soon@2026-03-15"},
		{"done: not still open", ticket.Action, ticket.StateDone, []Nudge{posted("due-soon", "2026-01-01", "2026-01-02")}, "1/1/1.0000 1 0 0", "due-soon@2026-01-01"},
		{"won't do", ticket.Action, ticket.StateWontDo, []Nudge{posted("overdue", "2026-01-01", "")}, "1/0/0.0000 1 0 0", "overdue@2026-01-01"},
		{"missing", ticket.Action, ticket.StateMissing, []Nudge{posted("overdue", "2026-01-01", "")}, "1/0/0.0000 1 0 0", "overdue@2026-01-01"},
		{"a factor: left out", ticket.Factor, ticket.StateOpen, []Nudge{posted("overdue", "2026-03-14", "")}, "0/0/- 0 0 0", "overdue@2026-03-14"},
		{"last by day, not by order", ticket.Action, ticket.StateOpen,
			[]Nudge{posted("escalated-7d", "2026-02-08", ""), posted("overdue", "2026-02-01", "2026-02-03")}, "2/1/0.5000 1 1 0", "escalated-7d@2026-02-08"},
		{"same day: the one listed last", ticket.Action, ticket.StateOpen,
			[]Nudge{posted("overdue", "2026-02-01", ""), posted("needs-owner", "2026-02-01", "")}, "2/0/0.0000 1 1 0", "needs-owner@2026-02-01"},
		{"no day", ticket.Action, ticket.StateOpen, []Nudge{{Step: " Overdue "}}, "1/0/0.0000 1 1 0", "overdue"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Input{Now: fixtureNow, Docs: []Doc{{ID: "pm", Date: d("2026-01-01")}}, Items: []Item{{
				DocID: "pm", Key: "k", Kind: c.kind, Team: "t", State: c.state, Ticket: jira("T-1"), Nudges: c.nudges,
			}}}
			r := Compute(in)
			n := r.Nudges
			if got := fmt.Sprintf("%s %d %d %d", showNudges(n.NudgeCounts), n.NudgedItems, n.StillOpen, n.Waiting); got != c.want {
				t.Errorf("nudges = %s, want %s", got, c.want)
			}
			if it := r.Items.At(0); it.Nudges != len(c.nudges) || it.LastNudge != c.last {
				t.Errorf("item: nudges %d last %q, want %d %q", it.Nudges, it.LastNudge, len(c.nudges), c.last)
			}
			if n.ByStep == nil || n.ByTeam == nil {
				t.Error("nil list: the JSON would say null")
			}
		})
	}
}

func TestStepOrder(t *testing.T) {
	in := Input{Now: fixtureNow}
	// Posted in scrambled order; the report orders them by the ladder.
	for i, s := range []string{"zz-custom", "needs-owner", "escalated-30d", "", "overdue", "escalated-7d", "escalated-07x", "due-today",
		"escalated-100d", "due-soon", "escalated-14d", "escalated-d", "aa-custom"} {
		in.Items = append(in.Items, Item{DocID: "pm", Key: fmt.Sprint(i), Kind: ticket.Action, Nudges: []Nudge{{Step: s, At: d("2026-01-01")}}})
	}
	got := keys(Compute(in).Nudges.ByStep, func(s NudgeStep) string { return s.Step })
	want := []string{"due-soon", "due-today", "overdue", "escalated-7d", "escalated-14d", "escalated-30d", "escalated-100d", "needs-owner",
		"aa-custom", "escalated-07x", "escalated-d", "zz-custom", ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps:\n got %q\nwant %q", got, want)
	}
	for step, name := range map[string]string{
		"due-soon": "Due soon", "escalated-1d": "Escalated, 1 day overdue", "escalated-14d": "Escalated, 14 days overdue",
		"escalated-+7d": "escalated-+7d", "": "(no step)", "needs-owner": "Needs an owner",
	} {
		if got := stepName(step); got != name {
			t.Errorf("stepName(%q) = %q, want %q", step, got, name)
		}
	}
}
