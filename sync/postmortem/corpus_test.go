package postmortem

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

var update = flag.Bool("update", false, "rewrite golden files")

type corpusFile struct {
	name string // set/file.md: the set names the golden folder
	src  []byte
}

// corpus reads the real public postmortems of PMSYNC_CORPUS (the test
// skips without it; CI sets it to the corpus folder beside the clone).
func corpus(t testing.TB) []corpusFile {
	t.Helper()
	out := readDocs(t, testkit.Corpus(t), "")
	if len(out) == 0 {
		t.Fatalf("PMSYNC_CORPUS=%s holds no .md file", testkit.Corpus(t))
	}
	return out
}

// repoDocSets are the postmortems inside the repository, by set: the
// bundled examples, one example per shape real documents use (written for
// this project), and the labelled real-world set (with its sources and
// licences).
var repoDocSets = map[string]string{
	"examples":  "testdata/postmortems",
	"shapes":    "sync/postmortem/testdata/shapes",
	"realworld": "testdata/realworld",
}

// repoDocs reads every postmortem inside the repository: what a clone
// with nothing beside it tests the document engine on.
func repoDocs(t testing.TB) []corpusFile {
	t.Helper()
	root := testkit.RepoRoot(t)
	var out []corpusFile
	for _, set := range slices.Sorted(maps.Keys(repoDocSets)) {
		out = append(out, readDocs(t, filepath.Join(root, repoDocSets[set]), set+"/")...)
	}
	if len(out) < 8 {
		t.Fatalf("found %d postmortems in the repository, want at least the 8 examples", len(out))
	}
	return out
}

// allDocs is repoDocs plus, when PMSYNC_CORPUS is set, the corpus.
func allDocs(t testing.TB) []corpusFile {
	t.Helper()
	out := repoDocs(t)
	if os.Getenv("PMSYNC_CORPUS") != "" {
		out = append(out, readDocs(t, testkit.Corpus(t), "corpus/")...)
	}
	return out
}

// readDocs reads the .md files of dir but its README and SOURCES.
func readDocs(t testing.TB, dir, prefix string) []corpusFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusFile
	for _, p := range paths {
		switch filepath.Base(p) {
		case "SOURCES.md", "README.md":
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, corpusFile{prefix + filepath.Base(p), b})
	}
	return out
}

// testOptions are the defaults of the configuration (SPEC §5).
func testOptions() Options {
	return Options{
		FinalWords: DefaultFinalWords,
		Horizons: map[string]Span{
			"immediate": {Days: 7}, "short-term": {Days: 14}, "medium-term": {Days: 56}, "long-term": {Days: 180},
		},
		DueAfter: map[string]Span{"P0": {Days: 14}, "P1": {Days: 28}, "P2": {Days: 56}, "default": {Days: 56}},
	}
}

// TestCorpusGolden parses every real document of PMSYNC_CORPUS and
// compares what it extracts with testdata/corpus/<name>.json (go test
// -update rewrites; a human reads the diff).
func TestCorpusGolden(t *testing.T) {
	testGolden(t, corpus(t), "corpus")
}

// TestRepoDocsGolden: the same for every postmortem in the repository,
// with golden files in testdata/golden/<set>/.
func TestRepoDocsGolden(t *testing.T) {
	testGolden(t, repoDocs(t), "golden")
}

func testGolden(t *testing.T, docs []corpusFile, dir string) {
	p := NewParser(testOptions())
	for _, f := range docs {
		t.Run(f.name, func(t *testing.T) {
			d, err := p.Parse(f.name, f.src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := json.MarshalIndent(d.View(LintOptions{}, nil), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", dir, filepath.FromSlash(strings.TrimSuffix(f.name, ".md"))+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("extracted items differ from %s (go test -update rewrites it; check the diff):\n%s", golden, lineDiff(string(want), string(got)))
			}
		})
	}
}

// TestRoundTrip, on every postmortem in the repository and the corpus
// when PMSYNC_CORPUS is set: parse and render with no change gives
// identical bytes; writing tickets back changes only pmsync's cells, reads
// back the same items with those tickets, and is idempotent.
func TestRoundTrip(t *testing.T) {
	p := NewParser(testOptions())
	for _, f := range allDocs(t) {
		t.Run(f.name, func(t *testing.T) {
			d, err := p.Parse(f.name, f.src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			out, changed, err := d.Render(nil)
			if err != nil || changed || !bytes.Equal(out, f.src) {
				t.Fatalf("render without updates changed the document (changed=%v, err=%v)", changed, err)
			}
			assertWriteBack(t, p, f.name, f.src)
		})
	}
}

// assertWriteBack gives every item a ticket, renders, and checks the
// result: parses, same items, tickets read back, second render a no-op,
// and the lines pmsync did not own are unchanged.
func assertWriteBack(t *testing.T, p *Parser, name string, src []byte) {
	t.Helper()
	d, err := p.Parse(name, src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	ups := map[string]Update{}
	for i, it := range append(append([]*Item{}, d.Factors...), d.Actions...) {
		if it.HasErrors() {
			continue // never synced, never written back
		}
		ups[it.Key] = Update{
			Ticket: ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", i+1), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", i+1)},
			Status: ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 3, i%28+1, 0, 0, 0, 0, time.UTC)},
		}
	}
	out, changed, err := d.Render(ups)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if len(ups) > 0 && !changed {
		t.Fatalf("render with %d updates changed nothing", len(ups))
	}
	d2, err := p.Parse(name, out)
	if err != nil {
		t.Fatalf("written document does not parse: %v\n%s", err, out)
	}
	same := func(a, b []*Item) {
		if len(a) != len(b) {
			t.Fatalf("write-back changed the number of items: %d before, %d after\n%s", len(a), len(b), lineDiff(string(src), string(out)))
		}
		for i := range a {
			if a[i].Key != b[i].Key || a[i].Text != b[i].Text {
				t.Errorf("item %d: %s %q became %s %q", i, a[i].Key, a[i].Text, b[i].Key, b[i].Text)
			}
			u, ok := ups[a[i].Key]
			if !ok {
				continue
			}
			if b[i].Ticket != u.Ticket {
				t.Errorf("item %s: ticket read back %+v, want %+v", a[i].Key, b[i].Ticket, u.Ticket)
			}
			if !b[i].HasStatus || b[i].Status != u.Status {
				t.Errorf("item %s: status read back %+v (has=%v), want %+v", a[i].Key, b[i].Status, b[i].HasStatus, u.Status)
			}
			if a[i].OwnerRaw != b[i].OwnerRaw || a[i].DueRaw != b[i].DueRaw || a[i].Priority != b[i].Priority {
				t.Errorf("item %s: owner/due/priority changed: %q %q %q -> %q %q %q", a[i].Key, a[i].OwnerRaw, a[i].DueRaw, a[i].Priority, b[i].OwnerRaw, b[i].DueRaw, b[i].Priority)
			}
		}
	}
	same(d.Factors, d2.Factors)
	same(d.Actions, d2.Actions)
	if d.Title != d2.Title || d.Finalized != d2.Finalized || d.Status != d2.Status {
		t.Errorf("document metadata changed: %q/%v/%q -> %q/%v/%q", d.Title, d.Finalized, d.Status, d2.Title, d2.Finalized, d2.Status)
	}
	again, changed, err := d2.Render(ups)
	if err != nil || changed || !bytes.Equal(again, out) {
		t.Fatalf("second write-back changed the document (changed=%v, err=%v):\n%s", changed, err, lineDiff(string(out), string(again)))
	}
	assertOnlyOwnedChanged(t, src, out)
}

// assertOnlyOwnedChanged checks, line by line, that every changed line
// only gained pmsync's suffix or table cells: the old line with the pmsync
// part removed is a prefix-and-suffix match of the new one.
func assertOnlyOwnedChanged(t *testing.T, before, after []byte) {
	t.Helper()
	a := strings.SplitAfter(string(before), "\n")
	b := strings.SplitAfter(string(after), "\n")
	if len(a) != len(b) {
		t.Fatalf("write-back changed the number of lines: %d -> %d", len(a), len(b))
	}
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		old, nw := a[i], b[i]
		if strings.Contains(nw, suffixMarker) {
			// a list item: the old line must be the new one minus the suffix
			j := strings.Index(nw, " "+suffixMarker)
			if j < 0 || !strings.HasPrefix(old, nw[:j]) {
				t.Errorf("line %d changed outside pmsync's suffix:\n-%q\n+%q", i+1, old, nw)
			}
			continue
		}
		if !strings.Contains(old, "|") || !strings.Contains(nw, "|") {
			t.Errorf("line %d changed and is neither a table row nor has pmsync's suffix:\n-%q\n+%q", i+1, old, nw)
			continue
		}
		// a table row: the line ending must be kept
		if strings.HasSuffix(old, "\r\n") != strings.HasSuffix(nw, "\r\n") {
			t.Errorf("line %d lost its line ending", i+1)
		}
	}
}

// lineDiff is a small line-oriented diff for failure messages.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	n := max(len(al), len(bl))
	shown := 0
	for i := 0; i < n && shown < 40; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "%d:\n- %s\n+ %s\n", i+1, x, y)
			shown++
		}
	}
	return out.String()
}
