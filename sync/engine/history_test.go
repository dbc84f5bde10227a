package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/ticket"
)

// TestSyncKeepsReportHistory: each sync appends a snapshot beside the
// report, and the next report shows one trend point per week; a dry run
// (pmsync report, plan) reads the history but adds nothing to it.
func TestSyncKeepsReportHistory(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	withReport := func(e *Engine) { e.Publish = Publish{ReportDir: dir, ReportFormats: []string{"json"}} }
	f.run(t, withReport)
	f.now = f.now.AddDate(0, 0, 7)
	done := f.gh.All()[0]
	f.gh.SetStatus(done.Ref.Text, ticket.Status{State: ticket.StateDone, Done: f.now})
	f.run(t, withReport)
	f.now = f.now.AddDate(0, 0, 7)
	res := f.run(t, withReport)

	snaps, err := report.ReadHistory(filepath.Join(dir, report.HistoryFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 3 {
		t.Fatalf("history has %d snapshots after 3 syncs, want 3", len(snaps))
	}
	if snaps[1].Total.Done != snaps[0].Total.Done+1 {
		t.Errorf("done %d then %d, want one more after %s was closed", snaps[0].Total.Done, snaps[1].Total.Done, done.Ref.Text)
	}
	if pts := report.Compute(res.Report).Trends.Overall; len(pts) != 3 {
		t.Errorf("report of the third sync has %d weekly points, want 3: %+v", len(pts), pts)
	}

	f.now = f.now.Add(time.Hour)
	dry := f.run(t, withReport, dryRun)
	if len(dry.Report.History) != 3 {
		t.Errorf("dry run read %d snapshots, want 3", len(dry.Report.History))
	}
	if again, _ := report.ReadHistory(filepath.Join(dir, report.HistoryFile)); len(again) != 3 {
		t.Errorf("a dry run changed the history: %d snapshots", len(again))
	}
}
