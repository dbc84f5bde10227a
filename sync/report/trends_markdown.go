package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// trendsAndCohorts writes the trends (weekly, overall and by team) and
// the cohort curves.
func (m *md) trendsAndCohorts(r *Report) {
	t := r.Trends
	m.h2("Trends")
	m.f("Action items, one row per ISO week: the last snapshot of the week, this week's from this report. %s\n\n", weeksNote(len(t.Overall)))
	rows := [][]string{}
	for _, p := range t.Overall {
		rows = append(rows, []string{p.Week, p.Date, strconv.Itoa(p.Items), strconv.Itoa(p.Done), pct(p.CompletionRate),
			strconv.Itoa(p.Open), strconv.Itoa(p.Overdue), strconv.Itoa(p.WontDo)})
	}
	m.table([]string{"Week", "Snapshot", "Action items", "Done", "Completion", "Open or in progress", "Overdue", "Won't do"}, slices.Values(rows))

	m.f("### Trends by team\n\n")
	if len(t.Overall) > 0 {
		m.f("From %s to %s; one mark a week, from ▁ (0%%) to █ (100%%) completion, · without action items.\n\n", t.Overall[0].Week, t.Overall[len(t.Overall)-1].Week)
	}
	rows = [][]string{}
	for _, tt := range t.ByTeam {
		first, last := tt.Points[0], tt.Points[len(tt.Points)-1]
		rows = append(rows, []string{or(esc(tt.Team), "(none)"), pct(first.CompletionRate) + " → " + pct(last.CompletionRate), sparkline(tt.Points),
			fmt.Sprintf("%d → %d", first.Open, last.Open), fmt.Sprintf("%d → %d", first.Overdue, last.Overdue)})
	}
	m.table([]string{"Team", "Completion", "Weekly completion", "Open or in progress", "Overdue"}, slices.Values(rows))

	m.h2("Action items done within 30, 60 and 90 days, by incident month")
	m.f("Share of each month's action items (won't do excluded) done within 30, 60 and 90 days of their postmortem's date, with how many. " +
		"A figure appears once that many days have passed since the month's latest postmortem. " +
		"Items done without a known done date count in \"Done now\" only.\n\n")
	rows = [][]string{}
	for _, c := range r.Cohorts {
		rows = append(rows, []string{c.Month, strconv.Itoa(c.Postmortems), strconv.Itoa(c.Items),
			within(c.Within30), within(c.Within60), within(c.Within90), strconv.Itoa(c.Done), strconv.Itoa(c.DoneUndated)})
	}
	m.table([]string{"Month", "Postmortems", "Action items", "Within 30 days", "Within 60 days", "Within 90 days", "Done now", "Done, date unknown"}, slices.Values(rows))
}

func weeksNote(n int) string {
	if n == 1 {
		return "No earlier week in the history yet."
	}
	return fmt.Sprintf("%d weeks.", n)
}

func within(s *CohortShare) string {
	if s == nil {
		return "not yet"
	}
	return fmt.Sprintf("%s (%d)", pct(s.Share), s.Done)
}

// sparkline draws the completion rates on a fixed 0–100% scale.
func sparkline(ps []TrendPoint) string {
	const marks = "▁▂▃▄▅▆▇█"
	bars := []rune(marks)
	var b strings.Builder
	for _, p := range ps {
		if p.CompletionRate == nil {
			b.WriteString("·")
			continue
		}
		b.WriteRune(bars[int(*p.CompletionRate*float64(len(bars)-1)+0.5)])
	}
	return b.String()
}
