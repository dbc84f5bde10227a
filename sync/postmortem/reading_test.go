package postmortem

import (
	"fmt"
	"strings"
	"testing"
)

// These tests read documents the way a user checks pmsync's reading:
// which items it finds, their owner, ticket and done flag, and what lint
// says about them.

// readAction is what a user checks of one action item.
type readAction struct {
	text, owner, ticket string
	done                bool
}

// readActions parses src and returns its action items as a user sees them.
func readActions(t *testing.T, o Options, src string) (*Doc, []readAction) {
	t.Helper()
	d := mustParse(t, o, src)
	var out []readAction
	for _, a := range d.Actions {
		out = append(out, readAction{text: a.Text, owner: a.OwnerRaw, ticket: refString(a.Ticket), done: a.Done})
	}
	return d, out
}

// lintMessages is every error and warning lint reports, "error: ..." or
// "warning: ...".
func lintMessages(d *Doc, o LintOptions) []string {
	errs, warns := d.Lint(o)
	var out []string
	for _, e := range errs {
		out = append(out, "error: "+e.Message)
	}
	for _, w := range warns {
		out = append(out, "warning: "+w.Message)
	}
	return out
}

// hasMessage reports whether one of msgs contains every part.
func hasMessage(msgs []string, parts ...string) bool {
	for _, m := range msgs {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(m, p)
		}
		if ok {
			return true
		}
	}
	return false
}

func sameActions(t *testing.T, got, want []readAction, d *Doc) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d action items %+v, want %d %+v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d:\n got %+v\nwant %+v (errors %+v)", i, got[i], want[i], d.Actions[i].Errors)
		}
	}
}

const finalHead = "Status: Final\nDate: 2026-03-01\n\n"

// TestTitleIsNotAGroupHeading: the document's title names the document;
// its words must not mark items done, give them a horizon or turn off the
// recognition of the section headings below it.
func TestTitleIsNotAGroupHeading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, body string // the document: its title, then finalHead, then body
		want              readAction
		dueFrom           string
	}{
		{"completed in the title", "# Rollout completed late", "## Action items\n\n- Add a canary stage", readAction{text: "Add a canary stage"}, "policy"},
		{"done in the title", "# Deploys done twice", "## Action items\n\n- Make deploys idempotent", readAction{text: "Make deploys idempotent"}, "policy"},
		{"horizon word in the title", "# Long-term storage outage", "## Action items\n\n- Add a disk alert", readAction{text: "Add a disk alert"}, "policy"},
		{"summary in the title", "# Incident summary: API outage", "## Follow-up work for the API team\n\n- Add rate limits", readAction{text: "Add rate limits"}, "policy"},
		{"status in the title", "# Status page showed green", "## Follow-up work for the API team\n\n- Probe the status page", readAction{text: "Probe the status page"}, "policy"},
		{"log in the title", "# Log shipping stalled", "## Next steps for the ingest team\n\n- Alert on shipping lag", readAction{text: "Alert on shipping lag"}, "policy"},
		{"setext title", "Rollout completed late\n======================", "Action items\n------------\n\n- Add a canary stage", readAction{text: "Add a canary stage"}, "policy"},
		// What the title no longer does, a real group heading still does.
		{"completed sub-heading", "# Rollout", "## Action items\n\n### Completed\n\n- Rolled back", readAction{text: "Rolled back", done: true}, ""},
		{"horizon sub-heading", "# Rollout", "## Action items\n\n### Long-term\n\n- Add a disk alert", readAction{text: "Add a disk alert"}, "horizon"},
		{"an hour of the timeline is no section", "# Rollout", "## Timeline\n\n### 14:02 Post-incident follow-up\n\n- Paged the on-call\n\n## Action items\n\n- Add a canary stage",
			readAction{text: "Add a canary stage"}, "policy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, got := readActions(t, testOptions(), tc.title+"\n\n"+finalHead+tc.body+"\n")
			sameActions(t, got, []readAction{tc.want}, d)
			if d.Actions[0].DueFrom != tc.dueFrom {
				t.Errorf("due from %q, want %q", d.Actions[0].DueFrom, tc.dueFrom)
			}
			if msgs := lintMessages(d, LintOptions{}); hasMessage(msgs, "error:") {
				t.Errorf("lint errors: %q", msgs)
			}
		})
	}
}

// TestJiraShapedWordsAreNotTickets: a word shaped like a Jira key at the
// end (or start) of an item is its ticket only when it can be one: its
// project is a configured Jira project, or, with none configured, it is
// not a common technical token. Otherwise the text stays in the title and
// the item gets a ticket of its own.
func TestJiraShapedWordsAreNotTickets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		projects []string
		item     string
		want     readAction
	}{
		{"UTF-8", nil, "- Convert the exports to UTF-8", readAction{text: "Convert the exports to UTF-8"}},
		{"SHA-256", nil, "- Switch the checksums to SHA-256", readAction{text: "Switch the checksums to SHA-256"}},
		{"HTTP-2", nil, "- Serve the API over HTTP-2", readAction{text: "Serve the API over HTTP-2"}},
		{"ISO-8601", nil, "- Log timestamps in ISO-8601", readAction{text: "Log timestamps in ISO-8601"}},
		{"TLS-1", nil, "- Refuse anything below TLS-1", readAction{text: "Refuse anything below TLS-1"}},
		{"SEV-1", nil, "- Page the incident lead on SEV-1", readAction{text: "Page the incident lead on SEV-1"}},
		{"one letter", nil, "- Move the batch to X-1", readAction{text: "Move the batch to X-1"}},
		{"bug and four digits", nil, "- Fix the alert for bug 1234", readAction{text: "Fix the alert for bug 1234"}},
		{"technical token first", nil, "- UTF-8: convert the exports", readAction{text: "UTF-8: convert the exports"}},
		{"a key with no projects configured", nil, "- Rotate the ledger credentials PAY-878", readAction{text: "Rotate the ledger credentials", ticket: "PAY-878"}},
		{"a key first", nil, "- PAY-900: Move the cron job to UTC", readAction{text: "Move the cron job to UTC", ticket: "PAY-900"}},
		{"bug with seven digits", nil, "- Page on ledger write latency Bug 5554823", readAction{text: "Page on ledger write latency", ticket: "Bug 5554823"}},
		{"bug #number", nil, "- Fix the alert Bug #4431", readAction{text: "Fix the alert", ticket: "Bug #4431"}},
		{"configured project", []string{"PAY", "OPS"}, "- Rotate the ledger credentials PAY-878", readAction{text: "Rotate the ledger credentials", ticket: "PAY-878"}},
		{"configured project, any case", []string{"pay"}, "- Rotate the ledger credentials PAY-878", readAction{text: "Rotate the ledger credentials", ticket: "PAY-878"}},
		// Another team's project: still the ticket the item names (a miss
		// would open a duplicate of it).
		{"unconfigured project", []string{"PAY"}, "- Rotate the ledger credentials OPS-878", readAction{text: "Rotate the ledger credentials", ticket: "OPS-878"}},
		{"unconfigured project first", []string{"PAY"}, "- OPS-900: Move the cron job to UTC", readAction{text: "Move the cron job to UTC", ticket: "OPS-900"}},
		{"unconfigured technical token", []string{"PAY"}, "- Convert the exports to UTF-8", readAction{text: "Convert the exports to UTF-8"}},
		{"configured technical-looking project", []string{"SEV"}, "- Page the incident lead SEV-12", readAction{text: "Page the incident lead", ticket: "SEV-12"}},
		{"linked key, unconfigured project", []string{"PAY"}, "- Review retries [OPS-7](https://acme.atlassian.net/browse/OPS-7)",
			readAction{text: "Review retries", ticket: "https://acme.atlassian.net/browse/OPS-7"}},
		{"linked technical token is no ticket", nil, "- Switch the checksums to [SHA-256](https://en.wikipedia.org/wiki/SHA-2)",
			readAction{text: "Switch the checksums to SHA-256"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.JiraProjects = tc.projects
			d, got := readActions(t, o, "# T\n\n"+finalHead+"## Action items\n\n"+tc.item+"\n")
			sameActions(t, got, []readAction{tc.want}, d)
		})
	}
}

// TestMentionIsNeverTruncated: "@Marco Rossi" in the middle of an item is
// Marco Rossi or nobody, never the person "marco".
func TestMentionIsNeverTruncated(t *testing.T) {
	t.Parallel()
	withMarco := func(name string) Directory {
		d := testDirectory()
		d.People["marco"] = Person{Key: "marco", Name: name, GitHub: "marco-gh"}
		return d
	}
	tests := []struct {
		name      string
		dir       Directory
		item      string
		person    string // the resolved person, "" for none
		handle    string
		unsure    bool // lint says the mention resolves to nobody
		wantTitle string
	}{
		{"display name nobody has", withMarco(""), "- Ask @Marco Rossi about the rollout plan", "", "", true, "Ask @Marco Rossi about the rollout plan"},
		{"display name in people", withMarco("Marco Rossi"), "- Ask @Marco Rossi about the rollout plan", "marco", "", false, "Ask @Marco Rossi about the rollout plan"},
		{"three words", withMarco("María José García"), "- Ask @María José García about it", "marco", "", false, "Ask @María José García about it"},
		{"a login stays a login", withMarco(""), "- Ask @alice about the rollout plan", "alice", "", false, "Ask @alice about the rollout plan"},
		{"an unknown login stays a login", withMarco(""), "- Ask @newhire about the rollout plan", "", "newhire", false, "Ask @newhire about the rollout plan"},
		{"a login before a lower-case word", withMarco(""), "- Ping @Marco when done with it", "marco", "", false, "Ping @Marco when done with it"},
		{"a login before an acronym", withMarco(""), "- Walk @alice SRE staff through the CI setup", "alice", "", false, "Walk @alice SRE staff through the CI setup"},
		{"a login with digits", withMarco(""), "- Ask @marco2 Rossi about it", "", "marco2", false, "Ask @marco2 Rossi about it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.Directory = tc.dir
			d := mustParse(t, o, "# T\n\n"+finalHead+"## Action items\n\n"+tc.item+"\n")
			if len(d.Actions) != 1 {
				t.Fatalf("%d action items, want 1", len(d.Actions))
			}
			a := d.Actions[0]
			if a.Owner.Person != tc.person || a.Owner.Handle != tc.handle || a.Owner.Team != "" {
				t.Errorf("owner %+v (raw %q), want person %q handle %q", a.Owner, a.OwnerRaw, tc.person, tc.handle)
			}
			if a.Text != tc.wantTitle {
				t.Errorf("title %q, want %q", a.Text, tc.wantTitle)
			}
			msgs := lintMessages(d, LintOptions{})
			if got := hasMessage(msgs, "warning: owner", "is not in people or teams, so the ticket is opened unassigned"); got != tc.unsure {
				t.Errorf("unassigned warning %v, want %v: %q", got, tc.unsure, msgs)
			}
			if hasMessage(msgs, "error:", "owner") {
				t.Errorf("an owner error for a mention: %q", msgs)
			}
		})
	}
}

// TestTableTextCell: what a table's text cell says about the row is read
// as a list item's text is: a ticket (when the row names none in a
// column), a team before the text, and a trailing mention or date that
// cannot be read is a warning.
func TestTableTextCell(t *testing.T) {
	t.Parallel()
	head := "# T\n\n" + finalHead + "## Action items\n\n"
	tests := []struct {
		name     string
		projects []string
		table    string
		want     []readAction
		warn     []string // parts of a warning lint must give
	}{
		{"key in the text cell", nil, "| Action item | Owner |\n|---|---|\n| Add alert PLAT-12 | @alice |\n",
			[]readAction{{text: "Add alert", owner: "@alice", ticket: "PLAT-12"}}, nil},
		{"issue link in the text cell", nil, "| Action item | Owner |\n|---|---|\n| Add probe ([acme/sre#4](https://github.com/acme/sre/issues/4)) | @alice |\n",
			[]readAction{{text: "Add probe", owner: "@alice", ticket: "https://github.com/acme/sre/issues/4"}}, nil},
		{"the ticket column wins", nil, "| Action item | Owner | Ticket |\n|---|---|---|\n| Add alert PLAT-12 | @alice | OPS-3 |\n| Add probe PLAT-13 | @alice | |\n",
			[]readAction{{text: "Add alert", owner: "@alice", ticket: "OPS-3"}, {text: "Add probe", owner: "@alice", ticket: "PLAT-13"}}, nil},
		{"another team's project is its ticket", []string{"OPS"}, "| Action item | Owner |\n|---|---|\n| Add alert PLAT-12 | @alice |\n",
			[]readAction{{text: "Add alert", owner: "@alice", ticket: "PLAT-12"}}, nil},
		{"technical token stays text", nil, "| Action item | Owner |\n|---|---|\n| Convert the exports to UTF-8 | @alice |\n",
			[]readAction{{text: "Convert the exports to UTF-8", owner: "@alice"}}, nil},
		{"team before the text", nil, "| Action item | Owner |\n|---|---|\n| Payments: add refund retries | |\n",
			[]readAction{{text: "Add refund retries", owner: "Payments"}}, nil},
		{"team before the text, owner column wins", nil, "| Action item | Owner |\n|---|---|\n| Payments: add refund retries | @alice |\n",
			[]readAction{{text: "Payments: add refund retries", owner: "@alice"}}, nil},
		{"unknown mention at the end", nil, "| Action item | Due |\n|---|---|\n| Add a probe @Carol Example | 2026-05-01 |\n",
			[]readAction{{text: "Add a probe", owner: "Carol Example"}}, []string{`owner "Carol Example" is not in people or teams, so the ticket is opened unassigned`}},
		{"unreadable date at the end", nil, "| Action item | Owner |\n|---|---|\n| Add a probe 31/02/2026 | @alice |\n",
			[]readAction{{text: "Add a probe", owner: "@alice"}}, []string{"the date at the end of the item is not used as its due date"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.Directory = testDirectory()
			o.JiraProjects = tc.projects
			d, got := readActions(t, o, head+tc.table)
			sameActions(t, got, tc.want, d)
			assertWriteBack(t, NewParser(o), "pm/x.md", []byte(head+tc.table))
			msgs := lintMessages(d, LintOptions{})
			for _, w := range tc.warn {
				if !hasMessage(msgs, "warning: "+w) {
					t.Errorf("no warning %q: %q", w, msgs)
				}
			}
			for _, m := range msgs {
				if strings.HasPrefix(m, "error:") {
					t.Errorf("unexpected %s", m)
				}
			}
		})
	}
}

// TestActionParagraphsAreReadOrNamed: a paragraph under an action heading
// that starts "Add the ..." is an action; a template's guidance is not,
// and lint says it was skipped.
func TestActionParagraphsAreReadOrNamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		para string
		want []readAction
		warn string
	}{
		{"add the", "Add the retry budget to the ledger client.", []readAction{{text: "Add the retry budget to the ledger client."}}, ""},
		{"list the", "List the ledger's consumers in the service catalogue.", []readAction{{text: "List the ledger's consumers in the service catalogue."}}, ""},
		{"guidance: list the action items", "List the action items here, with an owner and a due date for each.", nil,
			`paragraph under "Action items" not read`},
		{"guidance: add your", "Add your follow-ups below.", nil, `paragraph under "Action items" not read`},
		{"guidance: list all", "List all remediation items.", nil, `paragraph under "Action items" not read`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, got := readActions(t, testOptions(), "# T\n\n"+finalHead+"## Action items\n\n"+tc.para+"\n")
			sameActions(t, got, tc.want, d)
			if tc.warn != "" && !hasMessage(lintMessages(d, LintOptions{}), "warning: "+tc.warn) {
				t.Errorf("no warning %q: %q", tc.warn, lintMessages(d, LintOptions{}))
			}
		})
	}
}

// TestOtherTrackersTickets: an item linked to a GitLab, Trello or Linear
// item is tracked there: the link is its ticket, read from the URL, never
// as a GitHub reference from the link's text.
func TestOtherTrackersTickets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tail, url string // the item is "Fix the probe " and tail with url in it
	}{
		{"gitlab link, subgroup", "[group/proj#12](%s)", "https://gitlab.com/group/sub/proj/-/issues/12"},
		{"gitlab link, project", "[group/proj#12](%s)", "https://gitlab.com/group/proj/-/issues/12"},
		{"self-hosted gitlab", "([g/p#12](%s))", "https://gitlab.example.com/g/p/-/issues/12"},
		{"gitlab work item", "%s", "https://gitlab.example.com/g/p/-/work_items/12"},
		{"bare trello card", "%s", "https://trello.com/c/abc123/12-fix-the-probe"},
		{"bare linear issue", "- %s", "https://linear.app/acme/issue/ENG-123/fix-the-probe"},
		{"linear link in parentheses", "([ENG-123](%s))", "https://linear.app/acme/issue/ENG-123/fix-the-probe"},
		{"trello link in parentheses", "([card](%s))", "https://trello.com/c/abc123"},
		{"trello URL in parentheses", "(%s)", "https://trello.com/c/abc123"},
		{"gitlab link in a ticket column", "| %s |", "https://gitlab.com/group/proj/-/issues/12"},
	}
	// A GitLab link that names no item is no ticket, and never a GitHub one.
	d, got := readActions(t, testOptions(), "# T\n\n"+finalHead+"## Action items\n\n- Fix the probe [group/proj#12](https://gitlab.com/group/proj/-/boards)\n")
	sameActions(t, got, []readAction{{text: "Fix the probe group/proj#12"}}, d)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			item := "- Fix the probe " + fmt.Sprintf(tc.tail, tc.url)
			if strings.HasPrefix(tc.tail, "|") {
				item = "| Action item | Ticket |\n|---|---|\n| Fix the probe " + fmt.Sprintf(tc.tail, "[group/proj#12]("+tc.url+")")
			}
			d, got := readActions(t, testOptions(), "# T\n\n"+finalHead+"## Action items\n\n"+item+"\n")
			sameActions(t, got, []readAction{{text: "Fix the probe", ticket: tc.url}}, d)
			if r := d.Actions[0].Ticket; reRepoRef.MatchString(r.Text) {
				t.Errorf("ticket %+v: its text reads as a GitHub reference", r)
			}
		})
	}
}

// TestTheTeamTo: "The Platform team to ..." names the platform team.
func TestTheTeamTo(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Directory = testDirectory()
	o.Directory.Teams["platform"] = Team{Key: "platform", GitHub: "acme/platform"}
	d := mustParse(t, o, "# T\n\n"+finalHead+"## Action items\n\n- The Platform team to drain the ledger workers before upgrades\n- the payments team will add refund retries\n")
	want := []struct{ text, team string }{{"Drain the ledger workers before upgrades", "platform"}, {"Add refund retries", "payments"}}
	if len(d.Actions) != len(want) {
		t.Fatalf("%d action items, want %d", len(d.Actions), len(want))
	}
	for i, w := range want {
		if a := d.Actions[i]; a.Text != w.text || a.Owner.Team != w.team {
			t.Errorf("item %d: %q owner %+v (raw %q), want %q team %q", i, a.Text, a.Owner, a.OwnerRaw, w.text, w.team)
		}
	}
}

// TestLintWording: lint's findings say what the parser read.
func TestLintWording(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		want    []string // parts of one message, each
		notWant []string
	}{
		{"an hour of the timeline is no empty section",
			"# T\n\n" + finalHead + "## Timeline\n\n### 14:02 Post-incident follow-up\n\nPaged the on-call.\n\n## Action items\n\n- Add a canary stage (owner: @alice)\n",
			nil, []string{"14:02 Post-incident follow-up"}},
		{"no owner warning only where a ticket will be opened",
			"# T\n\n" + finalHead + "## Action items\n\n- Add a canary stage\n- Rotate the ledger credentials PAY-878\n- Alert on lag https://github.com/acme/sre/issues/456\n",
			[]string{`"Add a canary stage" has no owner: its ticket will be opened unassigned`},
			[]string{`"Rotate the ledger credentials" has no owner`, `"Alert on lag" has no owner`}},
		{"a checklist is called a checklist",
			"# T\n\n" + finalHead + "## Action items\n\n- [ ] Sections above are filled out\n- [ ] The report has been reviewed\n\n## Follow-ups\n\n- Add a canary stage (owner: @alice)\n",
			[]string{`checklist under "Action items" is for writing this report, not action items`}, []string{"paragraph under"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions()
			o.Directory = testDirectory()
			msgs := lintMessages(mustParse(t, o, tc.src), LintOptions{})
			for _, w := range tc.want {
				if !hasMessage(msgs, w) {
					t.Errorf("no message %q: %q", w, msgs)
				}
			}
			for _, w := range tc.notWant {
				if hasMessage(msgs, w) {
					t.Errorf("a message %q: %q", w, msgs)
				}
			}
		})
	}
}

// TestDraftNoteSaysTheDocumentIsADraft: only a sentence about the
// document makes it a draft; one about the incident's analysis does not.
func TestDraftNoteSaysTheDocumentIsADraft(t *testing.T) {
	t.Parallel()
	tests := []struct {
		note      string
		finalized bool
	}{
		{"The analysis is not complete: the second spike is still being looked at.", true},
		{"The investigation is not complete yet.", true},
		{"Our analysis is not finished.", true},
		{"The analysis is still a work in progress.", true},
		{"This postmortem is a draft.", false},
		{"This document is not final.", false},
		{"The review is still a draft.", false},
		{"Work in progress", false},
		{"DRAFT", false},
	}
	for _, tc := range tests {
		t.Run(tc.note, func(t *testing.T) {
			d := mustParse(t, testOptions(), "# Ledger writes slowed down\n\n"+finalHead+tc.note+"\n\n## Action items\n\n- Add a canary stage\n")
			if d.Finalized != tc.finalized {
				t.Errorf("finalized %v (%s), want %v", d.Finalized, d.DraftReason, tc.finalized)
			}
		})
	}
}

// TestResolvedIsFinalWithOwnWords: "Resolved" is the incident's state;
// configuration.md documents it as final even when finalized.words is
// set and does not name it, and SPEC §2.2 does not say otherwise.
func TestResolvedIsFinalWithOwnWords(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.FinalWords = []string{"published"}
	if d := mustParse(t, o, "# T\n\nStatus: Resolved\n"); !d.Finalized {
		t.Errorf("Status: Resolved with finalized.words [published]: not finalized (%s)", d.DraftReason)
	}
	if d := mustParse(t, o, "# T\n\nStatus: Final\n"); d.Finalized {
		t.Error("Status: Final with finalized.words [published]: finalized")
	}
}

// TestNoOwnerWords: an owner written as a word for "nobody" (n/a, N/A,
// none, -, TBD, unassigned) is no owner, in every form an owner is
// written: an Owner: line below the item, after its text, in a
// parenthetical, an owner column or the text cell of a table. The item
// needs an owner; it is never an owner named "n" with "/a" left in the
// title.
func TestNoOwnerWords(t *testing.T) {
	t.Parallel()
	head := "# T\n\n" + finalHead + "## Action items\n\n"
	forms := []struct {
		name, item, title string // item: %s is the owner
	}{
		{"metadata line", "- Fix the thing\n  Owner: %s\n", "Fix the thing"},
		{"after the text", "- Fix the thing. Owner: %s\n", "Fix the thing."},
		{"after the text, a full stop after it", "- Fix the thing; Owner: %s.\n", "Fix the thing"},
		{"after the text, before the due date", "- Fix the thing. Owner: %s, due: 2026-04-01\n", "Fix the thing."},
		{"lower-case label", "- Fix the thing; owner: %s\n", "Fix the thing"},
		{"parenthetical", "- Fix the thing (owner: %s)\n", "Fix the thing"},
		{"parenthetical and due", "- Fix the thing (owner: %s, due: 2026-04-01)\n", "Fix the thing"},
		{"owner column", "| Action item | Owner |\n|---|---|\n| Fix the thing | %s |\n", "Fix the thing"},
		{"table text cell", "| Action item | Due |\n|---|---|\n| Fix the thing. Owner: %s | 2026-04-01 |\n", "Fix the thing."},
	}
	for _, nobody := range []string{"n/a", "N/A", "none", "-", "TBD", "unassigned", "Unassigned"} {
		for _, f := range forms {
			t.Run(nobody+"/"+f.name, func(t *testing.T) {
				o := testOptions()
				o.Directory = testDirectory()
				d := mustParse(t, o, head+fmt.Sprintf(f.item, nobody))
				if len(d.Actions) != 1 {
					t.Fatalf("%d action items, want 1", len(d.Actions))
				}
				a := d.Actions[0]
				if !a.Owner.IsZero() || len(a.Errors) > 0 {
					t.Errorf("owner %+v (raw %q, errors %+v), want none", a.Owner, a.OwnerRaw, a.Errors)
				}
				if a.Text != f.title {
					t.Errorf("title %q, want %q", a.Text, f.title)
				}
				if msgs := lintMessages(d, LintOptions{}); !hasMessage(msgs, "warning: action item", "has no owner") {
					t.Errorf("no needs-owner warning: %q", msgs)
				}
			})
		}
	}
}

// TestLeadBracket: "[name] text" names an owner of at most
// leadBracketMax runes; a longer bracket is part of the text.
func TestLeadBracket(t *testing.T) {
	t.Parallel()
	long := "Sé" + strings.Repeat("a", leadBracketMax-2) // leadBracketMax runes
	tests := []struct {
		title, owner, rest string
		ok                 bool
	}{
		{"[Search] rebuild the index", "Search", "Rebuild the index", true},
		{"[" + long + "] rebuild the index", long, "Rebuild the index", true},
		{"[" + long + "a] rebuild the index", "", "", false},
		{"[" + long + "a] Payments: rebuild", "", "", false}, // a '[' first is no name for reLeadColon either
		{"[Search]rebuild", "", "", false},
	}
	for _, tc := range tests {
		owner, rest, _, ok := leadOwner(tc.title)
		if owner != tc.owner || rest != tc.rest || ok != tc.ok {
			t.Errorf("leadOwner(%q) = %q, %q, %v; want %q, %q, %v", tc.title, owner, rest, ok, tc.owner, tc.rest, tc.ok)
		}
	}
}
