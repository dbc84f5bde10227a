package report

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// show renders counters so a mismatch is readable and rates compare to
// four decimals; "-" is an absent value.
func show(c Counts) string {
	f := func(p *float64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f", *p)
	}
	i := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("items=%d done=%d on_time=%d late=%d no_due=%d undated=%d wont_do=%d open=%d in_progress=%d overdue=%d missing=%d no_ticket=%d completion=%s on_time_rate=%s close=%d/%s/%s",
		c.Items, c.Done, c.DoneOnTime, c.DoneLate, c.DoneWithoutDue, c.DoneUndated, c.WontDo, c.Open, c.InProgress, c.Overdue, c.Missing, c.NoTicket,
		f(c.CompletionRate), f(c.OnTimeRate), c.TimeToClose.Count, i(c.TimeToClose.MedianDays), i(c.TimeToClose.P90Days))
}

func rate(x float64) *float64 { return &x }

// cl is a time to close: count, median, p90.
func cl(n, med, p90 int) CloseTime { return CloseTime{Count: n, MedianDays: &med, P90Days: &p90} }

func checkCounts(t *testing.T, what string, got, want Counts) {
	t.Helper()
	if g, w := show(got), show(want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func checkGroups(t *testing.T, what string, got []Group, want []Group) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d: %+v", what, len(got), len(want), got)
		return
	}
	for i := range want {
		if got[i].Key != want[i].Key {
			t.Errorf("%s[%d]: key %q, want %q", what, i, got[i].Key, want[i].Key)
		}
		checkCounts(t, fmt.Sprintf("%s[%q]", what, want[i].Key), got[i].Counts, want[i].Counts)
	}
}

func keys[T any](xs []T, key func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, key(x))
	}
	return out
}

func TestComputeTotals(t *testing.T) {
	r := Compute(fixture())
	if r.Schema != "pmsync.report/v1" || r.Today != "2026-03-15" || r.GeneratedAt != "2026-03-15T20:30:00Z" || r.Postmortems != 5 {
		t.Errorf("header: %q %q %q %d", r.Schema, r.Today, r.GeneratedAt, r.Postmortems)
	}
	checkCounts(t, "totals", r.Totals, Counts{
		Items: 16,
		// done: #1 #2 #3 #6 #7 #9 #16 = 7
		Done:           7,
		DoneOnTime:     3, // #2 #6 #7 (#7 on the due day)
		DoneLate:       1, // #3
		DoneWithoutDue: 2, // #1 #16
		DoneUndated:    1, // #9, checked in the document
		WontDo:         2, // #5 #15
		Open:           4, // #8 #11 #12 #13 (#13: no ticket yet)
		InProgress:     2, // #4 #14
		Overdue:        4, // #4 #8 #13 #14
		Missing:        1, // #10: not overdue although due Mar 1
		NoTicket:       1, // #13
		// completion = done 7 / (items 16 − won't do 2) = 0.5
		CompletionRate: rate(0.5),
		// on time = 3 / (on time 3 + late 1) = 0.75
		OnTimeRate: rate(0.75),
		// close days: #16 0, #1 8, #6 14, #2 16, #7 30, #3 59 → n=6;
		// median rank ⌈0.5·6⌉=3 → 14; p90 rank ⌈0.9·6⌉=6 → 59
		TimeToClose: cl(6, 14, 59),
	})
}

func TestComputeBreakdowns(t *testing.T) {
	r := Compute(fixture())
	checkGroups(t, "by_team", r.ByTeam, []Group{
		{Key: "auth", Counts: Counts{ // #11 #12 #13 #15
			Items: 4, WontDo: 1, Open: 3, Overdue: 1, NoTicket: 1,
			CompletionRate: rate(0), // 0 / (4 − 1): zero, not absent
		}},
		{Key: "db", Counts: Counts{ // #1 #2 #3 #4 #5 #16
			Items: 6, Done: 4, DoneOnTime: 1, DoneLate: 1, DoneWithoutDue: 2, WontDo: 1, InProgress: 1, Overdue: 1,
			CompletionRate: rate(0.8),    // 4 / (6 − 1)
			OnTimeRate:     rate(0.5),    // 1 / 2
			TimeToClose:    cl(4, 8, 59), // [0 8 16 59]: rank 2 → 8, rank ⌈3.6⌉=4 → 59
		}},
		{Key: "edge", Counts: Counts{ // #6 #7 #8 #9 #10
			Items: 5, Done: 3, DoneOnTime: 2, DoneUndated: 1, Open: 1, Overdue: 1, Missing: 1,
			CompletionRate: rate(0.6),     // 3 / 5
			OnTimeRate:     rate(1),       // 2 / 2
			TimeToClose:    cl(2, 14, 30), // [14 30]: rank 1 → 14, rank ⌈1.8⌉=2 → 30
		}},
		{Key: "", Counts: Counts{ // #14, no team: listed last
			Items: 1, InProgress: 1, Overdue: 1, CompletionRate: rate(0),
		}},
	})
	checkGroups(t, "by_owner", r.ByOwner, []Group{
		{Key: "@alice", Counts: Counts{ // #2 #4
			Items: 2, Done: 1, DoneOnTime: 1, InProgress: 1, Overdue: 1,
			CompletionRate: rate(0.5), OnTimeRate: rate(1), TimeToClose: cl(1, 16, 16),
		}},
		{Key: "@bob", Counts: Counts{ // #3
			Items: 1, Done: 1, DoneLate: 1, CompletionRate: rate(1), OnTimeRate: rate(0), TimeToClose: cl(1, 59, 59),
		}},
		{Key: "@dave", Counts: Counts{ // #7 #9 #10
			Items: 3, Done: 2, DoneOnTime: 1, DoneUndated: 1, Missing: 1,
			CompletionRate: rate(2.0 / 3), OnTimeRate: rate(1), TimeToClose: cl(1, 30, 30),
		}},
		{Key: "@frank", Counts: Counts{Items: 1, Open: 1, CompletionRate: rate(0)}},                   // #12
		{Key: "@grace", Counts: Counts{Items: 1, InProgress: 1, Overdue: 1, CompletionRate: rate(0)}}, // #14
		{Key: "Erin Example", Counts: Counts{Items: 1, Open: 1, Overdue: 1, CompletionRate: rate(0)}}, // #8
		{Key: "team-auth", Counts: Counts{Items: 1, WontDo: 1}},                                       // #15: 0/(1−1): absent
		{Key: "", Counts: Counts{ // #1 #5 #6 #11 #13 #16
			Items: 6, Done: 3, DoneOnTime: 1, DoneWithoutDue: 2, WontDo: 1, Open: 2, Overdue: 1, NoTicket: 1,
			CompletionRate: rate(0.6),    // 3 / (6 − 1)
			OnTimeRate:     rate(1),      // #6: 1 / 1
			TimeToClose:    cl(3, 8, 14), // [0 8 14]: rank 2 → 8, rank ⌈2.7⌉=3 → 14
		}},
	})
	checkGroups(t, "by_severity", r.BySeverity, []Group{
		{Key: "SEV1", Counts: Counts{ // #1–#5 and #11–#15 (" sev1" folded in)
			Items: 10, Done: 3, DoneOnTime: 1, DoneLate: 1, DoneWithoutDue: 1, WontDo: 2, Open: 3, InProgress: 2, Overdue: 3, NoTicket: 1,
			CompletionRate: rate(0.375),   // 3 / (10 − 2)
			OnTimeRate:     rate(0.5),     // 1 / 2
			TimeToClose:    cl(3, 16, 59), // [8 16 59]
		}},
		{Key: "SEV2", Counts: Counts{ // #6–#10 and #16
			Items: 6, Done: 4, DoneOnTime: 2, DoneWithoutDue: 1, DoneUndated: 1, Open: 1, Overdue: 1, Missing: 1,
			CompletionRate: rate(4.0 / 6), OnTimeRate: rate(1),
			TimeToClose: cl(3, 14, 30), // [0 14 30]
		}},
	})
	checkGroups(t, "by_month", r.ByMonth, []Group{
		{Key: "2025-11", Counts: Counts{ // #1–#5
			Items: 5, Done: 3, DoneOnTime: 1, DoneLate: 1, DoneWithoutDue: 1, WontDo: 1, InProgress: 1, Overdue: 1,
			CompletionRate: rate(0.75), OnTimeRate: rate(0.5), TimeToClose: cl(3, 16, 59),
		}},
		{Key: "2025-12", Counts: Counts{ // #6–#10
			Items: 5, Done: 3, DoneOnTime: 2, DoneUndated: 1, Open: 1, Overdue: 1, Missing: 1,
			CompletionRate: rate(0.6), OnTimeRate: rate(1), TimeToClose: cl(2, 14, 30),
		}},
		{Key: "2026-01", Counts: Counts{ // #11–#15
			Items: 5, WontDo: 1, Open: 3, InProgress: 1, Overdue: 2, NoTicket: 1, CompletionRate: rate(0),
		}},
		{Key: "2026-02", Counts: Counts{ // #16
			Items: 1, Done: 1, DoneWithoutDue: 1, CompletionRate: rate(1), TimeToClose: cl(1, 0, 0),
		}},
	})
	checkGroups(t, "by_kind", r.ByKind, []Group{
		{Key: "action", Counts: Counts{ // #2 #3 #4 #7 #8 #9 #10 #12 #13 #14 #15
			Items: 11, Done: 4, DoneOnTime: 2, DoneLate: 1, DoneUndated: 1, WontDo: 1, Open: 3, InProgress: 2, Overdue: 4, Missing: 1, NoTicket: 1,
			CompletionRate: rate(0.4),     // 4 / (11 − 1)
			OnTimeRate:     rate(2.0 / 3), // 2 / 3
			TimeToClose:    cl(3, 30, 59), // [16 30 59]
		}},
		{Key: "factor", Counts: Counts{ // #1 #5 #6 #11 #16
			Items: 5, Done: 3, DoneOnTime: 1, DoneWithoutDue: 2, WontDo: 1, Open: 1,
			CompletionRate: rate(0.75), OnTimeRate: rate(1), TimeToClose: cl(3, 8, 14), // [0 8 14]
		}},
	})
}

func TestComputeLists(t *testing.T) {
	r := Compute(fixture())

	// Oldest due first; #8 and #13 share Feb 10: doc id decides.
	type od struct {
		Key         string
		Due         string
		DaysOverdue int
	}
	var gotOD []od
	for _, it := range r.Overdue {
		gotOD = append(gotOD, od{it.Key, it.Due, it.DaysOverdue})
	}
	wantOD := []od{
		{"ai-d1a3", "2026-01-15", 59}, // Jan 15 → Mar 15: 16 + 28 + 15
		{"ai-d2a2", "2026-02-10", 33}, // Feb 10 → Mar 15: 18 + 15
		{"ai-d3a2", "2026-02-10", 33},
		{"ai-d3a3", "2026-03-14", 1},
	}
	if !reflect.DeepEqual(gotOD, wantOD) {
		t.Errorf("overdue:\n got %v\nwant %v", gotOD, wantOD)
	}
	if r.Overdue[0].Owner != "@alice" || r.Overdue[0].Team != "db" || r.Overdue[0].TicketURL != "https://jira.example.com/browse/OPS-4" {
		t.Errorf("overdue[0] = %+v", r.Overdue[0])
	}
	if got := keys(r.Missing, func(x ItemRow) string { return x.Key }); !reflect.DeepEqual(got, []string{"ai-d2a4"}) {
		t.Errorf("missing = %v", got)
	}

	// Ages: #14 14 | #12 52, #11 53 | — | #8 99, #4 123 | —; #13 unknown.
	var counts []int
	for _, b := range r.OpenByAge.Buckets {
		counts = append(counts, b.Count)
	}
	if !reflect.DeepEqual(counts, []int{1, 2, 0, 2, 0}) || r.OpenByAge.Unknown != 1 {
		t.Errorf("open by age = %v unknown %d", counts, r.OpenByAge.Unknown)
	}
	if got := keys(r.OpenByAge.Buckets, func(b AgeBucket) string { return b.Label }); !reflect.DeepEqual(got, []string{"0-30", "31-60", "61-90", "91-180", ">180"}) {
		t.Errorf("bucket labels = %v", got)
	}

	// Slippage: compared #2 #3 #4 #12 #14 (#10 is missing; GitHub items
	// have no tracker due) = 5; slipped #3 by 21, #12 by 12: median
	// [12 21] rank 1 → 12, max 21, total 33.
	s := r.Slippage
	if s.Compared != 5 || s.Slipped != 2 || s.Rate == nil || *s.Rate != 0.4 ||
		s.MedianDays == nil || *s.MedianDays != 12 || s.MaxDays == nil || *s.MaxDays != 21 || s.TotalDays != 33 {
		t.Errorf("slippage = %+v", s)
	}

	gotDrift := keys(r.Drift, func(x Drift) string {
		return x.DocID + " " + x.Key + " " + x.Field + " " + x.Document + "→" + x.Tracker
	})
	wantDrift := []string{
		"2025-11-db-outage ai-d1a2 due 2025-12-15→2026-01-05",
		"2025-11-db-outage ai-d1a3 owner alice→carol",
		"2025-12-cdn ai-d2a1 owner dave→", // unassigned in the tracker
		"2026-01-login ai-d3a1 due 2026-03-15→2026-03-27",
		"2026-01-login ai-d3a3 due 2026-03-14→2026-03-10",
	}
	if !reflect.DeepEqual(gotDrift, wantDrift) {
		t.Errorf("drift:\n got %q\nwant %q", gotDrift, wantDrift)
	}

	wantOrphan := Orphan{DocID: "2025-11-db-outage", Key: "ai-0ld1", Ticket: "OPS-7", TicketURL: "https://jira.example.com/browse/OPS-7",
		Target: "jira:OPS", Title: "Old removed item", State: "open", Created: "2025-11-12"}
	if len(r.Orphans) != 1 || r.Orphans[0] != wantOrphan {
		t.Errorf("orphans = %+v", r.Orphans)
	}

	h := r.Hygiene
	ids := func(ds []DocRef) []string { return keys(ds, func(x DocRef) string { return x.ID }) }
	item := func(xs []ItemRef) []string { return keys(xs, func(x ItemRef) string { return x.Key }) }
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"no action items", ids(h.NoActionItems), []string{"2026-02-billing", "legacy-notes"}},
		// 2025-11: actions name cf-d1f1 only; 2025-12: all named.
		{"unaddressed factors", item(h.UnaddressedFactors), []string{"cf-d1f2"}},
		// 2026-01 has a factor and actions naming none.
		{"unlinked", ids(h.Unlinked), []string{"2026-01-login"}},
		{"no owner", item(h.NoOwner), []string{"cf-d1f1", "cf-d1f2", "cf-d2f1", "cf-d3f1", "ai-d3a2", "cf-d4f1"}},
		{"no due", item(h.NoDue), []string{"cf-d1f1", "cf-d1f2", "cf-d3f1", "cf-d4f1"}},
		// #8; not #15 (a team owner).
		{"unknown owners", item(h.UnknownOwners), []string{"ai-d2a2"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("hygiene %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if len(h.BadTimestamps) != 1 || h.BadTimestamps[0].ID != "2026-02-billing" || h.BadTimestamps[0].Measure != "detect" || h.BadTimestamps[0].Minutes != -10 {
		t.Errorf("bad timestamps = %+v", h.BadTimestamps)
	}

	// Documents newest first; no date last.
	type ds struct {
		ID                   string
		Items, Done, Overdue int
		Completion           string
	}
	var gotDocs []ds
	for _, x := range r.Documents {
		c := "-"
		if x.CompletionRate != nil {
			c = fmt.Sprintf("%.2f", *x.CompletionRate)
		}
		gotDocs = append(gotDocs, ds{x.ID, x.Items, x.Done, x.Overdue, c})
	}
	wantDocs := []ds{
		{"2026-02-billing", 1, 1, 0, "1.00"},
		{"2026-01-login", 5, 0, 2, "0.00"},     // 0 / (5 − 1)
		{"2025-12-cdn", 5, 3, 1, "0.60"},       // 3 / 5
		{"2025-11-db-outage", 5, 3, 1, "0.75"}, // 3 / (5 − 1)
		{"legacy-notes", 0, 0, 0, "-"},
	}
	if !reflect.DeepEqual(gotDocs, wantDocs) {
		t.Errorf("documents:\n got %v\nwant %v", gotDocs, wantDocs)
	}
	if r.Documents[1].Severity != "SEV1" || r.Documents[1].Date != "2026-01-20" || r.Documents[1].Title != "Login errors" {
		t.Errorf("documents[1] = %+v", r.Documents[1])
	}
}

func TestComputeIncidentTimes(t *testing.T) {
	r := Compute(fixture())
	m := func(x Minutes) string {
		if x.MedianMinutes == nil {
			return fmt.Sprintf("%d:-", x.Count)
		}
		return fmt.Sprintf("%d:%g", x.Count, *x.MedianMinutes)
	}
	got := keys(r.IncidentTimes, func(s SeverityTimes) string {
		return fmt.Sprintf("%s docs=%d detect=%s respond=%s resolve=%s", s.Severity, s.Documents, m(s.Detect), m(s.Respond), m(s.Resolve))
	})
	want := []string{
		// detect [10 20] → rank 1 → 10; respond [15] (login has none);
		// resolve [120 150] → 120
		"SEV1 docs=2 detect=2:10 respond=1:15 resolve=2:120",
		// detect [30] (billing's is negative: left out); respond [5 15] →
		// 5; resolve [120 180] → 120
		"SEV2 docs=2 detect=1:30 respond=2:5 resolve=2:120",
		" docs=1 detect=0:- respond=0:- resolve=0:-", // legacy-notes
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("incident times:\n got %q\nwant %q", got, want)
	}
}

func TestComputeItemRows(t *testing.T) {
	r := Compute(fixture())
	byKey := map[string]ItemRow{}
	for _, it := range r.Items {
		byKey[it.Key] = it
	}
	if got := keys(r.Items, func(x ItemRow) string { return x.Key }); strings.Join(got, " ") !=
		"cf-d1f1 cf-d1f2 ai-d1a1 ai-d1a2 ai-d1a3 cf-d2f1 ai-d2a1 ai-d2a2 ai-d2a3 ai-d2a4 cf-d3f1 ai-d3a1 ai-d3a2 ai-d3a3 ai-d3a4 cf-d4f1" {
		t.Errorf("item order (doc id, line) = %v", got)
	}
	opt := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	ob := func(p *bool) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	for _, c := range []struct {
		key, state, done string
		age, close, on   string
		slip             int
	}{
		{"cf-d1f1", "done", "2025-11-20", "-", "8", "-", 0},
		{"ai-d1a1", "done", "2025-11-28", "-", "16", "true", 0},
		{"ai-d1a2", "done", "2026-01-10", "-", "59", "false", 21},
		{"ai-d1a3", "in_progress", "", "123", "-", "-", 0},
		{"cf-d1f2", "wont_do", "", "-", "-", "-", 0},
		{"cf-d2f1", "done", "2025-12-20", "-", "14", "true", 0},
		{"ai-d2a1", "done", "2026-01-05", "-", "30", "true", 0},
		{"ai-d2a2", "open", "", "99", "-", "-", 0},
		{"ai-d2a3", "done", "", "-", "-", "-", 0},
		{"ai-d2a4", "missing", "", "-", "-", "-", 0},
		{"cf-d3f1", "open", "", "53", "-", "-", 0},
		{"ai-d3a1", "open", "", "52", "-", "-", 12},
		{"ai-d3a2", "open", "", "-", "-", "-", 0},
		{"ai-d3a3", "in_progress", "", "14", "-", "-", 0},
		{"cf-d4f1", "done", "2026-02-04", "-", "0", "-", 0},
	} {
		it := byKey[c.key]
		if it.State != c.state || it.Done != c.done || opt(it.AgeDays) != c.age || opt(it.DaysToClose) != c.close || ob(it.OnTime) != c.on || it.SlipDays != c.slip {
			t.Errorf("%s: state %s done %q age %s close %s on_time %s slip %d; want %+v",
				c.key, it.State, it.Done, opt(it.AgeDays), opt(it.DaysToClose), ob(it.OnTime), it.SlipDays, c)
		}
	}
	if it := byKey["ai-d3a1"]; it.Created != "2026-01-22" || it.Severity != "SEV1" || it.IncidentDate != "2026-01-20" || it.DocTitle != "Login errors" {
		t.Errorf("ai-d3a1 = %+v", it)
	}
	if it := byKey["ai-d3a2"]; !it.NoTicket || !it.Overdue || it.Ticket != "" {
		t.Errorf("ai-d3a2 = %+v", it)
	}
	if it := byKey["ai-d2a3"]; !it.DoneInDoc || it.NoTicket {
		t.Errorf("ai-d2a3 = %+v", it)
	}
}

func TestPercentile(t *testing.T) {
	seq := func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i + 1
		}
		return s
	}
	for _, c := range []struct {
		xs      []int
		p, want int
	}{
		{[]int{7}, 50, 7},
		{[]int{7}, 90, 7},
		{[]int{1, 2}, 50, 1},    // rank ⌈1⌉ = 1: the lower middle
		{[]int{1, 2}, 90, 2},    // rank ⌈1.8⌉ = 2
		{[]int{1, 2, 3}, 50, 2}, // rank ⌈1.5⌉ = 2
		{[]int{1, 2, 3, 4}, 50, 2},
		{seq(10), 50, 5},  // rank 5
		{seq(10), 90, 9},  // rank 9
		{seq(11), 50, 6},  // rank ⌈5.5⌉ = 6
		{seq(11), 90, 10}, // rank ⌈9.9⌉ = 10
		{seq(20), 90, 18}, // rank 18
		{seq(5), 100, 5},
		{seq(5), 1, 1},
		{[]int{3, 3, 9}, 90, 9},
	} {
		if got := Percentile(c.xs, c.p); got != c.want {
			t.Errorf("Percentile(%v, %d) = %d, want %d", c.xs, c.p, got, c.want)
		}
	}
	if got := Percentile([]float64{1.5, 2.5}, 50); got != 1.5 {
		t.Errorf("float median = %g", got)
	}
}

func TestComputeEmpty(t *testing.T) {
	r := Compute(Input{Now: fixtureNow})
	checkCounts(t, "totals", r.Totals, Counts{})
	if r.Slippage.Rate != nil || r.Slippage.MedianDays != nil || len(r.IncidentTimes) != 0 || r.Overdue == nil || r.Hygiene.NoOwner == nil {
		t.Errorf("empty report = %+v", r)
	}
	var b strings.Builder
	if err := r.JSON(&b); err != nil {
		t.Fatal(err)
	}
	js := b.String()
	for _, absent := range []string{"completion_rate", "on_time_rate", "median_days", "null"} {
		if strings.Contains(js, absent) {
			t.Errorf("empty JSON has %q:\n%s", absent, js)
		}
	}
	if !strings.Contains(js, `"overdue": []`) || !strings.Contains(js, `"items": 0`) {
		t.Errorf("empty JSON:\n%s", js)
	}
	b.Reset()
	if err := r.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| Completion rate | — (0 done of 0; won't do excluded) |") {
		t.Errorf("empty Markdown:\n%s", b.String())
	}
	b.Reset()
	if err := r.CSV(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != strings.Join(CSVHeader, ",")+"\n" {
		t.Errorf("empty CSV = %q", b.String())
	}
}
