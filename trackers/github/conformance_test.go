package github

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/internal/trackertest"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

type ghControl struct{ e *env }

func (c ghControl) num(t testing.TB, r ticket.Ref) int {
	_, n, ok := strings.Cut(r.Text, "#")
	i, err := strconv.Atoi(n)
	if !ok || err != nil {
		t.Fatalf("ref %q", r.Text)
	}
	return i
}

func (c ghControl) Close(t testing.TB, r ticket.Ref, how string) {
	reason := "completed"
	if how == "wontdo" {
		reason = "not_planned"
	}
	if err := c.e.sim.Close("acme", "sre", c.num(t, r), reason); err != nil {
		t.Fatal(err)
	}
}

// Start: GitHub issues have no in-progress state.
func (c ghControl) Start(testing.TB, ticket.Ref) bool { return false }

func (c ghControl) Delete(t testing.TB, r ticket.Ref) {
	if err := c.e.sim.Delete("acme", "sre", c.num(t, r)); err != nil {
		t.Fatal(err)
	}
}

func (c ghControl) Comments(t testing.TB, r ticket.Ref) []string {
	is, ok := c.e.sim.Issue("acme", "sre", c.num(t, r))
	if !ok {
		t.Fatalf("no issue %s", r.Text)
	}
	var out []string
	for _, cm := range is.Comments {
		out = append(out, cm.Body)
	}
	return out
}

func (c ghControl) FailNextComment(t testing.TB, kind string) {
	f := map[string]func() *ghsim.FaultResponse{
		"refused": func() *ghsim.FaultResponse {
			return &ghsim.FaultResponse{Status: 403, Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}`}
		},
		"server-error": func() *ghsim.FaultResponse { return ghsim.NewFault(ghsim.FaultServerError) },
		"bad-gateway":  func() *ghsim.FaultResponse { return ghsim.NewFault(ghsim.FaultBadGateway) },
		"lost":         func() *ghsim.FaultResponse { return ghsim.NewFault(ghsim.FaultReset) },
	}[kind]
	if f == nil {
		t.Fatalf("no fault %q", kind)
	}
	c.e.sim.SetFault(testkit.FaultOn(1, testkit.Match("POST", "/comments"), f))
}

func TestConformance(t *testing.T) {
	var today time.Time
	trackertest.Run(t, trackertest.Harness{
		Target: ticket.Target{Tracker: "gh", Repo: testRepo},
		Today:  func() time.Time { return today },
		New: func(t *testing.T) (trackers.Tracker, trackertest.Control) {
			e := newEnv(t, func(c *envConfig) { c.cfg.WriteInterval = time.Millisecond })
			today = e.clock.Now()
			return e.tr, ghControl{e}
		},
	})
}
