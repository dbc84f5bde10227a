// Package plan computes, without I/O, logger or clock, what one sync run
// must do: which tickets to create, which links and statuses to write
// back, which duplicates to close, what to defer or refuse. Like
// external-dns's plan, it is plain sorted data; applying it is the
// engine's job.
package plan

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Item is one document item that should be tracked.
type Item struct {
	Doc    string // document path from the source root
	Marker ticket.Marker
	Target ticket.Target
	// Title is the item's text: a create that may be an open ticket's
	// earlier reading of its title is held. An item carries no ticket
	// content: the caller makes it when it creates the ticket (one for
	// every item without a ticket was a first sync's largest memory, and
	// most are not created that run).
	Title string
	// Ref and Status are what the document says now.
	Ref       ticket.Ref
	Status    ticket.Status
	HasStatus bool
	// Done: the document says the item is done and names no ticket; none
	// is opened.
	Done bool
	// Factor: the item is a contributing factor; factors' tickets are
	// created first, for the action items to name them. A bool, not a
	// Kind: it fits beside the other two.
	Factor bool
	Due    time.Time
	// Hold, when set, says why no ticket may be created for the item this
	// run (a ticket that may be its own could not be checked); it is
	// deferred with that reason.
	Hold string
	// Line is the item's line in its document, for messages.
	Line int
}

// Options tune the plan.
type Options struct {
	Now     time.Time
	OwnerID string
	// MaxCreates is the per-run creation budget of each tracker (by name);
	// a missing entry means 100.
	MaxCreates map[string]int
	// MaxShare refuses creating, in one repo or project, tickets for more
	// than this share of its items, once it already has MinLinked linked
	// items (a parser bug must not flood a tracker). 0 or 1 disables it.
	MaxShare  map[string]float64
	MinLinked int
	// Known is, per target, how many items the last run routed there
	// (absent: unknown). Only items beyond those count against MaxShare:
	// items a failed or budgeted run left without a ticket are not new,
	// and must not keep the guard shut once they outnumber the linked
	// ones.
	Known map[ticket.Target]int
	// Complete says every postmortem of the collection was read, so a
	// ticket whose item is gone is an orphan (not merely out of scope).
	Complete bool
	// Docs are the ids of the documents read; tickets of other documents
	// are orphans only when Complete.
	Docs map[string]bool
}

// Create opens a ticket for an item.
type Create struct {
	Doc  string
	Line int // the item's, for messages
	// Spec is what the ticket would hold: nil from Compute, made by the
	// caller (for a plan it prints, or when it creates the ticket).
	Spec *ticket.Spec
	// Key is the item's (its Marker.Item).
	Key string `json:"-"`
	// target is shared by the creates of one target: a run keeps its
	// creates to its end, 100,000 of them on a first sync.
	target *ticket.Target
}

// Target is where the ticket is to be created.
func (c Create) Target() ticket.Target {
	if c.target != nil {
		return *c.target
	}
	return ticket.Target{}
}

// WriteBack sets an item's ticket and status in its document.
type WriteBack struct {
	Doc    string
	Key    string
	Ref    ticket.Ref
	Status ticket.Status
	// Adopted: the ticket was found by its marker, not in the document
	// (a run stopped between creating it and writing its link back).
	Adopted bool
}

// Duplicate closes Dup, a second ticket for the item Keep is kept for.
type Duplicate struct {
	Keep, Dup ticket.Ticket
}

// Conflict is an item whose document names one ticket while pmsync's own
// marked ticket for it is another (a person linked an existing ticket, or
// a document claims another's item). pmsync closes neither and reports it:
// closing its own ticket in favour of a link it did not make would let any
// document close any ticket.
type Conflict struct {
	Doc, Key string
	Line     int           // the item's, for messages
	Linked   ticket.Ref    // what the document names
	Ours     ticket.Ticket // pmsync's open ticket marked for the item
}

// Deferred is an item whose ticket waits for a later run.
type Deferred struct {
	Doc, Key, Reason string
}

// Refusal is a target where the plan would create too many tickets.
type Refusal struct {
	Target          ticket.Target
	Creates, Linked int
	Share           float64
}

// Plan is what one run does. Every list is sorted.
type Plan struct {
	Creates    []Create
	WriteBacks []WriteBack
	Duplicates []Duplicate
	Conflicts  []Conflict
	Deferred   []Deferred
	Refusals   []Refusal
	// Orphans are pmsync's tickets whose item is no longer in its
	// postmortem; they are left alone and reported.
	Orphans []ticket.Ticket
	// Foreign are tickets with a marker of another installation (owner id);
	// never adopted, reported.
	Foreign []ticket.Ticket
	// Items counts the items routed to each target (for Options.Known of
	// the next run).
	Items map[ticket.Target]int `json:"-"`
}

// Empty reports a plan with nothing to change.
func (p Plan) Empty() bool {
	return len(p.Creates) == 0 && len(p.WriteBacks) == 0 && len(p.Duplicates) == 0
}

type ikey struct{ pm, item string }

// Compute compares the wanted items with the observed tickets (those
// found by marker, and those fetched by reference).
func Compute(items []Item, observed []ticket.Ticket, o Options) Plan {
	p := Plan{Items: map[ticket.Target]int{}}
	// The indexes hold positions in observed, not copies of its tickets
	// (about 300 bytes each): on a first run's re-listing every ticket is
	// in them twice, and they are the largest thing alive.
	byRef := make(map[string]int, 2*len(observed))
	byItem := map[ikey][]int{}
	// The item that links each ticket: a marker naming another item than
	// the one whose document links the ticket was edited (or copied), and
	// the document is believed, not the marker.
	for i, t := range observed {
		if t.Ref.URL != "" {
			byRef[t.Ref.URL] = i
		}
		byRef["text:"+t.Ref.Text] = i
	}
	// Only the items that link an observed ticket are indexed: a steady
	// run observes a few tickets, and a map of every linked item was
	// about 10 MB at 100,000 items.
	linkedBy := map[string]ikey{}
	for _, it := range items {
		if it.Ref.IsZero() {
			continue
		}
		var ok bool
		if it.Ref.URL != "" {
			_, ok = byRef[it.Ref.URL]
		} else {
			_, ok = byRef["text:"+it.Ref.Text] // no copy: the key does not escape
		}
		if ok {
			linkedBy[refIndex(it.Ref)] = ikey{it.Marker.PM, it.Marker.Item}
		}
	}
	linker := func(r ticket.Ref) (ikey, bool) {
		if k, ok := linkedBy[r.URL]; ok && r.URL != "" {
			return k, true
		}
		k, ok := linkedBy["text:"+r.Text]
		return k, ok
	}
	for i, t := range observed {
		if !t.HasMarker {
			continue
		}
		if t.Marker.Owner != o.OwnerID {
			p.Foreign = append(p.Foreign, t)
			continue
		}
		k := ikey{t.Marker.PM, t.Marker.Item}
		if by, ok := linker(t.Ref); ok && by != k {
			continue
		}
		byItem[k] = append(byItem[k], i)
	}
	for k := range byItem {
		ts := byItem[k]
		sort.SliceStable(ts, func(i, j int) bool { return older(observed[ts[i]], observed[ts[j]]) })
	}
	wanted := map[ikey]bool{} // of the items observed tickets are marked for
	linked := map[ticket.Target]int{}
	// The creates by target, as indexes into items: a Create is made
	// once, for each chosen, in its final order (10,000 of them grown and
	// sorted as structs took 25 ms).
	creates := map[ticket.Target][]int32{}
	for at, it := range items {
		k := ikey{it.Marker.PM, it.Marker.Item}
		p.Items[it.Target]++
		marked, isMarked := byItem[k]
		if isMarked {
			wanted[k] = true
		}
		var keep ticket.Ticket
		found := false
		if !it.Ref.IsZero() {
			linked[it.Target]++
			t, ok := lookup(observed, byRef, it.Ref)
			if ok {
				keep, found = t, true
			}
			switch {
			case len(marked) == 0 || ok && ownedBy(t, k, o.OwnerID):
			case ok:
				// The document names a ticket that is not pmsync's for this
				// item (unmarked, or another's) while pmsync has its own:
				// follow the document, close nothing, say so.
				for _, m := range marked {
					if m := observed[m]; m.Status.State == ticket.StateOpen || m.Status.State == ticket.StateInProgress {
						p.Conflicts = append(p.Conflicts, Conflict{Doc: it.Doc, Key: it.Marker.Item, Line: it.Line, Linked: it.Ref, Ours: m})
					}
				}
				marked = nil
			default:
				// The linked ticket was not seen this run (unchanged): whose
				// it is and which is older are unknown until a listing shows
				// it (the daily full one does). Decide nothing now.
				marked = nil
			}
			// A marked ticket older than the linked one wins: two runs
			// raced, and every run must pick the same survivor.
			if len(marked) > 0 && older(observed[marked[0]], keep) {
				keep = observed[marked[0]]
			}
		} else if len(marked) > 0 {
			keep, found = observed[marked[0]], true
		}
		for _, i := range marked {
			t := observed[i]
			if found && sameTicket(t, keep) {
				continue
			}
			if t.Status.State == ticket.StateOpen || t.Status.State == ticket.StateInProgress {
				p.Duplicates = append(p.Duplicates, Duplicate{Keep: keep, Dup: t})
			}
		}
		switch {
		case found:
			st := WithOverdue(keep.Status, it.Due, o.Now)
			adopted := it.Ref.IsZero() || !sameRef(it.Ref, keep.Ref)
			if adopted || !it.HasStatus || it.Status != st {
				p.WriteBacks = append(p.WriteBacks, WriteBack{Doc: it.Doc, Key: it.Marker.Item, Ref: keep.Ref, Status: st, Adopted: adopted && it.Ref.IsZero()})
			}
		case !it.Ref.IsZero():
			// Linked and not observed this run (unchanged since the last
			// one): only the overdue flag can change, with the calendar.
			if it.HasStatus {
				if st := WithOverdue(it.Status, it.Due, o.Now); st != it.Status {
					p.WriteBacks = append(p.WriteBacks, WriteBack{Doc: it.Doc, Key: it.Marker.Item, Ref: it.Ref, Status: st})
				}
			}
		case it.Done:
			// Done in the document, no ticket: nothing to open.
		case it.Hold != "":
			p.Deferred = append(p.Deferred, Deferred{Doc: it.Doc, Key: it.Marker.Item, Reason: it.Hold})
		default:
			creates[it.Target] = append(creates[it.Target], int32(at))
		}
	}
	// A create for an item that may be one of its document's own open
	// tickets under an earlier reading of its title (a run stopped before
	// writing the link back, then a new version reads the title better):
	// held, not duplicated.
	held := earlierReadings(observed, byItem, wanted)
	for tg, cs := range creates {
		kept := cs[:0]
		for _, at := range cs {
			c := &items[at]
			if t, ok := held.match(c.Marker.PM, c.Title); ok {
				p.Deferred = append(p.Deferred, Deferred{Doc: c.Doc, Key: c.Marker.Item,
					Reason: fmt.Sprintf("%s, a ticket of this postmortem that matches no item now, may be this item under an earlier reading of its title (%q): link %s in the document if it is, or close it; until then no ticket is opened", t.Ref.Text, t.Title, t.Ref.Text)})
				continue
			}
			kept = append(kept, at)
		}
		creates[tg] = kept
	}
	// Guard rails, per target then per tracker.
	targets := make([]ticket.Target, 0, len(creates))
	for t := range creates {
		targets = append(targets, t)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].String() < targets[j].String() })
	budget := map[string]int{}
	var chosen []int32
	for _, tg := range targets {
		cs := creates[tg]
		share := o.MaxShare[tg.Tracker]
		n, l := len(cs), linked[tg]
		if known, ok := o.Known[tg]; ok {
			n = min(n, max(0, p.Items[tg]-known))
		}
		if share > 0 && share < 1 && l >= max(o.MinLinked, 1) && float64(n)/float64(n+l) > share {
			p.Refusals = append(p.Refusals, Refusal{Target: tg, Creates: n, Linked: l, Share: float64(n) / float64(n+l)})
			for _, at := range cs {
				c := &items[at]
				p.Deferred = append(p.Deferred, Deferred{Doc: c.Doc, Key: c.Marker.Item,
					Reason: fmt.Sprintf("refused: %d new tickets for %s would be %.0f%% of its items (limit %.0f%%)", n, tg, 100*float64(n)/float64(n+l), 100*share)})
			}
			continue
		}
		for _, at := range cs {
			limit, ok := o.MaxCreates[tg.Tracker]
			if !ok {
				limit = 100
			}
			if budget[tg.Tracker] >= limit {
				c := &items[at]
				p.Deferred = append(p.Deferred, Deferred{Doc: c.Doc, Key: c.Marker.Item,
					Reason: fmt.Sprintf("creation budget of %d for tracker %s reached; the next run continues", limit, tg.Tracker)})
				continue
			}
			budget[tg.Tracker]++
			chosen = append(chosen, at)
		}
	}
	// By document, factors first (action items link the factor tickets),
	// else in the order chosen: the order items come in, when they go to
	// one target.
	byDoc := func(a, b int32) int {
		if c := strings.Compare(items[a].Doc, items[b].Doc); c != 0 {
			return c
		}
		ka, kb := items[a].Factor, items[b].Factor
		switch {
		case ka && !kb:
			return -1
		case kb && !ka:
			return 1
		}
		return 0
	}
	if !slices.IsSortedFunc(chosen, byDoc) {
		slices.SortStableFunc(chosen, byDoc)
	}
	if len(chosen) > 0 {
		shared := make(map[ticket.Target]*ticket.Target, len(targets))
		for i := range targets {
			shared[targets[i]] = &targets[i]
		}
		p.Creates = make([]Create, len(chosen))
		for i, at := range chosen {
			it := &items[at]
			p.Creates[i] = Create{Doc: it.Doc, Line: it.Line, Key: it.Marker.Item, target: shared[it.Target]}
		}
	}
	for k, ts := range byItem {
		if wanted[k] || !o.Complete && !o.Docs[k.pm] {
			continue
		}
		for _, i := range ts {
			p.Orphans = append(p.Orphans, observed[i])
		}
	}
	sortPlan(&p)
	return p
}

// WithOverdue sets the overdue flag of an open or in-progress status
// whose due date has passed (by calendar day, UTC).
func WithOverdue(st ticket.Status, due, now time.Time) ticket.Status {
	st.Overdue = false
	if !st.Done.IsZero() {
		// The document shows the day; keep only the day so the status
		// read back from it compares equal.
		y, m, d := st.Done.UTC().Date()
		st.Done = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	if (st.State == ticket.StateOpen || st.State == ticket.StateInProgress) && !due.IsZero() && !now.IsZero() {
		// Calendar days in UTC, compared without formatting them (two
		// strings an item, every run).
		dy, dm, dd := due.UTC().Date()
		ny, nm, nd := now.UTC().Date()
		st.Overdue = dy < ny || dy == ny && (dm < nm || dm == nm && dd < nd)
	}
	return st
}

// lookup finds the observed ticket a document's reference names: by URL
// when the document has one (two trackers may both have an "acme/sre#12"),
// else by its text.
func lookup(observed []ticket.Ticket, byRef map[string]int, r ticket.Ref) (ticket.Ticket, bool) {
	key := "text:" + r.Text
	if r.URL != "" {
		key = r.URL
	}
	i, ok := byRef[key]
	if !ok {
		return ticket.Ticket{}, false
	}
	return observed[i], true
}

// refIndex is the key a reference is indexed by (URL, else text).
func refIndex(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return "text:" + r.Text
}

// ownedBy reports a ticket marked by this installation for item k.
func ownedBy(t ticket.Ticket, k ikey, owner string) bool {
	return t.HasMarker && t.Marker.Owner == owner && t.Marker.PM == k.pm && t.Marker.Item == k.item
}

func sameRef(a, b ticket.Ref) bool {
	if a.URL != "" && b.URL != "" {
		return a.URL == b.URL
	}
	return a.Text == b.Text
}

func sameTicket(a, b ticket.Ticket) bool { return sameRef(a.Ref, b.Ref) }

// older orders tickets by creation, then by reference, so every run
// picks the same oldest ticket.
func older(a, b ticket.Ticket) bool {
	if !a.Created.Equal(b.Created) {
		return a.Created.Before(b.Created)
	}
	if len(a.Ref.Text) != len(b.Ref.Text) {
		return len(a.Ref.Text) < len(b.Ref.Text) // #9 before #10
	}
	return a.Ref.Text < b.Ref.Text
}

func sortPlan(p *Plan) {
	sort.SliceStable(p.WriteBacks, func(i, j int) bool { return p.WriteBacks[i].Doc < p.WriteBacks[j].Doc })
	sort.Slice(p.Duplicates, func(i, j int) bool { return p.Duplicates[i].Dup.Ref.Text < p.Duplicates[j].Dup.Ref.Text })
	sort.SliceStable(p.Conflicts, func(i, j int) bool { return p.Conflicts[i].Doc < p.Conflicts[j].Doc })
	sort.SliceStable(p.Deferred, func(i, j int) bool { return p.Deferred[i].Doc < p.Deferred[j].Doc })
	sort.Slice(p.Orphans, func(i, j int) bool { return p.Orphans[i].Ref.Text < p.Orphans[j].Ref.Text })
	sort.Slice(p.Foreign, func(i, j int) bool { return p.Foreign[i].Ref.Text < p.Foreign[j].Ref.Text })
}

// orphansByPM are this installation's open tickets whose item no
// document has now, by postmortem id.
type orphansByPM map[string][]ticket.Ticket

func earlierReadings(observed []ticket.Ticket, byItem map[ikey][]int, wanted map[ikey]bool) orphansByPM {
	out := orphansByPM{}
	for k, ts := range byItem {
		if wanted[k] {
			continue
		}
		for _, i := range ts {
			if st := observed[i].Status.State; st == ticket.StateOpen || st == ticket.StateInProgress {
				out[k.pm] = append(out[k.pm], observed[i])
			}
		}
	}
	return out
}

// match finds an open orphan of postmortem pm whose title and an item's
// are one the start of the other, word for word (case and spacing
// aside): the same item read with more or fewer trailing words.
func (o orphansByPM) match(pm, title string) (ticket.Ticket, bool) {
	orphans := o[pm]
	if len(orphans) == 0 {
		return ticket.Ticket{}, false // nearly always: no title is split
	}
	mine := strings.Fields(strings.ToLower(title))
	if len(mine) == 0 {
		return ticket.Ticket{}, false
	}
	for _, t := range orphans {
		theirs := strings.Fields(strings.ToLower(strings.TrimSuffix(t.Title, "…")))
		n := min(len(mine), len(theirs))
		if n > 0 && slices.Equal(mine[:n], theirs[:n]) {
			return t, true
		}
	}
	return ticket.Ticket{}, false
}
