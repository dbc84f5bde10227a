// Package engine runs one sync, as named phases:
//
//   - collect: read and parse the postmortems, route their items
//     (collect.go);
//   - observe: list the trackers' tickets, fetch the linked ones, decide
//     which marked tickets to believe (observe.go, vet.go);
//   - decide: compute the plan (sync/plan, pure);
//   - apply: write links and statuses back, create tickets, settle races
//     and close duplicates (apply.go);
//   - publish: commit and push, or push a branch and open a pull request;
//     write the report; push metrics (publish.go).
//
// Dry-run is decided here, once: it stops after decide.
package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/pmsync/pmsync/sync/nudge"
	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
	"github.com/pmsync/pmsync/trackers"
)

// StatePath is where the engine keeps, inside the source, when it last
// observed each tracker repo or project, so a steady-state run lists only
// what changed since.
const StatePath = ".pmsync/state.json"

// Config tunes a run.
type Config struct {
	// OwnerID is the configured owner_id; "" means the one written in the
	// source's .pmsync/owner-id, or a new one (see Engine.identity).
	OwnerID string
	// LegacyOwnerID is the id pmsync before 0.3 derived for this source
	// (dir:<absolute path> or git:<URL>[/path]): an installation that
	// synced before the id was written down keeps the id its tickets carry.
	LegacyOwnerID string
	WebURL        string // source.web_url: documents link to WebURL + path
	DryRun        bool
	Only          []string // document ids or paths; empty means all
	IncludeDrafts bool
	// Since: documents of incidents before it are an archive: read and
	// reported, never ticketed (source.since, --since). Zero: none.
	Since      time.Time
	MaxCreates map[string]int     // per tracker
	MaxShare   map[string]float64 // per tracker
	// FullRefresh is how often every ticket is listed, not only the
	// changed ones, to notice deleted tickets (default 24h).
	FullRefresh time.Duration
	// Grace is how long in-flight calls may take once the run is told to
	// stop (default 20s).
	Grace time.Duration
	// TrustedAuthors are, per tracker, accounts besides the tracker's own
	// whose marked tickets are adopted (trackers.<name>.trusted_authors).
	TrustedAuthors map[string][]string
	// Offline: no tracker is asked (report --offline); the report shows
	// the documents and what .pmsync/ kept, as of the last sync. Implies
	// DryRun.
	Offline bool
	// Nudges and Digests are the reminders posted on tickets and the
	// teams' digests (SPEC §6.1); zero: none.
	Nudges  Nudges
	Digests Digests
	// Today is the day due dates are evaluated as of (--now): overdue in
	// the write-back and the plan, and the report's today. Zero: the
	// clock's today. Listing and pacing keep the real clock.
	Today time.Time
	// KeepPlan: the caller prints Result.Plan after the run (sync
	// --format json). Otherwise a create's ticket content is let go once
	// the ticket is created or has failed: on a first sync it was the
	// largest part of the live heap (336 bytes and more an item).
	KeepPlan bool
}

// Engine holds what a run needs. Build one per run.
type Engine struct {
	Source    source.Source
	Parser    *postmortem.Parser
	Router    *route.Router
	Directory postmortem.Directory
	Trackers  map[string]trackers.Tracker
	Config    Config
	Now       func() time.Time
	Log       *slog.Logger
	// Progress, when set, is told how far the run's ticket creation has
	// come (a terminal shows it; logs do not need it).
	Progress func(done, total int)
	// Publish is where the outcome goes after apply (commit, pull
	// request, report, metrics); see publish.go.
	Publish Publish
}

// locker is a source that can keep two runs from interleaving.
type locker interface {
	Lock(ctx context.Context) (unlock func(), err error)
}

// fileWriterFrom is a source that writes one of pmsync's own files from
// a writer, so that the state is never held whole in memory (a folder
// and a git clone do).
type fileWriterFrom interface {
	WriteFileFrom(ctx context.Context, p string, write func(io.Writer) error) error
}

// fileOpener is a source that opens one of pmsync's own files for
// reading as a stream (a folder and a git clone do).
type fileOpener interface {
	OpenFile(ctx context.Context, p string) (io.ReadCloser, error)
}

// sweeper is a source that can remove what a killed run left behind.
type sweeper interface {
	Sweep(ctx context.Context) ([]string, error)
}

// Failure is one document or item that could not be synced.
type Failure struct {
	Doc     string `json:"doc"`
	Line    int    `json:"line,omitempty"`
	Item    string `json:"item,omitempty"`
	Message string `json:"message"`
}

func (f Failure) String() string {
	loc := f.Doc
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.Doc, f.Line)
	}
	return loc + ": " + f.Message
}

// Result is what a run did.
type Result struct {
	// OwnerID is the owner id the run used (configured, written down in
	// the source, or chosen now).
	OwnerID   string    `json:"owner_id"`
	Documents int       `json:"documents"`
	InScope   int       `json:"in_scope"`
	Items     int       `json:"items"`
	Plan      plan.Plan `json:"-"`
	Created   int       `json:"created"`
	Adopted   int       `json:"adopted"`
	Updated   int       `json:"updated"`
	Closed    int       `json:"closed_duplicates"`
	Written   []string  `json:"written"`
	Failures  []Failure `json:"failures"`
	Deferred  int       `json:"deferred"`
	// Archived counts documents older than Config.Since: reported, not
	// ticketed.
	Archived    int  `json:"archived,omitempty"`
	Interrupted bool `json:"interrupted"`
	// Impostors carry this installation's marker but were opened by
	// another account; never adopted, listed until they go away.
	Impostors []Impostor `json:"impostors,omitempty"`
	// Report is the follow-through report's input, for the documents in
	// scope, as the run leaves them.
	Report report.Input `json:"-"`
	// Nudges are the reminders and escalations of this run: posted by a
	// sync (Nudged of them succeeded), shown by plan. NudgesHeld are held
	// back by a quiet time (NudgeQuiet says which); NudgeNotes are
	// configuration gaps found on the way. NudgesRefused: more than
	// nudges.max_per_run, none posted.
	Nudges        []nudge.Nudge `json:"nudges,omitempty"`
	NudgesHeld    []nudge.Nudge `json:"nudges_held,omitempty"`
	NudgeQuiet    string        `json:"-"`
	NudgeNotes    []nudge.Note  `json:"-"`
	NudgesRefused bool          `json:"nudges_refused,omitempty"`
	Nudged        int           `json:"nudged,omitempty"`
	// Digests counts the team digests posted; DigestFailures are those
	// that could not be (they never fail the run).
	Digests        int       `json:"digests,omitempty"`
	DigestFailures []Failure `json:"digest_failures,omitempty"`
	// ReportFiles are the report files the run wrote.
	ReportFiles []string `json:"report_files,omitempty"`
	// Duration is how long the run took.
	Duration time.Duration `json:"-"`
}

// Failed reports whether any document or item failed.
func (r *Result) Failed() bool { return len(r.Failures) > 0 || len(r.Plan.Refusals) > 0 }

// sinceMargin covers clock skew between pmsync and the tracker.
const sinceMargin = 5 * time.Minute

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// today is the moment due dates are evaluated against: Config.Today
// (--now) when set, else now.
func (e *Engine) today(now time.Time) time.Time {
	if !e.Config.Today.IsZero() {
		return e.Config.Today
	}
	return now
}

// dryRun: nothing is written, created or published.
func (e *Engine) dryRun() bool { return e.Config.DryRun || e.Config.Offline }

func (e *Engine) log() *slog.Logger {
	if e.Log != nil {
		return e.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Engine) grace() time.Duration {
	if e.Config.Grace > 0 {
		return e.Config.Grace
	}
	return 20 * time.Second
}

func (r *Result) fail(f Failure) { r.Failures = append(r.Failures, f) }

// graceful returns a context for calls in flight: it ends Grace after ctx
// does, so a SIGTERM lets the current request finish but not hang.
func graceful(ctx context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(c, func() { t.Stop() })
	})
	return c, func() { stop(); cancel() }
}

// Run syncs once. ctx being done means "stop starting new work": calls in
// flight get Config.Grace to finish, what was done is written back (and
// published), and Result.Interrupted is set. The error is for failures of
// the whole run (the source cannot be listed, an --only that names no
// document); per-document and per-item failures are in Result.Failures.
func (e *Engine) Run(ctx context.Context) (*Result, error) {
	started := time.Now()
	r := &run{e: e, ctx: ctx, res: &Result{}, now: e.now()}
	var stop context.CancelFunc
	r.work, stop = graceful(ctx, e.grace())
	defer stop()
	unlock, err := r.lock()
	if err != nil {
		return r.res, err
	}
	defer unlock()
	if err := r.collect(); err != nil {
		return r.res, err
	}
	r.observe()
	r.decide()
	if !e.dryRun() && ctx.Err() == nil {
		r.apply()
	}
	if e.dryRun() {
		// Nothing is written, but the report shows what the trackers say
		// now, as the write-back would.
		for _, wb := range r.res.Plan.WriteBacks {
			setLink(r.docs, wb)
		}
	}
	if ctx.Err() != nil {
		r.res.Interrupted = true
	}
	r.settleReport()
	r.nudgeStep()
	r.release()
	r.res.Duration = time.Since(started)
	if !e.dryRun() {
		r.publish(started)
	}
	return r.res, nil
}
