// Package source is where postmortems live: a folder on disk (dir) or a
// git repository (git). It lists, reads and atomically rewrites documents
// and never reaches outside its root.
package source

import (
	"context"
	"errors"
)

// Source lists and rewrites the postmortems of one collection.
type Source interface {
	// List returns the documents' paths, slash-separated and relative to
	// the root, sorted.
	List(ctx context.Context) ([]string, error)
	// Read returns a document's bytes.
	Read(ctx context.Context, path string) ([]byte, error)
	// Write replaces a document's bytes with data, atomically, only if it
	// still holds old (else ErrChanged).
	Write(ctx context.Context, path string, old, data []byte) error
	// Root describes the source for logs and the default owner id.
	Root() string
	// ReadFile and WriteFile read and write pmsync's own files (its state)
	// below the root; a missing file reads as fs.ErrNotExist.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	WriteFile(ctx context.Context, path string, data []byte) error
}

// ErrChanged means a document changed on disk between read and write;
// the next run picks up the new version.
var ErrChanged = errors.New("document changed while pmsync was working on it; it will be synced on the next run")

// ErrTooLarge is a file larger than a postmortem can be.
var ErrTooLarge = errors.New("file too large")
