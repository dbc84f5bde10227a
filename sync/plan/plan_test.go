package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

var (
	now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	gh  = ticket.Target{Tracker: "gh", Repo: "acme/sre"}
)

func item(key string, mod ...func(*Item)) Item {
	it := Item{
		Doc:    "pm.md",
		Marker: ticket.Marker{PM: "pm", Item: key, Owner: "me"},
		Target: gh,
		Due:    time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	it.Title = key
	for _, m := range mod {
		m(&it)
	}
	return it
}

func tk(n string, key string, created time.Time, st ticket.State) ticket.Ticket {
	return ticket.Ticket{
		Target: gh, Ref: ticket.Ref{Text: "acme/sre#" + n, URL: "https://github.com/acme/sre/issues/" + n},
		Marker: ticket.Marker{PM: "pm", Item: key, Owner: "me"}, HasMarker: true,
		Created: created, Status: ticket.Status{State: st},
	}
}

func linked(t ticket.Ticket, st ticket.Status) func(*Item) {
	return func(it *Item) { it.Ref, it.Status, it.HasStatus = t.Ref, st, true }
}

// flood is 10 linked items and 30 without a ticket, all in acme/sre.
func flood() []Item {
	var its []Item
	for i := 0; i < 10; i++ {
		x := tk(string(rune('a'+i)), "ai-l"+string(rune('a'+i)), now, ticket.StateOpen)
		its = append(its, item(x.Marker.Item, linked(x, ticket.Status{State: ticket.StateOpen})))
	}
	for i := 0; i < 30; i++ {
		its = append(its, item("ai-n"+string(rune('a'+i))))
	}
	return its
}

func TestCompute(t *testing.T) {
	t.Parallel()
	t1 := tk("1", "ai-1", now.Add(-time.Hour), ticket.StateOpen)
	t2 := tk("2", "ai-1", now.Add(-time.Minute), ticket.StateOpen)
	open := ticket.Status{State: ticket.StateOpen}
	tests := []struct {
		name     string
		items    []Item
		observed []ticket.Ticket
		opts     func(*Options)
		check    func(t *testing.T, p Plan)
	}{
		{name: "idempotent: wanted equals observed, empty plan",
			items: []Item{item("ai-1", linked(t1, open))}, observed: []ticket.Ticket{t1},
			check: func(t *testing.T, p Plan) {
				if !p.Empty() || len(p.Deferred) != 0 {
					t.Fatalf("plan not empty: %+v", p)
				}
			}},
		{name: "idempotent: linked and not observed (unchanged), empty plan",
			items: []Item{item("ai-1", linked(t1, open))},
			check: func(t *testing.T, p Plan) {
				if !p.Empty() {
					t.Fatalf("plan not empty: %+v", p)
				}
			}},
		{name: "new item is created",
			items: []Item{item("ai-1")},
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 1 || p.Creates[0].Key != "ai-1" {
					t.Fatalf("%+v", p.Creates)
				}
			}},
		{name: "done in the document: nothing opened",
			items: []Item{item("ai-1", func(i *Item) { i.Done = true })},
			check: func(t *testing.T, p Plan) {
				if !p.Empty() {
					t.Fatalf("%+v", p)
				}
			}},
		{name: "crash recovery: found by marker, adopted not created",
			items: []Item{item("ai-1")}, observed: []ticket.Ticket{t1},
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 0 || len(p.WriteBacks) != 1 || !p.WriteBacks[0].Adopted || p.WriteBacks[0].Ref != t1.Ref {
					t.Fatalf("%+v", p)
				}
			}},
		{name: "two tickets: keep the oldest, close the newer",
			items: []Item{item("ai-1")}, observed: []ticket.Ticket{t2, t1},
			check: func(t *testing.T, p Plan) {
				if len(p.Duplicates) != 1 || p.Duplicates[0].Dup.Ref != t2.Ref || p.Duplicates[0].Keep.Ref != t1.Ref {
					t.Fatalf("%+v", p.Duplicates)
				}
				if p.WriteBacks[0].Ref != t1.Ref {
					t.Fatalf("links %+v", p.WriteBacks[0])
				}
			}},
		{name: "document links the newer duplicate: relinked to the oldest",
			items: []Item{item("ai-1", linked(t2, open))}, observed: []ticket.Ticket{t2, t1},
			check: func(t *testing.T, p Plan) {
				if len(p.Duplicates) != 1 || p.Duplicates[0].Dup.Ref != t2.Ref || p.WriteBacks[0].Ref != t1.Ref {
					t.Fatalf("%+v", p)
				}
			}},
		{name: "status change written back, done date by day",
			items: []Item{item("ai-1", linked(t1, open))},
			observed: []ticket.Ticket{func() ticket.Ticket {
				x := t1
				x.Status = ticket.Status{State: ticket.StateDone, Done: now.Add(3 * time.Hour)}
				return x
			}()},
			check: func(t *testing.T, p Plan) {
				if len(p.WriteBacks) != 1 || p.WriteBacks[0].Status.String() != "Done 2026-11-25" {
					t.Fatalf("%+v", p.WriteBacks)
				}
			}},
		{name: "overdue flips with the calendar without a tracker change",
			items: []Item{item("ai-1", linked(t1, open), func(i *Item) { i.Due = now.AddDate(0, 0, -1) })},
			check: func(t *testing.T, p Plan) {
				if len(p.WriteBacks) != 1 || p.WriteBacks[0].Status.String() != "Open (overdue)" {
					t.Fatalf("%+v", p.WriteBacks)
				}
			}},
		{name: "another installation's ticket is never adopted",
			items: []Item{item("ai-1")},
			observed: []ticket.Ticket{func() ticket.Ticket {
				x := t1
				x.Marker.Owner = "someone-else"
				return x
			}()},
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 1 || len(p.Foreign) != 1 || len(p.WriteBacks) != 0 {
					t.Fatalf("%+v", p)
				}
			}},
		{name: "orphan: ticket whose item left its document",
			items: []Item{item("ai-2")}, observed: []ticket.Ticket{t1},
			opts: func(o *Options) { o.Complete = true },
			check: func(t *testing.T, p Plan) {
				if len(p.Orphans) != 1 || p.Orphans[0].Ref != t1.Ref {
					t.Fatalf("%+v", p.Orphans)
				}
			}},
		{name: "document links an unmarked ticket while pmsync's own exists: nothing closed, conflict reported",
			// The id-claim attack: a document names an ordinary issue for an
			// item whose marked ticket pmsync opened; closing pmsync's as a
			// duplicate of it would let any document close any ticket.
			items: []Item{item("ai-1", linked(ticket.Ticket{Ref: ticket.Ref{Text: "acme/sre#19", URL: "https://github.com/acme/sre/issues/19"}}, open))},
			observed: []ticket.Ticket{t1, {Target: gh, Ref: ticket.Ref{Text: "acme/sre#19", URL: "https://github.com/acme/sre/issues/19"},
				Created: now.Add(-2 * time.Hour), Status: ticket.Status{State: ticket.StateOpen}}},
			check: func(t *testing.T, p Plan) {
				if len(p.Duplicates) != 0 || len(p.Creates) != 0 {
					t.Fatalf("duplicates %+v creates %+v", p.Duplicates, p.Creates)
				}
				if len(p.Conflicts) != 1 || p.Conflicts[0].Ours.Ref != t1.Ref || p.Conflicts[0].Linked.Text != "acme/sre#19" {
					t.Fatalf("conflicts %+v", p.Conflicts)
				}
				for _, wb := range p.WriteBacks {
					if wb.Ref.Text != "acme/sre#19" {
						t.Fatalf("document relinked: %+v", wb)
					}
				}
			}},
		{name: "document links another installation's ticket: pmsync's own is not closed",
			items: []Item{item("ai-1", linked(t2, open))},
			observed: []ticket.Ticket{t1, func() ticket.Ticket {
				x := t2
				x.Marker.Owner = "someone-else"
				return x
			}()},
			check: func(t *testing.T, p Plan) {
				if len(p.Duplicates) != 0 || len(p.Conflicts) != 1 {
					t.Fatalf("duplicates %+v conflicts %+v", p.Duplicates, p.Conflicts)
				}
			}},
		{name: "a marker re-pointed to another item is not believed",
			// acme/sre#1 is linked from ai-1 but its marker was edited to
			// say ai-2; ai-2's own ticket #2 must not be closed as the
			// newer duplicate.
			items: []Item{item("ai-1", linked(t1, open)), item("ai-2", linked(t2, open))},
			observed: []ticket.Ticket{func() ticket.Ticket {
				x := t1
				x.Marker.Item = "ai-2"
				return x
			}(), func() ticket.Ticket {
				x := t2
				x.Marker.Item = "ai-2"
				return x
			}()},
			check: func(t *testing.T, p Plan) {
				if len(p.Duplicates) != 0 || len(p.Conflicts) != 0 {
					t.Fatalf("duplicates %+v conflicts %+v", p.Duplicates, p.Conflicts)
				}
				for _, wb := range p.WriteBacks {
					if wb.Key == "ai-2" && wb.Ref != t2.Ref || wb.Key == "ai-1" && wb.Ref != t1.Ref {
						t.Fatalf("relinked: %+v", wb)
					}
				}
			}},
		{name: "linked ticket not seen this run, another marked one seen: nothing decided",
			items:    []Item{item("ai-1", linked(t1, open))},
			observed: []ticket.Ticket{t2},
			check: func(t *testing.T, p Plan) {
				if !p.Empty() || len(p.Conflicts) != 0 {
					t.Fatalf("%+v", p)
				}
			}},
		{name: "creation budget defers the rest",
			items: []Item{item("ai-1"), item("ai-2"), item("ai-3")},
			opts:  func(o *Options) { o.MaxCreates = map[string]int{"gh": 2} },
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 2 || len(p.Deferred) != 1 {
					t.Fatalf("%+v", p)
				}
			}},
		{name: "share guard refuses a flood",
			items: flood(),
			opts:  func(o *Options) { o.MaxShare = map[string]float64{"gh": 0.5}; o.MinLinked = 10 },
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 0 || len(p.Refusals) != 1 || len(p.Deferred) != 30 {
					t.Fatalf("creates %d refusals %+v deferred %d", len(p.Creates), p.Refusals, len(p.Deferred))
				}
			}},
		{name: "share guard: items the last run already had are not a flood",
			// A first run that failed after 10 creates: the 30 left are
			// not new, the guard lets them through.
			items: flood(),
			opts: func(o *Options) {
				o.MaxShare = map[string]float64{"gh": 0.5}
				o.MinLinked = 10
				o.Known = map[ticket.Target]int{gh: 40}
			},
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 30 || len(p.Refusals) != 0 || p.Items[gh] != 40 {
					t.Fatalf("creates %d refusals %+v items %v", len(p.Creates), p.Refusals, p.Items)
				}
			}},
		{name: "share guard: a flood on top of known items is refused",
			// The last run had 15 items; 25 new ones appear at once.
			items: flood(),
			opts: func(o *Options) {
				o.MaxShare = map[string]float64{"gh": 0.5}
				o.MinLinked = 10
				o.Known = map[ticket.Target]int{gh: 15}
			},
			check: func(t *testing.T, p Plan) {
				if len(p.Creates) != 0 || len(p.Refusals) != 1 || p.Refusals[0].Creates != 25 || len(p.Deferred) != 30 {
					t.Fatalf("creates %d refusals %+v deferred %d", len(p.Creates), p.Refusals, len(p.Deferred))
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Now: now, OwnerID: "me", Docs: map[string]bool{"pm": true}}
			if tc.opts != nil {
				tc.opts(&o)
			}
			tc.check(t, Compute(tc.items, tc.observed, o))
		})
	}
}

// A create names its item and target, without a ticket content (the
// engine makes it when it creates the ticket), and the item's kind orders
// it (factors first, so action items can link their tickets).
func TestCreateWithoutSpec(t *testing.T) {
	bare := func(key string, factor bool) Item {
		return item(key, func(it *Item) { it.Factor, it.Title = factor, "text of "+key })
	}
	p := Compute([]Item{bare("ai-1", false), bare("cf-1", true)}, nil, Options{Now: now, OwnerID: "me"})
	if len(p.Creates) != 2 || len(p.Deferred) != 0 {
		t.Fatalf("creates %+v, deferred %+v; want both created", p.Creates, p.Deferred)
	}
	for i, want := range []string{"cf-1", "ai-1"} {
		c := p.Creates[i]
		if c.Key != want || c.Target() != gh || c.Spec != nil || c.Doc != "pm.md" {
			t.Errorf("create %d = %+v, want %s of pm.md in %s without content", i, c, want, gh)
		}
	}
	var out strings.Builder
	p.WriteText(&out, false)
	if !strings.Contains(out.String(), "create     gh:acme/sre            pm.md cf-1\n") {
		t.Errorf("plan text:\n%s\nwant the factor's create", out.String())
	}
}

// TestEarlierReadingHeld: a run created acme/sre#41 for an item and
// stopped before writing its link back; the next version reads the
// item's title without the trailing "Due: … Status" words, so its key
// changed. The item is held, naming the ticket, not given a second one.
// A closed orphan, another document's, or an unrelated title do not hold.
func TestEarlierReadingHeld(t *testing.T) {
	orphan := func(title string, st ticket.State, pm string) ticket.Ticket {
		tk := tk("41", "ai-old", now.Add(-time.Hour), st)
		tk.Title, tk.Marker.PM = title, pm
		return tk
	}
	newItem := item("ai-new", func(it *Item) { it.Title = "Fix the queue alert" })
	tests := []struct {
		name string
		tk   ticket.Ticket
		held bool
	}{
		{"longer earlier title", orphan("Fix the queue alert Due: 2026-04-01 Status", ticket.StateOpen, "pm"), true},
		{"shorter earlier title, other spacing and case", orphan("fix  the Queue", ticket.StateInProgress, "pm"), true},
		{"closed orphan", orphan("Fix the queue alert Due: 2026-04-01 Status", ticket.StateDone, "pm"), false},
		{"another postmortem's", orphan("Fix the queue alert Due: 2026-04-01 Status", ticket.StateOpen, "other"), false},
		{"unrelated title", orphan("Rotate the certificates", ticket.StateOpen, "pm"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Compute([]Item{newItem}, []ticket.Ticket{tc.tk}, Options{Now: now, OwnerID: "me", Complete: true})
			if tc.held {
				if len(p.Creates) != 0 || len(p.Deferred) != 1 || !strings.Contains(p.Deferred[0].Reason, "acme/sre#41") {
					t.Fatalf("creates %d, deferred %+v; want ai-new held naming acme/sre#41", len(p.Creates), p.Deferred)
				}
				return
			}
			if len(p.Creates) != 1 || len(p.Deferred) != 0 {
				t.Fatalf("creates %d, deferred %+v; want ai-new created", len(p.Creates), p.Deferred)
			}
		})
	}
}
