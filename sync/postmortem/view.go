package postmortem

import "github.com/pmsync/pmsync/sync/ticket"

// DocView is a document as `pmsync lint --format json` prints it (SPEC §5).
// Field names are a public interface: add, never rename.
type DocView struct {
	Path        string       `json:"path"`
	ID          string       `json:"id"`
	Title       string       `json:"title"`
	Status      string       `json:"status"`
	Finalized   bool         `json:"finalized"`
	Date        string       `json:"date,omitempty"`
	Severity    string       `json:"severity,omitempty"`
	Factors     []FactorView `json:"factors"`
	ActionItems []ActionView `json:"action_items"`
	Errors      []Diagnostic `json:"errors"`
	Warnings    []Diagnostic `json:"warnings"`
}

// FactorView is one contributing factor in DocView.
type FactorView struct {
	Key    string `json:"key"`
	Text   string `json:"text"`
	Line   int    `json:"line"`
	Ticket string `json:"ticket"`
}

// ActionView is one action item in DocView.
type ActionView struct {
	Key      string `json:"key"`
	Text     string `json:"text"`
	Owner    string `json:"owner"`
	Assignee string `json:"assignee"`
	Due      string `json:"due"`
	DueFrom  string `json:"due_from,omitempty"`
	Priority string `json:"priority"`
	Type     string `json:"type"`
	Done     bool   `json:"done"`
	Ticket   string `json:"ticket"`
	Status   string `json:"status,omitempty"`
	Line     int    `json:"line"`
}

// View builds the JSON view. assignee maps an action item to the tracker
// account it would be assigned to on its route ("" when none); it may be nil.
func (d *Doc) View(o LintOptions, assignee func(*Item) string) DocView {
	v := DocView{
		Path: d.Path, ID: d.ID, Title: d.Title, Status: d.Status, Finalized: d.Finalized,
		Severity: d.Severity,
		Factors:  []FactorView{}, ActionItems: []ActionView{},
	}
	if !d.Date.IsZero() {
		v.Date = d.Date.Format(ticket.DateLayout)
	}
	for _, it := range d.Factors {
		v.Factors = append(v.Factors, FactorView{Key: it.Key, Text: it.Text, Line: it.Line, Ticket: refString(it.Ticket)})
	}
	for _, it := range d.Actions {
		a := ActionView{Key: it.Key, Text: it.Text, Owner: it.OwnerRaw, Priority: it.Priority, Type: it.Type,
			Done: it.Done, Ticket: refString(it.Ticket), Line: it.Line, DueFrom: it.DueFrom}
		if !it.Due.IsZero() {
			a.Due = it.Due.Format(ticket.DateLayout)
		}
		if it.HasStatus {
			a.Status = it.Status.String()
		}
		if assignee != nil {
			a.Assignee = assignee(it)
		}
		v.ActionItems = append(v.ActionItems, a)
	}
	v.Errors, v.Warnings = d.Lint(o)
	if v.Errors == nil {
		v.Errors = []Diagnostic{}
	}
	if v.Warnings == nil {
		v.Warnings = []Diagnostic{}
	}
	return v
}

func refString(r ticket.Ref) string {
	if r.URL != "" {
		return r.URL
	}
	return r.Text
}
