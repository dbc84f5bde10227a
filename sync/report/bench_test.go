package report

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/memprobe"
	"github.com/pmsync/pmsync/sync/ticket"
)

// bigInput is 1,000 postmortems with 10,000 items in every state.
func bigInput() Input {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	in := Input{Now: now}
	states := []ticket.State{ticket.StateOpen, ticket.StateInProgress, ticket.StateDone, ticket.StateWontDo, ticket.StateMissing}
	for d := 0; d < 1000; d++ {
		date := now.AddDate(0, 0, -d/3)
		id := fmt.Sprintf("pm-%04d", d)
		in.Docs = append(in.Docs, Doc{Path: id + ".md", ID: id, Title: "Incident " + id, Date: date, Severity: fmt.Sprintf("SEV%d", d%3+1),
			Teams: []string{fmt.Sprintf("team%d", d%12)}, StartedAt: date.Add(9 * time.Hour), DetectedAt: date.Add(9*time.Hour + 7*time.Minute),
			RespondedAt: date.Add(9*time.Hour + 15*time.Minute), ResolvedAt: date.Add(11 * time.Hour)})
		for i := 0; i < 10; i++ {
			st := states[(d+i)%len(states)]
			it := Item{DocID: id, Key: fmt.Sprintf("ai-%08x", d*10+i), Kind: ticket.Action, Text: fmt.Sprintf("Action %d of %s", i, id),
				Team: fmt.Sprintf("team%d", d%12), Owner: fmt.Sprintf("@u%d", i), OwnerAccount: fmt.Sprintf("u%d", i),
				Due: date.AddDate(0, 0, 28), Ticket: ticket.Ref{Text: fmt.Sprintf("acme/sre#%d", d*10+i), URL: fmt.Sprintf("https://github.com/acme/sre/issues/%d", d*10+i)},
				State: st, Created: date.AddDate(0, 0, 1), TrackerAssignee: fmt.Sprintf("u%d", i)}
			if st == ticket.StateDone {
				it.Done = date.AddDate(0, 0, 10+i*5)
			}
			in.Items = append(in.Items, it)
		}
	}
	return in
}

// BenchmarkReport10k: computing and rendering the report (Markdown,
// JSON, CSV and HTML) for 1,000 postmortems / 10,000 items, with the heap
// it needs (the growth over the heap before, garbage not yet collected
// included, sampled every 2 ms). A sync writes the report after its run,
// so this peak counts against SPEC §8's 64 MiB as well: peak-MiB,
// budget-MiB, x_budget (peak / 64 MiB).
func BenchmarkReport10k(b *testing.B) {
	in := bigInput()
	var peak uint64
	for b.Loop() {
		peak = max(peak, memprobe.Peak(func() {
			r := Compute(in)
			for _, render := range []func(io.Writer) error{r.Markdown, r.JSON, r.CSV, r.HTML} {
				if err := render(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		}))
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
	b.ReportMetric(64, "budget-MiB")
	b.ReportMetric(float64(peak)/(64<<20), "x_budget")
}
