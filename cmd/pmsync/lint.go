package main

import (
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/lint"
	"github.com/pmsync/pmsync/sync/postmortem"
)

func newLintCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "lint [PATH]...",
		Short: "Check postmortems the way a reviewer would",
		Long: `Check postmortems the way a reviewer would: finalized ones must have action
items with an owner and a due date, timestamps in order, and answer the
questions of a blameless postmortem. PATH is a file or a folder (default:
source.path). Exits 1 when a finalized document has errors; meant for
pull-request checks on the postmortem repository.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format: must be text or json, got %q", format)
			}
			cfg, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			opts, err := wiring.DocOptions(cfg)
			if err != nil {
				return configError(err)
			}
			views, failed, err := lint.Paths(cmd.Context(), lint.Source{Path: cfg.Source.Path, Include: cfg.Source.Include, Exclude: cfg.Source.Exclude},
				opts, wiring.Router(cfg), postmortem.LintOptions{RequireOwner: cfg.Lint.RequireOwner, BlamelessQuestions: cfg.Lint.BlamelessQuestions}, args)
			var ue *lint.UsageError
			var ce *lint.ConfigError
			switch {
			case errors.As(err, &ue):
				return usageError("%s", ue.Msg)
			case errors.As(err, &ce):
				return configError(ce.Err)
			case err != nil:
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(views); err != nil {
					return err
				}
			} else {
				lint.WriteText(a.stdout, views)
			}
			if failed {
				return silentExit(exitFailed)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	return cmd
}
