package report

import (
	"encoding/json"
	"testing"
)

// item is an ItemRow with what cohorts read.
func item(doc, incident, kind, state, done string, inDoc bool) ItemRow {
	return ItemRow{ItemRef: ItemRef{DocID: doc, Kind: kind, State: state}, IncidentDate: incident, Done: done, DoneInDoc: inDoc}
}

func share(done int, s float64) *CohortShare { return &CohortShare{Done: done, Share: &s} }

func TestCohorts(t *testing.T) {
	r := &Report{Today: "2026-03-15", Items: ListOf([]ItemRow{
		// --- 2025-11: A (11-10) and B (11-25); the latest, 11-25, is
		// 5 + 31 + 31 + 28 + 15 = 110 days before today: > 90, so all
		// three figures are final.
		item("A", "2025-11-10", "action", "done", "2025-11-30", false), // 20 days: within 30, 60, 90
		item("A", "2025-11-10", "action", "done", "2026-01-09", false), // 30 + 30 = 60 days exactly: within 60, 90
		item("A", "2025-11-10", "action", "done", "2026-02-08", false), // 60 + 30 = 90 days exactly: within 90
		item("A", "2025-11-10", "action", "done", "2026-02-09", false), // 91 days: in none
		item("A", "2025-11-10", "action", "wont_do", "", false),        // not in the denominator
		item("A", "2025-11-10", "factor", "done", "2025-11-11", false), // factors are not counted
		item("B", "2025-11-25", "action", "done", "", true),            // done, date unknown: in none
		item("B", "2025-11-25", "action", "open", "", false),
		item("B", "2025-11-25", "action", "missing", "", false),
		item("B", "2025-11-25", "action", "done", "2025-11-20", false), // done before the incident date: 0 days
		// --- 2025-12: factors only: no cohort.
		item("F", "2025-12-01", "factor", "open", "", false),
		// --- 2026-01: C (01-20), 11 + 28 + 15 = 54 days ago: 30-day
		// figure only.
		item("C", "2026-01-20", "action", "done", "2026-02-15", false), // 11 + 15 = 26 days
		item("C", "2026-01-20", "action", "in_progress", "", false),
		// --- 2026-02: G (02-03) won't do only, 25 + 15 = 40 days ago.
		item("G", "2026-02-03", "action", "wont_do", "", false),
		// --- No incident date: no cohort.
		item("U", "", "action", "done", "2026-01-01", false),
	})}
	got := cohortsOf(r)
	want := []Cohort{
		// Items: A's 4 + B's 4 = 8 (A's won't do apart); done: A's 4,
		// B's checked one and B's early one = 6, 1 of them undated.
		// Within 30: A 20 days, B −5 days = 2 of 8 = 25%.
		// Within 60: + A 60 days = 3 of 8 = 37.5%.
		// Within 90: + A 90 days = 4 of 8 = 50%.
		{Month: "2025-11", Postmortems: 2, Items: 8, WontDo: 1, Done: 6, DoneUndated: 1, Latest: "2025-11-25",
			Within30: share(2, 0.25), Within60: share(3, 0.375), Within90: share(4, 0.5)},
		// 1 of 2 within 30 days; 54 ≤ 60: no 60- or 90-day figure yet.
		{Month: "2026-01", Postmortems: 1, Items: 2, Done: 1, Latest: "2026-01-20", Within30: share(1, 0.5)},
		// No denominator: the count is there, the share is not.
		{Month: "2026-02", Postmortems: 1, WontDo: 1, Latest: "2026-02-03", Within30: &CohortShare{}},
	}
	if a, b := js(t, got), js(t, want); a != b {
		t.Errorf("cohorts:\n got %s\nwant %s", a, b)
	}
}

// TestCohortMaturity: the N-day figure appears the day after the
// cohort's latest postmortem turns N days old, when a done date on day N
// can no longer come in.
func TestCohortMaturity(t *testing.T) {
	for _, c := range []struct {
		today         string
		w30, w60, w90 bool
	}{
		{today: "2026-01-31"},                                  // 30 days after 01-01: not yet
		{today: "2026-02-01", w30: true},                       // 31
		{today: "2026-03-02", w30: true},                       // 60
		{today: "2026-03-03", w30: true, w60: true},            // 61
		{today: "2026-04-01", w30: true, w60: true},            // 90
		{today: "2026-04-02", w30: true, w60: true, w90: true}, // 91
	} {
		r := &Report{Today: c.today, Items: ListOf([]ItemRow{
			item("A", "2025-12-20", "action", "done", "2026-01-31", false), // 42 days
			item("B", "2026-01-01", "action", "done", "2026-01-31", false), // 30 days: the latest postmortem decides
		})}
		got := cohortsOf(r)
		if len(got) != 2 {
			t.Fatalf("%s: %d cohorts", c.today, len(got))
		}
		k := got[1]
		if (k.Within30 != nil) != c.w30 || (k.Within60 != nil) != c.w60 || (k.Within90 != nil) != c.w90 {
			t.Errorf("%s: within 30 %v, 60 %v, 90 %v; want %v %v %v", c.today, k.Within30 != nil, k.Within60 != nil, k.Within90 != nil, c.w30, c.w60, c.w90)
		}
		if k.Within30 != nil && (k.Within30.Done != 1 || *k.Within30.Share != 1) {
			t.Errorf("%s: within 30 = %+v, want 1 (100%%)", c.today, *k.Within30)
		}
	}
	if got := cohortsOf(&Report{Today: "2026-03-15"}); got == nil || len(got) != 0 {
		t.Errorf("no items: %v, want []", got)
	}
}

func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
