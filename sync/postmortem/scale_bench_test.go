package postmortem

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/pmsync/pmsync/internal/scalegen"
	"github.com/pmsync/pmsync/sync/plan"
)

// BenchmarkScaleParse parses a generated collection of 1,000 realistic
// postmortems (internal/scalegen: 10,000 items in mixed shapes, 3–5 KB
// each, owners written as @login, Full Name, name@ and e-mail) with a
// people directory of 0, 200 and 3,000 persons, against goldmark (with
// the table, task-list and strikethrough extensions, inline parsing
// included) in the same loop. x_goldmark is the median over the loop's
// iterations of pmsync's time over goldmark's; x_people is the time with
// the directory over the time without one on the same documents (1.0:
// the directory costs nothing; people=0 is 1). The owners are people of
// the directory (200 of them for people=0 and 200). The corpus of
// BenchmarkCorpusRatio has no directory, so every owner there is
// unresolved; here each owner is looked up. plan-x_goldmark is parsing
// and planning as a first sync does (every item gets its ticket content
// and a create), over goldmark's time of the same iteration.
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
	// parsePlan parses and plans as a first sync does: every item needs
	// a ticket, so each gets its ticket content (planItems).
	parsePlan := func(p *Parser, all []doc) time.Duration {
		runtime.GC()
		start := time.Now()
		var items []plan.Item
		ids := map[string]bool{}
		for _, d := range all {
			pd, err := p.Parse(d.name, d.src)
			if err != nil {
				b.Fatal(err)
			}
			ids[pd.ID] = true
			items = planItems(items, pd)
		}
		pl := plan.Compute(items, nil, plan.Options{Now: benchNow, OwnerID: "bench",
			MaxCreates: map[string]int{"gh": 1 << 30}, Complete: true, Docs: ids})
		if len(pl.Creates) == 0 {
			b.Fatal("the plan creates nothing")
		}
		return time.Since(start)
	}
	for _, people := range []int{0, 200, 3000} {
		b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
			c, all, size := collection(people)
			with, without := NewParser(scaleOptions(c, people)), NewParser(scaleOptions(c, 0))
			var ratios, costs, planned []float64
			var took time.Duration
			for b.Loop() {
				runtime.GC()
				start := time.Now()
				for _, d := range all {
					md.Parser().Parse(text.NewReader(d.src))
				}
				base := time.Since(start)
				t := parse(with, all)
				ratios = append(ratios, float64(t)/float64(base))
				costs = append(costs, float64(t)/float64(parse(without, all)))
				planned = append(planned, float64(parsePlan(with, all))/float64(base))
				took += t
			}
			b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(median(ratios), "x_goldmark")
			b.ReportMetric(median(planned), "plan-x_goldmark")
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
