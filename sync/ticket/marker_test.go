package ticket

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func TestMarkerRoundTrip(t *testing.T) {
	t.Parallel()
	for _, m := range []Marker{
		{PM: "2026-01-14-db", Item: "ai-0123abcd", Owner: "git@github.com:acme/pm.git"},
		{PM: "dfds/PM2019-009 - Kubernetes IP starvation", Item: "cf-ffffffff", Owner: "/srv/pm"},
		{PM: "a=b%c", Item: "ai-a-1", Owner: "x y"},
	} {
		s := m.String()
		if strings.ContainsAny(strings.TrimPrefix(s, MarkerPrefix+" "), "\n") || strings.Count(s, " ") != 3 {
			t.Errorf("marker %q is not four space-separated fields", s)
		}
		got, err := ParseMarker("Some body\n\n<!-- " + s + " -->\n")
		if err != nil || got != m {
			t.Errorf("ParseMarker(%q) = %+v, %v; want %+v", s, got, err, m)
		}
	}
}

func TestParseMarkerStrict(t *testing.T) {
	t.Parallel()
	bad := []string{
		"pmsync:v1 pm=a item=b",
		"pmsync:v1 item=b pm=a owner=c",
		"pmsync:v1 pm= item=b owner=c",
		"pmsync:v1 pm=a item=b owner=c extra=d",
		"pmsync:v1 pm=%zz item=b owner=c",
		"pmsync:v2 pm=a item=b owner=c",
	}
	for _, s := range bad {
		if _, err := ParseMarker(s); err == nil || errors.Is(err, ErrNoMarker) {
			t.Errorf("ParseMarker(%q) = %v, want a malformed-marker error", s, err)
		}
	}
	if _, err := ParseMarker("no marker here"); !errors.Is(err, ErrNoMarker) {
		t.Errorf("plain text: %v", err)
	}
}

func FuzzParseMarker(f *testing.F) {
	f.Add("pmsync:v1 pm=a item=ai-1 owner=o")
	f.Add("x <!-- pmsync:v1 pm=a%20b item=cf-2 owner=%2Fsrv -->")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMarker(s)
		if err != nil {
			return
		}
		back, err := ParseMarker(m.String())
		if err != nil || back != m {
			t.Fatalf("re-parse of %q: %+v %v", m.String(), back, err)
		}
	})
}

func TestStatusWords(t *testing.T) {
	t.Parallel()
	d := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		st   Status
		want string
	}{
		{Status{State: StateOpen}, "Open"},
		{Status{State: StateOpen, Overdue: true}, "Open (overdue)"},
		{Status{State: StateInProgress, Overdue: true}, "In progress (overdue)"},
		{Status{State: StateDone, Done: d}, "Done 2026-04-01"},
		{Status{State: StateWontDo}, "Won't do"},
		{Status{State: StateMissing}, "Missing"},
	} {
		if got := tc.st.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
		back, ok := ParseStatus(tc.want)
		if !ok || back != tc.st {
			t.Errorf("ParseStatus(%q) = %+v %v", tc.want, back, ok)
		}
	}
	if _, ok := ParseStatus("TODO"); ok {
		t.Error("a human's TODO parsed as pmsync's status")
	}
}

// TestParseMarkerKeepsNoBody: a listing keeps each ticket's marker; were
// its fields cut from the body, every body (kilobytes each) would stay
// in memory for the run.
func TestParseMarkerKeepsNoBody(t *testing.T) {
	body := strings.Repeat("Some detail of the ticket.\n", 100) + "<!-- " + Marker{PM: "pm-1", Item: "a1", Owner: "acme"}.String() + " -->\n" + strings.Repeat("More.\n", 50)
	m, err := ParseMarker(body)
	if err != nil {
		t.Fatal(err)
	}
	lo := uintptr(unsafe.Pointer(unsafe.StringData(body)))
	hi := lo + uintptr(len(body))
	for name, f := range map[string]string{"pm": m.PM, "item": m.Item, "owner": m.Owner} {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(f))); p >= lo && p < hi {
			t.Errorf("marker field %s = %q points into the body: the body stays alive as long as the marker", name, f)
		}
	}
}
