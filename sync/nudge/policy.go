// Package nudge decides which reminders pmsync posts on the tickets of
// open action items in one run (SPEC §6.1): due soon, due today, overdue,
// an escalation ladder after the due date, and "needs an owner". It is
// pure: items, team contacts, the policy and the time come in, a sorted
// list of comments goes out. It does no I/O and reads no clock.
//
// Each step happens once per ticket: it is marked by a label on the
// ticket (pmsync:due-soon, pmsync:overdue, pmsync:escalated-7d, ...), and
// the labels a run reads back decide what is left to say. Lost local
// state or two overlapping runs therefore never repeat a step; removing a
// label from a ticket arms its step again.
package nudge

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Target is who a ladder step mentions.
type Target string

const (
	// ToAssignee mentions the item's owner.
	ToAssignee Target = "assignee"
	// ToTeam mentions the item's team: a GitHub team, or the team's lead
	// (Jira has no group mention).
	ToTeam Target = "team"
	// ToEscalation mentions the team's escalation contact.
	ToEscalation Target = "escalation"
)

// DefaultPriority in a ladder step's Priorities matches the items that no
// step names by priority or severity.
const DefaultPriority = "default"

// LadderStep is one step of the escalation ladder: After days past the
// due date, mention To. Priorities limits the step to items whose
// priority or severity it names (case-insensitive); empty means every
// item, and DefaultPriority the items no step names.
type LadderStep struct {
	After      int
	To         Target
	Priorities []string
}

// Urgent are the priorities and severities the default ladder escalates
// sooner.
var Urgent = []string{"P0", "P1", "SEV0", "SEV1", "SEV2"}

// DefaultLadder is the ladder when none is configured: urgent items (P0,
// P1, SEV0 to SEV2) go to the team 3 days past their due date and to the
// escalation contact after 14; every other item after 7 and 30 days.
func DefaultLadder() []LadderStep {
	return []LadderStep{
		{After: 3, To: ToTeam, Priorities: Urgent},
		{After: 14, To: ToEscalation, Priorities: Urgent},
		{After: 7, To: ToTeam, Priorities: []string{DefaultPriority}},
		{After: 30, To: ToEscalation, Priorities: []string{DefaultPriority}},
	}
}

// Defaults of a Policy.
const (
	DefaultDueSoon      = 3   // days before the due date
	DefaultAssignWithin = 3   // days after the postmortem or ticket
	DefaultMaxPerRun    = 200 // nudges in one run
)

// Policy is when nudges are posted.
type Policy struct {
	// Enabled false turns every nudge off.
	Enabled bool
	// DueSoon is how many days before the due date the due-soon reminder
	// comes; 0 turns it off.
	DueSoon int
	// AssignWithin is how many days an item may have no owner, counted
	// from the later of the postmortem's date and the ticket's creation,
	// before its team is asked to find one.
	AssignWithin int
	// Ladder is the escalation ladder (DefaultLadder when nil).
	Ladder []LadderStep
	// Location is the time zone days and hours are counted in (UTC when
	// nil).
	Location *time.Location
	// Hours, when set, are the only hours of the day nudges are posted.
	Hours *Hours
	// Weekends allows nudges on Saturday and Sunday.
	Weekends bool
}

// DefaultPolicy is the policy when nothing is configured.
func DefaultPolicy() Policy {
	return Policy{Enabled: true, DueSoon: DefaultDueSoon, AssignWithin: DefaultAssignWithin}
}

// Hours is a daily window, From inclusive to To exclusive, in minutes
// after midnight. A window with From after To spans midnight.
type Hours struct {
	From, To int
	text     string
}

var hoursRE = regexp.MustCompile(`^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$`)

// ParseHours reads a window like "09:00-17:00" (24-hour clock; "22:00-06:00"
// spans midnight; "24:00" is the end of the day).
func ParseHours(s string) (Hours, error) {
	m := hoursRE.FindStringSubmatch(s)
	if m == nil {
		return Hours{}, fmt.Errorf("want a window like 09:00-17:00, got %q", s)
	}
	var v [4]int
	for i := range v {
		v[i], _ = strconv.Atoi(m[i+1])
	}
	from, to := v[0]*60+v[1], v[2]*60+v[3]
	if v[1] > 59 || v[3] > 59 || from >= 24*60 || to > 24*60 {
		return Hours{}, fmt.Errorf("want times from 00:00 to 24:00, got %q", s)
	}
	if from == to {
		return Hours{}, fmt.Errorf("the window %q is empty; leave nudges.hours unset for any time of day", s)
	}
	return Hours{From: from, To: to, text: strings.TrimSpace(s)}, nil
}

// Contains reports whether the minute of the day m is inside the window.
func (h Hours) Contains(m int) bool {
	if h.From < h.To {
		return h.From <= m && m < h.To
	}
	return m >= h.From || m < h.To
}

func (h Hours) String() string {
	if h.text != "" {
		return h.text
	}
	return fmt.Sprintf("%02d:%02d-%02d:%02d", h.From/60, h.From%60, h.To/60, h.To%60)
}

// Quiet says why no nudge may be posted at now ("" when nudges may be
// posted): a weekend, or a time outside Hours.
func (p Policy) Quiet(now time.Time) string {
	loc := p.loc()
	local := now.In(loc)
	if wd := local.Weekday(); !p.Weekends && (wd == time.Saturday || wd == time.Sunday) {
		return fmt.Sprintf("it is %s in %s and nudges.weekends is false", wd, loc)
	}
	if p.Hours != nil && !p.Hours.Contains(local.Hour()*60+local.Minute()) {
		return fmt.Sprintf("it is %s in %s, outside nudges.hours %s", local.Format("15:04"), loc, p.Hours)
	}
	return ""
}

func (p Policy) loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// ladderFor is the ladder that applies to an item of this priority and
// severity, by After.
func (p Policy) ladderFor(priority, severity string) []LadderStep {
	ladder := p.Ladder
	if ladder == nil {
		ladder = DefaultLadder()
	}
	names := func(s LadderStep, v string) bool {
		if v == "" {
			return false
		}
		for _, q := range s.Priorities {
			if !strings.EqualFold(q, DefaultPriority) && strings.EqualFold(q, v) {
				return true
			}
		}
		return false
	}
	named := false
	for _, s := range ladder {
		named = named || names(s, priority) || names(s, severity)
	}
	var out []LadderStep
	seen := map[int]bool{}
	for _, s := range ladder {
		isDefault := false
		for _, q := range s.Priorities {
			isDefault = isDefault || strings.EqualFold(q, DefaultPriority)
		}
		applies := len(s.Priorities) == 0 || names(s, priority) || names(s, severity) || isDefault && !named
		if !applies || s.After < 1 || seen[s.After] {
			continue // one step per day past due: the first listed wins
		}
		seen[s.After] = true
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b LadderStep) int { return cmp.Compare(a.After, b.After) })
	return out
}
