package scalegen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/internal/wiring"
	"github.com/pmsync/pmsync/sync/postmortem"
	"github.com/pmsync/pmsync/sync/ticket"
)

func TestBanks(t *testing.T) {
	if len(firstNames)*len(lastNames) != MaxPeople {
		t.Fatalf("MaxPeople is %d, the banks make %d", MaxPeople, len(firstNames)*len(lastNames))
	}
	for _, bank := range [][]string{firstNames, lastNames} {
		seen := map[string]bool{}
		for _, n := range bank {
			if seen[n] {
				t.Errorf("%s twice", n)
			}
			seen[n] = true
		}
	}
}

// TestDeterministic: the same options give the same bytes, another seed
// other bytes; the item total is exact.
func TestDeterministic(t *testing.T) {
	a, b := New(Options{Seed: 7, Items: 200}), New(Options{Seed: 7, Items: 200})
	c := New(Options{Seed: 8, Items: 200})
	if a.Items != 200 || a.Docs != 20 {
		t.Fatalf("%d items in %d documents, want 200 in 20", a.Items, a.Docs)
	}
	for i := range a.Docs {
		if !bytes.Equal(a.Doc(i).Src, b.Doc(i).Src) {
			t.Fatalf("document %d differs between two runs of the same seed", i)
		}
	}
	if bytes.Equal(a.Doc(0).Src, c.Doc(0).Src) {
		t.Fatal("another seed gave the same document")
	}
	if !bytes.Equal(a.Config(ConfigOptions{}), b.Config(ConfigOptions{})) {
		t.Fatal("configuration differs between two runs of the same seed")
	}
}

// TestParsesAsGenerated: pmsync reads every generated document as it was
// written: finalized, the generated number of factors and action items,
// every owner resolved (or a placeholder), every due date read, no item
// error, and the documents' lengths are those of real postmortems.
func TestParsesAsGenerated(t *testing.T) {
	for _, tracker := range []string{GitHub, Jira, Mixed} {
		t.Run(tracker, func(t *testing.T) {
			c := New(Options{Seed: 1, Items: 600, People: 200})
			dir := t.TempDir()
			cfgPath := filepath.Join(dir, "pmsync.yaml")
			text := c.Config(ConfigOptions{Tracker: tracker, SourceDir: filepath.Join(dir, "pm"), ReportDir: filepath.Join(dir, "reports"),
				GitHubURL: "http://127.0.0.1:1/", JiraURL: "http://127.0.0.1:2/"})
			if err := os.WriteFile(cfgPath, text, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(cfgPath, Env())
			if err != nil {
				t.Fatalf("config: %v\n%s", err, text)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("config: %v", err)
			}
			opts, err := wiring.DocOptions(cfg)
			if err != nil {
				t.Fatal(err)
			}
			p := postmortem.NewParser(opts)
			router := wiring.Router(cfg)
			var size, docs, shortest, longest int
			shortest = 1 << 30
			forms := map[string]int{}
			for i := range c.Docs {
				g := c.Doc(i)
				d, err := p.Parse(g.Path, g.Src)
				if err != nil {
					t.Fatalf("%s: %v", g.Path, err)
				}
				size += len(g.Src)
				docs++
				shortest, longest = min(shortest, len(g.Src)), max(longest, len(g.Src))
				if !d.Finalized {
					t.Errorf("%s: not finalized (%s)", g.Path, d.DraftReason)
				}
				if len(d.Factors) != g.Factors || len(d.Actions) != g.Actions {
					var got []string
					for _, it := range d.Items() {
						got = append(got, string(it.Kind)+": "+it.Text)
					}
					t.Errorf("%s: %d factors and %d actions, generated %d and %d; read:\n  %s\n%s", g.Path, len(d.Factors), len(d.Actions), g.Factors, g.Actions, strings.Join(got, "\n  "), g.Src)
					continue
				}
				done := 0
				for _, it := range d.Items() {
					for _, e := range it.Errors {
						if e.Level != postmortem.LevelError {
							continue
						}
						t.Errorf("%s:%d: %s: %s", g.Path, e.Line, it.Text, e.Message)
					}
					if _, err := router.Route(d, it); err != nil {
						t.Errorf("%s: %s: route: %v", g.Path, it.Text, err)
					}
					if it.Done {
						done++
					}
					if it.Kind != ticket.Action {
						continue
					}
					switch {
					case it.Owner.Person != "":
						forms[ownerForm(it.OwnerRaw)]++
					case it.OwnerRaw == "" || isPlaceholder(it.OwnerRaw):
						forms["none"]++
					default:
						t.Errorf("%s: %q: owner %q not resolved (%+v)", g.Path, it.Text, it.OwnerRaw, it.Owner)
					}
					if it.Due.IsZero() {
						t.Errorf("%s: %q: no due date", g.Path, it.Text)
					}
				}
				if done != g.Done {
					t.Errorf("%s: %d done, generated %d", g.Path, done, g.Done)
				}
			}
			avg := size / docs
			t.Logf("%d documents, %d items; %d bytes on average (%d–%d); owners written as %v", docs, c.Items, avg, shortest, longest, forms)
			if avg < 3000 || avg > 9000 {
				t.Errorf("documents average %d bytes; real postmortems are 3–9 KB", avg)
			}
			for _, f := range []string{"@login", "name@", "email", "name"} {
				if forms[f] == 0 {
					t.Errorf("no owner written as %s: %v", f, forms)
				}
			}
		})
	}
}

func ownerForm(raw string) string {
	switch {
	case strings.HasPrefix(raw, "@"):
		return "@login"
	case strings.HasSuffix(raw, "@"):
		return "name@"
	case strings.Contains(raw, "@"):
		return "email"
	}
	return "name"
}

func isPlaceholder(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tbd", "unassigned", "n/a":
		return true
	}
	return false
}

// TestPeople: names, logins, e-mails and keys are unique in the largest
// directory too.
func TestPeople(t *testing.T) {
	c := New(Options{Seed: 3, Items: 10, People: 3000})
	if len(c.People) != 3000 {
		t.Fatalf("%d people", len(c.People))
	}
	seen := map[string]bool{}
	for _, p := range c.People {
		for _, v := range []string{"k" + p.Key, "n" + strings.ToLower(p.Name), "e" + p.Email, "g" + p.GitHub, "j" + p.Jira} {
			if seen[v] {
				t.Fatalf("%q twice", v[1:])
			}
			seen[v] = true
		}
		if len(p.Jira) != 24 {
			t.Fatalf("jira id %q is not 24 hex digits", p.Jira)
		}
	}
}

// TestGitConfig: the configuration of a git source loads and validates.
func TestGitConfig(t *testing.T) {
	c := New(Options{Seed: 1, Items: 20})
	dir := t.TempDir()
	p := filepath.Join(dir, "pmsync.yaml")
	text := c.Config(ConfigOptions{SourceDir: filepath.Join(dir, "clone"), GitURL: "http://127.0.0.1:3/repo.git", ReportDir: filepath.Join(dir, "reports"), GitHubURL: "http://127.0.0.1:1/"})
	if err := os.WriteFile(p, text, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p, Env())
	if err == nil {
		err = cfg.Validate()
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if cfg.Source.Type != config.SourceGit || cfg.Source.Path != GitPath {
		t.Fatalf("source %+v", cfg.Source)
	}
}
