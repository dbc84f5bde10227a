package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pmsync/pmsync/sync/metrics"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/trackers"
)

// This file is the publish phase: the run's write-back is committed and
// pushed (or pushed to pmsync's branch with one pull request), the report
// is written (or committed), and metrics are pushed. Nothing here changes
// a ticket or what the run decided; a failure is reported, and the next
// run publishes again.

// Publish is where a run's outcome goes. Every part is optional.
type Publish struct {
	// Repo is the source's repository (the git source); nil for a folder.
	Repo Repository
	// PullRequests, set in pull-request mode, receives the write-back as
	// a pull request from PullBranch into PullBase, instead of a push to
	// the branch.
	PullRequests     PullRequester
	PullBase         string
	ReportDir        string
	ReportFormats    []string
	ReportInRepo     bool // commit the report with the write-back
	Pushgateway, Job string
}

// PullBranch is the branch pmsync owns in pull-request mode.
const PullBranch = "pmsync/sync"

// Repository is a source kept in a git repository.
type Repository interface {
	report.RepoFiles
	// Commit commits what was written and pushes it; false when there
	// was nothing to commit.
	Commit(ctx context.Context, message string) (bool, error)
	// CommitToBranch commits what was written on top of the base branch
	// into branch and pushes it (replacing it); false when the branch
	// already said the same.
	CommitToBranch(ctx context.Context, branch, message string) (bool, error)
}

// PullRequester opens, or updates the body of, the one pull request from
// head into base of the source's repository and returns its number.
// pushed says whether this run changed head: a pull request someone
// closed without merging is left closed (0, nil) until the write-back
// changes.
type PullRequester interface {
	PullRequest(ctx context.Context, head, base, title, body string, pushed bool) (int, error)
}

// publish runs after apply (also when the run was interrupted: what was
// done is published). The report is computed where it is used and let
// go before the commit: go-git's push buffers the whole pack, and the
// report held beside it was 14 MB of a first sync's peak at 100,000
// items.
func (r *run) publish(started time.Time) {
	e, res, pub := r.e, r.res, r.e.Publish
	inRepo := pub.ReportDir != "" && pub.Repo != nil && pub.ReportInRepo
	reportStaged := false
	if inRepo {
		reportStaged = r.stageReport()
	}
	if pub.Repo != nil {
		// One commit per run, and none when nothing changed: the state
		// file alone (its "since" moves every run) is not worth a commit.
		cctx, cancel := commitContext(r.ctx)
		defer cancel()
		var err error
		switch {
		case pub.PullRequests != nil:
			if len(res.Written) > 0 {
				err = r.pullRequest(cctx)
			}
		case len(res.Written) > 0 || reportStaged:
			_, err = pub.Repo.Commit(cctx, commitMessage(len(res.Written), reportStaged, res.Report.Now))
		}
		if err != nil {
			res.fail(Failure{Doc: e.Source.Root(), Message: err.Error()})
		}
	}
	if pub.ReportDir != "" && !inRepo {
		rep := report.Compute(res.Report)
		files, err := rep.WriteFiles(pub.ReportDir, pub.ReportFormats, e.log())
		res.ReportFiles = files
		if err != nil {
			res.fail(Failure{Doc: pub.ReportDir, Message: err.Error()})
		}
		if err := report.AppendHistory(filepath.Join(pub.ReportDir, report.HistoryFile), report.Snap(rep)); err != nil {
			// The trends lose a point; the run's work is done.
			e.log().Warn("report history not appended", "err", err)
		}
	}
	if pub.Pushgateway != "" {
		run := metrics.Run{Now: started, Duration: time.Since(started), Success: !res.Failed(), Items: res.Report.Items,
			Trackers: map[string]metrics.TrackerStats{}}
		for name, t := range e.Trackers {
			if s, ok := t.(trackers.Statser); ok {
				st := s.Stats()
				run.Trackers[name] = metrics.TrackerStats{Calls: st.Requests.Load(), Errors: st.Errors.Load(), RateLimited: st.RateLimited.Load()}
			}
		}
		if err := metrics.Push(r.ctx, pub.Pushgateway, pub.Job, res.OwnerID, run, nil); err != nil {
			// Metrics are for dashboards; a failed push does not fail the run.
			e.log().Warn("metrics push failed", "err", err)
		}
	}
}

// stageReport writes the report into the repository, for the run's
// commit; it is replaced only when what it says changed. It reports
// whether it was.
func (r *run) stageReport() bool {
	e, res, pub := r.e, r.res, r.e.Publish
	rep := report.Compute(res.Report)
	staged, err := rep.Stage(r.ctx, pub.Repo, pub.ReportDir, pub.ReportFormats, e.log())
	if err != nil {
		res.fail(Failure{Doc: pub.ReportDir, Message: err.Error()})
	}
	if staged || len(res.Written) > 0 {
		// Only a run that commits keeps a snapshot: a clone may not
		// outlive the run. The report changes at least daily, and the
		// trends need one snapshot a week.
		r.appendRepoHistory(rep)
	}
	return staged
}

// historyPath is where the report's history is kept in the repository.
func (p Publish) historyPath() string {
	return path.Join(path.Clean(filepath.ToSlash(p.ReportDir)), report.HistoryFile)
}

// loadHistory hands the report the snapshots of earlier runs, from
// beside the report (in the repository when the report is committed).
// A history that cannot be read costs the trends, never the run.
func (r *run) loadHistory() {
	pub := r.e.Publish
	if pub.ReportDir == "" {
		return
	}
	var snaps []report.Snapshot
	var err error
	if pub.Repo != nil && pub.ReportInRepo {
		var b []byte
		if b, err = pub.Repo.ReadRepoFile(r.work, pub.historyPath()); err == nil {
			snaps, err = report.DecodeHistory(b)
		} else if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
	} else {
		snaps, err = report.ReadHistory(filepath.Join(pub.ReportDir, report.HistoryFile))
	}
	if err != nil {
		r.e.log().Warn("report history unreadable; the report shows no trend", "err", err)
		return
	}
	r.res.Report.History = snaps
}

// appendRepoHistory adds this run's snapshot to the history in the
// repository, for the run's commit.
func (r *run) appendRepoHistory(rep *report.Report) {
	pub := r.e.Publish
	old, err := pub.Repo.ReadRepoFile(r.work, pub.historyPath())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.e.log().Warn("report history not appended", "err", err)
		return
	}
	b, err := report.AppendHistoryData(old, report.Snap(rep))
	if err == nil {
		err = pub.Repo.WriteRepoFile(r.work, pub.historyPath(), b)
	}
	if err != nil {
		r.e.log().Warn("report history not appended", "err", err)
	}
}

// pullRequest pushes the write-back to PullBranch and opens or updates
// the pull request.
func (r *run) pullRequest(ctx context.Context) error {
	pub, docs := r.e.Publish, r.res.Written
	pushed, err := pub.Repo.CommitToBranch(ctx, PullBranch, fmt.Sprintf("pmsync: ticket links and statuses for %d postmortems", len(docs)))
	if err != nil {
		return err
	}
	sorted := append([]string(nil), docs...)
	sort.Strings(sorted)
	var b strings.Builder
	fmt.Fprintf(&b, "pmsync wrote ticket links and statuses into %d postmortems:\n\n", len(sorted))
	for _, d := range sorted {
		fmt.Fprintf(&b, "- `%s`\n", d)
	}
	b.WriteString("\nThis branch is rewritten by every run; merge it to keep the postmortems up to date.\n")
	_, err = pub.PullRequests.PullRequest(ctx, PullBranch, pub.PullBase, pullTitle, b.String(), pushed)
	return err
}

const pullTitle = "pmsync: ticket links and statuses"

// commitContext bounds the commit and push of a run's write-back. It
// outlives a signal (what was done is pushed), but briefly then:
// Kubernetes kills the pod terminationGracePeriodSeconds (30 s in
// deploy/) after SIGTERM, and the engine's in-flight calls had their 20 s.
// A push cut short is redone by the next run (the marker links the
// tickets).
func commitContext(ctx context.Context) (context.Context, context.CancelFunc) {
	limit := 10 * time.Minute
	if ctx.Err() != nil {
		limit = 8 * time.Second
	}
	return context.WithTimeout(context.WithoutCancel(ctx), limit)
}

// commitMessage says what a run's commit holds.
func commitMessage(docs int, report bool, now time.Time) string {
	var parts []string
	if docs > 0 {
		parts = append(parts, fmt.Sprintf("ticket links and statuses for %d postmortems", docs))
	}
	if report {
		parts = append(parts, "follow-through report of "+now.UTC().Format("2006-01-02"))
	}
	return "pmsync: " + strings.Join(parts, "; ")
}
