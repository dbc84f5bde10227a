package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestOfflineSaysSo: an offline report says on every page (Markdown,
// HTML, JSON) that its ticket states are as of the last sync, and when
// that was; a live report says nothing of the kind.
func TestOfflineSaysSo(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	last := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   Input
		want string // "" means: no offline line at all
	}{
		{"live", Input{Now: now}, ""},
		{"offline after a sync", Input{Now: now, Offline: true, AsOf: last}, "as of the last sync at 2026-12-01T23:00:00Z"},
		{"offline, never synced", Input{Now: now, Offline: true}, "no sync has run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Compute(tt.in)
			for _, f := range []string{"md", "html", "json"} {
				var b bytes.Buffer
				if err := Render(r, f, &b); err != nil {
					t.Fatal(err)
				}
				page := b.String()
				switch {
				case tt.want == "" && strings.Contains(page, "Offline"):
					t.Errorf("%s: a live report says Offline", f)
				case tt.want != "" && f != "json" && !strings.Contains(page, tt.want):
					t.Errorf("%s: want %q on the page", f, tt.want)
				case tt.want != "" && f == "json" && !strings.Contains(page, `"offline": true`):
					t.Errorf("json: want \"offline\": true")
				}
			}
		})
	}
}
