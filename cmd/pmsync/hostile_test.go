package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
	"github.com/pmsync/pmsync/sync/ticket"
)

// hostileDoc is a finalized postmortem with one action item in a table,
// its ticket cell as given.
func hostileDoc(id, ticketCell string) string {
	return "---\nid: " + id + "\nstatus: final\ndate: 2026-05-01\n---\n# Queue backlog\n\n## Action items\n\n" +
		"| Action item | Owner | Due | Ticket |\n|---|---|---|---|\n" +
		"| Alert on queue depth above 10k | @alice | 2026-12-31 | " + ticketCell + " |\n"
}

// TestIDClaimCannotCloseAnothersTicket: a new document claims an existing
// document's id and links an ordinary issue for the victim's item. Before,
// sync closed the victim's ticket as that issue's duplicate and wrote
// "Won't do" into the victim postmortem. Now both documents are held:
// nothing is created, closed or written for either, and plan, sync and
// lint name both files.
func TestIDClaimCannotCloseAnothersTicket(t *testing.T) {
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "2026-05-01-queue.md"), []byte(hostileDoc("2026-05-01-queue", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newGHEnv(t, docs, "")
	if code, out, errOut := e.sync(t); code != exitOK {
		t.Fatalf("first sync: exit %d\n%s\n%s", code, out, errOut)
	}
	victimPath := filepath.Join(e.dir, "2026-05-01-queue.md")
	victim, _ := os.ReadFile(victimPath)
	var ours string
	for _, d := range e.docs(t) {
		for _, it := range d.Items() {
			ours = it.Ticket.Text
		}
	}
	if ours == "" {
		t.Fatalf("the victim's item has no ticket:\n%s", victim)
	}
	// The attacker links acme/sre#5, an ordinary older issue.
	attacker := hostileDoc("2026-05-01-queue", "[acme/sre#5]("+e.srv.URL+"/acme/sre/issues/5)")
	attackerPath := filepath.Join(e.dir, "2026-05-02-claim.md")
	if err := os.WriteFile(attackerPath, []byte(attacker), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCmd(t, []string{"GH_TOKEN=" + testToken}, "plan", "--config", e.config)
	if code != exitFailed || strings.Contains(out, "close ") || !strings.Contains(out+errOut, "2026-05-02-claim.md") || !strings.Contains(out+errOut, `document id "2026-05-01-queue" is also the id of`) {
		t.Fatalf("plan: exit %d, want %d naming both files and closing nothing\n%s\n%s", code, exitFailed, out, errOut)
	}
	for range 2 {
		code, out, errOut = e.sync(t)
		if code != exitFailed {
			t.Fatalf("sync: exit %d, want %d\n%s\n%s", code, exitFailed, out, errOut)
		}
	}
	for ref, is := range e.issues() {
		if is.State != "open" {
			t.Errorf("%s was closed (%s)", ref, is.StateReason)
		}
	}
	if now, _ := os.ReadFile(victimPath); string(now) != string(victim) {
		t.Errorf("the victim postmortem changed:\n%s", now)
	}
	if now, _ := os.ReadFile(attackerPath); string(now) != attacker {
		t.Errorf("the claiming postmortem changed:\n%s", now)
	}
	code, out, _ = runCmd(t, nil, "lint", "--config", e.config)
	if code == exitOK || strings.Count(out, `document id "2026-05-01-queue" is also the id of`) != 2 {
		t.Fatalf("lint: exit %d, want an error on both documents\n%s", code, out)
	}
	// Once the copy has its own id, it is a separate postmortem whose
	// item names acme/sre#5; the victim's ticket is still its own.
	if err := os.WriteFile(attackerPath, []byte(hostileDoc("2026-05-02-claim", "[acme/sre#5]("+e.srv.URL+"/acme/sre/issues/5)")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = e.sync(t); code != exitOK {
		t.Fatalf("after the fix: exit %d\n%s\n%s", code, out, errOut)
	}
	if is := e.issues()[ours]; is.State != "open" {
		t.Fatalf("the victim's ticket %s was closed", ours)
	}
}

// TestRoutingOutsideTheAllowList: a document's tracker key may pick only
// among the targets the configuration names (routes, teams, the
// trackers' own and their allowed_repos). Before, `tracker:
// gh:victim-org/private-repo` created issues wherever the token reached.
func TestRoutingOutsideTheAllowList(t *testing.T) {
	docs := t.TempDir()
	evil := strings.Replace(hostileDoc("2026-05-03-route", ""), "status: final\n", "status: final\ntracker: gh:victim-org/private-repo\n", 1)
	if err := os.WriteFile(filepath.Join(docs, "2026-05-03-route.md"), []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newGHEnv(t, docs, "")
	code, out, errOut := e.sync(t)
	if code != exitFailed || !strings.Contains(out+errOut, "does not allow") {
		t.Fatalf("sync: exit %d, want %d and a refusal\n%s\n%s", code, exitFailed, out, errOut)
	}
	if n := len(e.sim.Issues("victim-org", "private-repo")); n != 0 {
		t.Fatalf("%d issues created in victim-org/private-repo", n)
	}
	if code, out, _ = runCmd(t, nil, "lint", "--config", e.config); code == exitOK || !strings.Contains(out, "allowed_repos") {
		t.Fatalf("lint: exit %d, want an error naming allowed_repos\n%s", code, out)
	}
	// Allowed by the configuration, the same document is synced there.
	b, _ := os.ReadFile(e.config)
	cfg := strings.Replace(string(b), "repo: acme/sre,", "repo: acme/sre, allowed_repos: [victim-org/private-repo],", 1)
	if err := os.WriteFile(e.config, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = e.sync(t); code != exitOK || len(e.sim.Issues("victim-org", "private-repo")) != 1 {
		t.Fatalf("allowed: exit %d, %d issues\n%s\n%s", code, len(e.sim.Issues("victim-org", "private-repo")), out, errOut)
	}
}

// hideCreator answers as a Jira that does not let pmsync's account see
// who created an issue: every "creator" and "reporter" is null.
type hideCreator struct{ base http.RoundTripper }

func (h hideCreator) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := h.base.RoundTrip(r)
	if err != nil || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case map[string]any:
				for _, k := range []string{"creator", "reporter"} {
					if _, ok := x[k]; ok {
						x[k] = nil
					}
				}
				for _, y := range x {
					walk(y)
				}
			case []any:
				for _, y := range x {
					walk(y)
				}
			}
		}
		walk(v)
		b, _ = json.Marshal(v)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return resp, nil
}

// TestJiraUnknownCreatorUnderCrashes: pmsync's account cannot read who
// created an issue, and runs are killed after every k-th call. Before,
// a marked issue with an unreadable creator was an "impostor" and a
// second one was opened; after kill storms one item per deployment kept
// two live tickets. Now an item whose only evidence is such an issue is
// held: never two live tickets per item.
func TestJiraUnknownCreatorUnderCrashes(t *testing.T) {
	docs := filepath.Join(repoRoot(t), "testdata", "postmortems")
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(flavor.String(), func(t *testing.T) {
			probe := newJiraEnv(t, flavor, docs)
			count := &crashAfter{base: hideCreator{http.DefaultTransport}}
			probe.syncWith(t, count, 0)
			total := int(count.n.Load())
			for _, k := range testkit.Indices(t, total, 2) {
				t.Run("k="+strconv.Itoa(k), func(t *testing.T) {
					t.Parallel()
					e := newJiraEnv(t, flavor, docs)
					e.syncWith(t, &crashAfter{base: hideCreator{http.DefaultTransport}, k: int64(k)}, 0)
					e.syncWith(t, hideCreator{http.DefaultTransport}, 0)
					e.syncWith(t, hideCreator{http.DefaultTransport}, 0)
					live := map[string][]string{}
					for _, p := range jiraProjects {
						for _, is := range e.sim.Issues(p) {
							if m, err := ticket.ParseMarker(is.Description); err == nil && is.Resolution != "Duplicate" {
								live[m.PM+" "+m.Item] = append(live[m.PM+" "+m.Item], is.Key)
							}
						}
					}
					for item, keys := range live {
						if len(keys) > 1 {
							t.Errorf("crash after call %d of %d: item %s has %d live tickets %v", k, total, item, len(keys), keys)
						}
					}
				})
			}
		})
	}
}
