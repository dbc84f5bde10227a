package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/gittest"
)

const gitToken = "git-token-never-printed-42"

// TestSyncGitSource: postmortems in a git repository served over loopback
// HTTP: sync clones, creates tickets, commits the write-backs once and
// pushes; a steady run makes no commit; a push by someone else in between
// is kept.
// newGitEnv serves the example postmortems (under postmortems/) and a
// README from a git repository, with the GitHub simulator as tracker.
func newGitEnv(t *testing.T, extra string) (*gittest.Server, *ghEnv, []string) {
	t.Helper()
	files := map[string]string{}
	examples, _ := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "postmortems", "*.md"))
	for _, f := range examples {
		b, _ := os.ReadFile(f)
		files["postmortems/"+filepath.Base(f)] = string(b)
	}
	files["README.md"] = "# Postmortems\n"
	repo := gittest.New(t, files, gitToken)
	// The GitHub tracker: the simulator of the other end-to-end tests.
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), extra)
	cfg, _ := os.ReadFile(e.config)
	text := strings.Replace(string(cfg), fmt.Sprintf("source: {path: %q}", e.dir),
		fmt.Sprintf("source: {type: git, path: postmortems, git: {url: %q, branch: main, token_env: GIT_TOKEN}}", repo.URL), 1)
	if err := os.WriteFile(e.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	// Git retries back off 5 ms in tests, not 1 s (source.git.retry_backoff).
	return repo, e, []string{"GH_TOKEN=" + testToken, "GIT_TOKEN=" + gitToken, "TMPDIR=" + t.TempDir(), "PMSYNC_SOURCE_GIT_RETRY_BACKOFF=5ms"}
}

func TestSyncGitSource(t *testing.T) {
	repo, e, env := newGitEnv(t, "")
	before := repo.Commits(t)
	code, out, errOut := runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, gitToken) {
		t.Fatal("git token in the output")
	}
	if n := repo.Commits(t); n != before+1 {
		t.Fatalf("%d commits after the first sync, want %d (one per run)", n, before+1)
	}
	if !strings.Contains(repo.Show(t, "postmortems/2026-03-04-order-events-queue-backlog.md"), "<!-- pmsync -->") {
		t.Fatal("write-back not pushed")
	}
	// Someone edits another part of the repository meanwhile.
	repo.Push(t, map[string]string{"README.md": "# Postmortems (edited)\n"})
	// Steady: no commit.
	code, out, _ = runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK || repo.Commits(t) != before+2 {
		t.Fatalf("steady run: exit %d, commits %d (want %d)\n%s", code, repo.Commits(t), before+2, out)
	}
	// A status change is committed on top of the other person's commit.
	e.closeOne(t, "acme/platform")
	code, out, _ = runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK || repo.Commits(t) != before+3 {
		t.Fatalf("status run: exit %d, commits %d\n%s", code, repo.Commits(t), out)
	}
	if repo.Show(t, "README.md") != "# Postmortems (edited)" {
		t.Fatal("the other person's change was lost")
	}
}

// TestSyncGitSourceCommitsReport: with report.commit the report is part of
// the run's one commit, inside the postmortems folder without being taken
// for a postmortem; a run that changes nothing the report says makes no
// commit, even though the report's generation time moved.
func TestSyncGitSourceCommitsReport(t *testing.T) {
	repo, e, env := newGitEnv(t, "report: {dir: postmortems/follow-through, formats: [md, json], commit: true}\n")
	day := time.Now().UTC().Format("2006-01-02")
	before := repo.Commits(t)
	code, out, errOut := runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	docs := regexp.MustCompile(`sync: (\d+) documents`).FindStringSubmatch(out)
	if docs == nil || docs[1] != "8" {
		t.Fatalf("documents = %v, want the 8 examples and not the report\n%s", docs, out)
	}
	if n := repo.Commits(t); n != before+1 {
		t.Fatalf("%d commits, want %d: write-back and report in one commit", n, before+1)
	}
	msg := gittest.Run(t, repo.Bare, "--git-dir="+repo.Bare, "log", "-1", "--format=%s", "main")
	if !strings.Contains(msg, "ticket links and statuses") || !strings.Contains(msg, "follow-through report of "+day) {
		t.Fatalf("commit message %q", msg)
	}
	changed := gittest.Run(t, repo.Bare, "--git-dir="+repo.Bare, "show", "--name-only", "--format=", "main")
	for _, f := range []string{"postmortems/follow-through/report.md", "postmortems/follow-through/report.json", "postmortems/2026-03-04-order-events-queue-backlog.md"} {
		if !strings.Contains(changed, f) {
			t.Fatalf("%s not in the commit:\n%s", f, changed)
		}
	}
	if md := repo.Show(t, "postmortems/follow-through/report.md"); !strings.Contains(md, "As of "+day) {
		t.Fatalf("committed report.md:\n%s", md)
	}
	firstSnap := repo.Show(t, "postmortems/follow-through/history.jsonl")
	if len(strings.Fields(firstSnap)) != 1 {
		t.Fatalf("committed history.jsonl, want one snapshot:\n%s", firstSnap)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(e.config), "postmortems", "follow-through")); err == nil {
		t.Fatal("report also written to the local disk")
	}

	// Nothing changed: no commit, although generated_at is new.
	time.Sleep(1100 * time.Millisecond) // generated_at has second resolution
	code, out, _ = runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK {
		t.Fatalf("steady run: exit %d\n%s", code, out)
	}
	if docs := regexp.MustCompile(`sync: (\d+) documents`).FindStringSubmatch(out); docs == nil || docs[1] != "8" {
		t.Fatalf("steady run: documents = %v, want 8: the committed report is not a postmortem\n%s", docs, out)
	}
	if time.Now().UTC().Format("2006-01-02") != day {
		t.Skip("the UTC date changed during the test; the report legitimately changed")
	}
	if n := repo.Commits(t); n != before+1 {
		t.Fatalf("steady run made a commit (%d, want %d)", n, before+1)
	}

	// A ticket closed in the tracker: its status is written back and the
	// report, which now counts it done, goes in the same commit.
	e.closeOne(t, "acme/platform")
	oldJSON := repo.Show(t, "postmortems/follow-through/report.json")
	code, out, _ = runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK || repo.Commits(t) != before+2 {
		t.Fatalf("status run: exit %d, commits %d (want %d)\n%s", code, repo.Commits(t), before+2, out)
	}
	if repo.Show(t, "postmortems/follow-through/report.json") == oldJSON {
		t.Fatal("report not updated with the status change")
	}
	// Both runs fall in one hour (unless the clock crossed one): the
	// history keeps the hour's last.
	if h := repo.Show(t, "postmortems/follow-through/history.jsonl"); h == firstSnap || len(strings.Fields(h)) > 2 {
		t.Fatalf("history.jsonl after the second commit, want this run's snapshot in place of the first:\n%s", h)
	}
}

// closeOne closes one ticket of repo in the simulator as completed and
// returns its reference.
func (e *ghEnv) closeOne(t *testing.T, repo string) string {
	t.Helper()
	for ref := range e.issues() {
		if o, n, ok := strings.Cut(ref, "#"); ok && o == repo {
			owner, name, _ := strings.Cut(o, "/")
			num, err := strconv.Atoi(n)
			if err != nil {
				t.Fatal(err)
			}
			if err := e.sim.Close(owner, name, num, "completed"); err != nil {
				t.Fatal(err)
			}
			return ref
		}
	}
	t.Fatalf("no ticket in %s", repo)
	return ""
}
