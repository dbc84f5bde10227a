package source

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	billy "github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-billy/v5/util"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/pmsync/pmsync/internal/retry"
)

// gitUser is the HTTP basic-auth user sent with the token.
const gitUser = "x-access-token"

// GitOptions describe a git source.
type GitOptions struct {
	URL, Branch string // https URL; Branch defaults to "main"
	// Token is the resolved secret, sent as HTTP basic auth with user
	// "x-access-token". It never appears in errors.
	Token string
	// SSHKey is the PEM private key (unencrypted) used when URL is an SSH
	// URL (ssh://git@host/path or git@host:path); see gitssh.go.
	SSHKey []byte
	// KnownHosts is the contents of a known_hosts file checking the SSH
	// server's host key. An SSH URL needs it unless InsecureIgnoreHostKey
	// is set.
	KnownHosts []byte
	// InsecureIgnoreHostKey accepts any SSH host key when KnownHosts is
	// empty: a man in the middle could then read and rewrite the
	// repository. For tests and labs only.
	InsecureIgnoreHostKey bool
	// Path is the folder of the postmortems inside the repository.
	Path string
	// Dir is where to clone; created if missing.
	Dir      string
	Include  []string
	Exclude  []string
	MaxBytes int64
	// AuthorName and AuthorEmail sign commits (default pmsync,
	// pmsync@localhost).
	AuthorName, AuthorEmail string
	// MaxRetries bounds the retries after a non-fast-forward push
	// (default 3).
	MaxRetries int
	// Retries bounds the retries of each remote operation (clone, fetch,
	// ls-remote, push) that failed transiently: a 5xx or 429 answer, a
	// reset connection, a timeout (default 3; negative: none).
	Retries int
	// RetryBackoff is the wait before the first retry, doubled before
	// each next one; a longer Retry-After from the server wins (default
	// 1s).
	RetryBackoff time.Duration
	// Log gets the warning when a damaged clone is discarded (nil: none).
	Log *slog.Logger
}

// ConflictError lists files that changed remotely while pmsync worked on
// them; pmsync's change to them was dropped and the next run redoes it.
type ConflictError struct {
	Files []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("source: %s changed in the repository while pmsync was working on them; they will be synced on the next run", strings.Join(e.Files, ", "))
}

// written is what pmsync wrote to one file, as git blob hashes: the
// content it started from (existed false: the file was new) and the
// content it wrote. Hashes, not the bytes: a first sync writes every
// document, and two copies of each were held until the commit (13 MB at
// 10,000 items). What was written is read back from the blob staging
// stored, the only time it is needed again (reapply, after a push was
// rejected).
type written struct {
	orig    plumbing.Hash
	existed bool
	data    plumbing.Hash
}

// blobHash is the hash git gives a blob of b.
func blobHash(b []byte) plumbing.Hash { return plumbing.ComputeHash(plumbing.BlobObject, b) }

// blobHash is the hash git gives the file at p, read as a stream, and
// whether it exists (a missing file hashes as an empty blob, as
// blobHash(nil) does).
func (d *Dir) blobHash(p string) (plumbing.Hash, bool, error) {
	f, err := d.root.Open(filepath.FromSlash(p))
	if errors.Is(err, fs.ErrNotExist) {
		return blobHash(nil), false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("source: read %s: %w", p, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("source: read %s: %w", p, err)
	}
	h := plumbing.NewHasher(plumbing.BlobObject, st.Size())
	if _, err := io.Copy(h, f); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("source: read %s: %w", p, err)
	}
	return h.Sum(), true, nil
}

// Git is a clone of a repository whose changes Commit pushes back.
type Git struct {
	o    GitOptions
	repo *git.Repository
	dir  *Dir // the postmortems folder (o.Path)
	// top is the whole clone, for files pmsync writes outside the
	// postmortems folder (the report, report.commit).
	top   *Dir
	auth  transport.AuthMethod
	ref   plumbing.ReferenceName
	mu    sync.Mutex
	wrote map[string]*written // keyed by path relative to the repository root
	own   map[string]bool     // of wrote: pmsync's own files (WriteFile, WriteRepoFile)
}

var _ Source = (*Git)(nil)

// OpenGit clones o.Branch of o.URL into o.Dir (shallow, single branch),
// or, if o.Dir already holds a clone of o.URL, fetches and resets it to
// the remote branch.
func OpenGit(ctx context.Context, o GitOptions) (*Git, error) {
	if o.URL == "" || o.Dir == "" {
		return nil, errors.New("source: git needs a URL and a folder to clone into: set source.git.url and source.git.dir")
	}
	if o.Branch == "" {
		o.Branch = "main"
	}
	if o.AuthorName == "" {
		o.AuthorName = "pmsync"
	}
	if o.AuthorEmail == "" {
		o.AuthorEmail = "pmsync@localhost"
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	switch {
	case o.Retries == 0:
		o.Retries = 3
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.RetryBackoff <= 0 {
		o.RetryBackoff = time.Second
	}
	p := path.Clean("/" + filepath.ToSlash(o.Path))[1:]
	o.Path = p
	g := &Git{o: o, ref: plumbing.NewBranchReferenceName(o.Branch), wrote: map[string]*written{}}
	auth, err := sshAuth(o)
	if err != nil {
		return nil, err
	}
	g.auth = auth
	if g.auth == nil && o.Token != "" {
		g.auth = &githttp.BasicAuth{Username: gitUser, Password: o.Token}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("source: git: create %s: %w", o.Dir, err)
	}
	reuse := false
	if _, err := os.Stat(filepath.Join(o.Dir, ".git")); err == nil {
		err := g.reopen(ctx)
		var broken *brokenClone
		switch {
		case errors.As(err, &broken) && ctx.Err() == nil:
			// A run killed mid-write (a 0-byte .git/index) must not break
			// every later run: the clone is only a cache of the remote.
			if o.Log != nil {
				o.Log.Warn("the clone in source.git.dir is damaged; discarding it and cloning again", "dir", o.Dir, "err", broken.err.Error())
			}
			if err := emptyDir(o.Dir); err != nil {
				return nil, fmt.Errorf("source: git: empty the damaged clone in %s: %w (empty it by hand)", o.Dir, err)
			}
		case err != nil:
			return nil, err
		default:
			reuse = true
		}
	}
	if !reuse {
		ents, err := os.ReadDir(o.Dir)
		if err != nil {
			return nil, fmt.Errorf("source: git: %w", err)
		}
		if len(ents) > 0 {
			return nil, fmt.Errorf("source: git: %s is not empty and not a clone; empty it or choose another source.git.dir", o.Dir)
		}
		err = g.remote(ctx, "clone", func() error {
			st, wt := cloneStorage(o.Dir)
			r, err := git.CloneContext(ctx, st, wt, &git.CloneOptions{
				URL: o.URL, Auth: g.auth, ReferenceName: g.ref, SingleBranch: true, Depth: 1, Tags: git.NoTags,
				NoCheckout: true, // checkout, below
			})
			if err == nil {
				if cerr := checkoutHead(r, wt); cerr != nil {
					err = &noRetry{fmt.Errorf("check out: %w", cerr)}
				}
			}
			if err != nil {
				// The folder was empty before the clone (checked above):
				// whatever is in it now is a half-done clone of ours.
				if cerr := emptyDir(o.Dir); cerr != nil {
					return &noRetry{fmt.Errorf("%w (and emptying %s for the next attempt failed: %v)", err, o.Dir, cerr)}
				}
				return err
			}
			g.repo = r
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	d, err := OpenDir(filepath.Join(o.Dir, filepath.FromSlash(p)), DirOptions{Include: o.Include, Exclude: o.Exclude, MaxBytes: o.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("%w (source.git.path %q in %s)", err, p, g.Root())
	}
	g.dir = d
	top, err := OpenDir(o.Dir, DirOptions{MaxBytes: o.MaxBytes})
	if err != nil {
		d.Close()
		return nil, err
	}
	g.top = top
	return g, nil
}

// objectCache bounds go-git's cache of decoded objects. Its default,
// 96 MiB, kept every document the clone's checkout or a reset read
// (5.6 MB at 10,000 items, growing with the archive up to the 96 MiB):
// each blob is read once, and the trees looked up again are small.
const objectCache = 1 * cache.MiByte

// cloneStorage is the clone's work tree in dir and its object storage
// in dir/.git, as git.PlainClone and git.PlainOpen make them but with
// the smaller object cache, and what cloneStore changes for a push.
func cloneStorage(dir string) (cloneStore, billy.Filesystem) {
	wt := osfs.New(dir)
	dot, _ := wt.Chroot(git.GitDirName) // osfs's Chroot cannot fail
	return cloneStore{filesystem.NewStorage(dot, cache.NewObjectLRU(objectCache)), dotgit.New(dot),
		&sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}, wt
}

// cloneStore is the clone's storage as go-git's push sees it. The push
// takes every object it sends before it writes the first: a first sync
// that rewrote 10,000 documents (100,000 items) held them all, and
// peaked at 335 MiB where a folder source peaked at 229. So a loose blob
// (a document the run wrote) is read from disk when it is used, and the
// configuration has a pack window of 0: looking for deltas reads every
// object to send and keeps each delta until the pack is written.
// pmsync's pushes are edited documents; go-git makes no deltas against
// their earlier versions, which the remote has, anyway. (go-git's own
// LargeObjectThreshold also left the trees unread: a checkout of a
// folder of 10,000 documents inflated its tree again for each.)
type cloneStore struct {
	*filesystem.Storage
	dot  *dotgit.DotGit // the same .git, for the loose objects' headers
	bufs *sync.Pool     // of *[]byte, for copying loose blobs out (looseBlob)
}

// EncodedObject is the storage's, but a loose blob is read when used.
func (s cloneStore) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if t == plumbing.AnyObject || t == plumbing.BlobObject {
		if o, ok := s.looseBlob(h); ok {
			return o, nil
		}
	}
	return s.Storage.EncodedObject(t, h)
}

// looseBlob is a loose object that is a blob, unread but for its header;
// ok is false for anything else, which the storage then reads as usual.
func (s cloneStore) looseBlob(h plumbing.Hash) (o plumbing.EncodedObject, ok bool) {
	f, err := s.dot.Object(h)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	r, err := objfile.NewReader(f)
	if err != nil {
		return nil, false
	}
	defer r.Close()
	if t, size, err := r.Header(); err == nil && t == plumbing.BlobObject {
		return looseBlob{dotgit.NewEncodedObject(s.dot, h, t, size), s.bufs}, true
	}
	return nil, false
}

// looseBlob is a loose blob read from disk when used. Its reader copies
// itself out through a buffer from bufs: the push copies each object it
// sends with io.Copy, which made a 32 KB buffer for each (320 MB for
// 10,000 documents).
type looseBlob struct {
	*dotgit.EncodedObject
	bufs *sync.Pool
}

func (b looseBlob) Reader() (io.ReadCloser, error) {
	r, err := b.EncodedObject.Reader()
	if err != nil {
		return nil, err
	}
	return copyOut{r, b.bufs}, nil
}

// copyOut is a reader that io.Copy copies out with WriteTo.
type copyOut struct {
	io.ReadCloser
	bufs *sync.Pool
}

func (c copyOut) WriteTo(w io.Writer) (int64, error) {
	bp := c.bufs.Get().(*[]byte)
	defer c.bufs.Put(bp)
	return io.CopyBuffer(w, struct{ io.Reader }{c.ReadCloser}, *bp) // the struct hides WriteTo from CopyBuffer
}

func (s cloneStore) Config() (*config.Config, error) {
	c, err := s.Storage.Config()
	if err != nil {
		return nil, err
	}
	c.Pack.Window = 0
	return c, nil
}

// reopen opens an existing clone, fetches and resets it to the remote
// branch, dropping local changes.
func (g *Git) reopen(ctx context.Context) error {
	st, wt := cloneStorage(g.o.Dir)
	r, err := git.Open(st, wt)
	if err != nil {
		return &brokenClone{fmt.Errorf("source: git: open clone in %s: %w (empty the folder)", g.o.Dir, err)}
	}
	rem, err := r.Remote("origin")
	if err != nil || len(rem.Config().URLs) == 0 || rem.Config().URLs[0] != g.o.URL {
		return fmt.Errorf("source: git: %s holds a clone of another repository; empty it or choose another source.git.dir", g.o.Dir)
	}
	g.repo = r
	if _, err := g.fetch(ctx); err != nil {
		// A remote that cannot be reached or refuses is not the clone's
		// fault; anything else (an object, the index, a reference that
		// cannot be read) is.
		var broken *brokenClone
		if retry, _ := transient(err); errors.As(err, &broken) || !retry && !permanent(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return &brokenClone{err}
		}
		return err
	}
	return nil
}

// checkoutHead checks out a new clone's HEAD (checkout) and writes its
// index.
func checkoutHead(r *git.Repository, wt billy.Filesystem) error {
	head, err := r.Head()
	if err != nil {
		return err
	}
	c, err := r.CommitObject(head.Hash())
	if err != nil {
		return err
	}
	tree, err := c.Tree()
	if err != nil {
		return err
	}
	idx, err := checkout(r.Storer, tree, wt)
	if err != nil {
		return err
	}
	return r.Storer.SetIndex(idx)
}

// brokenClone is a clone that fails to open, fetch into or reset.
type brokenClone struct{ err error }

func (b *brokenClone) Error() string { return b.err.Error() }
func (b *brokenClone) Unwrap() error { return b.err }

// fetch fetches the branch and resets the worktree hard to it.
func (g *Git) fetch(ctx context.Context) (plumbing.Hash, error) {
	remoteRef := plumbing.NewRemoteReferenceName("origin", g.o.Branch)
	err := g.remote(ctx, "fetch", func() error {
		err := g.repo.FetchContext(ctx, &git.FetchOptions{
			RemoteName: "origin",
			RefSpecs:   []config.RefSpec{config.RefSpec("+" + g.ref.String() + ":" + remoteRef.String())},
			Depth:      1, Auth: g.auth, Force: true, Tags: git.NoTags,
		})
		if errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		return err
	})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	ref, err := g.repo.Reference(remoteRef, true)
	if err != nil {
		return plumbing.ZeroHash, &brokenClone{g.fail("fetch", err)}
	}
	h := ref.Hash()
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(g.ref, h)); err != nil {
		return h, &brokenClone{g.fail("fetch", err)}
	}
	if err := g.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, g.ref)); err != nil {
		return h, &brokenClone{g.fail("fetch", err)}
	}
	wt, err := g.repo.Worktree()
	if err != nil {
		return h, &brokenClone{g.fail("fetch", err)}
	}
	if err := g.resetHard(wt, h); err != nil {
		return h, &brokenClone{g.fail("reset", err)}
	}
	if err := wt.Clean(&git.CleanOptions{Dir: true}); err != nil {
		return h, &brokenClone{g.fail("clean", err)}
	}
	return h, nil
}

// resetInPlace is how many files may differ from the commit a clone is
// reset to for go-git's reset to do it; beyond it, resetHard checks the
// work tree out again.
const resetInPlace = 200

// resetHard resets the work tree and the index to commit h, which HEAD
// names, dropping local changes. go-git's reset looks each changed file
// up from the root tree as its checkout does (see checkout): reopening a
// clone took 0.41 s for 500 documents changed in one folder and 3.6 s
// for 2,000, as after a pull request of a first sync's write-back is
// merged. With many files to change, the work tree is emptied and
// checked out in one pass instead.
func (g *Git) resetHard(wt *git.Worktree, h plumbing.Hash) error {
	st, err := wt.Status()
	if err != nil {
		return err // a damaged clone (an unreadable index): cloned again
	}
	if changedFiles(st) <= resetInPlace {
		return wt.Reset(&git.ResetOptions{Commit: h, Mode: git.HardReset})
	}
	c, err := g.repo.CommitObject(h)
	if err != nil {
		return err
	}
	tree, err := c.Tree()
	if err != nil {
		return err
	}
	top, err := wt.Filesystem.ReadDir("/")
	if err != nil {
		return err
	}
	for _, e := range top {
		if e.Name() == git.GitDirName {
			continue
		}
		if err := util.RemoveAll(wt.Filesystem, e.Name()); err != nil {
			return err
		}
	}
	idx, err := checkout(g.repo.Storer, tree, wt.Filesystem)
	if err != nil {
		return err
	}
	return g.repo.Storer.SetIndex(idx)
}

// changedFiles is how many files differ between HEAD, the index and the
// work tree.
func changedFiles(st git.Status) int {
	n := 0
	for _, f := range st {
		if f.Staging != git.Unmodified || f.Worktree != git.Unmodified {
			n++
		}
	}
	return n
}

// fail wraps a go-git error with advice and without the token.
func (g *Git) fail(op string, err error) error { return g.failNote(op, err, "") }

// failNote is fail with a note (how many attempts were made) after the
// error's text.
func (g *Git) failNote(op string, err error, note string) error {
	hint := ""
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		hint = "; check the token (source.git.token_env / source.git.token_file) and its access to the repository"
	case errors.Is(err, transport.ErrRepositoryNotFound):
		hint = "; check source.git.url and that the token (source.git.token_env / source.git.token_file) can see the repository"
	case errors.Is(err, plumbing.ErrReferenceNotFound), isNoMatchingRef(err):
		hint = fmt.Sprintf("; branch %q is missing: check source.git.branch", g.o.Branch)
	}
	if h := sshHint(g.o.URL, err); h != "" {
		hint = h
	}
	msg := fmt.Sprintf("source: git %s %s: %s%s%s", op, g.Root(), describe(err), note, hint)
	if g.o.Token != "" {
		// go-git quotes the body of a 401, 403 or 404: a server may echo
		// the Authorization header, the token in base64 with its user.
		basic := base64.StdEncoding.EncodeToString([]byte(gitUser + ":" + g.o.Token))
		for _, s := range []string{basic, strings.TrimRight(basic, "="), g.o.Token} {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return &gitError{msg: msg, err: err}
}

func isNoMatchingRef(err error) bool {
	var e git.NoMatchingRefSpecError
	return errors.As(err, &e) || strings.Contains(err.Error(), "couldn't find remote ref")
}

// gitError keeps the cause for errors.Is while its message hides secrets.
type gitError struct {
	msg string
	err error
}

func (e *gitError) Error() string { return e.msg }
func (e *gitError) Unwrap() error { return e.err }

// Root is the repository URL without credentials, plus the path.
func (g *Git) Root() string {
	s := g.o.URL
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		s = u.String()
	}
	if g.o.Path != "" {
		s += "/" + g.o.Path
	}
	return s
}

// List lists the documents.
func (g *Git) List(ctx context.Context) ([]string, error) { return g.dir.List(ctx) }

// Read reads a document.
func (g *Git) Read(ctx context.Context, p string) ([]byte, error) { return g.dir.Read(ctx, p) }

// ReadFile reads one of pmsync's own files.
func (g *Git) ReadFile(ctx context.Context, p string) ([]byte, error) {
	return g.dir.ReadFile(ctx, p)
}

// OpenFile opens one of pmsync's own files, to be read as a stream.
func (g *Git) OpenFile(ctx context.Context, p string) (io.ReadCloser, error) {
	return g.dir.OpenFile(ctx, p)
}

// Write rewrites a document in the clone; Commit pushes it.
func (g *Git) Write(ctx context.Context, p string, old, data []byte) error {
	if err := g.dir.Write(ctx, p, old, data); err != nil {
		return err
	}
	// What is in the file now (Write keeps lines appended meanwhile), as
	// staging will store it.
	written, _, err := g.dir.blobHash(p)
	if err != nil {
		return err
	}
	g.record(g.repoPath(p), blobHash(old), true, written)
	return nil
}

// WriteFile writes one of pmsync's own files in the clone; Commit pushes
// it.
func (g *Git) WriteFile(ctx context.Context, p string, data []byte) error {
	return g.WriteFileFrom(ctx, p, bytesTo(data))
}

// WriteFileFrom is WriteFile with the content written by write: the
// state is encoded straight into the clone, never held whole.
func (g *Git) WriteFileFrom(ctx context.Context, p string, write func(io.Writer) error) error {
	return g.writeOwn(ctx, g.dir, g.repoPath(p), p, write)
}

// WriteRepoFile writes one of pmsync's own files at a path relative to
// the repository root (not to the postmortems folder), such as the
// report; Commit pushes it with the documents. Like every access it
// cannot leave the clone.
func (g *Git) WriteRepoFile(ctx context.Context, p string, data []byte) error {
	return g.WriteRepoFileFrom(ctx, p, bytesTo(data))
}

// WriteRepoFileFrom is WriteRepoFile with the content written by write:
// a report is rendered straight into the clone, never held whole.
func (g *Git) WriteRepoFileFrom(ctx context.Context, p string, write func(io.Writer) error) error {
	p = path.Clean(filepath.ToSlash(p))
	if p == "." || p == ".." || strings.HasPrefix(p, "../") || path.IsAbs(p) || p == ".git" || strings.HasPrefix(p, ".git/") {
		return fmt.Errorf("source: write %s: not a file inside the repository", p)
	}
	return g.writeOwn(ctx, g.top, p, p, write)
}

// writeOwn writes one of pmsync's own files through d (at p there, rp
// from the repository root) and records it for the commit by hash: the
// content before and after is hashed from the file, not read whole.
func (g *Git) writeOwn(ctx context.Context, d *Dir, rp, p string, write func(io.Writer) error) error {
	orig, existed, err := d.blobHash(p)
	if err != nil {
		return err
	}
	if err := d.WriteFileFrom(ctx, p, write); err != nil {
		return err
	}
	data, _, err := d.blobHash(p)
	if err != nil {
		return err
	}
	g.record(rp, orig, existed, data)
	g.markOwn(rp)
	return nil
}

// ReadRepoFile reads a file at a path relative to the repository root.
func (g *Git) ReadRepoFile(ctx context.Context, p string) ([]byte, error) {
	return g.top.ReadFile(ctx, path.Clean(filepath.ToSlash(p)))
}

// repoPath turns a path relative to the postmortems folder into one
// relative to the repository root.
func (g *Git) repoPath(p string) string {
	return path.Join(g.o.Path, filepath.ToSlash(p))
}

// docPath is the inverse of repoPath for messages: documents are named as
// the rest of pmsync names them, other files from the repository root.
func (g *Git) docPath(rp string) string {
	if g.o.Path == "" {
		return rp
	}
	if rest, ok := strings.CutPrefix(rp, g.o.Path+"/"); ok {
		return rest
	}
	return rp
}

func (g *Git) record(p string, orig plumbing.Hash, existed bool, data plumbing.Hash) {
	p = path.Clean(filepath.ToSlash(p))
	g.mu.Lock()
	defer g.mu.Unlock()
	if w, ok := g.wrote[p]; ok {
		w.data = data
		return
	}
	g.wrote[p] = &written{orig: orig, existed: existed, data: data}
}

// Close releases the clone's folder.
func (g *Git) Close() error { return errors.Join(g.dir.Close(), g.top.Close()) }

// Commit commits the files written through the source in one commit and
// pushes it. With nothing changed it does nothing and returns false. If
// the branch moved meanwhile it rebases pmsync's files onto the new head;
// files that also changed remotely are left to the remote's version and
// reported in a *ConflictError (after pushing the others).
func (g *Git) Commit(ctx context.Context, message string) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	wt, err := g.repo.Worktree()
	if err != nil {
		return false, g.fail("commit", err)
	}
	var conflicts []string
	for attempt := 0; ; attempt++ {
		changed, err := g.stage(wt)
		if err != nil {
			return false, err
		}
		if !changed {
			return false, conflictErr(conflicts)
		}
		head, err := g.repo.Head()
		if err != nil {
			return false, g.fail("commit", err)
		}
		now := time.Now()
		if _, err := wt.Commit(message, &git.CommitOptions{
			Author: &object.Signature{Name: g.o.AuthorName, Email: g.o.AuthorEmail, When: now},
		}); err != nil {
			return false, g.fail("commit", err)
		}
		err = g.push(ctx, head.Hash())
		if err == nil {
			g.wrote = map[string]*written{}
			return true, conflictErr(conflicts)
		}
		if !errors.Is(err, errMoved) {
			return false, err
		}
		if attempt >= g.o.MaxRetries {
			return false, fmt.Errorf("source: git push %s: branch %q kept moving, rejected %d times; run pmsync again later", g.Root(), g.o.Branch, attempt+1)
		}
		if _, err := g.fetch(ctx); err != nil {
			return false, err
		}
		c, err := g.reapply(ctx)
		if err != nil {
			return false, err
		}
		conflicts = append(conflicts, c...)
	}
}

func conflictErr(files []string) error {
	if len(files) == 0 {
		return nil
	}
	sort.Strings(files)
	return &ConflictError{Files: files}
}

// stage adds the files pmsync wrote that differ from HEAD, with one
// status of the worktree and one write of the index for all of them.
// (go-git's Worktree.Add computes the whole worktree's status and
// rewrites the whole index for every file it adds: staging each written
// document so made a first sync that writes every document quadratic in
// their number.)
func (g *Git) stage(wt *git.Worktree) (bool, error) {
	st, err := wt.Status()
	if err != nil {
		return false, g.fail("status", err)
	}
	if st.IsClean() {
		return false, nil
	}
	var add []string
	changed := false
	for rp := range g.wrote {
		s := st.File(rp)
		if s.Worktree == git.Unmodified && s.Staging == git.Unmodified {
			continue
		}
		changed = true // staged already, or to stage now
		if s.Worktree != git.Unmodified {
			add = append(add, rp)
		}
	}
	if len(add) == 0 {
		return changed, nil
	}
	sort.Strings(add)
	idx, err := g.repo.Storer.Index()
	if err != nil {
		return false, g.fail("add", err)
	}
	buf := make([]byte, 32<<10) // io.Copy would make one for each file
	for _, rp := range add {
		if err := g.addToIndex(wt, idx, rp, buf); err != nil {
			return false, g.fail("add "+rp, err)
		}
	}
	if err := g.repo.Storer.SetIndex(idx); err != nil {
		return false, g.fail("add", err)
	}
	return true, nil
}

// addToIndex does for one file what go-git's Worktree.Add does, without
// the status and the index write: the file's content is stored as a blob
// and its index entry set (or removed, for a file that is gone).
func (g *Git) addToIndex(wt *git.Worktree, idx *index.Index, rp string, buf []byte) error {
	fi, err := wt.Filesystem.Lstat(rp)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := idx.Remove(rp); err != nil && !errors.Is(err, index.ErrEntryNotFound) {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s)", fi.Mode().Type())
	}
	mode, err := filemode.NewFromOSFileMode(fi.Mode())
	if err != nil {
		return err
	}
	h, err := g.storeBlob(wt, rp, fi.Size(), buf)
	if err != nil {
		return err
	}
	e, err := idx.Entry(rp)
	switch {
	case errors.Is(err, index.ErrEntryNotFound):
		e = idx.Add(rp)
	case err != nil:
		return err
	}
	// What go-git's Add records (its stat details, device and inode,
	// aside: go-git's status compares size, time and mode).
	e.Hash, e.ModifiedAt, e.Mode, e.Size = h, fi.ModTime(), mode, uint32(fi.Size())
	return nil
}

// looseObjects is what the clone's storage (a filesystem storage, see
// cloneStore) offers to write a loose object as it is read, and to
// remove one.
type looseObjects interface {
	LazyWriter() (io.WriteCloser, func(plumbing.ObjectType, int64) error, error)
	DeleteLooseObject(plumbing.Hash) error
}

var _ looseObjects = cloneStore{}

// storeBlob stores the file rp, of size bytes, as a loose blob. It is
// streamed to the object file: go-git's NewEncodedObject holds the whole
// file, and the state file of 100,000 tickets (20 MB) was a fifth of a
// nudge run's peak. A file whose size changed since it was looked at is
// an error: the blob would not be the file.
func (g *Git) storeBlob(wt *git.Worktree, rp string, size int64, buf []byte) (plumbing.Hash, error) {
	lo, ok := g.repo.Storer.(looseObjects)
	if !ok {
		return plumbing.ZeroHash, fmt.Errorf("the clone's storage (%T) cannot write a loose object", g.repo.Storer)
	}
	f, err := wt.Filesystem.Open(rp)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer f.Close()
	w, header, err := lo.LazyWriter()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if err := header(plumbing.BlobObject, size); err != nil {
		w.Close()
		return plumbing.ZeroHash, err
	}
	// A file grown since it was looked at fails with objfile.ErrOverflow;
	// one that shrank, or a read that failed, is short.
	n, err := io.CopyBuffer(w, f, buf)
	short := n < size
	if short && err == nil {
		err = fmt.Errorf("it changed while it was stored (%d bytes of %d); the next run stores it again", n, size)
	}
	cerr := w.Close()
	hs, hashed := w.(interface{ Hash() plumbing.Hash })
	if short && cerr == nil && hashed {
		// Named by its hash, with fewer bytes than its header says: no
		// object of the repository can be this one. (A grown file's is
		// a well-formed blob that another may be, and is left.)
		_ = lo.DeleteLooseObject(hs.Hash())
	}
	if err == nil {
		err = cerr
	}
	if err == nil && !hashed {
		err = fmt.Errorf("the object writer (%T) gives no hash", w)
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return hs.Hash(), nil
}

var errMoved = errors.New("remote branch moved")

// push pushes the branch; errMoved means the remote is no longer at base.
// It is retried as a whole (see remote): an attempt whose answer was lost
// may have landed, and the next attempt's listing then shows the remote
// branch at pmsync's own commit, which is success, not a moved branch.
func (g *Git) push(ctx context.Context, base plumbing.Hash) error {
	rem, err := g.repo.Remote("origin")
	if err != nil {
		return g.fail("push", err)
	}
	local, err := g.repo.Reference(g.ref, true)
	if err != nil {
		return g.fail("push", err)
	}
	return g.remote(ctx, "push", func() error {
		refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: g.auth})
		if err != nil {
			return err
		}
		for _, r := range refs {
			if r.Name() != g.ref {
				continue
			}
			switch r.Hash() {
			case local.Hash():
				return nil // an earlier attempt landed; its answer was lost
			case base:
			default:
				return errMoved
			}
		}
		err = g.repo.PushContext(ctx, &git.PushOptions{
			RemoteName: "origin",
			RefSpecs:   []config.RefSpec{config.RefSpec(g.ref.String() + ":" + g.ref.String())},
			Auth:       g.auth,
		})
		if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		if s := err.Error(); errors.Is(err, git.ErrNonFastForwardUpdate) || errors.Is(err, plumbing.ErrObjectNotFound) ||
			strings.Contains(s, "non-fast-forward") || strings.Contains(s, "fetch first") {
			return errMoved
		}
		return err
	})
}

// reapply rewrites pmsync's files on the fresh remote head where the
// remote still has what pmsync started from, and returns the others.
func (g *Git) reapply(ctx context.Context) ([]string, error) {
	var conflicts []string
	for p, w := range g.wrote {
		cur, err := g.top.ReadFile(ctx, p)
		exists := err == nil
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		h := blobHash(cur)
		switch {
		case exists == w.existed && h == w.orig:
			if err := g.rewrite(ctx, p, w.data); err != nil {
				return nil, err
			}
		case g.own[p]:
			// pmsync's own file (state, report) changed remotely, most
			// likely by another pmsync run: this run's version is newer.
			if err := g.rewrite(ctx, p, w.data); err != nil {
				return nil, err
			}
			w.orig, w.existed = h, exists
		case exists && h == w.data:
			// The remote made the same change.
			delete(g.wrote, p)
		default:
			conflicts = append(conflicts, g.docPath(p))
			delete(g.wrote, p)
		}
	}
	return conflicts, nil
}

// rewrite writes the blob data, which staging stored, to p again.
func (g *Git) rewrite(ctx context.Context, p string, data plumbing.Hash) error {
	b, err := g.repo.BlobObject(data)
	if err != nil {
		return fmt.Errorf("source: git: what pmsync wrote to %s is not in the clone any more (%w); the next run writes it again", p, err)
	}
	r, err := b.Reader()
	if err != nil {
		return fmt.Errorf("source: git: read back %s: %w", p, err)
	}
	defer r.Close()
	return g.top.WriteFileFrom(ctx, p, func(w io.Writer) error {
		if _, err := io.Copy(w, r); err != nil {
			return fmt.Errorf("source: git: read back %s: %w", p, err)
		}
		return nil
	})
}

func (g *Git) markOwn(p string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.own == nil {
		g.own = map[string]bool{}
	}
	g.own[p] = true
}

// CommitToBranch commits the files written through the source on top of
// the base branch's head and force-pushes that commit to branch, which
// pmsync owns: it always holds "base + this run's write-back". With
// nothing changed, or when branch already holds the same documents on the
// same base (pmsync's own files aside), it pushes nothing and returns
// false. The base branch is left as it is, locally and remotely.
func (g *Git) CommitToBranch(ctx context.Context, branch, message string) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	target := plumbing.NewBranchReferenceName(branch)
	if branch == "" || target == g.ref {
		return false, fmt.Errorf("source: git: branch %q: need a branch other than %q", branch, g.o.Branch)
	}
	wt, err := g.repo.Worktree()
	if err != nil {
		return false, g.fail("commit", err)
	}
	changed, err := g.stage(wt)
	if err != nil || !changed {
		return false, err
	}
	head, err := g.repo.Reference(g.ref, true)
	if err != nil {
		return false, g.fail("commit", err)
	}
	h, err := wt.Commit(message, &git.CommitOptions{
		Author: &object.Signature{Name: g.o.AuthorName, Email: g.o.AuthorEmail, When: time.Now()},
	})
	if err != nil {
		return false, g.fail("commit", err)
	}
	// The commit moved the base branch; it belongs to the other branch.
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(g.ref, head.Hash())); err != nil {
		return false, g.fail("commit", err)
	}
	if err := g.repo.Storer.SetReference(plumbing.NewHashReference(target, h)); err != nil {
		return false, g.fail("commit", err)
	}
	same, err := g.sameAsRemote(ctx, branch, head.Hash(), h)
	if err != nil {
		return false, err
	}
	if same {
		g.wrote, g.own = map[string]*written{}, nil
		return false, nil
	}
	// A force push of the same commit again is harmless: a retry after a
	// lost answer finds the branch already there (up to date).
	err = g.remote(ctx, "push "+branch, func() error {
		err := g.repo.PushContext(ctx, &git.PushOptions{
			RemoteName: "origin",
			RefSpecs:   []config.RefSpec{config.RefSpec("+" + target.String() + ":" + target.String())},
			Auth:       g.auth, Force: true,
		})
		if errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, err
	}
	g.wrote, g.own = map[string]*written{}, nil
	return true, nil
}

// sameAsRemote reports whether the remote branch is a commit on base whose
// documents written by pmsync equal those of commit c.
func (g *Git) sameAsRemote(ctx context.Context, branch string, base, c plumbing.Hash) (bool, error) {
	rem, err := g.repo.Remote("origin")
	if err != nil {
		return false, g.fail("push", err)
	}
	var refs []*plumbing.Reference
	err = g.remote(ctx, "push", func() error {
		var err error
		refs, err = rem.ListContext(ctx, &git.ListOptions{Auth: g.auth})
		return err
	})
	if err != nil {
		return false, err
	}
	target := plumbing.NewBranchReferenceName(branch)
	var remote plumbing.Hash
	for _, r := range refs {
		if r.Name() == target {
			remote = r.Hash()
		}
	}
	if remote.IsZero() {
		return false, nil
	}
	tracking := plumbing.NewRemoteReferenceName("origin", branch)
	err = g.remote(ctx, "fetch "+branch, func() error {
		err := g.repo.FetchContext(ctx, &git.FetchOptions{
			RemoteName: "origin",
			RefSpecs:   []config.RefSpec{config.RefSpec("+" + target.String() + ":" + tracking.String())},
			Depth:      1, Auth: g.auth, Force: true, Tags: git.NoTags,
		})
		if errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, err
	}
	rc, err := g.repo.CommitObject(remote)
	if err != nil {
		return false, g.fail("fetch "+branch, err)
	}
	if len(rc.ParentHashes) != 1 || rc.ParentHashes[0] != base {
		return false, nil
	}
	nc, err := g.repo.CommitObject(c)
	if err != nil {
		return false, g.fail("commit", err)
	}
	rt, err := rc.Tree()
	if err != nil {
		return false, g.fail("fetch "+branch, err)
	}
	nt, err := nc.Tree()
	if err != nil {
		return false, g.fail("commit", err)
	}
	for rp := range g.wrote {
		if g.own[rp] {
			continue
		}
		a, errA := rt.File(rp)
		b, errB := nt.File(rp)
		if (errA == nil) != (errB == nil) || (errA == nil && a.Hash != b.Hash) {
			return false, nil
		}
	}
	return true, nil
}

// remote runs f, one remote operation (clone, fetch, ls-remote, push),
// and runs it again while it fails transiently (see transient), at most
// o.Retries more times: after o.RetryBackoff, then twice as long each
// time up to a minute, or after the server's Retry-After when that is
// longer, and never past ctx. A server asking to wait more than a minute
// is left to the next run. A nil error and errMoved are returned as they
// are; any other error goes through fail, saying how many attempts were
// made.
func (g *Git) remote(ctx context.Context, op string, f func() error) error {
	p := retry.Policy{Retries: g.o.Retries, First: g.o.RetryBackoff, Max: time.Minute, MaxAfter: time.Minute}
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || errors.Is(err, errMoved) {
			return err
		}
		again, after := transient(err)
		switch {
		case !again:
			return g.failNote(op, err, attempts(attempt, ""))
		case attempt > p.Retries:
			return g.failNote(op, err, attempts(attempt, "; the next run retries"))
		case after > p.MaxAfter:
			return g.failNote(op, err, fmt.Sprintf(" (the server asked to wait %v; %d attempts); the next run retries", after, attempt))
		}
		if cerr := retry.Sleep(ctx, p.Wait(attempt-1, after)); cerr != nil {
			return g.failNote(op, fmt.Errorf("%w while waiting to retry after: %w", cerr, err), attempts(attempt, ""))
		}
	}
}

// attempts is the note fail adds after the error: how many attempts were
// made, when more than one (or when the next run is the retry).
func attempts(n int, then string) string {
	switch {
	case n > 1:
		return fmt.Sprintf(" (%d attempts)%s", n, then)
	case then != "":
		return " (1 attempt)" + then
	}
	return ""
}

// transient reports whether a remote operation that failed with err may
// succeed if tried again, and how long the server asked to wait (0: it
// did not say). Transient: a 5xx or 429 answer, and the network failures
// internal/retry retries (a connection reset, refused, closed early, a
// timeout). Never transient: what it calls final (the context ending, a
// TLS certificate or SSH host key that does not verify), what gitNever
// adds (authentication and authorization, a missing repository or
// branch, a rejected push), and anything not known to be transient:
// go-git's other errors may come from a damaged clone.
func transient(err error) (bool, time.Duration) {
	v := goGit.Classify(err)
	if v == retry.Never {
		return false, 0
	}
	// go-git's HTTP transport reports 401, 403 and 404 as the transport
	// errors permanent checks, and every other status as an *http.Err.
	var status int
	var after time.Duration
	if goGit.Walk(err, func(e error) bool {
		he, ok := e.(*githttp.Err)
		if ok && he.Response != nil {
			status = he.Response.StatusCode
			after, _ = retry.After(he.Response.Header.Get("Retry-After"), time.Now())
		}
		return ok
	}) {
		return retry.Status(status), after
	}
	return v == retry.Retry, 0
}

// permanent reports errors that trying again cannot fix.
func permanent(err error) bool { return goGit.Classify(err) == retry.Never }

// goGit is the shared classifier taught go-git's errors.
var goGit = retry.Classifier{Never: gitNever, Unwrap: gitUnwrap}

// gitNever reports go-git's errors, and pmsync's own about the remote,
// that trying again cannot fix.
func gitNever(e error) bool {
	switch e.(type) {
	case *noRetry, git.NoMatchingRefSpecError:
		return true
	}
	for _, target := range []error{
		transport.ErrAuthenticationRequired, transport.ErrAuthorizationFailed, transport.ErrRepositoryNotFound,
		transport.ErrEmptyRemoteRepository, transport.ErrInvalidAuthMethod,
		plumbing.ErrReferenceNotFound, git.ErrNonFastForwardUpdate, errMoved,
	} {
		if errors.Is(e, target) {
			return true
		}
	}
	return strings.Contains(e.Error(), "couldn't find remote ref")
}

// gitUnwrap opens go-git's plumbing.UnexpectedError and PermanentError,
// which wrap their cause without an Unwrap method.
func gitUnwrap(err error) error {
	switch e := err.(type) {
	case *plumbing.UnexpectedError:
		return e.Err
	case *plumbing.PermanentError:
		return e.Err
	}
	return nil
}

// noRetry marks an error that must not be retried whatever its cause.
type noRetry struct{ err error }

func (e *noRetry) Error() string { return e.err.Error() }
func (e *noRetry) Unwrap() error { return e.err }

// describe is err's text for an error message; a status go-git reports
// as "unexpected client error: unexpected requesting <URL> status code:
// 500" reads "500 Internal Server Error from POST /repo.git/git-receive-pack".
func describe(err error) string {
	var he *githttp.Err
	goGit.Walk(err, func(e error) bool {
		x, ok := e.(*githttp.Err)
		if ok && x.Response != nil && x.Response.Request != nil && x.Response.Request.URL != nil {
			he = x
		}
		return he != nil
	})
	if he == nil {
		// go-git quotes a 401, 403 or 404 answer's body, newline and all.
		return strings.TrimRight(err.Error(), "\n ")
	}
	code, req := he.Response.StatusCode, he.Response.Request
	short := fmt.Sprintf("%d %s from %s %s", code, http.StatusText(code), req.Method, req.URL.Path)
	// Keep any context around go-git's text (a retry cut short by ctx).
	msg := err.Error()
	for _, long := range []string{(&plumbing.UnexpectedError{Err: he}).Error(), he.Error()} {
		if strings.Contains(msg, long) {
			return strings.Replace(msg, long, short, 1)
		}
	}
	return msg
}

// emptyDir removes everything inside dir, but not dir itself; a symbolic
// link is removed, not followed. go-git already empties a folder that
// was empty before a failed clone, but ignores its own failure to.
func emptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
