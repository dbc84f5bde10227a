package engine

import (
	"context"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

// run is one Run's working state, handed from phase to phase.
type run struct {
	e         *Engine
	ctx, work context.Context // ctx ends: start nothing new; work ends Grace later
	now       time.Time
	res       *Result

	// collect
	docs    map[string]*docRun // in scope, by path
	docIDs  map[string]bool    // every document read
	docPath map[string]string  // id → path, for the report
	items   []plan.Item        // until the plan is made; then planned
	unread  int                // documents not read, or held: their tickets are not orphans
	// planned are the plan's items after it is made, by target, as
	// indexes of their report items, which say what the documents say as
	// the run writes them (settle): what recheck needs. The plan's items
	// (256 bytes each) were alive to the end of a first sync, 25 MB at
	// 100,000 items; these are 4 bytes.
	planned map[ticket.Target][]int32

	// observe
	st           stateFile
	listings     map[string]listing // this run's, by target
	blocked      map[ticket.Target]bool
	observed     []ticket.Ticket
	factsChanged bool // st has facts worth saving

	// nudge
	byRef map[string]*report.Item // report items by ticket (refKey)
}

// release lets go of what only the phases before publish need (the
// plan's items, the documents' updates, the tickets seen, the state):
// the report is computed and rendered next, and this is as much again
// as the report itself.
func (r *run) release() {
	r.docs, r.docIDs, r.docPath, r.items, r.planned = nil, nil, nil, nil, nil
	r.st, r.listings, r.blocked, r.observed, r.byRef = stateFile{}, nil, nil, nil, nil
}

// keepPlanned lets go of the plan's items once the plan is made, keeping of
// each its report item by target (planned).
func (r *run) keepPlanned() {
	r.planned = map[ticket.Target][]int32{}
	for _, it := range r.items {
		ds := r.docs[it.Doc]
		if ds == nil {
			continue
		}
		if i := r.reportIndex(ds, it.Marker.Item); i >= 0 {
			r.planned[it.Target] = append(r.planned[it.Target], int32(i))
		}
	}
	r.items = nil
}

// plannedFor are the plan's items of a target as the documents now say
// them: the links and statuses written (settle), and those not written
// yet (a document the run stopped in).
func (r *run) plannedFor(tg ticket.Target) []plan.Item {
	today := r.e.today(r.now)
	out := make([]plan.Item, 0, len(r.planned[tg]))
	for _, i := range r.planned[tg] {
		ri := &r.res.Report.Items[i]
		p := r.docPath[ri.DocID]
		it := plan.Item{
			Doc: p, Marker: ticket.Marker{PM: ri.DocID, Item: ri.Key, Owner: r.e.Config.OwnerID}, Target: tg,
			Ref: ri.Ticket, Done: ri.DoneInDoc, Due: ri.Due, Line: ri.Line,
		}
		if ri.State != "" {
			it.Status, it.HasStatus = plan.WithOverdue(ticket.Status{State: ri.State, Done: ri.Done}, ri.Due, today), true
		}
		if ds := r.docs[p]; ds != nil {
			if u, ok := ds.updates[ri.Key]; ok {
				it.Ref, it.Status, it.HasStatus = u.Ticket, u.Status, true
			}
		}
		out = append(out, it)
	}
	return out
}
