// Package postmortem reads a Markdown postmortem into a model of its
// metadata, contributing factors and action items, and edits the cells
// and suffixes pmsync owns without touching any other byte.
// It does no I/O: bytes in, bytes out.
package postmortem

import (
	"fmt"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Options are the parts of the configuration the parser needs.
type Options struct {
	// FinalWords are the status words that mark a finalized document
	// (matched against the first word of the status, case-insensitively).
	FinalWords []string
	// FinalWhenUnstated decides documents that state no status at all.
	FinalWhenUnstated bool
	// Directory resolves owners.
	Directory Directory
	// Horizons maps horizon labels ("short-term") to a span after the anchor.
	Horizons map[string]Span
	// DueAfter is the default due span keyed by priority ("P1"), severity
	// ("SEV2") or "default".
	DueAfter map[string]Span
	// FactorsListOnly keeps the behaviour before prose factors were read:
	// only list items and table rows under a factors heading are factors
	// (factors.prose: ignore).
	FactorsListOnly bool
	// JiraProjects are the Jira project keys pmsync is configured with
	// (every Jira tracker's, route's, team's and allowed project). A
	// bare Jira-shaped word in an item ("PAY-877", no link) is read as
	// the item's existing ticket when its project is one of these, or is
	// not a common technical token (UTF-8, SHA-256, HTTP-2, ISO-8601,
	// SEV-1, ...).
	JiraProjects []string
}

// DefaultFinalWords are the status words of SPEC §2.2.
var DefaultFinalWords = []string{"final", "finalized", "published", "complete", "completed", "closed", "reviewed", "approved", "done"}

// incidentFinalWords name the incident's state, not the document's:
// "Status: Resolved" means the review is final unless the document says
// it is still a draft.
var incidentFinalWords = map[string]bool{"resolved": true}

// Doc is one parsed postmortem.
type Doc struct {
	Path  string // as given to Parse; used in diagnostics
	ID    string
	Title string

	Status    string // the status as written ("" when unstated)
	Finalized bool
	// DraftReason says why a document is not finalized, for lint.
	DraftReason string
	// StatusLine is where the status is written (0: nowhere).
	StatusLine int

	Date     time.Time // incident date (UTC midnight), zero when unknown
	Severity string
	Teams    []string
	Services []string
	Authors  []string
	Tracker  string // the document's default route

	StartedAt, DetectedAt, RespondedAt, ResolvedAt time.Time

	Factors []*Item
	Actions []*Item

	Diags []Diagnostic

	// Sections records which of the blameless-postmortem questions the
	// document answers, by normalized section name; used by lint.
	Sections []Section

	src    []byte
	bodyAt int
	parser *Parser // for verifying write-backs // byte offset where the Markdown body starts (after front matter)
}

// Section is one heading (or heading-like label) of the document.
type Section struct {
	Title string
	Level int
	Line  int
	// Prose is true when the section has text but no list or table.
	Prose bool
	// Empty is true when the section holds nothing but comments.
	Empty bool
	// Skipped are the paragraphs (and checklists) of a factors or actions
	// section that are not items, each with lint's whole message.
	Skipped []Diagnostic
	// weak: a "Conclusion" read as a factors section, which counts only
	// when the document has no other.
	weak bool
	// kind is what the parser read the section as; lint says nothing the
	// parser did not do.
	kind sectionKind
}

// skip records, for lint, a block of the section that is not read as
// items: what it is ("paragraph", "checklist") and why.
func (s *Section) skip(line int, what, why string) {
	s.Skipped = append(s.Skipped, Diagnostic{Level: LevelWarning, Line: line, Message: fmt.Sprintf("%s under %q %s", what, s.Title, why)})
}

// Item is one contributing factor or action item.
type Item struct {
	Kind ticket.Kind
	Key  string
	// Text is the item's title: Markdown stripped, inline metadata
	// (owner, due, priority, status, pmsync's suffix) removed.
	Text string
	// Detail is the rest of the item (a description after a bold title).
	Detail string
	Line   int

	OwnerRaw string
	Owner    Owner
	Due      time.Time
	DueRaw   string
	// DueFrom says where Due came from: "document", "horizon", "policy".
	DueFrom  string
	Horizon  string
	Priority string // P0..P4 when known
	Type     string
	Team     string
	Factor   string // the factor(s) an action addresses, as written
	ID       string // the table's own id column, when present

	// Ticket is the tracker reference found in the document (adopted).
	Ticket ticket.Ref
	// Status is pmsync's own status words when present.
	Status    ticket.Status
	HasStatus bool
	// StatusRaw is any status text a human wrote (DONE, TODO, (done), ...).
	StatusRaw string
	// Done is true when the document says the item is already done
	// (a checked box, DONE, (done), FIXED, Completed ...).
	Done bool

	// Errors are problems with this item alone; an item with errors is
	// skipped by sync.
	Errors []Diagnostic

	loc itemLoc
	// ownerUnsure / dueUnsure: read from a mention or the end of the text,
	// not a field that says so; one that cannot be resolved or read is a
	// warning, and the item is opened unassigned or with the default due
	// date, never with a guess.
	ownerUnsure, dueUnsure bool
	section                int  // index into Doc.Sections of its factors or actions section, -1 outside one
	group                  int  // index into Doc.Sections of the innermost heading or label above it
	prose                  bool // a paragraph: its title is its first sentence
}

// Severity of a diagnostic.
type Level string

const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
)

// Diagnostic is a problem found in a document, with its line (1-based;
// 0 when it concerns the whole file).
type Diagnostic struct {
	Level   Level  `json:"-"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Span is a due-date distance: a number of days and months.
type Span struct {
	Days   int
	Months int
}

// IsZero reports an empty span.
func (s Span) IsZero() bool { return s.Days == 0 && s.Months == 0 }

// AddTo returns t moved forward by the span; a month from Jan 31 is the
// end of February, not early March.
func (s Span) AddTo(t time.Time) time.Time { return dueAdd(t, s) }

// Directory is who owners may be: the config's people and teams.
type Directory struct {
	People map[string]Person
	Teams  map[string]Team

	index *ownerIndex // set by Indexed
}

// Person is one entry of the config's people.
type Person struct {
	Key    string
	Name   string
	Email  string
	GitHub string
	Jira   string // Jira Cloud accountId or Data Center user name
}

// Team is one entry of the config's teams.
type Team struct {
	Key    string
	GitHub string // owner/repo the team's tickets go to
	Jira   string // project key
}

// Owner is a resolved owner. At most one of Person, Team and Handle is set.
type Owner struct {
	Raw    string
	Person string // key in Directory.People
	Team   string // key in Directory.Teams
	// Handle is a GitHub login written as @handle that is not in people;
	// it is usable as a GitHub assignee as it stands.
	Handle string
}

// IsZero reports an item without an owner.
func (o Owner) IsZero() bool { return o.Person == "" && o.Team == "" && o.Handle == "" }

// Bytes is the document as read.
func (d *Doc) Bytes() []byte { return d.src }

// Items returns the factors then the action items.
func (d *Doc) Items() []*Item {
	return append(append(make([]*Item, 0, len(d.Factors)+len(d.Actions)), d.Factors...), d.Actions...)
}

// HasErrors reports whether the item has an error (not just warnings).
func (it *Item) HasErrors() bool {
	for _, e := range it.Errors {
		if e.Level == LevelError {
			return true
		}
	}
	return false
}

// IsProse reports an item read from a paragraph (for the scoring tools).
func IsProse(it *Item) bool { return it.prose }
