package engine

import (
	"fmt"
	"io"
	"sort"
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
	if dry {
		fmt.Fprintf(w, "plan: %d documents (%d in scope, %d items): %d to create, %d to write back, %d duplicates to close, %d deferred, %d failures\n",
			r.Documents, r.InScope, r.Items, len(r.Plan.Creates), len(r.Plan.WriteBacks), len(r.Plan.Duplicates), r.Deferred, len(r.Failures))
		return
	}
	fmt.Fprintf(w, "sync: %d documents (%d in scope, %d items): %d created, %d adopted, %d updated, %d duplicates closed, %d deferred, %d failures; %d files written\n",
		r.Documents, r.InScope, r.Items, r.Created, r.Adopted, r.Updated, r.Closed, r.Deferred, len(r.Failures), len(r.Written))
}
