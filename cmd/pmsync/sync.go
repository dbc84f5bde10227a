package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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
	since                 string    // YYYY-MM-DD, overrides source.since
	offline               bool      // report --offline
	today                 time.Time // report --now
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
	fl.Var(wiring.DayFlag{T: &f.today}, "now", "evaluate due dates (overdue) as of `YYYY-MM-DD` (default: today)")
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
		res.WriteFailures(a.stdout)
		if f.dryRun {
			res.Plan.WriteText(a.stdout, res.Failed())
		}
		res.WriteSummary(a.stdout, f.dryRun)
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
	w, err := wiring.NewRun(ctx, cfg, wiring.Flags{DryRun: f.dryRun, Only: f.only, IncludeDrafts: f.includeDrafts, Since: f.since, Offline: f.offline, Today: f.today, Report: f.command == "report", KeepPlan: f.format == "json"}, log, fo)
	if err != nil {
		return nil, wiringError(err)
	}
	defer w.Source.Close()
	if wiring.IsTerminal(a.stderr) && !f.dryRun {
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
			st := s.Stats()
			attrs = append(attrs, "api_calls_"+name, st.Requests.Load())
			// Settling nudges: one comment listing per nudge posted, and
			// a delete when another run posted the same step at once.
			if n := st.SettleLists.Load(); n > 0 {
				attrs = append(attrs, "nudge_settle_lists_"+name, n, "nudge_twins_deleted_"+name, st.TwinsDeleted.Load())
			}
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
