package report

import (
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// Input is what the report is computed from.
type Input struct {
	// Now is the moment of the report; "today" is its UTC date.
	Now     time.Time
	Docs    []Doc
	Items   []Item
	Orphans []ticket.Ticket // pmsync's tickets whose item left its postmortem
	// Impostors carry pmsync's marker but were opened by another account.
	Impostors []Impostor
	History   []Snapshot // earlier snapshots (ReadHistory), for Report.Trends
	// Offline: built from the documents and .pmsync/ alone (report
	// --offline); AsOf is then the last successful listing (zero: none).
	Offline bool
	AsOf    time.Time
	// Directory is the config's people and teams: owners are shown by
	// name, a team's spellings are one team, and a tracker account is
	// shown as the person who has it. Empty: people are shown by their
	// key, teams as written (case folded).
	Directory postmortem.Directory
}

// Doc is one finalized postmortem.
type Doc struct {
	Path, ID, Title string
	Date            time.Time // incident date (UTC midnight); zero when unknown
	Severity        string    // as written, e.g. SEV1
	Teams           []string
	StartedAt       time.Time
	DetectedAt      time.Time
	RespondedAt     time.Time
	ResolvedAt      time.Time
}

// Item is one contributing factor or action item with what its tracker
// says.
type Item struct {
	DocID string // Doc.ID of its postmortem
	Key   string
	Kind  ticket.Kind
	Text  string
	Line  int
	// Priority is the item's priority as read (P0–P4); "" for none.
	Priority string
	// Team is the team the item belongs to, as written: its own team
	// column, else its owner's team, else its postmortem's first team; ""
	// when none. The report merges its spellings through the directory.
	Team string
	// Owner is the owner as written; OwnerAccount the tracker account it
	// resolved to ("" when none: unknown owner or no account on the
	// route's tracker). NoOwner: no owner at all.
	Owner        string
	OwnerAccount string
	NoOwner      bool
	// Person is the key in Directory.People the owner resolved to; ""
	// when the owner is no person of the directory.
	Person string
	// OwnerTeam is the key in Directory.Teams when the owner is a team
	// (SPEC §2.4); its ticket is opened unassigned by design, so an empty
	// OwnerAccount is not a finding.
	OwnerTeam string
	// Handle is the GitHub login of an owner written @login that is not
	// in people.
	Handle string
	// Due is the item's due date from the document (or policy); zero when
	// none could be read.
	Due time.Time
	// Addresses lists the factor keys an action item addresses.
	Addresses []string

	// DoneInDoc: the document says it is done and no ticket was opened.
	DoneInDoc bool
	// Ticket is its ticket; zero when none (yet).
	Ticket ticket.Ref
	// State and Done (the done date) as the tracker says; Created is when
	// the ticket was opened.
	State   ticket.State
	Done    time.Time
	Created time.Time
	// TrackerDue and TrackerAssignee are the ticket's own due date and
	// assignee, for drift (zero/"" when the tracker has none).
	TrackerDue      time.Time
	TrackerAssignee string
	// Nudges are the reminders pmsync posted on its ticket (SPEC §6.1),
	// oldest first.
	Nudges []Nudge
}

// Nudge is one reminder or escalation pmsync posted on an item's ticket.
type Nudge struct {
	Step string    // due-soon, due-today, overdue, escalated-<n>d, needs-owner
	At   time.Time // the day it was posted
	// Moved is the day pmsync first saw the item move after it (its
	// state, due date or assignee changed), within 7 days; zero when it
	// did not.
	Moved time.Time
}
