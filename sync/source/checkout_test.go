package source

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	billy "github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// treeOf stores blobs and one tree of them (names may hold "/": a
// subtree each) in st, and returns the root tree.
func treeOf(t *testing.T, st *memory.Storage, files map[string]string, modes map[string]filemode.FileMode) *object.Tree {
	t.Helper()
	sub := map[string]map[string]string{}
	var entries []object.TreeEntry
	for name, body := range files {
		if dir, rest, ok := strings.Cut(name, "/"); ok {
			if sub[dir] == nil {
				sub[dir] = map[string]string{}
			}
			sub[dir][rest] = body
			continue
		}
		o := st.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, _ := o.Writer()
		_, _ = io.WriteString(w, body)
		_ = w.Close()
		h, err := st.SetEncodedObject(o)
		if err != nil {
			t.Fatal(err)
		}
		mode := filemode.Regular
		if m, ok := modes[name]; ok {
			mode = m
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: mode, Hash: h})
	}
	for dir, fs := range sub {
		subModes := map[string]filemode.FileMode{}
		for name, m := range modes {
			if rest, ok := strings.CutPrefix(name, dir+"/"); ok {
				subModes[rest] = m
			}
		}
		entries = append(entries, object.TreeEntry{Name: dir, Mode: filemode.Dir, Hash: treeOf(t, st, fs, subModes).Hash})
	}
	key := func(e object.TreeEntry) string { // git's order: a folder sorts as its name and "/"
		if e.Mode == filemode.Dir {
			return e.Name + "/"
		}
		return e.Name
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
	tree := &object.Tree{Entries: entries}
	o := st.NewEncodedObject()
	if err := tree.Encode(o); err != nil {
		t.Fatal(err)
	}
	h, err := st.SetEncodedObject(o)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := object.GetTree(st, h)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// countingStore counts the trees read from it.
type countingStore struct {
	*memory.Storage
	trees int
}

func (c *countingStore) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := c.Storage.EncodedObject(t, h)
	if err == nil && o.Type() == plumbing.TreeObject {
		c.trees++
	}
	return o, err
}

// TestCheckoutReadsEachTreeOnce: a clone of a folder of many documents
// writes each and reads the folder's tree once (go-git's checkout read
// it again for every document: 75 s for 8,000), with an index entry for
// each file that matches it.
func TestCheckoutReadsEachTreeOnce(t *testing.T) {
	st := memory.NewStorage()
	files := map[string]string{"README.md": "# Postmortems\n"}
	for i := range 300 {
		files[fmt.Sprintf("postmortems/pm-%03d.md", i)] = fmt.Sprintf("# PM %d\n", i)
	}
	tree := treeOf(t, st, files, nil)
	cs := &countingStore{Storage: st}
	wt := memfs.New()
	idx, err := checkout(cs, tree, wt)
	if err != nil {
		t.Fatal(err)
	}
	if cs.trees > 1 {
		t.Errorf("%d trees read for a tree with one folder, want 1: each is read once", cs.trees)
	}
	if len(idx.Entries) != len(files) {
		t.Fatalf("%d index entries, want %d", len(idx.Entries), len(files))
	}
	for i, e := range idx.Entries {
		if i > 0 && idx.Entries[i-1].Name >= e.Name {
			t.Fatalf("index not sorted: %q before %q", idx.Entries[i-1].Name, e.Name)
		}
		b, err := readAll(wt, e.Name)
		if err != nil || b != files[e.Name] {
			t.Fatalf("%s = %q, %v; want %q", e.Name, b, err, files[e.Name])
		}
		if e.Size != uint32(len(b)) || e.Mode != filemode.Regular || e.ModifiedAt.IsZero() {
			t.Fatalf("index entry %s: size %d, mode %v, modified %v", e.Name, e.Size, e.Mode, e.ModifiedAt)
		}
	}
}

func readAll(fs billy.Filesystem, name string) (string, error) {
	f, err := fs.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	return string(b), err
}

// TestCheckoutRefusesUnsafePaths: a tree entry that would be written into
// .git, outside the work tree, or below a symbolic link is refused, as
// git refuses it; nothing is written there.
func TestCheckoutRefusesUnsafePaths(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		modes map[string]filemode.FileMode
	}{
		{files: map[string]string{"..": "x"}},
		{files: map[string]string{".git/hooks": "x"}},
		{files: map[string]string{".GIT/config": "x"}},
		{files: map[string]string{"docs/.git": "x"}},
		{files: map[string]string{"link": "OUTSIDE", "link/passwd": "x"}, modes: map[string]filemode.FileMode{"link": filemode.Symlink}},
	} {
		outside := t.TempDir() // where the link points: nothing may be written there
		if tc.files["link"] != "" {
			tc.files["link"] = outside
		}
		st := memory.NewStorage()
		// A tree can name a symlink and a folder alike: build it by hand.
		tree := treeOf(t, st, tc.files, tc.modes)
		dir := t.TempDir()
		wt := osfs.New(dir)
		// go-git's tree reader refuses most of these itself; checkout
		// refuses what it lets through.
		if _, err := checkout(st, tree, wt); err == nil {
			t.Errorf("%v: checked out, want a refusal", tc.files)
		}
		if _, err := os.Stat(filepath.Join(outside, "passwd")); err == nil {
			t.Errorf("%v: wrote below the symbolic link, outside the work tree", tc.files)
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil && tc.files[".git/hooks"] != "" {
			t.Errorf("%v: wrote into .git", tc.files)
		}
		if _, err := os.Stat(filepath.Join(dir, "..", "x")); err == nil {
			t.Errorf("%v: wrote outside the work tree", tc.files)
		}
	}
}

// TestGitCloneWritesModesAndLinks: a clone's files keep their modes, its
// symbolic links are links, and git itself finds the checkout clean.
func TestGitCloneWritesModesAndLinks(t *testing.T) {
	s := gitServerWith(t, map[string]string{"postmortems/a.md": "# A\n", "postmortems/sub/b.md": "# B\n", "tools/run.sh": "#!/bin/sh\n"})
	bare := s.Bare
	work := filepath.Join(t.TempDir(), "seed")
	gitRun(t, "", "clone", "-q", bare, work)
	if err := os.Chmod(filepath.Join(work, "tools/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.md", filepath.Join(work, "postmortems/latest.md")); err != nil {
		t.Fatal(err)
	}
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "modes")
	gitRun(t, work, "push", "-q", "origin", "HEAD:main")
	dir := filepath.Join(t.TempDir(), "clone")
	g := s.open(t, dir)
	if fi, err := os.Stat(filepath.Join(dir, "tools/run.sh")); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("tools/run.sh: %v, %v; want executable", fi, err)
	}
	if target, err := os.Readlink(filepath.Join(dir, "postmortems/latest.md")); err != nil || target != "a.md" {
		t.Fatalf("postmortems/latest.md links to %q, %v; want a.md", target, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "postmortems/sub/b.md")); err != nil || string(b) != "# B\n" {
		t.Fatalf("postmortems/sub/b.md = %q, %v", b, err)
	}
	if st := gitRun(t, dir, "status", "--porcelain"); st != "" {
		t.Fatalf("git status in the clone:\n%s\nwant clean", st)
	}
	if pushed, err := g.Commit(context.Background(), "pmsync: sync"); err != nil || pushed {
		t.Fatalf("Commit with nothing written = %v, %v; want no commit", pushed, err)
	}
}
