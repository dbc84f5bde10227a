package main

import (
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/gittest"
)

// TestSyncPullRequestMode: source.git.mode pull-request against the GitHub
// fake: the write-back goes to branch pmsync/sync, main is left alone, and
// one pull request is opened, then updated; a steady run commits nothing.
func TestSyncPullRequestMode(t *testing.T) {
	files := map[string]string{}
	examples, _ := filepath.Glob(filepath.Join(repoRoot(t), "testdata", "postmortems", "*.md"))
	for _, f := range examples {
		b, _ := os.ReadFile(f)
		files["postmortems/"+filepath.Base(f)] = string(b)
	}
	// One token for the repository and its GitHub API, as on GitHub.
	repo := gittest.New(t, files, testToken)
	// The repository at https://host/acme/postmortems.git.
	target, _ := url.Parse(strings.TrimSuffix(repo.URL, "/repo.git"))
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.URL.Path = strings.Replace(r.In.URL.Path, "/acme/postmortems.git", "/repo.git", 1)
		r.Out.URL.RawPath = ""
	}})
	t.Cleanup(proxy.Close)
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	cfg, _ := os.ReadFile(e.config)
	text := strings.Replace(string(cfg), fmt.Sprintf("source: {path: %q}", e.dir),
		fmt.Sprintf("source: {type: git, path: postmortems, git: {url: %q, branch: main, mode: pull-request, token_env: GIT_TOKEN}}",
			proxy.URL+"/acme/postmortems.git"), 1)
	if err := os.WriteFile(e.config, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"GH_TOKEN=" + testToken, "GIT_TOKEN=" + testToken, "TMPDIR=" + t.TempDir()}
	git := func(args ...string) string {
		return gittest.Run(t, repo.Bare, append([]string{"--git-dir=" + repo.Bare}, args...)...)
	}
	const doc = "postmortems/2026-03-04-order-events-queue-backlog.md"
	mainBefore := git("rev-parse", "main")

	code, out, errOut := runCmd(t, env, "sync", "--config", e.config)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if git("rev-parse", "main") != mainBefore || strings.Contains(repo.Show(t, doc), "<!-- pmsync -->") {
		t.Fatal("main changed")
	}
	if !strings.Contains(git("show", "pmsync/sync:"+doc), "<!-- pmsync -->") {
		t.Fatal("write-back not on pmsync/sync")
	}
	if parent := git("rev-parse", "pmsync/sync^"); parent != mainBefore {
		t.Fatalf("pmsync/sync is on %s, want main %s", parent, mainBefore)
	}
	pulls := e.sim.Pulls("acme", "postmortems")
	if len(pulls) != 1 || pulls[0].State != "open" || pulls[0].Head != "pmsync/sync" || pulls[0].Base != "main" ||
		pulls[0].Title != "pmsync: ticket links and statuses" || !strings.Contains(pulls[0].Body, filepath.Base(doc)) {
		t.Fatalf("pull requests: %+v", pulls)
	}
	branch1 := git("rev-parse", "pmsync/sync")

	// A status change: the branch and the same pull request are updated.
	closed := e.closeOne(t, "acme/platform")
	if closed == "" {
		t.Fatal("no acme/platform ticket")
	}
	if code, out, errOut = runCmd(t, env, "sync", "--config", e.config); code != exitOK {
		t.Fatalf("status run: exit %d\n%s\n%s", code, out, errOut)
	}
	branch2 := git("rev-parse", "pmsync/sync")
	if branch2 == branch1 || git("rev-parse", "main") != mainBefore {
		t.Fatal("status change: branch not updated, or main changed")
	}
	if diff := git("diff", "--stat", branch1, branch2); diff == "" {
		t.Fatal("status change: no difference on the branch")
	}
	pulls = e.sim.Pulls("acme", "postmortems")
	if len(pulls) != 1 || pulls[0].State != "open" {
		t.Fatalf("pull requests after the status change: %+v", pulls)
	}

	// Steady: no new commit, still one pull request.
	if code, out, errOut = runCmd(t, env, "sync", "--config", e.config); code != exitOK {
		t.Fatalf("steady run: exit %d\n%s\n%s", code, out, errOut)
	}
	if git("rev-parse", "pmsync/sync") != branch2 || git("rev-parse", "main") != mainBefore {
		t.Fatal("steady run committed")
	}
	if n := len(e.sim.Pulls("acme", "postmortems")); n != 1 {
		t.Fatalf("%d pull requests after the steady run", n)
	}

	// Someone closes the pull request without merging: runs that would push
	// the same write-back do not reopen it.
	pr := e.sim.Pulls("acme", "postmortems")[0]
	if err := e.sim.Close("acme", "postmortems", pr.Number, "not_planned"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if code, out, errOut = runCmd(t, env, "sync", "--config", e.config); code != exitOK {
			t.Fatalf("run after the close: exit %d\n%s\n%s", code, out, errOut)
		}
		if !strings.Contains(errOut, "closed without merging") {
			t.Fatalf("no warning about the closed pull request:\n%s", errOut)
		}
	}
	if pulls := e.sim.Pulls("acme", "postmortems"); len(pulls) != 1 || pulls[0].State != "closed" {
		t.Fatalf("pull requests after a close by hand: %+v", pulls)
	}
	// A new write-back (another ticket done) opens a new pull request.
	e.closeOne(t, "acme/payments")
	if code, out, errOut = runCmd(t, env, "sync", "--config", e.config); code != exitOK {
		t.Fatalf("run after a new change: exit %d\n%s\n%s", code, out, errOut)
	}
	pulls = e.sim.Pulls("acme", "postmortems")
	if len(pulls) != 2 || pulls[1].State != "open" {
		t.Fatalf("pull requests after a new change: %+v", pulls)
	}
}
