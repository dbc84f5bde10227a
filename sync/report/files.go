package report

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// FileNames are the formats this version renders, with the file each is
// written to.
var FileNames = map[string]string{"md": "report.md", "json": "report.json", "csv": "report.csv", "html": "report.html"}

// Render writes r in format f (a key of FileNames).
func Render(r *Report, f string, w io.Writer) error {
	switch f {
	case "md":
		return r.Markdown(w)
	case "json":
		return r.JSON(w)
	case "csv":
		return r.CSV(w)
	case "html":
		return r.HTML(w)
	}
	return fmt.Errorf("format %q is not available", f)
}

// WriteFiles computes the report and writes it into dir in each format,
// each file replaced atomically, and returns the files written. Formats
// this version cannot render are skipped with a warning. Each format is
// rendered straight into its file, one at a time, so a large report is
// never held twice in memory.
func WriteFiles(dir string, formats []string, in Input, log *slog.Logger) ([]string, error) {
	return Compute(in).WriteFiles(dir, formats, log)
}

// WriteFiles writes the computed report into dir, as the function
// WriteFiles does.
func (r *Report) WriteFiles(dir string, formats []string, log *slog.Logger) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w (check report.dir)", err)
	}
	var written []string
	for _, f := range formats {
		name, ok := FileNames[f]
		if !ok {
			log.Warn("report format not available in this version; skipped", "format", f)
			continue
		}
		p := filepath.Join(dir, name)
		if err := writeFileAtomic(p, func(w io.Writer) error { return Render(r, f, w) }); err != nil {
			return written, fmt.Errorf("report %s: %w", f, err)
		}
		written = append(written, p)
	}
	return written, nil
}

// writeFileAtomic writes p through a temporary file renamed over it.
func writeFileAtomic(p string, write func(io.Writer) error) error {
	tmp := p + ".tmp"
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(fh, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, p)
}

// DigestFile, inside report.dir, holds the digest of the committed report
// (Report.Digest).
const DigestFile = ".pmsync-report-digest"

// repoFileWriterFrom is a repository that writes a file from a writer
// (the git source): a report is then never held whole in memory.
type repoFileWriterFrom interface {
	WriteRepoFileFrom(ctx context.Context, p string, write func(io.Writer) error) error
}

// RepoFiles writes pmsync's own files into a repository's clone (the git
// source), for its next commit.
type RepoFiles interface {
	ReadRepoFile(ctx context.Context, p string) ([]byte, error)
	WriteRepoFile(ctx context.Context, p string, data []byte) error
}

// Stage writes the report into the clone under dir (relative to the
// repository root) for the run's commit, unless the committed report
// already says the same (same digest). It reports whether it wrote.
func Stage(ctx context.Context, repo RepoFiles, dir string, formats []string, in Input, log *slog.Logger) (bool, error) {
	return Compute(in).Stage(ctx, repo, dir, formats, log)
}

// Stage writes the computed report into the clone, as the function Stage
// does.
func (r *Report) Stage(ctx context.Context, repo RepoFiles, dir string, formats []string, log *slog.Logger) (bool, error) {
	digest := r.Digest()
	dir = path.Clean(filepath.ToSlash(dir))
	old, err := repo.ReadRepoFile(ctx, path.Join(dir, DigestFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("report: %w", err)
	}
	if err == nil && strings.TrimSpace(string(old)) == digest && digest != "" {
		return false, nil
	}
	// One format at a time: each is rendered, handed to the clone, and
	// let go before the next.
	for _, f := range formats {
		name, ok := FileNames[f]
		if !ok {
			log.Warn("report format not available in this version; skipped", "format", f)
			continue
		}
		if rw, ok := repo.(repoFileWriterFrom); ok {
			// Rendered straight into the clone (an HTML report of 100,000
			// items is tens of MB).
			var renderErr error
			err := rw.WriteRepoFileFrom(ctx, path.Join(dir, name), func(w io.Writer) error {
				renderErr = Render(r, f, w)
				return renderErr
			})
			if renderErr != nil {
				return false, fmt.Errorf("report %s: %w", f, renderErr)
			}
			if err != nil {
				return false, fmt.Errorf("report: %w (check report.dir)", err)
			}
			continue
		}
		var b bytes.Buffer
		if err := Render(r, f, &b); err != nil {
			return false, fmt.Errorf("report %s: %w", f, err)
		}
		if err := repo.WriteRepoFile(ctx, path.Join(dir, name), b.Bytes()); err != nil {
			return false, fmt.Errorf("report: %w (check report.dir)", err)
		}
	}
	if err := repo.WriteRepoFile(ctx, path.Join(dir, DigestFile), []byte(digest+"\n")); err != nil {
		return false, fmt.Errorf("report: %w (check report.dir)", err)
	}
	return true, nil
}
