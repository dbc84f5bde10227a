package report

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// This file is the escalation view (SPEC §6): the overdue and soon due
// action items of each team in tiers of days overdue, oldest first, and
// who carries the most overdue work.

// newTiers are the escalation tiers by days overdue (today − due), oldest
// first: more than 90 days overdue, 31–90, 8–30, 1–7, and due soon (due
// within the next 7 days, today included: −7..0).
func newTiers() []Tier {
	return []Tier{
		{Label: ">90", MinDaysOverdue: 91, Items: []TierItem{}},
		{Label: "31-90", MinDaysOverdue: 31, MaxDaysOverdue: ptr(90), Items: []TierItem{}},
		{Label: "8-30", MinDaysOverdue: 8, MaxDaysOverdue: ptr(30), Items: []TierItem{}},
		{Label: "1-7", MinDaysOverdue: 1, MaxDaysOverdue: ptr(7), Items: []TierItem{}},
		{Label: "due soon", MinDaysOverdue: -dueSoonDays, MaxDaysOverdue: ptr(0), Items: []TierItem{}},
	}
}

// escalate builds the escalation view and the carrying table from the
// action items that are overdue or due soon.
//
// Teams: most overdue first, then the oldest, then by key ("" last).
// Tier items: oldest due first, then doc id, key. Carriers: owners with
// at least one overdue item, most overdue first, then the oldest, then
// in by_owner order.
func escalate(facts []fact, today time.Time) ([]TeamEscalation, []Carrier) {
	teams := map[string]*TeamEscalation{}
	carriers := map[string]*Carrier{}
	for i := range facts {
		f := &facts[i]
		if !f.action() || (!f.overdue && !f.dueSoon) {
			continue
		}
		t := teams[f.row.Team]
		if t == nil {
			t = &TeamEscalation{Team: f.row.Team, Tiers: newTiers()}
			teams[f.row.Team] = t
		}
		c := carriers[f.owner]
		if c == nil {
			c = &Carrier{Key: f.owner, Name: f.ownerName}
			carriers[f.owner] = c
		}
		if f.row.DueSoon {
			t.DueSoon++
			c.DueSoon++
		} else {
			t.Overdue++
			c.Overdue++
			t.OldestDaysOverdue = max(t.OldestDaysOverdue, f.row.DaysOverdue)
			c.OldestDaysOverdue = max(c.OldestDaysOverdue, f.row.DaysOverdue)
		}
		late := days(f.it.Due, today)
		for i := range t.Tiers {
			tr := &t.Tiers[i]
			if late >= tr.MinDaysOverdue && (tr.MaxDaysOverdue == nil || late <= *tr.MaxDaysOverdue) {
				tr.Items = append(tr.Items, TierItem{ItemRef: &f.row.ItemRef, Due: f.row.Due, DaysOverdue: late})
				break
			}
		}
	}

	esc := make([]TeamEscalation, 0, len(teams))
	for _, t := range teams {
		for i := range t.Tiers {
			slices.SortStableFunc(t.Tiers[i].Items, func(a, b TierItem) int {
				return cmp.Or(strings.Compare(a.Due, b.Due), strings.Compare(a.DocID, b.DocID), strings.Compare(a.Key, b.Key))
			})
		}
		esc = append(esc, *t)
	}
	slices.SortFunc(esc, func(a, b TeamEscalation) int {
		return cmp.Or(cmp.Compare(b.Overdue, a.Overdue), cmp.Compare(b.OldestDaysOverdue, a.OldestDaysOverdue), noneLast(a.Team, b.Team))
	})

	carrying := make([]Carrier, 0, len(carriers))
	for _, c := range carriers {
		if c.Overdue > 0 {
			carrying = append(carrying, *c)
		}
	}
	slices.SortFunc(carrying, func(a, b Carrier) int {
		return cmp.Or(cmp.Compare(b.Overdue, a.Overdue), cmp.Compare(b.OldestDaysOverdue, a.OldestDaysOverdue), ownerOrder(a.Key, a.Name, b.Key, b.Name))
	})
	return esc, carrying
}
