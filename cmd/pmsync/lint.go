package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
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
			opts, err := docOptions(cfg)
			if err != nil {
				return configError(err)
			}
			views, failed, err := lintPaths(cmd.Context(), cfg, opts, args)
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(views); err != nil {
					return err
				}
			} else {
				printLint(a.stdout, views)
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

// lintTarget is one file to lint: where to read it and its name from the
// source root (the default document id).
type lintTarget struct {
	show, name string
	read       func() ([]byte, error)
}

func lintTargets(ctx context.Context, cfg *config.Config, args []string) ([]lintTarget, error) {
	if len(args) == 0 {
		args = []string{cfg.Source.Path}
	}
	var out []lintTarget
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, usageError("lint: %q does not exist: pass the postmortems' folder or files, or set source.path", arg)
		}
		if !st.IsDir() {
			p := arg
			out = append(out, lintTarget{show: p, name: docName(cfg.Source.Path, p), read: func() ([]byte, error) {
				if info, err := os.Stat(p); err == nil && info.Size() > postmortem.MaxSize {
					return nil, fmt.Errorf("%w: %d bytes", source.ErrTooLarge, info.Size())
				}
				return os.ReadFile(p)
			}})
			continue
		}
		dir, err := source.OpenDir(arg, source.DirOptions{Include: cfg.Source.Include, Exclude: cfg.Source.Exclude, MaxBytes: postmortem.MaxSize})
		if err != nil {
			return nil, configError(err)
		}
		names, err := dir.List(ctx)
		if err != nil {
			dir.Close()
			return nil, err
		}
		for _, n := range names {
			n := n
			out = append(out, lintTarget{show: filepath.Join(arg, filepath.FromSlash(n)), name: n, read: func() ([]byte, error) {
				return dir.Read(ctx, n)
			}})
		}
	}
	return out, nil
}

// docName is a file's path from the source root, or as given when it is
// outside it.
func docName(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(filepath.Clean(p))
}

func lintPaths(ctx context.Context, cfg *config.Config, opts postmortem.Options, args []string) ([]postmortem.DocView, bool, error) {
	targets, err := lintTargets(ctx, cfg, args)
	if err != nil {
		return nil, false, err
	}
	p := postmortem.NewParser(opts)
	r := router(cfg)
	lo := postmortem.LintOptions{RequireOwner: cfg.Lint.RequireOwner, BlamelessQuestions: cfg.Lint.BlamelessQuestions}
	views := []postmortem.DocView{}
	failed := false
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		src, err := t.read()
		var d *postmortem.Doc
		if err == nil {
			d, err = p.Parse(t.name, src)
		}
		if err != nil {
			// Unreadable: reported, and the other documents go on.
			failed = true
			line := 0
			msg := err.Error()
			if pe, ok := err.(*postmortem.ParseError); ok {
				line, msg = pe.Line, pe.Msg
			}
			views = append(views, postmortem.DocView{Path: t.show, ID: strings.TrimSuffix(t.name, ".md"),
				Factors: []postmortem.FactorView{}, ActionItems: []postmortem.ActionView{},
				Errors: []postmortem.Diagnostic{{Line: line, Message: msg}}, Warnings: []postmortem.Diagnostic{}})
			continue
		}
		v := lintDoc(d, r, opts.Directory, lo)
		v.Path = t.show
		if v.Finalized && len(v.Errors) > 0 {
			failed = true
		}
		views = append(views, v)
	}
	if sharedIDs(views) {
		failed = true
	}
	return views, failed, nil
}

// sharedIDs adds an error to every document whose id another document
// also has (sync holds both), and reports whether there was one.
func sharedIDs(views []postmortem.DocView) bool {
	byID := map[string][]int{}
	for i, v := range views {
		byID[v.ID] = append(byID[v.ID], i)
	}
	found := false
	for id, is := range byID {
		if len(is) < 2 {
			continue
		}
		found = true
		for _, i := range is {
			var others []string
			for _, j := range is {
				if j != i {
					others = append(others, views[j].Path)
				}
			}
			views[i].Errors = append(views[i].Errors, postmortem.Diagnostic{Level: postmortem.LevelError, Message: fmt.Sprintf(
				"document id %q is also the id of %s: sync creates, closes and writes nothing for either until each has its own id; set a different id: in the front matter of the copy",
				id, strings.Join(others, ", "))})
		}
	}
	return found
}

// lintDoc adds routing to the document's own findings: every action item
// needs a route, and its owner an account on the route's tracker.
func lintDoc(d *postmortem.Doc, r *route.Router, dir postmortem.Directory, lo postmortem.LintOptions) postmortem.DocView {
	var extra []postmortem.Diagnostic
	assignee := func(it *postmortem.Item) string {
		if it.Done || len(r.Trackers) == 0 {
			return "" // lint without trackers configured checks documents only
		}
		t, err := r.Route(d, it)
		if err != nil {
			extra = append(extra, postmortem.Diagnostic{Level: postmortem.LevelError, Line: it.Line, Message: err.Error()})
			return ""
		}
		id, ok := dir.Assignee(it.Owner, t.Type)
		if !ok && !it.Owner.IsZero() {
			extra = append(extra, postmortem.Diagnostic{Level: postmortem.LevelWarning, Line: it.Line,
				Message: fmt.Sprintf("owner %q has no %s account in people: the ticket on %s will be opened unassigned; add their %s id", it.OwnerRaw, t.Type, t, t.Type)})
		}
		return id
	}
	v := d.View(lo, assignee)
	for _, e := range extra {
		if e.Level == postmortem.LevelError && d.Finalized {
			v.Errors = append(v.Errors, e)
		} else {
			v.Warnings = append(v.Warnings, e)
		}
	}
	return v
}

func printLint(w io.Writer, views []postmortem.DocView) {
	var nErr, nWarn, nFinal int
	for _, v := range views {
		if v.Finalized {
			nFinal++
		}
		for _, e := range v.Errors {
			fmt.Fprintf(w, "%s: error: %s\n", where(v.Path, e.Line), e.Message)
		}
		for _, e := range v.Warnings {
			fmt.Fprintf(w, "%s: warning: %s\n", where(v.Path, e.Line), e.Message)
		}
		nErr += len(v.Errors)
		nWarn += len(v.Warnings)
	}
	fmt.Fprintf(w, "%d documents (%d finalized): %d errors, %d warnings\n", len(views), nFinal, nErr, nWarn)
}

func where(path string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", path, line)
	}
	return path
}
