package report

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
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
	ct := func(c CloseTime) string {
		i := func(p *int) string {
			if p == nil {
				return "-"
			}
			return fmt.Sprint(*p)
		}
		return fmt.Sprintf("%d/%s/%s", c.Count, i(c.MedianDays), i(c.P90Days))
	}
	return fmt.Sprintf("items=%d done=%d on_time=%d late=%d no_due=%d undated=%d wont_do=%d open=%d in_progress=%d overdue=%d due_soon=%d missing=%d no_ticket=%d completion=%s on_time_rate=%s close=%s close_from_ticket=%s",
		c.Items, c.Done, c.DoneOnTime, c.DoneLate, c.DoneWithoutDue, c.DoneUndated, c.WontDo, c.Open, c.InProgress, c.Overdue, c.DueSoon, c.Missing, c.NoTicket,
		f(c.CompletionRate), f(c.OnTimeRate), ct(c.TimeToClose), ct(c.TimeToCloseFromTicket))
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
		if got[i].Key != want[i].Key || got[i].Name != want[i].Name || !reflect.DeepEqual(got[i].Spellings, want[i].Spellings) {
			t.Errorf("%s[%d]: key %q name %q spellings %q, want %q %q %q", what, i, got[i].Key, got[i].Name, got[i].Spellings, want[i].Key, want[i].Name, want[i].Spellings)
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

// The headline counts the sixteen action items only; the seven factors
// are counted apart.
var (
	wantActions = Counts{
		Items: 16, // #2 #3 #4 #7 #8 #9 #10 #12 #13 #14 #15 #17 #18 #19 #20 #22
		// done: #2 #3 #7 #9 #20 = 5
		Done:           5,
		DoneOnTime:     3, // #2 #7 (on the due day) #20
		DoneLate:       1, // #3
		DoneWithoutDue: 0,
		DoneUndated:    1, // #9, checked in the document
		WontDo:         1, // #15
		Open:           6, // #8 #12 #13 #17 #19 #22 (#13: no ticket yet)
		InProgress:     3, // #4 #14 #18
		Overdue:        6, // #4 #8 #13 #14 #17 #18
		DueSoon:        2, // #12 (due today) #19 (in 5 days)
		Missing:        1, // #10: not overdue although due Mar 1
		NoTicket:       1, // #13
		// completion = done 5 / (items 16 − won't do 1) = 1/3; with the
		// factors it would be 8 / (23 − 2) = 0.381.
		CompletionRate: rate(1.0 / 3),
		// on time = 3 / (on time 3 + late 1) = 0.75
		OnTimeRate: rate(0.75),
		// days to close from the postmortem: #2 18, #20 30, #7 31, #3 61
		// → n=4; median rank ⌈0.5·4⌉=2 → 30; p90 rank ⌈0.9·4⌉=4 → 61
		TimeToClose: cl(4, 30, 61),
		// from the ticket: #2 16, #20 17, #7 30, #3 59 → 17, 59
		TimeToCloseFromTicket: cl(4, 17, 59),
	}
	wantFactors = Counts{
		Items:          7,         // #1 #5 #6 #11 #16 #21 #23
		Done:           3,         // #1 #6 #16
		DoneOnTime:     1,         // #6 (a factor with a due date)
		DoneWithoutDue: 2,         // #1 #16
		WontDo:         1,         // #5
		Open:           3,         // #11 #21 #23
		NoTicket:       1,         // #23
		CompletionRate: rate(0.5), // 3 / (7 − 1)
		OnTimeRate:     rate(1),   // 1 / 1
		// from the postmortem: #16 1, #1 10, #6 15 → rank 2 → 10, rank
		// ⌈2.7⌉=3 → 15; from the ticket: #16 0, #1 8, #6 14 → 8, 14
		TimeToClose:           cl(3, 10, 15),
		TimeToCloseFromTicket: cl(3, 8, 14),
	}
)

func TestComputeTotals(t *testing.T) {
	r := Compute(fixture())
	if r.Schema != "pmsync.report/v2" || r.Today != "2026-03-15" || r.GeneratedAt != "2026-03-15T20:30:00Z" || r.Postmortems != 6 {
		t.Errorf("header: %q %q %q %d", r.Schema, r.Today, r.GeneratedAt, r.Postmortems)
	}
	checkCounts(t, "totals", r.Totals, wantActions)
}

func TestComputeFactors(t *testing.T) {
	r := Compute(fixture())
	f := r.Factors
	checkCounts(t, "factors", f.Counts, wantFactors)
	if f.WithTicket != 6 { // all but #23
		t.Errorf("factors with a ticket = %d, want 6", f.WithTicket)
	}
	item := func(xs []ItemRef) []string { return keys(xs, func(x ItemRef) string { return x.Key }) }
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		// Open or in progress with a ticket (#23 has none), oldest
		// postmortem first: #21 (2025-05-19), #11 (2026-01-20).
		{"open bugs", keys(f.OpenBugs.Collect(), func(x ItemRow) string { return x.Key }), []string{"cf-p1", "cf-d3f1"}},
		// 2025-05: #17 names cf-p1 only; 2025-11: actions name cf-d1f1
		// only; 2025-12: all named; by doc id.
		{"unaddressed", item(f.Unaddressed), []string{"cf-p2", "cf-d1f2"}},
		{"hygiene unaddressed", item(r.Hygiene.UnaddressedFactors), []string{"cf-p2", "cf-d1f2"}},
		// 2026-01 has a factor and actions naming none.
		{"unlinked", keys(f.Unlinked, func(x DocRef) string { return x.ID }), []string{"2026-01-login"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("factors %s = %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestComputeBreakdowns(t *testing.T) {
	r := Compute(fixture())
	checkGroups(t, "by_team", r.ByTeam, []Group{
		{Key: "auth", Counts: Counts{ // #12 #13 #15 #22 (#22's team from its owner)
			Items: 4, WontDo: 1, Open: 3, Overdue: 1, DueSoon: 1, NoTicket: 1,
			CompletionRate: rate(0), // 0 / (4 − 1): zero, not absent
		}},
		{Key: "db", Counts: Counts{ // #2 #3 #4
			Items: 3, Done: 2, DoneOnTime: 1, DoneLate: 1, InProgress: 1, Overdue: 1,
			CompletionRate: rate(2.0 / 3), OnTimeRate: rate(0.5),
			TimeToClose:           cl(2, 18, 61), // [18 61]: rank 1 → 18, rank ⌈1.8⌉=2 → 61
			TimeToCloseFromTicket: cl(2, 16, 59), // [16 59]
		}},
		{Key: "edge", Counts: Counts{ // #7 #8 #9 #10
			Items: 4, Done: 2, DoneOnTime: 1, DoneUndated: 1, Open: 1, Overdue: 1, Missing: 1,
			CompletionRate: rate(0.5), OnTimeRate: rate(1), // 2 / 4; 1 / 1
			TimeToClose: cl(1, 31, 31), TimeToCloseFromTicket: cl(1, 30, 30),
		}},
		{Key: "payments", Counts: Counts{ // #17 #18 #19 #20: "Payments", "@acme/payments", "payments", "PAYMENTS"
			Items: 4, Done: 1, DoneOnTime: 1, Open: 2, InProgress: 1, Overdue: 2, DueSoon: 1,
			CompletionRate: rate(0.25), OnTimeRate: rate(1),
			TimeToClose: cl(1, 30, 30), TimeToCloseFromTicket: cl(1, 17, 17),
		}},
		{Key: "", Counts: Counts{ // #14, no team: listed last
			Items: 1, InProgress: 1, Overdue: 1, CompletionRate: rate(0),
		}},
	})
	checkGroups(t, "by_owner", r.ByOwner, []Group{
		// Three spellings of alice, one row shown by her name.
		{Key: "alice", Name: "Alice Example", Spellings: []string{"@alice", "Alice Example", "alice@"}, Counts: Counts{ // #2 #4 #17 #18
			Items: 4, Done: 1, DoneOnTime: 1, Open: 1, InProgress: 2, Overdue: 3,
			CompletionRate: rate(0.25), OnTimeRate: rate(1), // 1 / 4; 1 / 1
			TimeToClose: cl(1, 18, 18), TimeToCloseFromTicket: cl(1, 16, 16),
		}},
		{Key: "bob", Name: "Bob Example", Spellings: []string{"@bob", "bob@"}, Counts: Counts{ // #3 #20
			Items: 2, Done: 2, DoneOnTime: 1, DoneLate: 1, CompletionRate: rate(1), OnTimeRate: rate(0.5),
			TimeToClose:           cl(2, 30, 61), // [30 61]
			TimeToCloseFromTicket: cl(2, 17, 59), // [17 59]
		}},
		{Key: "dave", Name: "Dave Example", Spellings: []string{"@dave"}, Counts: Counts{ // #7 #9 #10
			Items: 3, Done: 2, DoneOnTime: 1, DoneUndated: 1, Missing: 1,
			CompletionRate: rate(2.0 / 3), OnTimeRate: rate(1), TimeToClose: cl(1, 31, 31), TimeToCloseFromTicket: cl(1, 30, 30),
		}},
		{Key: "frank", Name: "Frank Example", Spellings: []string{"@frank"}, Counts: Counts{Items: 1, Open: 1, DueSoon: 1, CompletionRate: rate(0)}}, // #12
		// No name in people: the key; sorted ignoring case.
		{Key: "grace", Name: "grace", Spellings: []string{"@grace"}, Counts: Counts{Items: 1, InProgress: 1, Overdue: 1, CompletionRate: rate(0)}}, // #14
		{Key: "team:auth", Name: "auth (team)", Spellings: []string{"@acme/auth", "team-auth"}, Counts: Counts{ // #15 #22
			Items: 2, WontDo: 1, Open: 1, CompletionRate: rate(0),
		}},
		// Two spellings that resolve to nobody: one row that lists both.
		{Key: UnresolvedOwner, Name: "Unresolved owner", Spellings: []string{"Erin Example", "Zed Unknown"}, Counts: Counts{ // #8 #19
			Items: 2, Open: 2, Overdue: 1, DueSoon: 1, CompletionRate: rate(0),
		}},
		{Key: "", Counts: Counts{Items: 1, Open: 1, Overdue: 1, NoTicket: 1, CompletionRate: rate(0)}}, // #13
	})
	checkGroups(t, "by_severity", r.BySeverity, []Group{
		{Key: "SEV1", Counts: Counts{ // #2 #3 #4 and #12–#15 (" sev1" folded in)
			Items: 7, Done: 2, DoneOnTime: 1, DoneLate: 1, WontDo: 1, Open: 2, InProgress: 2, Overdue: 3, DueSoon: 1, NoTicket: 1,
			CompletionRate: rate(1.0 / 3), // 2 / (7 − 1)
			OnTimeRate:     rate(0.5),
			TimeToClose:    cl(2, 18, 61), TimeToCloseFromTicket: cl(2, 16, 59),
		}},
		{Key: "SEV2", Counts: Counts{ // #7–#10 and #17–#20
			Items: 8, Done: 3, DoneOnTime: 2, DoneUndated: 1, Open: 3, InProgress: 1, Overdue: 3, DueSoon: 1, Missing: 1,
			CompletionRate: rate(0.375), OnTimeRate: rate(1), // 3 / 8; 2 / 2
			TimeToClose:           cl(2, 30, 31), // #20 30, #7 31
			TimeToCloseFromTicket: cl(2, 17, 30), // #20 17, #7 30
		}},
		{Key: "", Counts: Counts{Items: 1, Open: 1, CompletionRate: rate(0)}}, // #22
	})
	checkGroups(t, "by_month", r.ByMonth, []Group{
		{Key: "2025-05", Counts: Counts{ // #17–#20
			Items: 4, Done: 1, DoneOnTime: 1, Open: 2, InProgress: 1, Overdue: 2, DueSoon: 1,
			CompletionRate: rate(0.25), OnTimeRate: rate(1), TimeToClose: cl(1, 30, 30), TimeToCloseFromTicket: cl(1, 17, 17),
		}},
		{Key: "2025-11", Counts: Counts{ // #2–#4
			Items: 3, Done: 2, DoneOnTime: 1, DoneLate: 1, InProgress: 1, Overdue: 1,
			CompletionRate: rate(2.0 / 3), OnTimeRate: rate(0.5), TimeToClose: cl(2, 18, 61), TimeToCloseFromTicket: cl(2, 16, 59),
		}},
		{Key: "2025-12", Counts: Counts{ // #7–#10
			Items: 4, Done: 2, DoneOnTime: 1, DoneUndated: 1, Open: 1, Overdue: 1, Missing: 1,
			CompletionRate: rate(0.5), OnTimeRate: rate(1), TimeToClose: cl(1, 31, 31), TimeToCloseFromTicket: cl(1, 30, 30),
		}},
		{Key: "2026-01", Counts: Counts{ // #12–#15
			Items: 4, WontDo: 1, Open: 2, InProgress: 1, Overdue: 2, DueSoon: 1, NoTicket: 1, CompletionRate: rate(0),
		}},
		// 2026-02 has factors only: no row.
		{Key: "", Counts: Counts{Items: 1, Open: 1, CompletionRate: rate(0)}}, // #22
	})
	checkGroups(t, "by_kind", r.ByKind, []Group{
		{Key: "action", Counts: wantActions},
		{Key: "factor", Counts: wantFactors},
	})
}

func TestComputeLists(t *testing.T) {
	r := Compute(fixture())

	// Overdue action items, oldest due first; #8 and #13 share Feb 10:
	// doc id decides.
	type od struct {
		Key         string
		Due         string
		DaysOverdue int
	}
	var gotOD []od
	for _, it := range r.Overdue.Collect() {
		gotOD = append(gotOD, od{it.Key, it.Due, it.DaysOverdue})
	}
	wantOD := []od{
		{"ai-p1", "2025-06-30", 258},
		{"ai-d1a3", "2026-01-15", 59}, // Jan 15 → Mar 15: 16 + 28 + 15
		{"ai-d2a2", "2026-02-10", 33}, // Feb 10 → Mar 15: 18 + 15
		{"ai-d3a2", "2026-02-10", 33},
		{"ai-p2", "2026-02-20", 23}, // 8 + 15
		{"ai-d3a3", "2026-03-14", 1},
	}
	if !reflect.DeepEqual(gotOD, wantOD) {
		t.Errorf("overdue:\n got %v\nwant %v", gotOD, wantOD)
	}
	if o := r.Overdue.At(1); o.Owner != "@alice" || o.OwnerName != "Alice Example" || o.Person != "alice" || o.Team != "db" || o.TicketURL != "https://jira.example.com/browse/OPS-4" {
		t.Errorf("overdue[1] = %+v", o)
	}
	if o := r.Overdue.At(4); o.Team != "payments" || o.Owner != "Alice Example" {
		t.Errorf("overdue[4]: team %q owner %q, want payments, as written", o.Team, o.Owner)
	}
	if got := keys(r.Missing.Collect(), func(x ItemRow) string { return x.Key }); !reflect.DeepEqual(got, []string{"ai-d2a4"}) {
		t.Errorf("missing = %v", got)
	}

	// Open action items by age since the postmortem: #22 10 (from its
	// ticket: no date) | #12 #13 #14 54 | — | #8 100, #4 125 | #17 #18
	// #19 300.
	var counts []int
	for _, b := range r.OpenByAge.Buckets {
		counts = append(counts, b.Count)
	}
	if !reflect.DeepEqual(counts, []int{1, 3, 0, 2, 3}) || r.OpenByAge.Unknown != 0 {
		t.Errorf("open by age = %v unknown %d", counts, r.OpenByAge.Unknown)
	}
	if got := keys(r.OpenByAge.Buckets, func(b AgeBucket) string { return b.Label }); !reflect.DeepEqual(got, []string{"0-30", "31-60", "61-90", "91-180", ">180"}) {
		t.Errorf("bucket labels = %v", got)
	}

	// Slippage: compared #2 #3 #4 #12 #14 (#10 is missing; GitHub items
	// and the payments tickets have no tracker due) = 5; slipped #3 by
	// 21, #12 by 12: median [12 21] rank 1 → 12, max 21, total 33.
	s := r.Slippage
	if s.Compared != 5 || s.Slipped != 2 || s.Rate == nil || *s.Rate != 0.4 ||
		s.MedianDays == nil || *s.MedianDays != 12 || s.MaxDays == nil || *s.MaxDays != 21 || s.TotalDays != 33 {
		t.Errorf("slippage = %+v", s)
	}

	// Owner drift by name where the directory knows the account.
	gotDrift := keys(r.Drift, func(x Drift) string {
		return x.DocID + " " + x.Key + " " + x.Field + " " + x.Document + "→" + x.Tracker + " (" + x.DocumentAccount + "→" + x.TrackerAccount + ")"
	})
	wantDrift := []string{
		"2025-05-payments ai-p2 owner Alice Example→zoe (alice→zoe)", // zoe is not in people
		"2025-11-db-outage ai-d1a2 due 2025-12-15→2026-01-05 (→)",
		"2025-11-db-outage ai-d1a3 owner Alice Example→Carol Example (alice→carol)",
		"2025-12-cdn ai-d2a1 owner Dave Example→ (dave→)", // unassigned in the tracker
		"2026-01-login ai-d3a1 due 2026-03-15→2026-03-27 (→)",
		"2026-01-login ai-d3a3 due 2026-03-14→2026-03-10 (→)",
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
		{"no action items", ids(h.NoActionItems), []string{"2026-02-billing"}},
		// Action items not done or dropped: factors need no owner or
		// due date, so none is listed.
		{"no owner", item(h.NoOwner), []string{"ai-d3a2"}},
		{"no due", item(h.NoDue), []string{"ai-l1"}},
		// #19 and #8; not #22 (a team owner, open) nor #15.
		{"unknown owners", item(h.UnknownOwners), []string{"ai-p3", "ai-d2a2"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("hygiene %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if len(h.BadTimestamps) != 1 || h.BadTimestamps[0].ID != "2026-02-billing" || h.BadTimestamps[0].Measure != "detect" || h.BadTimestamps[0].Minutes != -10 {
		t.Errorf("bad timestamps = %+v", h.BadTimestamps)
	}

	// Documents newest first; no date last. Counters of action items;
	// factors and open factors apart.
	type ds struct {
		ID                   string
		Items, Done, Overdue int
		Completion           string
		Factors, OpenFactors int
	}
	var gotDocs []ds
	for _, x := range r.Documents {
		c := "-"
		if x.CompletionRate != nil {
			c = fmt.Sprintf("%.2f", *x.CompletionRate)
		}
		gotDocs = append(gotDocs, ds{x.ID, x.Items, x.Done, x.Overdue, c, x.Factors, x.OpenFactors})
	}
	wantDocs := []ds{
		{"2026-02-billing", 0, 0, 0, "-", 1, 0},
		{"2026-01-login", 4, 0, 2, "0.00", 1, 1},     // 0 / (4 − 1)
		{"2025-12-cdn", 4, 2, 1, "0.50", 1, 0},       // 2 / 4
		{"2025-11-db-outage", 3, 2, 1, "0.67", 2, 0}, // 2 / 3
		{"2025-05-payments", 4, 1, 2, "0.25", 2, 2},  // 1 / 4
		{"legacy-notes", 1, 0, 0, "0.00", 0, 0},
	}
	if !reflect.DeepEqual(gotDocs, wantDocs) {
		t.Errorf("documents:\n got %v\nwant %v", gotDocs, wantDocs)
	}
	if r.Documents[1].Severity != "SEV1" || r.Documents[1].Date != "2026-01-20" || r.Documents[1].Title != "Login errors" {
		t.Errorf("documents[1] = %+v", r.Documents[1])
	}
	if got := r.Documents[4].Teams; !reflect.DeepEqual(got, []string{"payments"}) {
		t.Errorf("payments postmortem's teams = %q, want the directory's key", got)
	}
}

// TestComputeEscalation: overdue and soon due action items per team in
// tiers, oldest first; and who carries the most overdue work.
func TestComputeEscalation(t *testing.T) {
	r := Compute(fixture())
	// team overdue/due soon/oldest: tier keys, oldest tier first.
	var got []string
	for _, e := range r.Escalation {
		row := fmt.Sprintf("%s %d/%d/%d:", e.Team, e.Overdue, e.DueSoon, e.OldestDaysOverdue)
		for _, tr := range e.Tiers {
			row += " " + tr.Label + "[" + strings.Join(keys(tr.Items.Collect(), func(x TierItem) string { return x.Key }), " ") + "]"
		}
		got = append(got, row)
	}
	want := []string{
		// #17 258 days overdue, #18 23; #19 due in 5 days.
		"payments 2/1/258: >90[ai-p1] 31-90[] 8-30[ai-p2] 1-7[] due soon[ai-p3]",
		"db 1/0/59: >90[] 31-90[ai-d1a3] 8-30[] 1-7[] due soon[]",
		// auth and edge: one overdue each, 33 days: by key.
		"auth 1/1/33: >90[] 31-90[ai-d3a2] 8-30[] 1-7[] due soon[ai-d3a1]", // #12 due today
		"edge 1/0/33: >90[] 31-90[ai-d2a2] 8-30[] 1-7[] due soon[]",
		" 1/0/1: >90[] 31-90[] 8-30[] 1-7[ai-d3a3] due soon[]", // #14, no team: last
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("escalation:\n got %q\nwant %q", got, want)
	}

	gotC := keys(r.Carrying, func(c Carrier) string {
		return fmt.Sprintf("%s %q %d/%d/%d", c.Key, c.Name, c.Overdue, c.OldestDaysOverdue, c.DueSoon)
	})
	wantC := []string{
		`alice "Alice Example" 3/258/0`,          // #17 258, #4 59, #18 23
		`(unresolved) "Unresolved owner" 1/33/1`, // #8; #19 due soon
		` "" 1/33/0`,                             // #13, no owner: after the unresolved row
		`grace "grace" 1/1/0`,                    // #14
		// frank: #12 only due soon, nothing overdue: not listed.
	}
	if !reflect.DeepEqual(gotC, wantC) {
		t.Errorf("carrying:\n got %q\nwant %q", gotC, wantC)
	}
}

// TestEscalationTiers: each tier's bounds, and the items of a tier
// oldest first.
func TestEscalationTiers(t *testing.T) {
	in := Input{Now: fixtureNow, Docs: []Doc{{ID: "pm", Date: d("2026-01-01")}}}
	// Days overdue on 2026-03-15 → the tier it is in ("" = none).
	cases := []struct {
		due  string
		late int
		tier string
	}{
		{"2026-03-23", -8, ""},
		{"2026-03-22", -7, "due soon"},
		{"2026-03-15", 0, "due soon"},
		{"2026-03-14", 1, "1-7"},
		{"2026-03-08", 7, "1-7"},
		{"2026-03-07", 8, "8-30"},
		{"2026-02-13", 30, "8-30"},
		{"2026-02-12", 31, "31-90"},
		{"2025-12-15", 90, "31-90"},
		{"2025-12-14", 91, ">90"},
		{"2024-03-15", 730, ">90"},
	}
	for i, c := range cases {
		in.Items = append(in.Items, Item{DocID: "pm", Key: fmt.Sprintf("ai-%02d", i), Kind: ticket.Action, Line: i, Team: "t", Due: d(c.due), State: ticket.StateOpen})
	}
	r := Compute(in)
	if len(r.Escalation) != 1 {
		t.Fatalf("escalation = %+v", r.Escalation)
	}
	tierOf, late := map[string]string{}, map[string]int{}
	for _, tr := range r.Escalation[0].Tiers {
		items := tr.Items.Collect()
		for j, it := range items {
			tierOf[it.Due], late[it.Due] = tr.Label, it.DaysOverdue
			if j > 0 && items[j-1].Due > it.Due {
				t.Errorf("tier %s: %s before %s: not oldest first", tr.Label, items[j-1].Due, it.Due)
			}
		}
	}
	for _, c := range cases {
		if tierOf[c.due] != c.tier || (c.tier != "" && late[c.due] != c.late) {
			t.Errorf("due %s (%d days overdue): tier %q, %d days overdue; want %q", c.due, c.late, tierOf[c.due], late[c.due], c.tier)
		}
	}
	if e := r.Escalation[0]; e.Overdue != 8 || e.DueSoon != 2 || e.OldestDaysOverdue != 730 {
		t.Errorf("team: overdue %d due soon %d oldest %d, want 8, 2, 730", e.Overdue, e.DueSoon, e.OldestDaysOverdue)
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
		"SEV2 docs=3 detect=1:30 respond=2:5 resolve=2:120", // 2025-05-payments has no timestamps
		" docs=1 detect=0:- respond=0:- resolve=0:-",        // legacy-notes
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("incident times:\n got %q\nwant %q", got, want)
	}
}

func TestComputeItemRows(t *testing.T) {
	r := Compute(fixture())
	rows := r.Items.Collect()
	byKey := map[string]ItemRow{}
	for _, it := range rows {
		byKey[it.Key] = it
	}
	if got := keys(rows, func(x ItemRow) string { return x.Key }); strings.Join(got, " ") !=
		"cf-p1 cf-p2 ai-p1 ai-p2 ai-p3 ai-p4 cf-d1f1 cf-d1f2 ai-d1a1 ai-d1a2 ai-d1a3 cf-d2f1 ai-d2a1 ai-d2a2 ai-d2a3 ai-d2a4 cf-d3f1 ai-d3a1 ai-d3a2 ai-d3a3 ai-d3a4 cf-d4f1 ai-l1" {
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
	// age and close count from the postmortem's date; tage and tclose
	// from the ticket's creation (see the fixture's comments).
	for _, c := range []struct {
		key, state, done         string
		age, tage, close, tclose string
		on                       string
		slip                     int
		fromTicket               bool
	}{
		{"cf-d1f1", "done", "2025-11-20", "-", "-", "10", "8", "-", 0, false},
		{"ai-d1a1", "done", "2025-11-28", "-", "-", "18", "16", "true", 0, false},
		{"ai-d1a2", "done", "2026-01-10", "-", "-", "61", "59", "false", 21, false},
		{"ai-d1a3", "in_progress", "", "125", "123", "-", "-", "-", 0, false},
		{"cf-d1f2", "wont_do", "", "-", "-", "-", "-", "-", 0, false},
		{"cf-d2f1", "done", "2025-12-20", "-", "-", "15", "14", "true", 0, false},
		{"ai-d2a1", "done", "2026-01-05", "-", "-", "31", "30", "true", 0, false},
		{"ai-d2a2", "open", "", "100", "99", "-", "-", "-", 0, false},
		{"ai-d2a3", "done", "", "-", "-", "-", "-", "-", 0, false},
		{"ai-d2a4", "missing", "", "-", "-", "-", "-", "-", 0, false},
		{"cf-d3f1", "open", "", "54", "53", "-", "-", "-", 0, false},
		{"ai-d3a1", "open", "", "54", "52", "-", "-", "-", 12, false},
		{"ai-d3a2", "open", "", "54", "-", "-", "-", "-", 0, false}, // no ticket: an age all the same
		{"ai-d3a3", "in_progress", "", "54", "14", "-", "-", "-", 0, false},
		{"cf-d4f1", "done", "2026-02-04", "-", "-", "1", "0", "-", 0, false},
		// A postmortem 300 days old whose ticket was opened yesterday.
		{"ai-p1", "open", "", "300", "1", "-", "-", "-", 0, false},
		{"ai-p2", "in_progress", "", "300", "299", "-", "-", "-", 0, false},
		{"ai-p4", "done", "2025-06-18", "-", "-", "30", "17", "true", 0, false},
		{"cf-p2", "open", "", "300", "-", "-", "-", "-", 0, false},
		// No postmortem date: from the ticket, and it says so.
		{"ai-l1", "open", "", "10", "10", "-", "-", "-", 0, true},
	} {
		it := byKey[c.key]
		if it.State != c.state || it.Done != c.done || opt(it.AgeDays) != c.age || opt(it.TicketAgeDays) != c.tage ||
			opt(it.DaysToClose) != c.close || opt(it.DaysToCloseFromTicket) != c.tclose || ob(it.OnTime) != c.on || it.SlipDays != c.slip || it.FromTicket != c.fromTicket {
			t.Errorf("%s: state %s done %q age %s/%s close %s/%s on_time %s slip %d from_ticket %v; want %+v",
				c.key, it.State, it.Done, opt(it.AgeDays), opt(it.TicketAgeDays), opt(it.DaysToClose), opt(it.DaysToCloseFromTicket), ob(it.OnTime), it.SlipDays, it.FromTicket, c)
		}
	}
	if it := byKey["ai-d3a1"]; it.Created != "2026-01-22" || it.Severity != "SEV1" || it.IncidentDate != "2026-01-20" || it.DocTitle != "Login errors" || !it.DueSoon || it.Overdue {
		t.Errorf("ai-d3a1 = %+v", it)
	}
	if it := byKey["ai-d3a2"]; !it.NoTicket || !it.Overdue || it.DueSoon || it.Ticket != "" {
		t.Errorf("ai-d3a2 = %+v", it)
	}
	if it := byKey["ai-d2a3"]; !it.DoneInDoc || it.NoTicket {
		t.Errorf("ai-d2a3 = %+v", it)
	}
	// Names, not accounts: the tracker's "Bob" is bob's account.
	if it := byKey["ai-d1a2"]; it.TrackerAssignee != "Bob" || it.TrackerAssigneeName != "Bob Example" || it.OwnerName != "Bob Example" || it.Person != "bob" {
		t.Errorf("ai-d1a2 = %+v", it)
	}
	if it := byKey["ai-p2"]; it.TrackerAssigneeName != "" || it.Team != "payments" {
		t.Errorf("ai-p2: tracker assignee name %q (zoe is not in people), team %q", it.TrackerAssigneeName, it.Team)
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
	if r.Slippage.Rate != nil || r.Slippage.MedianDays != nil || len(r.IncidentTimes) != 0 || r.Overdue.Len() != 0 || r.Hygiene.NoOwner == nil {
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

// TestPeople: how teams, owners and tracker accounts are merged through
// the directory.
func TestPeople(t *testing.T) {
	in := Input{
		Directory: fixtureDirectory,
		Items: []Item{
			{Team: "Edge"}, {Team: "edge"}, {Team: "Site Reliability"}, {Team: "site reliability"},
		},
		Docs: []Doc{{Teams: []string{"@acme/edge"}}},
	}
	p := newPeople(&in)
	for _, c := range []struct {
		what     string
		f        func(string) string
		in, want string
	}{
		{"team", p.team, "payments", "payments"},
		{"team", p.team, "Payments", "payments"},
		{"team", p.team, " PAYMENTS ", "payments"},
		{"team", p.team, "@acme/payments", "payments"},
		{"team", p.team, "payments team", "payments"},
		{"team", p.team, "Auth", "auth"},
		// Not in teams: one spelling for all that are alike but for
		// case, the first in byte order.
		{"team", p.team, "edge", "Edge"},
		{"team", p.team, "@acme/edge", "Edge"},
		{"team", p.team, "site reliability", "Site Reliability"},
		{"team", p.team, "Never Seen", "Never Seen"},
		{"team", p.team, "", ""},
		{"team", p.team, "  ", ""},
		// A tracker account is shown as the person who has it.
		{"account", p.accountName, "alice", "Alice Example"},    // Jira
		{"account", p.accountName, "alice-gh", "Alice Example"}, // GitHub
		{"account", p.accountName, "ALICE-GH", "Alice Example"},
		{"account", p.accountName, "dave", "Dave Example"},
		{"account", p.accountName, "zoe", ""},
		{"account", p.accountName, "", ""},
	} {
		if got := c.f(c.in); got != c.want {
			t.Errorf("%s(%q) = %q, want %q", c.what, c.in, got, c.want)
		}
	}

	for _, c := range []struct {
		it        Item
		key, name string
	}{
		{Item{Owner: "@alice", Person: "alice"}, "alice", "Alice Example"},
		{Item{Owner: "alice@acme.example", Person: "alice"}, "alice", "Alice Example"},
		{Item{Owner: "@grace", Person: "grace"}, "grace", "grace"},                     // no name: the key
		{Item{Owner: "@nobody", Person: "nobody"}, "nobody", "nobody"},                 // not in the directory given
		{Item{Owner: "@Hank", Handle: "Hank", OwnerAccount: "Hank"}, "@hank", "@hank"}, // a GitHub login, case folded
		{Item{Owner: "payments team", OwnerTeam: "payments"}, "team:payments", "payments (team)"},
		{Item{Owner: "Erin Example"}, UnresolvedOwner, "Unresolved owner"},
		{Item{Owner: "  "}, "", ""},
		{Item{Owner: "TBD", NoOwner: true}, "", ""},
	} {
		if key, name := p.owner(&c.it); key != c.key || name != c.name {
			t.Errorf("owner(%+v) = %q %q, want %q %q", c.it, key, name, c.key, c.name)
		}
	}

	// An account two people share is nobody's.
	shared := Input{Directory: postmortem.Directory{People: map[string]postmortem.Person{
		"a": {Name: "A", GitHub: "same"}, "b": {Name: "B", Jira: "same"},
	}}}
	if got := newPeople(&shared).accountName("same"); got != "" {
		t.Errorf("shared account = %q, want none", got)
	}
}

// TestItemOf: the item hands the report who its owner resolved to, and
// its team falls back to its owner's team, then its postmortem's.
func TestItemOf(t *testing.T) {
	doc := &postmortem.Doc{ID: "pm", Teams: []string{"Payments", "db"}}
	for _, c := range []struct {
		it                              postmortem.Item
		person, ownerTeam, handle, team string
		noOwner                         bool
	}{
		{postmortem.Item{OwnerRaw: "alice@", Owner: postmortem.Owner{Raw: "alice@", Person: "alice"}}, "alice", "", "", "Payments", false},
		{postmortem.Item{OwnerRaw: "@acme/auth", Owner: postmortem.Owner{Raw: "@acme/auth", Team: "auth"}}, "", "auth", "", "auth", false},
		{postmortem.Item{OwnerRaw: "@hank", Owner: postmortem.Owner{Raw: "@hank", Handle: "hank"}, Team: "edge"}, "", "", "hank", "edge", false},
		{postmortem.Item{OwnerRaw: "Erin Example", Owner: postmortem.Owner{Raw: "Erin Example"}}, "", "", "", "Payments", false},
		{postmortem.Item{}, "", "", "", "Payments", true},
	} {
		got := ItemOf(doc, &c.it, nil)
		if got.Person != c.person || got.OwnerTeam != c.ownerTeam || got.Handle != c.handle || got.Team != c.team || got.NoOwner != c.noOwner {
			t.Errorf("ItemOf(%q): person %q owner team %q handle %q team %q no owner %v; want %+v",
				c.it.OwnerRaw, got.Person, got.OwnerTeam, got.Handle, got.Team, got.NoOwner, c)
		}
	}
}
