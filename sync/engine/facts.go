package engine

import (
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

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
func finishReport(in *report.Input, docs map[string]*docRun, byID map[string]string, st stateFile) {
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

// appendReportItems adds a document's items to the report as they are.
func appendReportItems(out []report.Item, d *postmortem.Doc, factors map[string][]string) []report.Item {
	for _, it := range d.Items() {
		out = append(out, reportItem(d, it, factors[it.Key]))
	}
	return out
}
