package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newLintCmd is a placeholder with the real command's interface; the lead
// replaces this file.
func newLintCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "lint [PATH]...",
		Short: "Check postmortems the way a reviewer would",
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError("--format: must be text or json, got %q", format)
			}
			if _, err := a.loadConfig(cmd); err != nil {
				return err
			}
			return errors.New("lint: not implemented")
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	return cmd
}
