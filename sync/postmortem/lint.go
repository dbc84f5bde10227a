package postmortem

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// LintOptions are the reviewer's rules.
type LintOptions struct {
	// RequireOwner makes an action item without owner an error.
	RequireOwner bool
	// BlamelessQuestions adds one finding per document listing the
	// questions of a blameless postmortem it leaves unanswered.
	BlamelessQuestions bool
}

// question is one of the 11 questions a blameless postmortem answers,
// with the section names (normalized words) and metadata that answer it.
type question struct {
	ask      string
	sections []string // a section whose normalized title contains one of these
	has      func(d *Doc) bool
}

var questions = []question{
	{"when did it begin? add started_at or a Timeline section", []string{"timeline", "chain of events", "key events", "incident timing"},
		func(d *Doc) bool { return !d.StartedAt.IsZero() }},
	{"when did it end? add resolved_at or a Timeline section", []string{"timeline", "chain of events", "key events", "duration", "incident timing"},
		func(d *Doc) bool { return !d.ResolvedAt.IsZero() }},
	{"how was it detected? add detected_at or a Detection section", []string{"detection", "detected", "how was", "timeline"},
		func(d *Doc) bool { return !d.DetectedAt.IsZero() }},
	{"who responded? add a Responders or Attendees section, or authors", []string{"responders", "attendees", "participants", "people", "who responded", "response team"},
		func(d *Doc) bool { return len(d.Authors) > 0 }},
	{"when did the response begin? add responded_at or a Timeline section", []string{"timeline", "response", "key events"},
		func(d *Doc) bool { return !d.RespondedAt.IsZero() }},
	{"what was the response? add a Response, Mitigation or Resolution section", []string{"response", "resolution", "mitigation", "recovery", "remediation"}, nil},
	{"what was the impact? add an Impact section", []string{"impact", "customer impact", "user impact"}, nil},
	{"what is left to recover? say so in a Recovery or Status section (\"nothing\" is an answer)", []string{"recovery", "remaining", "left to", "data integrity", "status", "current state"},
		func(d *Doc) bool { return d.Status != "" }},
	{"what went well? add a What went well section", []string{"went well", "worked", "went right", "what went right", "lessons"}, nil},
	{"what went wrong? add a What went wrong section", []string{"went wrong", "didn t go", "did not go", "went badly", "went poorly", "could be improved", "can be improved", "could have gone better", "didn t work", "lessons"}, nil},
	{"where did you get lucky? add a Where we got lucky section", []string{"lucky"}, nil},
}

// Lint checks a parsed document the way a reviewer would. Errors are
// returned only for finalized documents; drafts get warnings.
func (d *Doc) Lint(o LintOptions) (errs, warns []Diagnostic) {
	add := func(l Diagnostic) {
		if l.Level == LevelError && d.Finalized {
			errs = append(errs, l)
		} else {
			l.Level = LevelWarning
			warns = append(warns, l)
		}
	}
	for _, g := range d.Diags {
		add(g)
	}
	var titles []string
	for _, s := range d.Sections {
		titles = append(titles, " "+normHeading(s.Title)+" ")
	}
	answered := func(q question) bool {
		if q.has != nil && q.has(d) {
			return true
		}
		for _, t := range titles {
			for _, w := range q.sections {
				if strings.Contains(t, " "+w+" ") || strings.Contains(t, " "+w) {
					return true
				}
			}
		}
		return false
	}
	if !d.Finalized {
		line := max(d.StatusLine, 1)
		add(Diagnostic{Level: LevelWarning, Line: line, Message: fmt.Sprintf(
			"not synced: this postmortem counts as a draft because %s; when the review is over, write \"Status: Final\" near the top "+
				"(or set finalized.when_unstated: final if a merged postmortem is final)", d.DraftReason)})
	}
	if o.BlamelessQuestions {
		var open []string
		for _, q := range questions {
			if !answered(q) {
				open = append(open, q.ask)
			}
		}
		if len(open) > 0 {
			add(Diagnostic{Level: LevelWarning, Line: 1, Message: fmt.Sprintf(
				"blameless postmortem: %d of %d questions have no answer: %s (lint.blameless_questions: false turns this off)",
				len(open), len(questions), strings.Join(open, "; "))})
		}
	}
	var factorSec, actionSec bool
	for _, s := range d.Sections {
		for _, sk := range s.Skipped {
			add(sk)
		}
		switch {
		case s.weak: // a "Conclusion" need not state causes
		case s.kind == secFactors:
			factorSec = true
			if s.Empty {
				add(Diagnostic{Level: LevelWarning, Line: s.Line, Message: fmt.Sprintf("section %q is empty: list the contributing factors", s.Title)})
			}
		case s.kind == secActions:
			actionSec = true
			if s.Empty {
				add(Diagnostic{Level: LevelWarning, Line: s.Line, Message: fmt.Sprintf("section %q has no action items", s.Title)})
			}
		}
	}
	if len(d.Factors) == 0 && !factorSec {
		add(Diagnostic{Level: LevelWarning, Line: 0, Message: "blameless postmortem: what were the contributing factors? add a Contributing factors section with a list"})
	}
	if len(d.Actions) == 0 {
		msg := "no action items: add an Action items section with a list or table (owner and due date for each)"
		if !actionSec {
			msg = "no Action items section: add one with a list or table (owner and due date for each)"
		}
		add(Diagnostic{Level: LevelError, Line: 0, Message: msg})
	}
	for _, it := range append(append([]*Item{}, d.Factors...), d.Actions...) {
		for _, e := range it.Errors {
			add(e)
		}
	}
	for _, it := range d.Actions {
		if it.Done || !it.Owner.IsZero() || it.HasErrors() {
			continue
		}
		switch {
		case o.RequireOwner:
			add(Diagnostic{Level: LevelError, Line: it.Line, Message: fmt.Sprintf(
				"action item %q has no owner: add (owner: @login) or an Owner column (lint.require_owner is on)", it.Text)})
		case it.Ticket.IsZero(): // a named ticket is adopted: nothing is opened unassigned
			add(Diagnostic{Level: LevelWarning, Line: it.Line, Message: fmt.Sprintf(
				"action item %q has no owner: its ticket will be opened unassigned with the label needs-owner; add (owner: @login)", it.Text)})
		}
	}
	// Timestamps in order.
	ts := []struct {
		name string
		line int
		t    func() bool
	}{
		{"detected_at is before started_at", 0, func() bool { return before(d.DetectedAt, d.StartedAt) }},
		{"responded_at is before detected_at", 0, func() bool { return before(d.RespondedAt, d.DetectedAt) }},
		{"resolved_at is before started_at", 0, func() bool { return before(d.ResolvedAt, d.StartedAt) }},
		{"resolved_at is before detected_at", 0, func() bool { return before(d.ResolvedAt, d.DetectedAt) }},
	}
	for _, c := range ts {
		if c.t() {
			add(Diagnostic{Level: LevelError, Line: c.line, Message: "timestamps out of order: " + c.name + "; fix the times (and their time zones)"})
		}
	}
	sortDiags(errs)
	sortDiags(warns)
	return errs, warns
}

func before(a, b time.Time) bool {
	return !a.IsZero() && !b.IsZero() && a.Before(b)
}

func sortDiags(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Line < ds[j].Line })
}
