package testkit

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Golden compares got with the golden file, or rewrites the file when
// update is set (each package's -update flag: one flag here would clash
// with theirs).
func Golden(t testing.TB, file, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n got %q\nwant %q", file, Abridge(got), Abridge(string(want)))
	}
}

// abridged is the size under which Abridge keeps a text whole.
const abridged = 4096

// Abridge keeps a short text whole; of a long one it keeps the first and
// last KiB around a line with its length and SHA-256, so that a golden
// file pins every byte without holding them all.
func Abridge(s string) string {
	if len(s) <= abridged {
		return s
	}
	const keep = 1024
	return fmt.Sprintf("%s\n[… %d bytes in all, sha256 %x …]\n%s", s[:keep], len(s), sha256.Sum256([]byte(s)), s[len(s)-keep:])
}
