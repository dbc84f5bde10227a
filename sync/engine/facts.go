package engine

import (
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

// finishReport hands the report the run's final links and the tickets'
// remembered facts (report.Input.Settle).
func finishReport(in *report.Input, docs map[string]*docRun, byID map[string]string, st stateFile) {
	in.Settle(func(docID, key string) (ticket.Ref, ticket.Status, bool) {
		if ds := docs[byID[docID]]; ds != nil {
			if u, ok := ds.updates[key]; ok {
				return u.Ticket, u.Status, true
			}
		}
		return ticket.Ref{}, ticket.Status{}, false
	}, func(r ticket.Ref) (report.TicketFacts, bool) {
		f, ok := st.Tickets[refKey(r)]
		if !ok {
			return report.TicketFacts{}, false
		}
		tf := report.TicketFacts{Created: f.Created, Assignee: f.Assignee}
		if f.Due != "" {
			tf.Due, _ = time.Parse(ticket.DateLayout, f.Due)
		}
		return tf, true
	})
}

// appendReportItems adds a document's items to the report as they are.
func appendReportItems(out []report.Item, d *postmortem.Doc, factors map[string][]string) []report.Item {
	for _, it := range d.Items() {
		out = append(out, report.ItemOf(d, it, factors[it.Key]))
	}
	return out
}
