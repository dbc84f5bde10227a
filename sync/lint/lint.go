// Package lint checks postmortems the way a reviewer would, and the way
// sync would read them (pmsync lint): each document's own findings
// (postmortem.Doc.Lint), its routes and owners' accounts, and documents
// that share an id.
package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/route"
	"github.com/pmsync/pmsync/sync/source"
)

// Source is where the documents are when no path is given, and which
// files of a folder are documents.
type Source struct {
	Path             string
	Include, Exclude []string
}

// UsageError is a path that does not exist (pmsync exits 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// ConfigError is a source.include/exclude that cannot be used.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// target is one file to lint: where to read it and its name from the
// source root (the default document id).
type target struct {
	show, name string
	read       func() ([]byte, error)
}

func targets(ctx context.Context, src Source, args []string) ([]target, error) {
	if len(args) == 0 {
		args = []string{src.Path}
	}
	var out []target
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, &UsageError{fmt.Sprintf("lint: %q does not exist: pass the postmortems' folder or files, or set source.path", arg)}
		}
		if !st.IsDir() {
			p := arg
			out = append(out, target{show: p, name: docName(src.Path, p), read: func() ([]byte, error) {
				if info, err := os.Stat(p); err == nil && info.Size() > postmortem.MaxSize {
					return nil, fmt.Errorf("%w: %d bytes", source.ErrTooLarge, info.Size())
				}
				return os.ReadFile(p)
			}})
			continue
		}
		dir, err := source.OpenDir(arg, source.DirOptions{Include: src.Include, Exclude: src.Exclude, MaxBytes: postmortem.MaxSize})
		if err != nil {
			return nil, &ConfigError{err}
		}
		names, err := dir.List(ctx)
		if err != nil {
			dir.Close()
			return nil, err
		}
		for _, n := range names {
			n := n
			out = append(out, target{show: filepath.Join(arg, filepath.FromSlash(n)), name: n, read: func() ([]byte, error) {
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

// Paths lints the documents args name (files or folders; none: the
// source's folder). failed says a finalized document has errors. Each
// document is read and checked as sync would read it, with its routes
// (r, when trackers are configured) and owners' accounts; a document
// that cannot be read is reported, and the others go on.
func Paths(ctx context.Context, src Source, opts postmortem.Options, r *route.Router, lo postmortem.LintOptions, args []string) ([]postmortem.DocView, bool, error) {
	targets, err := targets(ctx, src, args)
	if err != nil {
		return nil, false, err
	}
	p := postmortem.NewParser(opts)
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
