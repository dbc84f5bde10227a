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
	items   []plan.Item
	unread  int // documents not read, or held: their tickets are not orphans

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
	r.docs, r.docIDs, r.docPath, r.items = nil, nil, nil, nil
	r.st, r.listings, r.blocked, r.observed, r.byRef = stateFile{}, nil, nil, nil, nil
}
