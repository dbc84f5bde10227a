package report

import (
	"maps"
	"slices"
	"time"
)

// TrendWeeks is how many ISO weeks the trends cover: the current week and
// the ones before it.
const TrendWeeks = 26

// Trends are the action items' figures over time, one point per ISO week
// (UTC): the last snapshot of that week. The history's snapshots
// (Input.History) give the past weeks; this report's own figures are the
// current week's point, so there is always at least one point. A week
// without any snapshot has no point (no sync ran that week). Points are
// oldest first and cover at most the last TrendWeeks weeks.
type Trends struct {
	// Overall: all action items.
	Overall []TrendPoint `json:"overall"`
	// ByTeam: one series per team that has action items in any of the
	// points, keys sorted as by_team ("" = no team, last). Each series
	// has exactly the weeks of Overall, in the same order; a week in
	// which the team had no action items has zero counts and no rate.
	ByTeam []TeamTrend `json:"by_team"`
}

// TrendPoint is one week of a trend.
type TrendPoint struct {
	Week string `json:"week"` // ISO week, e.g. "2026-W48"
	Date string `json:"date"` // YYYY-MM-DD (UTC) of the snapshot that stands for the week: its last
	Figures
	// CompletionRate: done / (items − won't do), 0..1; absent when that
	// is 0.
	CompletionRate *float64 `json:"completion_rate,omitempty"`
}

// TeamTrend is one team's weekly series.
type TeamTrend struct {
	Team   string       `json:"team"` // "" = no team
	Points []TrendPoint `json:"points"`
}

// trendsOf computes the trends from the history and the report itself.
// Snapshots at or after the report's moment are ignored: the report is
// the newest state.
func trendsOf(r *Report, history []Snapshot) Trends {
	now := Snap(r)
	snaps := make([]Snapshot, 0, len(history)+1)
	for _, s := range history {
		if s.At.Before(now.At) {
			snaps = append(snaps, s)
		}
	}
	snaps = append(snaps, now)
	slices.SortStableFunc(snaps, func(a, b Snapshot) int { return a.At.Compare(b.At) })

	from := isoMonday(now.At).AddDate(0, 0, -7*(TrendWeeks-1))
	weeks := []Snapshot{}
	for i, s := range snaps {
		last := i+1 == len(snaps) || !isoMonday(snaps[i+1].At).Equal(isoMonday(s.At))
		if last && !s.At.Before(from) {
			weeks = append(weeks, s)
		}
	}

	t := Trends{Overall: make([]TrendPoint, 0, len(weeks)), ByTeam: []TeamTrend{}}
	seen := map[string]bool{}
	for _, s := range weeks {
		t.Overall = append(t.Overall, point(s.At, s.Total))
		for k := range s.Teams {
			seen[k] = true
		}
	}
	teams := slices.SortedFunc(maps.Keys(seen), noneLast)
	for _, k := range teams {
		tt := TeamTrend{Team: k, Points: make([]TrendPoint, 0, len(weeks))}
		for _, s := range weeks {
			tt.Points = append(tt.Points, point(s.At, s.Teams[k]))
		}
		t.ByTeam = append(t.ByTeam, tt)
	}
	return t
}

func point(at time.Time, f Figures) TrendPoint {
	return TrendPoint{Week: isoWeek(at), Date: date(at), Figures: f, CompletionRate: f.Completion()}
}
