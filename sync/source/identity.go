package source

import (
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
)

// Identity names the collection of postmortems the same way wherever it
// is read from: git:HOST/OWNER/REPO[/PATH] for the repository's origin
// (any scheme, user, ".git" suffix and case of the host fold to one
// form), so a trial on a laptop clone and the CronJob's git source agree.
// It is "" for a folder in no repository with a remote: such a folder gets
// an id written once into its .pmsync/ instead.
func (d *Dir) Identity() string {
	repo, err := git.PlainOpenWithOptions(d.abs, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	rem, err := repo.Remote("origin")
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	wt, err := repo.Worktree()
	if err != nil {
		return ""
	}
	top, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return ""
	}
	here, err := filepath.EvalSymlinks(d.abs)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(top, here)
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return RepoIdentity(rem.Config().URLs[0], filepath.ToSlash(rel))
}

// Identity is the repository's identity; see Dir.Identity.
func (g *Git) Identity() string { return RepoIdentity(g.o.URL, g.o.Path) }

// RepoIdentity folds a git URL (https://user@Host/o/r.git, ssh://git@host/o/r,
// git@host:o/r.git, a local path) and a folder inside the repository to
// git:host/o/r[/folder].
func RepoIdentity(rawURL, folder string) string {
	s := strings.TrimSpace(rawURL)
	host, p := "", s
	u, err := url.Parse(s)
	switch {
	case err == nil && u.Scheme == "file":
		p = u.Path
	case err == nil && u.Scheme != "" && u.Host != "":
		host, p = strings.ToLower(u.Hostname()), u.Path
	default:
		// scp-like [user@]host:owner/repo; else a local path
		if at, rest, ok := strings.Cut(s, ":"); ok && !strings.Contains(at, "/") && len(at) > 1 {
			if _, h, ok := strings.Cut(at, "@"); ok {
				at = h
			}
			host, p = strings.ToLower(at), rest
		}
	}
	p = strings.TrimSuffix(strings.Trim(path.Clean("/"+p), "/"), ".git")
	id := "git:" + strings.Trim(host+"/"+p, "/")
	if f := strings.Trim(path.Clean("/"+folder), "/"); f != "" && f != "." {
		id += "/" + f
	}
	return id
}
