package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDirListSelectsDocuments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"2026-01-01-db.md":       "x",
		"team/2026-02-01-dns.md": "x",
		"README.md":              "x",
		"team/README.md":         "x",
		"template.md":            "x",
		"notes.txt":              "x",
		".git/x.md":              "x",
	})
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.md": "x"})
	if err := os.Symlink(filepath.Join(outside, "secret.md"), filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(dir, DirOptions{Exclude: []string{"**/README.md", "**/*template*.md"}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-01-01-db.md", "team/2026-02-01-dns.md"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	if _, err := d.Read(context.Background(), "link.md"); err == nil {
		t.Fatal("read through a symbolic link that leaves the folder")
	}
	if _, err := d.Read(context.Background(), "../"+filepath.Base(outside)+"/secret.md"); err == nil {
		t.Fatal("read outside the folder with ..")
	}
}

func TestDirWriteIsAtomicAndKeepsMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a/pm.md": "old"})
	d, err := OpenDir(dir, DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.Write(ctx, "a/pm.md", []byte("old"), []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "a", "pm.md"))
	st, _ := os.Stat(filepath.Join(dir, "a", "pm.md"))
	if string(b) != "new" || st.Mode().Perm() != 0o640 {
		t.Fatalf("after write: %q mode %v, want \"new\" 0640", b, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "a"))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	// A human edited the file since it was read: refuse, keep theirs.
	err = d.Write(ctx, "a/pm.md", []byte("old"), []byte("newer"))
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("write over a changed file: err = %v, want ErrChanged", err)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "a", "pm.md"))
	if string(b) != "new" {
		t.Fatalf("a refused write changed the file to %q", b)
	}
}

// TestDirWriteFileReplacesOwnFile: pmsync's own files (the state) are
// created with their folder, replaced whole, keep their mode, and leave
// no temporary file, also over one a killed run left.
func TestDirWriteFileReplacesOwnFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d, err := OpenDir(dir, DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	p := filepath.Join(dir, ".pmsync", "state.json")
	if err := d.WriteFile(ctx, ".pmsync/state.json", []byte("{\"version\": 1}\n")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p+".pmsync-new", []byte("half"), 0o644); err != nil { // a killed run's
		t.Fatal(err)
	}
	if err := d.WriteFile(ctx, ".pmsync/state.json", []byte("{\"version\": 2}\n")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "{\"version\": 2}\n" || st.Mode().Perm() != 0o600 {
		t.Fatalf("after write: %q mode %v, want version 2, 0600", b, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Join(dir, ".pmsync"))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	// Written from a writer that fails halfway: the file stays as it was.
	err = d.WriteFileFrom(ctx, ".pmsync/state.json", func(w io.Writer) error {
		_, _ = io.WriteString(w, "{\"version\": ")
		return errors.New("encode failed")
	})
	b, _ = os.ReadFile(p)
	entries, _ = os.ReadDir(filepath.Join(dir, ".pmsync"))
	if err == nil || string(b) != "{\"version\": 2}\n" || len(entries) != 1 {
		t.Fatalf("a failed write: err %v, file %q, %d entries; want the error, version 2, 1 entry", err, b, len(entries))
	}
}

func TestDirReadRefusesHugeFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"big.md": string(make([]byte, 2048))})
	d, err := OpenDir(dir, DirOptions{MaxBytes: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Read(context.Background(), "big.md"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestOpenDirRejectsBadGlob(t *testing.T) {
	t.Parallel()
	if _, err := OpenDir(t.TempDir(), DirOptions{Include: []string{"[a"}}); err == nil {
		t.Fatal("bad glob accepted")
	}
}
