// Package score measures the document engine against hand-labelled
// postmortems: for each document a .labels.yaml file beside it says which
// contributing factors and action items a careful reader finds, with
// owner, due date, done state and the ticket each already has. Score
// parses the documents as pmsync would and counts recall, precision and
// the accuracy of what it read from each item (SPEC §8's budgets).
//
// Items are matched by the line their text starts on, else by their
// first words within a few lines. Owners are compared through a people
// directory made from every owner the labels name, as a team would
// configure it, so "@Marco Rossi" read as "@Marco" is a wrong assignee
// and "Marco Rossi" read as Marco Rossi is right.
package score

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/pmsync/pmsync/sync/postmortem"
)

// Labels are a reader's reading of one document.
type Labels struct {
	Source    string  `yaml:"source"`
	Licence   string  `yaml:"licence"`
	Org       string  `yaml:"org"`
	Shape     string  `yaml:"shape"`
	Finalized bool    `yaml:"finalized"`
	Status    string  `yaml:"status"`
	Factors   []Label `yaml:"factors"`
	Actions   []Label `yaml:"actions"`
	Notes     string  `yaml:"notes"`
}

// Label is one item.
type Label struct {
	Line   int    `yaml:"line"`
	Text   string `yaml:"text"`
	Owner  string `yaml:"owner"`
	Due    string `yaml:"due"`
	Done   bool   `yaml:"done"`
	Ticket string `yaml:"ticket"`
}

// Doc is a labelled document.
type Doc struct {
	Name   string // file name
	Src    []byte
	Labels Labels
}

// Load reads every <name>.md of dir that has a <name>.labels.yaml beside it.
func Load(dir string) ([]Doc, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.labels.yaml"))
	if err != nil {
		return nil, err
	}
	var out []Doc
	for _, lp := range paths {
		b, err := os.ReadFile(lp)
		if err != nil {
			return nil, err
		}
		var l Labels
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&l); err != nil {
			return nil, fmt.Errorf("%s: %w", lp, err)
		}
		md := strings.TrimSuffix(lp, ".labels.yaml") + ".md"
		src, err := os.ReadFile(md)
		if err != nil {
			return nil, fmt.Errorf("labels without their document: %w", err)
		}
		out = append(out, Doc{Name: filepath.Base(md), Src: src, Labels: l})
	}
	return out, nil
}

// Counts are the tallies behind the figures.
type Counts struct {
	Factors, FactorsFound, FactorsParsed, FactorsRight int
	Actions, ActionsFound, ActionsParsed, ActionsRight int

	OwnersRight, OwnersWrong, WrongAssignees, OwnersMissed int
	DueRight, DueWrong, DoneRight                          int
	Tickets, TicketsRead, Duplicates, TicketsInvented      int
	Statuses, FinalizedRight                               int
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Factors += o.Factors
	c.FactorsFound += o.FactorsFound
	c.FactorsParsed += o.FactorsParsed
	c.FactorsRight += o.FactorsRight
	c.Actions += o.Actions
	c.ActionsFound += o.ActionsFound
	c.ActionsParsed += o.ActionsParsed
	c.ActionsRight += o.ActionsRight
	c.OwnersRight += o.OwnersRight
	c.OwnersWrong += o.OwnersWrong
	c.WrongAssignees += o.WrongAssignees
	c.OwnersMissed += o.OwnersMissed
	c.DueRight += o.DueRight
	c.DueWrong += o.DueWrong
	c.DoneRight += o.DoneRight
	c.Tickets += o.Tickets
	c.TicketsRead += o.TicketsRead
	c.Duplicates += o.Duplicates
	c.TicketsInvented += o.TicketsInvented
	c.Statuses += o.Statuses
	c.FinalizedRight += o.FinalizedRight
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Figures are the rates of SPEC §8.
func (c Counts) FactorRecall() float64    { return ratio(c.FactorsFound, c.Factors) }
func (c Counts) FactorPrecision() float64 { return ratio(c.FactorsRight, c.FactorsParsed) }
func (c Counts) ActionRecall() float64    { return ratio(c.ActionsFound, c.Actions) }
func (c Counts) ActionPrecision() float64 { return ratio(c.ActionsRight, c.ActionsParsed) }

// OwnerAccuracy is right owners (none where none is written included)
// over the action items found.
func (c Counts) OwnerAccuracy() float64 { return ratio(c.OwnersRight, c.ActionsFound) }

// DueAccuracy is due dates read as written (or rightly not read) over the
// action items found.
func (c Counts) DueAccuracy() float64       { return ratio(c.DueRight, c.ActionsFound) }
func (c Counts) DoneAccuracy() float64      { return ratio(c.DoneRight, c.ActionsFound) }
func (c Counts) TicketRecall() float64      { return ratio(c.TicketsRead, c.Tickets) }
func (c Counts) FinalizedAccuracy() float64 { return ratio(c.FinalizedRight, c.Statuses) }

// Budget is SPEC §8's reading budget.
type Budget struct {
	FactorRecall, ActionRecall, Precision, OwnerAccuracy, DoneAccuracy float64
	WrongAssignees, Duplicates                                         int
}

// SpecBudget is the budget of SPEC §8 and issue 12.
var SpecBudget = Budget{FactorRecall: 0.85, ActionRecall: 0.92, Precision: 0.95, OwnerAccuracy: 0.95, DoneAccuracy: 0.97}

// Over lists the figures of c that miss b.
func (c Counts) Over(b Budget) []string {
	var out []string
	check := func(name string, got, want float64) {
		if got < want {
			out = append(out, fmt.Sprintf("%s %.1f%% < %.0f%%", name, 100*got, 100*want))
		}
	}
	check("factor recall", c.FactorRecall(), b.FactorRecall)
	check("factor precision", c.FactorPrecision(), b.Precision)
	check("action recall", c.ActionRecall(), b.ActionRecall)
	check("action precision", c.ActionPrecision(), b.Precision)
	check("owner accuracy", c.OwnerAccuracy(), b.OwnerAccuracy)
	check("done accuracy", c.DoneAccuracy(), b.DoneAccuracy)
	if c.WrongAssignees > b.WrongAssignees {
		out = append(out, fmt.Sprintf("%d wrong assignees", c.WrongAssignees))
	}
	if c.Duplicates > b.Duplicates {
		out = append(out, fmt.Sprintf("%d duplicates of tickets the documents name", c.Duplicates))
	}
	return out
}

// Result is one document's score and what went wrong in it.
type Result struct {
	Doc      string
	Counts   Counts
	Problems []string // "line 12: action missed: ..."
	Took     time.Duration
}

// Options are the parser options scoring uses: the defaults of the
// configuration, and a directory of the labelled owners.
func Options(docs []Doc) postmortem.Options {
	people := map[string]postmortem.Person{}
	for _, d := range docs {
		for _, l := range d.Labels.Actions {
			if l.Owner == "" {
				continue
			}
			for _, o := range splitOwners(l.Owner) {
				k := ownerKey(o)
				if k == "" {
					continue
				}
				p := postmortem.Person{Key: k, GitHub: k}
				if strings.Contains(o, "@") && strings.Contains(o, ".") && !strings.HasPrefix(o, "@") {
					p.Email = strings.ToLower(o)
				} else if !strings.HasPrefix(o, "@") && !strings.HasSuffix(o, "@") {
					p.Name = o
				}
				people[k] = p
			}
		}
	}
	return postmortem.Options{
		FinalWords: postmortem.DefaultFinalWords,
		Directory:  postmortem.Directory{People: people},
		Horizons: map[string]postmortem.Span{
			"immediate": {Days: 7}, "short-term": {Days: 14}, "medium-term": {Days: 56}, "long-term": {Days: 180},
		},
		DueAfter: map[string]postmortem.Span{"P0": {Days: 14}, "P1": {Days: 28}, "P2": {Days: 56}, "default": {Days: 56}},
	}
}

// splitOwners splits "alice, bob" and "alice and bob".
func splitOwners(s string) []string {
	s = regexp.MustCompile(`(?i)\s+(and|&)\s+`).ReplaceAllString(s, ",")
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '/' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ownerKey folds an owner as written to a people key: "@Marco Rossi",
// "marco.rossi@acme.example" and "Marco Rossi" differ; "@alice" and
// "alice@" are alice.
func ownerKey(o string) string {
	o = strings.TrimSpace(o)
	if strings.Contains(o, "@") && strings.Contains(o, ".") && !strings.HasPrefix(o, "@") {
		o, _, _ = strings.Cut(o, "@") // an e-mail: its local part
	}
	o = strings.Trim(o, "@ ")
	var b strings.Builder
	for _, r := range strings.ToLower(o) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// Score parses each document with p and scores it against its labels.
func Score(p *postmortem.Parser, docs []Doc) ([]Result, Counts) {
	var all Counts
	var out []Result
	for _, d := range docs {
		start := time.Now()
		parsed, err := p.Parse(d.Name, d.Src)
		took := time.Since(start)
		r := Result{Doc: d.Name, Took: took}
		if err != nil {
			r.Problems = append(r.Problems, "does not parse: "+err.Error())
			r.Counts.Factors, r.Counts.Actions = len(d.Labels.Factors), len(d.Labels.Actions)
		} else {
			scoreDoc(&r, d, parsed)
		}
		all.Add(r.Counts)
		out = append(out, r)
	}
	return out, all
}

func scoreDoc(r *Result, d Doc, parsed *postmortem.Doc) {
	c := &r.Counts
	if d.Labels.Status != "" {
		c.Statuses++
		if parsed.Finalized == d.Labels.Finalized {
			c.FinalizedRight++
		} else {
			r.Problems = append(r.Problems, fmt.Sprintf("finalized: read %v (status %q), labelled %v", parsed.Finalized, parsed.Status, d.Labels.Finalized))
		}
	}
	fm := match(d.Labels.Factors, parsed.Factors)
	am := match(d.Labels.Actions, parsed.Actions)
	c.Factors, c.FactorsParsed = len(d.Labels.Factors), len(parsed.Factors)
	c.Actions, c.ActionsParsed = len(d.Labels.Actions), len(parsed.Actions)
	for i, l := range d.Labels.Factors {
		if it := fm.byLabel[i]; it != nil {
			c.FactorsFound++
		} else {
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: factor missed: %s", l.Line, l.Text))
		}
	}
	c.FactorsRight = len(fm.byItem)
	for _, it := range parsed.Factors {
		if _, ok := fm.byItem[it]; !ok {
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: not a factor: %s", it.Line, clip(it.Text)))
		}
	}
	c.ActionsRight = len(am.byItem)
	for _, it := range parsed.Actions {
		if _, ok := am.byItem[it]; !ok {
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: not an action item: %s", it.Line, clip(it.Text)))
		}
	}
	for i, l := range d.Labels.Actions {
		it := am.byLabel[i]
		if l.Ticket != "" {
			c.Tickets++
		}
		if it == nil {
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: action missed: %s", l.Line, l.Text))
			continue
		}
		c.ActionsFound++
		scoreOwner(r, l, it)
		// Due: a date the document writes, or none.
		got := ""
		if it.DueFrom == "document" && !it.Due.IsZero() {
			got = it.Due.Format("2006-01-02")
		}
		if got == l.Due {
			c.DueRight++
		} else {
			if got != "" {
				c.DueWrong++
			}
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: due read %q (%q), labelled %q", it.Line, got, it.DueRaw, l.Due))
		}
		if it.Done == l.Done {
			c.DoneRight++
		} else {
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: done read %v, labelled %v", it.Line, it.Done, l.Done))
		}
		switch {
		case l.Ticket != "" && sameTicket(l.Ticket, it.Ticket.Text, it.Ticket.URL):
			c.TicketsRead++
		case l.Ticket != "" && it.Ticket.IsZero() && !it.Done:
			c.Duplicates++
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: ticket %s not read: sync would open a duplicate", it.Line, l.Ticket))
		case l.Ticket != "":
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: ticket read %q, labelled %q", it.Line, it.Ticket.Text, l.Ticket))
		case !it.Ticket.IsZero():
			c.TicketsInvented++
			r.Problems = append(r.Problems, fmt.Sprintf("line %d: ticket %q read where the document names none", it.Line, it.Ticket.Text))
		}
	}
}

// scoreOwner: right when both name the same person (or nobody); wrong
// when the reading names someone else, and a wrong assignee when that
// someone would be assigned (a person of the directory or an @handle).
func scoreOwner(r *Result, l Label, it *postmortem.Item) {
	c := &r.Counts
	want := ""
	if l.Owner != "" {
		want = ownerKey(splitOwners(l.Owner)[0])
	}
	got := ""
	switch {
	case it.Owner.Person != "":
		got = it.Owner.Person
	case it.Owner.Team != "":
		got = it.Owner.Team
	case it.Owner.Handle != "":
		got = ownerKey(it.Owner.Handle)
	}
	switch {
	case got == want:
		c.OwnersRight++
	case got == "":
		c.OwnersMissed++
		r.Problems = append(r.Problems, fmt.Sprintf("line %d: owner %q not read (raw %q)", it.Line, l.Owner, it.OwnerRaw))
	default:
		c.OwnersWrong++
		msg := fmt.Sprintf("line %d: owner read %q (raw %q), labelled %q", it.Line, got, it.OwnerRaw, l.Owner)
		if it.Owner.Person != "" || it.Owner.Handle != "" {
			c.WrongAssignees++
			msg += ": WRONG ASSIGNEE"
		}
		r.Problems = append(r.Problems, msg)
	}
}

// sameTicket compares a labelled ticket (a key, #123, a URL) with the
// reference read.
func sameTicket(label, text, url string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimSuffix(s, "/")
	}
	l := norm(label)
	for _, got := range []string{norm(text), norm(url)} {
		if got == "" {
			continue
		}
		if got == l || strings.HasSuffix(got, l) || strings.HasSuffix(l, got) {
			return true
		}
		// #123 against org/repo#123 or .../issues/123
		if n, ok := strings.CutPrefix(l, "#"); ok && (strings.HasSuffix(got, "#"+n) || strings.HasSuffix(got, "/"+n)) {
			return true
		}
	}
	return false
}

type matching struct {
	byLabel []*postmortem.Item
	byItem  map[*postmortem.Item]int
}

// match pairs labels with parsed items: the same starting line first,
// then the same first words within three lines.
func match(labels []Label, items []*postmortem.Item) matching {
	m := matching{byLabel: make([]*postmortem.Item, len(labels)), byItem: map[*postmortem.Item]int{}}
	for pass := 0; pass < 2; pass++ {
		for i, l := range labels {
			if m.byLabel[i] != nil {
				continue
			}
			for _, it := range items {
				if _, taken := m.byItem[it]; taken {
					continue
				}
				ok := it.Line == l.Line
				if pass == 1 {
					d := it.Line - l.Line
					ok = d >= -3 && d <= 3 && similar(l.Text, it.Text)
				}
				if ok {
					m.byLabel[i], m.byItem[it] = it, i
					break
				}
			}
		}
	}
	return m
}

// similar reports whether the first words of a label appear in a parsed
// text, Markdown and case aside.
func similar(label, text string) bool {
	a, b := words(label), words(text)
	n := min(len(a), 5)
	if n == 0 {
		return false
	}
	return strings.Contains(" "+strings.Join(b, " ")+" ", " "+strings.Join(a[:n], " ")+" ")
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}

// Table writes the figures of c as a Markdown table.
func Table(c Counts) string {
	var b strings.Builder
	row := func(name string, got float64, num, den int) {
		fmt.Fprintf(&b, "| %s | %.1f %% | %d / %d |\n", name, 100*got, num, den)
	}
	b.WriteString("| figure | value | counts |\n|---|---|---|\n")
	row("factor recall", c.FactorRecall(), c.FactorsFound, c.Factors)
	row("factor precision", c.FactorPrecision(), c.FactorsRight, c.FactorsParsed)
	row("action recall", c.ActionRecall(), c.ActionsFound, c.Actions)
	row("action precision", c.ActionPrecision(), c.ActionsRight, c.ActionsParsed)
	row("owner accuracy", c.OwnerAccuracy(), c.OwnersRight, c.ActionsFound)
	row("due accuracy", c.DueAccuracy(), c.DueRight, c.ActionsFound)
	row("done accuracy", c.DoneAccuracy(), c.DoneRight, c.ActionsFound)
	row("tickets read", c.TicketRecall(), c.TicketsRead, c.Tickets)
	row("finalized (stated status)", c.FinalizedAccuracy(), c.FinalizedRight, c.Statuses)
	fmt.Fprintf(&b, "| wrong assignees | %d | owners wrong %d, not read %d |\n", c.WrongAssignees, c.OwnersWrong, c.OwnersMissed)
	fmt.Fprintf(&b, "| duplicates of named tickets | %d | tickets read where none is named %d |\n", c.Duplicates, c.TicketsInvented)
	return b.String()
}

// Slowest returns the n slowest documents.
func Slowest(rs []Result, n int) []Result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b Result) int { return cmp.Compare(b.Took, a.Took) })
	return s[:min(n, len(s))]
}
