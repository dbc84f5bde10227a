package github

import (
	"flag"
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
