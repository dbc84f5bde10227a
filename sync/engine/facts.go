package engine

import (
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

// fact is what pmsync last saw of one ticket, kept in the state file so
// the report can give ages, time to close and drift although a steady run
// lists only the tickets that changed.
type fact struct {
	Created  time.Time `json:"created,omitzero"`
	Due      string    `json:"due,omitempty"` // YYYY-MM-DD
	Assignee string    `json:"assignee,omitempty"`
	// Item is the document and item the ticket's marker named when pmsync
	// first saw it ("pm/item"): a marker that changes later was edited.
	Item string `json:"item,omitempty"`
}

func refKey(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Text
}

// remember records what a ticket says; missing tickets are forgotten.
func (st *state) remember(t ticket.Ticket) bool {
	k := refKey(t.Ref)
	if t.Status.State == ticket.StateMissing {
		if _, ok := st.Tickets[k]; ok {
			delete(st.Tickets, k)
			return true
		}
		return false
	}
	f := fact{Created: t.Created.UTC(), Assignee: t.Assignee}
	if !t.Due.IsZero() {
		f.Due = t.Due.UTC().Format(ticket.DateLayout)
	}
	if t.HasMarker {
		f.Item = itemID{t.Marker.PM, t.Marker.Item}.String()
	}
	if old, ok := st.Tickets[k]; ok {
		if f.Created.IsZero() {
			f.Created = old.Created
		}
		if old.Item != "" {
			f.Item = old.Item // the first marker seen is the one kept
		}
		if old == f {
			return false
		}
	}
	st.Tickets[k] = f
	return true
}

// reportDoc and reportItems take what the report needs from a document
// while it is parsed (the parsed document is not kept).
func reportDoc(d *postmortem.Doc) report.Doc {
	return report.Doc{
		Path: d.Path, ID: d.ID, Title: d.Title, Date: d.Date, Severity: d.Severity, Teams: d.Teams,
		StartedAt: d.StartedAt, DetectedAt: d.DetectedAt, RespondedAt: d.RespondedAt, ResolvedAt: d.ResolvedAt,
	}
}

func reportItem(d *postmortem.Doc, it *postmortem.Item, addresses []string) report.Item {
	ri := report.Item{
		DocID: d.ID, Key: it.Key, Kind: it.Kind, Text: it.Text, Line: it.Line,
		Owner: it.OwnerRaw, NoOwner: it.OwnerRaw == "", Due: it.Due, Addresses: addresses,
		DoneInDoc: it.Done && it.Ticket.IsZero(), Ticket: it.Ticket, OwnerTeam: it.Owner.Team != "",
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

// finishReport fills each item's state from the run's final links and
// the tickets' remembered facts.
func finishReport(in *report.Input, docs map[string]*docState, byID map[string]string, st state) {
	for i := range in.Items {
		it := &in.Items[i]
		if ds := docs[byID[it.DocID]]; ds != nil {
			if u, ok := ds.updates[it.Key]; ok {
				it.Ticket, it.State, it.Done = u.Ticket, u.Status.State, u.Status.Done
			}
		}
		if it.Ticket.IsZero() {
			continue
		}
		if f, ok := st.Tickets[refKey(it.Ticket)]; ok {
			it.Created, it.TrackerAssignee = f.Created, f.Assignee
			if f.Due != "" {
				it.TrackerDue, _ = time.Parse(ticket.DateLayout, f.Due)
			}
		}
	}
}
