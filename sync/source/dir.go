package source

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"github.com/bmatcuk/doublestar/v4"
)

// Dir is a folder of Markdown files. All access goes through os.Root, so
// neither ".." nor a symbolic link can lead outside the folder.
type Dir struct {
	root     *os.Root
	abs      string
	include  []string
	exclude  []string
	maxBytes int64
}

// DirOptions select the documents of a folder.
type DirOptions struct {
	Include []string // globs, ** for any depth; default **/*.md
	Exclude []string
	// MaxBytes is the largest file read (default 4 MiB).
	MaxBytes int64
}

// OpenDir opens the folder at dir.
func OpenDir(dir string, o DirOptions) (*Dir, error) {
	for _, g := range append(append([]string{}, o.Include...), o.Exclude...) {
		if !doublestar.ValidatePattern(g) {
			return nil, fmt.Errorf("source: glob %q is not valid: fix source.include / source.exclude", g)
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", dir, err)
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("source: open folder %s: %w (check source.path)", dir, err)
	}
	if len(o.Include) == 0 {
		o.Include = []string{"**/*.md"}
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 4 << 20
	}
	return &Dir{root: r, abs: abs, include: o.Include, exclude: o.Exclude, maxBytes: o.MaxBytes}, nil
}

// Close releases the folder.
func (d *Dir) Close() error { return d.root.Close() }

// Root is the folder's absolute path.
func (d *Dir) Root() string { return d.abs }

// Match reports whether a slash path relative to the root is a document.
func (d *Dir) Match(p string) bool {
	in := false
	for _, g := range d.include {
		if ok, _ := doublestar.Match(g, p); ok {
			in = true
			break
		}
	}
	if !in {
		return false
	}
	for _, g := range d.exclude {
		if ok, _ := doublestar.Match(g, p); ok {
			return false
		}
	}
	return true
}

// List walks the folder. Symbolic links and hidden folders are skipped.
func (d *Dir) List(ctx context.Context) ([]string, error) {
	var out []string
	err := fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("source: list %s: %w", p, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.IsDir() {
			if p != "." && len(e.Name()) > 1 && e.Name()[0] == '.' {
				return fs.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		if d.Match(p) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Read returns one document's bytes.
func (d *Dir) Read(_ context.Context, p string) ([]byte, error) {
	f, err := d.root.Open(filepath.FromSlash(p))
	if err != nil {
		return nil, fmt.Errorf("source: read %s: %w", p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("source: read %s: %w", p, err)
	}
	if st.Size() > d.maxBytes {
		return nil, fmt.Errorf("source: read %s: %w: %d bytes, more than %d; split it or exclude it with source.exclude", p, ErrTooLarge, st.Size(), d.maxBytes)
	}
	b, err := io.ReadAll(io.LimitReader(f, d.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("source: read %s: %w", p, err)
	}
	return b, nil
}

// Write replaces a document atomically: a temporary file in the same
// folder, synced, given the original's mode, then renamed over it. A
// crash leaves either the old or the new document, never half of one.
func (d *Dir) Write(_ context.Context, p string, old, data []byte) error {
	name := filepath.FromSlash(p)
	st, err := d.root.Stat(name)
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	cur, err := d.root.ReadFile(name)
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	if !bytes.Equal(cur, old) {
		return fmt.Errorf("source: write %s: %w", p, ErrChanged)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := path.Join(path.Dir(p), "."+path.Base(p)+".pmsync-"+hex.EncodeToString(rnd[:]))
	tmpName := filepath.FromSlash(tmp)
	f, err := d.root.OpenFile(tmpName, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	cleanup := func() { _ = d.root.Remove(tmpName) }
	if _, err := f.Write(data); err != nil {
		f.Close()
		cleanup()
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		cleanup()
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		cleanup()
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	// The umask may have narrowed the mode at creation.
	if err := d.root.Chmod(tmpName, st.Mode().Perm()); err != nil {
		cleanup()
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	if err := d.root.Rename(tmpName, name); err != nil {
		cleanup()
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	return nil
}

// ReadFile reads one of pmsync's own files.
func (d *Dir) ReadFile(_ context.Context, p string) ([]byte, error) {
	b, err := d.root.ReadFile(filepath.FromSlash(p))
	if err != nil {
		return nil, fmt.Errorf("source: read %s: %w", p, err)
	}
	return b, nil
}

// WriteFile writes one of pmsync's own files atomically, creating its
// folder.
func (d *Dir) WriteFile(ctx context.Context, p string, data []byte) error {
	if dir := path.Dir(p); dir != "." {
		if err := d.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return fmt.Errorf("source: write %s: %w", p, err)
		}
	}
	old, err := d.root.ReadFile(filepath.FromSlash(p))
	if errors.Is(err, fs.ErrNotExist) {
		if err := d.root.WriteFile(filepath.FromSlash(p)+".pmsync-new", data, 0o644); err != nil {
			return fmt.Errorf("source: write %s: %w", p, err)
		}
		if err := d.root.Rename(filepath.FromSlash(p)+".pmsync-new", filepath.FromSlash(p)); err != nil {
			return fmt.Errorf("source: write %s: %w", p, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	return d.Write(ctx, p, old, data)
}
