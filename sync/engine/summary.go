package engine

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pmsync/pmsync/sync/ticket"
)

// WriteFailures prints the run's errors sorted by document, first, so
// nothing printed before them reads as the whole story.
func (r *Result) WriteFailures(w io.Writer) {
	fails := append([]Failure(nil), r.Failures...)
	sort.SliceStable(fails, func(i, j int) bool { return fails[i].Doc < fails[j].Doc })
	for _, f := range fails {
		fmt.Fprintf(w, "error: %s\n", f)
	}
}

// WriteSummary prints what the run found and did: archives, impostors
// and the one-line count a person or a log reader checks; dry is a plan.
func (r *Result) WriteSummary(w io.Writer, dry bool) {
	if r.Archived > 0 {
		fmt.Fprintf(w, "archive: %d postmortems are older than source.since (--since): read and reported, never ticketed\n", r.Archived)
	}
	for _, imp := range r.Impostors {
		fmt.Fprintf(w, "impostor   %s  (carries pmsync's marker for item %s of %s but was opened by %q, not pmsync's account; not adopted; close it or set trackers.%s.trusted_authors)\n",
			imp.Ticket, imp.Item, imp.PM, imp.Author, imp.Tracker)
	}
	r.writeNudges(w, dry)
	if dry {
		fmt.Fprintf(w, "plan: %d documents (%d in scope, %d items): %d to create, %d to write back, %d duplicates to close, %d deferred, %d failures\n",
			r.Documents, r.InScope, r.Items, len(r.Plan.Creates), len(r.Plan.WriteBacks), len(r.Plan.Duplicates), r.Deferred, len(r.Failures))
		return
	}
	fmt.Fprintf(w, "sync: %d documents (%d in scope, %d items): %d created, %d adopted, %d updated, %d duplicates closed, %d deferred, %d failures; %d files written\n",
		r.Documents, r.InScope, r.Items, r.Created, r.Adopted, r.Updated, r.Closed, r.Deferred, len(r.Failures), len(r.Written))
}

// writeNudges prints the nudges a plan would post (one line each) or the
// counts a sync posted, the ones a quiet time holds, configuration gaps,
// and digests that could not be posted. Nothing when there are none.
func (r *Result) writeNudges(w io.Writer, dry bool) {
	for _, n := range r.NudgeNotes {
		fmt.Fprintf(w, "note       %s  %s %s: %s\n", n.Ref.Text, n.Doc, n.Item, n.Message)
	}
	if dry {
		for _, n := range r.Nudges {
			fmt.Fprintf(w, "nudge      %s  %s (%s %s)%s\n", n.Ref.Text, n.Step, n.Doc, n.Item, mentions(n.Comment.Mentions))
		}
	}
	for _, n := range r.NudgesHeld {
		fmt.Fprintf(w, "held       %s  %s (%s %s): %s\n", n.Ref.Text, n.Step, n.Doc, n.Item, r.NudgeQuiet)
	}
	for _, f := range r.DigestFailures {
		fmt.Fprintf(w, "warning: %s\n", f.Message)
	}
	switch {
	case len(r.Nudges) == 0 && len(r.NudgesHeld) == 0 && r.Digests == 0:
	case dry:
		fmt.Fprintf(w, "nudges: %d to post, %d held\n", len(r.Nudges), len(r.NudgesHeld))
	default:
		fmt.Fprintf(w, "nudges: %d posted, %d held; digests: %d posted, %d not\n", r.Nudged, len(r.NudgesHeld), r.Digests, len(r.DigestFailures))
	}
}

func mentions(ms []ticket.Mention) string {
	if len(ms) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" →")
	for _, m := range ms {
		b.WriteString(" " + m.ID)
	}
	return b.String()
}
