package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestGolden(t *testing.T) {
	r := Compute(fixture())
	for _, c := range []struct {
		file   string
		render func(*Report, *bytes.Buffer) error
	}{
		{"report.md", func(r *Report, b *bytes.Buffer) error { return r.Markdown(b) }},
		{"report.json", func(r *Report, b *bytes.Buffer) error { return r.JSON(b) }},
		{"report.csv", func(r *Report, b *bytes.Buffer) error { return r.CSV(b) }},
	} {
		t.Run(c.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := c.render(r, &b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.file)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if c.file == "report.md" && checkTables(b.String()) <= 0 {
				t.Error("Markdown tables are not well formed")
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", c.file, b.String())
			}
		})
	}
}

// The JSON decodes back into the same report: the tags cover every field.
func TestJSONRoundTrip(t *testing.T) {
	r := Compute(fixture())
	var b bytes.Buffer
	if err := r.JSON(&b); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	var b2 bytes.Buffer
	if err := back.JSON(&b2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), b2.Bytes()) {
		t.Error("JSON does not round-trip")
	}
}

// TestJSONIndent: the report's JSON is byte for byte what json.Encoder
// with a two-space indent writes, strings with quotes, backslashes,
// brackets and escapes included.
func TestJSONIndent(t *testing.T) {
	in := fixture()
	in.Items[0].Text = `a "quoted" \ back\slash, {not: [an object]} \" <tag> & \u2028 ` + "\u2028 \t end\\"
	in.Items[1].Owner = `\`
	for _, r := range []*Report{Compute(in), Compute(Input{Now: fixtureNow})} {
		var got, want bytes.Buffer
		if err := r.JSON(&got); err != nil {
			t.Fatal(err)
		}
		e := json.NewEncoder(&want)
		e.SetIndent("", "  ")
		if err := e.Encode(r); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("JSON differs from json.Encoder's:\n%s", got.String())
		}
	}
}

func TestInjection(t *testing.T) {
	const title = "<img src=x onerror=alert(1)> | x"
	const text = `=HYPERLINK("http://evil")`
	in := Input{
		Now:  fixtureNow,
		Docs: []Doc{{ID: "evil", Title: title, Date: d("2026-01-01"), Severity: "SEV1 | `x`"}},
		Items: []Item{
			{DocID: "evil", Key: "ai-1", Kind: ticket.Action, Text: text, Owner: "@mallory", OwnerAccount: "mallory",
				Due: d("2026-02-01"), State: ticket.StateOpen, Created: d("2026-01-02"),
				Ticket: ticket.Ref{Text: "X-1](javascript:alert(1))", URL: "javascript:alert(1)"}},
			{DocID: "evil", Key: "ai-2", Kind: ticket.Action, Text: "two\n| fake | row |\r\n<script>`code`</script>",
				Owner: "+cmd", Due: d("2026-02-01"), State: ticket.StateOpen,
				Ticket: ticket.Ref{Text: "X-2", URL: "https://x.example/a) <b>|c"}},
		},
	}
	r := Compute(in)

	var md bytes.Buffer
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	// An escaped "\]" cannot close a link text, so drop it before looking.
	for _, bad := range []string{"<img", "<script", "<b>", "](javascript:", "\n| fake", "`code`"} {
		if strings.Contains(strings.ReplaceAll(out, `\]`, ""), bad) {
			t.Errorf("Markdown contains %q:\n%s", bad, out)
		}
	}
	for _, good := range []string{
		`&lt;img src=x onerror=alert(1)&gt; \| x`,
		`two \| fake \| row \|  &lt;script&gt;\` + "`code\\`" + `&lt;/script&gt;`,
		`[X-2](https://x.example/a%29%20%3Cb%3E%7Cc)`,
		`X-1\](javascript:alert(1))`, // text only, no link
		`SEV1 \| \` + "`X\\`",        // upper-cased, still escaped
	} {
		if !strings.Contains(out, good) {
			t.Errorf("Markdown lacks %q:\n%s", good, out)
		}
	}
	// Every table row keeps its header's cell count: no text adds or
	// ends a cell, or a row.
	if n := checkTables(out); n == 0 {
		t.Error("no tables checked")
	} else if n < 0 {
		t.Errorf("a table row's cells do not match its header:\n%s", out)
	}

	recs := csvRecords(t, r)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if got := recs[1][col["text"]]; got != "'"+text {
		t.Errorf("CSV text = %q, want it neutralized", got)
	}
	if got := recs[1][col["owner"]]; got != "'@mallory" {
		t.Errorf("CSV owner = %q", got)
	}
	if got := recs[2][col["owner"]]; got != "'+cmd" {
		t.Errorf("CSV owner = %q", got)
	}
	if got := recs[1][col["doc_title"]]; got != title {
		t.Errorf("CSV title = %q (not a formula: kept as is)", got)
	}
	for _, rec := range recs[1:] {
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("CSV cell %s = %q starts a formula", recs[0][i], cell)
			}
		}
	}

	var js bytes.Buffer
	if err := r.JSON(&js); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(js.String(), "<img") {
		t.Error("JSON carries raw HTML")
	}
}

// csvRecords renders r as CSV and reads it back.
func csvRecords(t *testing.T, r *Report) [][]string {
	t.Helper()
	var c bytes.Buffer
	if err := r.CSV(&c); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// checkTables returns the number of table rows checked, or -1 when a row
// has a different number of unescaped "|" than its table's header.
func checkTables(md string) int {
	cells := func(line string) int { return strings.Count(line, "|") - strings.Count(line, `\|`) }
	want, n := -1, 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		if want < 0 {
			want = cells(line)
		} else if cells(line) != want {
			return -1
		}
		n++
	}
	return n
}

// TestDigestIgnoresOnlyGenerationTime: the committed report is replaced
// when what it says changes, not because it was generated again.
func TestDigestIgnoresOnlyGenerationTime(t *testing.T) {
	in := fixture()
	a := Compute(in)
	in.Now = in.Now.Add(3 * time.Hour)
	b := Compute(in)
	if a.GeneratedAt == b.GeneratedAt || a.Digest() != b.Digest() {
		t.Fatalf("same day, later: digests %s vs %s", a.Digest(), b.Digest())
	}
	in.Now = in.Now.Add(24 * time.Hour) // ages and overdue move
	if c := Compute(in); c.Digest() == a.Digest() {
		t.Fatal("next day: same digest")
	}
	in = fixture()
	in.Items[0].State = ticket.StateOpen
	if d := Compute(in); d.Digest() == a.Digest() {
		t.Fatal("an item's state changed: same digest")
	}
}

// TestDigestKeepsItsValue: the digest is streamed into the hash, and it
// is still the hash of what json.Encoder writes, so a report committed by
// an earlier version is not rewritten only because pmsync was upgraded.
func TestDigestKeepsItsValue(t *testing.T) {
	for name, in := range map[string]Input{"fixture": fixture(), "10,000 items": bigInput(), "empty": {Now: fixture().Now}} {
		r := Compute(in)
		c := *r
		c.GeneratedAt = ""
		h := sha256.New()
		if err := json.NewEncoder(h).Encode(&c); err != nil {
			t.Fatal(err)
		}
		if got, want := r.Digest(), hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("%s: digest %s, the encoder's hash is %s", name, got, want)
		}
	}
}
