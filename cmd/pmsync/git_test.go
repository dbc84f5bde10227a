package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/gittest"
)

const gitToken = "git-token-never-printed-42"

// TestSyncGitSource: postmortems in a git repository served over loopback
// HTTP: sync clones, creates tickets, commits the write-backs once and
// pushes; a steady run makes no commit; a push by someone else in between
// is kept.
func TestSyncGitSource(t *testing.T) {
	files := map[string]string{}
	examples, _ := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "postmortems", "*.md"))
	for _, f := range examples {
		b, _ := os.ReadFile(f)
		files["postmortems/"+filepath.Base(f)] = string(b)
	}
	files["README.md"] = "# Postmortems\n"
	repo := gittest.New(t, files, gitToken)
	// The GitHub tracker: the simulator of the other end-to-end tests.
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	cfg, _ := os.ReadFile(e.config)
	text := strings.Replace(string(cfg), fmt.Sprintf("source: {path: %q}", e.dir),
		fmt.Sprintf("source: {type: git, path: postmortems, git: {url: %q, branch: main, token_env: GIT_TOKEN}}", repo.URL), 1)
	if err := os.WriteFile(e.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GH_TOKEN=" + testToken, "GIT_TOKEN=" + gitToken, "TMPDIR=" + t.TempDir()}
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
	for ref := range e.issues() {
		if strings.HasPrefix(ref, "acme/platform#") {
			o, n, _ := strings.Cut(ref, "#")
			owner, name, _ := strings.Cut(o, "/")
			var num int
			fmt.Sscan(n, &num)
			if err := e.sim.Close(owner, name, num, "completed"); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	code, out, _ = runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK || repo.Commits(t) != before+3 {
		t.Fatalf("status run: exit %d, commits %d\n%s", code, repo.Commits(t), out)
	}
	if repo.Show(t, "README.md") != "# Postmortems (edited)" {
		t.Fatal("the other person's change was lost")
	}
}
