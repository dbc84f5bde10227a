// Package demo is pmsync demo: the whole cycle on the example postmortems
// against the built-in GitHub and Jira simulators on loopback, with no
// credentials and no network.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/sync/engine"
	"github.com/pmsync/pmsync/trackers/factory"
)

const demoToken = "demo-token-not-a-secret"

// Options are the demo's folder, output and the command's own sync.
type Options struct {
	Dir      string // "": a new temporary folder, kept
	Out      io.Writer
	Env      []string
	Examples fs.FS // the example postmortems
	// Sync runs one sync with the demo's configuration: the command's
	// own, so the demo shows what sync does.
	Sync func(ctx context.Context, cfg *config.Config, fo factory.Options) (*engine.Result, error)
	// Print prints a run's result as sync does.
	Print func(w io.Writer, r *engine.Result)
}

// Run copies the examples to o.Dir (a new temporary folder when empty),
// starts the simulators on loopback, syncs, changes tickets as teams
// would, syncs again, and prints each step to o.Out. failed says the last
// sync had failures.
func Run(ctx context.Context, o Options) (failed bool, err error) {
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "pmsync-demo-")
		if err != nil {
			return false, err
		}
		dir = d
	}
	pmDir := filepath.Join(dir, "postmortems")
	if err := os.MkdirAll(pmDir, 0o755); err != nil {
		return false, err
	}
	originals, err := copyExamples(o.Examples, pmDir)
	if err != nil {
		return false, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, fmt.Errorf("demo: start the GitHub simulator: %w", err)
	}
	base := "http://" + ln.Addr().String()
	sim := ghsim.New(ghsim.Options{HTMLBase: base, Tokens: map[string]string{demoToken: "pmsync-bot"}})
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	jln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, fmt.Errorf("demo: start the Jira simulator: %w", err)
	}
	jbase := "http://" + jln.Addr().String()
	jsim := jirasim.New(jirasim.Options{BaseURL: jbase, Accounts: map[string]string{"pmsync@acme.example": demoToken},
		Users: []jirasim.User{
			{AccountID: "5b10ac8d82e05b22cc7d4ef5", Email: "alice@acme.example", DisplayName: "Alice Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef6", Email: "bob@acme.example", DisplayName: "Bob Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef7", Email: "carol@acme.example", DisplayName: "Carol Example"},
			{AccountID: "5b10ac8d82e05b22cc7d4ef8", Email: "dave@acme.example", DisplayName: "Dave Example"},
		}})
	jsrv := &http.Server{Handler: jsim, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = jsrv.Serve(jln) }()
	defer jsrv.Close()

	cfgPath := filepath.Join(dir, "pmsync.yaml")
	if err := os.WriteFile(cfgPath, []byte(demoConfig(pmDir, base, jbase)), 0o644); err != nil {
		return false, err
	}
	env := append(append([]string{}, o.Env...), "PMSYNC_DEMO_TOKEN="+demoToken, "PMSYNC_DEMO_JIRA_USER=pmsync@acme.example")
	cfg, err := config.Load(cfgPath, env)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	log := slog.New(slog.DiscardHandler)
	fo := factory.Options{Env: env, Logger: log}
	w := o.Out

	fmt.Fprintf(w, "pmsync demo: %d example postmortems copied to %s\n", len(originals), pmDir)
	fmt.Fprintf(w, "GitHub simulator on %s, Jira Cloud simulator on %s\n", base, jbase)
	fmt.Fprintln(w, "routes: team payments -> Jira project PAY, team platform -> GitHub acme/platform, the rest -> GitHub acme/sre")
	fmt.Fprintln(w)

	fmt.Fprintln(w, "== 1. first sync: a ticket for every factor and action item of the finalized postmortems")
	res, err := o.Sync(ctx, cfg, fo)
	if err != nil {
		return false, err
	}
	o.Print(w, res)
	repos := []string{"acme/sre", "acme/platform"}
	printTickets(w, sim, repos)
	printJiraTickets(w, jsim, "PAY")

	fmt.Fprintln(w, "\n== 2. the teams work their tickets: one closed as completed, one as not planned, one started in Jira")
	var closed []string
	for _, r := range repos {
		owner, name, _ := strings.Cut(r, "/")
		for _, is := range sim.Issues(owner, name) {
			reason := "completed"
			if len(closed) == 1 {
				reason = "not_planned"
			}
			if err := sim.Close(owner, name, is.Number, reason); err != nil {
				return false, err
			}
			closed = append(closed, fmt.Sprintf("%s#%d (%s)", r, is.Number, reason))
			break
		}
		if len(closed) == 2 {
			break
		}
	}
	if is := jsim.Issues("PAY"); len(is) > 0 {
		key := is[len(is)-1].Key
		if err := jsim.Transition(key, "In Progress", ""); err != nil {
			return false, err
		}
		closed = append(closed, key+" (Jira: In Progress)")
	}
	fmt.Fprintf(w, "changed %s\n", strings.Join(closed, ", "))

	fmt.Fprintln(w, "\n== 3. second sync: statuses written back, nothing created twice")
	res, err = o.Sync(ctx, cfg, fo)
	if err != nil {
		return false, err
	}
	o.Print(w, res)

	fmt.Fprintln(w, "\n== 4. what pmsync changed in the postmortems (only its own cells and suffixes)")
	if err := printChanges(w, pmDir, originals); err != nil {
		return false, err
	}

	fmt.Fprintln(w, "\n== 5. third sync: steady state")
	before, jbefore := sim.CallCount(nil), jsim.CallCount(nil)
	res, err = o.Sync(ctx, cfg, fo)
	if err != nil {
		return false, err
	}
	o.Print(w, res)
	fmt.Fprintf(w, "API calls: %d to GitHub, %d to Jira (one list per repository, one search per project)\n", sim.CallCount(nil)-before, jsim.CallCount(nil)-jbefore)
	fmt.Fprintf(w, "\nThe documents stay in %s; the configuration used is %s.\n", pmDir, cfgPath)
	if len(res.ReportFiles) > 0 {
		fmt.Fprintln(w, "The follow-through report (open the HTML file in a browser):")
		for _, f := range res.ReportFiles {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	return res.Failed(), nil
}

func copyExamples(examples fs.FS, dst string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(examples, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(examples, p)
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

func demoConfig(pmDir, base, jbase string) string {
	return fmt.Sprintf(`# Written by pmsync demo: the GitHub tracker is the built-in simulator.
owner_id: pmsync-demo
source: {type: dir, path: %q}
report: {dir: %q, formats: [md, html, json, csv]}
trackers:
  gh:   {type: github, base_url: %q, token_env: PMSYNC_DEMO_TOKEN, repo: acme/sre, write_interval: 20ms}
  jira: {type: jira, deployment: cloud, base_url: %q, user_env: PMSYNC_DEMO_JIRA_USER, token_env: PMSYNC_DEMO_TOKEN, project: OPS, write_interval: 20ms}
routes:
  - {match: {team: payments}, tracker: jira, project: PAY}
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {tracker: gh}
people:
  alice: {name: Alice Example, email: alice@acme.example, github: alice-gh, jira: 5b10ac8d82e05b22cc7d4ef5}
  bob:   {name: Bob Example, email: bob@acme.example, github: bob-gh, jira: 5b10ac8d82e05b22cc7d4ef6}
  carol: {name: Carol Example, email: carol@acme.example, github: carol-gh, jira: 5b10ac8d82e05b22cc7d4ef7}
  dave:  {name: Dave Example, email: dave@acme.example, github: dave-gh, jira: 5b10ac8d82e05b22cc7d4ef8}
teams:
  payments: {jira: PAY}
  platform: {github: acme/platform}
`, pmDir, filepath.Join(filepath.Dir(pmDir), "reports"), base+"/", jbase+"/")
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

func printJiraTickets(w io.Writer, sim *jirasim.Server, project string) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JIRA\tSTATUS\tTYPE\tASSIGNEE\tSUMMARY")
	for i, is := range sim.Issues(project) {
		if i == 6 {
			fmt.Fprintf(tw, "...\t\t\t\t(%d in %s)\n", len(sim.Issues(project)), project)
			break
		}
		title := is.Summary
		if len(title) > 60 {
			title = title[:57] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", is.Key, is.Status, is.Type, is.Assignee, title)
	}
	tw.Flush()
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
