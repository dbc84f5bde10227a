package postmortem

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/pmsync/pmsync/internal/scalegen"
	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/ticket"
)

// BenchmarkScaleParse parses a generated collection of 1,000 realistic
// postmortems (internal/scalegen: 10,000 items in mixed shapes, 3–5 KB
// each, owners written as @login, Full Name, name@ and e-mail) with a
// people directory of 0, 200 and 3,000 persons, against goldmark (with
// the table, task-list and strikethrough extensions, inline parsing
// included), interleaved 20 documents at a time. x_goldmark is the
// median over the loop's iterations of pmsync's time over goldmark's;
// x_people is the time with the directory over the time without one on
// the same documents (1.0: the directory costs nothing; people=0 is 1).
// The owners are people of the directory (200 of them for people=0 and
// 200). The corpus of BenchmarkCorpusRatio has no directory, so every
// owner there is unresolved; here each owner is looked up.
// plan-x_goldmark is parsing and planning as a first sync does (every
// item gets a create; the engine makes a ticket's content when it
// creates it) over goldmark's time for the same documents;
// steady-x_goldmark the same for the collection as its first sync left
// it (every item linked, with a status: a steady run's plan).
func BenchmarkScaleParse(b *testing.B) {
	const docs = 1000
	type doc struct {
		name string
		src  []byte
	}
	// The collection whose owners are people of a directory of n.
	collection := func(n int) (*scalegen.Corpus, []doc, int) {
		c := scalegen.New(scalegen.Options{Seed: 1, Items: docs * scalegen.ItemsPerDoc, People: max(n, 200)})
		var all []doc
		var size int
		for i := range c.Docs {
			d := c.Doc(i)
			all = append(all, doc{d.Path, d.Src})
			size += len(d.Src)
		}
		return c, all, size
	}
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.TaskList, extension.Strikethrough))
	// interleaved times goldmark and p over the same documents, 20 at a
	// time, alternating which goes first: a burst of load on a shared
	// machine falls on both, not on one whole pass of 100 ms (whole
	// passes gave ratios up to 15 % apart from one iteration to the
	// next). withPlan: p's time includes making the plan's items and
	// planning as a sync does (every item without a ticket gets a
	// create; the engine makes a ticket's content when it creates it).
	interleaved := func(p *Parser, all []doc, withPlan bool) (base, ours time.Duration) {
		const chunk = 20
		var items []plan.Item
		ids := map[string]bool{}
		sample := len(all) / 50
		runtime.GC()
		for c := 0; c < len(all); c += chunk {
			part := all[c:min(c+chunk, len(all))]
			gm := func() {
				start := time.Now()
				for _, d := range part {
					md.Parser().Parse(text.NewReader(d.src))
				}
				base += time.Since(start)
			}
			pm := func() {
				start := time.Now()
				for i, d := range part {
					if withPlan && c+i == sample && sample > 0 {
						// As the engine does (reserve): sized for every
						// document from a 2 % sample, not grown by append.
						items = slices.Grow(items, len(items)*len(all)*21/(sample*20)-len(items))
					}
					pd, err := p.Parse(d.name, d.src)
					if err != nil {
						b.Fatal(err)
					}
					if withPlan {
						ids[pd.ID] = true
						items = planItems(items, pd)
					}
				}
				ours += time.Since(start)
			}
			if c/chunk%2 == 0 {
				gm()
				pm()
			} else {
				pm()
				gm()
			}
		}
		if withPlan {
			start := time.Now()
			pl := plan.Compute(items, nil, plan.Options{Now: benchNow, OwnerID: "bench",
				MaxCreates: map[string]int{"gh": 1 << 30}, Complete: true, Docs: ids})
			ours += time.Since(start)
			if len(pl.Creates) == 0 && items[0].Ref.IsZero() {
				b.Fatal("the plan creates nothing")
			}
		}
		return base, ours
	}
	// parse is p's time alone over all.
	parse := func(p *Parser, all []doc) time.Duration {
		runtime.GC()
		start := time.Now()
		for _, d := range all {
			if _, err := p.Parse(d.name, d.src); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	// linkedCopy is the collection after its first sync: every item
	// without a ticket linked to one, with a status (the write-back).
	linkedCopy := func(p *Parser, all []doc) []doc {
		out := make([]doc, 0, len(all))
		n := 0
		for _, d := range all {
			pd, err := p.Parse(d.name, d.src)
			if err != nil {
				b.Fatal(err)
			}
			ups := map[string]Update{}
			for _, it := range pd.Items() {
				if it.Ticket.IsZero() && !it.Done && len(it.Errors) == 0 {
					n++
					ups[it.Key] = Update{Ticket: ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", n), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", n)},
						Status: ticket.Status{State: ticket.StateOpen}}
				}
			}
			src, _, err := pd.Render(ups)
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, doc{d.name, src})
		}
		return out
	}
	ratio := func(base, ours time.Duration) float64 { return float64(ours) / float64(base) }
	for _, people := range []int{0, 200, 3000} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			c, all, size := collection(people)
			with, without := NewParser(scaleOptions(c, people)), NewParser(scaleOptions(c, 0))
			linked := linkedCopy(with, all)
			var ratios, costs, planned, steady []float64
			var took time.Duration
			for b.Loop() {
				base, t := interleaved(with, all, false)
				ratios = append(ratios, ratio(base, t))
				costs = append(costs, float64(parse(with, all))/float64(parse(without, all)))
				planned = append(planned, ratio(interleaved(with, all, true)))
				steady = append(steady, ratio(interleaved(with, linked, true)))
				took += t
			}
			b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(median(ratios), "x_goldmark")
			b.ReportMetric(median(planned), "plan-x_goldmark")
			b.ReportMetric(median(steady), "steady-x_goldmark")
			b.ReportMetric(median(costs), "x_people")
			b.ReportMetric(float64(size)/(1<<20), "MiB/op")
		})
	}
}

// scaleOptions are the parser's options for the generated collection with
// the first n people of its directory (none: every owner is unknown), and
// the configuration's default due-date policy.
func scaleOptions(c *scalegen.Corpus, n int) Options {
	o := Options{FinalWhenUnstated: true, Horizons: map[string]Span{}, DueAfter: map[string]Span{}}
	for k, v := range map[string]string{"immediate": "7d", "short-term": "14d", "medium-term": "56d", "long-term": "180d"} {
		o.Horizons[k], _ = ParseSpan(v)
	}
	o.DueAfter["default"], _ = ParseSpan("56d")
	if n == 0 {
		return o
	}
	o.Directory = Directory{People: map[string]Person{}, Teams: map[string]Team{}}
	for _, p := range c.People[:n] {
		o.Directory.People[p.Key] = Person{Key: p.Key, Name: p.Name, Email: p.Email, GitHub: p.GitHub, Jira: p.Jira}
	}
	return o
}
