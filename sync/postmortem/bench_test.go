package postmortem

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// The budget (SPEC §8): parsing, extraction and write-back of the corpus
// cost at most 2× a plain goldmark parse of the same bytes. Each benchmark
// below processes the whole corpus once per iteration; compare ns/op with
// BenchmarkCorpusGoldmark, or read the ratio BenchmarkCorpusRatio reports.

func BenchmarkCorpusGoldmark(b *testing.B) {
	docs := allDocs(b)
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.TaskList, extension.Strikethrough))
	b.ReportAllocs()
	b.SetBytes(corpusBytes(docs))
	for b.Loop() {
		for _, d := range docs {
			md.Parser().Parse(text.NewReader(d.src))
		}
	}
}

func BenchmarkCorpusParse(b *testing.B) {
	docs := allDocs(b)
	p := NewParser(testOptions())
	b.ReportAllocs()
	b.SetBytes(corpusBytes(docs))
	for b.Loop() {
		for _, d := range docs {
			if _, err := p.Parse(d.name, d.src); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCorpusParseWriteBackSteady: parse and render with every item's
// ticket and status already written (the steady state: nothing changes).
func BenchmarkCorpusParseWriteBackSteady(b *testing.B) {
	docs := writtenCorpus(b)
	p := NewParser(testOptions())
	b.ReportAllocs()
	b.SetBytes(corpusBytes(docs))
	for b.Loop() {
		for _, d := range docs {
			doc, err := p.Parse(d.name, d.src)
			if err != nil {
				b.Fatal(err)
			}
			if _, changed, err := doc.Render(updatesFor(doc)); err != nil || changed {
				b.Fatal("steady state changed", err)
			}
		}
	}
}

// BenchmarkCorpusParseWriteBackAll: every item gets a new ticket (the
// first run), including the verifying re-parse of each written document.
func BenchmarkCorpusParseWriteBackAll(b *testing.B) {
	docs := allDocs(b)
	p := NewParser(testOptions())
	b.ReportAllocs()
	b.SetBytes(corpusBytes(docs))
	for b.Loop() {
		for _, d := range docs {
			doc, err := p.Parse(d.name, d.src)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := doc.Render(updatesFor(doc)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCorpusRatio times goldmark and pmsync over the same corpus in
// one loop and reports pmsync's cost as a multiple of goldmark's (SPEC
// §8: parsing, planning and write-back at most 2×), the median over the
// loop's iterations. The phases are the engine's work on the collection
// without I/O (every document in scope, as with --include-drafts):
//
//   - parse-x_goldmark: parse only.
//   - steady-x_goldmark: parse, plan against the tickets as the
//     documents show them; nothing to write (an hourly run).
//   - status-x_goldmark: parse, plan against tickets whose status all
//     changed, write every document back once (render and the verifying
//     re-parse).
//   - first-x_goldmark: parse, plan with no tickets (create them all),
//     write every document back once with all its links.
//   - first-per-create-x_goldmark: as first, but written back after each
//     created ticket, as the engine does (a crash loses no link): one
//     render and re-parse per ticket.
func BenchmarkCorpusRatio(b *testing.B) {
	docs := allDocs(b)
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.TaskList, extension.Strikethrough))
	r := &corpusRun{p: NewParser(testOptions())}
	// The tracker's side, prepared outside the timer: the links new
	// tickets get, and the collection after a first run (steady) with
	// its tickets as observed, as-is and with every status changed.
	created := r.createdRefs(b, docs)
	steady, observed := r.settle(b, docs, created)
	changed := make([]ticket.Ticket, len(observed))
	for i, t := range observed {
		t.Status = ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
		if t.Status.State == observed[i].Status.State {
			t.Status = ticket.Status{State: ticket.StateOpen}
		}
		changed[i] = t
	}
	if w := r.run(b, steady, observed, nil, false); len(w) != 0 {
		b.Fatalf("steady: %d documents written, want 0 (%s first)", len(w), w[0].name)
	}
	if w := r.run(b, steady, changed, nil, false); len(w) == 0 {
		b.Fatal("status: no document written")
	}
	// Each phase starts on a collected heap, so that it pays for its own
	// garbage and not for the phase before.
	phase := func(f func()) time.Duration {
		runtime.GC()
		start := time.Now()
		f()
		return time.Since(start)
	}
	names := []string{"parse", "steady", "status", "first", "first-per-create"}
	ratios := make([][]float64, len(names))
	var bases []float64
	for b.Loop() {
		base := phase(func() {
			for _, d := range docs {
				md.Parser().Parse(text.NewReader(d.src))
			}
		})
		took := []time.Duration{
			phase(func() {
				for _, d := range docs {
					_, _ = r.p.Parse(d.name, d.src)
				}
			}),
			phase(func() { r.run(b, steady, observed, nil, false) }),
			phase(func() { r.run(b, steady, changed, nil, false) }),
			phase(func() { r.run(b, docs, nil, created, false) }),
			phase(func() { r.run(b, docs, nil, created, true) }),
		}
		bases = append(bases, float64(base.Nanoseconds()))
		for i, d := range took {
			ratios[i] = append(ratios[i], float64(d)/float64(base))
		}
	}
	// The median of each iteration's ratio: a burst of load from other
	// processes on the machine skews one iteration, not the result.
	for i, name := range names {
		b.ReportMetric(median(ratios[i]), name+"-x_goldmark")
	}
	b.ReportMetric(median(bases), "goldmark-ns/op")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// corpusRun is the engine's work on a collection without I/O: parse
// every document, plan (sync/plan) against the observed tickets, write
// back what the plan says.
type corpusRun struct {
	p *Parser
}

var benchTarget = ticket.Target{Tracker: "gh", Repo: "acme/sre"}

var benchNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// planItems are a document's items as the engine gives them to the plan:
// without ticket contents, which the engine makes when it creates a
// ticket (createSpec).
func planItems(items []plan.Item, d *Doc) []plan.Item {
	for _, it := range append(append([]*Item{}, d.Factors...), d.Actions...) {
		if len(it.Errors) > 0 {
			continue
		}
		items = append(items, plan.Item{
			Doc: d.Path, Marker: ticket.Marker{PM: d.ID, Item: it.Key, Owner: "bench"}, Target: benchTarget,
			Factor: it.Kind == ticket.Factor, Title: it.Text,
			Ref: it.Ticket, Status: it.Status, HasStatus: it.HasStatus, Done: it.Done, Due: it.Due,
		})
	}
	return items
}

// createSpec is the ticket content of create c of document d, made as
// the engine makes it when it creates the ticket.
func createSpec(b *testing.B, d *Doc, c plan.Create) ticket.Spec {
	for _, it := range d.Items() {
		if it.Key == c.Key {
			return ticket.Spec{Target: c.Target(), Marker: ticket.Marker{PM: d.ID, Item: it.Key, Owner: "bench"}, Kind: it.Kind, Title: it.Text, Detail: it.Detail,
				DocTitle: d.Title, DocDate: d.Date, DocSeverity: d.Severity, OwnerText: it.OwnerRaw,
				Due: it.Due, Priority: it.Priority, Type: it.Type, NeedsOwner: it.Kind == ticket.Action && it.OwnerRaw == ""}
		}
	}
	b.Fatalf("%s has no item %s", d.Path, c.Key)
	return ticket.Spec{}
}

// run parses docs, plans against observed and writes back: links from
// created for the tickets the plan creates, each document once or (per
// create) once per new ticket. It returns the documents as written.
func (r *corpusRun) run(b *testing.B, docs []corpusFile, observed []ticket.Ticket, created map[string]ticket.Ref, perCreate bool) []corpusFile {
	parsed := make([]*Doc, len(docs))
	var items []plan.Item
	ids := map[string]bool{}
	for i, f := range docs {
		d, err := r.p.Parse(f.name, f.src)
		if err != nil {
			b.Fatal(err)
		}
		parsed[i] = d
		ids[d.ID] = true
		items = planItems(items, d)
	}
	p := plan.Compute(items, observed, plan.Options{Now: benchNow, OwnerID: "bench",
		MaxCreates: map[string]int{"gh": 1 << 30}, Complete: true, Docs: ids})
	ups := map[string]map[string]Update{}
	add := func(doc, key string, u Update) {
		if ups[doc] == nil {
			ups[doc] = map[string]Update{}
		}
		ups[doc][key] = u
	}
	for _, wb := range p.WriteBacks {
		add(wb.Doc, wb.Key, Update{Ticket: wb.Ref, Status: wb.Status})
	}
	var order []string // per create: the keys of each document in creation order
	byPath := make(map[string]*Doc, len(parsed))
	for _, d := range parsed {
		byPath[d.Path] = d
	}
	for _, c := range p.Creates {
		ref, ok := created[c.Doc+"\x00"+c.Key]
		if !ok {
			b.Fatalf("no ticket for %s %s", c.Doc, c.Key)
		}
		spec := createSpec(b, byPath[c.Doc], c)
		add(c.Doc, c.Key, Update{Ticket: ref, Status: plan.WithOverdue(ticket.Status{State: ticket.StateOpen}, spec.Due, benchNow)})
		order = append(order, c.Doc+"\x00"+c.Key)
	}
	var written []corpusFile
	for _, d := range parsed {
		u := ups[d.Path]
		if len(u) == 0 {
			continue
		}
		if !perCreate {
			out, _, err := d.Render(u)
			if err != nil {
				b.Fatal(err)
			}
			written = append(written, corpusFile{d.Path, out})
			continue
		}
		// The write-backs first, then one more link at a time, each edit
		// on the document the last one returned.
		step := map[string]Update{}
		for key, up := range u {
			if !slices.Contains(order, d.Path+"\x00"+key) {
				step[key] = up
			}
		}
		out, next, _, err := d.RenderDoc(step)
		if err != nil {
			b.Fatal(err)
		}
		for _, k := range order {
			doc, key, _ := strings.Cut(k, "\x00")
			if doc != d.Path {
				continue
			}
			step[key] = u[key]
			if out, next, _, err = next.RenderDoc(step); err != nil {
				b.Fatal(err)
			}
		}
		written = append(written, corpusFile{d.Path, out})
	}
	return written
}

// createdRefs are the links the tracker gives every item's new ticket.
func (r *corpusRun) createdRefs(b *testing.B, docs []corpusFile) map[string]ticket.Ref {
	out := map[string]ticket.Ref{}
	n := 100
	for _, f := range docs {
		d, err := r.p.Parse(f.name, f.src)
		if err != nil {
			b.Fatal(err)
		}
		for _, it := range append(append([]*Item{}, d.Factors...), d.Actions...) {
			n++
			out[d.Path+"\x00"+it.Key] = ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", n), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", n)}
		}
	}
	return out
}

// settle is the collection after a first run, and its tickets as the
// tracker lists them (each as its document shows it).
func (r *corpusRun) settle(b *testing.B, docs []corpusFile, created map[string]ticket.Ref) ([]corpusFile, []ticket.Ticket) {
	observe := func(docs []corpusFile) []ticket.Ticket {
		var observed []ticket.Ticket
		for _, f := range docs {
			d, err := r.p.Parse(f.name, f.src)
			if err != nil {
				b.Fatal(err)
			}
			for _, it := range planItems(nil, d) {
				if it.Ref.IsZero() {
					continue
				}
				st := ticket.Status{State: ticket.StateOpen}
				if it.HasStatus {
					st = it.Status
					st.Overdue = false
				}
				observed = append(observed, ticket.Ticket{Target: benchTarget, Ref: it.Ref, Marker: it.Marker, HasMarker: true,
					Title: it.Marker.Item, Status: st, Created: benchNow.Add(-48 * time.Hour), Updated: benchNow.Add(-48 * time.Hour), Due: it.Due})
			}
		}
		return observed
	}
	// A document whose "DONE" gives way to the tracker's open status has
	// a due date (and so maybe "(overdue)") only after that write-back:
	// the second run settles it.
	out := slices.Clone(docs)
	for range 3 {
		written := r.run(b, out, observe(out), created, false)
		if len(written) == 0 {
			return out, observe(out)
		}
		for _, w := range written {
			for i := range out {
				if out[i].name == w.name {
					out[i].src = w.src
				}
			}
		}
	}
	b.Fatal("the collection does not settle in 3 runs")
	return nil, nil
}

func corpusBytes(docs []corpusFile) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d.src))
	}
	return n
}

// writtenCorpus is the corpus after a first write-back.
func writtenCorpus(b *testing.B) []corpusFile {
	p := NewParser(testOptions())
	var out []corpusFile
	for _, d := range allDocs(b) {
		doc, err := p.Parse(d.name, d.src)
		if err != nil {
			b.Fatal(err)
		}
		w, _, err := doc.Render(updatesFor(doc))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, corpusFile{d.name, w})
	}
	return out
}
