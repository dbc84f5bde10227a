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

// vetMarked decides which observed marked tickets the plan may believe. It
// takes out of observed, and records in st:
//   - this installation's marked tickets that no document links and
//     whose author is not the tracker's account (nor one of
//     Config.TrustedAuthors): impostors, reported;
//   - those whose author cannot be read (a Jira creator hidden from
//     pmsync's account): the item is held, nothing is created for it,
//     since the ticket may well be pmsync's own;
//   - those whose marker now names another item than when pmsync first
//     saw the ticket: someone edited it, and it could be re-pointed to
//     have another item's ticket closed as its duplicate.
//
// A ticket with another installation's owner id, opened by this tracker
// account for an item a document here has, is a copy's (the same folder
// synced from two places): it is taken as this installation's, so the
// copies settle on one ticket per item instead of keeping two forever.
//
// Linked tickets are trusted: a person linked them, or pmsync did after
// creating them. The tracker's account is asked only when such a ticket
// shows up, so steady runs cost no call. A tracker that cannot say who it
// is blocks the target for this run, as an unlistable one does. held
// gets the items whose creation must wait, with the reason.
func (e *Engine) vetMarked(ctx context.Context, observed []ticket.Ticket, items []plan.Item, fullTargets, blocked map[ticket.Target]bool, st *stateFile, now time.Time, res *Result, held map[itemID]string) []ticket.Ticket {
	// linked and wanted answer for the observed marked tickets and the
	// known impostors only: a steady run observes a few tickets, and maps
	// of every item were about 140 bytes an item.
	askRef, askText, askID := map[string]bool{}, map[string]bool{}, map[itemID]bool{}
	for _, t := range observed {
		if t.HasMarker {
			askRef[refKey(t.Ref)], askText[t.Ref.Text] = true, true
			askID[itemID{t.Marker.PM, t.Marker.Item}] = true
		}
	}
	for k, imp := range st.Impostors {
		askRef[k], askText[imp.Ticket] = true, true
	}
	linked := map[string]bool{}
	wanted := map[itemID]bool{}
	if len(askRef) > 0 {
		for _, it := range items {
			if id := (itemID{it.Marker.PM, it.Marker.Item}); askID[id] {
				wanted[id] = true
			}
			if it.Ref.IsZero() {
				continue
			}
			if k := refKey(it.Ref); askRef[k] {
				linked[k] = true
			}
			if askText[it.Ref.Text] {
				linked["text:"+it.Ref.Text] = true
			}
		}
	}
	selves := map[string]string{}
	failed := map[string]bool{}
	// account is the tracker's own account ("" when it cannot tell; ok
	// false when asking failed, which blocks the target).
	account := func(t ticket.Ticket) (string, bool) {
		name := t.Target.Tracker
		if self, ok := selves[name]; ok {
			return self, true
		}
		if failed[name] {
			return "", false
		}
		id, isID := e.Trackers[name].(trackers.Identifier)
		if !isID {
			// A tracker that cannot tell: adopt as before, say so.
			e.log().Warn("tracker cannot say which account it is; marked tickets are adopted unchecked", "tracker", name)
			selves[name] = ""
			return "", true
		}
		acct, err := id.Account(ctx, t.Target)
		if err != nil {
			failed[name] = true
			res.fail(Failure{Doc: t.Target.String(), Message: fmt.Sprintf("cannot tell which account %s acts as, to check who opened %s: %v; nothing is created in %s this run", name, t.Ref.Text, err, t.Target)})
			return "", false
		}
		selves[name] = acct
		return acct, true
	}
	seen := map[string]bool{}
	kept := observed[:0]
	for _, t := range observed {
		if !t.HasMarker {
			kept = append(kept, t)
			continue
		}
		k := refKey(t.Ref)
		id := itemID{t.Marker.PM, t.Marker.Item}
		if f, ok := st.Tickets[k]; ok && f.Item != "" && f.Item != id.String() {
			e.log().Warn("ticket's marker names another item than when pmsync first saw it; the marker is ignored",
				"ticket", t.Ref.Text, "was", f.Item, "now", id.String())
			res.fail(Failure{Doc: t.Target.String(), Message: fmt.Sprintf(
				"the marker of %s was changed from item %s to %s; pmsync ignores it: restore the marker, or remove it if the ticket is not pmsync's", t.Ref.Text, f.Item, id.String())})
			// Still a ticket a document may link, for its status; no
			// longer anybody's by marker.
			t.HasMarker, t.Marker = false, ticket.Marker{}
			kept = append(kept, t)
			continue
		}
		ours := t.Marker.Owner == e.Config.OwnerID
		if ours && (linked[k] || linked["text:"+t.Ref.Text]) || !ours && !wanted[id] {
			kept = append(kept, t)
			continue
		}
		if blocked[t.Target] {
			continue
		}
		name := t.Target.Tracker
		if e.trusted(name, t.Author) {
			t.Marker.Owner = e.Config.OwnerID
			kept = append(kept, t)
			continue
		}
		self, ok := account(t)
		if !ok {
			blocked[t.Target] = true
			continue
		}
		switch {
		case self == "" && ours:
			kept = append(kept, t)
			continue
		case self == "":
			kept = append(kept, t) // another installation's, as before
			continue
		case t.Author == "":
			// Who opened it is hidden: it may be pmsync's own.
			if _, dup := held[id]; !dup {
				held[id] = fmt.Sprintf("%s carries pmsync's marker for this item but its creator cannot be read, so it may be pmsync's own; nothing is created for the item until it can (let %s's account see who opened it, or link %s in the document)",
					t.Ref.Text, name, t.Ref.Text)
			}
			continue
		case strings.EqualFold(t.Author, self):
			if !ours {
				e.log().Info("ticket of another owner id opened by pmsync's own account for an item here: a copy's, taken as this installation's",
					"ticket", t.Ref.Text, "owner_id", t.Marker.Owner)
				t.Marker.Owner = e.Config.OwnerID
			}
			kept = append(kept, t)
			continue
		case !ours:
			kept = append(kept, t) // another installation's, opened by another account
			continue
		}
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

// itemID names an item across documents.
type itemID struct{ pm, item string }

func (i itemID) String() string { return i.pm + "/" + i.item }

// trusted reports an author configured as trusted for a tracker.
func (e *Engine) trusted(tracker, author string) bool {
	for _, a := range e.Config.TrustedAuthors[tracker] {
		if author != "" && strings.EqualFold(a, author) {
			return true
		}
	}
	return false
}
