package postmortem

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustParse(t *testing.T, o Options, src string) *Doc {
	t.Helper()
	d, err := NewParser(o).Parse("pm/2026-03-01-x.md", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func testDirectory() Directory {
	return Directory{
		People: map[string]Person{
			"alice":   {Key: "alice", Name: "Alice Example", Email: "alice@acme.example", GitHub: "alice-gh"},
			"blasten": {Key: "blasten", GitHub: "blasten"},
		},
		Teams: map[string]Team{"payments": {Key: "payments", GitHub: "acme/payments"}},
	}
}

func TestParseStatusForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		src       string
		unstated  bool
		status    string
		finalized bool
	}{
		{"front matter", "---\nstatus: Final\n---\n# T\n", false, "Final", true},
		{"front matter draft", "---\nstatus: draft\n---\n# T\n", false, "draft", false},
		{"bold key", "# T\n\n**Status:** Complete, action items in progress\n", false, "Complete, action items in progress", true},
		{"bold key colon outside", "# T\n\n**Status**: Final\n", false, "Final", true},
		{"plain key with br", "# T\n\nStatus: final<br> Owners: amirh@\n", false, "final", true},
		{"heading and line", "# T\n\n## Status\n\nPublished\n", false, "Published", true},
		{"heading and blockquote", "# T\n\n## Status\n\n> Draft\n", false, "Draft", false},
		{"key value table", "# T\n\n| | |\n|---|---|\n| Status | published |\n", false, "published", true},
		{"resolved: the incident's state, final", "# T\n\n**Status:** Resolved\n", false, "Resolved", true},
		{"resolved, but the review is a draft", "# T\n\n**Status:** Resolved\n\n> This review is still a draft.\n", false, "Resolved", false},
		{"approved", "# T\n\nStatus: Approved\n", false, "Approved", true},
		{"done", "# T\n\nStatus: Done\n", false, "Done", true},
		{"draft in the title wins", "# [DRAFT] T\n\nStatus: Final\n", false, "Final", false},
		{"draft in the status wins", "# T\n\nStatus: Final (draft)\n", false, "Final (draft)", false},
		{"wip", "# T\n\nStatus: WIP\n", false, "WIP", false},
		{"a Status section of prose is no status", "# T\n\n## Status\n\nThe incident is mitigated. This review is being written.\n", true, "", false},
		{"unstated draft", "# T\n\nText.\n", false, "", false},
		{"unstated final", "# T\n\nText.\n", true, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.FinalWhenUnstated = tc.unstated
			d := mustParse(t, o, tc.src)
			if d.Status != tc.status || d.Finalized != tc.finalized {
				t.Fatalf("status %q finalized %v, want %q %v", d.Status, d.Finalized, tc.status, tc.finalized)
			}
		})
	}
}

func TestParseActionShapes(t *testing.T) {
	t.Parallel()
	type want struct {
		text, owner, due, dueFrom, priority, ticket string
		done                                        bool
	}
	tests := []struct {
		name string
		src  string
		want []want
	}{
		{"table with synonyms", "---\ndate: 2026-03-01\n---\n## Follow-ups\n\n| Task | DRI | Deadline | Pri | Jira |\n|---|---|---|---|---|\n| Add **alert** | @alice | Q2 2026 | **P1** | OPS-12 |\n| Fix | alice | 2026/04/01 | High | Bug 42 |\n",
			[]want{{text: "Add alert", owner: "@alice", due: "2026-06-30", dueFrom: "document", priority: "P1", ticket: "OPS-12"},
				{text: "Fix", owner: "alice", due: "2026-04-01", dueFrom: "document", priority: "P1"}}},
		{"checklist with inline metadata", "---\ndate: 2026-03-01\n---\n## Action items\n\n- [ ] Add saturation alert (owner: @alice, due: 2026-04-01, P1)\n- [x] Raise the prefetch limit\n- [] Malformed box by 2026-05-15\n",
			[]want{{text: "Add saturation alert", owner: "@alice", due: "2026-04-01", dueFrom: "document", priority: "P1"},
				{text: "Raise the prefetch limit", done: true},
				{text: "Malformed box", due: "2026-05-15", dueFrom: "document"}}},
		{"wrapped OWNER and (DONE)", "---\ndate: 2026-03-01\n---\n## Action items\n\n- The script should exclude plugins. OWNER:\n  blasten@ (DONE).\n",
			[]want{{text: "The script should exclude plugins.", owner: "blasten@", done: true}}},
		{"horizons and completed group", "---\ndate: 2026-03-01\nresolved_at: 2026-03-02T10:00:00Z\n---\n## Remediation\n\n### Immediate actions (completed)\n\n- Restarted it\n\n### Short-term\n\n- Add alert\n\n**In progress (next 4 weeks):**\n\n- Add probe\n\n### Long-term\n\n1. Rewrite it\n",
			[]want{{text: "Restarted it", done: true},
				{text: "Add alert", due: "2026-03-16", dueFrom: "horizon"},
				{text: "Add probe", due: "2026-03-30", dueFrom: "horizon"},
				{text: "Rewrite it", due: "2026-08-29", dueFrom: "horizon"}}},
		{"label list item", "---\ndate: 2026-03-01\n---\n- **Impact**: some\n- **Review actions**:\n\n1. Speak to owner\n2. Add `*.out` to gitignore\n",
			[]want{{text: "Speak to owner", due: "2026-04-26", dueFrom: "policy"}, {text: "Add *.out to gitignore", due: "2026-04-26", dueFrom: "policy"}}},
		{"plain line label", "---\ndate: 2026-03-01\n---\nAction Items\n\n- Set up alerting (P0)\n",
			[]want{{text: "Set up alerting", priority: "P0", due: "2026-03-15", dueFrom: "policy"}}},
		{"trailing issue link adopted", "---\ndate: 2026-03-01\n---\n## Action Items\n\n- Automate deploys ([#11957](https://github.com/kubernetes/test-infra/issues/11957))\n- Fix it [FIXED](https://github.com/a/b/commit/abc)\n",
			[]want{{text: "Automate deploys", due: "2026-04-26", dueFrom: "policy", ticket: "https://github.com/kubernetes/test-infra/issues/11957"},
				{text: "Fix it", done: true}}},
		{"bold lead title", "---\ndate: 2026-03-01\n---\n## Action Items\n\n- **Implement priority classes**: It can happen again.\n",
			[]want{{text: "Implement priority classes", due: "2026-04-26", dueFrom: "policy"}}},
		{"fences and comments are not items", "---\ndate: 2026-03-01\n---\n## Action items\n\n<!--\n- commented out\n-->\n\n```markdown\n| Action item | Owner |\n|---|---|\n| fenced | x |\n- fenced item\n```\n\n- Real one\n",
			[]want{{text: "Real one", due: "2026-04-26", dueFrom: "policy"}}},
		{"setext headings", "Title\n=====\n\nDate: 2026-03-01\n\nAction items\n------------\n\n1.  **Deeper monitoring**\nWe plan to add metrics:\n\n-   Disk read amplification\n\n2.  **Runbooks**\n",
			[]want{{text: "Deeper monitoring", due: "2026-04-26", dueFrom: "policy"}, {text: "Runbooks", due: "2026-04-26", dueFrom: "policy"}}},
		{"action point paragraph", "---\ndate: 2026-03-01\n---\n## Lessons\n\nAction point: enable push alerts\n",
			[]want{{text: "enable push alerts", due: "2026-04-26", dueFrom: "policy"}}},
		{"table under no heading, header in first row", "---\ndate: 2026-03-01\n---\n|  |  |  |\n|---|---|---|\n| **Action Item** | **Owner** | **Bug** |\n| Add logs | alice | TODO. |\n",
			[]want{{text: "Add logs", owner: "alice", due: "2026-04-26", dueFrom: "policy"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.Directory = testDirectory()
			d := mustParse(t, o, tc.src)
			if len(d.Actions) != len(tc.want) {
				var got []string
				for _, a := range d.Actions {
					got = append(got, a.Text)
				}
				t.Fatalf("%d action items %q, want %d", len(d.Actions), got, len(tc.want))
			}
			for i, w := range tc.want {
				a := d.Actions[i]
				got := want{text: a.Text, owner: a.OwnerRaw, priority: a.Priority, ticket: refString(a.Ticket), done: a.Done, dueFrom: a.DueFrom}
				if !a.Due.IsZero() {
					got.due = a.Due.Format("2006-01-02")
				}
				if got != w {
					t.Errorf("item %d:\n got %+v\nwant %+v (errors %v)", i, got, w, a.Errors)
				}
			}
		})
	}
}

func TestParseOwnersAndErrors(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Directory = testDirectory()
	d := mustParse(t, o, "---\ndate: 2026-03-01\n---\n## Action items\n\n- A (owner: Alice Example)\n- B (owner: payments)\n- C (owner: zed)\n- D (owner: @newhire)\n- E (due: 31/02/2026)\n")
	a := d.Actions
	if a[0].Owner.Person != "alice" || a[1].Owner.Team != "payments" || a[3].Owner.Handle != "newhire" {
		t.Errorf("owners: %+v %+v %+v", a[0].Owner, a[1].Owner, a[3].Owner)
	}
	if len(a[2].Errors) != 1 || !strings.Contains(a[2].Errors[0].Message, `"zed"`) || a[2].Errors[0].Line != 8 {
		t.Errorf("unknown owner: %+v", a[2].Errors)
	}
	if len(a[4].Errors) != 1 || !strings.Contains(a[4].Errors[0].Message, "31/02/2026") {
		t.Errorf("impossible date: %+v", a[4].Errors)
	}
	// No date anywhere: the policy default has nothing to count from.
	d = mustParse(t, o, "# T\n\n## Action items\n\n- A\n")
	if d.Actions[0].Due.IsZero() && len(d.Actions[0].Errors) == 0 {
		t.Error("no date and no due: want an error")
	}
}

// TestParseOwnerEndsAtLineBreak: an owner field's value ends at its line
// break, or before the next field's label on the same line ("Owner: @alice
// Due: ..."), never taking the next line's label into the owner ("@alice
// Due"): a wrong owner is worse than none.
func TestParseOwnerEndsAtLineBreak(t *testing.T) {
	t.Parallel()
	shapes := []struct {
		name, tmpl string // tmpl: the action items section, %s the owner as written
		due        string // the due date read, "" not checked
		done       bool
		// text is the title when it is not "Add a queue depth alert" (with
		// or without the "."): a status label on the title's line stays in
		// it (a label on a line of its own is read as its field).
		text string
	}{
		{"list item, continuation lines", "- **Add a queue depth alert**\n  Owner: %s\n  Due: 2026-04-01\n", "2026-04-01", false, ""},
		{"list item, plain title", "- Add a queue depth alert\n  Owner: %s\n  Due: 2026-04-01\n", "2026-04-01", false, ""},
		{"paragraph, soft breaks", "Add a queue depth alert.\nOwner: %s\nDue: 2026-04-01\n", "2026-04-01", false, ""},
		{"numbered, bold title", "1. **Add a queue depth alert**\n   Owner: %s\n   Due: 2026-04-01\n", "2026-04-01", false, ""},
		{"numbered, bold title, CRLF", "1. **Add a queue depth alert**\r\n   Owner: %s\r\n   Due: 2026-04-01\r\n", "2026-04-01", false, ""},
		{"list item, CRLF", "- **Add a queue depth alert**\r\n  Owner: %s\r\n  Due: 2026-04-01\r\n", "2026-04-01", false, ""},
		{"paragraph, CRLF", "Add a queue depth alert.\r\nOwner: %s\r\nDue: 2026-04-01\r\n", "2026-04-01", false, ""},
		{"lower-case labels", "- Add a queue depth alert\n  owner: %s\n  due: 2026-04-01\n", "2026-04-01", false, ""},
		{"upper-case labels", "- Add a queue depth alert\n  OWNER: %s\n  DUE: 2026-04-01\n", "2026-04-01", false, ""},
		{"due date label", "- Add a queue depth alert\n  Owner: %s\n  Due date: 2026-04-01\n", "2026-04-01", false, ""},
		{"deadline label", "- Add a queue depth alert\n  Owner: %s\n  Deadline: 2026-04-01\n", "2026-04-01", false, ""},
		{"status label", "- Add a queue depth alert\n  Owner: %s\n  Status: done\n", "", true, ""},
		{"ticket label", "- Add a queue depth alert\n  Owner: %s\n  Ticket: OPS-12\n", "", false, ""},
		{"priority label", "- Add a queue depth alert\n  Owner: %s\n  Priority: P1\n", "", false, ""},
		{"owner line after the title's line", "- Add a queue depth alert. Owner: %s\n  Due: 2026-04-01\n", "2026-04-01", false, ""},
		{"same line, comma", "- Add a queue depth alert. Owner: %s, due: 2026-04-01\n", "2026-04-01", false, ""},
		{"same line, no comma", "- Add a queue depth alert. Owner: %s Due: 2026-04-01\n", "2026-04-01", false, ""},
		{"same line, due date label", "- Add a queue depth alert. Owner: %s Due date: 2026-04-01\n", "2026-04-01", false, ""},
		{"same line, status label", "- Add a queue depth alert. Owner: %s Status: done\n", "", true, "Add a queue depth alert. Status"},
		{"parenthetical over two lines", "- Add a queue depth alert (owner: %s\n  due: 2026-04-01)\n", "2026-04-01", false, ""},
	}
	owners := []struct{ raw, person string }{
		{"@alice", "alice"}, {"Alice Example", "alice"}, {"alice@", "alice"}, {"alice@acme.example", "alice"},
		{"TBD", ""}, {"n/a", ""}, {"none", ""}, {"unassigned", ""},
	}
	for _, sh := range shapes {
		for _, ow := range owners {
			t.Run(sh.name+"/"+ow.raw, func(t *testing.T) {
				o := testOptions()
				o.Directory = testDirectory()
				src := "---\ndate: 2026-03-01\n---\n## Action items\n\n" + fmt.Sprintf(sh.tmpl, ow.raw)
				d := mustParse(t, o, src)
				if len(d.Actions) != 1 {
					t.Fatalf("%d action items, want 1", len(d.Actions))
				}
				a := d.Actions[0]
				if a.OwnerRaw != ow.raw || a.Owner.Person != ow.person || a.Owner.Team != "" || a.Owner.Handle != "" {
					t.Errorf("owner %q %+v, want %q (person %q)", a.OwnerRaw, a.Owner, ow.raw, ow.person)
				}
				for _, e := range a.Errors {
					if strings.Contains(e.Message, "owner") {
						t.Errorf("error: %s", e.Message)
					}
				}
				if a.Text != sh.text && (sh.text != "" || a.Text != "Add a queue depth alert" && a.Text != "Add a queue depth alert.") {
					t.Errorf("text %q", a.Text)
				}
				if got := a.Due.Format("2006-01-02"); sh.due != "" && (got != sh.due || a.DueFrom != "document") {
					t.Errorf("due %s from %q, want %s from the document", got, a.DueFrom, sh.due)
				}
				if a.Done != sh.done {
					t.Errorf("done %v, want %v", a.Done, sh.done)
				}
			})
		}
	}
	// An empty owner field is no owner: the next line's label is not one.
	for _, src := range []string{
		"- Add a queue depth alert\n  Owner:\n  Due: 2026-04-01\n",
		"Add a queue depth alert.\r\nOwner:\r\nDue: 2026-04-01\r\n",
		"- Add a queue depth alert. Owner: Due: 2026-04-01\n",
	} {
		d := mustParse(t, testOptions(), "---\ndate: 2026-03-01\n---\n## Action items\n\n"+src)
		if len(d.Actions) != 1 {
			t.Fatalf("%q: %d action items, want 1", src, len(d.Actions))
		}
		if a := d.Actions[0]; a.OwnerRaw != "" || len(a.Errors) > 0 || a.Due.Format("2006-01-02") != "2026-04-01" {
			t.Errorf("%q: owner %q, due %s, errors %v; want no owner, due 2026-04-01", src, a.OwnerRaw, a.Due.Format("2006-01-02"), a.Errors)
		}
	}
}

// TestKeyStableAcrossAnnotations: editing an item's owner, due date,
// status or pmsync's own suffix keeps its key, so no second ticket opens.
func TestKeyStableAcrossAnnotations(t *testing.T) {
	t.Parallel()
	o := testOptions()
	base := mustParse(t, o, "## Action items\n\n- Add saturation alert\n").Actions[0].Key
	for _, variant := range []string{
		"- Add saturation alert (owner: @alice, due: 2026-04-01, P1)",
		"- [x] Add saturation alert",
		"- Add **saturation** alert. (done)",
		"- Add saturation alert <!-- pmsync --> ([acme/sre#1](https://github.com/acme/sre/issues/1): Open)",
		"* add  saturation alert",
	} {
		got := mustParse(t, o, "## Action items\n\n"+variant+"\n").Actions[0].Key
		if got != base {
			t.Errorf("%q: key %s, want %s", variant, got, base)
		}
	}
	if !strings.HasPrefix(base, "ai-") || len(base) != 11 {
		t.Errorf("key %q is not ai- plus 8 hex digits", base)
	}
	f := mustParse(t, o, "## Contributing factors\n\n- Too few replicas\n").Factors
	if len(f) != 1 || !strings.HasPrefix(f[0].Key, "cf-") {
		t.Errorf("factor keys: %+v", f)
	}
	id := mustParse(t, o, "## Action items\n\n| ID | Action item |\n|---|---|\n| A-1 | Do it |\n").Actions[0].Key
	if id != "ai-a-1" {
		t.Errorf("id column key %q, want ai-a-1", id)
	}
}

func TestParseMetadata(t *testing.T) {
	t.Parallel()
	d := mustParse(t, testOptions(), "---\nid: pm-42\ntitle: DB failover\ndate: 2026-01-14\nseverity: SEV1\nteams: [payments, platform]\nservices: [checkout]\nstarted_at: 2026-01-14T09:00:00Z\ndetected_at: 2026-01-14 09:05 UTC\nresolved_at: 2026-01-14T11:00:00+01:00\ntracker: gh:acme/x\n---\n# Other title\n")
	if d.ID != "pm-42" || d.Title != "DB failover" || d.Severity != "SEV1" || d.Tracker != "gh:acme/x" {
		t.Errorf("fields: %+v", d)
	}
	if len(d.Teams) != 2 || d.Services[0] != "checkout" || !d.Date.Equal(day("2026-01-14")) {
		t.Errorf("lists/date: %v %v %v", d.Teams, d.Services, d.Date)
	}
	if d.DetectedAt.Sub(d.StartedAt) != 5*time.Minute || d.ResolvedAt.Sub(d.StartedAt) != time.Hour {
		t.Errorf("timestamps: %v %v %v", d.StartedAt, d.DetectedAt, d.ResolvedAt)
	}
	d = mustParse(t, testOptions(), "# 2023-02-01 Heavy use\n\ntext\n")
	if d.ID != "pm/2026-03-01-x" || !d.Date.Equal(day("2023-02-01")) {
		t.Errorf("defaults: id %q date %v", d.ID, d.Date)
	}
}

// TestStrayBulletBesideActionTable: a section's action items are in a
// table, so its bullets are a preamble and not tracked; one that names an
// owner or a due date is a real action item, and lint must say it gets
// no ticket. A plain preamble bullet gets no warning.
func TestStrayBulletBesideActionTable(t *testing.T) {
	t.Parallel()
	src := "---\nstatus: final\n---\n# Outage\n\n## Action items\n\n" +
		"- Priority: P0 is urgent, P1 soon\n" +
		"- Rotate the on-call runbook (owner: @alice, due 2026-12-01)\n\n" +
		"| Action item | Owner | Due |\n|---|---|---|\n| Add an alert | @alice | 2026-12-01 |\n"
	d := mustParse(t, Options{Directory: testDirectory()}, src)
	if n := len(d.Actions); n != 1 {
		t.Fatalf("%d action items, want the table's 1", n)
	}
	var got []Diagnostic
	for _, dg := range d.Diags {
		if strings.Contains(dg.Message, "is not tracked") {
			got = append(got, dg)
		}
	}
	if len(got) != 1 || got[0].Line != 9 || got[0].Level != LevelWarning || !strings.Contains(got[0].Message, "Rotate the on-call runbook") {
		t.Fatalf("warnings %+v, want one for line 9", got)
	}
}
