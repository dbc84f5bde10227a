package postmortem

import (
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"
)

// The budget (SPEC §8): parsing, extraction and write-back of the corpus
// cost at most 2× a plain goldmark parse of the same bytes. Each benchmark
// below processes the whole corpus once per iteration; compare ns/op with
// BenchmarkCorpusGoldmark, or read the ratio BenchmarkCorpusRatio reports.

func BenchmarkCorpusGoldmark(b *testing.B) {
	docs := corpus(b)
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
	docs := corpus(b)
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
	docs := corpus(b)
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
// one run and reports pmsync's cost as a multiple of goldmark's.
func BenchmarkCorpusRatio(b *testing.B) {
	docs := corpus(b)
	written := writtenCorpus(b)
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.TaskList, extension.Strikethrough))
	p := NewParser(testOptions())
	// The updates are the engine's input to write-back; build them once.
	writtenUps := make([]map[string]Update, len(written))
	for i, d := range written {
		doc, _ := p.Parse(d.name, d.src)
		writtenUps[i] = updatesFor(doc)
	}
	firstUps := make([]map[string]Update, len(docs))
	for i, d := range docs {
		doc, _ := p.Parse(d.name, d.src)
		firstUps[i] = updatesFor(doc)
	}
	var base, parse, steady, first time.Duration
	for b.Loop() {
		t0 := time.Now()
		for _, d := range docs {
			md.Parser().Parse(text.NewReader(d.src))
		}
		t1 := time.Now()
		for _, d := range docs {
			_, _ = p.Parse(d.name, d.src)
		}
		t2 := time.Now()
		for i, d := range written {
			doc, _ := p.Parse(d.name, d.src)
			_, _, _ = doc.Render(writtenUps[i])
		}
		t3 := time.Now()
		for i, d := range docs {
			doc, _ := p.Parse(d.name, d.src)
			_, _, _ = doc.Render(firstUps[i])
		}
		t4 := time.Now()
		base += t1.Sub(t0)
		parse += t2.Sub(t1)
		steady += t3.Sub(t2)
		first += t4.Sub(t3)
	}
	b.ReportMetric(float64(parse)/float64(base), "parse/goldmark")
	b.ReportMetric(float64(steady)/float64(base), "steady-writeback/goldmark")
	b.ReportMetric(float64(first)/float64(base), "first-writeback/goldmark")
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
	for _, d := range corpus(b) {
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
