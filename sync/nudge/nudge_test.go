package nudge

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

var (
	due     = time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC) // a Thursday
	docDate = time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	link    = "https://git.example/acme/pm/blob/main/db.md#action-items"
)

// at is noon UTC n days after the due date.
func at(n int) time.Time { return due.AddDate(0, 0, n).Add(12 * time.Hour) }

func item() Item {
	return Item{
		Key: "ai-0001", Doc: "2026/db.md", DocTitle: "DB failover", DocDate: docDate, Link: link,
		Title: "Add a saturation alert", Team: "payments", Priority: "P2", Tracker: GitHub,
		Owner: ticket.Mention{ID: "alice-gh"}, Due: due, Created: docDate.AddDate(0, 0, 1).Add(9 * time.Hour),
		Ref: ticket.Ref{Text: "acme/sre#12", URL: "https://github.com/acme/sre/issues/12"},
	}
}

var teams = map[string]Team{
	"payments": {
		Team:       Contact{GitHub: ticket.Mention{ID: "acme/payments", Team: true}, Jira: ticket.Mention{ID: "lead-acct"}},
		Escalation: Contact{GitHub: ticket.Mention{ID: "carol-gh"}, Jira: ticket.Mention{ID: "carol-acct"}},
	},
	"noescalation": {Team: Contact{GitHub: ticket.Mention{ID: "acme/noesc", Team: true}}},
	"empty":        {},
}

// everyDay is the default policy on any day at any hour.
func everyDay() Policy {
	p := DefaultPolicy()
	p.Weekends = true
	return p
}

// decideOne decides, at now, for item() changed by edit (when not nil).
func decideOne(edit func(*Item), now time.Time) (Item, Result) {
	it := item()
	if edit != nil {
		edit(&it)
	}
	return it, Decide([]Item{it}, teams, everyDay(), now)
}

func steps(ns []Nudge) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.Step)
	}
	return out
}

func TestDecide(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(*Item)
		policy func(*Policy)
		now    time.Time
		want   []string // steps
	}{
		{"4 days before: nothing", nil, nil, at(-4), []string{}},
		{"3 days before: due soon", nil, nil, at(-3), []string{StepDueSoon}},
		{"1 day before: due soon", nil, nil, at(-1), []string{StepDueSoon}},
		{"due soon already marked", func(it *Item) { it.Labels = []string{"pmsync:due-soon"} }, nil, at(-1), []string{}},
		{"due soon off", nil, func(p *Policy) { p.DueSoon = 0 }, at(-1), []string{}},
		{"due soon 5 days", nil, func(p *Policy) { p.DueSoon = 5 }, at(-5), []string{StepDueSoon}},
		{"due today", nil, nil, at(0), []string{StepDueToday}},
		{"due today after due soon", func(it *Item) { it.Labels = []string{"pmsync:due-soon", "postmortem"} }, nil, at(0), []string{StepDueToday}},
		{"due today already marked", func(it *Item) { it.Labels = []string{"pmsync:due-today"} }, nil, at(0), []string{}},
		{"overdue", nil, nil, at(1), []string{StepOverdue}},
		{"overdue, due today skipped", nil, nil, at(2), []string{StepOverdue}},
		{"overdue marked", func(it *Item) { it.Labels = []string{"pmsync:overdue"} }, nil, at(6), []string{}},
		{"label case does not matter", func(it *Item) { it.Labels = []string{"PMSYNC:Overdue"} }, nil, at(6), []string{}},
		{"+7 to the team (P2)", func(it *Item) { it.Labels = []string{"pmsync:overdue"} }, nil, at(7), []string{"escalated-7d"}},
		{"+3 to the team (P1)", func(it *Item) { it.Priority = "P1"; it.Labels = []string{"pmsync:overdue"} }, nil, at(3), []string{"escalated-3d"}},
		{"+3 by severity", func(it *Item) { it.Priority, it.Severity = "", "sev2" }, nil, at(3), []string{"escalated-3d"}},
		{"P3 SEV1 is urgent", func(it *Item) { it.Priority, it.Severity = "P3", "SEV1" }, nil, at(14), []string{"escalated-14d"}},
		{"no priority: default ladder", func(it *Item) { it.Priority = "" }, nil, at(30), []string{"escalated-30d"}},
		{"40 days overdue first seen: +30 only", nil, nil, at(40), []string{"escalated-30d"}},
		{"later label on the ticket", func(it *Item) { it.Labels = []string{"pmsync:escalated-30d"} }, nil, at(8), []string{}},
		{"label of a step no longer configured counts by its days",
			func(it *Item) { it.Labels = []string{"pmsync:escalated-10d"} }, nil, at(8), []string{}},
		{"unrelated labels", func(it *Item) { it.Labels = []string{"pmsync:escalated-x", "pmsync:other", "bug"} }, nil, at(1), []string{StepOverdue}},
		{"no due date", func(it *Item) { it.Due = time.Time{} }, nil, at(3), []string{}},
		{"done", func(it *Item) { it.Done = true }, nil, at(40), []string{}},
		{"won't do", func(it *Item) { it.WontDo = true }, nil, at(40), []string{}},
		{"draft", func(it *Item) { it.Draft = true; it.Owner = ticket.Mention{} }, nil, at(40), []string{}},
		{"archived", func(it *Item) { it.Archived = true; it.Owner = ticket.Mention{} }, nil, at(40), []string{}},
		{"no ticket", func(it *Item) { it.Ref = ticket.Ref{} }, nil, at(40), []string{}},
		{"disabled", nil, func(p *Policy) { p.Enabled = false }, at(40), []string{}},
		{"custom ladder for all", nil, func(p *Policy) {
			p.Ladder = []LadderStep{{After: 2, To: ToAssignee}, {After: 5, To: ToTeam, Priorities: []string{"P0"}}}
		}, at(5), []string{"escalated-2d"}},
		{"empty ladder", nil, func(p *Policy) { p.Ladder = []LadderStep{} }, at(40), []string{StepOverdue}},
		{"needs owner after 3 days", func(it *Item) { it.Owner, it.Due = ticket.Mention{}, time.Time{} }, nil, docDate.AddDate(0, 0, 4), []string{StepNeedsOwner}},
		{"needs owner: counted from the ticket, opened later", func(it *Item) {
			it.Owner, it.Due, it.Created = ticket.Mention{}, time.Time{}, docDate.AddDate(0, 0, 20)
		}, nil, docDate.AddDate(0, 0, 22), []string{}},
		{"needs owner: not yet", func(it *Item) { it.Owner, it.Due = ticket.Mention{}, time.Time{} }, nil, docDate.AddDate(0, 0, 3), []string{}},
		{"needs owner marked", func(it *Item) {
			it.Owner, it.Due, it.Labels = ticket.Mention{}, time.Time{}, []string{"pmsync:needs-owner"}
		}, nil, docDate.AddDate(0, 0, 30), []string{}},
		{"needs owner without dates", func(it *Item) {
			it.Owner, it.Due, it.DocDate, it.Created = ticket.Mention{}, time.Time{}, time.Time{}, time.Time{}
		}, nil, at(0), []string{}},
		{"needs owner and overdue in one run", func(it *Item) { it.Owner = ticket.Mention{} }, nil, at(1), []string{StepNeedsOwner, StepOverdue}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			it := item()
			if tt.edit != nil {
				tt.edit(&it)
			}
			p := everyDay()
			if tt.policy != nil {
				tt.policy(&p)
			}
			res := Decide([]Item{it}, teams, p, tt.now)
			if got := steps(res.Nudges); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("steps = %v, want %v", got, tt.want)
			}
			for _, n := range res.Nudges {
				if n.Label != LabelPrefix+n.Step || n.Ref != it.Ref || n.Item != it.Key || n.Doc != it.Doc {
					t.Errorf("nudge %+v does not name its item, ticket and label", n)
				}
				if n.Comment.Link != link || n.Comment.LinkText != "postmortem section" {
					t.Errorf("comment %+v does not link to the postmortem section", n.Comment)
				}
			}
			if res.Quiet != "" || len(res.Held) != 0 {
				t.Errorf("held at a time that is never quiet: %q", res.Quiet)
			}
		})
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Item)
		now  time.Time
		want string
	}{
		{"due soon", nil, at(-3), `Reminder: this follow-up from the 2026-10-03 postmortem "DB failover" is due in 3 days (2026-11-05).`},
		{"due tomorrow", nil, at(-1), `Reminder: this follow-up from the 2026-10-03 postmortem "DB failover" is due tomorrow (2026-11-05).`},
		{"due today", nil, at(0), `Reminder: this follow-up from the 2026-10-03 postmortem "DB failover" is due today (2026-11-05).`},
		{"overdue", nil, at(1), `This follow-up from the 2026-10-03 postmortem "DB failover" is 1 day past its due date (2026-11-05). ` +
			`If the plan has changed, a new due date keeps the follow-through report accurate.`},
		{"team", nil, at(8), `This follow-up from the 2026-10-03 postmortem "DB failover" is 8 days past its due date (2026-11-05). ` +
			`Could the team help find a way forward or set a new date?`},
		{"escalation", nil, at(31), `This follow-up from the 2026-10-03 postmortem "DB failover" is 31 days past its due date (2026-11-05). ` +
			`Could you help the team find a way forward or set a new date?`},
		{"needs owner", func(it *Item) { it.Owner, it.Due = ticket.Mention{}, time.Time{} }, docDate.AddDate(0, 0, 5),
			`This follow-up from the 2026-10-03 postmortem "DB failover" has had no owner for 4 days. Could the team pick one?`},
		{"no title", func(it *Item) { it.DocTitle = "" }, at(0), `Reminder: this follow-up from the 2026-10-03 postmortem is due today (2026-11-05).`},
		{"no date", func(it *Item) { it.DocDate = time.Time{} }, at(0), `Reminder: this follow-up from the postmortem "DB failover" is due today (2026-11-05).`},
		{"neither", func(it *Item) { it.DocDate, it.DocTitle = time.Time{}, "" }, at(0), `Reminder: this follow-up is due today (2026-11-05).`},
		{"document text stays plain text", func(it *Item) { it.DocTitle = `<!channel> *DB* "x"` }, at(0),
			`Reminder: this follow-up from the 2026-10-03 postmortem "<!channel> *DB* \"x\"" is due today (2026-11-05).`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, res := decideOne(tt.edit, tt.now)
			if len(res.Nudges) != 1 {
				t.Fatalf("nudges = %+v, want one", res.Nudges)
			}
			if got := res.Nudges[0].Comment.Text; got != tt.want {
				t.Errorf("text\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	// Without a section URL there is no link.
	it := item()
	it.Link = ""
	if c := Decide([]Item{it}, teams, everyDay(), at(0)).Nudges[0].Comment; c.Link != "" || c.LinkText != "" {
		t.Errorf("comment without a section URL: %+v", c)
	}
}

func TestMentions(t *testing.T) {
	t.Parallel()
	m := func(id string, team bool) []ticket.Mention { return []ticket.Mention{{ID: id, Team: team}} }
	tests := []struct {
		name     string
		edit     func(*Item)
		now      time.Time
		want     []ticket.Mention
		wantNote string // "" for none
	}{
		{"reminder: the assignee", nil, at(0), m("alice-gh", false), ""},
		{"team step: the GitHub team", nil, at(7), m("acme/payments", true), ""},
		{"team step on Jira: the lead", func(it *Item) { it.Tracker, it.Owner = Jira, ticket.Mention{ID: "alice-acct"} }, at(7), m("lead-acct", false), ""},
		{"escalation", nil, at(30), m("carol-gh", false), ""},
		{"escalation on Jira", func(it *Item) { it.Tracker = Jira }, at(30), m("carol-acct", false), ""},
		{"needs owner: the team", func(it *Item) { it.Owner, it.Due = ticket.Mention{}, time.Time{} }, at(0), m("acme/payments", true), ""},
		{"no escalation contact: the team", func(it *Item) { it.Team = "noescalation" }, at(30), m("acme/noesc", true),
			"no escalation contact (teams.noescalation.escalation is not set): mentioned the team instead"},
		{"no contacts: the assignee", func(it *Item) { it.Team = "empty" }, at(30), m("alice-gh", false),
			"no escalation contact (teams.empty.escalation is not set): mentioned the assignee instead"},
		{"team step, no team contact", func(it *Item) { it.Team = "empty" }, at(7), m("alice-gh", false),
			"no team to mention (teams.empty.github_team (or lead) is not set): mentioned the assignee instead"},
		{"team step on Jira, no lead", func(it *Item) {
			it.Team, it.Tracker, it.Owner = "noescalation", Jira, ticket.Mention{ID: "alice-acct"}
		}, at(7), m("alice-acct", false),
			"no team to mention (teams.noescalation.lead is not set): mentioned the assignee instead"},
		{"no team at all", func(it *Item) { it.Team = "" }, at(30), m("alice-gh", false),
			"no escalation contact (the item has no team): mentioned the assignee instead"},
		{"reminder without owner: the team", func(it *Item) { it.Owner = ticket.Mention{} }, at(0), m("acme/payments", true),
			"the item has no owner: mentioned the team instead"},
		{"nobody", func(it *Item) { it.Owner, it.Team = ticket.Mention{}, "" }, at(0), nil,
			"the item has no owner and no team to mention: the comment mentions nobody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			it, res := decideOne(tt.edit, tt.now)
			n := res.Nudges[len(res.Nudges)-1]
			if !reflect.DeepEqual(n.Comment.Mentions, tt.want) {
				t.Errorf("mentions = %+v, want %+v", n.Comment.Mentions, tt.want)
			}
			var notes []string
			for _, no := range res.Notes {
				if no.Step == n.Step && no.Item == it.Key && no.Ref == it.Ref {
					notes = append(notes, no.Message)
				}
			}
			switch {
			case tt.wantNote == "" && len(notes) > 0:
				t.Errorf("notes = %q, want none", notes)
			case tt.wantNote != "" && (len(notes) != 1 || notes[0] != tt.wantNote):
				t.Errorf("notes = %q, want %q", notes, tt.wantNote)
			}
		})
	}
}

func TestQuiet(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	nine := func(p *Policy) { h, _ := ParseHours("09:00-17:00"); p.Hours = &h }
	tests := []struct {
		name   string
		policy func(*Policy)
		now    time.Time
		quiet  string // substring; "" for not quiet
	}{
		{"Saturday", nil, at(2), "it is Saturday in UTC and nudges.weekends is false"},
		{"Sunday", nil, at(3), "Sunday"},
		{"Monday", nil, at(4), ""},
		{"weekends allowed", func(p *Policy) { p.Weekends = true }, at(2), ""},
		{"Friday 23:30 UTC is Saturday in Berlin", func(p *Policy) { p.Location = berlin }, at(1).Add(11*time.Hour + 30*time.Minute), "Saturday in Europe/Berlin"},
		{"inside hours", nine, at(0).Add(-3 * time.Hour), ""},
		{"before hours", nine, at(0).Add(-4 * time.Hour), "it is 08:00 in UTC, outside nudges.hours 09:00-17:00"},
		{"at the end of hours", nine, at(0).Add(5 * time.Hour), "outside nudges.hours"},
		{"hours in Berlin", func(p *Policy) { nine(p); p.Location = berlin }, at(0).Add(-4 * time.Hour), ""},
		{"overnight window", func(p *Policy) { h, _ := ParseHours("22:00-06:00"); p.Hours = &h }, at(0).Add(11 * time.Hour), ""},
		{"overnight window, midday", func(p *Policy) { h, _ := ParseHours("22:00-06:00"); p.Hours = &h }, at(0), "outside nudges.hours 22:00-06:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			res := Decide([]Item{item()}, teams, p, tt.now)
			if tt.quiet == "" {
				if res.Quiet != "" || len(res.Nudges) != 1 || len(res.Held) != 0 {
					t.Fatalf("quiet %q, nudges %d, held %d; want one nudge", res.Quiet, len(res.Nudges), len(res.Held))
				}
				return
			}
			if !strings.Contains(res.Quiet, tt.quiet) || len(res.Nudges) != 0 || len(res.Held) != 1 {
				t.Fatalf("quiet %q, nudges %d, held %d; want %q and the nudge held", res.Quiet, len(res.Nudges), len(res.Held), tt.quiet)
			}
		})
	}
}

// TestTimeZone: "due today" is the due date's day where the team is.
func TestTimeZone(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	p := everyDay()
	p.Location = la
	// 03:00 UTC on the 6th is still the 5th in Los Angeles.
	now := due.AddDate(0, 0, 1).Add(3 * time.Hour)
	if got := steps(Decide([]Item{item()}, teams, p, now).Nudges); !reflect.DeepEqual(got, []string{StepDueToday}) {
		t.Errorf("in Los Angeles: %v, want due-today", got)
	}
	if got := steps(Decide([]Item{item()}, teams, everyDay(), now).Nudges); !reflect.DeepEqual(got, []string{StepOverdue}) {
		t.Errorf("in UTC: %v, want overdue", got)
	}
}

func TestSorted(t *testing.T) {
	t.Parallel()
	var items []Item
	for _, k := range []string{"ai-c", "ai-a", "ai-b"} {
		for _, doc := range []string{"b.md", "a.md"} {
			it := item()
			it.Key, it.Doc, it.Owner = k, doc, ticket.Mention{}
			items = append(items, it)
		}
	}
	res := Decide(items, teams, everyDay(), at(1))
	var got []string
	for _, n := range res.Nudges {
		got = append(got, n.Doc+" "+n.Item+" "+n.Step)
	}
	want := []string{
		"a.md ai-a needs-owner", "a.md ai-a overdue", "a.md ai-b needs-owner", "a.md ai-b overdue", "a.md ai-c needs-owner", "a.md ai-c overdue",
		"b.md ai-a needs-owner", "b.md ai-a overdue", "b.md ai-b needs-owner", "b.md ai-b overdue", "b.md ai-c needs-owner", "b.md ai-c overdue",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order:\n%q\nwant\n%q", got, want)
	}
	if again := Decide(items, teams, everyDay(), at(1)); !reflect.DeepEqual(again, res) {
		t.Error("two runs on the same input differ")
	}
}

func TestLadderFor(t *testing.T) {
	t.Parallel()
	after := func(ls []LadderStep) []int {
		out := []int{}
		for _, l := range ls {
			out = append(out, l.After)
		}
		return out
	}
	p := DefaultPolicy()
	for _, tt := range []struct {
		prio, sev string
		want      []int
	}{
		{"P0", "", []int{3, 14}}, {"p1", "", []int{3, 14}}, {"", "SEV1", []int{3, 14}}, {"P2", "SEV2", []int{3, 14}},
		{"P2", "", []int{7, 30}}, {"", "", []int{7, 30}}, {"P4", "SEV4", []int{7, 30}},
	} {
		if got := after(p.ladderFor(tt.prio, tt.sev)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ladder for %q/%q: %v, want %v", tt.prio, tt.sev, got, tt.want)
		}
	}
	p.Ladder = []LadderStep{{After: 5, To: ToTeam}, {After: 5, To: ToEscalation}, {After: 0, To: ToTeam}, {After: 2, To: ToAssignee, Priorities: []string{"default"}}}
	if got := p.ladderFor("P1", ""); !reflect.DeepEqual(got, []LadderStep{{After: 2, To: ToAssignee, Priorities: []string{"default"}}, {After: 5, To: ToTeam}}) {
		t.Errorf("duplicates and a zero step: %+v", got)
	}
}

func TestParseHours(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"09:00-17:00", " 9:30 - 17:45 ", "22:00-06:00", "00:00-24:00"} {
		if _, err := ParseHours(ok); err != nil {
			t.Errorf("ParseHours(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "9-5", "09:00", "09:60-10:00", "25:00-26:00", "09:00-24:01", "10:00-10:00", "09:00-17:00 CET"} {
		if _, err := ParseHours(bad); err == nil {
			t.Errorf("ParseHours(%q) succeeded", bad)
		}
	}
}

func TestGuard(t *testing.T) {
	t.Parallel()
	ns := make([]Nudge, 201)
	if err := Guard(ns[:200], 0); err != nil {
		t.Errorf("200 with the default: %v", err)
	}
	err := Guard(ns, 0)
	var tm *MaxPerRunError
	if !errors.As(err, &tm) || tm.Count != 201 || tm.Max != 200 {
		t.Fatalf("Guard = %v, want a MaxPerRunError", err)
	}
	for _, w := range []string{"201 nudges", "nudges.max_per_run (200)", "PMSYNC_NUDGES_MAX_PER_RUN", "none was posted", "pmsync plan"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
	if err := Guard(ns, 500); err != nil {
		t.Errorf("raised: %v", err)
	}
}
