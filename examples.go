// Package pmsync holds what the binary carries besides code: the example
// postmortems that `pmsync demo` syncs. The program is in cmd/pmsync and
// the packages below it.
package pmsync

import "embed"

// Examples are the example postmortems (testdata/postmortems), one per
// document shape pmsync reads.
//
//go:embed testdata/postmortems/*.md
var Examples embed.FS
