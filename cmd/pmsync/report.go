package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/pmsync/pmsync/internal/wiring"
	pmreport "github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/trackers/factory"
)

func newReportCmd(a *app) *cobra.Command {
	var formats []string
	var out string
	var today time.Time
	var offline bool
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the follow-through report from the postmortems and the trackers' current state",
		Long: `Write the follow-through report leadership reads: completion and on-time
rates, overdue items oldest first, time to close, breakdowns by team, owner,
severity and incident month, incident times, slippage, drift, orphaned
tickets and hygiene. Read-only: it changes no ticket and no postmortem.
It reads the trackers' current state; --offline reads only the documents
and .pmsync/ (no credentials) and says "as of" the last sync.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range formats {
				if _, ok := pmreport.FileNames[f]; !ok {
					return usageError("--format: %q is not available; use md, json, csv or html", f)
				}
			}
			f := syncFlags{dryRun: true, command: "report", offline: offline, today: today}
			cfg, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			log, err := a.logger(cfg)
			if err != nil {
				return err
			}
			if len(formats) == 0 {
				formats = cfg.Report.Formats
			}
			if out == "" {
				out = cfg.Report.Dir
			}
			res, err := a.syncOnce(cmd.Context(), cfg, f, log, factory.Options{Env: a.env, Logger: log, Secret: a.secrets.Add})
			if err != nil {
				return err
			}
			files, err := pmreport.WriteFiles(out, formats, res.Report, log)
			if err != nil {
				return failedError(err)
			}
			for _, f := range files {
				fmt.Fprintln(a.stdout, f)
			}
			if res.Failed() {
				res.WriteFailures(a.stdout)
				res.WriteSummary(a.stdout, true)
				return silentExit(exitFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&formats, "format", nil, "`FORMAT` to write: md, json, csv or html; repeatable (default: report.formats)")
	cmd.Flags().StringVar(&out, "out", "", "`DIR` to write into (default: report.dir)")
	cmd.Flags().BoolVar(&offline, "offline", false, "ask no tracker: report from the documents and .pmsync/ as of the last sync (no credentials needed)")
	cmd.Flags().Var(wiring.DayFlag{T: &today}, "now", "evaluate the report as of `YYYY-MM-DD` (default: today)")
	return cmd
}
