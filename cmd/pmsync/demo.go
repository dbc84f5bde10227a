package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	pmsync "github.com/pmsync/pmsync"
	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/trackers/factory"
	"github.com/pmsync/pmsync/trackers/github/ghsim"
)

const demoToken = "demo-token-not-a-secret"

func newDemoCmd(a *app) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole cycle on the example postmortems against a built-in GitHub simulator",
		Long: `Copy the example postmortems to a folder, start a GitHub simulator on
loopback, sync, close two tickets in the simulator as a team would, sync
again, and show the tickets, what changed in the documents, and a summary.
No credentials and no network are needed; nothing outside the folder changes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.demo(cmd.Context(), dir) },
	}
	cmd.Flags().StringVar(&dir, "dir", "", "folder for the copy of the examples (default: a new temporary folder, kept)")
	return cmd
}

func (a *app) demo(ctx context.Context, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "pmsync-demo-")
		if err != nil {
			return err
		}
		dir = d
	}
	pmDir := filepath.Join(dir, "postmortems")
	if err := os.MkdirAll(pmDir, 0o755); err != nil {
		return err
	}
	originals, err := copyExamples(pmDir)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: start the GitHub simulator: %w", err)
	}
	base := "http://" + ln.Addr().String()
	sim := ghsim.New(ghsim.Options{HTMLBase: base, Tokens: map[string]string{demoToken: "pmsync-bot"}})
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	cfgPath := filepath.Join(dir, "pmsync.yaml")
	if err := os.WriteFile(cfgPath, []byte(demoConfig(pmDir, base)), 0o644); err != nil {
		return err
	}
	env := append(append([]string{}, a.env...), "PMSYNC_DEMO_TOKEN="+demoToken)
	cfg, err := config.Load(cfgPath, env)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	log := newLogger(io.Discard, 0, "text")
	fo := factory.Options{Env: env, Logger: log}
	w := a.stdout

	fmt.Fprintf(w, "pmsync demo: %d example postmortems copied to %s\n", len(originals), pmDir)
	fmt.Fprintf(w, "GitHub simulator listening on %s (routes: payments -> acme/payments, platform -> acme/platform, the rest -> acme/sre)\n\n", base)

	fmt.Fprintln(w, "== 1. first sync: a ticket for every factor and action item of the finalized postmortems")
	res, err := a.syncOnce(ctx, cfg, syncFlags{}, log, fo)
	if err != nil {
		return err
	}
	printResult(w, res, false)
	repos := []string{"acme/sre", "acme/platform", "acme/payments"}
	printTickets(w, sim, repos)

	fmt.Fprintln(w, "\n== 2. the teams work their tickets: one closed as completed, one as not planned")
	var closed []string
	for _, r := range repos {
		owner, name, _ := strings.Cut(r, "/")
		for _, is := range sim.Issues(owner, name) {
			reason := "completed"
			if len(closed) == 1 {
				reason = "not_planned"
			}
			if err := sim.Close(owner, name, is.Number, reason); err != nil {
				return err
			}
			closed = append(closed, fmt.Sprintf("%s#%d (%s)", r, is.Number, reason))
			break
		}
		if len(closed) == 2 {
			break
		}
	}
	fmt.Fprintf(w, "closed %s\n", strings.Join(closed, " and "))

	fmt.Fprintln(w, "\n== 3. second sync: statuses written back, nothing created twice")
	res, err = a.syncOnce(ctx, cfg, syncFlags{}, log, fo)
	if err != nil {
		return err
	}
	printResult(w, res, false)

	fmt.Fprintln(w, "\n== 4. what pmsync changed in the postmortems (only its own cells and suffixes)")
	if err := printChanges(w, pmDir, originals); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n== 5. third sync: steady state")
	before := sim.CallCount(nil)
	res, err = a.syncOnce(ctx, cfg, syncFlags{}, log, fo)
	if err != nil {
		return err
	}
	printResult(w, res, false)
	fmt.Fprintf(w, "API calls: %d (one list call per repository)\n", sim.CallCount(nil)-before)
	fmt.Fprintf(w, "\nThe documents stay in %s; the configuration used is %s.\n", pmDir, cfgPath)
	if res.Failed() {
		return silentExit(exitFailed)
	}
	return nil
}

func copyExamples(dst string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(pmsync.Examples, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := pmsync.Examples.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		out[name] = b
		return os.WriteFile(filepath.Join(dst, name), b, 0o644)
	})
	if err == nil && len(out) == 0 {
		err = errors.New("demo: no example postmortems in the binary")
	}
	return out, err
}

func demoConfig(pmDir, base string) string {
	return fmt.Sprintf(`# Written by pmsync demo: the GitHub tracker is the built-in simulator.
owner_id: pmsync-demo
source: {type: dir, path: %q}
trackers:
  gh: {type: github, base_url: %q, token_env: PMSYNC_DEMO_TOKEN, repo: acme/sre, write_interval: 20ms}
routes:
  - {match: {team: payments}, tracker: gh, repo: acme/payments}
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {tracker: gh}
people:
  alice: {name: Alice Example, email: alice@acme.example, github: alice-gh}
  bob:   {name: Bob Example, email: bob@acme.example, github: bob-gh}
  carol: {name: Carol Example, email: carol@acme.example, github: carol-gh}
  dave:  {name: Dave Example, email: dave@acme.example, github: dave-gh}
teams:
  payments: {github: acme/payments}
  platform: {github: acme/platform}
`, pmDir, base+"/")
}

func printTickets(w io.Writer, sim *ghsim.Server, repos []string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TICKET\tSTATE\tASSIGNEE\tLABELS\tTITLE")
	n := 0
	for _, r := range repos {
		owner, name, _ := strings.Cut(r, "/")
		for _, is := range sim.Issues(owner, name) {
			n++
			if n > 12 {
				continue
			}
			title := is.Title
			if len(title) > 60 {
				title = title[:57] + "..."
			}
			fmt.Fprintf(tw, "%s#%d\t%s\t%s\t%s\t%s\n", r, is.Number, is.State, strings.Join(is.Assignees, ","), strings.Join(is.Labels, ","), title)
		}
	}
	tw.Flush()
	if n > 12 {
		fmt.Fprintf(w, "... and %d more\n", n-12)
	}
}

// printChanges shows each changed line, old and new. Write-back never
// adds or removes lines, so a line-by-line comparison is the whole diff.
func printChanges(w io.Writer, dir string, originals map[string][]byte) error {
	names := make([]string, 0, len(originals))
	for n := range originals {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		now, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return err
		}
		a := strings.Split(string(originals[n]), "\n")
		b := strings.Split(string(now), "\n")
		if len(a) != len(b) {
			return fmt.Errorf("demo: %s changed its number of lines", n)
		}
		shown := 0
		for i := range a {
			if a[i] == b[i] {
				continue
			}
			if shown == 0 {
				fmt.Fprintf(w, "--- %s\n", n)
			}
			shown++
			if shown <= 3 {
				fmt.Fprintf(w, "  %d- %s\n  %d+ %s\n", i+1, strings.TrimRight(a[i], "\r"), i+1, strings.TrimRight(b[i], "\r"))
			}
		}
		if shown > 3 {
			fmt.Fprintf(w, "  (%d more changed lines)\n", shown-3)
		}
	}
	return nil
}
