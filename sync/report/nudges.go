package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/nudge"
	"github.com/pmsync/pmsync/sync/ticket"
)

// This file is the nudge section (SPEC §6.1): the reminders and
// escalations pmsync posted on the action items' tickets (steps named as
// sync/nudge names them), and whether each was followed within 7 days by
// the item moving.

// Nudges is what the reminders pmsync posted on action items' tickets
// did. A nudge moved its item when pmsync saw the item's state, due date
// or assignee change within 7 days after it (Nudge.Moved non-zero, as the
// engine gives it). The embedded counts, over all nudges, are the
// headline: did the nudges work?
type Nudges struct {
	NudgeCounts
	NudgedItems int `json:"nudged_items"` // action items with at least one nudge
	StillOpen   int `json:"still_open"`   // of those, open or in progress today
	// Waiting: nudges posted in the last 7 days (today − posted ≤ 7)
	// whose item has not moved yet. They may still move, so the rate may
	// still rise.
	Waiting int `json:"waiting"`
	// ByStep: due-soon, due-today, overdue, escalated-<n>d by n,
	// needs-owner, then any other step by name; only steps with a nudge.
	ByStep []NudgeStep `json:"by_step"`
	// ByTeam: teams merged as in by_team, sorted by key, none ("") last.
	ByTeam []NudgeTeam `json:"by_team"`
}

// NudgeCounts are how many nudges were posted and how many of them were
// followed within 7 days by their item moving.
type NudgeCounts struct {
	Sent  int `json:"sent"`
	Moved int `json:"moved"`
	// MovedRate is moved / sent, absent when none was sent.
	MovedRate *float64 `json:"moved_rate,omitempty"`
}

// NudgeStep is one step's nudges. Step is as posted, trimmed and in
// lower case; "" when the engine gave none.
type NudgeStep struct {
	Step string `json:"step"`
	NudgeCounts
}

// NudgeTeam is one team's nudges; Team "" is none.
type NudgeTeam struct {
	Team string `json:"team"`
	NudgeCounts
}

func (c *NudgeCounts) add(n *Nudge) {
	c.Sent++
	if !n.Moved.IsZero() {
		c.Moved++
	}
}

func (c NudgeCounts) rated() NudgeCounts {
	c.MovedRate = ratio(c.Moved, c.Sent)
	return c
}

// nudgesOf computes the nudge section from the action items' nudges.
// Factors are not nudged; any nudge on a factor's ticket is left out.
func nudgesOf(facts []fact, today time.Time) Nudges {
	out := Nudges{ByStep: []NudgeStep{}, ByTeam: []NudgeTeam{}}
	steps, teams := map[string]*NudgeCounts{}, map[string]*NudgeCounts{}
	at := func(m map[string]*NudgeCounts, k string) *NudgeCounts {
		if m[k] == nil {
			m[k] = &NudgeCounts{}
		}
		return m[k]
	}
	for i := range facts {
		f := &facts[i]
		if !f.action() || len(f.it.Nudges) == 0 {
			continue
		}
		out.NudgedItems++
		if f.state == ticket.StateOpen || f.state == ticket.StateInProgress {
			out.StillOpen++
		}
		for i := range f.it.Nudges {
			n := &f.it.Nudges[i]
			out.add(n)
			at(steps, nudgeStep(n.Step)).add(n)
			at(teams, f.team).add(n)
			if n.Moved.IsZero() && !n.At.IsZero() && days(n.At, today) <= nudgeWindowDays {
				out.Waiting++
			}
		}
	}
	out.NudgeCounts = out.rated()
	for k, c := range steps {
		out.ByStep = append(out.ByStep, NudgeStep{Step: k, NudgeCounts: c.rated()})
	}
	slices.SortFunc(out.ByStep, func(a, b NudgeStep) int { return stepOrder(a.Step, b.Step) })
	for k, c := range teams {
		out.ByTeam = append(out.ByTeam, NudgeTeam{Team: k, NudgeCounts: c.rated()})
	}
	slices.SortFunc(out.ByTeam, func(a, b NudgeTeam) int { return noneLast(a.Team, b.Team) })
	return out
}

// nudgeWindowDays: a nudge moved its item when the item moved within
// this many days after it. The engine applies it when it sets
// Nudge.Moved; the report uses it only to tell which nudges may still
// move their item (waiting).
const nudgeWindowDays = 7

// nudgeStep is a step as the report groups it: trimmed, lower case.
func nudgeStep(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// escalatedDays is n of a ladder step, escalated-<n>d
// (nudge.EscalatedStep); ok is false for any other step.
func escalatedDays(step string) (n int, ok bool) {
	s, ok := strings.CutPrefix(step, "escalated-")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "d")
	if !ok || s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// stepRank places a step in the ladder's order.
func stepRank(step string) (rank, n int) {
	switch step {
	case nudge.StepDueSoon:
		return 0, 0
	case nudge.StepDueToday:
		return 1, 0
	case nudge.StepOverdue:
		return 2, 0
	case nudge.StepNeedsOwner:
		return 4, 0
	}
	if n, ok := escalatedDays(step); ok {
		return 3, n
	}
	if step == "" {
		return 6, 0
	}
	return 5, 0
}

// stepOrder orders steps: due-soon, due-today, overdue, escalations by
// days, needs-owner, other steps by name, no step last.
func stepOrder(a, b string) int {
	ra, na := stepRank(a)
	rb, nb := stepRank(b)
	return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(na, nb), strings.Compare(a, b))
}

// lastNudge is the latest nudge as step@YYYY-MM-DD (the step alone when
// its day is unknown); "" when none. Of nudges on the same day, the one
// listed last.
func lastNudge(ns []Nudge) string {
	if len(ns) == 0 {
		return ""
	}
	last := &ns[0]
	for i := range ns {
		if !day(ns[i].At).Before(day(last.At)) {
			last = &ns[i]
		}
	}
	if last.At.IsZero() {
		return nudgeStep(last.Step)
	}
	return nudgeStep(last.Step) + "@" + date(last.At)
}

// stepName is how a nudge step is shown; a step pmsync does not post is
// shown as given (the caller escapes it).
func stepName(step string) string {
	switch step {
	case nudge.StepDueSoon:
		return "Due soon"
	case nudge.StepDueToday:
		return "Due today"
	case nudge.StepOverdue:
		return "Overdue"
	case nudge.StepNeedsOwner:
		return "Needs an owner"
	case "":
		return "(no step)"
	}
	if n, ok := escalatedDays(step); ok {
		return fmt.Sprintf("Escalated, %s overdue", plural(n, "day"))
	}
	return step
}
