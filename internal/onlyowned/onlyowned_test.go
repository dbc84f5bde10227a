package onlyowned

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

// A small postmortem with both shapes pmsync writes into: a table without
// Ticket and Status columns (pmsync adds them) and a checklist (pmsync
// appends its suffix).
const doc = `# Checkout errors after a database failover

Status: Final
Date: 2026-01-14
Severity: SEV1

## Summary

Checkout failed for 40 minutes.

## Contributing factors

- The connection pool kept connections to the old primary.
- The 5xx alert used a 15-minute window.

## Action items

| Action item | Owner | Priority | Due |
|---|---|---|---|
| Re-resolve the primary on failover | @alice | P0 | 2026-02-13 |
| Page on a 2% checkout 5xx rate | @bob | P1 | 2026-02-28 |

## Follow-ups

- [ ] Test the promotion runbook at the next game day (owner: @carol, due: 2026-03-31)
`

// writeBack is what pmsync does to src: every item gets a ticket, the
// n-th with status st(n), except items the document says are done
// without one (pmsync opens no ticket for those).
func writeBack(t *testing.T, name string, src []byte, st func(n int) ticket.Status) []byte {
	t.Helper()
	return writeBackNumbered(t, name, src, func(i int) int { return 100 + i }, st)
}

// writeBackNumbered is writeBack with the i-th item's ticket number num(i).
func writeBackNumbered(t *testing.T, name string, src []byte, num func(i int) int, st func(n int) ticket.Status) []byte {
	t.Helper()
	d, err := postmortem.NewParser(postmortem.Options{}).Parse(name, src)
	if err != nil {
		t.Fatal(err)
	}
	updates := map[string]postmortem.Update{}
	for i, it := range d.Items() {
		if it.Done && it.Ticket.IsZero() {
			continue
		}
		n := num(i)
		updates[it.Key] = postmortem.Update{
			Ticket: ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", n), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", n)},
			Status: st(n),
		}
	}
	out, changed, err := d.Render(updates)
	if err != nil {
		t.Fatal(err)
	}
	if !changed && len(updates) > 0 {
		t.Fatalf("%s: the write-back changed nothing", name)
	}
	return out
}

func open(int) ticket.Status { return ticket.Status{State: ticket.StateOpen} }

// TestAcceptsWriteBack: pmsync's own write-back, first and later (a
// status that moved), on the small document and on every example
// postmortem (tables, lists, CRLF line endings, front matter).
func TestAcceptsWriteBack(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "postmortems", "*.md"))
	if len(files) < 5 {
		t.Fatalf("found %d example postmortems", len(files))
	}
	docs := map[string][]byte{"small.md": []byte(doc)}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[filepath.Base(f)] = b
	}
	done := func(n int) ticket.Status {
		if n%2 == 0 {
			return ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
		}
		return ticket.Status{State: ticket.StateOpen, Overdue: true}
	}
	for name, orig := range docs {
		if err := Verify(nil, name, orig, orig); err != nil {
			t.Errorf("unchanged document rejected: %v", err)
		}
		first := writeBack(t, name, orig, open)
		if err := Verify(nil, name, orig, first); err != nil {
			t.Errorf("first write-back rejected: %v", err)
		}
		later := writeBack(t, name, first, done)
		if err := Verify(nil, name, orig, later); err != nil {
			t.Errorf("later write-back rejected against the original: %v", err)
		}
		if err := Verify(nil, name, first, later); err != nil {
			t.Errorf("later write-back rejected against the first: %v", err)
		}
	}
}

// TestRejects: each change a person (or a bug) could make outside pmsync's
// cells is caught, and the message points at the line.
func TestRejects(t *testing.T) {
	orig := []byte(doc)
	final := string(writeBack(t, "small.md", orig, open))
	if !strings.Contains(final, "| Ticket | Status |") || !strings.Contains(final, "<!-- pmsync -->") {
		t.Fatalf("the write-back did not fill a table and a list:\n%s", final)
	}
	tests := []struct {
		name, old, new string
		want           string // in the error
	}{
		{"changed title in a table", "Re-resolve the primary on failover", "Re-resolve the primary after failover", "text changed"},
		{"changed title in a list", "Test the promotion runbook", "Test the failover runbook", "text changed"},
		{"checked box", "- [ ] Test", "- [x] Test", "line 25 is"},
		{"changed factor", "used a 15-minute window", "used a 10-minute window", "text changed"},
		{"changed owner in a table", "| @alice |", "| @dave  |", "line 20 is"},
		{"changed owner in a list", "owner: @carol", "owner: @dave", "line 25 is"},
		{"changed due date", "2026-02-28", "2026-03-28", "line 21 is"},
		{"deleted line", "Checkout failed for 40 minutes.\n", "", "line 9"},
		{"added line", "## Summary\n", "## Summary\n\nAdded.\n", "line 9"},
		{"changed heading", "## Summary", "## Overview", "line 7 is"},
		{"CRLF line ending", "Severity: SEV1\n", "Severity: SEV1\r\n", "line 5 is"},
		{"trailing space", "Date: 2026-01-14\n", "Date: 2026-01-14 \n", "line 4 is"},
		{"status pmsync would not write", "issues/102) | Open |", "issues/102) | Opened |", "small.md:20: item \"Re-resolve the primary on failover\" links"},
		{"ticket without its status", "issues/103) | Open |", "issues/103) |  |", "without the status"},
		{"spaces in a cell pmsync does not own", "| @alice |", "|  @alice |", "line 20 is"},
		{"spaces outside a table", "Checkout failed for 40 minutes.", "Checkout failed for 40 minutes. ", "line 9 is"},
		{"deleted item", "| Page on a 2% checkout 5xx rate | @bob | P1 | 2026-02-28 | [acme/sre#103](https://github.com/acme/sre/issues/103) | Open |\n", "", "4 items, the original has 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(final, tt.old) {
				t.Fatalf("the written-back document has no %q:\n%s", tt.old, final)
			}
			bad := strings.Replace(final, tt.old, tt.new, 1)
			err := Verify(nil, "small.md", orig, []byte(bad))
			if err == nil {
				t.Fatalf("accepted:\n%s", bad)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

// TestAcceptsPaddedOwnedCell: a ticket cell rewritten with a shorter link
// keeps the old width (pmsync pads it so aligned tables stay aligned);
// the spaces are in pmsync's cell, so the document is fine, though the
// same links written onto the original would have none.
func TestAcceptsPaddedOwnedCell(t *testing.T) {
	orig := []byte(doc)
	long := writeBackNumbered(t, "small.md", orig, func(i int) int { return 10000 + i }, open)
	short := writeBackNumbered(t, "small.md", long, func(i int) int { return 1 + i }, open)
	if !strings.Contains(string(short), "issues/3)         | Open |") {
		t.Fatalf("no padded ticket cell to check:\n%s", short)
	}
	if err := Verify(nil, "small.md", orig, short); err != nil {
		t.Fatal(err)
	}
	// The same spaces beside a value that is not pmsync's are a change.
	bad := strings.Replace(string(short), "| P0 |", "| P0    |", 1)
	if err := Verify(nil, "small.md", orig, []byte(bad)); err == nil {
		t.Fatal("accepted spaces added to the Priority cell")
	}
}

// TestRejectsLostLink: a link pmsync had written that is gone again (a
// write-back lost by a bad merge) is caught against the linked version.
func TestRejectsLostLink(t *testing.T) {
	linked := writeBack(t, "small.md", []byte(doc), open)
	suffix := " <!-- pmsync --> ([acme/sre#101](https://github.com/acme/sre/issues/101): Open)"
	lost := strings.Replace(string(linked), suffix, "", 1)
	if lost == string(linked) {
		t.Fatal("no suffix to remove")
	}
	err := Verify(nil, "small.md", linked, []byte(lost))
	if err == nil || !strings.Contains(err.Error(), "lost its ticket") {
		t.Fatalf("err = %v, want lost its ticket", err)
	}
	// Against the document as a person wrote it, the same bytes are fine:
	// that item is simply not synced yet.
	if err := Verify(nil, "small.md", []byte(doc), []byte(lost)); err != nil {
		t.Fatal(err)
	}
}

// TestRejectsUnparsable: a final document that no longer parses is an
// error, not a pass.
func TestRejectsUnparsable(t *testing.T) {
	orig := []byte(doc)
	bad := append([]byte("\xff\xfe"), orig...) // not UTF-8
	if err := Verify(nil, "small.md", orig, bad); err == nil {
		t.Fatal("accepted a document that does not parse")
	}
}
