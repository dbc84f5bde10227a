// Package scalegen generates collections of realistic postmortems for the
// scale benchmarks: N postmortems of about ten items each, in the shapes
// real ones use (tables, task lists, bullet lists with an owner and a due
// date, numbered items with bold titles, horizon sub-headings, causes in
// list items and in prose), of the lengths real ones have (about 3 to 9
// KB: summary, impact, timeline, detection, resolution, lessons), owned by
// the people of a directory of P persons spelled in the ways documents
// spell them (@login, Full Name, name@, e-mail), routed over R
// repositories or Jira projects by team. It also writes the configuration
// that runs pmsync on the collection against the GitHub or Jira
// simulators (internal/sim/ghsim, jirasim).
//
// Everything is a function of the seed: the same Options give the same
// bytes. Each document is generated on its own (Doc(i)), so a collection
// of 100,000 items is written without holding it in memory.
package scalegen

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Options size a collection.
type Options struct {
	// Seed makes the collection; the same seed, the same bytes.
	Seed uint64
	// Items is the number of items (contributing factors and action items
	// together) of the whole collection: Items/10 documents of 10 items
	// on average, 6 to 14 each.
	Items int
	// People is the size of the people directory (default 200, at most
	// MaxPeople).
	People int
	// Repos is the number of teams, each routed to its own repository or
	// Jira project (default 22, at most len(teamNames)).
	Repos int
}

// ItemsPerDoc is the average number of items of a document.
const ItemsPerDoc = 10

// MaxPeople is the largest directory New makes (60 first names × 60
// last names).
const MaxPeople = 3600

// Person is one entry of the people directory.
type Person struct {
	Key    string // people key: the e-mail's local part, "priya.natarajan"
	Name   string // "Priya Natarajan"
	Email  string
	GitHub string // login
	Jira   string // a Jira Cloud account id (24 hex digits)
}

// Team is one team: it owns postmortems and its items go to its own
// repository (GitHub) or project (Jira).
type Team struct {
	Name    string // team key, lower case: "payments"
	Repo    string // "acme/payments"
	Project string // Jira project key: "PAY"
}

// Corpus is a generated collection. Its documents are made on demand.
type Corpus struct {
	Seed   uint64
	Docs   int // number of documents
	Items  int // number of items of all documents
	People []Person
	Teams  []Team
}

// Doc is one generated postmortem.
type Doc struct {
	Path  string // from the source root, slash-separated
	Team  string
	Items int // factors + action items pmsync reads from it
	// Factors and Actions count the two kinds; Done counts action items
	// written as done (no ticket is opened for them).
	Factors, Actions, Done int
	Src                    []byte
}

// New makes a collection of o.Items items (rounded up to whole documents
// of ItemsPerDoc on average: the total is exact when o.Items is a
// multiple of 2*ItemsPerDoc).
func New(o Options) *Corpus {
	if o.People <= 0 {
		o.People = 200
	}
	o.People = min(o.People, MaxPeople)
	if o.Repos <= 0 {
		o.Repos = 22
	}
	o.Repos = min(o.Repos, len(teamNames))
	docs := max(1, (o.Items+ItemsPerDoc-1)/ItemsPerDoc)
	c := &Corpus{Seed: o.Seed, Docs: docs}
	r := rand.New(rand.NewPCG(o.Seed, 0x5ca1e))
	// People: distinct (first, last) pairs, so every name, login and
	// e-mail is unique.
	pairs := r.Perm(MaxPeople)[:o.People]
	for _, p := range pairs {
		first, last := firstNames[p/len(lastNames)], lastNames[p%len(lastNames)]
		key := strings.ToLower(first + "." + last)
		c.People = append(c.People, Person{
			Key:    key,
			Name:   first + " " + last,
			Email:  key + "@acme.example",
			GitHub: strings.ToLower(first + "-" + last),
			Jira:   fmt.Sprintf("5b10%020x", r.Uint64()&0xffffffffffffffff),
		})
	}
	for i := 0; i < o.Repos; i++ {
		t := teamNames[i]
		c.Teams = append(c.Teams, Team{Name: t.name, Repo: "acme/" + t.name, Project: t.project})
	}
	for i := 0; i < docs; i++ {
		c.Items += c.itemCount(i)
	}
	return c
}

// itemCount is document i's number of items: 10 on average, paired so
// that two neighbours sum to 20.
func (c *Corpus) itemCount(i int) int {
	d := int(rand.New(rand.NewPCG(c.Seed, uint64(i/2)<<1|1)).IntN(5))
	if i%2 == 1 {
		d = -d
	}
	if i == c.Docs-1 && c.Docs%2 == 1 {
		d = 0
	}
	return ItemsPerDoc + d
}

// WriteDir writes every document under dir (folders by year).
func (c *Corpus) WriteDir(dir string) error {
	for i := 0; i < c.Docs; i++ {
		d := c.Doc(i)
		p := filepath.Join(dir, filepath.FromSlash(d.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, d.Src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Doc generates document i (0 ≤ i < Docs).
func (c *Corpus) Doc(i int) Doc {
	r := rand.New(rand.NewPCG(c.Seed, uint64(i)<<1))
	g := &gen{r: r, c: c, used: map[string]bool{}}
	return g.doc(i, c.itemCount(i))
}

// gen writes one document.
type gen struct {
	r    *rand.Rand
	c    *Corpus
	b    strings.Builder
	used map[string]bool // item texts already in this document
	team Team
	svcs []string // this incident's services
	date time.Time
	done int
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) p(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }

func (g *gen) doc(i, items int) Doc {
	r := g.r
	g.team = g.c.Teams[r.IntN(len(g.c.Teams))]
	base := []string{"api", "worker", "gateway", "scheduler", "indexer", "db", "cache", "consumer", "router", "exporter"}
	for _, k := range r.Perm(len(base))[:4] {
		g.svcs = append(g.svcs, g.team.Name+"-"+base[k])
	}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	g.date = start.AddDate(0, 0, r.IntN(1050)) // 2024-01-01 … 2026-11
	what := g.pick(incidents)
	title := fmt.Sprintf(what, g.svcs[0])
	title = strings.ToUpper(title[:1]) + title[1:]
	slug := fmt.Sprintf("%s-%s-%05d", g.date.Format("2006-01-02"), g.team.Name, i)
	path := fmt.Sprintf("%d/%s.md", g.date.Year(), slug)
	sev := fmt.Sprintf("SEV%d", 1+r.IntN(3))
	started := g.date.Add(time.Duration(r.IntN(24*60)) * time.Minute)
	detected := started.Add(time.Duration(2+r.IntN(40)) * time.Minute)
	resolved := detected.Add(time.Duration(10+r.IntN(300)) * time.Minute)
	authors := []string{g.person().Key + "@", g.person().Key + "@"}
	if r.IntN(5) < 3 {
		g.p("---\nid: pm-%s\ntitle: %q\nstatus: %s\ndate: %s\nseverity: %s\nteams: [%s]\nservices: [%s, %s]\nauthors: [%s, %s]\nstarted_at: %s\ndetected_at: %s\nresolved_at: %s\n---\n\n# %s\n\n",
			slug, title, g.pick([]string{"final", "Final", "published", "reviewed"}), g.date.Format("2006-01-02"), sev, g.team.Name,
			g.svcs[0], g.svcs[1], authors[0], authors[1],
			started.Format("2006-01-02 15:04 UTC"), detected.Format("2006-01-02 15:04 UTC"), resolved.Format("2006-01-02 15:04 UTC"), title)
	} else {
		g.p("# %s\n\n**Status:** %s\n**Date:** %s\n**Severity:** %s\n**Team:** %s\n**Authors:** %s, %s\n\n",
			title, g.pick([]string{"Final", "Complete", "Reviewed (" + g.date.AddDate(0, 0, 9).Format("2006-01-02") + ")"}), g.date.Format("2006-01-02"), sev, g.team.Name, authors[0], authors[1])
	}
	g.summary(started, detected, resolved)
	factors := 2 + r.IntN(3)
	if items-factors < 3 {
		factors = items - 3
	}
	actions := items - factors
	order := r.IntN(3) // factors before the timeline, after it, or after the lessons
	if order == 0 {
		g.factors(factors)
	}
	g.timeline(started, detected, resolved)
	if order == 1 {
		g.factors(factors)
	}
	g.actions(actions)
	g.lessons()
	if order == 2 {
		// Some write the causes last, after the lessons.
		g.factors(factors)
	}
	return Doc{Path: path, Team: g.team.Name, Items: items, Factors: factors, Actions: actions, Done: g.done, Src: []byte(g.b.String())}
}

func (g *gen) person() Person { return g.c.People[g.r.IntN(len(g.c.People))] }

// owner spells a person the ways documents do (@login, name@, e-mail,
// and, where a label or a column says it is the owner, the full name);
// about one in twenty items has no owner yet (placeholder is true).
func (g *gen) owner(named bool) (owner string, placeholder bool) {
	if g.r.IntN(20) == 0 {
		return g.pick([]string{"TBD", "Unassigned", "n/a"}), true
	}
	p := g.person()
	switch g.r.IntN(4) {
	case 0:
		return "@" + p.GitHub, false
	case 1:
		if named {
			return p.Name, false
		}
		return "@" + p.GitHub, false
	case 2:
		return p.Key + "@", false
	}
	return p.Email, false
}

// ownerOf is owner's text alone.
func (g *gen) ownerOf(named bool) string {
	o, _ := g.owner(named)
	return o
}

// labelled is an owner written after "owner:" in a list item. "n/a" is
// left out there (it is "TBD"), so that the collection stays the one the
// benchmarks were measured on: parsers before issue 16 read "Owner: n/a"
// outside parentheses as the owner "n".
func (g *gen) labelled() string {
	if o := g.ownerOf(true); o != "n/a" {
		return o
	}
	return "TBD"
}

// sentence fills a template's slots.
func (g *gen) sentence(t string) string {
	repl := strings.NewReplacer(
		"{svc}", g.pick(g.svcs), "{dep}", g.pick(g.svcs[1:]), "{n}", fmt.Sprint(2+g.r.IntN(40)),
		"{m}", fmt.Sprint(45+g.r.IntN(200)), "{job}", g.pick(jobs), "{db}", g.pick(dbs), "{host}", g.pick(hosts),
		"{team}", g.team.Name, "{region}", g.pick(regions), "{pct}", fmt.Sprint(10+g.r.IntN(80)))
	return repl.Replace(t)
}

// unique fills one of templates, not yet used in this document.
func (g *gen) unique(templates []string) string {
	for {
		s := g.sentence(g.pick(templates))
		if !g.used[strings.ToLower(s)] {
			g.used[strings.ToLower(s)] = true
			return s
		}
	}
}

func (g *gen) prose(n int) string {
	var s []string
	for range n {
		s = append(s, g.sentence(g.pick(narrative)))
	}
	return wrap(strings.Join(s, " "))
}

// wrap breaks text into lines of at most 78 characters, as editors do.
func wrap(s string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(w) > 78 {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

func (g *gen) summary(started, detected, resolved time.Time) {
	g.p("## Summary\n\n%s\n\n", g.prose(4+g.r.IntN(5)))
	if g.r.IntN(2) == 0 {
		g.p("## Background\n\n%s\n\n", g.prose(2+g.r.IntN(3)))
	}
	g.p("## Impact\n\n%s About %d,%03d requests failed over %d minutes.\n\n", g.prose(2+g.r.IntN(3)), 1+g.r.IntN(90), g.r.IntN(1000), int(resolved.Sub(started).Minutes()))
	g.p("## Detection\n\n%s The first alert fired %d minutes after the first errors.\n\n", g.prose(1+g.r.IntN(2)), int(detected.Sub(started).Minutes()))
	g.p("## Resolution\n\n%s\n\n", g.prose(2+g.r.IntN(3)))
}

func (g *gen) timeline(started, detected, resolved time.Time) {
	g.p("## Timeline\n\nAll times UTC.\n\n")
	t := started
	n := 6 + g.r.IntN(10)
	step := max(resolved.Sub(started)/time.Duration(n), time.Minute)
	for i := range n {
		what := g.sentence(g.pick(events))
		switch {
		case i == 0:
			what = "First errors from " + g.svcs[0] + "; " + what
		case t.After(detected) && t.Add(-step).Before(detected):
			what = "The on-call is paged by the " + g.svcs[0] + " error-rate alert."
		}
		g.p("- %s %s\n", t.Format("15:04"), what)
		t = t.Add(step)
	}
	g.p("- %s %s is healthy again; the incident is resolved.\n\n", resolved.Format("15:04"), g.svcs[0])
}

func (g *gen) lessons() {
	g.p("## Lessons learned\n\n### What went well\n\n")
	for range 1 + g.r.IntN(3) {
		g.p("- %s\n", g.sentence(g.pick(wentWell)))
	}
	g.p("\n### Where we got lucky\n\n- %s\n\n", g.sentence(g.pick(lucky)))
}

// factors writes n contributing factors in one of the shapes.
func (g *gen) factors(n int) {
	switch g.r.IntN(4) {
	case 0, 1: // a bullet list, some items with a nested detail
		g.p("## %s\n\n", g.pick([]string{"Contributing factors", "Root causes", "Contributing Factors", "Causes"}))
		for range n {
			g.p("- %s\n", indent(wrap(g.unique(causes)), "  "))
			if g.r.IntN(3) == 0 {
				g.p("  - %s\n", indent(wrap(g.sentence(g.pick(causeDetails))), "    "))
			}
		}
		g.p("\n")
	case 2: // prose: one paragraph per cause
		g.p("## %s\n\n", g.pick([]string{"Root cause", "Why it happened", "Root cause analysis"}))
		for range n {
			g.p("%s\n\n", wrap(g.unique(causes)+" "+g.sentence(g.pick(causeDetails))))
		}
	default: // a numbered list under a sub-heading
		g.p("## %s\n\n", g.pick([]string{"Contributing factors", "What caused it"}))
		for k := range n {
			g.p("%d. %s\n", k+1, indent(wrap(g.unique(causes)), "   "))
		}
		g.p("\n")
	}
}

func indent(s, pre string) string { return strings.ReplaceAll(s, "\n", "\n"+pre) }

// due is an item's due date, 2 to 16 weeks after the incident.
func (g *gen) due() time.Time {
	return g.date.AddDate(0, 0, 14+7*g.r.IntN(15))
}

// done marks about one action item in twenty as done already.
func (g *gen) isDone() bool {
	if g.r.IntN(20) == 0 {
		g.done++
		return true
	}
	return false
}

// actions writes n action items in one of the shapes.
func (g *gen) actions(n int) {
	heading := g.pick([]string{"Action items", "Action Items", "Follow-ups", "Corrective actions", "Remediation", "Action items"})
	switch g.r.IntN(5) {
	case 0: // a table with type, owner, due and priority
		g.p("## %s\n\n| Action item | Type | Owner | Due | Priority |\n|---|---|---|---|---|\n", heading)
		for range n {
			owner := g.ownerOf(true)
			g.p("| %s | %s | %s | %s | P%d |\n", g.unique(remedies), g.pick(kinds), owner, g.due().Format("2006-01-02"), 1+g.r.IntN(3))
		}
		g.p("\n")
	case 1: // a table with ticket and status columns, not yet filled
		g.p("## %s\n\n| Action | Owner | Due date | Ticket | Status |\n|---|---|---|---|---|\n", heading)
		for range n {
			status := ""
			if g.isDone() {
				status = "Done"
			}
			g.p("| %s | %s | %s | | %s |\n", g.unique(remedies), g.ownerOf(true), g.due().Format("2006-01-02"), status)
		}
		g.p("\n")
	case 2: // a task list with inline owner and due date
		g.p("## %s\n\n", heading)
		for range n {
			box := " "
			if g.isDone() {
				box = "x"
			}
			g.p("- [%s] %s (owner: %s, due: %s)\n", box, g.unique(remedies), g.labelled(), g.due().Format("2006-01-02"))
		}
		g.p("\n")
	case 3: // numbered items with a bold title, a detail and an owner line
		g.p("## %s\n\n", heading)
		for k := range n {
			text := g.unique(remedies)
			g.p("%d. **%s**: %s\n   Owner: %s, due: %s\n", k+1, text, indent(wrap(g.sentence(g.pick(remedyDetails))), "   "),
				g.labelled(), g.due().Format("2 January 2006"))
		}
		g.p("\n")
	default: // horizon sub-headings; due dates from the horizons
		g.p("## %s\n\n", heading)
		horizons := []string{"Short-term", "Medium-term", "Long-term"}
		per := (n + len(horizons) - 1) / len(horizons)
		left := n
		for _, h := range horizons {
			if left == 0 {
				break
			}
			g.p("### %s\n\n", h)
			for range min(per, left) {
				o, blank := g.owner(false)
				if blank {
					o = "owner: " + o
				}
				g.p("- %s (%s)\n", g.unique(remedies), o)
				left--
			}
			g.p("\n")
		}
	}
}
