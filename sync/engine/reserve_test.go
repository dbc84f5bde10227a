package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/memory"
)

// TestItemsSizedForEveryDocument: the report's items are sized for every
// document once a sample is read, not grown by append: a slice of
// 100,000 items (408 bytes each) grown by append ended with up to a
// quarter of it unused, held all run.
func TestItemsSizedForEveryDocument(t *testing.T) {
	dir := t.TempDir()
	const docs = 1000
	items := 0
	for d := range docs {
		var sb strings.Builder
		fmt.Fprintf(&sb, "---\nid: pm-%04d\nstatus: final\ndate: 2026-06-01\n---\n# Incident %d\n\n## Action items\n\n", d, d)
		// 6 to 14 items, as in real postmortems: the sample must stand
		// for the rest.
		n := 6 + (d*7)%9
		for i := range n {
			fmt.Fprintf(&sb, "- [x] Action %d of incident %d\n", i, d)
		}
		items += n
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("pm-%04d.md", d)), []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	e := dirEngine(t, dir, memory.New("gh", now), now, Config{OwnerID: "test"})
	res, err := e.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := res.Report.Items
	if len(got) != items || len(res.Report.Docs) != docs {
		t.Fatalf("report: %d items of %d documents, want %d of %d", len(got), len(res.Report.Docs), items, docs)
	}
	if spare := cap(got) - len(got); spare > len(got)/10 {
		t.Errorf("report items: %d, room for %d more (%.0f %%); want under 10 %%", len(got), spare, 100*float64(spare)/float64(len(got)))
	}
}
