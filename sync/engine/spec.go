package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// A create's ticket content is made when the ticket is created, from its
// document as it is then, not when the documents are read: a first sync
// of 100,000 items held a content for each (40 MB), and a run creates at
// most its budget (100 by default).

// errItemChanged: the document no longer has a create's item as it was
// planned (edited during the run); nothing is created for it this run.
var errItemChanged = errors.New("the document changed during the run and no longer has this item as planned; the next run reads it again")

// specOf is the content of create c of document ds: c's own when the
// plan has it (fillSpecs), else made from the document, which is read
// once and kept for its write-back (flush) until settle.
func (r *run) specOf(ds *docRun, c plan.Create) (ticket.Spec, error) {
	if c.Spec != nil {
		return *c.Spec, nil
	}
	if ds.doc == nil {
		if ds.unread != nil {
			return ticket.Spec{}, fmt.Errorf("%w: %v", errDocUnread, ds.unread)
		}
		d, err := r.e.load(r.work, ds.path)
		if err != nil {
			ds.unread = err
			return ticket.Spec{}, fmt.Errorf("the document could not be read again to create its tickets, so none was created this run; the next run reads it again: %w", err)
		}
		ds.doc = d
	}
	return r.e.specIn(ds.doc, ds.id, c)
}

// errDocUnread: a create's document could not be read again for an
// earlier create of this run (that one failed, saying why); the rest of
// its creates wait for the next run, which reads it again.
var errDocUnread = errors.New("not created this run: the document could not be read again (see the failure of its first create); the next run reads it again")

// fillSpecs gives every create of the plan its content, for a plan that
// is printed (pmsync plan, sync --format json), reading each document
// once (specOf) and letting it go before the next. A create whose
// document cannot be read or has changed is dropped from the creates,
// as apply would: a failure or a deferral.
func (r *run) fillSpecs() {
	p := &r.res.Plan
	kept := p.Creates[:0]
	var prev *docRun
	for _, c := range p.Creates {
		if c.Spec == nil {
			ds := r.docs[c.Doc]
			if prev != nil && prev != ds {
				prev.doc = nil // the creates are in document order
			}
			prev = ds
			s, err := r.specOf(ds, c)
			switch {
			case errors.Is(err, errItemChanged) || errors.Is(err, errDocUnread):
				p.Deferred = append(p.Deferred, plan.Deferred{Doc: c.Doc, Key: c.Key, Reason: err.Error()})
				continue
			case err != nil:
				r.res.fail(Failure{Doc: c.Doc, Line: c.Line, Item: c.Key, Message: err.Error()})
				continue
			}
			c.Spec = &s
		}
		kept = append(kept, c)
	}
	if prev != nil {
		prev.doc = nil
	}
	p.Creates = kept
}

// load reads and parses a document.
func (e *Engine) load(ctx context.Context, p string) (*postmortem.Doc, error) {
	src, err := e.Source.Read(context.WithoutCancel(ctx), p)
	if err != nil {
		return nil, err
	}
	d, err := e.Parser.Parse(p, src)
	if err != nil {
		return nil, fmt.Errorf("%s no longer parses: %w", p, err)
	}
	return d, nil
}

// specIn makes the content of create c from document d, whose id was id
// when the plan was made: its item must still be there, without a
// ticket, not done, and routed where the plan routed it (the tickets
// observed there showed it has none).
func (e *Engine) specIn(d *postmortem.Doc, id string, c plan.Create) (ticket.Spec, error) {
	if d.ID != id {
		return ticket.Spec{}, errItemChanged
	}
	for _, it := range d.Items() {
		if it.Key != c.Key {
			continue
		}
		if !it.Ticket.IsZero() || it.Done || it.HasErrors() {
			break
		}
		t, err := e.Router.Route(d, it)
		if err != nil || t.Target != c.Target() {
			break
		}
		var docURL string
		if e.Config.WebURL != "" {
			docURL = e.docURL(d)
		}
		return e.spec(d, it, t, docURL), nil
	}
	return ticket.Spec{}, errItemChanged
}
