package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/ghsim"
)

// TestSyncImpostorReportedNotAdopted: someone else copies pmsync's marker
// into an older issue of their own. pmsync neither adopts it nor closes
// its own ticket as that issue's duplicate; it opens its own ticket, says
// so in its output and in the report, and leaves the issue alone.
func TestSyncImpostorReportedNotAdopted(t *testing.T) {
	e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
	code, out, errOut := runCmd(t, []string{"GH_TOKEN=" + testToken}, "plan", "--config", e.config, "--format", "json")
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	var p struct {
		Plan struct {
			Creates []struct {
				Doc  string
				Spec struct {
					Title  string
					Target struct{ Repo string }
					Marker struct{ PM, Item, Owner string }
				}
			}
		} `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("plan json: %v\n%s", err, out)
	}
	var victim = -1
	for i, c := range p.Plan.Creates {
		if c.Spec.Target.Repo == "acme/sre" {
			victim = i
			break
		}
	}
	if victim < 0 {
		t.Fatal("no creation planned in acme/sre")
	}
	c := p.Plan.Creates[victim].Spec
	marker := "pmsync:v1 pm=" + c.Marker.PM + " item=" + c.Marker.Item + " owner=" + c.Marker.Owner
	num, err := e.sim.AddIssue("acme", "sre", ghsim.Issue{
		Title: c.Title, Body: "Looks legit.\n\n<!-- " + marker + " -->\n", State: "open",
		Labels: []string{"postmortem"}, Author: "mallory", CreatedAt: time.Now().Add(-time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	impRef := "acme/sre#" + strconv.Itoa(num)

	code, out, errOut = e.sync(t)
	if code != exitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "impostor   "+impRef) || !strings.Contains(out, `"mallory"`) {
		t.Fatalf("output does not report the impostor %s:\n%s", impRef, out)
	}
	if !strings.Contains(errOut, "not adopted") {
		t.Fatalf("no warning in the log:\n%s", errOut)
	}
	if strings.Contains(out, " 1 adopted") || strings.Contains(out, "1 duplicates closed") {
		t.Fatalf("the impostor was adopted or closed:\n%s", out)
	}
	is := e.issues()[impRef]
	if is.State != "open" || len(is.Comments) != 0 {
		t.Fatalf("pmsync touched the impostor: %+v", is)
	}
	for _, d := range e.docs(t) {
		for _, it := range d.Items() {
			if d.ID == c.Marker.PM && it.Key == c.Marker.Item && (it.Ticket.IsZero() || it.Ticket.Text == impRef) {
				t.Fatalf("%s links %q; want pmsync's own ticket", it.Key, it.Ticket.Text)
			}
		}
	}
	report, err := os.ReadFile(filepath.Join(filepath.Dir(e.config), "reports", "report.md"))
	if err != nil || !strings.Contains(string(report), "mallory") || !strings.Contains(string(report), impRef) {
		t.Fatalf("report does not list the impostor (%v)", err)
	}
	// A steady run still reports it, and still does not adopt it.
	code, out, _ = e.sync(t)
	if code != exitOK || !strings.Contains(out, "impostor   "+impRef) || !strings.Contains(out, " 0 adopted") {
		t.Fatalf("steady run: exit %d\n%s", code, out)
	}
}
