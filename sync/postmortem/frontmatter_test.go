package postmortem

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yamlShape is what frontMatter reads of a YAML document: each key, its
// value's kind, value and line, and the items of a sequence.
func yamlShape(root yaml.Node) string {
	if len(root.Content) == 0 {
		return "empty"
	}
	m := root.Content[0]
	var b strings.Builder
	fmt.Fprintf(&b, "kind %v\n", m.Kind)
	for k := 0; k+1 < len(m.Content); k += 2 {
		key, val := m.Content[k], m.Content[k+1]
		fmt.Fprintf(&b, "%q: %v %q line %d", key.Value, val.Kind, val.Value, val.Line)
		for _, c := range val.Content {
			fmt.Fprintf(&b, " [%v %q]", c.Kind, c.Value)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// checkSimpleYAML fails when simpleYAML reads fm and the YAML parser
// reads it otherwise (or not at all).
func checkSimpleYAML(t *testing.T, fm string) bool {
	t.Helper()
	got, ok := simpleYAML([]byte(fm))
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &want); err != nil {
		t.Fatalf("simpleYAML read front matter YAML refuses (%v):\n%s", err, fm)
	}
	if g, w := yamlShape(got), yamlShape(want); g != w {
		t.Fatalf("simpleYAML read\n%s\nas\n%s\nYAML reads\n%s", fm, g, w)
	}
	return true
}

// TestSimpleYAML: the front matter simpleYAML reads by hand, it reads as
// the YAML parser does: the documents' own, and lines of many shapes.
func TestSimpleYAML(t *testing.T) {
	n := 0
	dirs := []string{"testdata/shapes", "../../testdata/postmortems", "../../testdata/realworld"}
	if c := os.Getenv("PMSYNC_CORPUS"); c != "" {
		dirs = append(dirs, c)
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil || !strings.HasPrefix(string(src), "---\n") {
				continue
			}
			body, _, ok := strings.Cut(string(src[4:]), "\n---")
			if ok && checkSimpleYAML(t, body+"\n") {
				n++
			}
		}
	}
	if n == 0 {
		t.Error("simpleYAML read none of the documents' front matter")
	}
	lines := []string{
		"title: Checkout errors", "status: final", "date: 2026-01-14", "teams: [payments]", "services: [checkout, ledger]",
		"started_at: 2026-01-14T09:42:00Z", `title: "Zürich: degraded"`, "title: 'it''s'", `title: "a\"b"`, "authors:", "  - core",
		"- core", "    - x", "", "  ", "# comment", "key: x # c", "key: x#c", "key: a: b", "key:b", "key: [a, ]", "key: []",
		"key: [ a , b ]", "key: [a:b]", "key: [\"a\"]", "key: {a: b}", "key: |", "key: &x y", "key: *x", "key: !t y", "key: @x",
		"key: -x", "key: - x", "key: x:", "key: ...", "key: ---", "key: yes", "key: ~", "key: null", "a b: c", "a  b: c", "a: b\tc",
		"a: b\r", "a: \u0085b", "a: b\u2028c", "a: \ufeff", "  continued", "1: one", "x.y: z", "-k: v", "a: 'b", `a: "b`,
		"dup: 1", "dup: 2", "a: é", "a: b c  d", "a: b ", "   - item", "key: [x,\n  y]", "? complex", "key: 'a' b",
	}
	rng := rand.New(rand.NewSource(1))
	read := 0
	for range 30000 {
		var b strings.Builder
		for k := rng.Intn(6); k > 0; k-- {
			b.WriteString(lines[rng.Intn(len(lines))])
			b.WriteByte('\n')
		}
		if checkSimpleYAML(t, b.String()) {
			read++
		}
	}
	t.Logf("documents %d, generated %d", n, read)
	if read < 1000 {
		t.Errorf("simpleYAML read only %d of the generated front matters", read)
	}
}
