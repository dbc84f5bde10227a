package report

import (
	"cmp"
	"slices"
)

// This file is the escalation view (SPEC §6): the overdue and soon due
// action items of each team in tiers of days overdue, oldest first, and
// who carries the most overdue work.

// newTiers are the escalation tiers by days overdue (today − due), oldest
// first: more than 90 days overdue, 31–90, 8–30, 1–7, and due soon (due
// within the next 7 days, today included: −7..0).
func newTiers() []Tier {
	return []Tier{
		{Label: ">90", MinDaysOverdue: 91},
		{Label: "31-90", MinDaysOverdue: 31, MaxDaysOverdue: ptr(90)},
		{Label: "8-30", MinDaysOverdue: 8, MaxDaysOverdue: ptr(30)},
		{Label: "1-7", MinDaysOverdue: 1, MaxDaysOverdue: ptr(7)},
		{Label: "due soon", MinDaysOverdue: -dueSoonDays, MaxDaysOverdue: ptr(0)},
	}
}

// escalate builds the escalation view and the carrying table from the
// action items that are overdue or due soon.
//
// Teams: most overdue first, then the oldest, then by key ("" last).
// Tier items: oldest due first, then doc id, key. Carriers: owners with
// at least one overdue item, most overdue first, then the oldest, then
// in by_owner order.
func escalate(facts []fact, read *deriver) ([]TeamEscalation, []Carrier) {
	today := read.today
	teams := map[string]*TeamEscalation{}
	carriers := map[string]*Carrier{}
	tiered := map[*TeamEscalation][][]*fact{} // each tier's items
	for i := range facts {
		f := &facts[i]
		if !f.action() || (!f.overdue && !f.dueSoon) {
			continue
		}
		t := teams[f.team]
		if t == nil {
			t = &TeamEscalation{Team: f.team, Tiers: newTiers()}
			teams[f.team] = t
			tiered[t] = make([][]*fact, len(t.Tiers))
		}
		c := carriers[f.owner]
		if c == nil {
			c = &Carrier{Key: f.owner, Name: f.ownerName}
			carriers[f.owner] = c
		}
		late := days(f.it.Due, today)
		if f.dueSoon {
			t.DueSoon++
			c.DueSoon++
		} else {
			t.Overdue++
			c.Overdue++
			t.OldestDaysOverdue = max(t.OldestDaysOverdue, late)
			c.OldestDaysOverdue = max(c.OldestDaysOverdue, late)
		}
		for i := range t.Tiers {
			tr := &t.Tiers[i]
			if late >= tr.MinDaysOverdue && (tr.MaxDaysOverdue == nil || late <= *tr.MaxDaysOverdue) {
				tiered[t][i] = append(tiered[t][i], f)
				break
			}
		}
	}

	esc := make([]TeamEscalation, 0, len(teams))
	for _, t := range teams {
		for i, fs := range tiered[t] {
			slices.SortStableFunc(fs, dueOrder)
			t.Tiers[i].Items = TierItems{facts: fs, der: read}
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
