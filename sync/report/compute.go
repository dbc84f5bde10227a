package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// fact is one item with what Compute derived for it.
type fact struct {
	it    *Item
	doc   *Doc // nil when the item's document is not in the input
	state ticket.State
	row   ItemRow
	done  time.Time // done date (UTC day), zero when unknown
	close *int      // days to close
}

// Compute builds the report. It is pure: "today" is in.Now's UTC date.
func Compute(in Input) *Report {
	today := day(in.Now)
	r := &Report{
		Schema:        Schema,
		GeneratedAt:   in.Now.UTC().Format(time.RFC3339),
		Today:         today.Format(ticket.DateLayout),
		Postmortems:   len(in.Docs),
		Overdue:       []ItemRow{},
		Missing:       []ItemRow{},
		IncidentTimes: []SeverityTimes{},
		Drift:         []Drift{},
		Orphans:       []Orphan{},
		Impostors:     slices.Clone(in.Impostors),
		Documents:     []DocSummary{},
		Items:         []ItemRow{},
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

	facts := make([]*fact, len(in.Items))
	for i := range in.Items {
		facts[i] = derive(&in.Items[i], docs[in.Items[i].DocID], today)
	}
	// Items in document order: doc id, line, key.
	slices.SortStableFunc(facts, func(a, b *fact) int {
		return cmp.Or(strings.Compare(a.it.DocID, b.it.DocID), cmp.Compare(a.it.Line, b.it.Line), strings.Compare(a.it.Key, b.it.Key))
	})

	var total acc
	team, owner, sev, month, kind, perDoc := groups{}, groups{}, groups{}, groups{}, groups{}, groups{}
	var slips []int
	r.OpenByAge = OpenAge{Buckets: newBuckets()}
	for _, f := range facts {
		it := f.it
		total.add(f)
		team.add(strings.TrimSpace(it.Team), f)
		owner.add(strings.TrimSpace(it.Owner), f)
		sev.add(f.row.Severity, f)
		month.add(incidentMonth(f.doc), f)
		kind.add(string(it.Kind), f)
		perDoc.add(it.DocID, f)
		r.Items = append(r.Items, f.row)

		switch {
		case f.row.Overdue:
			r.Overdue = append(r.Overdue, f.row)
		case f.state == ticket.StateMissing:
			r.Missing = append(r.Missing, f.row)
		}
		if f.state == ticket.StateOpen || f.state == ticket.StateInProgress {
			if f.row.AgeDays == nil {
				r.OpenByAge.Unknown++
			} else {
				for i := range r.OpenByAge.Buckets {
					b := &r.OpenByAge.Buckets[i]
					if *f.row.AgeDays >= b.MinDays && (b.MaxDays == nil || *f.row.AgeDays <= *b.MaxDays) {
						b.Count++
						break
					}
				}
			}
		}

		// Slippage and drift compare with the tracker, so they need a
		// ticket the tracker still has.
		if !it.Ticket.IsZero() && f.state != ticket.StateMissing {
			if !it.Due.IsZero() && !it.TrackerDue.IsZero() {
				r.Slippage.Compared++
				if f.row.SlipDays > 0 {
					slips = append(slips, f.row.SlipDays)
				}
			}
			if it.OwnerAccount != "" && !strings.EqualFold(it.OwnerAccount, it.TrackerAssignee) {
				r.Drift = append(r.Drift, Drift{ItemRef: f.row.ItemRef, Field: "owner", Document: it.OwnerAccount, Tracker: it.TrackerAssignee})
			}
			if !it.Due.IsZero() && !it.TrackerDue.IsZero() && !day(it.Due).Equal(day(it.TrackerDue)) {
				r.Drift = append(r.Drift, Drift{ItemRef: f.row.ItemRef, Field: "due", Document: f.row.Due, Tracker: f.row.TrackerDue})
			}
		}

		if it.NoOwner || strings.TrimSpace(it.Owner) == "" {
			r.Hygiene.NoOwner = append(r.Hygiene.NoOwner, f.row.ItemRef)
		} else if it.OwnerAccount == "" && !it.OwnerTeam {
			r.Hygiene.UnknownOwners = append(r.Hygiene.UnknownOwners, f.row.ItemRef)
		}
		if it.Due.IsZero() {
			r.Hygiene.NoDue = append(r.Hygiene.NoDue, f.row.ItemRef)
		}
	}
	r.Totals = total.counts()
	r.ByTeam, r.ByOwner, r.BySeverity, r.ByMonth, r.ByKind = team.rows(), owner.rows(), sev.rows(), month.rows(), kind.rows()

	slices.SortStableFunc(r.Overdue, func(a, b ItemRow) int {
		return cmp.Or(strings.Compare(a.Due, b.Due), strings.Compare(a.DocID, b.DocID), strings.Compare(a.Key, b.Key))
	})
	slices.SortStableFunc(r.Drift, func(a, b Drift) int {
		return cmp.Or(strings.Compare(a.DocID, b.DocID), strings.Compare(a.Key, b.Key), strings.Compare(a.Field, b.Field))
	})

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
	hygieneLinks(r, in.Docs, facts)

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
		s := DocSummary{DocRef: docRef(d), Severity: severity(d), Teams: append([]string{}, d.Teams...)}
		if a := perDoc[d.ID]; a != nil {
			s.Counts = a.counts()
		} else {
			s.Counts = (&acc{}).counts()
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

// derive computes one item's row.
func derive(it *Item, d *Doc, today time.Time) *fact {
	f := &fact{it: it, doc: d, state: state(it)}
	row := ItemRow{
		ItemRef: ItemRef{
			DocID: it.DocID, Kind: string(it.Kind), Key: it.Key, Text: it.Text, Line: it.Line,
			Team: strings.TrimSpace(it.Team), Owner: strings.TrimSpace(it.Owner), State: string(f.state),
			Ticket: it.Ticket.Text, TicketURL: it.Ticket.URL,
		},
		OwnerAccount:    it.OwnerAccount,
		Due:             date(it.Due),
		DoneInDoc:       it.DoneInDoc,
		Created:         date(it.Created),
		TrackerDue:      date(it.TrackerDue),
		TrackerAssignee: it.TrackerAssignee,
	}
	if d != nil {
		row.DocTitle, row.IncidentDate, row.Severity = d.Title, date(d.Date), severity(d)
	}
	open := f.state == ticket.StateOpen || f.state == ticket.StateInProgress
	if open {
		row.NoTicket = it.Ticket.IsZero()
		if !it.Due.IsZero() && day(it.Due).Before(today) {
			row.Overdue = true
			row.DaysOverdue = days(it.Due, today)
		}
		if !it.Created.IsZero() {
			row.AgeDays = ptr(max(0, days(it.Created, today)))
		}
	}
	if f.state == ticket.StateDone && !it.DoneInDoc && !it.Done.IsZero() {
		f.done = day(it.Done)
		row.Done = date(it.Done)
		if !it.Due.IsZero() {
			row.OnTime = ptr(!f.done.After(day(it.Due)))
		}
		if !it.Created.IsZero() {
			// A done date before the ticket was opened (an adopted ticket
			// closed earlier) counts as closing the same day.
			f.close = ptr(max(0, days(it.Created, it.Done)))
			row.DaysToClose = f.close
		}
	}
	if !it.Ticket.IsZero() && f.state != ticket.StateMissing && !it.Due.IsZero() && !it.TrackerDue.IsZero() {
		if s := days(it.Due, it.TrackerDue); s > 0 {
			row.SlipDays = s
		}
	}
	f.row = row
	return f
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

// acc accumulates Counts.
type acc struct {
	c     Counts
	close []int
}

func (a *acc) add(f *fact) {
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
		case f.row.OnTime == nil:
			c.DoneUndated++
		case *f.row.OnTime:
			c.DoneOnTime++
		default:
			c.DoneLate++
		}
	}
	if f.row.Overdue {
		c.Overdue++
	}
	if f.row.NoTicket {
		c.NoTicket++
	}
	if f.close != nil {
		a.close = append(a.close, *f.close)
	}
}

func (a *acc) counts() Counts {
	c := a.c
	c.CompletionRate = ratio(c.Done, c.Items-c.WontDo)
	c.OnTimeRate = ratio(c.DoneOnTime, c.DoneOnTime+c.DoneLate)
	c.TimeToClose = CloseTime{Count: len(a.close)}
	if len(a.close) > 0 {
		s := slices.Sorted(slices.Values(a.close))
		c.TimeToClose.MedianDays = ptr(Percentile(s, 50))
		c.TimeToClose.P90Days = ptr(Percentile(s, 90))
	}
	return c
}

// groups is a breakdown under construction.
type groups map[string]*acc

func (g groups) add(key string, f *fact) {
	a := g[key]
	if a == nil {
		a = &acc{}
		g[key] = a
	}
	a.add(f)
}

// rows sorts by key, with the "none" key "" last.
func (g groups) rows() []Group {
	out := make([]Group, 0, len(g))
	for k, a := range g {
		out = append(out, Group{Key: k, Counts: a.counts()})
	}
	slices.SortFunc(out, func(a, b Group) int { return noneLast(a.Key, b.Key) })
	return out
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

// hygieneLinks finds postmortems without action items and factors no
// action addresses.
func hygieneLinks(r *Report, docs []Doc, facts []*fact) {
	type parts struct {
		factors   []*fact
		actions   int
		addressed map[string]bool
	}
	byDoc := map[string]*parts{}
	for _, f := range facts {
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
			r.Hygiene.Unlinked = append(r.Hygiene.Unlinked, docRef(d))
		default:
			for _, f := range p.factors {
				if !p.addressed[f.it.Key] {
					r.Hygiene.UnaddressedFactors = append(r.Hygiene.UnaddressedFactors, f.row.ItemRef)
				}
			}
		}
	}
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
