package engine

import (
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/digest"
	"github.com/pmsync/pmsync/sync/nudge"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// Nudges configures the reminders a sync posts on tickets (SPEC §6.1).
type Nudges struct {
	// Policy is when and what; nil or not Enabled: no nudges.
	Policy *nudge.Policy
	// Teams are who a team's steps mention, by team key.
	Teams map[string]nudge.Team
	// MaxPerRun refuses a run that would post more (0: the default).
	MaxPerRun int
	// ReportOnly: decide and post nothing; the report shows the nudges
	// posted before (pmsync report).
	ReportOnly bool
}

// Digests configures the teams' digests.
type Digests struct {
	// Every is how often each team gets one; 0: never.
	Every time.Duration
	// Webhook is the Slack-compatible incoming webhook's URL (a secret);
	// "" for none.
	Webhook string
	// Issues are, by team key, the GitHub issue a team's digest is posted
	// on as a comment.
	Issues map[string]ticket.Ref
	Poster *digest.Poster
	// Location and DueSoon are where days are counted and how many
	// days before its due date an item is listed as due soon.
	Location *time.Location
	DueSoon  int
}

// on reports whether digests are configured to go anywhere.
func (d Digests) on() bool { return d.Every > 0 && (d.Webhook != "" || len(d.Issues) > 0) }

// nudgeStep is the nudge phase: after the write-back, with every item's
// ticket and status settled, decide the reminders of this run
// (sync/nudge), post them unless dry-run, and send the digests that are
// due. Each step taken is a label on the ticket; the state keeps the
// labels of tickets a steady run does not list.
func (r *run) nudgeStep() {
	e, res := r.e, r.res
	pol := e.Config.Nudges.Policy
	if e.Config.Offline || e.Config.Nudges.ReportOnly {
		r.reportNudges()
		return
	}
	at := r.nudgeTime()
	if pol == nil || !pol.Enabled {
		// Nudges off; digests have their own switch (digests.every).
		r.reportNudges()
		if e.dryRun() || r.ctx.Err() != nil || !e.Config.Digests.on() {
			return
		}
		var digestItems []digest.Item
		for range r.nudgeItems(&digestItems) {
		}
		if r.postDigests(digestItems, at) {
			r.saveNudges()
		}
		return
	}
	var digestItems []digest.Item
	var digests *[]digest.Item
	if e.Config.Digests.on() && !e.dryRun() {
		digests = &digestItems
	}
	out := nudge.DecideEach(r.nudgeItems(digests), e.Config.Nudges.Teams, *pol, at)
	res.Nudges, res.NudgesHeld, res.NudgeQuiet, res.NudgeNotes = out.Nudges, out.Held, out.Quiet, out.Notes
	if err := nudge.Guard(out.Nudges, e.Config.Nudges.MaxPerRun); err != nil {
		res.NudgesRefused = true
		res.fail(Failure{Doc: "nudges", Message: err.Error()})
	}
	if e.dryRun() || r.ctx.Err() != nil {
		r.trackMoves(at) // the report shows the nudges known
		return
	}
	posted := false
	if !res.NudgesRefused {
		posted = r.postNudges(out.Nudges, at)
	}
	moved := r.trackMoves(at)
	if sent := r.postDigests(digestItems, at); posted || moved || sent {
		r.saveNudges()
	}
}

// saveNudges saves what the nudge phase learnt (steps, nudges, moves,
// digest times); apply saved the rest already.
func (r *run) saveNudges() {
	if err := r.e.saveState(r.work, r.st, nil, true); err != nil {
		r.res.fail(Failure{Doc: StatePath, Message: err.Error()})
	}
}

// nudgeTime is when nudges are decided: now, or with --now that day at
// the current time of day (so nudges.hours still apply).
func (r *run) nudgeTime() time.Time {
	if r.e.Config.Today.IsZero() {
		return r.now
	}
	y, m, d := r.e.Config.Today.Date()
	n := r.now.UTC()
	return time.Date(y, m, d, n.Hour(), n.Minute(), n.Second(), 0, time.UTC)
}

// nudgeItems yields the action items with a ticket, as the run leaves
// them, for the nudges, each built as it is read (held all at once they
// were 14.6 MB at 100,000 items, the nudge run's peak); when digests is
// set, the open ones are appended to it for the digests as they go by.
func (r *run) nudgeItems(digests *[]digest.Item) iter.Seq[nudge.Item] {
	return func(yield func(nudge.Item) bool) {
		r.eachNudgeItem(digests, yield)
	}
}

func (r *run) eachNudgeItem(digests *[]digest.Item, yield func(nudge.Item) bool) {
	e, in := r.e, &r.res.Report
	docs := make(map[string]*report.Doc, len(in.Docs))
	for i := range in.Docs {
		docs[in.Docs[i].ID] = &in.Docs[i]
	}
	for i := range in.Items {
		it := &in.Items[i]
		if it.Kind != ticket.Action || it.Ticket.IsZero() || it.State == ticket.StateMissing || it.State == "" {
			continue // no ticket to post on (deleted, or never read)
		}
		d := docs[it.DocID]
		if d == nil {
			continue
		}
		_, tg, ok := e.recognize(it.Ticket)
		if !ok {
			continue
		}
		kind := nudge.GitHub
		if tg.Project != "" {
			kind = nudge.Jira
		}
		due := it.Due
		if !it.TrackerDue.IsZero() {
			due = it.TrackerDue // a date moved in the tracker is the one that holds
		}
		owner := it.TrackerAssignee
		if owner == "" {
			owner = it.OwnerAccount
		}
		n := nudge.Item{
			Key: it.Key, Doc: d.Path, DocTitle: d.Title, DocDate: d.Date, Link: r.docURL(d.Path),
			Title: it.Text, Team: e.teamKey(it.Team), Priority: it.Priority, Severity: d.Severity,
			Tracker: kind, Due: due, Created: it.Created, Ref: it.Ticket,
			Done: it.State == ticket.StateDone, WontDo: it.State == ticket.StateWontDo,
			Archived: !e.Config.Since.IsZero() && !d.Date.IsZero() && d.Date.Before(e.Config.Since),
			Labels:   r.st.Tickets[refKey(it.Ticket)].Steps,
		}
		if owner != "" {
			n.Owner = ticket.Mention{ID: owner}
		}
		if digests != nil && !n.Done && !n.WontDo && !n.Archived {
			*digests = append(*digests, digest.Item{Team: n.Team, Key: it.Key, Title: it.Text, Doc: d.Path, DocTitle: d.Title,
				Link: n.Link, Owner: e.ownerName(it), Due: due, Ref: it.Ticket})
		}
		if !yield(n) {
			return
		}
	}
}

func (r *run) docURL(p string) string {
	if r.e.Config.WebURL == "" {
		return ""
	}
	return strings.TrimRight(r.e.Config.WebURL, "/") + "/" + escapePath(p)
}

// teamKey is the configured team a written team name is (the keys of
// teams, any case); as written when none.
func (e *Engine) teamKey(written string) string {
	if _, ok := e.Directory.Teams[written]; ok || written == "" {
		return written
	}
	for k := range e.Directory.Teams {
		if strings.EqualFold(k, written) {
			return k
		}
	}
	return written
}

// ownerName is how a digest shows an item's owner: the person's name,
// else as written.
func (e *Engine) ownerName(it *report.Item) string {
	if p, ok := e.Directory.People[it.Person]; ok && p.Name != "" {
		return p.Name
	}
	return it.Owner
}

// postNudges posts each nudge on its ticket and records the step; it
// reports whether anything was recorded.
func (r *run) postNudges(nudges []nudge.Nudge, at time.Time) bool {
	e, res := r.e, r.res
	changed := false
	for _, n := range nudges {
		if r.ctx.Err() != nil {
			res.Interrupted = true
			break
		}
		name, _, ok := e.recognize(n.Ref)
		nd, can := e.Trackers[name].(trackers.Nudger)
		if !ok || !can {
			continue
		}
		err := nd.Nudge(r.work, n.Ref, n.Label, n.Comment)
		switch {
		case errors.Is(err, trackers.ErrAlreadyDone):
			// Another run took this step: known now, posted by nobody here.
			changed = r.addStep(n.Ref, n.Label) || changed
		case err != nil:
			res.fail(Failure{Doc: n.Doc, Item: n.Item, Message: fmt.Sprintf("nudge %s (%s): %v", n.Ref.Text, n.Step, err)})
		default:
			res.Nudged++
			r.addStep(n.Ref, n.Label)
			r.recordNudge(n, at)
			changed = true
			e.log().Info("nudge posted", "ticket", n.Ref.Text, "step", n.Step)
		}
	}
	return changed
}

func (r *run) addStep(ref ticket.Ref, label string) bool {
	k := refKey(ref)
	f := r.st.Tickets[k]
	label = strings.ToLower(label)
	for _, s := range f.Steps {
		if s == label {
			return false
		}
	}
	f.Steps = append(f.Steps, label)
	r.st.Tickets[k] = f
	return true
}

// recordNudge keeps, for the report, the nudge and what the item looked
// like when it was posted.
func (r *run) recordNudge(n nudge.Nudge, at time.Time) {
	k := refKey(n.Ref)
	f := r.st.Tickets[k]
	f.Nudges = append(f.Nudges, nudgeFact{Step: n.Step, At: at.UTC().Format(ticket.DateLayout), Before: looks(r.reportItems()[k])})
	r.st.Tickets[k] = f
}

// looks is an item's state, due date and assignee, as its report item
// says now ("" for none).
func looks(it *report.Item) string {
	if it == nil {
		return ""
	}
	return fmt.Sprintf("%s|%s|%s", it.State, it.TrackerDue.Format(ticket.DateLayout), it.TrackerAssignee)
}

// reportItems are the report's items with a ticket, by refKey, indexed
// once per run.
func (r *run) reportItems() map[string]*report.Item {
	if r.byRef == nil {
		r.byRef = map[string]*report.Item{}
		for i := range r.res.Report.Items {
			if it := &r.res.Report.Items[i]; !it.Ticket.IsZero() {
				r.byRef[refKey(it.Ticket)] = it
			}
		}
	}
	return r.byRef
}

// trackMoves notes, for nudges of the last 7 days, the first day their
// item looks different (it moved after the nudge), gives the report
// every ticket's nudges, and reports whether it noted a move.
func (r *run) trackMoves(at time.Time) bool {
	today := at.UTC().Format(ticket.DateLayout)
	moved := false
	for k, it := range r.reportItems() {
		f, ok := r.st.Tickets[k]
		if !ok || len(f.Nudges) == 0 {
			continue
		}
		for i := range f.Nudges {
			nf := &f.Nudges[i]
			if nf.Moved != "" {
				continue
			}
			sent, err := time.Parse(ticket.DateLayout, nf.At)
			if err != nil || at.Sub(sent) > 7*24*time.Hour {
				continue
			}
			if looks(it) != nf.Before {
				nf.Moved, moved = today, true
			}
		}
		r.st.Tickets[k] = f
	}
	r.reportNudges()
	return moved
}

// reportNudges gives the report every ticket's nudges, as the state keeps
// them.
func (r *run) reportNudges() {
	for i := range r.res.Report.Items {
		it := &r.res.Report.Items[i]
		if it.Ticket.IsZero() {
			continue
		}
		for _, nf := range r.st.Tickets[refKey(it.Ticket)].Nudges {
			rn := report.Nudge{Step: nf.Step}
			rn.At, _ = time.Parse(ticket.DateLayout, nf.At)
			if nf.Moved != "" {
				rn.Moved, _ = time.Parse(ticket.DateLayout, nf.Moved)
			}
			it.Nudges = append(it.Nudges, rn)
		}
	}
}

// postDigests posts each team's digest when it is due; a failure is
// reported and never fails the sync. It reports whether any was posted.
func (r *run) postDigests(items []digest.Item, at time.Time) bool {
	e, res, dc := r.e, r.res, r.e.Config.Digests
	if !dc.on() {
		return false
	}
	msgs := digest.Build(items, digest.Options{Now: at, Location: dc.Location, DueSoon: dc.DueSoon})
	var teams []string
	byTeam := map[string]digest.Message{}
	for _, m := range msgs {
		teams = append(teams, m.Team)
		byTeam[m.Team] = m
	}
	if r.st.Digests == nil {
		r.st.Digests = map[string]time.Time{}
	}
	poster := dc.Poster
	if poster == nil {
		poster = &digest.Poster{}
	}
	sent := false
	for _, team := range digest.Due(teams, r.st.Digests, dc.Every, at) {
		if r.ctx.Err() != nil {
			break
		}
		m := byTeam[team]
		ok := false
		if dc.Webhook != "" {
			if err := poster.Post(r.work, dc.Webhook, m); err != nil {
				res.DigestFailures = append(res.DigestFailures, Failure{Doc: "digests", Message: err.Error()})
				e.log().Warn("digest not posted", "team", team, "err", err)
			} else {
				ok = true
			}
		}
		if ref, has := dc.Issues[team]; has {
			name, _, known := e.recognize(ref)
			nd, can := e.Trackers[name].(trackers.Nudger)
			switch {
			case !known || !can:
				res.DigestFailures = append(res.DigestFailures, Failure{Doc: "digests", Message: fmt.Sprintf("digest for team %q: no configured tracker serves %s (teams.%s.digest_issue)", team, ref.Text, team)})
			default:
				if err := nd.Comment(r.work, ref, m.Comment); err != nil {
					res.DigestFailures = append(res.DigestFailures, Failure{Doc: "digests", Message: fmt.Sprintf("digest for team %q on %s: %v", team, ref.Text, err)})
				} else {
					ok = true
				}
			}
		}
		if ok {
			r.st.Digests[team] = at
			res.Digests++
			sent = true
			e.log().Info("digest posted", "team", team, "overdue", m.Overdue, "due_soon", m.DueSoon)
		}
	}
	return sent
}
