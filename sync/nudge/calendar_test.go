package nudge

import (
	"reflect"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// TestCalendar runs the default policy once or twice a day for 60 days
// over three items, adding the label of every nudge to its ticket as
// the tracker would, and checks the exact steps posted: none twice, none
// on a weekend, none after the item is done, skipped steps never posted
// late, a second run on the same day posting nothing.
func TestCalendar(t *testing.T) {
	t.Parallel()
	date := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	start := date(10, 16) // a Friday
	items := []Item{
		{Key: "ai-a", Priority: "P2", Owner: ticket.Mention{ID: "alice"}, Due: date(11, 5)},
		{Key: "ai-b", Priority: "P1", Due: date(10, 30)}, // no owner
		{Key: "ai-c", Priority: "P3", Owner: ticket.Mention{ID: "bob"}, Due: date(10, 20)},
	}
	for i := range items {
		it := &items[i]
		it.Doc, it.DocTitle, it.DocDate, it.Created, it.Team, it.Tracker = "db.md", "DB failover", start, start.Add(10*time.Hour), "payments", GitHub
		it.Ref = ticket.Ref{Text: "acme/sre#" + it.Key}
	}
	doneFrom := date(11, 1) // ai-c is done from then on

	var got []string
	for day := range 60 {
		today := start.AddDate(0, 0, day)
		if !today.Before(doneFrom) {
			items[2].Done = true
		}
		for run := range 2 {
			now := today.Add(10 * time.Hour)
			res := Decide(items, teams, DefaultPolicy(), now)
			if wd := today.Weekday(); (wd == time.Saturday || wd == time.Sunday) && (len(res.Nudges) > 0 || res.Quiet == "") {
				t.Fatalf("%s (%s): nudges %v, quiet %q", today.Format(ticket.DateLayout), wd, steps(res.Nudges), res.Quiet)
			}
			if run == 1 && len(res.Nudges) > 0 {
				t.Fatalf("%s: a second run posted %v again", today.Format(ticket.DateLayout), steps(res.Nudges))
			}
			for _, n := range res.Nudges {
				got = append(got, today.Format(ticket.DateLayout)+" "+n.Item+" "+n.Step)
				for i := range items {
					if items[i].Key == n.Item {
						items[i].Labels = append(items[i].Labels, n.Label)
					}
				}
			}
		}
	}
	want := []string{
		"2026-10-19 ai-b needs-owner",
		"2026-10-19 ai-c due-soon", // the 17th and 18th are a weekend
		"2026-10-20 ai-c due-today",
		"2026-10-21 ai-c overdue",
		"2026-10-27 ai-b due-soon",
		"2026-10-27 ai-c escalated-7d",
		"2026-10-30 ai-b due-today",
		"2026-11-02 ai-a due-soon",
		"2026-11-02 ai-b escalated-3d", // overdue fell on the weekend: the furthest step only
		"2026-11-05 ai-a due-today",
		"2026-11-06 ai-a overdue",
		"2026-11-12 ai-a escalated-7d",
		"2026-11-13 ai-b escalated-14d",
		// ai-c's 30-day step would be on 2026-11-19: it is done.
		"2026-12-07 ai-a escalated-30d", // the 5th is a Saturday
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps posted:\n%q\nwant\n%q", got, want)
	}
	seen := map[string]bool{}
	for _, g := range got {
		k := g[len("2026-01-01 "):]
		if seen[k] {
			t.Errorf("%s posted twice", k)
		}
		seen[k] = true
	}
}
