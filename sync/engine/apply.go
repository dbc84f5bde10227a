package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// This file is the apply phase: the plan's links and statuses are written
// back, tickets created (each linked in its document as soon as it
// exists), races with other runs settled, duplicates closed, and the
// state saved.

// apply carries out the plan.
func (r *run) apply() {
	e, res := r.e, r.res
	// 1. Links and statuses (no API call).
	for _, wb := range r.res.Plan.WriteBacks {
		if setLink(r.docs, wb) == nil {
			continue
		}
		if wb.Adopted {
			res.Adopted++
		} else {
			res.Updated++
		}
	}
	if !e.Config.KeepPlan {
		// In the documents' updates now, and printed by nobody: on a day
		// most items fall overdue they were 7 MB at 100,000 items, held
		// to the end of the run.
		r.res.Plan.WriteBacks = nil
	}
	for _, ds := range sortedDocs(r.docs) {
		e.flush(r.work, ds, res)
		r.settle(ds)
	}
	// 2. New tickets, each written back as soon as it exists.
	stopped := map[string]error{}
	createdIn := map[ticket.Target]bool{}
	var prev *docRun
	for n, c := range r.res.Plan.Creates {
		if e.Progress != nil {
			e.Progress(n, len(r.res.Plan.Creates))
		}
		if r.ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		ds := r.docs[c.Doc]
		if prev != nil && prev != ds {
			r.settle(prev) // done with that document
		}
		prev = ds
		tg := c.Target()
		tname := tg.Tracker
		if err := stopped[tname]; err != nil {
			res.Deferred++
			continue
		}
		log := e.log().With("doc", c.Doc, "item", c.Key, "tracker", tname)
		spec, err := r.specOf(ds, c) // a copy: Factors are this run's
		if errors.Is(err, errItemChanged) || errors.Is(err, errDocUnread) {
			res.Deferred++
			res.Plan.Deferred = append(res.Plan.Deferred, plan.Deferred{Doc: c.Doc, Key: c.Key, Reason: err.Error()})
			log.Warn("ticket not created", "reason", err.Error())
			continue
		}
		if err != nil {
			res.fail(Failure{Doc: c.Doc, Line: c.Line, Item: c.Key, Message: err.Error()})
			continue
		}
		spec.Factors = r.factorRefs(ds, spec.Marker.Item)
		t, err := e.Trackers[tname].Create(r.work, spec)
		if err != nil {
			res.fail(Failure{Doc: c.Doc, Line: c.Line, Item: spec.Marker.Item, Message: fmt.Sprintf("create ticket in %s: %v", tg, err)})
			log.Error("create ticket failed", "err", err)
			var rl *trackers.RateLimitError
			// A rate limit that could not be waited out, or the end of the
			// grace period, stops creating on this tracker; a single failed
			// request (a timeout: maybe created, the next run's marker lookup
			// tells) does not.
			if errors.As(err, &rl) || r.work.Err() != nil {
				stopped[tname] = err
			}
			continue
		}
		res.Created++
		if t.Created.IsZero() {
			t.Created = r.now
		}
		r.st.remember(t)
		r.factsChanged = true
		createdIn[tg] = true
		log.Info("ticket created", "ticket", t.Ref.Text)
		status := plan.WithOverdue(t.Status, spec.Due, e.today(r.now))
		ds.set(spec.Marker.Item, postmortem.Update{Ticket: t.Ref, Status: status})
		e.flush(r.work, ds, res)
	}
	if prev != nil && !res.Interrupted {
		r.settle(prev)
	}
	if e.Progress != nil && len(r.res.Plan.Creates) > 0 {
		e.Progress(len(r.res.Plan.Creates), len(r.res.Plan.Creates))
	}
	// 3. A run elsewhere (another pod, a laptop) may have created the same
	// tickets meanwhile: list again where tickets were created and settle
	// on the oldest one per item now, not a run later.
	dups := r.res.Plan.Duplicates
	if again := e.recheck(r.work, r.plannedFor, r.docs, createdIn, r.now, r.now, &r.st, res); again != nil {
		dups = append(dups, again...)
	}
	// The plan's items are done with; the state is encoded below, which
	// was a steady run's largest heap.
	r.planned, r.observed = nil, nil
	// 4. Duplicates.
	for _, d := range dups {
		if r.ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		tr := e.Trackers[d.Dup.Target.Tracker]
		if tr == nil {
			tr = e.Trackers[d.Keep.Target.Tracker]
		}
		if tr == nil {
			continue
		}
		if err := tr.CloseDuplicate(r.work, d.Dup, d.Keep); err != nil {
			res.fail(Failure{Doc: d.Dup.Marker.PM, Item: d.Dup.Marker.Item, Message: fmt.Sprintf("close duplicate %s: %v", d.Dup.Ref.Text, err)})
			continue
		}
		res.Closed++
		e.log().Info("duplicate closed", "ticket", d.Dup.Ref.Text, "kept", d.Keep.Ref.Text)
	}
	for _, ds := range sortedDocs(r.docs) {
		e.flush(r.work, ds, res)
	}
	if r.ctx.Err() != nil {
		res.Interrupted = true
	}
	if err := e.saveState(r.work, r.st, r.listings, r.factsChanged); err != nil {
		res.fail(Failure{Doc: StatePath, Message: err.Error()})
	}
}

// recheck lists the targets where this run created tickets again and
// returns the duplicates to close; links are moved to the oldest ticket.
func (e *Engine) recheck(ctx context.Context, itemsFor func(ticket.Target) []plan.Item, docs map[string]*docRun, createdIn map[ticket.Target]bool, runStart, now time.Time, st *stateFile, res *Result) []plan.Duplicate {
	if len(createdIn) == 0 {
		return nil
	}
	// One target at a time: its tickets as listed are let go before the
	// next is listed (a first sync's re-listing of every ticket it made
	// was its largest live heap). A ticket's duplicates share its item's
	// target; one left in another (the route changed between two racing
	// runs) is closed by the next run's plan, which sees every target.
	var dups []plan.Duplicate
	for _, tg := range slices.SortedFunc(maps.Keys(createdIn), func(a, b ticket.Target) int { return strings.Compare(a.String(), b.String()) }) {
		found, err := e.Trackers[tg.Tracker].Find(ctx, tg, runStart.Add(-sinceMargin))
		if err != nil {
			e.log().Warn("re-listing after creation failed; duplicates, if any, are closed next run", "target", tg.String(), "err", err)
			continue
		}
		again := itemsFor(tg)
		found = e.vetMarked(ctx, found, again, nil, map[ticket.Target]bool{}, st, now, res, map[itemID]string{})
		p := plan.Compute(again, found, plan.Options{Now: e.today(now), OwnerID: e.Config.OwnerID})
		for _, wb := range p.WriteBacks {
			if ds := setLink(docs, wb); ds != nil {
				e.flush(ctx, ds, res)
			}
		}
		dups = append(dups, p.Duplicates...)
	}
	return dups
}

// setLink records a write-back in its document's updates; the document
// is written at the next flush.
func setLink(docs map[string]*docRun, wb plan.WriteBack) *docRun {
	ds := docs[wb.Doc]
	if ds == nil {
		return nil
	}
	ds.set(wb.Key, postmortem.Update{Ticket: wb.Ref, Status: wb.Status})
	return ds
}

// settle is called once a document is written, after the links and
// statuses and again when the creates are done with it: its updates go
// into the report's items (as the report's Settle would put them at the
// end) and the document lets go of its parsed form and of them. A run
// otherwise held an update per changed item to its end: 11.5 MB at
// 100,000 created tickets, 9.5 MB on a day 50,000 items fall overdue.
// recheck reads the items from the report's items (plannedFor), so it
// sees what settle moved there; a link recheck moves is an update
// again, written and reported as before.
func (r *run) settle(ds *docRun) {
	ds.doc = nil
	if ds.dirty || len(ds.updates) == 0 {
		return
	}
	items := r.res.Report.Items[ds.report[0]:ds.report[1]]
	for i := range items {
		if u, ok := ds.updates[items[i].Key]; ok {
			items[i].Ticket, items[i].State, items[i].Done = u.Ticket, u.Status.State, u.Status.Done
		}
	}
	ds.updates = nil
}

// flush renders and writes a document with every update known for it.
func (e *Engine) flush(ctx context.Context, ds *docRun, res *Result) {
	if !ds.dirty {
		return
	}
	var out []byte
	var next *postmortem.Doc
	var changed bool
	var err error
	if ds.doc == nil {
		out, next, changed, err = e.reload(ctx, ds)
	} else {
		out, next, changed, err = ds.doc.RenderDoc(ds.updates)
	}
	if err != nil {
		res.fail(Failure{Doc: ds.path, Message: err.Error()})
		ds.dirty = false
		return
	}
	if changed {
		err := e.Source.Write(context.WithoutCancel(ctx), ds.path, ds.doc.Bytes(), out)
		if errors.Is(err, source.ErrChanged) {
			// Someone (a person, another run) changed the file since it was
			// read: apply the same links to what is there now.
			out, next, changed, err = e.reload(ctx, ds)
			if err == nil && changed {
				err = e.Source.Write(context.WithoutCancel(ctx), ds.path, ds.doc.Bytes(), out)
			}
		}
		if err != nil {
			res.fail(Failure{Doc: ds.path, Message: err.Error()})
			ds.dirty = false
			return
		}
		if !changed {
			ds.dirty = false
			return
		}
		ds.doc = next
		if len(res.Written) == 0 || res.Written[len(res.Written)-1] != ds.path {
			res.Written = append(res.Written, ds.path)
		}
	}
	ds.dirty = false
}

// reload reads and parses a document again and renders the run's updates
// onto it.
func (e *Engine) reload(ctx context.Context, ds *docRun) ([]byte, *postmortem.Doc, bool, error) {
	d, err := e.load(ctx, ds.path)
	if err != nil {
		return nil, nil, false, err
	}
	ds.doc = d
	return d.RenderDoc(ds.updates)
}

// factorRefs are the tickets of the factors an action item addresses.
func (r *run) factorRefs(ds *docRun, key string) []ticket.Ref {
	if ds == nil {
		return nil
	}
	var out []ticket.Ref
	for _, f := range ds.factors[key] {
		if u, ok := ds.updates[f]; ok {
			out = append(out, u.Ticket)
		} else if ref, ok := ds.factorTickets[f]; ok {
			out = append(out, ref)
		} else if ref := r.settled(ds, f); !ref.IsZero() {
			out = append(out, ref)
		}
	}
	return out
}

// settled is the ticket settle moved into the report for a document's
// item; zero when none.
func (r *run) settled(ds *docRun, key string) ticket.Ref {
	if i := r.reportIndex(ds, key); i >= 0 {
		return r.res.Report.Items[i].Ticket
	}
	return ticket.Ref{}
}

// reportIndex is where a document's item is in the report's items; -1
// when it is not there.
func (r *run) reportIndex(ds *docRun, key string) int {
	for i := ds.report[0]; i < ds.report[1]; i++ {
		if r.res.Report.Items[i].Key == key {
			return i
		}
	}
	return -1
}
