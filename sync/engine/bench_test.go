package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/memprobe"
	"github.com/pmsync/pmsync/internal/sim/memory"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/trackers"
)

// budgetMiB is SPEC §8's peak memory for 10,000 items in 1,000
// postmortems.
const budgetMiB = 64

// BenchmarkRunMemory: 1,000 small postmortems with 10,000 items (2
// factors and 8 action items each) and an in-memory tracker, the report
// written in every format. The first run creates every ticket and writes
// each link back; the measured runs are steady (nothing changed). Its
// documents are short and its tickets bare: BenchmarkScale in cmd/pmsync
// measures whole runs of the binary on realistic collections. Memory is
// the Go heap's growth over the heap before
// the run, garbage not yet collected included, sampled every 2 ms
// (internal/memprobe): what the run itself needs, without the runtime,
// the binary or an HTTP client (BenchmarkBinaryPeakRSS in cmd/pmsync
// measures the whole process).
//
// Reported: first-peak-MiB and steady-peak-MiB, peak-MiB (the larger),
// budget-MiB and x_budget (peak / 64 MiB). A soft memory limit makes the
// collector work harder near it, so the benchmark runs without a limit
// and with debug.SetMemoryLimit(64 MiB) (restored afterwards).
func BenchmarkRunMemory(b *testing.B) {
	for _, limit := range []int64{0, budgetMiB << 20} {
		name := "GOMEMLIMIT=off"
		if limit > 0 {
			name = fmt.Sprintf("GOMEMLIMIT=%dMiB", limit>>20)
		}
		b.Run(name, func(b *testing.B) {
			if limit > 0 {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))
			}
			benchRunMemory(b)
		})
	}
}

func benchRunMemory(b *testing.B) {
	dir := b.TempDir()
	for d := 0; d < 1000; d++ {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\nid: pm-%04d\nstatus: final\ndate: 2026-06-01\n---\n# Incident %d\n\n## Contributing factors\n\n- Factor one of %d\n- Factor two of %d\n\n## Action items\n\n| Action item | Owner | Due |\n|---|---|---|\n", d, d, d, d)
		for i := 0; i < 8; i++ {
			fmt.Fprintf(&sb, "| Action %d of incident %d | @u%d | 2099-01-01 |\n", i, d, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pm-%04d.md", d)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	src, err := source.OpenDir(dir, source.DirOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	gh := memory.New("gh", func() time.Time { return now })
	e := &Engine{
		Source: src, Parser: postmortem.NewParser(postmortem.Options{}),
		Router:   &route.Router{Rules: []route.Rule{{Tracker: "gh"}}, Trackers: map[string]route.Tracker{"gh": {Type: "github", Repo: "acme/sre"}}},
		Trackers: map[string]trackers.Tracker{"gh": gh}, Now: func() time.Time { return now },
		Config: Config{OwnerID: "bench", MaxCreates: map[string]int{"gh": 20000}},
		// A real run writes the report too, in every format.
		Publish: Publish{ReportDir: b.TempDir(), ReportFormats: []string{"md", "html", "json", "csv"}},
	}
	first := memprobe.Peak(func() {
		res, err := e.Run(context.Background())
		if err != nil || res.Created != 10000 {
			b.Fatalf("first run: %v, created %d, failures %v", err, res.Created, res.Failures[:min(2, len(res.Failures))])
		}
	})
	var steady uint64
	for b.Loop() {
		now = now.Add(time.Hour)
		steady = max(steady, memprobe.Peak(func() {
			if res, err := e.Run(context.Background()); err != nil || res.Created != 0 || len(res.Written) != 0 {
				b.Fatalf("steady run: %v %+v", err, res)
			}
		}))
	}
	const mib = 1 << 20
	peak := max(first, steady)
	b.ReportMetric(float64(first)/mib, "first-peak-MiB")
	b.ReportMetric(float64(steady)/mib, "steady-peak-MiB")
	b.ReportMetric(float64(peak)/mib, "peak-MiB")
	b.ReportMetric(budgetMiB, "budget-MiB")
	b.ReportMetric(float64(peak)/(budgetMiB*mib), "x_budget")
}
