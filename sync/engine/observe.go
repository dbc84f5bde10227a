package engine

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// This file is the observe phase: list each target's tickets, fetch the
// linked ones the documents need, and decide which marked tickets to
// believe (vet.go); then the decide phase, which hands all of it to the
// pure plan.

// observe sets r.observed, r.st, r.listings and r.blocked, and holds the
// items a ticket of unknown author may already cover.
func (r *run) observe() {
	e, res := r.e, r.res
	r.st = e.loadState(r.work, r.now)
	if e.Config.Offline {
		// Nothing is asked: the documents and the kept facts are the
		// report, as of the last successful listing.
		r.listings, r.blocked = map[string]listing{}, map[ticket.Target]bool{}
		for _, ls := range r.st.Targets {
			if ls.Since.After(res.Report.AsOf) {
				res.Report.AsOf = ls.Since
			}
		}
		res.Report.Offline = true
		return
	}
	r.observed, r.listings, r.blocked = e.list(r.work, r.items, r.st, r.now, res)
	fullTargets := map[ticket.Target]bool{}
	for _, it := range r.items {
		if ns, ok := r.listings[it.Target.String()]; ok && ns.FullAt.Equal(r.now) {
			fullTargets[it.Target] = true
		}
	}
	aliases := len(r.st.OwnerAliases)
	r.observed = e.learnAliases(r.work, r.observed, r.items, e.Config.OwnerID, &r.st)
	held := map[itemID]string{}
	r.observed = e.vetMarked(r.work, r.observed, r.items, fullTargets, r.blocked, &r.st, r.now, res, held)
	for i, it := range r.items {
		if why, ok := held[itemID{it.Marker.PM, it.Marker.Item}]; ok {
			r.items[i].Hold = why
			res.fail(Failure{Doc: it.Doc, Line: it.Line, Item: it.Marker.Item, Message: why})
		}
	}
	for tg := range r.blocked {
		// Listed but not acted on: the next run lists it from the same
		// point again.
		delete(r.listings, tg.String())
	}
	r.factsChanged = len(r.st.OwnerAliases) != aliases
	for _, t := range r.observed {
		if t.HasMarker && t.Marker.Owner != e.Config.OwnerID {
			continue // another installation's: not ours to report
		}
		r.factsChanged = r.st.remember(t) || r.factsChanged
	}
	// Never create where the tracker could not be listed: the ticket may
	// exist already.
	kept := r.items[:0]
	for _, it := range r.items {
		if !r.blocked[it.Target] {
			kept = append(kept, it)
		}
	}
	r.items = kept
}

// decide computes the plan and records what it refuses and what it
// cannot decide.
func (r *run) decide() {
	e, res := r.e, r.res
	known := map[ticket.Target]int{}
	for _, it := range r.items {
		if ts, ok := r.st.Targets[it.Target.String()]; ok && ts.Items > 0 {
			known[it.Target] = ts.Items
		}
	}
	p := plan.Compute(r.items, r.observed, plan.Options{
		Now: e.today(r.now), OwnerID: e.Config.OwnerID, MaxCreates: e.Config.MaxCreates, MaxShare: e.Config.MaxShare,
		// Orphans only when every postmortem was read: a document that
		// failed to parse still has its tickets.
		MinLinked: 10, Complete: len(e.Config.Only) == 0 && !res.Interrupted && r.unread == 0, Docs: r.docIDs,
		Known: known,
	})
	refused := map[ticket.Target]bool{}
	for _, rf := range p.Refusals {
		refused[rf.Target] = true
	}
	for tg, ns := range r.listings {
		ns.Items = r.st.Targets[tg].Items
		r.listings[tg] = ns
	}
	if len(e.Config.Only) == 0 {
		for tg, n := range p.Items {
			if ns, ok := r.listings[tg.String()]; ok && !refused[tg] {
				ns.Items = n
				r.listings[tg.String()] = ns
			}
		}
	}
	res.Plan = p
	r.keepPlanned()
	if r.e.dryRun() || r.e.Config.KeepPlan {
		// The plan is printed with what each ticket would hold; a run
		// that creates makes each content when it creates the ticket.
		r.fillSpecs()
	}
	res.Deferred = len(res.Plan.Deferred)
	for _, c := range p.Conflicts {
		res.fail(Failure{Doc: c.Doc, Line: c.Line, Item: c.Key, Message: fmt.Sprintf(
			"the document names %s, but pmsync's own ticket %s is open for this item; pmsync closes neither: close the one you do not want, or link %s instead",
			c.Linked.Text, c.Ours.Ref.Text, c.Ours.Ref.Text)})
	}
	for _, rf := range p.Refusals {
		res.fail(Failure{Doc: rf.Target.String(), Message: fmt.Sprintf("refused to create %d tickets in %s: that is %.0f%% of its items, more than trackers.%s.max_create_share allows; check the parser's output with pmsync plan, then raise the share if it is right", rf.Creates, rf.Target, 100*rf.Share, rf.Target.Tracker)})
	}
}

// settleReport completes the report's input with the run's final links,
// the tickets' remembered facts, orphans and impostors.
func (r *run) settleReport() {
	res := r.res
	finishReport(&res.Report, r.docs, r.docPath, r.st)
	r.loadHistory()
	res.Report.Orphans = res.Plan.Orphans
	res.Report.Impostors = res.Report.Impostors[:0]
	for _, imp := range res.Impostors {
		res.Report.Impostors = append(res.Report.Impostors, report.Impostor{
			Ticket: imp.Ticket, TicketURL: imp.URL, Target: imp.Target, DocID: imp.PM, Key: imp.Item,
			Title: imp.Title, Author: imp.Author, Seen: imp.Seen.UTC().Format(ticket.DateLayout),
		})
	}
}

// list lists each target's marked tickets (changed since the last run,
// or all of them once per FullRefresh) and fetches by reference the
// linked tickets whose status the documents do not know yet. A target
// where documents link tickets pmsync did not open (adopted) is listed in
// a steady run by what changed, marked or not (trackers.ChangeLister), so
// those tickets stay current within the same one listing; on a full
// refresh they are fetched by reference, which is how a deleted one shows
// as missing. It returns what it saw, this run's listing of each target,
// and the targets that could not be listed.
func (e *Engine) list(ctx context.Context, items []plan.Item, st stateFile, now time.Time, res *Result) ([]ticket.Ticket, map[string]listing, map[ticket.Target]bool) {
	full := e.Config.FullRefresh
	if full == 0 {
		full = 24 * time.Hour
	}
	targets := map[ticket.Target]bool{}
	for _, it := range items {
		targets[it.Target] = true
	}
	adopted := e.adoptedRefs(items, st)
	order := make([]ticket.Target, 0, len(targets)+len(adopted))
	for t := range targets {
		order = append(order, t)
	}
	for t := range adopted {
		if !targets[t] {
			order = append(order, t)
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i].String() < order[j].String() })
	var observed []ticket.Ticket
	newState := map[string]listing{}
	blocked := map[ticket.Target]bool{}
	listed := map[ticket.Target]bool{}
	fullTargets := map[ticket.Target]bool{}
	seen := map[string]bool{}
	for _, tg := range order {
		prev := st.Targets[tg.String()]
		since := time.Time{}
		if !prev.Since.IsZero() && now.Sub(prev.FullAt) < full {
			since = prev.Since.Add(-sinceMargin)
		}
		tr := e.Trackers[tg.Tracker]
		if tr == nil {
			continue // a linked ticket of a tracker not configured: never listed
		}
		cl, byChange := tr.(trackers.ChangeLister)
		byChange = byChange && len(adopted[tg]) > 0 && !since.IsZero()
		if !byChange && !targets[tg] {
			// Only adopted tickets live here, and there is no listing to
			// continue: they are fetched by reference below.
			continue
		}
		var found []ticket.Ticket
		var err error
		if byChange {
			found, err = cl.FindChanged(ctx, tg, since)
		} else {
			found, err = tr.Find(ctx, tg, since)
		}
		if err != nil {
			blocked[tg] = true
			msg := fmt.Sprintf("list tickets in %s: %v; nothing is created there this run", tg, err)
			if !targets[tg] {
				msg = fmt.Sprintf("list tickets in %s (linked by the documents): %v; their status is as last written", tg, err)
			}
			res.fail(Failure{Doc: tg.String(), Message: msg})
			continue
		}
		listed[tg] = true
		ns := listing{Since: now, FullAt: prev.FullAt}
		if since.IsZero() {
			ns.FullAt = now
			fullTargets[tg] = true
		}
		newState[tg.String()] = ns
		if byChange {
			// Of everything that changed, what this run can use: tickets
			// with a marker (as the labelled listing shows them) and the
			// adopted ones.
			kept := found[:0]
			for _, t := range found {
				if t.HasMarker || adopted[tg][t.Ref.Text] {
					kept = append(kept, t)
				}
			}
			found = kept
		}
		for _, t := range found {
			seen[t.Ref.Text] = true
		}
		observed = append(observed, found...)
	}
	// Linked tickets to fetch: their status is unknown to the document,
	// a full listing did not show them (deleted, or without a marker), or
	// nothing listed where they live.
	fetch := map[string][]ticket.Ref{}
	fetchedTargets := map[string][]ticket.Target{}
	fetched := map[string]bool{}
	for _, it := range items {
		if it.Ref.IsZero() || seen[it.Ref.Text] || fetched[it.Ref.Text] {
			continue
		}
		name, rt, ok := e.recognize(it.Ref)
		if !ok || blocked[rt] || blocked[it.Target] {
			continue
		}
		if it.HasStatus && listed[rt] && !fullTargets[rt] {
			continue
		}
		fetch[name] = append(fetch[name], it.Ref)
		fetched[it.Ref.Text] = true
		if !listed[rt] && !slices.Contains(fetchedTargets[name], rt) {
			fetchedTargets[name] = append(fetchedTargets[name], rt)
		}
	}
	names := make([]string, 0, len(fetch))
	for n := range fetch {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got, err := e.Trackers[n].Get(ctx, fetch[n])
		if err != nil {
			res.fail(Failure{Doc: n, Message: fmt.Sprintf("fetch %d linked tickets from %s: %v", len(fetch[n]), n, err)})
			continue
		}
		observed = append(observed, got...)
		// Where only adopted tickets live, this fetch was the full
		// observation: the next run lists what changed since.
		for _, tg := range fetchedTargets[n] {
			if len(adopted[tg]) > 0 {
				newState[tg.String()] = listing{Since: now, FullAt: now}
			}
		}
	}
	return observed, newState, blocked
}

// adoptedRefs are the tickets documents link that pmsync did not open
// (no marker when pmsync first saw them, or not seen yet), by the repo or
// project they live in.
func (e *Engine) adoptedRefs(items []plan.Item, st stateFile) map[ticket.Target]map[string]bool {
	out := map[ticket.Target]map[string]bool{}
	for _, it := range items {
		if it.Ref.IsZero() {
			continue
		}
		if f, ok := st.Tickets[refKey(it.Ref)]; ok && f.Item != "" {
			continue // pmsync's own
		}
		if _, tg, ok := e.recognize(it.Ref); ok {
			if out[tg] == nil {
				out[tg] = map[string]bool{}
			}
			out[tg][it.Ref.Text] = true
		}
	}
	return out
}

// recognize finds the tracker a ticket reference belongs to, and its
// repo or project; trackers are tried in name order, and one that names
// the repo or project wins over one that only accepts the shape.
func (e *Engine) recognize(ref ticket.Ref) (string, ticket.Target, bool) {
	names := make([]string, 0, len(e.Trackers))
	for n := range e.Trackers {
		names = append(names, n)
	}
	sort.Strings(names)
	first := ""
	for _, n := range names {
		tg, ok := e.Trackers[n].Recognize(ref)
		switch {
		case ok && tg != (ticket.Target{}):
			return n, tg, true
		case ok && first == "":
			first = n
		}
	}
	return first, ticket.Target{}, first != ""
}
