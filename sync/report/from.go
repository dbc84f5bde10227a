package report

import (
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// This file builds the report's input from what a sync sees: documents
// while they are parsed (the parsed document is not kept), then the
// run's final links and what the trackers last said of each ticket.

// DocOf is what the report needs of a document.
func DocOf(d *postmortem.Doc) Doc {
	return Doc{
		Path: d.Path, ID: d.ID, Title: d.Title, Date: d.Date, Severity: d.Severity, Teams: d.Teams,
		StartedAt: d.StartedAt, DetectedAt: d.DetectedAt, RespondedAt: d.RespondedAt, ResolvedAt: d.ResolvedAt,
	}
}

// ItemOf is what the report needs of one item of d, as the document says
// it; addresses are the keys of the factors an action item addresses.
func ItemOf(d *postmortem.Doc, it *postmortem.Item, addresses []string) Item {
	ri := Item{
		DocID: d.ID, Key: it.Key, Kind: it.Kind, Text: it.Text, Line: it.Line, Priority: it.Priority,
		Owner: it.OwnerRaw, NoOwner: it.OwnerRaw == "", Due: it.Due, Addresses: addresses,
		DoneInDoc: it.Done && it.Ticket.IsZero(), Ticket: it.Ticket,
		Person: it.Owner.Person, OwnerTeam: it.Owner.Team, Handle: it.Owner.Handle,
	}
	switch {
	case it.Team != "":
		ri.Team = it.Team
	case it.Owner.Team != "":
		ri.Team = it.Owner.Team
	case len(d.Teams) > 0:
		ri.Team = d.Teams[0]
	}
	if it.HasStatus {
		ri.State, ri.Done = it.Status.State, it.Status.Done
	}
	return ri
}

// TicketFacts are what a tracker said of a ticket the last time it was
// listed. A steady sync lists only the tickets that changed, so the
// report cannot get these again: the engine keeps them for it.
type TicketFacts struct {
	Created  time.Time
	Due      time.Time // the ticket's own due date (zero: none)
	Assignee string
}

// Settle fills each item's ticket and state as the run leaves them
// (link says, for a document id and item key, the ticket and status the
// document now holds) and its ticket's facts (facts, by reference).
func (in *Input) Settle(link func(docID, key string) (ticket.Ref, ticket.Status, bool), facts func(ticket.Ref) (TicketFacts, bool)) {
	for i := range in.Items {
		it := &in.Items[i]
		if ref, st, ok := link(it.DocID, it.Key); ok {
			it.Ticket, it.State, it.Done = ref, st.State, st.Done
		}
		if it.Ticket.IsZero() {
			continue
		}
		if f, ok := facts(it.Ticket); ok {
			it.Created, it.TrackerAssignee, it.TrackerDue = f.Created, f.Assignee, f.Due
		}
	}
}
