package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Impostor is a ticket that carries this installation's marker but was
// opened by an account that is neither the tracker's own nor trusted.
// Anyone who can open an issue can copy a marker; adopting such a ticket
// would give them an item (and, as the older "duplicate", close pmsync's
// real ticket). It is reported and otherwise left alone.
type Impostor struct {
	Tracker string `json:"tracker"`
	Target  string `json:"target"` // repo or project
	Ticket  string `json:"ticket"`
	URL     string `json:"url,omitempty"`
	PM      string `json:"pm"`   // from its marker
	Item    string `json:"item"` // from its marker
	Title   string `json:"title"`
	Author  string `json:"author"`
	// Seen is when a run first saw it.
	Seen time.Time `json:"seen"`
}

// screen takes out of observed the marked tickets of this installation
// that no document links and whose author is not the tracker's account
// (nor one of Config.TrustedAuthors), records them in st and returns the
// rest. Linked tickets are trusted: a person linked them, or pmsync did
// after creating them. The tracker's account is asked only when such a
// ticket shows up (after a crash between creating and writing back, or
// an impostor), so steady runs cost no call. A tracker that cannot say
// who it is blocks the target for this run, as an unlistable one does.
func (e *Engine) screen(ctx context.Context, observed []ticket.Ticket, items []plan.Item, fullTargets, blocked map[ticket.Target]bool, st *state, now time.Time, res *Result) []ticket.Ticket {
	linked := map[string]bool{}
	for _, it := range items {
		if !it.Ref.IsZero() {
			linked[refKey(it.Ref)] = true
			linked["text:"+it.Ref.Text] = true
		}
	}
	selves := map[string]string{}
	failed := map[string]bool{}
	seen := map[string]bool{}
	kept := observed[:0]
	for _, t := range observed {
		if !t.HasMarker || t.Marker.Owner != e.Config.OwnerID || linked[refKey(t.Ref)] || linked["text:"+t.Ref.Text] {
			kept = append(kept, t)
			continue
		}
		name := t.Target.Tracker
		if blocked[t.Target] {
			continue
		}
		if e.trusted(name, t.Author) {
			kept = append(kept, t)
			continue
		}
		self, ok := selves[name]
		if !ok && !failed[name] {
			id, isID := e.Trackers[name].(trackers.Identifier)
			if !isID {
				// A tracker that cannot tell: adopt as before, say so.
				e.log().Warn("tracker cannot say which account it is; marked tickets are adopted unchecked", "tracker", name)
				selves[name], self, ok = "", "", true
			} else if acct, err := id.Account(ctx, t.Target); err != nil {
				failed[name] = true
				res.fail(Failure{Doc: t.Target.String(), Message: fmt.Sprintf("cannot tell which account %s acts as, to check who opened %s: %v; nothing is created in %s this run", name, t.Ref.Text, err, t.Target)})
			} else {
				selves[name], self, ok = acct, acct, true
			}
		}
		if failed[name] {
			blocked[t.Target] = true
			continue
		}
		if self == "" || strings.EqualFold(t.Author, self) {
			kept = append(kept, t)
			continue
		}
		k := refKey(t.Ref)
		seen[k] = true
		imp, known := st.Impostors[k]
		if !known {
			imp = Impostor{Seen: now}
			e.log().Warn("ticket carries pmsync's marker but was opened by another account; not adopted",
				"ticket", t.Ref.Text, "author", t.Author, "account", self, "pm", t.Marker.PM, "item", t.Marker.Item)
		}
		imp.Tracker, imp.Target, imp.Ticket, imp.URL = name, t.Target.String(), t.Ref.Text, t.Ref.URL
		imp.PM, imp.Item, imp.Title, imp.Author = t.Marker.PM, t.Marker.Item, t.Title, t.Author
		st.Impostors[k] = imp
	}
	// A full listing shows every marked ticket: those not seen again are
	// gone (or lost the marker, or were linked by a person).
	for k, imp := range st.Impostors {
		if seen[k] {
			continue
		}
		for tg := range fullTargets {
			if tg.String() == imp.Target {
				delete(st.Impostors, k)
			}
		}
		if linked[k] || linked["text:"+imp.Ticket] {
			delete(st.Impostors, k)
		}
	}
	res.Impostors = res.Impostors[:0]
	for _, imp := range st.Impostors {
		res.Impostors = append(res.Impostors, imp)
	}
	sort.Slice(res.Impostors, func(i, j int) bool { return res.Impostors[i].Ticket < res.Impostors[j].Ticket })
	return kept
}

// trusted reports an author configured as trusted for a tracker.
func (e *Engine) trusted(tracker, author string) bool {
	for _, a := range e.Config.TrustedAuthors[tracker] {
		if author != "" && strings.EqualFold(a, author) {
			return true
		}
	}
	return false
}
