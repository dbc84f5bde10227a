package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/redact"
)

// app is what every command shares: the process's streams and environment
// (passed in, so tests run commands without touching the real ones) and
// the root's persistent flags. The context is cmd.Context().
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            []string

	configFile string // --config
	logLevel   string // --log-level

	secrets redact.Secrets // every secret resolved this run, scrubbed from logs

	// afterCommand, set only by tests, runs once the command has returned
	// (its secrets resolved): a test panics there to see what a crash
	// shows.
	afterCommand func(*app)
}

// run executes one pmsync command line and returns its exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, env: env}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) (code int) {
	// A panic is a bug; its value or stack may hold a secret (a request,
	// an error quoting a server), so it is scrubbed like the logs.
	defer func() {
		if v := recover(); v != nil {
			w := redact.Writer{W: a.stderr, S: &a.secrets}
			fmt.Fprintf(w, "pmsync: internal error (a bug; please report it): %v\n%s", v, debug.Stack())
			code = exitFailed
		}
	}()
	root := newRootCmd(a)
	started := false
	markStarted(root, &started)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if a.afterCommand != nil {
		a.afterCommand(a)
	}
	path := root.CommandPath()
	if cmd != nil {
		path = cmd.CommandPath()
	}
	// The error may quote a server; the adapters scrub their own
	// secrets, this catches what they could not know.
	return exitCode(ctx, redact.Writer{W: a.stderr, S: &a.secrets}, path, err, started)
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "pmsync",
		Short: "Turn postmortem action items into tracked tickets and report on follow-through",
		Long: `pmsync reads finalized postmortems, opens a GitHub or Jira ticket for every
contributing factor and action item, writes each ticket's status back into
the postmortem, and reports on follow-through.

Exit codes: 0 all done; 1 some documents or items failed; 2 usage or
configuration error; 3 interrupted.`,
		SilenceErrors: true, // run prints errors, once, with the exit-code policy
		SilenceUsage:  true,
		// A bare "pmsync" in a CronJob is a mistake, not a request for help.
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageError("missing command")
		},
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)

	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "",
		"config `FILE` (default: $PMSYNC_CONFIG, else ./"+config.DefaultFile+" if it exists, else built-in defaults)")
	pf.StringVar(&a.logLevel, "log-level", "", "log `LEVEL`: debug, info, warn or error (default: log.level from the config, else info)")

	root.AddCommand(
		newVersionCmd(a),
		newLintCmd(a),
		newSyncCmd(a),
		newPlanCmd(a),
		newDemoCmd(a),
		newReportCmd(a),
	)
	return root
}

// markStarted wraps every command's RunE so run can tell errors of the
// command itself from cobra's argument and flag errors.
func markStarted(c *cobra.Command, started *bool) {
	if inner := c.RunE; inner != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			*started = true
			return inner(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		markStarted(sub, started)
	}
}

// loadConfig loads and validates the configuration; its errors exit 2.
func (a *app) loadConfig(cmd *cobra.Command) (*config.Config, error) {
	path, from := config.Locate(a.configFile, cmd.Flags().Changed("config"), a.env)
	cfg, err := config.Load(path, a.env)
	switch {
	case err == nil:
		return cfg, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, configError(fmt.Errorf("config file %s (from %s) does not exist; pass an existing file, or none to use the defaults", path, from))
	default:
		return nil, configError(err)
	}
}
