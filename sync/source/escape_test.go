package source

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/gittest"
)

// outsideTree is a folder beside the clone with the files a hostile
// repository points its links at.
func outsideTree(t *testing.T, base string) map[string]string {
	t.Helper()
	files := map[string]string{
		"outside.md":              "# Not a postmortem of this repository\n",
		"outside-dir/x.md":        "# Outside folder\n",
		"outside-state/keep.json": "{}\n",
		"outside-reports/keep.md": "# Someone else's report\n",
	}
	writeFiles(t, base, files)
	return snapshotTree(t, base, "clone")
}

// snapshotTree reads every file below dir, except the folder skip.
func snapshotTree(t *testing.T, dir, skip string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() && rel == skip {
			return fs.SkipDir
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pushSymlinks commits symbolic links (path → target) to the repository,
// as anyone with push access could.
func pushSymlinks(t *testing.T, s *gittest.Server, links map[string]string) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "links")
	gittest.Run(t, filepath.Dir(work), "clone", s.Bare, work)
	for name, target := range links {
		p := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		_ = os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Run(t, work, "add", "-A")
	gittest.Run(t, work, "commit", "-m", "links")
	gittest.Run(t, work, "push", "origin", "HEAD:main")
}

// TestGitSymlinksCannotEscapeClone: a repository whose postmortems
// folder holds symbolic links out of the clone (relative and absolute,
// to files and to folders, and in place of pmsync's own .pmsync folder
// and the committed report's folder) gets none of them listed, read or
// written, and nothing outside the clone changes.
func TestGitSymlinksCannotEscapeClone(t *testing.T) {
	base := t.TempDir()
	before := outsideTree(t, base)
	s := gitServerWith(t, map[string]string{"postmortems/a.md": "# A\n"})
	pushSymlinks(t, s.Server, map[string]string{
		"postmortems/evil.md":  "../../outside.md",
		"postmortems/abs.md":   filepath.Join(base, "outside.md"),
		"postmortems/linkdir":  "../../outside-dir",
		"postmortems/absdir":   filepath.Join(base, "outside-dir"),
		"postmortems/.pmsync":  "../../outside-state",
		"postmortems/up.md":    "..",
		"reports":              filepath.Join(base, "outside-reports"),
		"postmortems/inner.md": "a.md", // inside, but still not a document
	})
	ctx := context.Background()
	clone := filepath.Join(base, "clone")
	g := s.open(t, clone)
	// The links are in the clone: the test is about pmsync, not git.
	if fi, err := os.Lstat(filepath.Join(clone, "postmortems", "evil.md")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the clone has no symbolic link evil.md: %v", err)
	}
	list, err := g.List(ctx)
	if err != nil || !reflect.DeepEqual(list, []string{"a.md"}) {
		t.Fatalf("List = %v, %v; want only a.md", list, err)
	}
	for _, p := range []string{"evil.md", "abs.md", "linkdir/x.md", "absdir/x.md", "up.md", ".pmsync/keep.json"} {
		t.Run(p, func(t *testing.T) {
			if b, err := g.Read(ctx, p); err == nil {
				t.Errorf("Read(%s) = %q, want an error", p, b)
			}
			if b, err := g.ReadFile(ctx, p); err == nil {
				t.Errorf("ReadFile(%s) = %q, want an error", p, b)
			}
			if err := g.Write(ctx, p, []byte(before["outside.md"]), []byte("pwned\n")); err == nil {
				t.Errorf("Write(%s) succeeded", p)
			}
			if err := g.WriteFile(ctx, p, []byte("pwned\n")); err == nil {
				t.Errorf("WriteFile(%s) succeeded", p)
			}
		})
	}
	if err := g.WriteFile(ctx, ".pmsync/state.json", []byte("{}\n")); err == nil {
		t.Error("the state was written through a .pmsync link out of the clone")
	}
	if err := g.WriteRepoFile(ctx, "reports/report.md", []byte("pwned\n")); err == nil {
		t.Error("the report was written through a reports link out of the clone")
	}
	if err := g.WriteRepoFile(ctx, "../outside.md", []byte("pwned\n")); err == nil {
		t.Error("WriteRepoFile(../outside.md) succeeded")
	}
	if _, err := g.ReadRepoFile(ctx, "postmortems/evil.md"); err == nil {
		t.Error("ReadRepoFile through a link out of the clone succeeded")
	}
	if pushed, err := g.Commit(ctx, "pmsync: sync"); pushed {
		t.Errorf("Commit pushed (%v) after only refused writes", err)
	}
	if after := snapshotTree(t, base, "clone"); !reflect.DeepEqual(after, before) {
		t.Fatalf("outside the clone changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestGitFileBecomesSymlink: a document the remote later replaces with a
// link out of the clone is dropped from the list on the next fetch, and
// writing it back is refused.
func TestGitFileBecomesSymlink(t *testing.T) {
	base := t.TempDir()
	before := outsideTree(t, base)
	s := newGitServer(t)
	ctx := context.Background()
	clone := filepath.Join(base, "clone")
	g := s.open(t, clone)
	old, err := g.Read(ctx, "a.md")
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	pushSymlinks(t, s.Server, map[string]string{"postmortems/a.md": filepath.Join(base, "outside.md")})
	g = s.open(t, clone) // fetches and resets the existing clone
	if list, err := g.List(ctx); err != nil || !reflect.DeepEqual(list, []string{"b.md"}) {
		t.Fatalf("List = %v, %v; want only b.md", list, err)
	}
	if err := g.Write(ctx, "a.md", old, []byte("pwned\n")); err == nil {
		t.Fatal("Write through the new link succeeded")
	}
	if after := snapshotTree(t, base, "clone"); !reflect.DeepEqual(after, before) {
		t.Fatalf("outside the clone changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestSourceGlobsCannotEscape: include and exclude globs are matched
// against paths inside the source's folder only, so globs with "..",
// absolute paths or a source.path climbing out list nothing outside it,
// for a folder and for a git source.
func TestSourceGlobsCannotEscape(t *testing.T) {
	base := t.TempDir()
	before := outsideTree(t, base)
	abs := filepath.ToSlash(filepath.Join(base, "outside.md"))
	escaping := []string{"../*.md", "../**/*.md", "**/../../*.md", "./../outside.md", abs, filepath.ToSlash(base) + "/**"}
	tests := []struct {
		name             string
		path             string
		include, exclude []string
		want             []string
	}{
		{"escaping includes", "postmortems", escaping, nil, nil},
		{"escaping excludes", "postmortems", nil, escaping, []string{"a.md", "b.md"}},
		{"path climbing out", "../../..", nil, nil, []string{"postmortems/a.md", "postmortems/b.md"}},
	}
	s := newGitServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			g, err := OpenGit(ctx, GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: tt.path,
				Dir: filepath.Join(base, "clone", strings.ReplaceAll(tt.name, " ", "-")), Include: tt.include, Exclude: tt.exclude})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			got, err := g.List(ctx)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("git: List = %q, %v; want %q", got, err, tt.want)
			}
			// The same folder as a dir source.
			d, err := OpenDir(filepath.Join(base, "clone", strings.ReplaceAll(tt.name, " ", "-"), "postmortems"), DirOptions{Include: tt.include, Exclude: tt.exclude})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			got, err = d.List(ctx)
			if want := trimPrefixes(tt.want, "postmortems/"); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("dir: List = %q, %v; want %q", got, err, want)
			}
		})
	}
	if after := snapshotTree(t, base, "clone"); !reflect.DeepEqual(after, before) {
		t.Fatalf("outside the clones changed:\nbefore %v\nafter  %v", before, after)
	}
}

func trimPrefixes(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		out = append(out, strings.TrimPrefix(s, prefix))
	}
	return out
}
