package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/source"
)

// docFixture is a fixture whose folder holds only the given document.
func docFixture(t *testing.T, doc string) *fixture {
	t.Helper()
	f := newFixture(t)
	names, _ := filepath.Glob(filepath.Join(f.dir, "*.md"))
	for _, n := range names {
		if err := os.Remove(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(f.dir, "2026-11-01-doc.md"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := source.OpenDir(f.dir, source.DirOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	f.src = src
	return f
}

func dryRun(e *Engine) { e.Config.DryRun = true }

// TestOwnersNeverGuessed: an owner written in a way pmsync cannot resolve
// with confidence — a mention of a display name nobody in people has, a
// mention that a truncating reader would cut to a first name that IS a
// person, a team prefix nobody knows — never becomes an assignee: the
// ticket is planned unassigned with needs-owner and lint warns.
func TestOwnersNeverGuessed(t *testing.T) {
	doc := `# Ledger writes slowed down

Status: Final
Date: 2026-11-01

## Action items

- [ ] Add a retry budget to ledger writes @Alice Unknown 15 Dec 2026
- [ ] Rotate the ledger credentials @Bob Someone
- [ ] Fulfilment team to drain ledger workers before upgrades
- [ ] Add a queue-depth alert @Carol Example
`
	f := docFixture(t, doc)
	res := f.run(t, dryRun)
	if len(res.Plan.Creates) != 4 {
		t.Fatalf("%d creates planned, want 4: %+v %v", len(res.Plan.Creates), res.Plan.Creates, res.Failures)
	}
	for _, c := range res.Plan.Creates {
		s := c.Spec
		switch {
		case strings.Contains(s.Title, "queue-depth"):
			// "@Carol Example" is not in people under that name (carol has
			// no name in this fixture): unassigned too. The person carol
			// must not be picked from the first word.
			if s.Assignee != "" {
				t.Errorf("%q: assignee %q guessed from a mention", s.Title, s.Assignee)
			}
		default:
			if s.Assignee != "" || !s.NeedsOwner {
				t.Errorf("%q: assignee %q, needs-owner %v; want unassigned with needs-owner", s.Title, s.Assignee, s.NeedsOwner)
			}
		}
		for _, w := range []string{"@", "Alice", "Bob", "Fulfilment team to"} {
			if strings.Contains(s.Title, w) {
				t.Errorf("title %q keeps the owner text %q", s.Title, w)
			}
		}
	}
	// Lint says why each was left unassigned.
	d, err := f.engine().Parser.Parse("doc.md", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_, warns := d.Lint(postmortem.LintOptions{})
	n := 0
	for _, w := range warns {
		if strings.Contains(w.Message, "is not in people or teams, so the ticket is opened unassigned") {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d unsure-owner warnings, want 4: %+v", n, warns)
	}
}

// TestOwnerMentionResolvesWholeName: "@Alice Example" is Alice when people
// has her display name, never "@Alice".
func TestOwnerMentionResolvesWholeName(t *testing.T) {
	f := docFixture(t, "# X\n\nStatus: Final\nDate: 2026-11-01\n\n## Action items\n\n- [ ] Add a retry budget @Alice Example\n")
	res := f.run(t, dryRun, func(e *Engine) {
		p := e.Directory.People["alice"]
		p.Name = "Alice Example"
		e.Directory.People["alice"] = p
		e.Parser = postmortem.NewParser(postmortem.Options{Directory: e.Directory, DueAfter: map[string]postmortem.Span{"default": {Days: 56}}})
	})
	if len(res.Plan.Creates) != 1 || res.Plan.Creates[0].Spec.Assignee != "alice-gh" {
		t.Fatalf("creates %+v, want one assigned to alice-gh", res.Plan.Creates)
	}
}

// TestEveryTicketFormAdopted: an item that names its existing ticket in
// any of the forms people write gets no new ticket: plan creates nothing
// for it.
func TestEveryTicketFormAdopted(t *testing.T) {
	forms := []string{
		"- [ ] Add a retry budget to ledger writes [PAY-877](https://acme.atlassian.net/browse/PAY-877)",
		"- Rotate the ledger credentials PAY-878",
		"- Page on ledger write latency Bug 5554823",
		"- Pin the ledger client version b/5554824",
		"- Document the failover #123",
		"- Alert on replication lag https://github.com/acme/sre/issues/456",
		"- Add a queue-depth alert ([#457](https://github.com/acme/sre/issues/457))",
		"- [acme/sre#458](https://github.com/acme/sre/issues/458) - Split the ledger pool",
		"- https://github.com/acme/sre/issues/459",
		"- Move the batch to its own pool (filed https://github.com/acme/sre/issues/460)",
		"- Review the retry policy https://acme.atlassian.net/browse/PAY-879",
		"- [Prevent errors when the index is down](https://trello.com/c/AXOe6AGO/prevent-errors)",
	}
	table := "\n### From the review\n\n| Action Item | Owner | Bug |\n|---|---|---|\n| Use a second acquirer | alice | Bug 5554825 **TODO** |\n| Cap refund retries | alice | n/a **DONE** |\n"
	doc := "# Ledger\n\nStatus: Final\nDate: 2026-11-01\n\n## Action items\n\n" + strings.Join(forms, "\n") + "\n" + table
	f := docFixture(t, doc)
	res := f.run(t, dryRun)
	if len(res.Plan.Creates) != 0 {
		for _, c := range res.Plan.Creates {
			t.Errorf("plan creates %q: its ticket is written in the document", c.Spec.Title)
		}
	}
	d, err := f.engine().Parser.Parse("doc.md", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Actions) != len(forms)+2 {
		t.Fatalf("%d action items read, want %d", len(d.Actions), len(forms)+2)
	}
	for _, it := range d.Actions {
		if it.Ticket.IsZero() && !it.Done {
			t.Errorf("line %d %q: no ticket read", it.Line, it.Text)
		}
		if strings.Contains(it.Text, "PAY-8") || strings.Contains(it.Text, "5554823") || strings.Contains(it.Text, "b/") {
			t.Errorf("line %d: title %q keeps its ticket", it.Line, it.Text)
		}
	}
}
