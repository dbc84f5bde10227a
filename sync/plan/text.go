package plan

import (
	"fmt"
	"io"
	"strings"
)

// WriteText prints the plan's actions one per line, as `pmsync plan`
// shows them. A plan of a run with failures says that it covers only
// what could be read, never "nothing to do".
func (p Plan) WriteText(w io.Writer, failed bool) {
	if p.Empty() && len(p.Deferred) == 0 && len(p.Refusals) == 0 {
		if failed {
			fmt.Fprintln(w, "plan: incomplete: nothing to do for what could be read, but the errors above kept part of it out")
		} else {
			fmt.Fprintln(w, "plan: nothing to do")
		}
	}
	for _, c := range p.Creates {
		s := c.Spec
		if s == nil { // its content is made when it is created
			fmt.Fprintf(w, "create     %-22s %s %s\n", c.Target(), c.Doc, c.Key)
			continue
		}
		var extra []string
		if s.Assignee != "" {
			extra = append(extra, "assignee "+s.Assignee)
		} else if s.NeedsOwner {
			extra = append(extra, "needs-owner")
		}
		if !s.Due.IsZero() {
			extra = append(extra, "due "+s.Due.Format("2006-01-02"))
		}
		if s.Priority != "" {
			extra = append(extra, s.Priority)
		}
		fmt.Fprintf(w, "create     %-22s %s %s  %q (%s)\n", s.Target, c.Doc, s.Marker.Item, s.Title, strings.Join(extra, ", "))
	}
	for _, wb := range p.WriteBacks {
		verb := "write-back"
		if wb.Adopted {
			verb = "adopt     "
		}
		fmt.Fprintf(w, "%s %s %s  %s: %s\n", verb, wb.Doc, wb.Key, wb.Ref.Text, wb.Status)
	}
	for _, d := range p.Duplicates {
		fmt.Fprintf(w, "close      %s (duplicate of %s)\n", d.Dup.Ref.Text, d.Keep.Ref.Text)
	}
	for _, c := range p.Conflicts {
		fmt.Fprintf(w, "conflict   %s %s  names %s, but pmsync's own %s is open for it; neither is closed\n", c.Doc, c.Key, c.Linked.Text, c.Ours.Ref.Text)
	}
	for _, d := range p.Deferred {
		fmt.Fprintf(w, "defer      %s %s  %s\n", d.Doc, d.Key, d.Reason)
	}
	for _, o := range p.Orphans {
		fmt.Fprintf(w, "orphan     %s  (item %s of %s is no longer in the postmortem; left alone)\n", o.Ref.Text, o.Marker.Item, o.Marker.PM)
	}
	for _, o := range p.Foreign {
		fmt.Fprintf(w, "foreign    %s  (marker of another installation, owner %q; ignored)\n", o.Ref.Text, o.Marker.Owner)
	}
}
