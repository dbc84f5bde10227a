package postmortem

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/sync/ticket"
)

// TestParseFieldLines: an action item written with one field per
// continuation line ("Owner: @alice", "Due: 2026-04-01", "Status: done",
// "Priority: P1", "Ticket: OPS-12", "Type: …", "Team: …", and their
// synonyms) reads each line as its field, in any order, and none of them
// into the title: a label at the start of a continuation line ends the
// title and the field before it.
func TestParseFieldLines(t *testing.T) {
	t.Parallel()
	type want struct {
		owner, due, status, priority, ticket, typ, team string
		done                                            bool
	}
	cases := []struct {
		name  string
		lines []string // the continuation lines, in every order
		want  want
	}{
		{"owner due status", []string{"Owner: @alice", "Due: 2026-04-01", "Status: done"},
			want{owner: "@alice", due: "2026-04-01", status: "done", done: true}},
		{"owner priority", []string{"Owner: @bob", "Priority: P1"}, want{owner: "@bob", priority: "P1"}},
		{"priority ticket due owner", []string{"Priority: P2", "Ticket: OPS-12", "Due: 2026-04-01", "Owner: @alice"},
			want{owner: "@alice", due: "2026-04-01", priority: "P2", ticket: "OPS-12"}},
		{"ticket status", []string{"Ticket: OPS-12", "Status: in progress"}, want{ticket: "OPS-12", status: "in progress"}},
		{"deadline priority word", []string{"Deadline: 2026-04-01", "Priority: high"}, want{due: "2026-04-01", priority: "P1"}},
		{"due date type team", []string{"Due date: 2026-04-01", "Type: Prevent", "Team: payments"},
			want{due: "2026-04-01", typ: "prevent", team: "payments"}},
		{"team owner due", []string{"Team: payments", "Owner: Alice Example", "Due: 2026-04-01"},
			want{owner: "Alice Example", due: "2026-04-01", team: "payments"}},
		{"no owner, due and done", []string{"Due: 2026-04-01", "Status: Done"}, want{due: "2026-04-01", status: "Done", done: true}},
		{"ticket URL", []string{"Ticket: https://github.com/acme/sre/issues/12", "Owner: @alice"},
			want{owner: "@alice", ticket: "acme/sre#12"}},
		{"synonyms", []string{"State: done", "Pri: P2", "Jira: OPS-7"}, want{status: "done", done: true, priority: "P2", ticket: "OPS-7"}},
		{"lower-case labels", []string{"owner: @alice", "due: 2026-04-01", "status: done", "priority: p1"},
			want{owner: "@alice", due: "2026-04-01", status: "done", done: true, priority: "P1"}},
		{"upper-case labels", []string{"OWNER: @alice", "DEADLINE: 2026-04-01", "TICKET: OPS-12"},
			want{owner: "@alice", due: "2026-04-01", ticket: "OPS-12"}},
		{"two fields on a line", []string{"Due: 2026-04-01, Status: done", "Owner: @alice"},
			want{owner: "@alice", due: "2026-04-01", status: "done", done: true}},
		{"kind and service", []string{"Kind: mitigate", "Service: payments", "ETA: 2026-04-01"},
			want{due: "2026-04-01", typ: "mitigate", team: "payments"}},
	}
	shapes := []struct {
		name, head, indent, eol string
	}{
		{"list item", "- Fix the queue alert", "  ", "\n"},
		{"list item, CRLF", "- Fix the queue alert", "  ", "\r\n"},
		{"task", "- [ ] Fix the queue alert", "  ", "\n"},
		{"numbered, bold title", "1. **Fix the queue alert**", "   ", "\n"},
		{"numbered, bold title, CRLF", "1. **Fix the queue alert**", "   ", "\r\n"},
		{"paragraph, soft breaks", "Fix the queue alert.", "", "\n"},
		{"paragraph, soft breaks, CRLF", "Fix the queue alert.", "", "\r\n"},
	}
	o := testOptions()
	o.Directory = testDirectory()
	for _, c := range cases {
		for _, order := range permutations(c.lines) {
			for _, sh := range shapes {
				name := fmt.Sprintf("%s/%s/%s", c.name, strings.Join(order, "|"), sh.name)
				t.Run(name, func(t *testing.T) {
					var b strings.Builder
					b.WriteString("---" + sh.eol + "date: 2026-03-01" + sh.eol + "---" + sh.eol + "## Action items" + sh.eol + sh.eol + sh.head + sh.eol)
					for _, l := range order {
						b.WriteString(sh.indent + l + sh.eol)
					}
					d := mustParse(t, o, b.String())
					if len(d.Actions) != 1 {
						t.Fatalf("%d action items, want 1", len(d.Actions))
					}
					a := d.Actions[0]
					w := c.want
					if got := strings.TrimSuffix(a.Text, "."); got != "Fix the queue alert" {
						t.Errorf("title %q", a.Text)
					}
					if a.OwnerRaw != w.owner {
						t.Errorf("owner %q, want %q", a.OwnerRaw, w.owner)
					}
					if a.DueRaw != w.due {
						t.Errorf("due %q, want %q", a.DueRaw, w.due)
					}
					if w.due != "" && (a.Due.Format("2006-01-02") != w.due || a.DueFrom != "document") {
						t.Errorf("due %s from %q, want %s from the document", a.Due.Format("2006-01-02"), a.DueFrom, w.due)
					}
					if a.StatusRaw != w.status || a.Done != w.done {
						t.Errorf("status %q done %v, want %q done %v", a.StatusRaw, a.Done, w.status, w.done)
					}
					if a.Priority != w.priority {
						t.Errorf("priority %q, want %q", a.Priority, w.priority)
					}
					if a.Ticket.Text != w.ticket {
						t.Errorf("ticket %+v, want %q", a.Ticket, w.ticket)
					}
					if a.Type != w.typ || a.Team != w.team {
						t.Errorf("type %q team %q, want %q %q", a.Type, a.Team, w.typ, w.team)
					}
					for _, e := range a.Errors {
						t.Errorf("error: %s", e.Message)
					}
				})
			}
		}
	}
}

// TestParseFieldLinesBugReport is the document of the report: a
// finalized postmortem whose two items carry one field a line.
func TestParseFieldLinesBugReport(t *testing.T) {
	t.Parallel()
	src := "---\ndate: 2026-03-01\nstatus: final\n---\n## Action items\n\n" +
		"- Fix the queue alert\n  Owner: @alice\n  Due: 2026-04-01\n  Status: done\n" +
		"- Add a runbook\n  Owner: @bob\n  Priority: P1\n"
	d := mustParse(t, testOptions(), src)
	if len(d.Actions) != 2 {
		t.Fatalf("%d action items, want 2", len(d.Actions))
	}
	a, b := d.Actions[0], d.Actions[1]
	if a.Text != "Fix the queue alert" || a.OwnerRaw != "@alice" || a.DueRaw != "2026-04-01" || !a.Done {
		t.Errorf("item 1: %q owner %q due %q done %v", a.Text, a.OwnerRaw, a.DueRaw, a.Done)
	}
	if b.Text != "Add a runbook" || b.OwnerRaw != "@bob" || b.Priority != "P1" || b.Done {
		t.Errorf("item 2: %q owner %q priority %q done %v", b.Text, b.OwnerRaw, b.Priority, b.Done)
	}
}

// TestParseSameLineFieldsKept: fields written on the title's line read
// as before.
func TestParseSameLineFieldsKept(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, text, owner, due, priority string }{
		{"- Fix the queue alert. Owner: @alice, due: 2026-04-01\n", "Fix the queue alert.", "@alice", "2026-04-01", ""},
		{"- Fix the queue alert (owner: @alice, due: 2026-04-01)\n", "Fix the queue alert", "@alice", "2026-04-01", ""},
		{"- Fix the queue alert (owner: @alice, due: 2026-04-01, P1)\n", "Fix the queue alert", "@alice", "2026-04-01", "P1"},
		{"- Fix the queue alert. Owner: @alice\n  Due: 2026-04-01\n", "Fix the queue alert.", "@alice", "2026-04-01", ""},
		{"- Fix the queue alert (owner: @alice,\n  due: 2026-04-01)\n", "Fix the queue alert", "@alice", "2026-04-01", ""},
	} {
		d := mustParse(t, testOptions(), "---\ndate: 2026-03-01\n---\n## Action items\n\n"+tc.src)
		if len(d.Actions) != 1 {
			t.Fatalf("%q: %d action items, want 1", tc.src, len(d.Actions))
		}
		a := d.Actions[0]
		if a.Text != tc.text || a.OwnerRaw != tc.owner || a.DueRaw != tc.due || a.Priority != tc.priority {
			t.Errorf("%q: %q owner %q due %q priority %q", tc.src, a.Text, a.OwnerRaw, a.DueRaw, a.Priority)
		}
	}
}

// permutations returns every order of s.
func permutations(s []string) [][]string {
	if len(s) <= 1 {
		return [][]string{append([]string(nil), s...)}
	}
	var out [][]string
	for i := range s {
		rest := append(append([]string(nil), s[:i]...), s[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{s[i]}, p...))
		}
	}
	return out
}

// TestFieldLinesKeepLinkedTicket: an item pmsync already linked, whose
// title read before with its field lines' labels ("Add a runbook
// Priority: P1"), now reads without them: its key changes, but the link
// in the document names its ticket (the engine follows the link over a
// marker's item key), and the status is written back on the same line,
// never as a second link.
func TestFieldLinesKeepLinkedTicket(t *testing.T) {
	t.Parallel()
	src := "---\ndate: 2026-03-01\n---\n## Action items\n\n" +
		"- Add a runbook\n  Owner: @bob\n  Priority: P1 <!-- pmsync --> ([acme/sre#12](https://github.com/acme/sre/issues/12): Open)\n"
	d := mustParse(t, testOptions(), src)
	if len(d.Actions) != 1 {
		t.Fatalf("%d action items, want 1", len(d.Actions))
	}
	a := d.Actions[0]
	if a.Text != "Add a runbook" || a.Priority != "P1" || a.Ticket.URL != "https://github.com/acme/sre/issues/12" || !a.HasStatus {
		t.Fatalf("%q priority %q ticket %+v status %v", a.Text, a.Priority, a.Ticket, a.HasStatus)
	}
	if old := textKey(ticket.Action.KeyPrefix(), "Add a runbook Priority: P1"); a.Key == old {
		t.Fatalf("key %s is the old title's", a.Key)
	}
	out, _, err := d.Render(map[string]Update{a.Key: {Ticket: a.Ticket, Status: ticket.Status{State: ticket.StateDone}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(out), suffixMarker); n != 1 {
		t.Fatalf("%d suffixes:\n%s", n, out)
	}
	d2 := mustParse(t, testOptions(), string(out))
	if len(d2.Actions) != 1 || d2.Actions[0].Key != a.Key || d2.Actions[0].Ticket != a.Ticket || d2.Actions[0].Status.State != ticket.StateDone {
		t.Fatalf("after write-back:\n%s\n%+v", out, d2.Actions)
	}
}
