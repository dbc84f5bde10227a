// Package ticket holds the nouns every part of pmsync shares: item keys,
// ticket references and statuses, and the layout of a ticket's body that
// each tracker writes in its own markup. It imports nothing of ours.
package ticket

import (
	"fmt"
	"strings"
	"time"
)

// Kind tells a contributing factor from an action item.
type Kind string

const (
	Factor Kind = "factor"
	Action Kind = "action"
)

// KeyPrefix is the prefix of item keys of this kind (SPEC §4.1).
func (k Kind) KeyPrefix() string {
	if k == Factor {
		return "cf-"
	}
	return "ai-"
}

// State is where a ticket is in its life: open, in progress, done, won't
// do, or missing (deleted, or not found). It is one word; Status is what
// pmsync writes back and reports, the State with its date and flags.
type State string

const (
	StateOpen       State = "open"
	StateInProgress State = "in_progress"
	StateDone       State = "done"
	StateWontDo     State = "wont_do"
	StateMissing    State = "missing"
)

// Status is what the write-back shows for a ticket: its State, the day
// it was done, and whether it is overdue (for example "Done 2026-03-02"
// or "Open (overdue)").
type Status struct {
	State State
	// Done is the day the ticket was completed (StateDone only).
	Done time.Time
	// Overdue marks an open or in-progress ticket past its due date.
	Overdue bool
}

// DateLayout is the one date format pmsync writes.
const DateLayout = "2006-01-02"

// String renders the status words of SPEC §3: "Open", "In progress",
// "Done YYYY-MM-DD", "Won't do", "Missing", with " (overdue)".
func (s Status) String() string {
	var w string
	switch s.State {
	case StateOpen:
		w = "Open"
	case StateInProgress:
		w = "In progress"
	case StateDone:
		if s.Done.IsZero() {
			return "Done"
		}
		return "Done " + s.Done.Format(DateLayout)
	case StateWontDo:
		return "Won't do"
	case StateMissing:
		return "Missing"
	default:
		return ""
	}
	if s.Overdue {
		w += " (overdue)"
	}
	return w
}

// ParseStatus reads the status words pmsync writes (the inverse of String).
// ok is false for any other text, e.g. a human's "TODO".
func ParseStatus(s string) (st Status, ok bool) {
	s = strings.TrimSpace(s)
	if rest, found := strings.CutSuffix(s, " (overdue)"); found {
		st, ok = ParseStatus(rest)
		if !ok || (st.State != StateOpen && st.State != StateInProgress) {
			return Status{}, false
		}
		st.Overdue = true
		return st, true
	}
	switch s {
	case "Open":
		return Status{State: StateOpen}, true
	case "In progress":
		return Status{State: StateInProgress}, true
	case "Won't do":
		return Status{State: StateWontDo}, true
	case "Missing":
		return Status{State: StateMissing}, true
	case "Done":
		return Status{State: StateDone}, true
	}
	if d, found := strings.CutPrefix(s, "Done "); found {
		t, err := time.Parse(DateLayout, d)
		if err == nil {
			return Status{State: StateDone, Done: t}, true
		}
	}
	return Status{}, false
}

// Ref is a reference to one ticket as written in a document: its display
// text (e.g. "acme/sre#12" or "OPS-7") and its URL when known.
type Ref struct {
	Text string
	URL  string
}

// IsZero reports whether the reference is empty.
func (r Ref) IsZero() bool { return r.Text == "" && r.URL == "" }

// Markdown renders the reference as a link when it has a URL.
func (r Ref) Markdown() string {
	switch {
	case r.URL == "":
		return r.Text
	case r.Text == "":
		return "<" + r.URL + ">"
	default:
		return fmt.Sprintf("[%s](%s)", r.Text, r.URL)
	}
}
