package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// fact is one item with what Compute derived for it: what the counters,
// the escalation and the nudges need, not its row (a List derives rows
// when they are read).
type fact struct {
	it    *Item
	doc   *Doc // nil when the item's document is not in the input
	state ticket.State
	// owner and ownerName are the item's by_owner row; team its team
	// merged through the directory.
	owner, ownerName, team string
	overdue, dueSoon       bool
}

// action reports an action item; everything else is a factor.
func (f *fact) action() bool { return f.it.Kind != ticket.Factor }

// pending: not done and not dropped (open, in progress or missing).
func (f *fact) pending() bool { return f.state != ticket.StateDone && f.state != ticket.StateWontDo }

// Compute builds the report. It is pure: "today" is in.Now's UTC date.
// The report's item lists derive their rows from in's items (and
// documents) whenever they are read: leave those unchanged while the
// report is in use.
func Compute(in Input) *Report {
	today := day(in.Now)
	dir := newPeople(&in)
	var asOf string
	if in.Offline && !in.AsOf.IsZero() {
		asOf = in.AsOf.UTC().Format(time.RFC3339)
	}
	r := &Report{
		Schema:        Schema,
		GeneratedAt:   in.Now.UTC().Format(time.RFC3339),
		Today:         today.Format(ticket.DateLayout),
		Offline:       in.Offline,
		AsOf:          asOf,
		Postmortems:   len(in.Docs),
		Factors:       Factors{Unaddressed: []ItemRef{}, Unlinked: []DocRef{}},
		Escalation:    []TeamEscalation{},
		Carrying:      []Carrier{},
		IncidentTimes: []SeverityTimes{},
		Drift:         []Drift{},
		Orphans:       []Orphan{},
		Impostors:     slices.Clone(in.Impostors),
		Documents:     []DocSummary{},
		Hygiene: Hygiene{
			NoActionItems:      []DocRef{},
			UnaddressedFactors: []ItemRef{},
			Unlinked:           []DocRef{},
			NoOwner:            []ItemRef{},
			NoDue:              []ItemRef{},
			UnknownOwners:      []ItemRef{},
			BadTimestamps:      []TimestampIssue{},
		},
	}

	docs := make(map[string]*Doc, len(in.Docs))
	for i := range in.Docs {
		if _, dup := docs[in.Docs[i].ID]; !dup {
			docs[in.Docs[i].ID] = &in.Docs[i]
		}
	}

	// One array of facts, in document order (doc id, line, key); the
	// lists point into it. Each row is derived into one scratch row and
	// not kept: the lists derive their rows when they are read.
	facts := make([]fact, len(in.Items))
	for i := range in.Items {
		facts[i].it = &in.Items[i]
	}
	slices.SortStableFunc(facts, func(a, b fact) int {
		return cmp.Or(strings.Compare(a.it.DocID, b.it.DocID), cmp.Compare(a.it.Line, b.it.Line), strings.Compare(a.it.Key, b.it.Key))
	})
	der := deriver{today: today, dir: dir, dates: dates{}}
	read := &deriver{today: today, dir: dir}
	all := make([]*fact, len(facts))
	for i := range facts {
		all[i] = &facts[i]
	}
	r.Items = List{facts: all, der: read}
	var overdue, missing, openBugs []*fact

	var total, factors acc
	team, owner, sev, month, kind, perDoc, docFactors := groups{}, groups{}, groups{}, groups{}, groups{}, groups{}, groups{}
	var slips []int
	r.OpenByAge = OpenAge{Buckets: newBuckets()}
	var row ItemRow
	for i := range facts {
		f := &facts[i]
		it := f.it
		der.derive(f, docs[it.DocID], &row)
		kind.add(string(it.Kind), f, &row)
		if f.state == ticket.StateMissing {
			missing = append(missing, f)
		}
		if d := drift(f, &row, dir); len(d) > 0 {
			r.Drift = append(r.Drift, d...)
		}
		if !f.action() {
			factors.add(f, &row)
			docFactors.add(it.DocID, f, &row)
			if !it.Ticket.IsZero() {
				r.Factors.WithTicket++
				if f.state == ticket.StateOpen || f.state == ticket.StateInProgress {
					openBugs = append(openBugs, f)
				}
			}
			continue
		}

		total.add(f, &row)
		team.add(row.Team, f, &row)
		owner.add(f.owner, f, &row).named(f.ownerName, row.Owner)
		sev.add(row.Severity, f, &row)
		month.add(incidentMonth(f.doc), f, &row)
		perDoc.add(it.DocID, f, &row)
		if row.Overdue {
			overdue = append(overdue, f)
		}
		if f.state == ticket.StateOpen || f.state == ticket.StateInProgress {
			r.OpenByAge.count(row.AgeDays)
		}
		// Slippage compares with the tracker, so it needs a ticket the
		// tracker still has.
		if !it.Ticket.IsZero() && f.state != ticket.StateMissing && !it.Due.IsZero() && !it.TrackerDue.IsZero() {
			r.Slippage.Compared++
			if row.SlipDays > 0 {
				slips = append(slips, row.SlipDays)
			}
		}
		if f.pending() {
			switch {
			case f.owner == "":
				r.Hygiene.NoOwner = append(r.Hygiene.NoOwner, row.ItemRef)
			case it.OwnerAccount == "" && it.OwnerTeam == "":
				r.Hygiene.UnknownOwners = append(r.Hygiene.UnknownOwners, row.ItemRef)
			}
			if it.Due.IsZero() {
				r.Hygiene.NoDue = append(r.Hygiene.NoDue, row.ItemRef)
			}
		}
	}
	r.Totals, r.Factors.Counts = total.counts(), factors.counts()
	r.ByTeam, r.BySeverity, r.ByMonth, r.ByKind = team.rows(), sev.rows(), month.rows(), kind.rows()
	r.ByOwner = owner.rows()
	slices.SortStableFunc(r.ByOwner, func(a, b Group) int { return ownerOrder(a.Key, a.Name, b.Key, b.Name) })
	r.Escalation, r.Carrying = escalate(facts, read)
	r.Nudges = nudgesOf(facts, today)

	slices.SortStableFunc(overdue, dueOrder)
	r.Overdue, r.Missing = List{facts: overdue, der: read}, List{facts: missing, der: read}
	slices.SortStableFunc(r.Drift, func(a, b Drift) int {
		return cmp.Or(strings.Compare(a.DocID, b.DocID), strings.Compare(a.Key, b.Key), strings.Compare(a.Field, b.Field))
	})
	// Oldest postmortem first; undated last; then document order.
	slices.SortStableFunc(openBugs, func(a, b *fact) int { return dayNoneLast(incidentDay(a.doc), incidentDay(b.doc)) })
	r.Factors.OpenBugs = List{facts: openBugs, der: read}

	r.Slippage.Slipped = len(slips)
	r.Slippage.Rate = ratio(len(slips), r.Slippage.Compared)
	if len(slips) > 0 {
		slices.Sort(slips)
		r.Slippage.MedianDays = ptr(Percentile(slips, 50))
		r.Slippage.MaxDays = ptr(slips[len(slips)-1])
		for _, d := range slips {
			r.Slippage.TotalDays += d
		}
	}

	r.IncidentTimes, r.Hygiene.BadTimestamps = incidentTimes(in.Docs)
	hygieneLinks(r, in.Docs, facts, &der)

	for _, t := range in.Orphans {
		r.Orphans = append(r.Orphans, Orphan{
			DocID: t.Marker.PM, Key: t.Marker.Item,
			Ticket: t.Ref.Text, TicketURL: t.Ref.URL, Target: target(t.Target),
			Title: t.Title, State: string(t.Status.State), Assignee: t.Assignee,
			Created: date(t.Created),
		})
	}
	if r.Impostors == nil {
		r.Impostors = []Impostor{}
	}
	slices.SortStableFunc(r.Impostors, func(a, b Impostor) int { return strings.Compare(a.Ticket, b.Ticket) })
	slices.SortStableFunc(r.Orphans, func(a, b Orphan) int {
		return cmp.Or(strings.Compare(a.DocID, b.DocID), strings.Compare(a.Key, b.Key), strings.Compare(a.Ticket, b.Ticket))
	})

	for i := range in.Docs {
		d := &in.Docs[i]
		s := DocSummary{DocRef: docRef(d), Severity: severity(d), Teams: []string{}, Counts: (&acc{}).counts()}
		for _, t := range d.Teams {
			if t = dir.team(t); t != "" && !slices.Contains(s.Teams, t) {
				s.Teams = append(s.Teams, t)
			}
		}
		if a := perDoc[d.ID]; a != nil {
			s.Counts = a.counts()
		}
		if a := docFactors[d.ID]; a != nil {
			s.Factors, s.OpenFactors = a.c.Items, a.c.Open+a.c.InProgress
		}
		r.Documents = append(r.Documents, s)
	}
	// Newest incident first; unknown dates last.
	slices.SortStableFunc(r.Documents, func(a, b DocSummary) int {
		if a.Date == "" || b.Date == "" {
			return cmp.Or(noneLast(a.Date, b.Date), strings.Compare(a.ID, b.ID))
		}
		return cmp.Or(strings.Compare(b.Date, a.Date), strings.Compare(a.ID, b.ID))
	})
	r.Trends, r.Cohorts = trendsOf(r, in.History), cohortsOf(r)
	return r
}

// deriver derives items' rows. Compute's shares the dates among the
// copies it keeps (hygiene, drift); the lists' has none (nil), so that
// they may be read concurrently.
type deriver struct {
	today time.Time
	dir   *people
	dates dates
}

// derive settles f (its document, state, owner and what the counters
// need) and fills row, the item's row.
func (c *deriver) derive(f *fact, d *Doc, row *ItemRow) {
	f.doc, f.state = d, state(f.it)
	f.owner, f.ownerName = c.dir.owner(f.it)
	c.fill(f, row)
	f.team, f.overdue, f.dueSoon = row.Team, row.Overdue, row.DueSoon
}

// fill fills row from f's item, document and state.
func (c *deriver) fill(f *fact, row *ItemRow) {
	it, d, dir, dateOf, today := f.it, f.doc, c.dir, c.dates, c.today
	*row = ItemRow{
		ItemRef: ItemRef{
			DocID: it.DocID, Kind: string(it.Kind), Key: it.Key, Text: it.Text, Line: it.Line,
			Team: dir.team(it.Team), Owner: strings.TrimSpace(it.Owner), Person: it.Person, State: string(f.state),
			Ticket: it.Ticket.Text, TicketURL: it.Ticket.URL,
		},
		OwnerAccount:        it.OwnerAccount,
		Due:                 dateOf.format(it.Due),
		DoneInDoc:           it.DoneInDoc,
		Created:             dateOf.format(it.Created),
		TrackerDue:          dateOf.format(it.TrackerDue),
		TrackerAssignee:     it.TrackerAssignee,
		TrackerAssigneeName: dir.accountName(it.TrackerAssignee),
		Nudges:              len(it.Nudges),
		LastNudge:           lastNudge(it.Nudges),
	}
	if it.Person != "" {
		row.OwnerName = dir.name(it.Person)
	}
	// Ages and time to close count from when the commitment was made:
	// the postmortem's date, else the ticket's creation.
	var start time.Time
	if d != nil {
		row.DocTitle, row.IncidentDate, row.Severity = d.Title, dateOf.format(d.Date), severity(d)
		start = d.Date
	}
	fromTicket := start.IsZero()
	if fromTicket {
		start = it.Created
	}
	if f.state == ticket.StateOpen || f.state == ticket.StateInProgress {
		row.NoTicket = it.Ticket.IsZero()
		if !it.Due.IsZero() {
			left := days(today, it.Due)
			row.Overdue, row.DueSoon = left < 0, left >= 0 && left <= dueSoonDays
			if row.Overdue {
				row.DaysOverdue = -left
			}
		}
		if !start.IsZero() {
			row.AgeDays, row.FromTicket = ptr(max(0, days(start, today))), fromTicket
		}
		if !it.Created.IsZero() {
			row.TicketAgeDays = ptr(max(0, days(it.Created, today)))
		}
	}
	if f.state == ticket.StateDone && !it.DoneInDoc && !it.Done.IsZero() {
		row.Done = dateOf.format(it.Done)
		if !it.Due.IsZero() {
			row.OnTime = ptr(!day(it.Done).After(day(it.Due)))
		}
		// A done date before the start (fixed during the incident, or an
		// adopted ticket closed before it was seen) counts as 0 days.
		if !start.IsZero() {
			row.DaysToClose, row.FromTicket = ptr(max(0, days(start, it.Done))), fromTicket
		}
		if !it.Created.IsZero() {
			row.DaysToCloseFromTicket = ptr(max(0, days(it.Created, it.Done)))
		}
	}
	if !it.Ticket.IsZero() && f.state != ticket.StateMissing && !it.Due.IsZero() && !it.TrackerDue.IsZero() {
		if s := days(it.Due, it.TrackerDue); s > 0 {
			row.SlipDays = s
		}
	}
}

// dueOrder orders items oldest due first, then by doc id and key.
func dueOrder(a, b *fact) int {
	return cmp.Or(day(a.it.Due).Compare(day(b.it.Due)), strings.Compare(a.it.DocID, b.it.DocID), strings.Compare(a.it.Key, b.it.Key))
}

// incidentDay is the postmortem's date as a day; zero when unknown.
func incidentDay(d *Doc) time.Time {
	if d == nil || d.Date.IsZero() {
		return time.Time{}
	}
	return day(d.Date)
}

// dayNoneLast orders days ascending with the zero day after all others,
// as noneLast orders their YYYY-MM-DD forms.
func dayNoneLast(a, b time.Time) int {
	switch {
	case a.Equal(b):
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// dates formats days as YYYY-MM-DD, each distinct day once: rows share
// the strings (a report has a few thousand distinct days, and up to five
// dates a row).
type dates map[time.Time]string

func (m dates) format(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if m == nil {
		return date(t)
	}
	k := day(t)
	s, ok := m[k]
	if !ok {
		s = date(t)
		m[k] = s
	}
	return s
}

// dueSoonDays: an item due within this many days from today (today
// included) is due soon.
const dueSoonDays = 7

// drift lists where the item's document and its tracker disagree; only
// for a ticket the tracker still has.
func drift(f *fact, row *ItemRow, dir *people) []Drift {
	it := f.it
	if it.Ticket.IsZero() || f.state == ticket.StateMissing {
		return nil
	}
	var out []Drift
	if it.OwnerAccount != "" && !strings.EqualFold(it.OwnerAccount, it.TrackerAssignee) {
		out = append(out, Drift{ItemRef: row.ItemRef, Field: "owner",
			Document: or(dir.accountName(it.OwnerAccount), it.OwnerAccount), Tracker: or(row.TrackerAssigneeName, it.TrackerAssignee),
			DocumentAccount: it.OwnerAccount, TrackerAccount: it.TrackerAssignee})
	}
	if !it.Due.IsZero() && !it.TrackerDue.IsZero() && !day(it.Due).Equal(day(it.TrackerDue)) {
		out = append(out, Drift{ItemRef: row.ItemRef, Field: "due", Document: row.Due, Tracker: row.TrackerDue})
	}
	return out
}

// state is the item's state for the report: done in the document wins;
// no state (no ticket yet) or an unknown one counts as open.
func state(it *Item) ticket.State {
	if it.DoneInDoc {
		return ticket.StateDone
	}
	switch it.State {
	case ticket.StateInProgress, ticket.StateDone, ticket.StateWontDo, ticket.StateMissing:
		return it.State
	}
	return ticket.StateOpen
}

// acc accumulates Counts, and for a by_owner row its name and spellings.
type acc struct {
	c                  Counts
	close, closeTicket []int
	name               string
	spellings          []string
}

func (a *acc) add(f *fact, row *ItemRow) {
	c := &a.c
	c.Items++
	switch f.state {
	case ticket.StateOpen:
		c.Open++
	case ticket.StateInProgress:
		c.InProgress++
	case ticket.StateWontDo:
		c.WontDo++
	case ticket.StateMissing:
		c.Missing++
	case ticket.StateDone:
		c.Done++
		switch {
		case f.it.Due.IsZero():
			c.DoneWithoutDue++
		case row.OnTime == nil:
			c.DoneUndated++
		case *row.OnTime:
			c.DoneOnTime++
		default:
			c.DoneLate++
		}
	}
	if row.Overdue {
		c.Overdue++
	}
	if row.DueSoon {
		c.DueSoon++
	}
	if row.NoTicket {
		c.NoTicket++
	}
	if row.DaysToClose != nil {
		a.close = append(a.close, *row.DaysToClose)
	}
	if row.DaysToCloseFromTicket != nil {
		a.closeTicket = append(a.closeTicket, *row.DaysToCloseFromTicket)
	}
}

// named sets the row's name and adds a spelling.
func (a *acc) named(name, spelling string) {
	a.name = name
	if spelling != "" && !slices.Contains(a.spellings, spelling) {
		a.spellings = append(a.spellings, spelling)
	}
}

func (a *acc) counts() Counts {
	c := a.c
	c.CompletionRate = ratio(c.Done, c.Items-c.WontDo)
	c.OnTimeRate = ratio(c.DoneOnTime, c.DoneOnTime+c.DoneLate)
	c.TimeToClose, c.TimeToCloseFromTicket = closeTimes(a.close), closeTimes(a.closeTicket)
	return c
}

// closeTimes is the median and p90 of days to close.
func closeTimes(days []int) CloseTime {
	c := CloseTime{Count: len(days)}
	if len(days) > 0 {
		s := slices.Sorted(slices.Values(days))
		c.MedianDays = ptr(Percentile(s, 50))
		c.P90Days = ptr(Percentile(s, 90))
	}
	return c
}

// groups is a breakdown under construction.
type groups map[string]*acc

func (g groups) add(key string, f *fact, row *ItemRow) *acc {
	a := g[key]
	if a == nil {
		a = &acc{}
		g[key] = a
	}
	a.add(f, row)
	return a
}

// rows sorts by key, with the "none" key "" last.
func (g groups) rows() []Group {
	out := make([]Group, 0, len(g))
	for k, a := range g {
		gr := Group{Key: k, Name: a.name, Counts: a.counts()}
		if len(a.spellings) > 0 {
			gr.Spellings = slices.Sorted(slices.Values(a.spellings))
		}
		out = append(out, gr)
	}
	slices.SortFunc(out, func(a, b Group) int { return noneLast(a.Key, b.Key) })
	return out
}

// ownerOrder orders by_owner rows: people and GitHub logins by name
// (ignoring case), then team owners, the unresolved row, no owner.
func ownerOrder(aKey, aName, bKey, bName string) int {
	return cmp.Or(cmp.Compare(ownerRank(aKey), ownerRank(bKey)),
		strings.Compare(strings.ToLower(aName), strings.ToLower(bName)), strings.Compare(aKey, bKey))
}

// newBuckets are the open-item age ranges of the report.
func newBuckets() []AgeBucket {
	return []AgeBucket{
		{Label: "0-30", MinDays: 0, MaxDays: ptr(30)},
		{Label: "31-60", MinDays: 31, MaxDays: ptr(60)},
		{Label: "61-90", MinDays: 61, MaxDays: ptr(90)},
		{Label: "91-180", MinDays: 91, MaxDays: ptr(180)},
		{Label: ">180", MinDays: 181},
	}
}

// count adds an open item of that age (nil: unknown).
func (o *OpenAge) count(age *int) {
	if age == nil {
		o.Unknown++
		return
	}
	for i := range o.Buckets {
		b := &o.Buckets[i]
		if *age >= b.MinDays && (b.MaxDays == nil || *age <= *b.MaxDays) {
			b.Count++
			return
		}
	}
}

// incidentTimes computes the response medians by severity from the
// documents' timestamps, and lists measures whose end precedes the start.
func incidentTimes(docs []Doc) ([]SeverityTimes, []TimestampIssue) {
	type samples struct {
		docs                    int
		detect, respond, resolv []float64
	}
	bySev := map[string]*samples{}
	bad := []TimestampIssue{}
	for i := range docs {
		d := &docs[i]
		s := bySev[severity(d)]
		if s == nil {
			s = &samples{}
			bySev[severity(d)] = s
		}
		s.docs++
		measure := func(name string, from, to time.Time, into *[]float64) {
			if from.IsZero() || to.IsZero() {
				return
			}
			m := to.Sub(from).Minutes()
			if m < 0 {
				bad = append(bad, TimestampIssue{DocRef: docRef(d), Measure: name, Minutes: m})
				return
			}
			*into = append(*into, m)
		}
		measure("detect", d.StartedAt, d.DetectedAt, &s.detect)
		measure("respond", d.DetectedAt, d.RespondedAt, &s.respond)
		measure("resolve", d.StartedAt, d.ResolvedAt, &s.resolv)
	}
	med := func(xs []float64) Minutes {
		m := Minutes{Count: len(xs)}
		if len(xs) > 0 {
			m.MedianMinutes = ptr(Percentile(slices.Sorted(slices.Values(xs)), 50))
		}
		return m
	}
	out := make([]SeverityTimes, 0, len(bySev))
	for k, s := range bySev {
		out = append(out, SeverityTimes{Severity: k, Documents: s.docs, Detect: med(s.detect), Respond: med(s.respond), Resolve: med(s.resolv)})
	}
	slices.SortFunc(out, func(a, b SeverityTimes) int { return noneLast(a.Severity, b.Severity) })
	slices.SortStableFunc(bad, func(a, b TimestampIssue) int { return strings.Compare(a.ID, b.ID) })
	return out, bad
}

// hygieneLinks finds postmortems without action items, factors no action
// addresses and postmortems whose actions name no factor.
func hygieneLinks(r *Report, docs []Doc, facts []fact, der *deriver) {
	type parts struct {
		factors   []*fact
		actions   int
		addressed map[string]bool
	}
	byDoc := map[string]*parts{}
	for i := range facts {
		f := &facts[i]
		p := byDoc[f.it.DocID]
		if p == nil {
			p = &parts{addressed: map[string]bool{}}
			byDoc[f.it.DocID] = p
		}
		if f.it.Kind == ticket.Factor {
			p.factors = append(p.factors, f)
			continue
		}
		p.actions++
		for _, k := range f.it.Addresses {
			p.addressed[k] = true
		}
	}
	sorted := make([]*Doc, len(docs))
	for i := range docs {
		sorted[i] = &docs[i]
	}
	slices.SortStableFunc(sorted, func(a, b *Doc) int { return strings.Compare(a.ID, b.ID) })
	for _, d := range sorted {
		p := byDoc[d.ID]
		switch {
		case p == nil || p.actions == 0:
			r.Hygiene.NoActionItems = append(r.Hygiene.NoActionItems, docRef(d))
		case len(p.factors) == 0:
		case len(p.addressed) == 0:
			r.Factors.Unlinked = append(r.Factors.Unlinked, docRef(d))
		default:
			var row ItemRow
			for _, f := range p.factors {
				if !p.addressed[f.it.Key] {
					der.fill(f, &row)
					r.Factors.Unaddressed = append(r.Factors.Unaddressed, row.ItemRef)
				}
			}
		}
	}
	r.Hygiene.UnaddressedFactors = slices.Clone(r.Factors.Unaddressed)
	r.Hygiene.Unlinked = slices.Clone(r.Factors.Unlinked)
}

// Percentile returns the p-th percentile (1 ≤ p ≤ 100) of an ascending
// list by the nearest-rank method: the value at 1-based rank ⌈p·n/100⌉,
// so it is always one of the values. The median is Percentile(xs, 50):
// for an even count, the lower of the two middle values. It panics on an
// empty list.
func Percentile[T cmp.Ordered](sorted []T, p int) T {
	rank := (p*len(sorted) + 99) / 100 // ⌈p·n/100⌉ in integers
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// noneLast orders keys ascending with the "none" key "" after all others.
func noneLast(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return 1
	case b == "":
		return -1
	}
	return strings.Compare(a, b)
}

func ratio(num, den int) *float64 {
	if den <= 0 {
		return nil
	}
	return ptr(float64(num) / float64(den))
}

func ptr[T any](v T) *T { return &v }

// day is t's UTC calendar day at midnight.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// days is the number of calendar days (UTC) from a to b. It counts via
// Unix seconds: a time.Duration would saturate beyond 292 years.
func days(a, b time.Time) int {
	return int((day(b).Unix() - day(a).Unix()) / 86400)
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(ticket.DateLayout)
}

func incidentMonth(d *Doc) string {
	if d == nil || d.Date.IsZero() {
		return ""
	}
	return d.Date.UTC().Format("2006-01")
}

// severity is the document's severity trimmed and upper-cased, so "sev1"
// and "SEV1" are one group.
func severity(d *Doc) string {
	if d == nil {
		return ""
	}
	return strings.ToUpper(strings.TrimSpace(d.Severity))
}

func docRef(d *Doc) DocRef {
	return DocRef{ID: d.ID, Title: d.Title, Path: d.Path, Date: date(d.Date)}
}

func target(t ticket.Target) string {
	if t.Tracker == "" && t.Repo == "" && t.Project == "" {
		return ""
	}
	return t.String()
}
