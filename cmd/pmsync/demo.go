package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	pmsync "github.com/pmsync/pmsync"
	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/demo"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/trackers/factory"
)

func newDemoCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole cycle on the example postmortems against built-in GitHub and Jira simulators",
		Long: `Copy the example postmortems to a folder, start GitHub and Jira simulators
on loopback, sync, close two tickets in the simulator as a team would, sync
again, and show the tickets, what changed in the documents, and a summary.
No credentials and no network are needed; nothing outside the folder changes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			failed, err := demo.Run(cmd.Context(), demo.Options{Dir: dir, Out: a.stdout, Env: a.env, Examples: pmsync.Examples,
				Sync: func(ctx context.Context, cfg *config.Config, fo factory.Options) (*engine.Result, error) {
					return a.syncOnce(ctx, cfg, syncFlags{}, fo.Logger, fo)
				},
				Print: func(w io.Writer, r *engine.Result) { r.WriteSummary(w, false) },
			})
			if err == nil && failed {
				return silentExit(exitFailed)
			}
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder for the copy of the examples (default: a new temporary folder, kept)")
	return cmd
}
