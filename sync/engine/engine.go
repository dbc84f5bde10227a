// Package engine runs one sync: read the postmortems, observe the
// trackers, compute the plan, apply it (creating tickets paced and
// retried by the trackers' transport) and write each ticket's link and
// status back into its postmortem. Dry-run is decided here, once.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// StatePath is where the engine keeps, inside the source, when it last
// observed each tracker repo or project, so a steady-state run lists only
// what changed since.
const StatePath = ".pmsync/state.json"

// Config tunes a run.
type Config struct {
	// OwnerID is the configured owner_id; "" means the one written in the
	// source's .pmsync/owner-id, or a new one (see Engine.identity).
	OwnerID string
	// LegacyOwnerID is the id pmsync before 0.3 derived for this source
	// (dir:<absolute path> or git:<URL>[/path]): an installation that
	// synced before the id was written down keeps the id its tickets carry.
	LegacyOwnerID string
	WebURL        string // source.web_url: documents link to WebURL + path
	DryRun        bool
	Only          []string // document ids or paths; empty means all
	IncludeDrafts bool
	// Since: documents of incidents before it are an archive: read and
	// reported, never ticketed (source.since, --since). Zero: none.
	Since      time.Time
	MaxCreates map[string]int     // per tracker
	MaxShare   map[string]float64 // per tracker
	// FullRefresh is how often every ticket is listed, not only the
	// changed ones, to notice deleted tickets (default 24h).
	FullRefresh time.Duration
	// Grace is how long in-flight calls may take once the run is told to
	// stop (default 20s).
	Grace time.Duration
	// TrustedAuthors are, per tracker, accounts besides the tracker's own
	// whose marked tickets are adopted (trackers.<name>.trusted_authors).
	TrustedAuthors map[string][]string
}

// Engine holds what a run needs. Build one per run.
type Engine struct {
	Source    source.Source
	Parser    *postmortem.Parser
	Router    *route.Router
	Directory postmortem.Directory
	Trackers  map[string]trackers.Tracker
	Config    Config
	Now       func() time.Time
	Log       *slog.Logger
	// Progress, when set, is told how far the run's ticket creation has
	// come (a terminal shows it; logs do not need it).
	Progress func(done, total int)
}

// locker is a source that can keep two runs from interleaving.
type locker interface {
	Lock(ctx context.Context) (unlock func(), err error)
}

// sweeper is a source that can remove what a killed run left behind.
type sweeper interface {
	Sweep(ctx context.Context) ([]string, error)
}

// Failure is one document or item that could not be synced.
type Failure struct {
	Doc     string `json:"doc"`
	Line    int    `json:"line,omitempty"`
	Item    string `json:"item,omitempty"`
	Message string `json:"message"`
}

func (f Failure) String() string {
	loc := f.Doc
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.Doc, f.Line)
	}
	return loc + ": " + f.Message
}

// Result is what a run did.
type Result struct {
	// OwnerID is the owner id the run used (configured, written down in
	// the source, or chosen now).
	OwnerID   string    `json:"owner_id"`
	Documents int       `json:"documents"`
	InScope   int       `json:"in_scope"`
	Items     int       `json:"items"`
	Plan      plan.Plan `json:"-"`
	Created   int       `json:"created"`
	Adopted   int       `json:"adopted"`
	Updated   int       `json:"updated"`
	Closed    int       `json:"closed_duplicates"`
	Written   []string  `json:"written"`
	Failures  []Failure `json:"failures"`
	Deferred  int       `json:"deferred"`
	// Archived counts documents older than Config.Since: reported, not
	// ticketed.
	Archived    int  `json:"archived,omitempty"`
	Interrupted bool `json:"interrupted"`
	// Impostors carry this installation's marker but were opened by
	// another account; never adopted, listed until they go away.
	Impostors []Impostor `json:"impostors,omitempty"`
	// Report is the follow-through report's input, for the documents in
	// scope, as the run leaves them.
	Report report.Input `json:"-"`
	// ReportFiles are the report files the run wrote.
	ReportFiles []string `json:"report_files,omitempty"`
}

// Failed reports whether any document or item failed.
func (r *Result) Failed() bool { return len(r.Failures) > 0 || len(r.Plan.Refusals) > 0 }

// docState is one document of the run. Its parsed form is dropped once
// its items are collected and read again only to write it back, so a
// steady run over thousands of documents holds items, not documents.
type docState struct {
	path    string
	doc     *postmortem.Doc // nil when not loaded
	updates map[string]postmortem.Update
	dirty   bool
	lines   map[string]int      // item key → line, for messages
	factors map[string][]string // action key → keys of the factors it addresses
}

type state struct {
	Version int                    `json:"version"`
	Targets map[string]targetState `json:"targets"`
	// Tickets are the facts last seen of each linked ticket, by URL.
	Tickets map[string]fact `json:"tickets,omitempty"`
	// Impostors are the marked tickets opened by other accounts, by URL.
	Impostors map[string]Impostor `json:"impostors,omitempty"`
	// OwnerAliases are owner ids this installation's tickets carried
	// before its id was written down (see learnAliases).
	OwnerAliases []string `json:"owner_aliases,omitempty"`
}

type targetState struct {
	Since  time.Time `json:"since"`   // last observation that succeeded
	FullAt time.Time `json:"full_at"` // last full listing
	// Items is how many items were routed here at the last run whose plan
	// was not refused: the share guard counts only items beyond those.
	Items int `json:"items,omitempty"`
}

// sinceMargin covers clock skew between pmsync and the tracker.
const sinceMargin = 5 * time.Minute

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Run syncs once. ctx being done means "stop starting new work": calls in
// flight get Config.Grace to finish, what was done is written back, and
// Result.Interrupted is set. The error is for failures of the whole run
// (the source cannot be listed); per-document and per-item failures are
// in Result.Failures.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	res := &Result{}
	now := e.now()
	runStart := now
	work, stopWork := graceful(ctx, e.grace())
	defer stopWork()

	if l, ok := e.Source.(locker); ok && !e.Config.DryRun {
		unlock, err := l.Lock(ctx)
		if err != nil {
			return res, err
		}
		defer unlock()
		if sw, ok := e.Source.(sweeper); ok {
			gone, err := sw.Sweep(work)
			if err != nil {
				e.log().Warn("removing files a killed run left failed", "err", err)
			}
			for _, g := range gone {
				e.log().Info("removed a temporary file a killed run left", "file", g)
			}
		}
	}
	_, stateErr := e.Source.ReadFile(work, StatePath)
	id, writeID, err := e.identity(work, stateErr == nil)
	if err != nil {
		return res, err
	}
	e.Config.OwnerID, res.OwnerID = id, id
	paths, err := e.Source.List(work)
	if err != nil {
		return res, fmt.Errorf("list postmortems in %s: %w", e.Source.Root(), err)
	}
	docs := map[string]*docState{}
	docIDs := map[string]bool{}
	idPaths := map[string][]string{} // id → the documents that have it
	docPath := map[string]string{}   // id → path, for the report
	unread := 0
	res.Report.Now = now
	var items []plan.Item
	itemDoc := map[string]*docState{} // by item key + doc path
	onlySeen := map[string]bool{}
	for _, p := range paths {
		if ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		e.markOnly(onlySeen, p, "")
		src, err := e.Source.Read(work, p)
		if err != nil {
			unread++
			res.fail(Failure{Doc: p, Message: err.Error()})
			continue
		}
		d, err := e.Parser.ParseContext(ctx, p, src)
		if ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		if err != nil {
			unread++
			var pe *postmortem.ParseError
			if errors.As(err, &pe) {
				res.fail(Failure{Doc: p, Line: pe.Line, Message: pe.Msg})
			} else {
				res.fail(Failure{Doc: p, Message: err.Error()})
			}
			continue
		}
		res.Documents++
		docIDs[d.ID] = true
		idPaths[d.ID] = append(idPaths[d.ID], p)
		e.markOnly(onlySeen, p, d.ID)
		if !(d.Finalized || e.Config.IncludeDrafts) || !e.selected(d) {
			continue
		}
		res.InScope++
		res.Report.Docs = append(res.Report.Docs, reportDoc(d))
		docPath[d.ID] = p
		ds := &docState{path: p, updates: map[string]postmortem.Update{}, lines: map[string]int{}, factors: factorKeys(d)}
		docs[p] = ds
		archived := !e.Config.Since.IsZero() && !d.Date.IsZero() && d.Date.Before(e.Config.Since)
		if archived {
			res.Archived++
		}
		if !archived {
			if err := canWriteBack(d); err != nil {
				// Tickets it could never link would be opened again and
				// again (and flood the creation budget): none is.
				res.fail(Failure{Doc: p, Message: err.Error()})
				res.Report.Items = appendReportItems(res.Report.Items, d, ds.factors)
				unread++ // its tickets are not orphans
				continue
			}
		}
		for _, it := range d.Items() {
			ds.lines[it.Key] = it.Line
			t, routeErr := e.Router.Route(d, it)
			ri := reportItem(d, it, ds.factors[it.Key])
			if routeErr == nil && !it.Owner.IsZero() {
				ri.OwnerAccount, _ = e.Directory.Assignee(it.Owner, t.Type)
			}
			res.Report.Items = append(res.Report.Items, ri)
			if archived {
				continue // read and reported, never ticketed
			}
			if !it.Ticket.IsZero() && it.HasStatus {
				ds.updates[it.Key] = postmortem.Update{Ticket: it.Ticket, Status: it.Status}
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
			if _, ok := e.Trackers[t.Tracker]; !ok {
				res.fail(Failure{Doc: p, Line: it.Line, Item: it.Key, Message: fmt.Sprintf("tracker %q is not configured", t.Tracker)})
				continue
			}
			items = append(items, plan.Item{
				Doc:       p,
				Marker:    ticket.Marker{PM: d.ID, Item: it.Key, Owner: e.Config.OwnerID},
				Target:    t.Target,
				Spec:      e.spec(d, it, t),
				Ref:       it.Ticket,
				Status:    it.Status,
				HasStatus: it.HasStatus,
				Done:      it.Done,
				Due:       it.Due,
			})
			itemDoc[p+"\x00"+it.Key] = ds
		}
	}
	if n := e.holdSharedIDs(idPaths, docs, itemDoc, res); n > 0 {
		unread += n // their tickets are neither wanted nor orphans this run
		kept := items[:0]
		for _, it := range items {
			if _, ok := docs[it.Doc]; ok {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	res.Items = len(items)
	if !res.Interrupted {
		var unknown []string
		for _, o := range e.Config.Only {
			if !onlySeen[o] {
				unknown = append(unknown, o)
			}
		}
		if len(unknown) > 0 {
			return res, &UnknownOnlyError{IDs: unknown}
		}
	}
	if err := writeID(); err != nil {
		return res, err
	}

	st := e.loadState(work, now)
	observed, newState, blocked := e.observe(work, items, st, now, res)
	fullTargets := map[ticket.Target]bool{}
	for _, it := range items {
		if ns, ok := newState[it.Target.String()]; ok && ns.FullAt.Equal(now) {
			fullTargets[it.Target] = true
		}
	}
	aliases := len(st.OwnerAliases)
	observed = e.learnAliases(work, observed, items, e.Config.OwnerID, &st)
	held := map[itemID]string{}
	observed = e.screen(work, observed, items, fullTargets, blocked, &st, now, res, held)
	for i, it := range items {
		if why, ok := held[itemID{it.Marker.PM, it.Marker.Item}]; ok {
			items[i].Hold = why
			res.fail(Failure{Doc: it.Doc, Line: itemLine(itemDoc[it.Doc+"\x00"+it.Marker.Item], it.Marker.Item), Item: it.Marker.Item, Message: why})
		}
	}
	for tg := range blocked {
		// Listed but not acted on: the next run lists it from the same
		// point again.
		delete(newState, tg.String())
	}
	factsChanged := len(st.OwnerAliases) != aliases
	for _, t := range observed {
		if t.HasMarker && t.Marker.Owner != e.Config.OwnerID {
			continue // another installation's: not ours to report
		}
		factsChanged = st.remember(t) || factsChanged
	}
	defer func() { finishReport(&res.Report, docs, docPath, st) }()
	known := map[ticket.Target]int{}
	for _, it := range items {
		if ts, ok := st.Targets[it.Target.String()]; ok && ts.Items > 0 {
			known[it.Target] = ts.Items
		}
	}
	// Never create where the tracker could not be listed: the ticket may
	// exist already.
	kept := items[:0]
	for _, it := range items {
		if blocked[it.Target] {
			continue
		}
		kept = append(kept, it)
	}
	items = kept

	defer func() {
		res.Report.Orphans = res.Plan.Orphans
		res.Report.Impostors = res.Report.Impostors[:0]
		for _, imp := range res.Impostors {
			res.Report.Impostors = append(res.Report.Impostors, report.Impostor{
				Ticket: imp.Ticket, TicketURL: imp.URL, Target: imp.Target, DocID: imp.PM, Key: imp.Item,
				Title: imp.Title, Author: imp.Author, Seen: imp.Seen.UTC().Format(ticket.DateLayout),
			})
		}
	}()
	p := plan.Compute(items, observed, plan.Options{
		Now: now, OwnerID: e.Config.OwnerID, MaxCreates: e.Config.MaxCreates, MaxShare: e.Config.MaxShare,
		// Orphans only when every postmortem was read: a document that
		// failed to parse still has its tickets.
		MinLinked: 10, Complete: len(e.Config.Only) == 0 && !res.Interrupted && unread == 0, Docs: docIDs,
		Known: known,
	})
	refused := map[ticket.Target]bool{}
	for _, r := range p.Refusals {
		refused[r.Target] = true
	}
	for tg, ns := range newState {
		ns.Items = st.Targets[tg].Items
		newState[tg] = ns
	}
	if len(e.Config.Only) == 0 {
		for tg, n := range p.Items {
			if ns, ok := newState[tg.String()]; ok && !refused[tg] {
				ns.Items = n
				newState[tg.String()] = ns
			}
		}
	}
	res.Plan = p
	res.Deferred = len(p.Deferred)
	for _, c := range p.Conflicts {
		res.fail(Failure{Doc: c.Doc, Line: itemLine(itemDoc[c.Doc+"\x00"+c.Key], c.Key), Item: c.Key, Message: fmt.Sprintf(
			"the document names %s, but pmsync's own ticket %s is open for this item; pmsync closes neither: close the one you do not want, or link %s instead",
			c.Linked.Text, c.Ours.Ref.Text, c.Ours.Ref.Text)})
	}
	for _, r := range p.Refusals {
		res.fail(Failure{Doc: r.Target.String(), Message: fmt.Sprintf("refused to create %d tickets in %s: that is %.0f%% of its items, more than trackers.%s.max_create_share allows; check the parser's output with pmsync plan, then raise the share if it is right", r.Creates, r.Target, 100*r.Share, r.Target.Tracker)})
	}
	if e.Config.DryRun || ctx.Err() != nil {
		res.Interrupted = res.Interrupted || ctx.Err() != nil
		return res, nil
	}

	// 1. Links and statuses (no API call).
	for _, wb := range p.WriteBacks {
		if setLink(itemDoc, wb) == nil {
			continue
		}
		if wb.Adopted {
			res.Adopted++
		} else {
			res.Updated++
		}
	}
	for _, ds := range sortedDocs(docs) {
		e.flush(work, ds, res)
		ds.doc = nil
	}
	// 2. New tickets, each written back as soon as it exists.
	stopped := map[string]error{}
	createdIn := map[ticket.Target]bool{}
	var prev *docState
	for n, c := range p.Creates {
		if e.Progress != nil {
			e.Progress(n, len(p.Creates))
		}
		if ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		ds := itemDoc[c.Doc+"\x00"+c.Spec.Marker.Item]
		if prev != nil && prev != ds {
			prev.doc = nil // done with that document
		}
		prev = ds
		tname := c.Spec.Target.Tracker
		if err := stopped[tname]; err != nil {
			res.Deferred++
			continue
		}
		spec := c.Spec
		spec.Factors = e.factorRefs(ds, c.Spec.Marker.Item)
		log := e.log().With("doc", c.Doc, "item", spec.Marker.Item, "tracker", tname)
		t, err := e.Trackers[tname].Create(work, spec)
		if err != nil {
			line := itemLine(ds, spec.Marker.Item)
			res.fail(Failure{Doc: c.Doc, Line: line, Item: spec.Marker.Item, Message: fmt.Sprintf("create ticket in %s: %v", c.Spec.Target, err)})
			log.Error("create ticket failed", "err", err)
			var rl *trackers.RateLimitError
			// A rate limit that could not be waited out, or the end of the
			// grace period, stops creating on this tracker; a single failed
			// request (a timeout: maybe created, the next run's marker lookup
			// tells) does not.
			if errors.As(err, &rl) || work.Err() != nil {
				stopped[tname] = err
			}
			continue
		}
		res.Created++
		if t.Created.IsZero() {
			t.Created = now
		}
		st.remember(t)
		factsChanged = true
		createdIn[c.Spec.Target] = true
		log.Info("ticket created", "ticket", t.Ref.Text)
		due := spec.Due
		ds.updates[spec.Marker.Item] = postmortem.Update{Ticket: t.Ref, Status: plan.WithOverdue(t.Status, due, now)}
		ds.dirty = true
		e.flush(work, ds, res)
	}
	if e.Progress != nil && len(p.Creates) > 0 {
		e.Progress(len(p.Creates), len(p.Creates))
	}
	// 3. A run elsewhere (another pod, a laptop) may have created the same
	// tickets meanwhile: list again where tickets were created and settle
	// on the oldest one per item now, not a run later.
	dups := p.Duplicates
	if again := e.recheck(work, items, itemDoc, createdIn, runStart, now, &st, res); again != nil {
		dups = append(dups, again...)
	}
	// 4. Duplicates.
	for _, d := range dups {
		if ctx.Err() != nil {
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
		if err := tr.CloseDuplicate(work, d.Dup, d.Keep); err != nil {
			res.fail(Failure{Doc: d.Dup.Marker.PM, Item: d.Dup.Marker.Item, Message: fmt.Sprintf("close duplicate %s: %v", d.Dup.Ref.Text, err)})
			continue
		}
		res.Closed++
		e.log().Info("duplicate closed", "ticket", d.Dup.Ref.Text, "kept", d.Keep.Ref.Text)
	}
	for _, ds := range sortedDocs(docs) {
		e.flush(work, ds, res)
	}
	if ctx.Err() != nil {
		res.Interrupted = true
	}
	if err := e.saveState(work, st, newState, factsChanged); err != nil {
		res.fail(Failure{Doc: StatePath, Message: err.Error()})
	}
	return res, nil
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

// appendReportItems adds a document's items to the report as they are.
func appendReportItems(out []report.Item, d *postmortem.Doc, factors map[string][]string) []report.Item {
	for _, it := range d.Items() {
		out = append(out, reportItem(d, it, factors[it.Key]))
	}
	return out
}

// holdSharedIDs takes out of the run every document whose id another
// document also has: nothing is created, closed or written back for
// either, since either could be claiming the other's items (and, by
// linking an ordinary issue, have pmsync close the other's ticket). It
// returns how many documents it held.
func (e *Engine) holdSharedIDs(idPaths map[string][]string, docs map[string]*docState, itemDoc map[string]*docState, res *Result) int {
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
	if held > 0 {
		for k, ds := range itemDoc {
			if _, ok := docs[ds.path]; !ok {
				delete(itemDoc, k)
			}
		}
	}
	return held
}

// recheck lists the targets where this run created tickets again and
// returns the duplicates to close; links are moved to the oldest ticket.
func (e *Engine) recheck(ctx context.Context, items []plan.Item, itemDoc map[string]*docState, createdIn map[ticket.Target]bool, runStart, now time.Time, st *state, res *Result) []plan.Duplicate {
	if len(createdIn) == 0 {
		return nil
	}
	var again []plan.Item
	var found []ticket.Ticket
	for tg := range createdIn {
		ts, err := e.Trackers[tg.Tracker].Find(ctx, tg, runStart.Add(-sinceMargin))
		if err != nil {
			e.log().Warn("re-listing after creation failed; duplicates, if any, are closed next run", "target", tg.String(), "err", err)
			continue
		}
		found = append(found, ts...)
		for _, it := range items {
			if it.Target != tg {
				continue
			}
			ds := itemDoc[it.Doc+"\x00"+it.Marker.Item]
			if u, ok := ds.updates[it.Marker.Item]; ok {
				it.Ref, it.Status, it.HasStatus = u.Ticket, u.Status, true
			}
			again = append(again, it)
		}
	}
	found = e.screen(ctx, found, again, nil, map[ticket.Target]bool{}, st, now, res, map[itemID]string{})
	p := plan.Compute(again, found, plan.Options{Now: now, OwnerID: e.Config.OwnerID})
	for _, wb := range p.WriteBacks {
		if ds := setLink(itemDoc, wb); ds != nil {
			e.flush(ctx, ds, res)
		}
	}
	return p.Duplicates
}

// setLink records a write-back in its document's updates; the document
// is written at the next flush.
func setLink(itemDoc map[string]*docState, wb plan.WriteBack) *docState {
	ds := itemDoc[wb.Doc+"\x00"+wb.Key]
	if ds == nil {
		return nil
	}
	ds.updates[wb.Key] = postmortem.Update{Ticket: wb.Ref, Status: wb.Status}
	ds.dirty = true
	return ds
}

// observe lists each target's marked tickets (changed since the last
// run, or all of them once per FullRefresh) and fetches by reference the
// linked tickets whose status the documents do not know yet.
func (e *Engine) observe(ctx context.Context, items []plan.Item, st state, now time.Time, res *Result) ([]ticket.Ticket, map[string]targetState, map[ticket.Target]bool) {
	full := e.Config.FullRefresh
	if full == 0 {
		full = 24 * time.Hour
	}
	targets := map[ticket.Target]bool{}
	for _, it := range items {
		targets[it.Target] = true
	}
	order := make([]ticket.Target, 0, len(targets))
	for t := range targets {
		order = append(order, t)
	}
	sort.Slice(order, func(i, j int) bool { return order[i].String() < order[j].String() })
	var observed []ticket.Ticket
	newState := map[string]targetState{}
	blocked := map[ticket.Target]bool{}
	fullTargets := map[ticket.Target]bool{}
	seen := map[string]bool{}
	for _, tg := range order {
		prev := st.Targets[tg.String()]
		since := time.Time{}
		if !prev.Since.IsZero() && now.Sub(prev.FullAt) < full {
			since = prev.Since.Add(-sinceMargin)
		}
		found, err := e.Trackers[tg.Tracker].Find(ctx, tg, since)
		if err != nil {
			blocked[tg] = true
			res.fail(Failure{Doc: tg.String(), Message: fmt.Sprintf("list tickets in %s: %v; nothing is created there this run", tg, err)})
			continue
		}
		ns := targetState{Since: now, FullAt: prev.FullAt}
		if since.IsZero() {
			ns.FullAt = now
			fullTargets[tg] = true
		}
		newState[tg.String()] = ns
		for _, t := range found {
			seen[t.Ref.Text] = true
		}
		observed = append(observed, found...)
	}
	// Linked tickets to fetch: their status is unknown to the document, or
	// a full listing did not show them (deleted, or without a marker).
	fetch := map[string][]ticket.Ref{}
	fetched := map[string]bool{}
	for _, it := range items {
		if it.Ref.IsZero() || seen[it.Ref.Text] || fetched[it.Ref.Text] || blocked[it.Target] {
			continue
		}
		if it.HasStatus && !fullTargets[it.Target] {
			continue
		}
		for name, tr := range e.Trackers {
			if _, ok := tr.Recognize(it.Ref); ok {
				fetch[name] = append(fetch[name], it.Ref)
				fetched[it.Ref.Text] = true
				break
			}
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
	}
	return observed, newState, blocked
}

// flush renders and writes a document with every update known for it.
func (e *Engine) flush(ctx context.Context, ds *docState, res *Result) {
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
func (e *Engine) reload(ctx context.Context, ds *docState) ([]byte, *postmortem.Doc, bool, error) {
	src, err := e.Source.Read(context.WithoutCancel(ctx), ds.path)
	if err != nil {
		return nil, nil, false, err
	}
	d, err := e.Parser.Parse(ds.path, src)
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s no longer parses: %w", ds.path, err)
	}
	ds.doc = d
	return d.RenderDoc(ds.updates)
}

func (e *Engine) spec(d *postmortem.Doc, it *postmortem.Item, t route.Target) ticket.Spec {
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
	}
	if e.Config.WebURL != "" {
		s.DocURL = strings.TrimRight(e.Config.WebURL, "/") + "/" + escapePath(d.Path)
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
// (its Factor column: a factor's key, or the start of its text) to their
// keys.
func factorKeys(d *postmortem.Doc) map[string][]string {
	var out map[string][]string
	for _, a := range d.Actions {
		if a.Factor == "" {
			continue
		}
		want := strings.ToLower(a.Factor)
		for _, f := range d.Factors {
			text := strings.ToLower(f.Text)
			if f.Key == a.Factor || strings.HasPrefix(text, want) || strings.Contains(want, text) {
				if out == nil {
					out = map[string][]string{}
				}
				out[a.Key] = append(out[a.Key], f.Key)
			}
		}
	}
	return out
}

// factorRefs are the tickets of the factors an action item addresses.
func (e *Engine) factorRefs(ds *docState, key string) []ticket.Ref {
	if ds == nil {
		return nil
	}
	var out []ticket.Ref
	for _, f := range ds.factors[key] {
		if u, ok := ds.updates[f]; ok {
			out = append(out, u.Ticket)
		}
	}
	return out
}

func itemLine(ds *docState, key string) int {
	if ds == nil {
		return 0
	}
	return ds.lines[key]
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

func (e *Engine) grace() time.Duration {
	if e.Config.Grace > 0 {
		return e.Config.Grace
	}
	return 20 * time.Second
}

func (e *Engine) loadState(ctx context.Context, now time.Time) state {
	st := state{Version: 1, Targets: map[string]targetState{}, Tickets: map[string]fact{}, Impostors: map[string]Impostor{}}
	b, err := e.Source.ReadFile(ctx, StatePath)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			e.log().Warn("state unreadable; listing every ticket", "err", err)
		}
		return st
	}
	if err := json.Unmarshal(b, &st); err != nil || st.Version != 1 {
		e.log().Warn("state unreadable; listing every ticket", "path", StatePath)
		return state{Version: 1, Targets: map[string]targetState{}, Tickets: map[string]fact{}, Impostors: map[string]Impostor{}}
	}
	if st.Targets == nil {
		st.Targets = map[string]targetState{}
	}
	if st.Tickets == nil {
		st.Tickets = map[string]fact{}
	}
	if st.Impostors == nil {
		st.Impostors = map[string]Impostor{}
	}
	// The state is advisory: anyone who can change the source (a pull
	// request, in git mode) can change it. A time from the future would
	// turn off the daily full listing, or the listing of what changed,
	// for good; it is dropped, so the target is listed in full.
	for k, ts := range st.Targets {
		if ts.Since.After(now.Add(sinceMargin)) || ts.FullAt.After(now.Add(sinceMargin)) || ts.Items < 0 {
			e.log().Warn("state names a time in the future (or a negative count) for a target; it is ignored and the target listed in full", "target", k, "since", ts.Since, "full_at", ts.FullAt)
			delete(st.Targets, k)
		}
	}
	return st
}

func (e *Engine) saveState(ctx context.Context, st state, observed map[string]targetState, factsChanged bool) error {
	if len(observed) == 0 && !factsChanged {
		return nil
	}
	for k, v := range observed {
		st.Targets[k] = v
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return e.Source.WriteFile(context.WithoutCancel(ctx), StatePath, append(b, '\n'))
}

func (r *Result) fail(f Failure) { r.Failures = append(r.Failures, f) }

func sortedDocs(m map[string]*docState) []*docState {
	out := make([]*docState, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// graceful returns a context for calls in flight: it ends Grace after ctx
// does, so a SIGTERM lets the current request finish but not hang.
func graceful(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(c, func() { t.Stop() })
	})
	return c, func() { stop(); cancel() }
}
