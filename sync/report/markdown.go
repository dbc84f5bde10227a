package report

import (
	"bufio"
	"fmt"
	"io"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Markdown writes the report for GitHub: the headline numbers about the
// action items in one short table, the overdue action items oldest first,
// the escalation view, whether the nudges worked, the per-team table, then
// the rest. People are shown by name. Every text that comes from a
// document or a tracker is escaped.
func (r *Report) Markdown(w io.Writer) error {
	b := bufio.NewWriter(w)
	m := &md{b: b}
	t, fc := r.Totals, r.Factors.Counts

	m.f("# Postmortem follow-through\n\n")
	if p := r.Provenance(); p != "" {
		m.f("**%s**\n\n", p)
	}
	m.f("As of %s: %s, %s; %s, counted apart (see [Contributing factors](#contributing-factors)).\n\n",
		r.Today, plural(r.Postmortems, "postmortem"), plural(t.Items, "action item"), plural(fc.Items, "contributing factor"))
	m.table([]string{"Action items", "Value"}, slices.Values([][]string{
		{"Completion rate", pct(t.CompletionRate) + fmt.Sprintf(" (%d done of %d; won't do excluded)", t.Done, t.Items-t.WontDo)},
		{"On-time rate", pct(t.OnTimeRate) + fmt.Sprintf(" (%d of %d done items with a due and a done date)", t.DoneOnTime, t.DoneOnTime+t.DoneLate)},
		{"Overdue", fmt.Sprintf("%d of %d open or in progress", t.Overdue, t.Open+t.InProgress)},
		{"Due within 7 days", strconv.Itoa(t.DueSoon)},
		{"Done on time / late / no due date / date unknown", fmt.Sprintf("%d / %d / %d / %d", t.DoneOnTime, t.DoneLate, t.DoneWithoutDue, t.DoneUndated)},
		{"Won't do", strconv.Itoa(t.WontDo)},
		{"Open / in progress", fmt.Sprintf("%d / %d (%d without a ticket yet)", t.Open, t.InProgress, t.NoTicket)},
		{"Missing tickets", strconv.Itoa(t.Missing)},
		{"Time to close from the postmortem, median / p90", closeCount(t.TimeToClose)},
		{"Time to close from ticket creation, median / p90", closeCount(t.TimeToCloseFromTicket)},
		{"Contributing factors", fmt.Sprintf("%d (%d with a ticket; %d open factor bugs)", fc.Items, r.Factors.WithTicket, r.Factors.OpenBugs.Len())},
	}))

	m.h2("Overdue action items, oldest first")
	m.table([]string{"Due", "Days overdue", "Item", "Owner", "Team", "Postmortem", "Ticket"}, seqCells(r.Overdue.All(), func(it *ItemRow) []string {
		return []string{it.Due, strconv.Itoa(it.DaysOverdue), itemCell(it.ItemRef), ownerCell(it.ItemRef), or(esc(it.Team), "—"), docCell(it.DocID, it.DocTitle), ticketCell(it.Ticket, it.TicketURL)}
	}))

	m.escalation(r.Escalation)

	m.h2("Who carries the most overdue work")
	m.table([]string{"Owner", "Overdue", "Oldest, days overdue", "Due within 7 days"}, each(r.Carrying, func(c Carrier) []string {
		return []string{ownerName(c.Key, c.Name, nil), strconv.Itoa(c.Overdue), strconv.Itoa(c.OldestDaysOverdue), strconv.Itoa(c.DueSoon)}
	}))

	m.nudges(&r.Nudges)

	m.h2("By team")
	m.f("The breakdowns count action items, as the headline does; factors are counted under [Contributing factors](#contributing-factors).\n\n")
	m.groups("Team", r.ByTeam)
	m.trendsAndCohorts(r)

	m.h2("Open action items by age")
	m.f("Days since the postmortem, when the commitment was made.\n\n")
	rows := [][]string{}
	for _, bk := range r.OpenByAge.Buckets {
		rows = append(rows, []string{esc(bk.Label) + " days", strconv.Itoa(bk.Count)})
	}
	if r.OpenByAge.Unknown > 0 {
		rows = append(rows, []string{"no date", strconv.Itoa(r.OpenByAge.Unknown)})
	}
	m.table([]string{"Age", "Open action items"}, slices.Values(rows))

	m.h2("By owner")
	m.groups("Owner", r.ByOwner)
	m.h2("By severity")
	m.groups("Severity", r.BySeverity)
	m.h2("By incident month")
	m.groups("Month", r.ByMonth)
	m.h2("By kind")
	m.groups("Kind", r.ByKind)

	m.factors(&r.Factors)

	m.h2("Time to detect, respond and resolve")
	m.f("Median by severity, from the postmortems that have both timestamps (how many in parentheses).\n\n")
	m.table([]string{"Severity", "Postmortems", "Detect", "Respond", "Resolve"}, each(r.IncidentTimes, func(s SeverityTimes) []string {
		return []string{or(esc(s.Severity), "(none)"), strconv.Itoa(s.Documents), minutes(s.Detect), minutes(s.Respond), minutes(s.Resolve)}
	}))

	m.h2("Due-date slippage")
	s := r.Slippage
	if s.Slipped == 0 {
		m.f("No tracker due date is later than its document's (%d action items compared).\n\n", s.Compared)
	} else {
		m.f("%d of %d action items (%s) have a tracker due date later than the document's: by %d days median, %d max, %d in total.\n\n",
			s.Slipped, s.Compared, pct(s.Rate), *s.MedianDays, *s.MaxDays, s.TotalDays)
	}

	m.h2("Missing tickets")
	m.table([]string{"Item", "Kind", "Owner", "Postmortem", "Ticket"}, seqCells(r.Missing.All(), func(it *ItemRow) []string {
		return []string{itemCell(it.ItemRef), it.Kind, ownerCell(it.ItemRef), docCell(it.DocID, it.DocTitle), ticketCell(it.Ticket, it.TicketURL)}
	}))

	m.h2("Drift between document and tracker")
	m.table([]string{"Item", "Field", "Document", "Tracker", "Postmortem", "Ticket"}, each(r.Drift, func(d Drift) []string {
		return []string{itemCell(d.ItemRef), d.Field, or(esc(d.Document), "—"), or(esc(d.Tracker), "(unassigned)"), docCell(d.DocID, d.DocTitle), ticketCell(d.Ticket, d.TicketURL)}
	}))

	m.h2("Orphaned tickets")
	m.table([]string{"Ticket", "Title", "State", "Postmortem", "Item", "Created"}, each(r.Orphans, func(o Orphan) []string {
		return []string{ticketCell(o.Ticket, o.TicketURL), esc(o.Title), stateWord(o.State), esc(o.DocID), esc(o.Key), or(o.Created, "—")}
	}))

	m.h2("Tickets with pmsync's marker opened by another account")
	m.table([]string{"Ticket", "Title", "Opened by", "Postmortem", "Item", "Seen"}, each(r.Impostors, func(o Impostor) []string {
		return []string{ticketCell(o.Ticket, o.TicketURL), esc(o.Title), esc(o.Author), esc(o.DocID), esc(o.Key), or(o.Seen, "—")}
	}))

	m.h2("Hygiene")
	h := r.Hygiene
	m.f("What to fix in the postmortems or in `people`: action items that are done or dropped are not listed.\n\n")
	m.f("### Postmortems without action items\n\n")
	m.docs(h.NoActionItems)
	m.f("### Factors no action item addresses\n\n")
	if n := len(h.UnaddressedFactors); n == 0 {
		m.f("None.\n\n")
	} else {
		m.f("%s, listed under [Contributing factors](#contributing-factors).\n\n", plural(n, "factor"))
	}
	m.f("### Action items without an owner\n\n")
	m.items(h.NoOwner)
	m.f("### Action items without a due date\n\n")
	m.items(h.NoDue)
	m.f("### Owners with no tracker account\n\n")
	m.items(h.UnknownOwners)
	m.f("### Timestamps out of order\n\n")
	m.table([]string{"Postmortem", "Measure", "Duration"}, each(h.BadTimestamps, func(x TimestampIssue) []string {
		return []string{docCell(x.ID, x.Title), x.Measure, strconv.FormatFloat(x.Minutes, 'f', -1, 64) + " min"}
	}))

	m.h2("Postmortems")
	m.table([]string{"Date", "Postmortem", "Severity", "Action items", "Done", "Overdue", "Completion", "Factors"}, each(r.Documents, func(d DocSummary) []string {
		return []string{or(d.Date, "—"), docCell(d.ID, d.Title), or(esc(d.Severity), "—"), strconv.Itoa(d.Items), strconv.Itoa(d.Done),
			strconv.Itoa(d.Overdue), pct(d.CompletionRate), fmt.Sprintf("%d (%d open)", d.Factors, d.OpenFactors)}
	}))

	if m.err != nil {
		return m.err
	}
	return b.Flush()
}

// escalation writes, per team, how many action items are in each tier of
// days overdue, then the items team by team, oldest first.
func (m *md) escalation(es []TeamEscalation) {
	m.h2("Escalation by team")
	m.f("Overdue action items of each team by days overdue, and those due within the next 7 days; the team with the most overdue first.\n\n")
	head := []string{"Team"}
	for _, tr := range newTiers() {
		head = append(head, tierName(tr))
	}
	rows := [][]string{}
	for _, e := range es {
		row := []string{or(esc(e.Team), "(none)")}
		for _, tr := range e.Tiers {
			row = append(row, strconv.Itoa(tr.Items.Len()))
		}
		rows = append(rows, append(row, strconv.Itoa(e.OldestDaysOverdue)))
	}
	m.table(append(head, "Oldest, days overdue"), slices.Values(rows))
	if len(es) == 0 {
		return
	}
	m.table([]string{"Team", "Tier", "Due", "Days overdue", "Item", "Owner", "Postmortem", "Ticket"}, func(yield func([]string) bool) {
		for _, e := range es {
			for _, tr := range e.Tiers {
				for it := range tr.Items.All() {
					late := "—"
					if it.DaysOverdue > 0 {
						late = strconv.Itoa(it.DaysOverdue)
					}
					if !yield([]string{or(esc(e.Team), "(none)"), tierName(tr), it.Due, late, itemCell(*it.ItemRef), ownerCell(*it.ItemRef), docCell(it.DocID, it.DocTitle), ticketCell(it.Ticket, it.TicketURL)}) {
						return
					}
				}
			}
		}
	})
}

// nudges writes whether the reminders posted on action items' tickets
// were followed by the item moving: overall, by step and by team.
func (m *md) nudges(n *Nudges) {
	m.h2("Nudges")
	if n.Sent == 0 {
		m.f("No nudges were posted.\n\n")
		return
	}
	m.f("**Did the nudges work?** %s\n\n", nudgeSummary(*n))
	m.table([]string{"Step", "Sent", "Moved within 7 days", "Rate"}, each(n.ByStep, func(s NudgeStep) []string {
		return []string{esc(stepName(s.Step)), strconv.Itoa(s.Sent), strconv.Itoa(s.Moved), pct(s.MovedRate)}
	}))
	m.f("### Nudges by team\n\n")
	m.table([]string{"Team", "Sent", "Moved within 7 days", "Rate"}, each(n.ByTeam, func(t NudgeTeam) []string {
		return []string{or(esc(t.Team), "(none)"), strconv.Itoa(t.Sent), strconv.Itoa(t.Moved), pct(t.MovedRate)}
	}))
}

// nudgeSummary is the nudge headline in words, for Markdown and HTML.
func nudgeSummary(n Nudges) string {
	were := "were"
	if n.Sent == 1 {
		were = "was"
	}
	s := fmt.Sprintf("%d of %s (%s) %s followed within 7 days by the item moving: its state, due date or assignee changed. "+
		"They went to %s, %d of them still open or in progress.",
		n.Moved, plural(n.Sent, "nudge"), pct(n.MovedRate), were, plural(n.NudgedItems, "action item"), n.StillOpen)
	if n.Waiting > 0 {
		have := "have"
		if n.Waiting == 1 {
			have = "has"
		}
		s += fmt.Sprintf(" %s posted in the last 7 days %s not been followed by a move yet, so the rate may still rise.", plural(n.Waiting, "nudge"), have)
	}
	return s
}

func tierName(t Tier) string {
	if t.MinDaysOverdue <= 0 {
		return fmt.Sprintf("Due within %d days", -t.MinDaysOverdue)
	}
	if t.MaxDaysOverdue == nil {
		return fmt.Sprintf("&gt;%d days overdue", t.MinDaysOverdue-1)
	}
	return fmt.Sprintf("%d–%d days overdue", t.MinDaysOverdue, *t.MaxDaysOverdue)
}

// factors writes the contributing factors: their counters, the open factor
// bugs, the factors no action addresses, and the postmortems whose actions
// name no factor.
func (m *md) factors(fs *Factors) {
	c := fs.Counts
	m.h2("Contributing factors")
	m.f("Factors are counted apart from the action items: their tickets are bugs to fix, not commitments with a due date.\n\n")
	m.table([]string{"Factors", "With a ticket", "Done", "Won't do", "Open or in progress", "Missing", "No ticket yet"}, slices.Values([][]string{{
		strconv.Itoa(c.Items), strconv.Itoa(fs.WithTicket), strconv.Itoa(c.Done), strconv.Itoa(c.WontDo), strconv.Itoa(c.Open + c.InProgress), strconv.Itoa(c.Missing), strconv.Itoa(c.NoTicket),
	}}))
	m.f("### Open factor bugs, oldest postmortem first\n\n")
	m.table([]string{"Postmortem date", "Age, days", "Factor", "State", "Team", "Postmortem", "Ticket"}, seqCells(fs.OpenBugs.All(), func(it *ItemRow) []string {
		age := "—"
		if it.AgeDays != nil {
			age = strconv.Itoa(*it.AgeDays)
		}
		return []string{or(it.IncidentDate, "—"), age, itemCell(it.ItemRef), stateWord(it.State), or(esc(it.Team), "—"), docCell(it.DocID, it.DocTitle), ticketCell(it.Ticket, it.TicketURL)}
	}))
	m.f("### Factors no action item addresses\n\n")
	m.table([]string{"Factor", "State", "Postmortem", "Ticket"}, each(fs.Unaddressed, func(it ItemRef) []string {
		return []string{itemCell(it), stateWord(it.State), docCell(it.DocID, it.DocTitle), ticketCell(it.Ticket, it.TicketURL)}
	}))
	if n := len(fs.Unlinked); n > 0 {
		names := make([]string, 0, n)
		for _, d := range fs.Unlinked {
			names = append(names, docCell(d.ID, d.Title))
		}
		m.f("Not checked one by one: in %s no action item names a factor (naming them is optional): %s.\n\n", plural(n, "postmortem"), strings.Join(names, "; "))
	}
}

// md writes Markdown, keeping the first error.
type md struct {
	b   *bufio.Writer
	err error
}

func (m *md) f(format string, a ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.b, format, a...)
	}
}

func (m *md) h2(title string) { m.f("## %s\n\n", title) }

// table writes a GitHub table, each row as it is made: a list of every
// overdue item, made whole first, was tens of MB at 100,000 items. Cells
// must already be escaped. No rows: "None."
func (m *md) table(head []string, rows iter.Seq[[]string]) {
	started := false
	for cells := range rows {
		if !started {
			m.f("| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
			started = true
		}
		if m.err != nil {
			return
		}
		m.b.WriteString("|")
		for _, c := range cells {
			m.b.WriteString(" ")
			m.b.WriteString(c)
			m.b.WriteString(" |")
		}
		m.b.WriteString("\n")
	}
	if !started {
		m.f("None.\n\n")
		return
	}
	m.f("\n")
}

// each makes a table's rows from a list, one at a time.
func each[T any](xs []T, cells func(T) []string) iter.Seq[[]string] {
	return seqCells(slices.Values(xs), cells)
}

// seqCells makes a table's rows from a sequence, one at a time.
func seqCells[T any](xs iter.Seq[T], cells func(T) []string) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		for x := range xs {
			if !yield(cells(x)) {
				return
			}
		}
	}
}

func (m *md) groups(name string, gs []Group) {
	rows := [][]string{}
	for _, g := range gs {
		key := or(esc(g.Key), "(none)")
		if name == "Owner" {
			key = ownerName(g.Key, g.Name, g.Spellings)
		}
		rows = append(rows, []string{
			key, strconv.Itoa(g.Items), strconv.Itoa(g.Done), pct(g.CompletionRate), pct(g.OnTimeRate),
			strconv.Itoa(g.Overdue), strconv.Itoa(g.Open + g.InProgress), strconv.Itoa(g.WontDo), strconv.Itoa(g.Missing), closeTime(g.TimeToClose),
		})
	}
	m.table([]string{name, "Items", "Done", "Completion", "On time", "Overdue", "Open or in progress", "Won't do", "Missing", "Time to close, median / p90"}, slices.Values(rows))
}

func (m *md) docs(ds []DocRef) {
	m.table([]string{"Postmortem", "Date"}, each(ds, func(d DocRef) []string {
		return []string{docCell(d.ID, d.Title), or(d.Date, "—")}
	}))
}

func (m *md) items(its []ItemRef) {
	m.table([]string{"Item", "Owner", "State", "Postmortem", "Ticket"}, each(its, func(it ItemRef) []string {
		return []string{itemCell(it), ownerCell(it), stateWord(it.State), docCell(it.DocID, it.DocTitle), ticketCell(it.Ticket, it.TicketURL)}
	}))
}

// ownerName shows a by_owner row: the person's name; the unresolved row
// with the spellings it gathers.
func ownerName(key, name string, spellings []string) string {
	switch key {
	case "":
		return "(no owner)"
	case UnresolvedOwner:
		if len(spellings) == 0 {
			return "Unresolved owner"
		}
		sp := make([]string, len(spellings))
		for i, s := range spellings {
			sp[i] = esc(s)
		}
		return "Unresolved owner: " + strings.Join(sp, ", ")
	}
	return or(esc(name), esc(key))
}

// ownerCell is an item's owner: the person's name, else as written.
func ownerCell(it ItemRef) string {
	return or(esc(it.OwnerName), or(esc(it.Owner), "—"))
}

// esc makes any text safe inside a GitHub Markdown table cell: line breaks
// and control characters become spaces; HTML is neutralized by entities;
// Markdown punctuation that could start emphasis, code, links or a new
// cell is backslash-escaped.
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case strings.ContainsRune("\\`*_[]|~", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxText keeps tables readable; the JSON and CSV carry the full text.
const maxText = 120

func itemCell(it ItemRef) string {
	t := []rune(strings.TrimSpace(it.Text))
	s := string(t)
	if len(t) > maxText {
		s = string(t[:maxText-1]) + "…"
	}
	return or(esc(s), esc(it.Key))
}

func docCell(id, title string) string {
	if title == "" {
		return esc(id)
	}
	return esc(title)
}

// ticketCell links a ticket only to an http(s) URL, percent-encoding the
// characters that could end the link or the table cell.
func ticketCell(text, link string) string {
	u, err := url.Parse(link)
	if link == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return or(esc(text), "—")
	}
	clean := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, link)
	clean = linkEscaper.Replace(clean)
	return "[" + or(esc(text), esc(clean)) + "](" + clean + ")"
}

var linkEscaper = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "|", "%7C",
	"\\", "%5C", "`", "%60", "\"", "%22", "'", "%27", "[", "%5B", "]", "%5D")

func pct(p *float64) string {
	if p == nil {
		return "—"
	}
	return strconv.FormatFloat(*p*100, 'f', 1, 64) + "%"
}

func closeTime(c CloseTime) string {
	if c.MedianDays == nil {
		return "—"
	}
	return fmt.Sprintf("%d / %d days", *c.MedianDays, *c.P90Days)
}

// closeCount is a time to close with how many items it is over.
func closeCount(c CloseTime) string {
	if c.MedianDays == nil {
		return "—"
	}
	return fmt.Sprintf("%s (%s)", closeTime(c), plural(c.Count, "done item"))
}

func minutes(m Minutes) string {
	if m.MedianMinutes == nil {
		return "—"
	}
	return fmt.Sprintf("%s (%d)", duration(*m.MedianMinutes), m.Count)
}

// duration shows minutes as "45 min", "2 h 5 min" or "3 d 4 h", rounded.
func duration(mins float64) string {
	n := int(mins + 0.5)
	switch {
	case n < 60:
		return fmt.Sprintf("%d min", n)
	case n < 24*60 && n%60 == 0:
		return fmt.Sprintf("%d h", n/60)
	case n < 24*60:
		return fmt.Sprintf("%d h %d min", n/60, n%60)
	case n%(24*60) < 60:
		return fmt.Sprintf("%d d", n/(24*60))
	default:
		return fmt.Sprintf("%d d %d h", n/(24*60), n%(24*60)/60)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func stateWord(s string) string {
	switch s {
	case "open":
		return "Open"
	case "in_progress":
		return "In progress"
	case "done":
		return "Done"
	case "wont_do":
		return "Won't do"
	case "missing":
		return "Missing"
	}
	return esc(s)
}

func kindSummary(gs []Group) string {
	n := map[string]int{}
	for _, g := range gs {
		n[g.Key] = g.Items
	}
	return plural(n["action"], "action item") + ", " + plural(n["factor"], "contributing factor")
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
