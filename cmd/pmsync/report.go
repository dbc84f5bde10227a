package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	pmreport "github.com/pmsync/pmsync/sync/report"
	"github.com/pmsync/pmsync/trackers/factory"
)

// reportFormats are the formats this version renders, by file name.
var reportFormats = map[string]string{"md": "report.md", "json": "report.json", "csv": "report.csv", "html": "report.html"}

func newReportCmd(a *app) *cobra.Command {
	var formats []string
	var out string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the follow-through report from the postmortems and the trackers' current state",
		Long: `Write the follow-through report leadership reads: completion and on-time
rates, overdue items oldest first, time to close, breakdowns by team, owner,
severity and incident month, incident times, slippage, drift, orphaned
tickets and hygiene. Read-only: it changes no ticket and no postmortem.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range formats {
				if _, ok := reportFormats[f]; !ok {
					return usageError("--format: %q is not available; use md, json, csv or html", f)
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
			if len(formats) == 0 {
				formats = cfg.Report.Formats
			}
			if out == "" {
				out = cfg.Report.Dir
			}
			res, err := a.syncOnce(cmd.Context(), cfg, syncFlags{dryRun: true}, log, factory.Options{Env: a.env, Logger: log, Secret: a.secrets.Add})
			if err != nil {
				return err
			}
			files, err := writeReport(out, formats, res.Report, log)
			if err != nil {
				return failedError(err)
			}
			for _, f := range files {
				fmt.Fprintln(a.stdout, f)
			}
			if res.Failed() {
				printResult(a.stdout, res, true)
				return silentExit(exitFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&formats, "format", nil, "`FORMAT` to write: md, json, csv or html; repeatable (default: report.formats)")
	cmd.Flags().StringVar(&out, "out", "", "`DIR` to write into (default: report.dir)")
	return cmd
}

// writeReport computes the report and writes it in each format, each file
// replaced atomically. Formats this version cannot render are skipped
// with a warning.
func writeReport(dir string, formats []string, in pmreport.Input, log *slog.Logger) ([]string, error) {
	r := pmreport.Compute(in)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w (check report.dir)", err)
	}
	var written []string
	for _, f := range formats {
		name, ok := reportFormats[f]
		if !ok {
			log.Warn("report format not available in this version; skipped", "format", f)
			continue
		}
		var b bytes.Buffer
		var err error
		switch f {
		case "md":
			err = r.Markdown(&b)
		case "json":
			err = r.JSON(&b)
		case "csv":
			err = r.CSV(&b)
		case "html":
			err = r.HTML(&b)
		}
		if err != nil {
			return written, fmt.Errorf("report %s: %w", f, err)
		}
		p := filepath.Join(dir, name)
		tmp := p + ".tmp"
		if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
			return written, fmt.Errorf("report: %w", err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return written, fmt.Errorf("report: %w", err)
		}
		written = append(written, p)
	}
	return written, nil
}
