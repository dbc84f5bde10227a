package postmortem

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/ticket"
)

// statuses cycles through every status word of SPEC §3.
var statuses = []ticket.Status{
	{State: ticket.StateOpen},
	{State: ticket.StateInProgress, Overdue: true},
	{State: ticket.StateDone, Done: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
	{State: ticket.StateWontDo},
	{State: ticket.StateMissing},
	{State: ticket.StateOpen, Overdue: true},
}

func updatesFor(d *Doc) map[string]Update {
	ups := map[string]Update{}
	for i, it := range append(append([]*Item{}, d.Factors...), d.Actions...) {
		if it.loc.kind == locNone {
			continue // read, never written (its error says why)
		}
		ups[it.Key] = Update{
			Ticket: ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", 100+i), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", 100+i)},
			Status: statuses[i%len(statuses)],
		}
	}
	return ups
}

// TestWriteBackGolden applies tickets to testdata/writeback/*.md and
// compares with *.golden (go test -update rewrites them).
func TestWriteBackGolden(t *testing.T) {
	p := NewParser(testOptions())
	files, _ := filepath.Glob(filepath.Join("testdata", "writeback", "*.md"))
	if len(files) == 0 {
		t.Fatal("no testdata/writeback/*.md")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := p.Parse(filepath.Base(f), src)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Factors)+len(d.Actions) == 0 {
				t.Fatal("no items found")
			}
			out, _, err := d.Render(updatesFor(d))
			if err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(f, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update creates it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("write-back differs from %s:\n%s", golden, lineDiff(string(want), string(out)))
			}
			assertWriteBack(t, p, filepath.Base(f), src)
		})
	}
}

func TestRenderRejectsUpdateWithoutTicket(t *testing.T) {
	p := NewParser(testOptions())
	d, err := p.Parse("x.md", []byte("## Action items\n\n- Do it\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Render(map[string]Update{d.Actions[0].Key: {}}); err == nil {
		t.Fatal("an update without a ticket was accepted")
	}
}

// TestStatusChangeTouchesOnlyStatus: a later run that only changes the
// status rewrites the status cell/suffix and nothing else.
func TestStatusChangeTouchesOnlyStatus(t *testing.T) {
	p := NewParser(testOptions())
	src := []byte("## Action items\n\n| Action item | Owner |\n|---|---|\n| Add alert | @alice |\n\n## Follow-ups\n\n- Write runbook\n")
	d, _ := p.Parse("x.md", src)
	ref := ticket.Ref{Text: "OPS-1", URL: "https://acme.atlassian.net/browse/OPS-1"}
	ups := map[string]Update{}
	for _, it := range d.Actions {
		ups[it.Key] = Update{Ticket: ref, Status: ticket.Status{State: ticket.StateOpen}}
	}
	first, _, err := d.Render(ups)
	if err != nil {
		t.Fatal(err)
	}
	d2, _ := p.Parse("x.md", first)
	done := ticket.Status{State: ticket.StateDone, Done: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	for k := range ups {
		ups[k] = Update{Ticket: ref, Status: done}
	}
	second, changed, err := d2.Render(ups)
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	want := strings.ReplaceAll(string(first), "Open", "Done 2026-04-01")
	if string(second) != want {
		t.Fatalf("status change rewrote more than the status:\n%s", lineDiff(want, string(second)))
	}
}

func refFor(n int) ticket.Ref {
	return ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", n), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", n)}
}
