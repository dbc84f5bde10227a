package jira

import (
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim"
	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/internal/trackertest"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// control acts in the simulator as people do in Jira.
type control struct{ e *env }

func (c control) Close(t testing.TB, ref ticket.Ref, how string) {
	t.Helper()
	to := "Done"
	if how == "wontdo" {
		to = "Won't Do"
	}
	if err := c.e.sim.Transition(ref.Text, to, ""); err != nil {
		t.Fatal(err)
	}
}

func (c control) Start(t testing.TB, ref ticket.Ref) bool {
	t.Helper()
	if err := c.e.sim.Transition(ref.Text, "In Progress", ""); err != nil {
		t.Fatal(err)
	}
	return true
}

func (c control) Delete(t testing.TB, ref ticket.Ref) {
	t.Helper()
	if err := c.e.sim.Delete(ref.Text); err != nil {
		t.Fatal(err)
	}
}

func (c control) Comments(t testing.TB, ref ticket.Ref) []string {
	t.Helper()
	is, ok := c.e.sim.Issue(ref.Text)
	if !ok {
		t.Fatalf("no issue %s", ref.Text)
	}
	var out []string
	for _, cm := range is.Comments {
		out = append(out, cm.Body)
	}
	return out
}

func (c control) FailNextComment(t testing.TB, kind string) {
	t.Helper()
	f := map[string]func() *jirasim.FaultResponse{
		"refused": func() *jirasim.FaultResponse {
			return &jirasim.FaultResponse{Status: 403, Body: `{"errorMessages":["You do not have permission to comment"],"errors":{}}`}
		},
		"server-error": func() *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultServerError) },
		"bad-gateway":  func() *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultBadGateway) },
		"lost":         func() *jirasim.FaultResponse { return jirasim.NewFault(jirasim.FaultReset) },
	}[kind]
	if f == nil {
		t.Fatalf("no fault %q", kind)
	}
	c.e.sim.SetFault(testkit.FaultOn(1, testkit.Match("POST", "/comment"), f))
}

func TestSuite(t *testing.T) {
	for _, f := range flavors {
		t.Run(f.String(), func(t *testing.T) {
			var clock *sim.Clock
			trackertest.Run(t, trackertest.Harness{
				New: func(t *testing.T) (trackers.Tracker, trackertest.Control) {
					e := newEnv(t, f)
					clock = e.clock
					return e.tr, control{e}
				},
				Target: ticket.Target{Tracker: "jira", Project: "OPS"},
				Today:  func() time.Time { return clock.Now() },
			})
		})
	}
}

var _ = jirasim.Cloud
