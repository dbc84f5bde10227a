package source

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/storage"
)

// indexCounter counts the reads and writes of the git index: each costs
// time in proportion to the files of the repository.
type indexCounter struct {
	storage.Storer
	reads, writes int
}

func (c *indexCounter) Index() (*index.Index, error) {
	c.reads++
	return c.Storer.Index()
}

func (c *indexCounter) SetIndex(idx *index.Index) error {
	c.writes++
	return c.Storer.SetIndex(idx)
}

// The clone's storage writes loose objects as they are read (storeBlob).
func (c *indexCounter) LazyWriter() (io.WriteCloser, func(plumbing.ObjectType, int64) error, error) {
	return c.Storer.(looseObjects).LazyWriter()
}

func (c *indexCounter) DeleteLooseObject(h plumbing.Hash) error {
	return c.Storer.(looseObjects).DeleteLooseObject(h)
}

// TestGitCommitStagesOnce: committing W written documents of a repository
// of N reads and writes the index a fixed number of times, not W times.
// go-git's Worktree.Add computes the status of the whole worktree (every
// file stat'ed, HEAD's tree compared with the index) and rewrites the
// index for each file it adds, so a first sync that writes back every
// document cost O(W × N): at 10,000 documents, 10,000 statuses of
// 10,000 files.
func TestGitCommitStagesOnce(t *testing.T) {
	const docs, written = 60, 40
	files := map[string]string{}
	for i := range docs {
		files[fmt.Sprintf("postmortems/%03d.md", i)] = fmt.Sprintf("# Incident %d\n", i)
	}
	s := gitServerWith(t, files)
	ctx := context.Background()
	g := s.open(t, filepath.Join(t.TempDir(), "clone"))
	wt, err := g.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	counter := &indexCounter{Storer: g.repo.Storer}
	if g.repo, err = git.Open(counter, wt.Filesystem); err != nil {
		t.Fatal(err)
	}
	for i := range written {
		p := fmt.Sprintf("%03d.md", i)
		old, err := g.Read(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Write(ctx, p, old, fmt.Appendf(nil, "# Incident %d\n\nsynced\n", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.WriteFile(ctx, ".pmsync/state.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	counter.reads, counter.writes = 0, 0
	pushed, err := g.Commit(ctx, "pmsync: sync")
	if err != nil || !pushed {
		t.Fatalf("Commit = %v, %v", pushed, err)
	}
	t.Logf("%d files written: the index read %d times, written %d times", written+1, counter.reads, counter.writes)
	if counter.writes != 1 || counter.reads > 4 {
		t.Errorf("committing %d files read the index %d times and wrote it %d times; want at most 4 reads and 1 write, whatever the number of files",
			written+1, counter.reads, counter.writes)
	}
	for i := range written {
		want := fmt.Sprintf("# Incident %d\n\nsynced", i)
		if got := s.show(t, fmt.Sprintf("postmortems/%03d.md", i)); got != want {
			t.Fatalf("%03d.md = %q, want %q", i, got, want)
		}
	}
	if got := s.show(t, fmt.Sprintf("postmortems/%03d.md", written)); got != fmt.Sprintf("# Incident %d", written) {
		t.Fatalf("an unwritten document changed: %q", got)
	}
	if got := s.show(t, "postmortems/.pmsync/state.json"); got != "{}" {
		t.Fatalf("state = %q", got)
	}
	// Nothing new: nothing staged, no commit.
	if pushed, err := g.Commit(ctx, "pmsync: sync"); err != nil || pushed {
		t.Fatalf("second Commit = %v, %v", pushed, err)
	}
	if st, err := wt.Status(); err != nil || !st.IsClean() {
		t.Fatalf("worktree after the commits: %v, %v", st, err)
	}
}
