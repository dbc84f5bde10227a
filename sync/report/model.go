package report

// Schema names the JSON schema of Report; it changes only when a field is
// removed or changes meaning (new fields may be added within v2). v2: the
// totals and breakdowns count action items, factors are counted apart;
// owners and teams are merged through the directory; ages and time to
// close count from the postmortem's date.
const Schema = "pmsync.report/v2"

// Report is the follow-through report. Its JSON form is the documented
// schema (see the package comment); field order is the struct order.
// Lists are never null: an empty list is [].
type Report struct {
	Schema      string `json:"schema"`
	GeneratedAt string `json:"generated_at"` // Input.Now, RFC 3339, UTC
	Today       string `json:"today"`        // YYYY-MM-DD, UTC date of Input.Now
	// Offline: built from the documents and .pmsync/ alone (report
	// --offline), so ticket states are as of AsOf, the last sync's
	// listing (RFC 3339, UTC; absent when no sync has run).
	Offline     bool   `json:"offline,omitempty"`
	AsOf        string `json:"as_of,omitempty"`
	Postmortems int    `json:"postmortems"` // number of documents

	// Totals count the action items, the commitments; the contributing
	// factors are counted apart, in Factors.
	Totals  Counts  `json:"totals"`
	Factors Factors `json:"factors"`

	Overdue   List    `json:"overdue"` // overdue action items, oldest due first
	Missing   List    `json:"missing"` // items (factors too) whose ticket is gone
	OpenByAge OpenAge `json:"open_by_age"`

	// Escalation is the overdue and soon due action items per team, in
	// tiers of days overdue; Carrying who has the most overdue.
	Escalation []TeamEscalation `json:"escalation"`
	Carrying   []Carrier        `json:"carrying"`
	// Nudges is what the reminders posted on action items' tickets did
	// (nudges.go).
	Nudges Nudges `json:"nudges"`

	// Breakdowns of the action items; ByKind has a row for each kind.
	ByTeam     []Group `json:"by_team"`
	ByOwner    []Group `json:"by_owner"`
	BySeverity []Group `json:"by_severity"`
	ByMonth    []Group `json:"by_month"`
	ByKind     []Group `json:"by_kind"`

	Trends  Trends   `json:"trends"`  // action items over time, weekly, from the history (trends.go)
	Cohorts []Cohort `json:"cohorts"` // action items done within 30/60/90 days, by incident month (cohort.go)

	IncidentTimes []SeverityTimes `json:"incident_times"`
	Slippage      Slippage        `json:"slippage"`
	Drift         []Drift         `json:"drift"`
	Orphans       []Orphan        `json:"orphans"`
	Impostors     []Impostor      `json:"impostors"`
	Hygiene       Hygiene         `json:"hygiene"`

	Documents []DocSummary `json:"documents"` // incident date, newest first
	Items     List         `json:"items"`     // one per item; the CSV rows
}

// Counts are the counters shared by the totals, every breakdown row and
// every document summary.
//
// The states partition the items: items = open + in_progress + done +
// wont_do + missing; and done = done_on_time + done_late +
// done_without_due + done_undated. overdue, due_soon and no_ticket are
// subsets of open + in_progress.
type Counts struct {
	Items          int `json:"items"`
	Done           int `json:"done"`
	DoneOnTime     int `json:"done_on_time"`
	DoneLate       int `json:"done_late"`
	DoneWithoutDue int `json:"done_without_due"`
	// DoneUndated: done with a due date but no known done date (a box
	// checked in the document), so neither on time nor late.
	DoneUndated int `json:"done_undated"`
	WontDo      int `json:"wont_do"`
	Open        int `json:"open"`
	InProgress  int `json:"in_progress"`
	Overdue     int `json:"overdue"`
	// DueSoon: open or in progress and due within the next 7 days (today
	// included).
	DueSoon  int `json:"due_soon"`
	Missing  int `json:"missing"`
	NoTicket int `json:"no_ticket"`
	// Rates are 0..1 and absent when their denominator is 0.
	CompletionRate *float64 `json:"completion_rate,omitempty"`
	OnTimeRate     *float64 `json:"on_time_rate,omitempty"`
	// TimeToClose counts from the postmortem's date (the ticket's
	// creation when the postmortem has none); TimeToCloseFromTicket, the
	// secondary figure, from the ticket's creation.
	TimeToClose           CloseTime `json:"time_to_close"`
	TimeToCloseFromTicket CloseTime `json:"time_to_close_from_ticket"`
}

// CloseTime is time to close in days over the done items that have both
// a done date and a date to count from.
type CloseTime struct {
	Count      int  `json:"count"`
	MedianDays *int `json:"median_days,omitempty"`
	P90Days    *int `json:"p90_days,omitempty"`
}

// Group is one row of a breakdown. Key "" means none (no team, no owner,
// no severity, unknown incident month).
//
// In by_owner the key is a person's key in the directory, "team:" and a
// team key for a team owner, "@login" for a GitHub login that is not in
// people, UnresolvedOwner for every owner that resolves to nobody, "" for
// no owner.
type Group struct {
	Key string `json:"key"`
	// Name (by_owner) is how the row is shown: the person's name.
	Name string `json:"name,omitempty"`
	// Spellings (by_owner) are the owners as written that the row
	// gathers, sorted.
	Spellings []string `json:"spellings,omitempty"`
	Counts
}

// Factors are the contributing factors, reported apart from the action
// items: their tickets are bugs to fix, not commitments with a due date.
type Factors struct {
	Counts     Counts `json:"counts"`
	WithTicket int    `json:"with_ticket"`
	// OpenBugs are the factors with a ticket that is open or in
	// progress, oldest postmortem first.
	OpenBugs List `json:"open_bugs"`
	// Unaddressed are the factors no action item names, in postmortems
	// where at least one action item names the factors it addresses (as
	// Hygiene.UnaddressedFactors).
	Unaddressed []ItemRef `json:"unaddressed"`
	// Unlinked are the postmortems with factors and action items where no
	// action names a factor (naming them is optional), so their factors
	// cannot be checked one by one.
	Unlinked []DocRef `json:"unlinked"`
}

// TeamEscalation is one team's overdue and soon due action items.
type TeamEscalation struct {
	Team              string `json:"team"` // "" = none
	Overdue           int    `json:"overdue"`
	DueSoon           int    `json:"due_soon"`
	OldestDaysOverdue int    `json:"oldest_days_overdue"` // 0 when none is overdue
	// Tiers are always the same five, oldest first: >90, 31-90, 8-30,
	// 1-7 days overdue, and due soon.
	Tiers []Tier `json:"tiers"`
}

// Tier is a range of days overdue (today − due), inclusive: due soon is
// −7..0 (due within the next 7 days, today included); MaxDaysOverdue is
// absent for the open-ended >90. Items are oldest due first.
type Tier struct {
	Label          string    `json:"label"`
	MinDaysOverdue int       `json:"min_days_overdue"`
	MaxDaysOverdue *int      `json:"max_days_overdue,omitempty"`
	Items          TierItems `json:"items"`
}

// TierItem is an action item of the escalation view; the item's other
// fields are in items.
type TierItem struct {
	*ItemRef
	Due         string `json:"due"`
	DaysOverdue int    `json:"days_overdue"` // today − due: 0 or less when due soon
}

// Carrier is an owner (a by_owner row) with overdue action items.
type Carrier struct {
	Key               string `json:"key"`  // as in by_owner
	Name              string `json:"name"` // as in by_owner; "" for no owner
	Overdue           int    `json:"overdue"`
	OldestDaysOverdue int    `json:"oldest_days_overdue"`
	DueSoon           int    `json:"due_soon"`
}

// ItemRef names an item in the report's lists.
type ItemRef struct {
	DocID    string `json:"doc_id"`
	DocTitle string `json:"doc_title"`
	Kind     string `json:"kind"` // action or factor
	Key      string `json:"key"`
	Text     string `json:"text"`
	Line     int    `json:"line,omitempty"`
	Team     string `json:"team,omitempty"`  // merged through the directory
	Owner    string `json:"owner,omitempty"` // as written in the document
	// Person is the key in the directory the owner resolved to;
	// OwnerName the person's name.
	Person    string `json:"person,omitempty"`
	OwnerName string `json:"owner_name,omitempty"`
	State     string `json:"state"` // open, in_progress, done, wont_do, missing
	Ticket    string `json:"ticket,omitempty"`
	TicketURL string `json:"ticket_url,omitempty"`
}

// ItemRow is one item with everything the report derived for it. Dates
// are YYYY-MM-DD (UTC); absent values are omitted.
type ItemRow struct {
	ItemRef
	IncidentDate string `json:"incident_date,omitempty"`
	Severity     string `json:"severity,omitempty"` // upper-cased
	OwnerAccount string `json:"owner_account,omitempty"`
	Due          string `json:"due,omitempty"` // the document's due date
	DoneInDoc    bool   `json:"done_in_doc"`
	NoTicket     bool   `json:"no_ticket"` // open or in progress without a ticket yet
	Created      string `json:"created,omitempty"`
	Done         string `json:"done,omitempty"`
	Overdue      bool   `json:"overdue"`
	DaysOverdue  int    `json:"days_overdue,omitempty"`
	DueSoon      bool   `json:"due_soon"` // open or in progress, due within the next 7 days
	// OnTime: done on or before due; absent unless done with both dates.
	OnTime *bool `json:"on_time,omitempty"`
	// AgeDays (open or in progress) and DaysToClose (done with a done
	// date) count from the postmortem's date, when the commitment was
	// made; FromTicket: the postmortem has no date, so they count from
	// the ticket's creation. TicketAgeDays and DaysToCloseFromTicket are
	// the secondary figures, from the ticket's creation.
	AgeDays               *int   `json:"age_days,omitempty"`
	TicketAgeDays         *int   `json:"ticket_age_days,omitempty"`
	DaysToClose           *int   `json:"days_to_close,omitempty"`
	DaysToCloseFromTicket *int   `json:"days_to_close_from_ticket,omitempty"`
	FromTicket            bool   `json:"from_ticket,omitempty"`
	TrackerDue            string `json:"tracker_due,omitempty"`
	TrackerAssignee       string `json:"tracker_assignee,omitempty"`
	TrackerAssigneeName   string `json:"tracker_assignee_name,omitempty"` // the person who has that account
	SlipDays              int    `json:"slip_days,omitempty"`             // tracker due later than the document's, in days
	// Nudges is how many reminders pmsync posted on its ticket;
	// LastNudge the latest as step@YYYY-MM-DD.
	Nudges    int    `json:"nudges,omitempty"`
	LastNudge string `json:"last_nudge,omitempty"`
}

// OpenAge counts open and in-progress action items by age = today − the
// postmortem's date (the ticket's creation when the postmortem has none).
type OpenAge struct {
	Buckets []AgeBucket `json:"buckets"`
	// Unknown counts open items with neither date.
	Unknown int `json:"unknown"`
}

// AgeBucket is one age range in days, inclusive; MaxDays is absent for
// the last, open-ended bucket.
type AgeBucket struct {
	Label   string `json:"label"`
	MinDays int    `json:"min_days"`
	MaxDays *int   `json:"max_days,omitempty"`
	Count   int    `json:"count"`
}

// SeverityTimes are the incident response medians of one severity.
type SeverityTimes struct {
	Severity  string  `json:"severity"`  // upper-cased; "" = none
	Documents int     `json:"documents"` // postmortems of this severity
	Detect    Minutes `json:"detect"`    // detected_at − started_at
	Respond   Minutes `json:"respond"`   // responded_at − detected_at
	Resolve   Minutes `json:"resolve"`   // resolved_at − started_at
}

// Minutes is a median over the Count documents that have both timestamps
// in order.
type Minutes struct {
	Count         int      `json:"count"`
	MedianMinutes *float64 `json:"median_minutes,omitempty"`
}

// Slippage is how often and how far the tracker's due date moved later
// than the document's.
type Slippage struct {
	Compared   int      `json:"compared"` // items with a ticket and both due dates
	Slipped    int      `json:"slipped"`
	Rate       *float64 `json:"rate,omitempty"` // slipped / compared
	MedianDays *int     `json:"median_days,omitempty"`
	MaxDays    *int     `json:"max_days,omitempty"`
	TotalDays  int      `json:"total_days"`
}

// Drift is one field where the document and the tracker disagree. For
// the owner, Document and Tracker are the people's names where the
// directory knows the accounts, else the accounts.
type Drift struct {
	ItemRef
	Field    string `json:"field"`    // owner or due
	Document string `json:"document"` // owner, or due date
	Tracker  string `json:"tracker"`  // assignee ("" = unassigned), or due date
	// The accounts compared, for the owner.
	DocumentAccount string `json:"document_account,omitempty"`
	TrackerAccount  string `json:"tracker_account,omitempty"`
}

// Orphan is a pmsync ticket whose item left its postmortem.
type Orphan struct {
	DocID     string `json:"doc_id"` // from the ticket's marker
	Key       string `json:"key"`
	Ticket    string `json:"ticket"`
	TicketURL string `json:"ticket_url,omitempty"`
	Target    string `json:"target,omitempty"`
	Title     string `json:"title"`
	State     string `json:"state"`
	Assignee  string `json:"assignee,omitempty"`
	Created   string `json:"created,omitempty"`
}

// Impostor is a ticket carrying pmsync's marker that another account
// opened: pmsync did not adopt it; someone should look at it.
type Impostor struct {
	Ticket    string `json:"ticket"`
	TicketURL string `json:"ticket_url,omitempty"`
	Target    string `json:"target"`
	DocID     string `json:"doc_id"` // from its marker
	Key       string `json:"key"`    // from its marker
	Title     string `json:"title"`
	Author    string `json:"author"`
	Seen      string `json:"seen"` // YYYY-MM-DD a run first saw it
}

// DocRef names a postmortem.
type DocRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Path  string `json:"path,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Hygiene lists what someone must fix in the documents or the
// directory. NoOwner, NoDue and UnknownOwners are action items not yet
// done or dropped (open, in progress or missing): factors need no owner
// and no due date.
type Hygiene struct {
	NoActionItems []DocRef `json:"no_action_items"`
	// UnaddressedFactors: factors no action names, in postmortems where
	// at least one action names the factors it addresses.
	UnaddressedFactors []ItemRef `json:"unaddressed_factors"`
	// Unlinked is Factors.Unlinked, kept for the HTML page; not in the
	// JSON (naming factors is optional: nothing to fix).
	Unlinked      []DocRef         `json:"-"`
	NoOwner       []ItemRef        `json:"no_owner"`
	NoDue         []ItemRef        `json:"no_due"`
	UnknownOwners []ItemRef        `json:"unknown_owners"` // owner resolves to no tracker account
	BadTimestamps []TimestampIssue `json:"bad_timestamps"`
}

// TimestampIssue is a measure left out of the incident medians because
// its end is before its start.
type TimestampIssue struct {
	DocRef
	Measure string  `json:"measure"` // detect, respond or resolve
	Minutes float64 `json:"minutes"` // negative
}

// DocSummary is one postmortem with its action items' counters, and how
// many factors it has and how many of them are open.
type DocSummary struct {
	DocRef
	Severity    string   `json:"severity,omitempty"`
	Teams       []string `json:"teams"` // merged through the directory
	Factors     int      `json:"factors"`
	OpenFactors int      `json:"open_factors"`
	Counts
}

// Provenance says where an offline report's ticket states come from, for
// the top of every page; "" for a report that read the trackers.
func (r *Report) Provenance() string {
	if !r.Offline {
		return ""
	}
	if r.AsOf == "" {
		return "Offline: from the documents alone; no sync has run, so no ticket state is known."
	}
	return "Offline: from the documents and .pmsync/ only, as of the last sync at " + r.AsOf + "; tickets may have changed since."
}
