package report

import (
	"slices"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Cohort is the action items of the postmortems of one incident month
// (the month of the postmortem's date, UTC), and how many of them were
// done within 30, 60 and 90 days of their postmortem's date. It is
// computed from the items' current state; no history is needed.
//
//   - Factors are not counted; postmortems without a date are in no
//     cohort; a month whose postmortems have no action items has no
//     cohort.
//   - Won't-do items are left out of the denominator, as in the
//     completion rate; missing tickets stay in it, not done.
//   - An item is done within N days when it is done now and its done date
//     − its postmortem's date ≤ N days (UTC calendar days; a done date
//     before the postmortem's date counts as 0). An item reopened since
//     is not done.
//   - An item done without a known done date (checked in the document, or
//     a tracker that gave no date) counts in Done and DoneUndated but in
//     no N-day figure: the N-day shares are lower bounds, and at most
//     DoneUndated / Items higher.
//   - The N-day figure is absent (not 0) until it can no longer grow:
//     until N days have passed since the cohort's latest postmortem date,
//     i.e. while today − that date ≤ N days (a done date on day N still
//     counts).
type Cohort struct {
	Month string `json:"month"` // YYYY-MM
	// Postmortems: the month's postmortems with at least one action item.
	Postmortems int `json:"postmortems"`
	// Items: action items, won't do excluded: the shares' denominator.
	Items  int `json:"items"`
	WontDo int `json:"wont_do"` // action items won't do (not in Items)
	// Done: action items done now, whenever; DoneUndated of them without a
	// done date.
	Done        int `json:"done"`
	DoneUndated int `json:"done_undated"`
	// Latest is the latest postmortem date of the cohort (YYYY-MM-DD),
	// which decides when each N-day figure appears.
	Latest string `json:"latest"`
	// Within30, Within60, Within90: done within 30, 60 or 90 days; absent
	// until the figure can no longer grow (see above).
	Within30 *CohortShare `json:"within_30,omitempty"`
	Within60 *CohortShare `json:"within_60,omitempty"`
	Within90 *CohortShare `json:"within_90,omitempty"`
}

// CohortShare is the action items of a cohort done within N days.
type CohortShare struct {
	Done int `json:"done"`
	// Share: Done / Items, 0..1; absent when Items is 0 (all won't do).
	Share *float64 `json:"share,omitempty"`
}

// cohortDays are the cohort curves' points, in days.
var cohortDays = [3]int{30, 60, 90}

// cohortsOf computes the cohorts, oldest month first, from the report's
// items.
func cohortsOf(r *Report) []Cohort {
	today, err := time.Parse(ticket.DateLayout, r.Today)
	if err != nil {
		return []Cohort{}
	}
	type acc struct {
		Cohort
		docs   map[string]bool
		latest time.Time
		within [3]int
	}
	byMonth := map[string]*acc{}
	for it := range r.Items.All() {
		incident, err := time.Parse(ticket.DateLayout, it.IncidentDate)
		if it.Kind != string(ticket.Action) || err != nil {
			continue
		}
		month := incident.Format("2006-01")
		a := byMonth[month]
		if a == nil {
			a = &acc{Cohort: Cohort{Month: month}, docs: map[string]bool{}}
			byMonth[month] = a
		}
		a.docs[it.DocID] = true
		if incident.After(a.latest) {
			a.latest = incident
		}
		switch ticket.State(it.State) {
		case ticket.StateWontDo:
			a.WontDo++
			continue
		case ticket.StateDone:
			a.Done++
			done, err := time.Parse(ticket.DateLayout, it.Done)
			if err != nil {
				a.DoneUndated++
				break
			}
			for k, n := range cohortDays {
				if days(incident, done) <= n {
					a.within[k]++
				}
			}
		}
		a.Items++
	}

	out := make([]Cohort, 0, len(byMonth))
	for _, a := range byMonth {
		c := a.Cohort
		c.Postmortems = len(a.docs)
		c.Latest = date(a.latest)
		age := days(a.latest, today)
		for k, field := range []**CohortShare{&c.Within30, &c.Within60, &c.Within90} {
			if n := cohortDays[k]; age > n {
				*field = &CohortShare{Done: a.within[k], Share: ratio(a.within[k], c.Items)}
			}
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Cohort) int { return noneLast(a.Month, b.Month) })
	return out
}
