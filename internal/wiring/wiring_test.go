package wiring

import (
	"testing"

	"github.com/pmsync/pmsync/config"
)

func TestReportExclude(t *testing.T) {
	tests := []struct {
		docs, report, want string
		ok                 bool
	}{
		{"postmortems", "reports", "", false},
		{"postmortems", "postmortems/reports", "reports/**", true},
		{"postmortems/", "./postmortems/follow-through/", "follow-through/**", true},
		{"", "reports", "reports/**", true},
		{".", "reports", "reports/**", true},
		{"postmortems", "postmortems-reports", "", false},
	}
	for _, tt := range tests {
		got, ok := ReportExclude(tt.docs, tt.report)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ReportExclude(%q, %q) = %q, %v; want %q, %v", tt.docs, tt.report, got, ok, tt.want, tt.ok)
		}
	}
}

// TestDocWebURL: a git source's web_url is the repository's, so links
// gain the folder; a web_url that already names the folder keeps it once.
func TestDocWebURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		web, path string
		git       bool
		want      string
	}{
		{"https://github.com/acme/pm/blob/main/", "postmortems", true, "https://github.com/acme/pm/blob/main/postmortems/"},
		{"https://github.com/acme/pm/blob/main", "./postmortems/", true, "https://github.com/acme/pm/blob/main/postmortems/"},
		{"https://github.com/acme/pm/blob/main/postmortems/", "postmortems", true, "https://github.com/acme/pm/blob/main/postmortems/"},
		{"https://github.com/acme/pm/blob/main/", ".", true, "https://github.com/acme/pm/blob/main/"},
		{"https://wiki.example/pm/", "postmortems", false, "https://wiki.example/pm/"},
		{"", "postmortems", true, ""},
	} {
		if got := DocWebURL(config.Source{WebURL: tt.web, Path: tt.path}, tt.git); got != tt.want {
			t.Errorf("DocWebURL(%q, %q, git=%v) = %q, want %q", tt.web, tt.path, tt.git, got, tt.want)
		}
	}
}
