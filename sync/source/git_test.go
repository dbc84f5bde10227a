package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pmsync/pmsync/internal/gittest"
)

const testToken = "s3cret-token-value"

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return gittest.Run(t, dir, args...)
}

type gitServer struct{ *gittest.Server }

// newGitServer serves a bare repository seeded with postmortems/a.md and
// b.md.
func newGitServer(t *testing.T) *gitServer {
	t.Helper()
	return &gitServer{gittest.New(t, map[string]string{"postmortems/a.md": "# A\n", "postmortems/b.md": "# B\n"}, testToken)}
}

func gitServerWith(t *testing.T, files map[string]string) *gitServer {
	t.Helper()
	return &gitServer{gittest.New(t, files, testToken)}
}

func (s *gitServer) commits(t *testing.T) int               { return s.Commits(t) }
func (s *gitServer) show(t *testing.T, file string) string  { return s.Show(t, file) }
func (s *gitServer) push(t *testing.T, m map[string]string) { s.Push(t, m) }

func writeTestFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (s *gitServer) open(t *testing.T, dir string) *Git {
	t.Helper()
	g, err := OpenGit(context.Background(), GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g
}

func TestGitCommitPush(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	if got := g.Root(); got != s.URL+"/postmortems" || strings.Contains(got, testToken) {
		t.Fatalf("Root = %q", got)
	}
	list, err := g.List(ctx)
	if err != nil || !reflect.DeepEqual(list, []string{"a.md", "b.md"}) {
		t.Fatalf("List = %v, %v", list, err)
	}
	old, err := g.Read(ctx, "a.md")
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Write(ctx, "a.md", old, []byte("# A\n\nsynced\n")); err != nil {
		t.Fatal(err)
	}
	if err := g.WriteFile(ctx, ".pmsync/state.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	pushed, err := g.Commit(ctx, "pmsync: sync")
	if err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if n := s.commits(t); n != 2 {
		t.Fatalf("%d commits, want 2", n)
	}
	if got := s.show(t, "postmortems/a.md"); got != "# A\n\nsynced" {
		t.Fatalf("a.md = %q", got)
	}
	if got := s.show(t, "postmortems/.pmsync/state.json"); got != "{}" {
		t.Fatalf("state = %q", got)
	}
	if msg := gitRun(t, s.Bare, "--git-dir="+s.Bare, "log", "-1", "--format=%an <%ae> %s", "main"); msg != "pmsync <pmsync@localhost> pmsync: sync" {
		t.Fatalf("commit = %q", msg)
	}
	// Nothing new: no commit.
	pushed, err = g.Commit(ctx, "pmsync: sync")
	if err != nil || pushed {
		t.Fatalf("second Commit = %v, %v", pushed, err)
	}
	if n := s.commits(t); n != 2 {
		t.Fatalf("%d commits, want 2", n)
	}
}

func TestGitNoChange(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	old, _ := g.Read(ctx, "a.md")
	if err := g.Write(ctx, "a.md", old, old); err != nil {
		t.Fatal(err)
	}
	pushed, err := g.Commit(ctx, "pmsync: sync")
	if err != nil || pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if n := s.commits(t); n != 1 {
		t.Fatalf("%d commits, want 1", n)
	}
}

func TestGitConcurrentPushOtherFile(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	old, _ := g.Read(ctx, "a.md")
	if err := g.Write(ctx, "a.md", old, []byte("# A mine\n")); err != nil {
		t.Fatal(err)
	}
	s.push(t, map[string]string{"postmortems/b.md": "# B theirs\n"})
	pushed, err := g.Commit(ctx, "pmsync: sync")
	if err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if n := s.commits(t); n != 3 {
		t.Fatalf("%d commits, want 3", n)
	}
	if a, b := s.show(t, "postmortems/a.md"), s.show(t, "postmortems/b.md"); a != "# A mine" || b != "# B theirs" {
		t.Fatalf("a.md = %q, b.md = %q", a, b)
	}
}

func TestGitConcurrentPushSameFile(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	for _, f := range []string{"a.md", "b.md"} {
		old, _ := g.Read(ctx, f)
		if err := g.Write(ctx, f, old, []byte("# mine "+f+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	s.push(t, map[string]string{"postmortems/a.md": "# A theirs\n"})
	pushed, err := g.Commit(ctx, "pmsync: sync")
	var ce *ConflictError
	if !pushed || !errors.As(err, &ce) || !reflect.DeepEqual(ce.Files, []string{"a.md"}) {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if a, b := s.show(t, "postmortems/a.md"), s.show(t, "postmortems/b.md"); a != "# A theirs" || b != "# mine b.md" {
		t.Fatalf("a.md = %q, b.md = %q", a, b)
	}
	if n := s.commits(t); n != 3 {
		t.Fatalf("%d commits, want 3", n)
	}
	// The clone now holds the remote's a.md for the next run.
	if got, _ := g.Read(ctx, "a.md"); string(got) != "# A theirs\n" {
		t.Fatalf("local a.md = %q", got)
	}
}

func TestGitWrongToken(t *testing.T) {
	s := newGitServer(t)
	bad := "wrong-token-value-123"
	_, err := OpenGit(context.Background(), GitOptions{URL: s.URL, Token: bad, Dir: filepath.Join(t.TempDir(), "clone")})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, bad) || !strings.Contains(msg, "token_env") || !strings.Contains(msg, "token_file") {
		t.Fatalf("error = %q", msg)
	}
}

func TestGitMissingBranch(t *testing.T) {
	s := newGitServer(t)
	_, err := OpenGit(context.Background(), GitOptions{URL: s.URL, Branch: "nope", Token: testToken, Dir: filepath.Join(t.TempDir(), "clone")})
	if err == nil || !strings.Contains(err.Error(), "source.git.branch") || strings.Contains(err.Error(), testToken) {
		t.Fatalf("error = %v", err)
	}
}

func TestGitReopenFetches(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "clone")
	g := s.open(t, dir)
	g.Close()
	// A leftover local edit is dropped.
	writeTestFile(t, filepath.Join(dir, "postmortems", "b.md"), "# B local\n")
	s.push(t, map[string]string{"postmortems/a.md": "# A new\n"})
	g2 := s.open(t, dir)
	if got, _ := g2.Read(ctx, "a.md"); string(got) != "# A new\n" {
		t.Fatalf("a.md = %q", got)
	}
	if got, _ := g2.Read(ctx, "b.md"); string(got) != "# B\n" {
		t.Fatalf("b.md = %q", got)
	}
	old, _ := g2.Read(ctx, "b.md")
	if err := g2.Write(ctx, "b.md", old, []byte("# B synced\n")); err != nil {
		t.Fatal(err)
	}
	if pushed, err := g2.Commit(ctx, "pmsync: sync"); err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if got := s.show(t, "postmortems/b.md"); got != "# B synced" {
		t.Fatalf("b.md = %q", got)
	}
}

// TestGitCommitToBranch: the write-back goes to a branch of its own, on
// top of the base's head; the base is left alone; the same write-back
// again pushes nothing; a different one, or a moved base, replaces the
// branch (force).
func TestGitCommitToBranch(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "clone")
	branchLog := func() string {
		return gitRun(t, s.Bare, "--git-dir="+s.Bare, "log", "--format=%s", "pmsync/sync")
	}
	onBranch := func(f string) string {
		return gitRun(t, s.Bare, "--git-dir="+s.Bare, "show", "pmsync/sync:"+f)
	}
	run := func(content, state string) bool {
		t.Helper()
		g, err := OpenGit(ctx, GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		old, _ := g.Read(ctx, "a.md")
		if err := g.Write(ctx, "a.md", old, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if err := g.WriteFile(ctx, ".pmsync/state.json", []byte(state)); err != nil {
			t.Fatal(err)
		}
		pushed, err := g.CommitToBranch(ctx, "pmsync/sync", "pmsync: sync")
		if err != nil {
			t.Fatal(err)
		}
		return pushed
	}
	if !run("# A\n\nsynced\n", "{\"n\":1}\n") {
		t.Fatal("first run pushed nothing")
	}
	if s.commits(t) != 1 || s.show(t, "postmortems/a.md") != "# A" {
		t.Fatal("main changed")
	}
	if onBranch("postmortems/a.md") != "# A\n\nsynced" || branchLog() != "pmsync: sync\nseed" {
		t.Fatalf("branch: %q", branchLog())
	}
	// The same documents (the state file aside): nothing pushed.
	if run("# A\n\nsynced\n", "{\"n\":2}\n") {
		t.Fatal("steady run pushed")
	}
	// A changed document replaces the branch's commit.
	if !run("# A\n\nsynced again\n", "{\"n\":3}\n") {
		t.Fatal("change not pushed")
	}
	if onBranch("postmortems/a.md") != "# A\n\nsynced again" || branchLog() != "pmsync: sync\nseed" {
		t.Fatalf("branch after change: %q", branchLog())
	}
	// The base moved: the branch is rebuilt on it.
	s.push(t, map[string]string{"postmortems/b.md": "# B edited\n"})
	if !run("# A\n\nsynced again\n", "{\"n\":4}\n") {
		t.Fatal("moved base not pushed")
	}
	if onBranch("postmortems/b.md") != "# B edited" || branchLog() != "pmsync: sync\nother change\nseed" {
		t.Fatalf("branch after base moved: %q", branchLog())
	}
	if s.commits(t) != 2 {
		t.Fatal("main changed by pmsync")
	}
	// Nothing written: nothing pushed.
	g, err := OpenGit(ctx, GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if pushed, err := g.CommitToBranch(ctx, "pmsync/sync", "m"); err != nil || pushed {
		t.Fatalf("empty: %v, %v", pushed, err)
	}
}

// TestGitWriteRepoFile: a file outside the postmortems folder (the report)
// goes into the same commit; paths leaving the clone or touching .git are
// refused; when another run pushed its own version of the file meanwhile,
// this run's (newer) version is re-applied, not reported as a conflict.
func TestGitWriteRepoFile(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	for _, bad := range []string{"../outside.md", "/etc/passwd", ".git/config", ".git", "..", "."} {
		if err := g.WriteRepoFile(ctx, bad, []byte("x")); err == nil {
			t.Errorf("WriteRepoFile(%q) accepted", bad)
		}
	}
	old, _ := g.Read(ctx, "a.md")
	if err := g.Write(ctx, "a.md", old, []byte("# A synced\n")); err != nil {
		t.Fatal(err)
	}
	if err := g.WriteRepoFile(ctx, "reports/report.md", []byte("mine\n")); err != nil {
		t.Fatal(err)
	}
	if b, err := g.ReadRepoFile(ctx, "reports/report.md"); err != nil || string(b) != "mine\n" {
		t.Fatalf("ReadRepoFile = %q, %v", b, err)
	}
	// Someone else pushed in between.
	s.push(t, map[string]string{"postmortems/b.md": "# B theirs\n"})
	pushed, err := g.Commit(ctx, "pmsync: sync")
	if err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if got := s.show(t, "reports/report.md"); got != "mine" {
		t.Fatalf("report = %q", got)
	}
	if got := s.show(t, "postmortems/a.md"); got != "# A synced" {
		t.Fatalf("a.md = %q", got)
	}
	if n := s.commits(t); n != 3 {
		t.Fatalf("%d commits, want 3 (seed, other, pmsync)", n)
	}
	if files := gitRun(t, s.Bare, "--git-dir="+s.Bare, "show", "--name-only", "--format=", "main"); files != "postmortems/a.md\nreports/report.md" {
		t.Fatalf("pmsync's commit holds %q", files)
	}
}

// TestGitWriteFromStreams: pmsync's own files written from a writer
// (the state, the report) are committed like any other; a writer that
// fails leaves the file as it was and nothing to commit.
func TestGitWriteFromStreams(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	failing := func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return errors.New("render failed")
	}
	if err := g.WriteRepoFileFrom(ctx, "reports/report.md", failing); err == nil {
		t.Fatal("a failed write was accepted")
	}
	if pushed, err := g.Commit(ctx, "pmsync: sync"); err != nil || pushed {
		t.Fatalf("after a failed write: Commit = %v, %v; want nothing to commit", pushed, err)
	}
	if err := g.WriteRepoFileFrom(ctx, "reports/report.md", func(w io.Writer) error {
		_, err := io.WriteString(w, "streamed\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := g.WriteFileFrom(ctx, ".pmsync/state.json", func(w io.Writer) error {
		_, err := io.WriteString(w, "{}\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Someone else pushed in between: pmsync's files go on top.
	s.push(t, map[string]string{"postmortems/b.md": "# B theirs\n"})
	if pushed, err := g.Commit(ctx, "pmsync: sync"); err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if got := s.show(t, "reports/report.md"); got != "streamed" {
		t.Fatalf("report = %q", got)
	}
	if got := s.show(t, "postmortems/.pmsync/state.json"); got != "{}" {
		t.Fatalf("state = %q", got)
	}
}

// TestGitOwnFileChangedRemotely: pmsync's own files changed by another run
// meanwhile keep this run's version; a document changed remotely is a
// conflict.
func TestGitOwnFileChangedRemotely(t *testing.T) {
	s := gitServerWith(t, map[string]string{"postmortems/a.md": "# A\n", "reports/report.md": "first\n"})
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	if err := g.WriteRepoFile(ctx, "reports/report.md", []byte("this run\n")); err != nil {
		t.Fatal(err)
	}
	old, _ := g.Read(ctx, "a.md")
	if err := g.Write(ctx, "a.md", old, []byte("# A mine\n")); err != nil {
		t.Fatal(err)
	}
	s.push(t, map[string]string{"reports/report.md": "other run\n", "postmortems/a.md": "# A theirs\n"})
	pushed, err := g.Commit(ctx, "pmsync: sync")
	var ce *ConflictError
	if !pushed || !errors.As(err, &ce) || !reflect.DeepEqual(ce.Files, []string{"a.md"}) {
		t.Fatalf("Commit = %v, %v; want pushed and a conflict on a.md only", pushed, err)
	}
	if got := s.show(t, "reports/report.md"); got != "this run" {
		t.Fatalf("report = %q", got)
	}
	if got := s.show(t, "postmortems/a.md"); got != "# A theirs" {
		t.Fatalf("a.md = %q (the remote's edit must win)", got)
	}
}

// TestGitDamagedCloneRepaired: a run killed while git wrote its index
// leaves .git/index empty; before, every later run failed with "git
// reset: EOF". Now the clone is discarded and cloned again, with one
// warning, whatever part of it is damaged; a clone of another repository
// is never discarded.
func TestGitDamagedCloneRepaired(t *testing.T) {
	s := newGitServer(t)
	ctx := context.Background()
	for name, damage := range map[string]func(t *testing.T, dir string){
		"empty index": func(t *testing.T, dir string) { writeTestFile(t, filepath.Join(dir, ".git", "index"), "") },
		"garbage HEAD": func(t *testing.T, dir string) {
			writeTestFile(t, filepath.Join(dir, ".git", "HEAD"), "\x00\x01 not a ref")
		},
		"objects gone": func(t *testing.T, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, ".git", "objects")); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "clone")
			s.open(t, dir).Close()
			damage(t, dir)
			var logs strings.Builder
			log := slog.New(slog.NewTextHandler(&logs, nil))
			g, err := OpenGit(ctx, GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir, Log: log})
			if err != nil {
				t.Fatalf("open a damaged clone: %v", err)
			}
			defer g.Close()
			if got, _ := g.Read(ctx, "a.md"); string(got) != "# A\n" {
				t.Fatalf("a.md = %q", got)
			}
			// go-git mends some damage itself (a HEAD it rewrites, objects
			// it fetches again); what it cannot is repaired with a warning.
			if n := strings.Count(logs.String(), "damaged"); n > 1 || name == "empty index" && n != 1 {
				t.Fatalf("%d warnings:\n%s", n, logs.String())
			}
			if strings.Contains(logs.String(), testToken) {
				t.Fatal("the token is in the log")
			}
		})
	}
	// Another repository's clone is refused, not emptied.
	other := gitServerWith(t, map[string]string{"postmortems/x.md": "# X\n"})
	dir := filepath.Join(t.TempDir(), "clone")
	other.open(t, dir).Close()
	if _, err := OpenGit(ctx, GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir}); err == nil || !strings.Contains(err.Error(), "another repository") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "postmortems", "x.md")); err != nil {
		t.Fatalf("the other clone was touched: %v", err)
	}
}

// TestGitPushReadsDocumentsWhenSent: a push of many rewritten documents
// does not hold them. go-git's push takes every object to send before it
// writes the first and, with a pack window, reads each to look for
// deltas; the clone's storage reads a loose blob from disk when it is
// sent, and its configuration has no pack window. The remote gets every
// document whole.
func TestGitPushReadsDocumentsWhenSent(t *testing.T) {
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("postmortems/pm-%02d.md", i)] = fmt.Sprintf("# PM %d\n\n%s\n", i, strings.Repeat("A line of the document.\n", 40))
	}
	s := gitServerWith(t, files)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	if c, err := g.repo.Config(); err != nil || c.Pack.Window != 0 {
		t.Fatalf("the clone's pack window: %v, %v; want 0 (no deltas: finding them reads every object pushed)", c.Pack.Window, err)
	}
	for i := range 40 {
		name := fmt.Sprintf("pm-%02d.md", i)
		old, err := g.Read(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Write(ctx, name, old, append(old, "\n- Fix it [acme/sre#1](https://github.com/acme/sre/issues/1) — open\n"...)); err != nil {
			t.Fatal(err)
		}
	}
	if pushed, err := g.Commit(ctx, "pmsync: sync"); err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	for i := range 40 {
		if got := s.show(t, fmt.Sprintf("postmortems/pm-%02d.md", i)); !strings.HasSuffix(got, "— open") {
			t.Fatalf("pm-%02d.md on the remote ends %q", i, got[max(0, len(got)-40):])
		}
	}
	// The documents' blobs, as the push's encoder gets them: not read
	// into memory.
	blob, err := g.repo.Storer.EncodedObject(plumbing.BlobObject, plumbing.ComputeHash(plumbing.BlobObject, []byte(s.show(t, "postmortems/pm-07.md")+"\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, inMemory := blob.(*plumbing.MemoryObject); inMemory {
		t.Fatalf("a %d-byte document's blob is read into memory (%T); want it read when used", blob.Size(), blob)
	}
}

// TestGitReopenResetsManyFiles: a reused clone whose remote changed more
// files than go-git's reset handles well (a merged pull request of a
// first sync's write-back) is reset by a checkout in one pass: afterwards
// it is the remote branch exactly (files changed, added, removed; a local
// edit and an untracked file dropped), its status is clean, and the next
// write is pushed. (go-git's reset took 3.6 s for 2,000 documents in one
// folder and grew with the square; in one pass, 1.0 s.)
func TestGitReopenResetsManyFiles(t *testing.T) {
	const n = resetInPlace + 50
	files := map[string]string{"README.md": "# Postmortems\n", "postmortems/2024/old.md": "# Old\n"}
	for i := range n {
		files[fmt.Sprintf("postmortems/pm-%03d.md", i)] = fmt.Sprintf("# PM %d\n", i)
	}
	s := gitServerWith(t, files)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "clone")
	g := s.open(t, dir)
	writeFiles(t, dir, map[string]string{"postmortems/pm-000.md": "# PM 0, edited here\n", "postmortems/stray.md": "# not in the repository\n"})
	g.Close()

	// Another clone changes every document, removes one and adds one.
	other := filepath.Join(t.TempDir(), "other")
	gitRun(t, filepath.Dir(other), "clone", "-q", s.Bare, other)
	changed := map[string]string{"postmortems/2025/new.md": "# New\n"}
	for i := range n {
		changed[fmt.Sprintf("postmortems/pm-%03d.md", i)] = fmt.Sprintf("# PM %d, changed\n", i)
	}
	writeFiles(t, other, changed)
	gitRun(t, other, "rm", "-q", "postmortems/2024/old.md")
	want := maps.Clone(changed)
	want["README.md"] = "# Postmortems\n"
	gitRun(t, other, "add", "-A")
	gitRun(t, other, "-c", "user.name=Other", "-c", "user.email=other@example.com", "commit", "-qm", "many changes")
	gitRun(t, other, "push", "-q", "origin", "HEAD:main")

	var logs strings.Builder
	g, err := OpenGit(ctx, GitOptions{URL: s.URL, Branch: "main", Token: testToken, Path: "postmortems", Dir: dir,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if logs.Len() > 0 {
		t.Fatalf("the reused clone was not reset but discarded:\n%s", logs.String())
	}
	got := snapshotTree(t, dir, ".git")
	if !reflect.DeepEqual(got, want) {
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", k, got[k], v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("%s is in the clone, not on the remote", k)
			}
		}
		t.FailNow()
	}
	wt, err := g.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if st, err := wt.Status(); err != nil || !st.IsClean() {
		t.Fatalf("status after the reset: %v %v; want clean", st, err)
	}
	if err := g.Write(ctx, "pm-001.md", []byte(want["postmortems/pm-001.md"]), []byte("# PM 1, linked\n")); err != nil {
		t.Fatal(err)
	}
	if pushed, err := g.Commit(ctx, "pmsync: sync"); err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if got := s.show(t, "postmortems/pm-001.md"); got != "# PM 1, linked" {
		t.Fatalf("the remote has %q", got)
	}
	if got := s.show(t, "postmortems/pm-002.md"); got != "# PM 2, changed" {
		t.Fatalf("the commit changed pm-002.md: %q", got)
	}
}

// TestGitStagesFilesStreamed: a written file is stored as a blob from
// disk, not held whole (the state file of 100,000 tickets is 20 MB), and
// the remote gets it whole. A file whose size changed between the look
// and the read is an error, and leaves no object that is not a blob.
func TestGitStagesFilesStreamed(t *testing.T) {
	s := gitServerWith(t, map[string]string{"postmortems/big.md": "# Big\n"})
	ctx := context.Background()
	clone := filepath.Join(t.TempDir(), "clone")
	g := s.open(t, clone)
	var b strings.Builder
	for i := 0; b.Len() < 2<<20; i++ {
		fmt.Fprintf(&b, "- Item %d, owned by someone, due 2026-%02d-01\n", i, i%12+1)
	}
	big := "# Big\n\n" + b.String()
	if err := g.Write(ctx, "big.md", []byte("# Big\n"), []byte(big)); err != nil {
		t.Fatal(err)
	}
	wt, err := g.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h, err := g.storeBlob(wt, "postmortems/big.md", int64(len(big)), buf)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if want := plumbing.ComputeHash(plumbing.BlobObject, []byte(big)); h != want {
		t.Fatalf("stored as %s, want %s", h, want)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("stored %d bytes, allocated %d", len(big), alloc)
	if alloc > 1<<20 {
		t.Fatalf("storing a %d-byte file allocated %d bytes; want it streamed (under 1 MiB)", len(big), alloc)
	}
	if pushed, err := g.Commit(ctx, "pmsync: sync"); err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	if got := s.show(t, "postmortems/big.md"); got+"\n" != big {
		t.Fatalf("the remote has %d bytes of big.md, want %d", len(got)+1, len(big))
	}

	objects := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(clone, ".git", "objects"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.Contains(p, string(filepath.Separator)+"pack"+string(filepath.Separator)) && !strings.Contains(p, "info") {
				n++
			}
			return nil
		})
		return n
	}
	n := objects()
	if _, err := g.storeBlob(wt, "postmortems/big.md", int64(len(big))+10, buf); err == nil || !strings.Contains(err.Error(), "changed while it was stored") {
		t.Fatalf("a file 10 bytes shorter than looked: %v, want an error", err)
	}
	if got := objects(); got != n {
		t.Fatalf("a file that shrank left %d loose objects, want %d", got, n)
	}
	if _, err := g.storeBlob(wt, "postmortems/big.md", int64(len(big))-10, buf); err == nil {
		t.Fatal("a file 10 bytes longer than looked was stored")
	}
}
