package source

import (
	"bufio"
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
	"regexp"
	"sort"
	"sync"
	"time"

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
	// plainRename writes back with rename instead of an exchange, as on
	// file systems without one (tests set it).
	plainRename bool

	mu       sync.Mutex
	replaced []replacedFile // see settle
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
func (d *Dir) Close() error { return errors.Join(d.settle(), d.root.Close()) }

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

// leftoverRe names the temporary files a write leaves when the process is
// killed between creating and renaming them: ".<doc>.pmsync-<12 hex>" and
// "<file>.pmsync-new".
var leftoverRe = regexp.MustCompile(`(^\..+\.pmsync-[0-9a-f]{12}$)|(\.pmsync-new$)`)

// Sweep removes the temporary files a killed run left (kill -9, a full
// disk), which no later run would otherwise remove. Call it holding the
// lock: a running write's own file is one of them. It returns what it
// removed, from the root.
func (d *Dir) Sweep(ctx context.Context) ([]string, error) {
	var gone []string
	err := fs.WalkDir(d.root.FS(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable folders are List's to report
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.IsDir() {
			if p != "." && (e.Name() == ".git" || e.Name() == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		if e.Type().IsRegular() && leftoverRe.MatchString(e.Name()) {
			if err := d.root.Remove(filepath.FromSlash(p)); err != nil {
				return fmt.Errorf("source: remove leftover %s: %w", p, err)
			}
			gone = append(gone, p)
		}
		return nil
	})
	return gone, err
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
// folder, synced, given the original's mode, then swapped with it. A
// crash leaves either the old or the new document, never half of one.
//
// A person may be editing the file meanwhile; no edit is lost:
//   - text appended since old was read is kept after data (old must end
//     a line); any other change is ErrChanged, and the caller renders its
//     changes onto what is there now;
//   - the swap is an exchange (renameat2), so the file replaced is the
//     one that was there at that instant, even if an editor had just
//     saved it: if it differs from what was checked by more than appended
//     lines it is put back and Write returns ErrChanged; lines appended to
//     it in the meantime (by a writer that opened it before the swap) are
//     carried over, and a file someone is writing to is watched a few
//     milliseconds longer for late ones.
func (d *Dir) Write(_ context.Context, p string, old, data []byte) error {
	name := filepath.FromSlash(p)
	dirName, base := path.Split(p)
	if dirName == "" {
		dirName = "."
	}
	dir, err := d.root.Open(filepath.FromSlash(dirName))
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	defer dir.Close()
	for range 5 {
		err := d.writeOnce(dir, p, name, base, old, data)
		if !errors.Is(err, errRetry) {
			return err
		}
	}
	return fmt.Errorf("source: write %s: %w", p, ErrChanged)
}

// errRetry asks Write to read the document again and retry.
var errRetry = errors.New("retry")

// errNoExchange: the file system cannot exchange two names.
var errNoExchange = errors.New("rename exchange not supported")

// settleDelay is how long each look for late appends waits; only a
// document someone is writing to is watched.
const (
	settleDelay = 2 * time.Millisecond
	settleLooks = 2
)

func (d *Dir) writeOnce(dir *os.File, p, name, base string, old, data []byte) error {
	f, err := d.root.Open(name)
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	cur, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	out, cur, ok := withAppended(old, cur, data)
	if !ok {
		return fmt.Errorf("source: write %s: %w", p, ErrChanged)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmpBase := "." + base + ".pmsync-" + hex.EncodeToString(rnd[:])
	tmpName := filepath.Join(filepath.Dir(name), tmpBase)
	if err := d.writeTemp(tmpName, out, st.Mode().Perm()); err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	// Lines appended while the temporary file was written go into it
	// before the swap, so that they are never out of sight for long.
	busy := !bytes.Equal(cur, old)
	for range 10 {
		now, err := d.root.ReadFile(name)
		if err != nil || bytes.Equal(now, cur) {
			break
		}
		extra, ok := bytesAfter(cur, now)
		if !ok {
			_ = d.root.Remove(tmpName)
			return errRetry
		}
		if extra = wholeLines(extra); len(extra) == 0 {
			break // a line being written: it follows after the swap
		}
		now = now[:len(cur)+len(extra)]
		if err := d.appendTo(tmpName, extra); err != nil {
			_ = d.root.Remove(tmpName)
			return fmt.Errorf("source: write %s: %w", p, err)
		}
		out = append(out, extra...)
		cur, busy = now, true
	}
	swapped := true
	err = errNoExchange
	if !d.plainRename {
		err = exchange(dir, tmpBase, base)
	}
	switch {
	case errors.Is(err, errNoExchange):
		// A plain rename: check as late as possible that the file is
		// still the one read (an editor may have saved over it).
		swapped = false
		if now, err := d.root.Stat(name); err != nil || !os.SameFile(now, st) {
			_ = d.root.Remove(tmpName)
			return errRetry
		}
		if err := d.root.Rename(tmpName, name); err != nil {
			_ = d.root.Remove(tmpName)
			return fmt.Errorf("source: write %s: %w", p, err)
		}
	case err != nil:
		_ = d.root.Remove(tmpName)
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	// What was replaced: the file now at tmpName (exchange), or the one f
	// still holds open (rename).
	replaced := func() ([]byte, error) {
		if swapped {
			return d.root.ReadFile(tmpName)
		}
		return io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	}
	prev, err := replaced()
	if err != nil {
		return fmt.Errorf("source: write %s: check what was replaced: %w", p, err)
	}
	extra, ok := bytesAfter(cur, prev)
	if !ok {
		// Rewritten or replaced since it was read: put it back, if the
		// swap allows, and let the caller start over.
		if swapped {
			if err := exchange(dir, tmpBase, base); err != nil {
				return fmt.Errorf("source: write %s: restore a concurrent edit (it is in %s): %w", p, tmpBase, err)
			}
			// What was appended to pmsync's version while it was in
			// place goes after theirs.
			if mine, err := d.root.ReadFile(tmpName); err == nil {
				if more, ok := bytesAfter(out, mine); ok && len(more) > 0 {
					if err := d.appendTo(name, more); err != nil {
						return fmt.Errorf("source: write %s: carry over %d appended bytes (they are in %s): %w", p, len(more), tmpBase, err)
					}
				}
			}
			_ = d.root.Remove(tmpName)
			return errRetry
		}
		// Rewritten in place meanwhile: write their version back.
		if err := d.writeTemp(tmpName, prev, st.Mode().Perm()); err != nil {
			return fmt.Errorf("source: write %s: restore a concurrent edit: %w", p, err)
		}
		if err := d.root.Rename(tmpName, name); err != nil {
			return fmt.Errorf("source: write %s: restore a concurrent edit (it is in %s): %w", p, tmpBase, err)
		}
		return errRetry
	}
	// Whole lines only: a line still being written is taken with its end.
	extra = wholeLines(extra)
	seen := len(cur) + len(extra)
	// Someone is writing to it (it changed since pmsync read it, or
	// during the swap): watch for a writer that opened it before the swap.
	watched := len(extra) > 0 || busy
	watch := watched
	for i := 0; ; i++ {
		if len(extra) > 0 {
			if err := d.appendTo(name, extra); err != nil {
				return fmt.Errorf("source: write %s: carry over %d appended bytes: %w", p, len(extra), err)
			}
		}
		if !watch || i == 20 {
			break
		}
		time.Sleep(settleDelay)
		prev, err = replaced()
		if err != nil {
			return fmt.Errorf("source: write %s: check what was replaced: %w", p, err)
		}
		extra = wholeLines(prev[min(seen, len(prev)):])
		seen += len(extra)
		watch = len(extra) > 0 || i < settleLooks
	}
	{
		// A writer that opened the replaced file just before the swap,
		// or was descheduled holding it, can still write to it: keep it
		// open (without a name) and carry over what it gains, until
		// Close or until keepReplaced later writes.
		var keep *os.File
		if swapped {
			keep, _ = d.root.Open(tmpName)
		} else {
			keep, f = f, nil // not closed on return
		}
		if keep != nil {
			d.mu.Lock()
			d.replaced = append(d.replaced, replacedFile{f: keep, name: name, seen: seen})
			var oldest []replacedFile
			if len(d.replaced) > keepReplaced {
				oldest = d.replaced[:len(d.replaced)-keepReplaced]
				d.replaced = append([]replacedFile(nil), d.replaced[len(d.replaced)-keepReplaced:]...)
			}
			d.mu.Unlock()
			if err := d.carryOver(oldest); err != nil {
				return fmt.Errorf("source: write %s: %w", p, err)
			}
		}
	}
	if swapped {
		_ = d.root.Remove(tmpName)
	}
	return nil
}

// replacedFile is a document's previous version, still open, that a late
// writer may append to.
type replacedFile struct {
	f    *os.File
	name string // the document it was
	seen int    // bytes already carried over (or checked)
}

// keepReplaced is how many replaced versions stay open (file
// descriptors) for late appends.
const keepReplaced = 32

// settle carries over to each document what was appended to its replaced
// versions since they were last looked at, and lets them go.
func (d *Dir) settle() error {
	d.mu.Lock()
	rs := d.replaced
	d.replaced = nil
	d.mu.Unlock()
	return d.carryOver(rs)
}

// carryOver appends to each document what its replaced version gained
// since it was last looked at, and closes it.
func (d *Dir) carryOver(rs []replacedFile) error {
	var errs []error
	for _, r := range rs {
		b, err := io.ReadAll(io.NewSectionReader(r.f, 0, 1<<62))
		r.f.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("source: check %s for late appends: %w", r.name, err))
			continue
		}
		if len(b) > r.seen {
			if err := d.appendTo(r.name, b[r.seen:]); err != nil {
				errs = append(errs, fmt.Errorf("source: carry over %d appended bytes to %s: %w", len(b)-r.seen, r.name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// writeTemp writes data to a new file, synced, with mode perm.
func (d *Dir) writeTemp(name string, data []byte, perm os.FileMode) error {
	return d.writeTempFrom(name, perm, bytesTo(data))
}

// bytesTo writes data, for the functions that take a writer.
func bytesTo(data []byte) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}
}

// writeTempFrom creates the file name (it must not exist) with what
// write writes, buffered, and syncs it; on any failure it is removed.
func (d *Dir) writeTempFrom(name string, perm os.FileMode, write func(io.Writer) error) error {
	f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The umask may have narrowed the mode at creation.
		err = d.root.Chmod(name, perm)
	}
	if err != nil {
		_ = d.root.Remove(name)
	}
	return err
}

// appendTo appends b to a file.
func (d *Dir) appendTo(name string, b []byte) error {
	f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// withAppended is data with the whole lines appended to old since (cur is
// old and more lines), and the part of cur that accounts for, or false
// when cur changed otherwise.
func withAppended(old, cur, data []byte) (out, used []byte, ok bool) {
	if len(old) > 0 && old[len(old)-1] != '\n' && !bytes.Equal(old, cur) {
		return nil, nil, false // text after old's last line would join a line pmsync may have changed
	}
	extra, ok := bytesAfter(old, cur)
	if !ok {
		return nil, nil, false
	}
	extra = wholeLines(extra)
	if len(extra) == 0 {
		return data, old, true
	}
	return append(append(make([]byte, 0, len(data)+len(extra)), data...), extra...), cur[:len(old)+len(extra)], true
}

// wholeLines is b up to its last newline: the rest may be a line another
// writer is still writing.
func wholeLines(b []byte) []byte {
	return b[:bytes.LastIndexByte(b, '\n')+1]
}

// bytesAfter returns what was appended to base to give now (now is base
// and more), or false when now is anything else.
func bytesAfter(base, now []byte) ([]byte, bool) {
	if len(now) >= len(base) && bytes.Equal(now[:len(base)], base) {
		return now[len(base):], true
	}
	return nil, false
}

// ReadFile reads one of pmsync's own files.
func (d *Dir) ReadFile(_ context.Context, p string) ([]byte, error) {
	b, err := d.root.ReadFile(filepath.FromSlash(p))
	if err != nil {
		return nil, fmt.Errorf("source: read %s: %w", p, err)
	}
	return b, nil
}

// OpenFile opens one of pmsync's own files, to be read as a stream.
func (d *Dir) OpenFile(_ context.Context, p string) (io.ReadCloser, error) {
	f, err := d.root.Open(filepath.FromSlash(p))
	if err != nil {
		return nil, fmt.Errorf("source: read %s: %w", p, err)
	}
	return f, nil
}

// WriteFile writes one of pmsync's own files atomically, creating its
// folder: a temporary file, synced, renamed over it. Unlike a document's
// Write it does not merge what someone appended meanwhile: the files are
// pmsync's own, written under the run's lock, and the state is advisory.
// (Write's merge held up to five copies of the state file at once, the
// largest heap of a run over 100,000 items.)
func (d *Dir) WriteFile(ctx context.Context, p string, data []byte) error {
	return d.WriteFileFrom(ctx, p, bytesTo(data))
}

// WriteFileFrom is WriteFile with the content written by write, so that
// it is never held whole in memory. When write fails, the file is left
// as it was.
func (d *Dir) WriteFileFrom(_ context.Context, p string, write func(io.Writer) error) error {
	name := filepath.FromSlash(p)
	if dir := path.Dir(p); dir != "." {
		if err := d.root.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
			return fmt.Errorf("source: write %s: %w", p, err)
		}
	}
	perm := os.FileMode(0o644)
	if st, err := d.root.Stat(name); err == nil {
		perm = st.Mode().Perm()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	tmp := name + ".pmsync-new"
	if err := d.root.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	if err := d.writeTempFrom(tmp, perm, write); err != nil {
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	if err := d.root.Rename(tmp, name); err != nil {
		_ = d.root.Remove(tmp)
		return fmt.Errorf("source: write %s: %w", p, err)
	}
	return nil
}
