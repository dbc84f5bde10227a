package nudge

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Tracker kinds an Item's ticket lives in.
const (
	GitHub = "github"
	Jira   = "jira"
)

// Item is one action item with a ticket, as the run sees it.
type Item struct {
	Key string // item key, ai-…
	Doc string // the postmortem's path
	// DocTitle and DocDate are the postmortem's title and date (zero:
	// unknown), for the comment's text.
	DocTitle string
	DocDate  time.Time
	// Link is the URL of the item's section of the postmortem; may be
	// empty.
	Link     string
	Title    string
	Team     string // team key; "" for none
	Priority string // P0…P4; "" for none
	Severity string // the postmortem's, e.g. SEV2; "" for none
	// Tracker is the kind of tracker the ticket is in: GitHub or Jira.
	Tracker string
	// Owner is the assignee's tracker identity; zero when the item has no
	// owner.
	Owner ticket.Mention
	// Due is the due date (its year, month and day; zero for none).
	Due time.Time
	// Created is when the ticket was opened.
	Created time.Time
	// Done, WontDo, Draft and Archived items are never nudged.
	Done, WontDo, Draft, Archived bool
	Ref                           ticket.Ref
	// Labels are the ticket's labels as the tracker's listing returned
	// them.
	Labels []string
}

// Contact is one person or team as each kind of tracker mentions them;
// a zero Mention means none there.
type Contact struct {
	GitHub ticket.Mention
	Jira   ticket.Mention
}

// On is the contact's mention on a tracker of kind tracker.
func (c Contact) On(tracker string) ticket.Mention {
	if tracker == Jira {
		return c.Jira
	}
	return c.GitHub
}

// Team is who a team's steps mention.
type Team struct {
	// Team is mentioned by team steps and "needs an owner": on GitHub the
	// team (org/team) or else its lead, on Jira its lead.
	Team Contact
	// Escalation is the team's escalation contact.
	Escalation Contact
}

// Step names. The due track's steps are StepDueSoon, StepDueToday,
// StepOverdue and then the ladder's, EscalatedStep(days); the needs-owner
// track has StepNeedsOwner.
const (
	StepNeedsOwner = "needs-owner"
	StepDueSoon    = "due-soon"
	StepDueToday   = "due-today"
	StepOverdue    = "overdue"
)

// LabelPrefix starts the label that marks each step on a ticket.
const LabelPrefix = "pmsync:"

// EscalatedStep is the name of the ladder step days past the due date.
func EscalatedStep(days int) string { return "escalated-" + strconv.Itoa(days) + "d" }

// Label is the ticket label that marks step.
func Label(step string) string { return LabelPrefix + step }

// rank orders the due track: a step with a higher rank is further. ok is
// false for a label that is not a due-track step.
func rank(label string) (r int, ok bool) {
	step, found := strings.CutPrefix(strings.ToLower(label), LabelPrefix)
	if !found {
		return 0, false
	}
	switch step {
	case StepDueSoon:
		return -2, true
	case StepDueToday:
		return -1, true
	case StepOverdue:
		return 0, true
	}
	if d, found := strings.CutPrefix(step, "escalated-"); found {
		if n, err := strconv.Atoi(strings.TrimSuffix(d, "d")); err == nil && strings.HasSuffix(d, "d") && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// Nudge is one comment to post, with the label that marks its step.
type Nudge struct {
	Doc     string
	Item    string
	Ref     ticket.Ref
	Step    string
	Label   string
	Comment ticket.Comment
}

// Note is something the caller shows in plan and lint about a nudge: a
// mention that is not configured, so the step went to someone else or to
// nobody. The step is posted and marked all the same: it is not held
// back until the configuration is complete.
type Note struct {
	Doc     string
	Item    string
	Ref     ticket.Ref
	Step    string
	Message string
}

// Result is what one run has to post.
type Result struct {
	// Nudges are the comments to post, sorted by document, item and step
	// (needs-owner first).
	Nudges []Nudge
	// Held are the nudges a quiet time holds back; the next run outside
	// it posts what is then the furthest step.
	Held []Nudge
	// Quiet says why the nudges are held ("" when they are not).
	Quiet string
	Notes []Note
}

// Decide computes the nudges of one run at now.
//
// Each eligible item (open, with a ticket, not a draft or an archive)
// has two tracks. The needs-owner track: an item with no owner
// AssignWithin days after the later of its postmortem's date and its
// ticket's creation gets one comment to its team. The due track: of
// due-soon, due-today, overdue and the ladder's steps, the furthest one
// reached is posted, unless its label or a label of a later step is on
// the ticket already. Skipped earlier steps are never posted: an item
// first seen 40 days overdue gets the 30-day step only. Days are calendar
// days in p.Location.
func Decide(items []Item, teams map[string]Team, p Policy, now time.Time) Result {
	return DecideEach(slices.Values(items), teams, p, now)
}

// DecideEach is Decide over items read one at a time, so that a caller
// need not hold them all (at 100,000 items they were 14.6 MB).
func DecideEach(items iter.Seq[Item], teams map[string]Team, p Policy, now time.Time) Result {
	var res Result
	if !p.Enabled {
		return res
	}
	loc := p.loc()
	today := civil(now.In(loc))
	for it := range items {
		if it.Done || it.WontDo || it.Draft || it.Archived || it.Ref.IsZero() {
			continue
		}
		team := teams[it.Team]
		if n, ok := needsOwner(it, p, loc, today); ok {
			res.add(it, team, n)
		}
		if n, ok := dueStep(it, p, today); ok {
			res.add(it, team, n)
		}
	}
	order := func(step string) int {
		if step == StepNeedsOwner {
			return -1 << 30
		}
		r, _ := rank(Label(step))
		return r
	}
	slices.SortFunc(res.Nudges, func(a, b Nudge) int {
		return cmp.Or(strings.Compare(a.Doc, b.Doc), strings.Compare(a.Item, b.Item),
			strings.Compare(a.Ref.Text, b.Ref.Text), cmp.Compare(order(a.Step), order(b.Step)))
	})
	slices.SortFunc(res.Notes, func(a, b Note) int {
		return cmp.Or(strings.Compare(a.Doc, b.Doc), strings.Compare(a.Item, b.Item),
			strings.Compare(a.Ref.Text, b.Ref.Text), cmp.Compare(order(a.Step), order(b.Step)))
	})
	if q := p.Quiet(now); q != "" {
		res.Quiet, res.Held, res.Nudges = q, res.Nudges, nil
	}
	return res
}

// step is a step an item reached, before it is written as a comment.
type step struct {
	name string
	to   Target
	days int // before the due date (due-soon), past it, or without an owner
}

// civil is t's calendar day, as a UTC midnight.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// daysBetween counts the days from a to b, two civil days.
func daysBetween(a, b time.Time) int { return int(b.Sub(a) / (24 * time.Hour)) }

func needsOwner(it Item, p Policy, loc *time.Location, today time.Time) (step, bool) {
	if it.Owner.ID != "" || hasLabel(it.Labels, Label(StepNeedsOwner)) {
		return step{}, false
	}
	var start time.Time
	if !it.DocDate.IsZero() {
		start = civil(it.DocDate)
	}
	if !it.Created.IsZero() && civil(it.Created.In(loc)).After(start) {
		start = civil(it.Created.In(loc))
	}
	if start.IsZero() {
		return step{}, false
	}
	days := daysBetween(start, today)
	if days < p.AssignWithin {
		return step{}, false
	}
	return step{name: StepNeedsOwner, to: ToTeam, days: days}, true
}

func dueStep(it Item, p Policy, today time.Time) (step, bool) {
	if it.Due.IsZero() {
		return step{}, false
	}
	d := daysBetween(civil(it.Due), today) // past the due date
	var s step
	switch {
	case d < 0 && p.DueSoon > 0 && -d <= p.DueSoon:
		s = step{name: StepDueSoon, to: ToAssignee, days: -d}
	case d == 0:
		s = step{name: StepDueToday, to: ToAssignee}
	case d > 0:
		s = step{name: StepOverdue, to: ToAssignee, days: d}
		for _, l := range p.ladderFor(it.Priority, it.Severity) {
			if l.After <= d {
				s = step{name: EscalatedStep(l.After), to: l.To, days: d}
			}
		}
	default:
		return step{}, false
	}
	want, _ := rank(Label(s.name))
	for _, l := range it.Labels {
		if r, ok := rank(l); ok && r >= want {
			return step{}, false
		}
	}
	return s, true
}

func hasLabel(labels []string, label string) bool {
	for _, l := range labels {
		if strings.EqualFold(l, label) {
			return true
		}
	}
	return false
}

// add writes step s of it as a comment, with a note when its mention is
// not configured.
func (r *Result) add(it Item, team Team, s step) {
	mention, note := mentionFor(it, team, s.to)
	c := ticket.Comment{Text: text(it, s), Link: it.Link}
	if c.Link != "" {
		c.LinkText = "postmortem section"
	}
	if mention.ID != "" {
		c.Mentions = []ticket.Mention{mention}
	}
	r.Nudges = append(r.Nudges, Nudge{Doc: it.Doc, Item: it.Key, Ref: it.Ref, Step: s.name, Label: Label(s.name), Comment: c})
	if note != "" {
		r.Notes = append(r.Notes, Note{Doc: it.Doc, Item: it.Key, Ref: it.Ref, Step: s.name, Message: note})
	}
}

// mentionFor is who a step to target mentions. A target that is not
// configured falls back to the nearest one that is (escalation → team →
// assignee; assignee → team), and the note says so; with none, the
// comment mentions nobody.
func mentionFor(it Item, team Team, to Target) (ticket.Mention, string) {
	owner := it.Owner
	teamM := team.Team.On(it.Tracker)
	esc := team.Escalation.On(it.Tracker)
	teamKey := func(field string) string {
		if it.Team == "" {
			return "the item has no team"
		}
		return "teams." + it.Team + "." + field + " is not set"
	}
	teamField := "lead"
	if it.Tracker != Jira {
		teamField = "github_team (or lead)"
	}
	fallback := func(why string, chain ...ticket.Mention) (ticket.Mention, string) {
		names := []string{"the team", "the assignee"}
		if len(chain) == 1 {
			names = names[1:]
		}
		for i, m := range chain {
			if m.ID != "" {
				return m, why + ": mentioned " + names[i] + " instead"
			}
		}
		return ticket.Mention{}, why + ": the comment mentions nobody"
	}
	switch to {
	case ToEscalation:
		if esc.ID != "" {
			return esc, ""
		}
		return fallback("no escalation contact ("+teamKey("escalation")+")", teamM, owner)
	case ToTeam:
		if teamM.ID != "" {
			return teamM, ""
		}
		return fallback("no team to mention ("+teamKey(teamField)+")", owner)
	default:
		if owner.ID != "" {
			return owner, ""
		}
		if teamM.ID != "" {
			return teamM, "the item has no owner: mentioned the team instead"
		}
		return ticket.Mention{}, "the item has no owner and no team to mention: the comment mentions nobody"
	}
}

// text is the comment's plain text: short, factual and blameless.
func text(it Item, s step) string {
	what := "This follow-up"
	switch {
	case !it.DocDate.IsZero() && it.DocTitle != "":
		what += fmt.Sprintf(" from the %s postmortem %q", it.DocDate.Format(ticket.DateLayout), it.DocTitle)
	case it.DocTitle != "":
		what += fmt.Sprintf(" from the postmortem %q", it.DocTitle)
	case !it.DocDate.IsZero():
		what += fmt.Sprintf(" from the %s postmortem", it.DocDate.Format(ticket.DateLayout))
	}
	due := it.Due.Format(ticket.DateLayout)
	switch s.name {
	case StepNeedsOwner:
		return fmt.Sprintf("%s has had no owner for %s. Could the team pick one?", what, days(s.days))
	case StepDueSoon:
		when := "in " + days(s.days)
		if s.days == 1 {
			when = "tomorrow"
		}
		return fmt.Sprintf("Reminder: %s is due %s (%s).", lowerFirst(what), when, due)
	case StepDueToday:
		return fmt.Sprintf("Reminder: %s is due today (%s).", lowerFirst(what), due)
	}
	late := fmt.Sprintf("%s is %s past its due date (%s).", what, days(s.days), due)
	switch s.to {
	case ToTeam:
		return late + " Could the team help find a way forward or set a new date?"
	case ToEscalation:
		return late + " Could you help the team find a way forward or set a new date?"
	}
	return late + " If the plan has changed, a new due date keeps the follow-through report accurate."
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// MaxPerRunError is returned by Guard: the run would post more nudges
// than allowed, and posts none.
type MaxPerRunError struct {
	Count, Max int
}

func (e *MaxPerRunError) Error() string {
	return fmt.Sprintf("refused to post %d nudges in one run, more than nudges.max_per_run (%d) allows; none was posted. "+
		"Check them with pmsync plan, then raise nudges.max_per_run (or set PMSYNC_NUDGES_MAX_PER_RUN for one run) if they are right",
		e.Count, e.Max)
}

// Guard refuses a run that would post more than max nudges (max ≤ 0:
// DefaultMaxPerRun), so that a wrong date or clock cannot flood the
// trackers; the caller stops and asks, like the mass-creation guard.
func Guard(nudges []Nudge, max int) error {
	if max <= 0 {
		max = DefaultMaxPerRun
	}
	if len(nudges) > max {
		return &MaxPerRunError{Count: len(nudges), Max: max}
	}
	return nil
}
