package testkit

import (
	"net/http/httptest"
	"slices"
	"testing"
)

func TestFaultOn(t *testing.T) {
	t.Parallel()
	type fault struct{ n int }
	hook := FaultOn(2, Match("POST", "/issues"), func() *fault { return &fault{1} })
	tests := []struct {
		method, path string
		fault        bool
	}{
		{"GET", "/repos/a/b/issues", false},
		{"POST", "/repos/a/b/issues", true},
		{"POST", "/repos/a/b/issues/1/comments", false},
		{"POST", "/repos/a/b/issues", true},
		{"POST", "/repos/a/b/issues", false}, // only the first two
	}
	for i, tc := range tests {
		if got := hook(httptest.NewRequest(tc.method, tc.path, nil)) != nil; got != tc.fault {
			t.Errorf("request %d, %s %s: fault %v, want %v", i, tc.method, tc.path, got, tc.fault)
		}
	}
}

func TestPathLog(t *testing.T) {
	t.Parallel()
	var l PathLog
	l.Add("GET /a")
	all := l.All()
	l.Add("POST /b")
	if !slices.Equal(all, []string{"GET /a"}) || !slices.Equal(l.All(), []string{"GET /a", "POST /b"}) {
		t.Errorf("All() = %q then %q", all, l.All())
	}
}
