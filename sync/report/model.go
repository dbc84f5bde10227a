package report

// Schema names the JSON schema of Report; it changes only when a field is
// removed or changes meaning (new fields may be added within v1).
const Schema = "pmsync.report/v1"

// Report is the follow-through report. Its JSON form is the documented
// schema (see the package comment); field order is the struct order.
// Lists are never null: an empty list is [].
type Report struct {
	Schema      string `json:"schema"`
	GeneratedAt string `json:"generated_at"` // Input.Now, RFC 3339, UTC
	Today       string `json:"today"`        // YYYY-MM-DD, UTC date of Input.Now
	Postmortems int    `json:"postmortems"`  // number of documents

	Totals Counts `json:"totals"`

	Overdue   []ItemRow `json:"overdue"` // oldest due first
	Missing   []ItemRow `json:"missing"` // tickets that are gone
	OpenByAge OpenAge   `json:"open_by_age"`

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
	Items     []ItemRow    `json:"items"`     // one per item; the CSV rows
}

// Counts are the counters shared by the totals, every breakdown row and
// every document summary.
//
// The states partition the items: items = open + in_progress + done +
// wont_do + missing; and done = done_on_time + done_late +
// done_without_due + done_undated. overdue and no_ticket are subsets of
// open + in_progress.
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
	Missing     int `json:"missing"`
	NoTicket    int `json:"no_ticket"`
	// Rates are 0..1 and absent when their denominator is 0.
	CompletionRate *float64  `json:"completion_rate,omitempty"`
	OnTimeRate     *float64  `json:"on_time_rate,omitempty"`
	TimeToClose    CloseTime `json:"time_to_close"`
}

// CloseTime is time to close in days over the done items that have both
// a done date and a ticket creation date.
type CloseTime struct {
	Count      int  `json:"count"`
	MedianDays *int `json:"median_days,omitempty"`
	P90Days    *int `json:"p90_days,omitempty"`
}

// Group is one row of a breakdown. Key "" means none (no team, no owner,
// no severity, unknown incident month).
type Group struct {
	Key string `json:"key"`
	Counts
}

// ItemRef names an item in the report's lists.
type ItemRef struct {
	DocID     string `json:"doc_id"`
	DocTitle  string `json:"doc_title"`
	Kind      string `json:"kind"` // action or factor
	Key       string `json:"key"`
	Text      string `json:"text"`
	Line      int    `json:"line,omitempty"`
	Team      string `json:"team,omitempty"`
	Owner     string `json:"owner,omitempty"` // as written in the document
	State     string `json:"state"`           // open, in_progress, done, wont_do, missing
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
	// OnTime: done on or before due; absent unless done with both dates.
	OnTime          *bool  `json:"on_time,omitempty"`
	AgeDays         *int   `json:"age_days,omitempty"`      // open or in progress with a creation date
	DaysToClose     *int   `json:"days_to_close,omitempty"` // done with both dates
	TrackerDue      string `json:"tracker_due,omitempty"`
	TrackerAssignee string `json:"tracker_assignee,omitempty"`
	SlipDays        int    `json:"slip_days,omitempty"` // tracker due later than the document's, in days
}

// OpenAge counts open and in-progress items by age = today − ticket
// created.
type OpenAge struct {
	Buckets []AgeBucket `json:"buckets"`
	// Unknown counts open items without a creation date (no ticket yet).
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

// Drift is one field where the document and the tracker disagree.
type Drift struct {
	ItemRef
	Field    string `json:"field"`    // owner or due
	Document string `json:"document"` // owner's account, or due date
	Tracker  string `json:"tracker"`  // assignee ("" = unassigned), or due date
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

// Hygiene lists what the documents lack.
type Hygiene struct {
	NoActionItems []DocRef `json:"no_action_items"`
	// UnaddressedFactors: factors no action names, in postmortems where
	// at least one action names the factors it addresses.
	UnaddressedFactors []ItemRef `json:"unaddressed_factors"`
	// Unlinked: postmortems with factors and actions where no action
	// names a factor; their factors are not listed one by one.
	Unlinked      []DocRef         `json:"unlinked"`
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

// DocSummary is one postmortem with its items' counters.
type DocSummary struct {
	DocRef
	Severity string   `json:"severity,omitempty"`
	Teams    []string `json:"teams"`
	Counts
}
