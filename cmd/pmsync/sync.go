package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/trackers"
	"github.com/pmsync/pmsync/trackers/factory"
)

type syncFlags struct {
	dryRun, includeDrafts bool
	only                  []string
	format                string
	since                 string // YYYY-MM-DD, overrides source.since
	// command names the run in its log line: sync, plan or report.
	command string
}

func newSyncCmd(a *app) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Open tickets for new items and write every ticket's status back",
		Long: `Open a ticket for every contributing factor and action item of the finalized
postmortems, and write each ticket's link and status back into its postmortem.
Exits 0 when all is done, 1 when some documents or items failed (the rest is
done and written back), 2 on a usage or configuration error, 3 when stopped
by a signal or deadline (what was done is written back).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.command = "sync"
			if f.dryRun {
				f.command = "plan"
			}
			return a.runSync(cmd, f)
		},
	}
	addSyncFlags(cmd, &f, true)
	return cmd
}

func newPlanCmd(a *app) *cobra.Command {
	var f syncFlags
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what sync would do, without changing anything (sync --dry-run)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.dryRun, f.command = true, "plan"
			return a.runSync(cmd, f)
		},
	}
	addSyncFlags(cmd, &f, false)
	return cmd
}

func addSyncFlags(cmd *cobra.Command, f *syncFlags, dry bool) {
	fl := cmd.Flags()
	if dry {
		fl.BoolVar(&f.dryRun, "dry-run", false, "compute and print the plan; send no write request and change no file")
	}
	fl.StringArrayVar(&f.only, "only", nil, "sync only this postmortem `ID` (or path); repeatable")
	fl.BoolVar(&f.includeDrafts, "include-drafts", false, "also sync postmortems that are not finalized")
	fl.StringVar(&f.format, "format", "text", "output `FORMAT`: text or json")
	fl.StringVar(&f.since, "since", "", "treat postmortems of incidents before `YYYY-MM-DD` as an archive: read and reported, never ticketed (overrides source.since)")
}

func (a *app) runSync(cmd *cobra.Command, f syncFlags) error {
	if f.format != "text" && f.format != "json" {
		return usageError("--format: must be text or json, got %q", f.format)
	}
	if f.since != "" {
		if _, err := time.Parse("2006-01-02", f.since); err != nil {
			return usageError("--since: want a date YYYY-MM-DD, got %q", f.since)
		}
	}
	cfg, err := a.loadConfig(cmd)
	if err != nil {
		return err
	}
	log, err := a.logger(cfg)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	res, err := a.syncOnce(ctx, cfg, f, log, factory.Options{Env: a.env, Logger: log, Secret: a.secrets.Add})
	if err != nil {
		return err
	}
	if f.format == "json" {
		out := struct {
			*engine.Result
			Plan plan.Plan `json:"plan"`
		}{res, res.Plan}
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printFailures(a.stdout, res)
		if f.dryRun {
			printPlan(a.stdout, res.Plan, res.Failed())
		}
		printResult(a.stdout, res, f.dryRun)
	}
	switch {
	case res.Interrupted || ctx.Err() != nil:
		return &exitError{code: exitInterrupted, err: fmt.Errorf("interrupted: what was done is written back; the next run continues")}
	case res.Failed():
		return silentExit(exitFailed)
	}
	return nil
}

// syncOnce wires the configuration into one engine run and runs it.
func (a *app) syncOnce(ctx context.Context, cfg *config.Config, f syncFlags, log *slog.Logger, fo factory.Options) (*engine.Result, error) {
	w, err := wiring.NewRun(ctx, cfg, wiring.Flags{DryRun: f.dryRun, Only: f.only, IncludeDrafts: f.includeDrafts, Since: f.since}, log, fo)
	if err != nil {
		return nil, wiringError(err)
	}
	defer w.Source.Close()
	if isTerminal(a.stderr) && !f.dryRun {
		// A person is watching a long first run: one line, rewritten.
		w.Engine.Progress = func(done, total int) {
			fmt.Fprintf(a.stderr, "\rpmsync: creating tickets %d/%d", done, total)
			if done == total {
				fmt.Fprintln(a.stderr)
			}
		}
	}
	res, err := w.Engine.Run(ctx)
	var unknown *engine.UnknownOnlyError
	if errors.As(err, &unknown) {
		return nil, usageError("%v", err)
	}
	if err != nil {
		return nil, failedError(err)
	}
	attrs := []any{"documents", res.Documents, "created", res.Created, "updated", res.Updated,
		"adopted", res.Adopted, "closed_duplicates", res.Closed, "deferred", res.Deferred,
		"failures", len(res.Failures), "duration", res.Duration.Round(time.Millisecond)}
	for name, t := range w.Trackers {
		if s, ok := t.(trackers.Statser); ok {
			attrs = append(attrs, "api_calls_"+name, s.Stats().Requests.Load())
		}
	}
	log.Info(cmp.Or(f.command, "sync")+" finished", attrs...)
	return res, nil
}

// wiringError maps an error of wiring to its exit code.
func wiringError(err error) error {
	var ce *wiring.ConfigError
	if errors.As(err, &ce) {
		return configError(ce.Err)
	}
	return failedError(err)
}

// printPlan prints the plan's actions. A plan with failures says that
// it covers only what could be read, never "nothing to do".
func printPlan(w io.Writer, p plan.Plan, failed bool) {
	if p.Empty() && len(p.Deferred) == 0 && len(p.Refusals) == 0 {
		if failed {
			fmt.Fprintln(w, "plan: incomplete: nothing to do for what could be read, but the errors above kept part of it out")
		} else {
			fmt.Fprintln(w, "plan: nothing to do")
		}
	}
	for _, c := range p.Creates {
		s := c.Spec
		var extra []string
		if s.Assignee != "" {
			extra = append(extra, "assignee "+s.Assignee)
		} else if s.NeedsOwner {
			extra = append(extra, "needs-owner")
		}
		if !s.Due.IsZero() {
			extra = append(extra, "due "+s.Due.Format("2006-01-02"))
		}
		if s.Priority != "" {
			extra = append(extra, s.Priority)
		}
		fmt.Fprintf(w, "create     %-22s %s %s  %q (%s)\n", s.Target, c.Doc, s.Marker.Item, s.Title, strings.Join(extra, ", "))
	}
	for _, wb := range p.WriteBacks {
		verb := "write-back"
		if wb.Adopted {
			verb = "adopt     "
		}
		fmt.Fprintf(w, "%s %s %s  %s: %s\n", verb, wb.Doc, wb.Key, wb.Ref.Text, wb.Status)
	}
	for _, d := range p.Duplicates {
		fmt.Fprintf(w, "close      %s (duplicate of %s)\n", d.Dup.Ref.Text, d.Keep.Ref.Text)
	}
	for _, c := range p.Conflicts {
		fmt.Fprintf(w, "conflict   %s %s  names %s, but pmsync's own %s is open for it; neither is closed\n", c.Doc, c.Key, c.Linked.Text, c.Ours.Ref.Text)
	}
	for _, d := range p.Deferred {
		fmt.Fprintf(w, "defer      %s %s  %s\n", d.Doc, d.Key, d.Reason)
	}
	for _, o := range p.Orphans {
		fmt.Fprintf(w, "orphan     %s  (item %s of %s is no longer in the postmortem; left alone)\n", o.Ref.Text, o.Marker.Item, o.Marker.PM)
	}
	for _, o := range p.Foreign {
		fmt.Fprintf(w, "foreign    %s  (marker of another installation, owner %q; ignored)\n", o.Ref.Text, o.Marker.Owner)
	}
}

// printFailures prints the run's errors, first, so nothing printed
// before them reads as the whole story.
func printFailures(w io.Writer, r *engine.Result) {
	fails := append([]engine.Failure(nil), r.Failures...)
	sort.SliceStable(fails, func(i, j int) bool { return fails[i].Doc < fails[j].Doc })
	for _, f := range fails {
		fmt.Fprintf(w, "error: %s\n", f)
	}
}

func printResult(w io.Writer, r *engine.Result, dry bool) {
	if r.Archived > 0 {
		fmt.Fprintf(w, "archive: %d postmortems are older than source.since (--since): read and reported, never ticketed\n", r.Archived)
	}
	for _, imp := range r.Impostors {
		fmt.Fprintf(w, "impostor   %s  (carries pmsync's marker for item %s of %s but was opened by %q, not pmsync's account; not adopted; close it or set trackers.%s.trusted_authors)\n",
			imp.Ticket, imp.Item, imp.PM, imp.Author, imp.Tracker)
	}
	if dry {
		fmt.Fprintf(w, "plan: %d documents (%d in scope, %d items): %d to create, %d to write back, %d duplicates to close, %d deferred, %d failures\n",
			r.Documents, r.InScope, r.Items, len(r.Plan.Creates), len(r.Plan.WriteBacks), len(r.Plan.Duplicates), r.Deferred, len(r.Failures))
		return
	}
	fmt.Fprintf(w, "sync: %d documents (%d in scope, %d items): %d created, %d adopted, %d updated, %d duplicates closed, %d deferred, %d failures; %d files written\n",
		r.Documents, r.InScope, r.Items, r.Created, r.Adopted, r.Updated, r.Closed, r.Deferred, len(r.Failures), len(r.Written))
}
