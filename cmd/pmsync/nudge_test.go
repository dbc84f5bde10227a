package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/sim/jirasim"
	"github.com/pmsync/pmsync/internal/testkit"
)

// calendarDoc is one postmortem whose three action items walk the nudge
// steps over two months: the first from a due-soon reminder to the 30-day
// escalation, the second (P1, closed on day 16) through the urgent
// ladder's first step, the third with no owner.
const calendarDoc = `---
id: 2027-01-04-queue-stall
title: Order queue stalled
status: final
date: 2027-01-04
severity: SEV3
teams: [platform]
---

# Order queue stalled

## Summary

The order queue stopped draining for 40 minutes.

## Contributing factors

- The consumer retried poison messages forever.

## Action items

| Action item | Owner | Priority | Due |
|---|---|---|---|
| Alert on queue depth | @alice | P2 | 2027-01-20 |
| Stop retrying poison messages | @bob | P1 | 2027-01-12 |
| Document the queue failover | TBD | P2 | 2027-02-10 |
`

// calendarStart is a Monday; the calendar runs 60 days from it.
var calendarStart = time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)

// A step taken: the item (by its title's first word) and the label.
type stepTaken struct{ item, label, day string }

// calendarWant is every step, once, on the day it is due: weekend days
// carry over to the Monday, and the P1 item closed on 2027-01-20 gets
// nothing after.
var calendarWant = []stepTaken{
	{"Document", "pmsync:needs-owner", "2027-01-07"},
	{"Stop", "pmsync:due-soon", "2027-01-11"},
	{"Stop", "pmsync:due-today", "2027-01-12"},
	{"Stop", "pmsync:overdue", "2027-01-13"},
	{"Stop", "pmsync:escalated-3d", "2027-01-15"},
	{"Alert", "pmsync:due-soon", "2027-01-18"},
	{"Alert", "pmsync:due-today", "2027-01-20"},
	{"Alert", "pmsync:overdue", "2027-01-21"},
	{"Alert", "pmsync:escalated-7d", "2027-01-27"},
	{"Document", "pmsync:due-soon", "2027-02-08"},
	{"Document", "pmsync:due-today", "2027-02-10"},
	{"Document", "pmsync:overdue", "2027-02-11"},
	{"Alert", "pmsync:escalated-30d", "2027-02-19"},
	{"Document", "pmsync:escalated-7d", "2027-02-17"},
}

// calendarTracker is a tracker simulator as the calendar sees it.
type calendarTracker interface {
	// tickets are the action items' tickets: title's first word → labels
	// and comment bodies.
	tickets(t *testing.T) map[string]calendarTicket
	// close marks the ticket of the item done.
	close(t *testing.T, item string)
	// deletedComments counts the comments deleted through the API (twins
	// settled).
	deletedComments() int
}

type calendarTicket struct {
	labels   []string
	comments []string
}

// runCalendar syncs once a day for 60 days with --now and checks that
// exactly the expected steps are taken, each with one comment, none
// twice, none on a weekend, none after the item is done. With
// dropState the .pmsync folder is deleted on day 30; with a second
// folder, a second installation syncs the same documents every day too,
// after the first or, with atOnce, at the same moment from the second
// day on (goroutines released together): both may post a step, and
// settling deletes the later comment, so the comments still present are
// one per step.
func runCalendar(t *testing.T, tr calendarTracker, sync func(dir string, day time.Time) (int, string, string), dirs []string, dropState, atOnce bool) {
	t.Helper()
	var got []stepTaken
	seenLabels := map[string][]string{}
	seenComments := map[string]int{}
	for d := range 60 {
		day := calendarStart.AddDate(0, 0, d)
		if day.Format("2006-01-02") == "2027-01-20" {
			tr.close(t, "Stop")
		}
		if dropState && d == 30 {
			for _, dir := range dirs {
				if err := os.RemoveAll(filepath.Join(dir, ".pmsync")); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Day one creates the tickets, one after the other: two runs that
		// create at once open duplicates (closed by a later run), a race
		// of its own that this calendar does not follow.
		syncAll(t, sync, dirs, day, atOnce && d > 0)
		for item, tk := range tr.tickets(t) {
			var steps []string
			for _, l := range tk.labels {
				if strings.HasPrefix(l, "pmsync:") {
					steps = append(steps, l)
				}
			}
			for _, l := range steps {
				if !slices.Contains(seenLabels[item], l) {
					got = append(got, stepTaken{item, l, day.Format("2006-01-02")})
				}
			}
			// Comments still present: a twin deleted by settling is gone.
			added := len(steps) - len(seenLabels[item])
			if n := len(tk.comments) - seenComments[item]; n != added || len(tk.comments) != len(steps) {
				t.Errorf("%s: %s has %d new comments for %d new steps (%d in all for %d steps):\n%s", day.Format("2006-01-02"), item,
					n, added, len(tk.comments), len(steps), strings.Join(tk.comments[min(seenComments[item], len(tk.comments)):], "\n---\n"))
			}
			if added > 0 && (day.Weekday() == time.Saturday || day.Weekday() == time.Sunday) {
				t.Errorf("%s (%s): %s nudged on a weekend", day.Format("2006-01-02"), day.Weekday(), item)
			}
			seenLabels[item], seenComments[item] = steps, len(tk.comments)
		}
	}
	sortSteps := func(s []stepTaken) {
		sort.Slice(s, func(i, j int) bool { return s[i].day+s[i].item+s[i].label < s[j].day+s[j].item+s[j].label })
	}
	// Runs one after the other never post a step twice; runs at once may.
	if n := tr.deletedComments(); !atOnce && n != 0 {
		t.Errorf("%d comments deleted as twins with the runs one after the other", n)
	} else {
		t.Logf("%d comments posted twice and deleted again", n)
	}
	want := slices.Clone(calendarWant)
	sortSteps(want)
	sortSteps(got)
	if !slices.Equal(got, want) {
		t.Errorf("steps taken:\n%s\nwant:\n%s", fmtSteps(got), fmtSteps(want))
	}
}

// syncAll runs one day's sync in every folder: one after the other, or
// all at once.
func syncAll(t *testing.T, syncDir func(dir string, day time.Time) (int, string, string), dirs []string, day time.Time, atOnce bool) {
	t.Helper()
	type result struct {
		code        int
		out, errOut string
	}
	res := make([]result, len(dirs))
	if !atOnce {
		for i, dir := range dirs {
			r := &res[i]
			if r.code, r.out, r.errOut = syncDir(dir, day); r.code != exitOK {
				break
			}
		}
	} else {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, dir := range dirs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := &res[i]
				r.code, r.out, r.errOut = syncDir(dir, day)
			}()
		}
		close(start)
		wg.Wait()
	}
	for _, r := range res {
		if r.code != exitOK {
			t.Fatalf("%s: sync --now: exit %d\n%s\n%s", day.Format("2006-01-02"), r.code, r.out, r.errOut)
		}
	}
}

func fmtSteps(s []stepTaken) string {
	var b strings.Builder
	for _, st := range s {
		fmt.Fprintf(&b, "  %s %-9s %s\n", st.day, st.item, st.label)
	}
	return b.String()
}

// calendarFolders writes the calendar document into n folders.
func calendarFolders(t *testing.T, n int) []string {
	var dirs []string
	for i := range n {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("pm%d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "2027-01-04-queue-stall.md"), []byte(calendarDoc), 0o644); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

var calendarCases = []struct {
	name      string
	folders   int
	dropState bool
	atOnce    bool // the folders sync at the same moment
}{
	{"daily", 1, false, false},
	{"state deleted on day 30", 1, true, false},
	{"two installations", 2, false, false},
	{"two installations at once", 2, false, true},
}

// calendarTicketOf is how a calendar reads one simulator ticket.
func calendarTicketOf(out map[string]calendarTicket, title string, labels, comments []string) {
	word, _, _ := strings.Cut(title, " ")
	out[word] = calendarTicket{labels: labels, comments: comments}
}

type ghCalendar struct{ e *ghEnv }

func (g ghCalendar) tickets(*testing.T) map[string]calendarTicket {
	out := map[string]calendarTicket{}
	for _, is := range g.e.sim.Issues("acme", "platform") {
		var comments []string
		for _, c := range is.Comments {
			comments = append(comments, c.Body)
		}
		calendarTicketOf(out, is.Title, is.Labels, comments)
	}
	return out
}

func (g ghCalendar) deletedComments() int {
	var n deletes
	for _, c := range g.e.sim.Calls() {
		n.count(c.Method, c.Path, "/issues/comments/", c.Status)
	}
	return int(n)
}

// deletes counts the comment DELETEs a simulator answered 204.
type deletes int

func (n *deletes) count(method, path, under string, status int) {
	if method == http.MethodDelete && strings.Contains(path, under) && status == http.StatusNoContent {
		*n++
	}
}

func (g ghCalendar) close(t *testing.T, item string) {
	for _, is := range g.e.sim.Issues("acme", "platform") {
		if strings.HasPrefix(is.Title, item+" ") {
			if err := g.e.sim.Close("acme", "platform", is.Number, "completed"); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no ticket for %s", item)
}

type jiraCalendar struct{ e *jiraEnv }

func (j jiraCalendar) tickets(*testing.T) map[string]calendarTicket {
	out := map[string]calendarTicket{}
	for _, is := range j.e.sim.Issues("PLAT") {
		var comments []string
		for _, c := range is.Comments {
			comments = append(comments, c.Body)
		}
		calendarTicketOf(out, is.Summary, is.Labels, comments)
	}
	return out
}

func (j jiraCalendar) deletedComments() int {
	var n deletes
	for _, c := range j.e.sim.Calls() {
		n.count(c.Method, c.Path, "/comment/", c.Status)
	}
	return int(n)
}

func (j jiraCalendar) close(t *testing.T, item string) {
	for _, is := range j.e.sim.Issues("PLAT") {
		if strings.HasPrefix(is.Summary, item+" ") {
			if err := j.e.sim.Transition(is.Key, "Done", "Done"); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no ticket for %s", item)
}

// calendarSetup is one tracker for the calendar: the simulator, the
// config's tracker, routes, people and teams (dir and report dir are
// filled in), the environment, the mentions its comments must carry and
// the token none may.
type calendarSetup struct {
	tr       calendarTracker
	config   string
	env      []string
	mentions []string
	token    string
}

var calendarTrackers = []struct {
	name  string
	setup func(t *testing.T) calendarSetup
}{
	{"github", func(t *testing.T) calendarSetup {
		e := newGHEnv(t, filepath.Join(repoRoot(t), "testdata", "postmortems"), "")
		return calendarSetup{tr: ghCalendar{e}, env: []string{"GH_TOKEN=" + testToken}, token: testToken,
			mentions: []string{"@alice-gh", "@bob-gh", "@acme/platform-sre", "@carol-gh"},
			config: fmt.Sprintf(`trackers:
  gh: {type: github, base_url: %q, token_env: GH_TOKEN, repo: acme/sre, write_interval: 1ms}
routes:
  - {match: {team: platform}, tracker: gh, repo: acme/platform}
  - {tracker: gh}
people:
  alice: {name: Alice Example, github: alice-gh}
  bob:   {name: Bob Example, github: bob-gh}
  carol: {name: Carol Example, github: carol-gh}
teams:
  platform: {github: acme/platform, github_team: acme/platform-sre, escalation: carol}
`, e.srv.URL+"/")}
	}},
	{"jira cloud", func(t *testing.T) calendarSetup {
		e := newJiraEnv(t, jirasim.Cloud, filepath.Join(repoRoot(t), "testdata", "postmortems"))
		return calendarSetup{tr: jiraCalendar{e}, env: e.env, token: jiraToken,
			mentions: []string{"[~accountid:5b10ac8d82e05b22cc7d4e01]", "[~accountid:5b10ac8d82e05b22cc7d4e02]",
				"[~accountid:5b10ac8d82e05b22cc7d4e04]", "[~accountid:5b10ac8d82e05b22cc7d4e03]"},
			config: fmt.Sprintf(`trackers:
  jira: {type: jira, deployment: cloud, base_url: %q, user_env: JIRA_USER, token_env: JIRA_TOKEN, project: OPS, write_interval: 1ms}
routes:
  - {match: {team: platform}, tracker: jira, project: PLAT}
  - {tracker: jira}
people:
  alice: {name: Alice Example, jira: 5b10ac8d82e05b22cc7d4e01}
  bob:   {name: Bob Example, jira: 5b10ac8d82e05b22cc7d4e02}
  carol: {name: Carol Example, jira: 5b10ac8d82e05b22cc7d4e03}
  dave:  {name: Dave Example, jira: 5b10ac8d82e05b22cc7d4e04}
teams:
  platform: {jira: PLAT, lead: dave, escalation: carol}
`, e.srv.URL+"/")}
	}},
}

// TestNudgeCalendar drives 60 days of daily syncs through the real
// command line against the GitHub and the Jira Cloud simulators (every
// request checked against the vendor's OpenAPI description): daily, with
// .pmsync/ deleted on day 30, and with two installations syncing the same
// documents. Mentions are each tracker's own; no comment carries a token.
func TestNudgeCalendar(t *testing.T) {
	for _, trk := range calendarTrackers {
		for _, tc := range calendarCases {
			t.Run(trk.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				su := trk.setup(t)
				dirs := calendarFolders(t, tc.folders)
				sync := func(dir string, day time.Time) (int, string, string) {
					cfg := filepath.Join(dir, "..", filepath.Base(dir)+".yaml")
					if _, err := os.Stat(cfg); err != nil {
						writeCalendarConfig(t, cfg, fmt.Sprintf("owner_id: cal\nsource: {path: %q}\nreport: {dir: %q}\n%s",
							dir, filepath.Join(dir, "..", "reports"), su.config))
					}
					return runCmd(t, su.env, "sync", "--config", cfg, "--now", day.Format("2006-01-02"))
				}
				runCalendar(t, su.tr, sync, dirs, tc.dropState, tc.atOnce)
				var all []string
				for _, tk := range su.tr.tickets(t) {
					all = append(all, tk.comments...)
				}
				text := strings.Join(all, "\n")
				for _, want := range su.mentions {
					if !strings.Contains(text, want) {
						t.Errorf("no comment mentions %s:\n%s", want, text)
					}
				}
				if strings.Contains(text, su.token) {
					t.Error("a comment carries the token")
				}
			})
		}
	}
}

func writeCalendarConfig(t *testing.T, p, cfg string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// calendarGitHub is the calendar's document on the GitHub simulator in
// one folder, with extra configuration; it returns the config path and
// the simulator's view.
func calendarGitHub(t *testing.T, extra string) (string, calendarSetup) {
	t.Helper()
	su := calendarTrackers[0].setup(t)
	dir := calendarFolders(t, 1)[0]
	cfg := filepath.Join(dir, "..", "pmsync.yaml")
	writeCalendarConfig(t, cfg, fmt.Sprintf("owner_id: cal\nsource: {path: %q}\nreport: {dir: %q}\n%s%s",
		dir, filepath.Join(dir, "..", "reports"), su.config, extra))
	return cfg, su
}

// TestPlanShowsNudges: plan --now lists the nudges a sync would post on
// that day and posts none; more than nudges.max_per_run refuses them all,
// in plan and in sync (exit 1, nothing posted), naming the key.
func TestPlanShowsNudges(t *testing.T) {
	cfg, su := calendarGitHub(t, "")
	if code, out, errOut := runCmd(t, su.env, "sync", "--config", cfg, "--now", "2027-01-04"); code != exitOK {
		t.Fatalf("first sync: exit %d\n%s\n%s", code, out, errOut)
	}
	// 2027-02-11: Alert is 22 days overdue (7-day step), Stop 30 (P1: the
	// 14-day step), Document overdue and without an owner.
	code, out, errOut := runCmd(t, su.env, "plan", "--config", cfg, "--now", "2027-02-11")
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"escalated-7d", "escalated-14d", "overdue", "needs-owner", "nudges: 4 to post"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan does not show %q:\n%s", want, out)
		}
	}
	for item, tk := range su.tr.tickets(t) {
		if len(tk.comments) != 0 {
			t.Errorf("plan posted on %s: %q", item, tk.comments)
		}
	}
	limited := cfg + ".limited.yaml"
	b, _ := os.ReadFile(cfg)
	writeCalendarConfig(t, limited, string(b)+"nudges: {max_per_run: 3}\n")
	for _, cmd := range []string{"plan", "sync"} {
		code, out, _ := runCmd(t, su.env, cmd, "--config", limited, "--now", "2027-02-11")
		if code != exitFailed || !strings.Contains(out, "nudges.max_per_run") {
			t.Errorf("%s with 4 nudges over max_per_run 3: exit %d, want %d naming nudges.max_per_run:\n%s", cmd, code, exitFailed, out)
		}
	}
	for item, tk := range su.tr.tickets(t) {
		if len(tk.comments) != 0 {
			t.Errorf("a refused run posted on %s: %q", item, tk.comments)
		}
	}
	// report neither posts nor refuses: it shows what was posted.
	reportNudges := func() (int, string, int) {
		t.Helper()
		out := t.TempDir()
		code, o, errOut := runCmd(t, su.env, "report", "--config", limited, "--now", "2027-02-11", "--out", out, "--format", "json")
		if code != exitOK {
			t.Fatalf("report: exit %d\n%s\n%s", code, o, errOut)
		}
		var r struct {
			Nudges struct {
				Sent   int `json:"sent"`
				Moved  int `json:"moved"`
				ByStep []struct {
					Step string `json:"step"`
				} `json:"by_step"`
			} `json:"nudges"`
		}
		b, _ := os.ReadFile(filepath.Join(out, "report.json"))
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, s := range r.Nudges.ByStep {
			steps = append(steps, s.Step)
		}
		return r.Nudges.Sent, strings.Join(steps, ","), r.Nudges.Moved
	}
	if n, _, _ := reportNudges(); n != 0 {
		t.Errorf("report before any nudge: %d sent", n)
	}
	if code, out, errOut := runCmd(t, su.env, "sync", "--config", cfg, "--now", "2027-02-11"); code != exitOK || !strings.Contains(out, "nudges: 4 posted") {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	if n, steps, moved := reportNudges(); n != 4 || steps != "overdue,escalated-7d,escalated-14d,needs-owner" || moved != 0 {
		t.Errorf("report after 4 nudges: %d sent, steps %s, %d moved", n, steps, moved)
	}
	// Done two days after its nudge: the nudge worked.
	su.tr.close(t, "Alert")
	if code, out, errOut := runCmd(t, su.env, "sync", "--config", cfg, "--now", "2027-02-13"); code != exitOK {
		t.Fatalf("sync: exit %d\n%s\n%s", code, out, errOut)
	}
	if n, _, moved := reportNudges(); n != 4 || moved != 1 {
		t.Errorf("report after the nudged Alert was closed: %d sent, %d moved; want 4 and 1", n, moved)
	}
}

// TestDigestsToWebhook: digests.every 7d posts one digest per team to a
// Slack-compatible webhook on loopback (each payload checked against the
// shape of Slack's documented payload), then none until a week later; a
// webhook that fails does not fail the sync, and its URL (a secret) is in
// no output.
func TestDigestsToWebhook(t *testing.T) {
	validate := testkit.JSONSchema(t, filepath.Join(repoRoot(t), "sync", "digest", "testdata", "slack-payload.schema.json"))
	var mu sync.Mutex
	var got [][]byte
	fail := false
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "no_service "+r.URL.String(), http.StatusInternalServerError)
			return
		}
		got = append(got, b)
		fmt.Fprint(w, "ok")
	}))
	defer hook.Close()
	url := hook.URL + "/services/T000/B000/secretpath0123456789"
	cfg, su := calendarGitHub(t, "digests: {every: 7d, webhook_env: DIGEST_URL}\n")
	env := append(slices.Clone(su.env), "DIGEST_URL="+url)
	day := func(d string) (int, string, string) {
		return runCmd(t, env, "sync", "--config", cfg, "--now", d)
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	for _, d := range []string{"2027-01-14", "2027-01-15", "2027-01-20", "2027-01-21"} {
		if code, out, errOut := day(d); code != exitOK {
			t.Fatalf("%s: exit %d\n%s\n%s", d, code, out, errOut)
		}
		want := 1
		if d == "2027-01-21" {
			want = 2
		}
		if n := count(); n != want {
			t.Fatalf("after %s: %d digests, want %d", d, n, want)
		}
	}
	mu.Lock()
	for _, b := range got {
		if err := validate(b); err != nil {
			t.Errorf("payload does not fit Slack's shape: %v\n%s", err, b)
		}
		if !strings.Contains(string(b), "Stop retrying poison messages") {
			t.Errorf("digest does not list the overdue item:\n%s", b)
		}
	}
	fail = true
	mu.Unlock()
	code, out, errOut := day("2027-01-28")
	if code != exitOK || !strings.Contains(out, "warning: digest") {
		t.Errorf("failing webhook: exit %d, want %d with a warning:\n%s\n%s", code, exitOK, out, errOut)
	}
	if strings.Contains(out+errOut, "secretpath") {
		t.Errorf("the webhook URL is in the output:\n%s\n%s", out, errOut)
	}
}
