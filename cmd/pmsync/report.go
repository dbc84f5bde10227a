package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"

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
			res, err := a.syncOnce(cmd.Context(), cfg, syncFlags{dryRun: true, command: "report"}, log, factory.Options{Env: a.env, Logger: log, Secret: a.secrets.Add})
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
				printFailures(a.stdout, res)
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
// with a warning. Each format is rendered straight into its file, one at
// a time, so a large report is never held twice in memory.
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
		p := filepath.Join(dir, name)
		if err := writeFileAtomic(p, func(w io.Writer) error { return renderReport(r, f, w) }); err != nil {
			return written, fmt.Errorf("report %s: %w", f, err)
		}
		written = append(written, p)
	}
	return written, nil
}

// writeFileAtomic writes p through a temporary file renamed over it.
func writeFileAtomic(p string, write func(io.Writer) error) error {
	tmp := p + ".tmp"
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(fh, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, p)
}

// renderReport renders r in format f (a key of reportFormats).
func renderReport(r *pmreport.Report, f string, w io.Writer) error {
	switch f {
	case "md":
		return r.Markdown(w)
	case "json":
		return r.JSON(w)
	case "csv":
		return r.CSV(w)
	case "html":
		return r.HTML(w)
	}
	return fmt.Errorf("format %q is not available", f)
}

// reportDigestFile, inside report.dir, holds the digest of the committed
// report (pmreport.Report.Digest).
const reportDigestFile = ".pmsync-report-digest"

// repoWriter writes pmsync's own files into a git clone (*source.Git).
type repoWriter interface {
	ReadRepoFile(ctx context.Context, p string) ([]byte, error)
	WriteRepoFile(ctx context.Context, p string, data []byte) error
}

// stageReport writes the report into the clone under dir (relative to the
// repository root) for the run's commit, unless the committed report
// already says the same (same digest). It reports whether it wrote.
func stageReport(ctx context.Context, repo repoWriter, dir string, formats []string, in pmreport.Input, log *slog.Logger) (bool, error) {
	r := pmreport.Compute(in)
	digest := r.Digest()
	dir = path.Clean(filepath.ToSlash(dir))
	old, err := repo.ReadRepoFile(ctx, path.Join(dir, reportDigestFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("report: %w", err)
	}
	if err == nil && strings.TrimSpace(string(old)) == digest && digest != "" {
		return false, nil
	}
	// One format at a time: each is rendered, handed to the clone, and
	// let go before the next.
	for _, f := range formats {
		name, ok := reportFormats[f]
		if !ok {
			log.Warn("report format not available in this version; skipped", "format", f)
			continue
		}
		var b bytes.Buffer
		if err := renderReport(r, f, &b); err != nil {
			return false, fmt.Errorf("report %s: %w", f, err)
		}
		if err := repo.WriteRepoFile(ctx, path.Join(dir, name), b.Bytes()); err != nil {
			return false, fmt.Errorf("report: %w (check report.dir)", err)
		}
	}
	if err := repo.WriteRepoFile(ctx, path.Join(dir, reportDigestFile), []byte(digest+"\n")); err != nil {
		return false, fmt.Errorf("report: %w (check report.dir)", err)
	}
	return true, nil
}
