package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/memprobe"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/trackers/factory"
)

// BenchmarkReport10kWith2yHistory: `pmsync report` (a dry run that reads
// the trackers, then every format written) over 10,000 linked items in
// 10 GitHub repositories, one simulated hour after the last sync,
// with a history of two years of hourly syncs beside the report (742
// snapshots after compaction, 22 teams, 4 severities). It reports the API
// calls (SPEC §8: 1 + ⌈changed/100⌉ per repository; nothing changed, so
// 10) and the peak heap growth of the whole command.
func BenchmarkReport10kWith2yHistory(b *testing.B) {
	e := newBenchEnv(b, 1000, 10, 10, true, 0, false, 100000)
	e.sync(b)
	hist := filepath.Join(e.cfg.Report.Dir, report.HistoryFile)
	if err := os.MkdirAll(e.cfg.Report.Dir, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(hist, twoYearHistory(e.clock.Now()), 0o644); err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	var calls, peak, runs uint64
	for b.Loop() {
		e.advance(time.Hour)
		e.resetCalls()
		runtime.GC()
		peak = max(peak, memprobe.Peak(func() {
			a := &app{stdout: io.Discard, stderr: io.Discard, env: e.env}
			res, err := a.syncOnce(context.Background(), e.cfg, syncFlags{dryRun: true, command: "report"},
				wiring.NewLogger(io.Discard, 0, "text"), factory.Options{Env: e.env, Clock: e.clock})
			if err != nil || res.Failed() {
				b.Fatal(err, res.Failures)
			}
			if len(res.Report.History) < 700 {
				b.Fatalf("report read %d snapshots, want the 742 of two years", len(res.Report.History))
			}
			if _, err := report.WriteFiles(out, []string{"md", "html", "json", "csv"}, res.Report, wiring.NewLogger(io.Discard, 0, "text")); err != nil {
				b.Fatal(err)
			}
		}))
		n, _ := e.calls()
		calls += uint64(n)
		runs++
	}
	b.ReportMetric(float64(calls)/float64(runs), "calls/op")
	b.ReportMetric(float64(calls)/float64(runs)/10, "x_budget")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}

// twoYearHistory is what two years of hourly syncs leave after
// compaction: the last 14 days hourly, the year before daily, the year
// before that weekly; 22 teams and 4 severities in each snapshot.
func twoYearHistory(now time.Time) []byte {
	var at []time.Time
	for t := now.AddDate(-2, 0, 0); t.Before(now.AddDate(-1, 0, 0)); t = t.AddDate(0, 0, 7) {
		at = append(at, t)
	}
	for t := now.AddDate(-1, 0, 0); t.Before(now.AddDate(0, 0, -14)); t = t.AddDate(0, 0, 1) {
		at = append(at, t)
	}
	for t := now.AddDate(0, 0, -14); t.Before(now); t = t.Add(time.Hour) {
		at = append(at, t)
	}
	var buf bytes.Buffer
	for i, t := range at {
		s := report.Snapshot{At: t, Teams: map[string]report.Figures{}, Severities: map[string]report.Figures{}}
		for k := range 22 {
			f := report.Figures{Items: 450 + k, Done: i % 400, Open: 450 + k - i%400, Overdue: i % 50}
			s.Teams[fmt.Sprintf("team%d", k)] = f
			s.Total.Items += f.Items
			s.Total.Done += f.Done
			s.Total.Open += f.Open
			s.Total.Overdue += f.Overdue
		}
		for _, sev := range []string{"SEV1", "SEV2", "SEV3", "SEV4"} {
			s.Severities[sev] = report.Figures{Items: 2500, Done: i % 400}
		}
		line, err := json.Marshal(s)
		if err != nil {
			panic(err)
		}
		buf.Write(append(line, '\n'))
	}
	return buf.Bytes()
}
