package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/sync/postmortem"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	return filepath.Join(dir, "..", "..")
}

// TestLintExamples: the README's first command succeeds on the bundled
// examples and reports every item of the finalized ones resolved.
func TestLintExamples(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	cfg := filepath.Join(root, "testdata", "pmsync.yaml")
	code, out, errOut := runCmd(t, nil, "lint", "--config", cfg, "--format", "json", filepath.Join(root, "testdata", "postmortems"))
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s\n%s", code, errOut, out)
	}
	var views []postmortem.DocView
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatalf("output is not a JSON array of documents: %v", err)
	}
	if len(views) < 7 {
		t.Fatalf("%d documents, want the 8 examples", len(views))
	}
	drafts := 0
	for _, v := range views {
		if !v.Finalized {
			drafts++
			continue
		}
		if len(v.ActionItems) == 0 || len(v.Factors) == 0 {
			t.Errorf("%s: %d factors, %d action items", v.Path, len(v.Factors), len(v.ActionItems))
		}
		for _, a := range v.ActionItems {
			if !a.Done && a.Due == "" {
				t.Errorf("%s:%d: open action item without due date", v.Path, a.Line)
			}
			if a.Key == "" || !strings.HasPrefix(a.Key, "ai-") {
				t.Errorf("%s:%d: key %q", v.Path, a.Line, a.Key)
			}
		}
	}
	if drafts != 1 {
		t.Errorf("%d drafts, want 1", drafts)
	}
}

// TestLintBadInput: each kind of bad input gets an error or warning naming
// the file and line; nothing panics and the good document is still read.
func TestLintBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"good.md":        "---\nstatus: final\ndate: 2026-03-01\n---\n# Good\n\n## Action items\n\n- [ ] Add alert (owner: @alice, due: 2026-04-01)\n",
		"broken-yaml.md": "---\nstatus: final\ndate: 2026: 03\n---\n# x\n",
		"latin1.md":      "# caf\xe9\n",
		"binary.md":      "\x89PNG\r\n\x1a\n\x00\x00",
		"empty.md":       "",
		"ragged.md":      "---\nstatus: final\ndate: 2026-03-01\n---\n## Action items\n\n| Action item | Owner | Due |\n|---|---|---|\n| Only text |\n| Too | many | cells | here | 2026-05-01 |\n",
		"noitems.md":     "---\nstatus: final\ndate: 2026-03-01\n---\n# No items\n\n## Action items\n\n<!-- fill in -->\n\n## Contributing factors\n\nSee the timeline above.\n",
		"dup.md":         "---\nstatus: final\ndate: 2026-03-01\n---\n## Action items\n\n- Add alert (owner: @a)\n- Add alert (owner: @b)\n",
		"owner.md":       "---\nstatus: final\ndate: 2026-03-01\n---\n## Action items\n\n| Action item | Owner |\n|---|---|\n| Fix it | zed |\n",
		"baddate.md":     "---\nstatus: final\ndate: 2026-03-01\n---\n## Action items\n\n- Fix it (owner: @alice, due: 31/02/2026)\n",
		"huge.md":        "# big\n" + strings.Repeat("x", 10<<20),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := runCmd(t, nil, "lint", "--format", "json", dir)
	if code != exitFailed {
		t.Fatalf("exit %d, want 1 (finalized documents have errors); stderr %s", code, errOut)
	}
	var views []postmortem.DocView
	if err := json.Unmarshal([]byte(out), &views); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	by := map[string]postmortem.DocView{}
	for _, v := range views {
		by[filepath.Base(v.Path)] = v
	}
	if len(by) != len(files) {
		t.Fatalf("%d documents reported, want %d: %v", len(by), len(files), by)
	}
	want := []struct {
		file    string
		errors  bool // else a warning
		line    int
		message string
	}{
		{"broken-yaml.md", true, 3, "front matter is not valid YAML"},
		{"latin1.md", true, 1, "not UTF-8"},
		{"binary.md", true, 3, "binary file"},
		{"empty.md", false, 1, "file is empty"},
		{"huge.md", true, 0, "too large"},
		{"noitems.md", true, 0, "no action items"},
		{"noitems.md", false, 13, "not read as items"},
		{"noitems.md", false, 7, "has no action items"},
		{"dup.md", false, 8, "duplicate item"},
		{"owner.md", true, 9, `owner "zed" is not in people or teams`},
		{"baddate.md", true, 7, "31/02/2026"},
	}
	for _, w := range want {
		v := by[w.file]
		list := v.Warnings
		if w.errors {
			list = v.Errors
		}
		found := false
		for _, d := range list {
			if d.Line == w.line && strings.Contains(d.Message, w.message) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %s at line %d containing %q; errors %v, warnings %v", w.file, map[bool]string{true: "error", false: "warning"}[w.errors], w.line, w.message, v.Errors, v.Warnings)
		}
	}
	good := by["good.md"]
	if len(good.Errors) != 0 || len(good.ActionItems) != 1 || good.ActionItems[0].Due != "2026-04-01" {
		t.Errorf("good document not read fully next to bad ones: %+v", good)
	}
	rag := by["ragged.md"]
	if len(rag.ActionItems) != 2 {
		t.Errorf("ragged table: %d items, want 2", len(rag.ActionItems))
	}
	// Text output names file and line like a compiler.
	_, text, _ := runCmd(t, nil, "lint", dir)
	if !strings.Contains(text, filepath.Join(dir, "owner.md")+":9: error: ") {
		t.Errorf("text output lacks file:line: error:\n%s", text)
	}
}
