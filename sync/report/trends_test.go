package report

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func frac(x float64) *float64 { return &x }

func fig(items, done, wontDo, open, overdue int) Figures {
	return Figures{Items: items, Done: done, WontDo: wontDo, Open: open, Overdue: overdue}
}

// trendReport is a report of 2026-03-15 20:30 UTC (Sunday of ISO week
// 2026-W11) with 6 action items: db 2 done; edge 1 done, 1 open and
// overdue, 1 won't do; no team 1 in progress. Overall {6, 3, 1, 2, 1}.
func trendReport() *Report {
	return &Report{GeneratedAt: "2026-03-15T20:30:00Z", Today: "2026-03-15", Items: ListOf([]ItemRow{
		row("action", "db", "SEV1", "done", false),
		row("action", "db", "SEV1", "done", false),
		row("action", "edge", "SEV2", "done", false),
		row("action", "edge", "SEV2", "open", true),
		row("action", "edge", "SEV2", "wont_do", false),
		row("action", "", "", "in_progress", false),
		row("factor", "db", "SEV1", "open", false),
	})}
}

func TestTrends(t *testing.T) {
	history := []Snapshot{
		// Thursday of 2026-W08 (Feb 16–22).
		{At: time.Date(2026, 2, 19, 12, 0, 0, 0, time.UTC), Total: fig(4, 1, 0, 3, 1),
			Teams: map[string]Figures{"db": fig(2, 1, 0, 1, 0), "edge": fig(2, 0, 0, 2, 1)}},
		// Wednesday of 2026-W10 (Mar 2–8).
		{At: time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), Total: fig(5, 2, 1, 2, 1),
			Teams: map[string]Figures{"db": fig(2, 2, 0, 0, 0), "edge": fig(3, 0, 1, 2, 1)}},
		// Thursday of 2026-W11, the report's week: the report is later,
		// so it stands for the week instead.
		{At: time.Date(2026, 3, 12, 8, 0, 0, 0, time.UTC), Total: fig(6, 2, 1, 3, 2),
			Teams: map[string]Figures{"db": fig(2, 1, 0, 1, 1), "edge": fig(3, 1, 1, 1, 1), "": fig(1, 0, 0, 1, 0)}},
	}
	got := trendsOf(trendReport(), history)
	want := Trends{
		Overall: []TrendPoint{
			{Week: "2026-W08", Date: "2026-02-19", Figures: fig(4, 1, 0, 3, 1), CompletionRate: frac(0.25)}, // 1 / (4 − 0)
			{Week: "2026-W10", Date: "2026-03-04", Figures: fig(5, 2, 1, 2, 1), CompletionRate: frac(0.5)},  // 2 / (5 − 1)
			{Week: "2026-W11", Date: "2026-03-15", Figures: fig(6, 3, 1, 2, 1), CompletionRate: frac(0.6)},  // 3 / (6 − 1)
		},
		ByTeam: []TeamTrend{
			{Team: "db", Points: []TrendPoint{
				{Week: "2026-W08", Date: "2026-02-19", Figures: fig(2, 1, 0, 1, 0), CompletionRate: frac(0.5)}, // 1 / 2
				{Week: "2026-W10", Date: "2026-03-04", Figures: fig(2, 2, 0, 0, 0), CompletionRate: frac(1)},   // 2 / 2
				{Week: "2026-W11", Date: "2026-03-15", Figures: fig(2, 2, 0, 0, 0), CompletionRate: frac(1)},   // 2 / 2
			}},
			{Team: "edge", Points: []TrendPoint{
				{Week: "2026-W08", Date: "2026-02-19", Figures: fig(2, 0, 0, 2, 1), CompletionRate: frac(0)},   // 0 / 2
				{Week: "2026-W10", Date: "2026-03-04", Figures: fig(3, 0, 1, 2, 1), CompletionRate: frac(0)},   // 0 / (3 − 1)
				{Week: "2026-W11", Date: "2026-03-15", Figures: fig(3, 1, 1, 1, 1), CompletionRate: frac(0.5)}, // 1 / (3 − 1)
			}},
			// No team: only in the report; zero counts and no rate before.
			{Team: "", Points: []TrendPoint{
				{Week: "2026-W08", Date: "2026-02-19"},
				{Week: "2026-W10", Date: "2026-03-04"},
				{Week: "2026-W11", Date: "2026-03-15", Figures: fig(1, 0, 0, 1, 0), CompletionRate: frac(0)}, // 0 / 1
			}},
		},
	}
	if a, b := js(t, got), js(t, want); a != b {
		t.Errorf("trends:\n got %s\nwant %s", a, b)
	}

	// The history's order does not matter.
	rev := []Snapshot{history[2], history[0], history[1]}
	if a, b := js(t, trendsOf(trendReport(), rev)), js(t, want); a != b {
		t.Errorf("unsorted history:\n got %s\nwant %s", a, b)
	}
}

func TestTrendsWindow(t *testing.T) {
	r := trendReport()
	now := time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC)

	// No history: the report alone.
	got := trendsOf(r, nil)
	if len(got.Overall) != 1 || got.Overall[0].Week != "2026-W11" || len(got.ByTeam) != 3 || len(got.ByTeam[0].Points) != 1 {
		t.Errorf("no history: %s", js(t, got))
	}

	// A snapshot each Monday for 40 weeks back, one at the report's
	// moment and one after it (a clock ahead): the window is the report's
	// week and the 25 before it, 2025-W38 (Monday 2025-09-15) … 2026-W11.
	var h []Snapshot
	for w := 40; w >= 0; w-- {
		h = append(h, Snapshot{At: time.Date(2026, 3, 9, 6, 0, 0, 0, time.UTC).AddDate(0, 0, -7*w), Total: fig(w+1, 0, 0, w+1, 0)})
	}
	h = append(h, Snapshot{At: now, Total: fig(99, 0, 0, 99, 0)}, Snapshot{At: now.Add(time.Hour), Total: fig(98, 0, 0, 98, 0)})
	got = trendsOf(r, h)
	if len(got.Overall) != TrendWeeks {
		t.Fatalf("%d points, want %d", len(got.Overall), TrendWeeks)
	}
	first, last := got.Overall[0], got.Overall[TrendWeeks-1]
	// Monday 2025-09-15 is 25 weeks before Monday 2026-03-09.
	if first.Week != "2025-W38" || first.Date != "2025-09-15" || first.Items != 26 {
		t.Errorf("first point %+v, want 2025-W38 of 2025-09-15 with 26 items", first)
	}
	if last.Week != "2026-W11" || last.Items != 6 {
		t.Errorf("last point %+v, want the report's own (6 items)", last)
	}
	for i, p := range got.Overall[:TrendWeeks-1] {
		if p.Items != 26-i {
			t.Errorf("point %d: %d items, want %d", i, p.Items, 26-i)
		}
	}
	// Teams seen only in the report.
	if fmt.Sprint(len(got.ByTeam), len(got.ByTeam[0].Points)) != fmt.Sprint(3, TrendWeeks) {
		t.Errorf("by team: %d teams of %d points", len(got.ByTeam), len(got.ByTeam[0].Points))
	}
}

// TestComputeHistory: Compute fills trends and cohorts, with the history
// from Input.History.
func TestComputeHistory(t *testing.T) {
	now := time.Date(2026, 3, 15, 20, 30, 0, 0, time.UTC)
	in := Input{
		Now:  now,
		Docs: []Doc{{ID: "a", Title: "A", Date: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)}},
		Items: []Item{
			{DocID: "a", Key: "ai-1", Kind: "action", Team: "db", State: "done", Done: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)}, // 15 days
			{DocID: "a", Key: "ai-2", Kind: "action", Team: "db", State: "open"},
			{DocID: "a", Key: "cf-1", Kind: "factor", Team: "db", State: "open"},
		},
		History: []Snapshot{{At: now.AddDate(0, 0, -7), Total: fig(2, 0, 0, 2, 0), Teams: map[string]Figures{"db": fig(2, 0, 0, 2, 0)}}},
	}
	r := Compute(in)
	// Last week 0 of 2 done; now 1 of 2.
	if a, b := js(t, r.Trends.Overall), `[{"week":"2026-W10","date":"2026-03-08","items":2,"done":0,"wont_do":0,"open":2,"overdue":0,"completion_rate":0},{"week":"2026-W11","date":"2026-03-15","items":2,"done":1,"wont_do":0,"open":1,"overdue":0,"completion_rate":0.5}]`; a != b {
		t.Errorf("trends:\n got %s\nwant %s", a, b)
	}
	// 2026-01: 69 days ago: 30 and 60 days final, 1 of 2 done in each.
	if a, b := js(t, r.Cohorts), `[{"month":"2026-01","postmortems":1,"items":2,"wont_do":0,"done":1,"done_undated":0,"latest":"2026-01-05","within_30":{"done":1,"share":0.5},"within_60":{"done":1,"share":0.5}}]`; a != b {
		t.Errorf("cohorts:\n got %s\nwant %s", a, b)
	}
	if s := Snap(r); s.Total != fig(2, 1, 0, 1, 0) || !s.At.Equal(now) {
		t.Errorf("Snap: %+v", s)
	}
	var b strings.Builder
	if err := r.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Trends\n", "| 2026-W10 | 2026-03-08 | 2 | 0 | 0.0% | 2 | 0 | 0 |", "| db | 0.0% → 50.0% | ▁▅ | 2 → 1 | 0 → 0 |",
		"## Action items done within 30, 60 and 90 days, by incident month\n", "| 2026-01 | 1 | 2 | 50.0% (1) | 50.0% (1) | not yet | 1 | 0 |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, b.String())
		}
	}
}
