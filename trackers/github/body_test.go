package github

import (
	"flag"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The body GitHub receives is pinned byte for byte: escaping, layout and
// truncation must not change unnoticed.
func TestBodyGolden(t *testing.T) {
	t.Parallel()
	testkit.GoldenBodies(t, "testdata/body", ".md", spec("ai-0a1b2c3d"), renderBody, *update)
}

// A lone CR is a line break to GitHub, so the detail's line ends are all
// made LF: a detail written with CR, CRLF or LF shows the same, and no CR
// reaches the body.
func TestBodyLineEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, detail, lf string
	}{
		{"lone CR", "cr only\rnext", "cr only\nnext"},
		{"CRLF", "crlf\r\nnext", "crlf\nnext"},
		{"two CRs", "one\r\rtwo", "one\n\ntwo"},
		{"CR before CRLF", "one\r\r\ntwo", "one\n\ntwo"},
		{"CR starts a block", "text\r# Heading\r- item\r@bob", "text\n# Heading\n- item\n@bob"},
		{"CR at the ends", "\r\r\nx\r", "x"},
	}
	for _, tc := range tests {
		s := spec("ai-00000006")
		s.Detail = tc.detail
		got := renderBody(s, "")
		s.Detail = tc.lf
		if want := renderBody(s, ""); got != want {
			t.Errorf("%s: the body differs from the one with LF line ends:\n got %q\nwant %q", tc.name, got, want)
		}
		if strings.Contains(got, "\r") {
			t.Errorf("%s: a CR in the body: %q", tc.name, got)
		}
	}
}
