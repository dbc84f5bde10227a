package engine

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unique"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/ticket"
)

// This file is the collect phase: read and parse every postmortem, keep
// the ones in scope, route their items, and turn them into the plan's
// items. Parsed documents are dropped as soon as their items are taken
// (a steady run over thousands holds items, not documents).

// lock takes the source's run lock, when it has one and the run writes,
// and sweeps what a killed run left behind. It returns the release.
func (r *run) lock() (func(), error) {
	l, ok := r.e.Source.(locker)
	if !ok || r.e.dryRun() {
		return func() {}, nil
	}
	unlock, err := l.Lock(r.ctx)
	if err != nil {
		return nil, err
	}
	if sw, ok := r.e.Source.(sweeper); ok {
		gone, err := sw.Sweep(r.work)
		if err != nil {
			r.e.log().Warn("removing files a killed run left failed", "err", err)
		}
		for _, g := range gone {
			r.e.log().Info("removed a temporary file a killed run left", "file", g)
		}
	}
	return unlock, nil
}

// collect reads every document and sets r.items and r.docs.
func (r *run) collect() error {
	e, res := r.e, r.res
	f, stateErr := e.openFile(r.work, StatePath)
	if stateErr == nil {
		f.Close() // only whether there is one
	}
	id, writeID, err := e.identity(r.work, stateErr == nil)
	if err != nil {
		return err
	}
	e.Config.OwnerID, res.OwnerID = id, id
	paths, err := e.Source.List(r.work)
	if err != nil {
		return fmt.Errorf("list postmortems in %s: %w", e.Source.Root(), err)
	}
	r.docs = map[string]*docRun{}
	r.docIDs = map[string]bool{}
	r.docPath = map[string]string{}
	idPaths := map[string][]string{} // id → the documents that have it
	onlySeen := map[string]bool{}
	res.Report.Now = e.today(r.now)
	res.Report.Directory = e.Directory
	sample := reserveSample(len(paths))
	for _, p := range paths {
		if r.ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		if sample > 0 && res.Documents == sample {
			r.reserve(sample, len(paths))
			sample = 0
		}
		e.markOnly(onlySeen, p, "")
		d, ok := r.read(p)
		if !ok {
			if r.ctx.Err() != nil {
				res.Interrupted = true
				break
			}
			continue
		}
		res.Documents++
		r.docIDs[d.ID] = true
		idPaths[d.ID] = append(idPaths[d.ID], p)
		e.markOnly(onlySeen, p, d.ID)
		if !(d.Finalized || e.Config.IncludeDrafts) || !e.selected(d) {
			continue
		}
		r.take(p, d)
	}
	if n := holdSharedIDs(idPaths, r.docs, res); n > 0 {
		r.unread += n // their tickets are neither wanted nor orphans this run
		kept := r.items[:0]
		for _, it := range r.items {
			if _, ok := r.docs[it.Doc]; ok {
				kept = append(kept, it)
			}
		}
		r.items = kept
	}
	res.Items = len(r.items)
	if !res.Interrupted {
		var unknown []string
		for _, o := range e.Config.Only {
			if !onlySeen[o] {
				unknown = append(unknown, o)
			}
		}
		if len(unknown) > 0 {
			return &UnknownOnlyError{IDs: unknown}
		}
	}
	return writeID()
}

// read reads and parses one document; a failure is recorded and counts
// it as unread (its tickets are then not orphans).
func (r *run) read(p string) (*postmortem.Doc, bool) {
	src, err := r.e.Source.Read(r.work, p)
	if err != nil {
		r.unread++
		r.res.fail(Failure{Doc: p, Message: err.Error()})
		return nil, false
	}
	d, err := r.e.Parser.ParseContext(r.ctx, p, src)
	if r.ctx.Err() != nil {
		return nil, false
	}
	if err != nil {
		r.unread++
		var pe *postmortem.ParseError
		if errors.As(err, &pe) {
			r.res.fail(Failure{Doc: p, Line: pe.Line, Message: pe.Msg})
		} else {
			r.res.fail(Failure{Doc: p, Message: err.Error()})
		}
		return nil, false
	}
	detach(d)
	return d, true
}

// detach gives the strings a run keeps of a document (in the plan, the
// report, the state) memory of their own. The parser's strings are
// slices of the document's text: one kept title would keep the whole
// document alive after its parsed form is dropped, about 440 bytes an
// item at 100,000 items. The words that repeat across items
// (teams, owners, priorities, severities) are interned: one copy each,
// not one per item.
func detach(d *postmortem.Doc) {
	c, in := strings.Clone, intern
	d.ID, d.Title, d.Severity, d.Tracker = c(d.ID), c(d.Title), in(d.Severity), in(d.Tracker)
	for i := range d.Teams {
		d.Teams[i] = in(d.Teams[i])
	}
	for _, it := range d.Items() {
		it.Key, it.Text, it.OwnerRaw, it.Team, it.Priority, it.Type = c(it.Key), c(it.Text), in(it.OwnerRaw), in(it.Team), in(it.Priority), in(it.Type)
		it.Owner = postmortem.Owner{Raw: in(it.Owner.Raw), Person: in(it.Owner.Person), Team: in(it.Owner.Team), Handle: in(it.Owner.Handle)}
		it.Ticket = ticket.Ref{Text: c(it.Ticket.Text), URL: c(it.Ticket.URL)}
	}
}

// intern is the one copy of s (unique.Make clones it the first time).
func intern(s string) string {
	if s == "" {
		return ""
	}
	return unique.Make(s).Value()
}

// take adds a document in scope: its items to the report, and those to
// track to the plan's items.
func (r *run) take(p string, d *postmortem.Doc) {
	e, res := r.e, r.res
	res.InScope++
	res.Report.Docs = append(res.Report.Docs, report.DocOf(d))
	r.docPath[d.ID] = p
	ds := &docRun{path: p, id: d.ID, factors: factorKeys(d), report: [2]int{len(res.Report.Items), len(res.Report.Items)}}
	r.docs[p] = ds
	defer func() { ds.report[1] = len(res.Report.Items) }()
	archived := !e.Config.Since.IsZero() && !d.Date.IsZero() && d.Date.Before(e.Config.Since)
	if archived {
		res.Archived++
	} else if err := canWriteBack(d); err != nil {
		// Tickets it could never link would be opened again and again
		// (and flood the creation budget): none is.
		res.fail(Failure{Doc: p, Message: err.Error()})
		res.Report.Items = appendReportItems(res.Report.Items, d, ds.factors)
		r.unread++ // its tickets are not orphans
		return
	}
	for _, it := range d.Items() {
		t, routeErr := e.Router.Route(d, it)
		ri := report.ItemOf(d, it, ds.factors[it.Key])
		if routeErr == nil && !it.Owner.IsZero() {
			ri.OwnerAccount, _ = e.Directory.Assignee(it.Owner, t.Type)
		}
		res.Report.Items = append(res.Report.Items, ri)
		if archived {
			continue // read and reported, never ticketed
		}
		if !it.Ticket.IsZero() && it.Kind == ticket.Factor && ds.factors != nil {
			// New actions' tickets name the factors' tickets they address.
			if ds.factorTickets == nil {
				ds.factorTickets = map[string]ticket.Ref{}
			}
			ds.factorTickets[it.Key] = it.Ticket
		}
		if it.HasErrors() {
			for _, ie := range it.Errors {
				if ie.Level == postmortem.LevelError {
					res.fail(Failure{Doc: p, Line: ie.Line, Item: it.Key, Message: ie.Message})
				}
			}
			continue
		}
		if routeErr != nil {
			res.fail(Failure{Doc: p, Line: it.Line, Item: it.Key, Message: routeErr.Error()})
			continue
		}
		if _, ok := e.Trackers[t.Tracker]; !ok && !e.Config.Offline {
			res.fail(Failure{Doc: p, Line: it.Line, Item: it.Key, Message: fmt.Sprintf("tracker %q is not configured", t.Tracker)})
			continue
		}
		// No ticket content: it is made when the ticket is created
		// (specOf), for the few items a run creates.
		r.items = append(r.items, plan.Item{
			Doc:       p,
			Marker:    ticket.Marker{PM: d.ID, Item: it.Key, Owner: e.Config.OwnerID},
			Target:    t.Target,
			Factor:    it.Kind == ticket.Factor,
			Title:     it.Text,
			Ref:       it.Ticket,
			Status:    it.Status,
			HasStatus: it.HasStatus,
			Done:      it.Done,
			Due:       it.Due,
			Line:      it.Line,
		})
	}
}

// reserveSample is how many documents are read before the per-item
// slices are sized for all of them (reserve); 0 (never) for a few
// hundred documents, whose slices are small.
func reserveSample(docs int) int {
	if docs < 500 {
		return 0
	}
	return docs / 50
}

// reserve sizes the per-item slices for every document, from the items
// the first read documents had, with 5 % to spare. Grown by append, a
// slice of 100,000 report items (408 bytes each) ended with up to a
// quarter of it unused, and each growth held the old and the new array
// at once. A short estimate only means append grows it again.
func (r *run) reserve(read, docs int) {
	room := func(n int) int { return max(0, int(int64(n)*int64(docs)*21/(int64(read)*20))-n) }
	r.res.Report.Items = slices.Grow(r.res.Report.Items, room(len(r.res.Report.Items)))
	r.res.Report.Docs = slices.Grow(r.res.Report.Docs, room(len(r.res.Report.Docs)))
	r.items = slices.Grow(r.items, room(len(r.items)))
}

// canWriteBack checks, for a document with items that have no ticket
// yet, that their links can be written into it: it renders them with
// the longest links pmsync writes and checks the result is still a
// document pmsync reads (at most postmortem.MaxSize).
func canWriteBack(d *postmortem.Doc) error {
	ups := map[string]postmortem.Update{}
	for _, it := range d.Items() {
		if it.Ticket.IsZero() && !it.Done && !it.HasErrors() {
			ups[it.Key] = postmortem.Update{
				Ticket: ticket.Ref{Text: "placeholder-owner-name/placeholder-repository-name#9999999",
					URL: "https://placeholder.example/placeholder-owner-name/placeholder-repository-name/issues/9999999"},
				Status: ticket.Status{State: ticket.StateInProgress, Overdue: true},
			}
		}
	}
	if len(ups) == 0 {
		return nil
	}
	if _, _, _, err := d.RenderDoc(ups); err != nil {
		return fmt.Errorf("no ticket is opened for its %d new items, since their links could not be written back: %w", len(ups), err)
	}
	return nil
}

// holdSharedIDs takes out of the run every document whose id another
// document also has: nothing is created, closed or written back for
// either, since either could be claiming the other's items (and, by
// linking an ordinary issue, have pmsync close the other's ticket). It
// returns how many documents it held.
func holdSharedIDs(idPaths map[string][]string, docs map[string]*docRun, res *Result) int {
	held := 0
	ids := make([]string, 0, len(idPaths))
	for id, ps := range idPaths {
		if len(ps) > 1 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		ps := idPaths[id]
		for _, p := range ps {
			others := make([]string, 0, len(ps)-1)
			for _, o := range ps {
				if o != p {
					others = append(others, o)
				}
			}
			res.fail(Failure{Doc: p, Message: fmt.Sprintf(
				"document id %q is also the id of %s: nothing is created, closed or written back for either until each has its own id (set a different id: in the front matter of the copy)",
				id, strings.Join(others, ", "))})
			delete(docs, p)
			held++
		}
	}
	return held
}

// docURL is the document's page on config's web_url.
func (e *Engine) docURL(d *postmortem.Doc) string {
	return strings.TrimRight(e.Config.WebURL, "/") + "/" + escapePath(d.Path)
}

func (e *Engine) spec(d *postmortem.Doc, it *postmortem.Item, t route.Target, docURL string) ticket.Spec {
	s := ticket.Spec{
		Target:      t.Target,
		Marker:      ticket.Marker{PM: d.ID, Item: it.Key, Owner: e.Config.OwnerID},
		Kind:        it.Kind,
		Title:       it.Text,
		Detail:      it.Detail,
		DocTitle:    d.Title,
		DocDate:     d.Date,
		DocSeverity: d.Severity,
		OwnerText:   it.OwnerRaw,
		Due:         it.Due,
		Priority:    it.Priority,
		Type:        it.Type,
		DocURL:      docURL,
	}
	if id, ok := e.Directory.Assignee(it.Owner, t.Type); ok {
		s.Assignee = id
	}
	// No owner, a placeholder (TBD, Unassigned, ???) or a name nobody
	// matches with confidence: opened unassigned, labelled needs-owner.
	s.NeedsOwner = it.Kind == ticket.Action && it.Owner.IsZero()
	return s
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// factorKeys maps each action item that names the factors it addresses
// (its Factor column: a factor's key, its ID, or the start of its text)
// to their keys.
func factorKeys(d *postmortem.Doc) map[string][]string {
	var out map[string][]string
	for _, a := range d.Actions {
		if a.Factor == "" {
			continue
		}
		want := strings.ToLower(a.Factor)
		for _, f := range d.Factors {
			text := strings.ToLower(f.Text)
			if f.Key == a.Factor || f.ID != "" && strings.EqualFold(f.ID, a.Factor) || strings.HasPrefix(text, want) || strings.Contains(want, text) {
				if out == nil {
					out = map[string][]string{}
				}
				out[a.Key] = append(out[a.Key], f.Key)
			}
		}
	}
	return out
}

// UnknownOnlyError is an --only value that names no document: a typo
// must not pass as "nothing to do".
type UnknownOnlyError struct{ IDs []string }

func (e *UnknownOnlyError) Error() string {
	return fmt.Sprintf("--only %s: no postmortem has this id or path; pmsync lint lists the documents with their ids", strings.Join(e.IDs, ", "))
}

// markOnly records which --only values name the document at path p with
// id (empty when it did not parse).
func (e *Engine) markOnly(seen map[string]bool, p, id string) {
	for _, o := range e.Config.Only {
		if (id != "" && o == id) || o == p || strings.TrimSuffix(o, ".md") == strings.TrimSuffix(p, ".md") {
			seen[o] = true
		}
	}
}

func (e *Engine) selected(d *postmortem.Doc) bool {
	if len(e.Config.Only) == 0 {
		return true
	}
	for _, o := range e.Config.Only {
		if o == d.ID || o == d.Path || strings.TrimSuffix(o, ".md") == strings.TrimSuffix(d.Path, ".md") {
			return true
		}
	}
	return false
}
