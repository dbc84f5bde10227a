package postmortem

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func ownerTestDirectory() Directory {
	return Directory{
		People: map[string]Person{
			"alice": {Key: "alice", Name: "Alice Example", Email: "alice@acme.example", GitHub: "alice-gh", Jira: "5b10ac8d82e05b22cc7d4ef5"},
			"amirh": {Key: "amirh", Name: "Amir Hardon", Email: "amirh@google.com", GitHub: "amirh"},
			"bentheelder": {Key: "bentheelder", Name: "Benjamin Elder", Email: "bentheelder@google.com",
				GitHub: "BenTheElder", Jira: "belder"},
			"hixie":    {Key: "hixie", Name: "Ian Hickson", GitHub: "Hixie"},
			"yavlasov": {Key: "yavlasov", Name: "Yuri Vlasov", Email: "yavlasov@google.com"},
			"pjs":      {Key: "pjs", Name: "Prasanjit Singh", Email: "prasanjit@acme.example", GitHub: "@prasanjit", Jira: "psingh"},
			"jsmith1":  {Key: "jsmith1", Name: "John Smith", Email: "john.smith@acme.example"},
			"jsmith2":  {Key: "jsmith2", Name: "john  smith", Email: "jsmith@other.example"},
		},
		Teams: map[string]Team{
			"sre":      {Key: "sre", GitHub: "acme/sre"},
			"core-1":   {Key: "core-1", Jira: "CORE"},
			"platform": {Key: "platform", GitHub: "acme/platform"},
			"payments": {Key: "payments", Jira: "PAY"},
		},
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	d := ownerTestDirectory()
	tests := []struct {
		raw     string
		want    Owner // Raw is always raw and is filled in by the test
		wantErr string
	}{
		// @handle: people key, GitHub login (any case), team key, unknown.
		{raw: "@alice", want: Owner{Person: "alice"}},
		{raw: "@alice-gh", want: Owner{Person: "alice"}},
		{raw: "@ALICE-GH", want: Owner{Person: "alice"}},
		{raw: "@Hixie", want: Owner{Person: "hixie"}},
		{raw: "@bentheelder", want: Owner{Person: "bentheelder"}},
		{raw: "@prasanjit", want: Owner{Person: "pjs"}},
		{raw: "@sre", want: Owner{Team: "sre"}},
		{raw: "@Katharine", want: Owner{Handle: "Katharine"}},
		{raw: "@mlafeldt", want: Owner{Handle: "mlafeldt"}},
		{raw: "@not.a.login", wantErr: `owner "@not.a.login" is not in people or teams`},
		{raw: "@", wantErr: "is not in people or teams"},
		// @org/team.
		{raw: "@acme/sre", want: Owner{Team: "sre"}},
		{raw: "@acme/Core-1", want: Owner{Team: "core-1"}},
		{raw: "@acme/unknown-team", wantErr: `owner "@acme/unknown-team" is not in people or teams`},
		// Google style name@.
		{raw: "amirh@", want: Owner{Person: "amirh"}},
		{raw: "serathius@", wantErr: `owner "serathius@" is not in people or teams`},
		{raw: "yavlasov@", want: Owner{Person: "yavlasov"}},
		{raw: "prasanjit@", want: Owner{Person: "pjs"}},
		{raw: "sre@", want: Owner{Team: "sre"}},
		{raw: "OWNER: amirh@", want: Owner{Person: "amirh"}},
		{raw: "OWNER: amirh@ (DONE).", want: Owner{Person: "amirh"}},
		{raw: "Owners: amirh@", want: Owner{Person: "amirh"}},
		// E-mail.
		{raw: "yavlasov@google.com", want: Owner{Person: "yavlasov"}},
		{raw: "YAVLASOV@Google.com", want: Owner{Person: "yavlasov"}},
		{raw: "Benjamin Elder <bentheelder@google.com>", want: Owner{Person: "bentheelder"}},
		{raw: "Benjamin Elder <ben@elsewhere.example>", want: Owner{Person: "bentheelder"}},
		{raw: "<alice@acme.example>", want: Owner{Person: "alice"}},
		{raw: "mailto:alice@acme.example", want: Owner{Person: "alice"}},
		{raw: "someone@else.example", wantErr: `owner "someone@else.example" is not in people or teams`},
		// People key and display name.
		{raw: "alice", want: Owner{Person: "alice"}},
		{raw: "Alice", want: Owner{Person: "alice"}},
		{raw: "Alice Example", want: Owner{Person: "alice"}},
		{raw: "alice   example", want: Owner{Person: "alice"}},
		{raw: "Prasanjit Singh", want: Owner{Person: "pjs"}},
		{raw: "BenTheElder", want: Owner{Person: "bentheelder"}},
		{raw: "prasanjit", want: Owner{Person: "pjs"}}, // GitHub login written bare
		{raw: "John Smith", wantErr: "matches several people (jsmith1, jsmith2)"},
		// Teams.
		{raw: "sre", want: Owner{Team: "sre"}},
		{raw: "SRE Team", want: Owner{Team: "sre"}},
		{raw: "Platform Team", want: Owner{Team: "platform"}},
		{raw: "Core-1 team", want: Owner{Team: "core-1"}},
		{raw: "core 1", want: Owner{Team: "core-1"}},
		{raw: "team payments", want: Owner{Team: "payments"}},
		{raw: "OpsDev", wantErr: `owner "OpsDev" is not in people or teams`},
		// Decorations and prefixes.
		{raw: "**alice**", want: Owner{Person: "alice"}},
		{raw: "_alice_", want: Owner{Person: "alice"}},
		{raw: "`@alice-gh`", want: Owner{Person: "alice"}},
		{raw: "(alice)", want: Owner{Person: "alice"}},
		{raw: "[@alice](https://github.com/alice-gh)", want: Owner{Person: "alice"}},
		{raw: "owner: @alice", want: Owner{Person: "alice"}},
		{raw: "Owner: **alice**", want: Owner{Person: "alice"}},
		{raw: "by @alice", want: Owner{Person: "alice"}},
		{raw: "alice (SRE)", want: Owner{Person: "alice"}},
		{raw: "  alice.  ", want: Owner{Person: "alice"}},
		// Placeholders: no owner, no error.
		{raw: ""},
		{raw: "TBD"},
		{raw: "tbd"},
		{raw: "TBC"},
		{raw: "TBD (SRE)"},
		{raw: "n/a"},
		{raw: "N/A"},
		{raw: "none"},
		{raw: "-"},
		{raw: "—"},
		{raw: "?"},
		{raw: "<owner>"},
		{raw: "<name>"},
		{raw: "{{ owner }}"},
		{raw: "{{owner}}"},
		{raw: "[developer]"},
		{raw: "**TBD**"},
		{raw: "OWNER:"},
		// Several owners: the first that resolves.
		{raw: "alice, bob", want: Owner{Person: "alice"}},
		{raw: "bob, alice", want: Owner{Person: "alice"}},
		{raw: "alice/amirh", want: Owner{Person: "alice"}},
		{raw: "alice and amirh", want: Owner{Person: "alice"}},
		{raw: "jennifer and amirh", want: Owner{Person: "amirh"}},
		{raw: "alice & amirh", want: Owner{Person: "alice"}},
		{raw: "@alice @amirh", want: Owner{Person: "alice"}},
		{raw: "amirh@, blasten@", want: Owner{Person: "amirh"}},
		{raw: "TBD, alice", want: Owner{Person: "alice"}},
		{raw: "@ghost, alice", want: Owner{Person: "alice"}},
		{raw: "@ghost, @phantom", want: Owner{Handle: "ghost"}},
		{raw: "jennifer, @ghost", want: Owner{Handle: "ghost"}},
		{raw: "TBD, n/a"},
		{raw: "AN, JS, JW", wantErr: `owner "AN, JS, JW" is not in people or teams`},
		// Unknown names: the error names the owner and says what to do.
		{raw: "jennifer", wantErr: `owner "jennifer" is not in people or teams: add them to people: in the config (with their github/jira id) or write @github-login`},
		{raw: "OWNER: jennifer", wantErr: `owner "jennifer" is not in people or teams`},
		{raw: "Aron Asor", wantErr: `owner "Aron Asor" is not in people or teams`},
		{raw: "Tech Lead", wantErr: `owner "Tech Lead" is not in people or teams`},
		{raw: "2i2c engineer", wantErr: `owner "2i2c engineer" is not in people or teams`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			// The scan and the index (what a Parser uses) answer the same.
			for _, d := range []Directory{d, d.Indexed()} {
				got, err := d.Resolve(tt.raw)
				dueCheckErr(t, err, tt.wantErr)
				want := tt.want
				want.Raw = tt.raw
				if tt.wantErr != "" {
					want = Owner{Raw: tt.raw}
				}
				if got != want {
					t.Errorf("Resolve(%q) indexed=%v = %+v, want %+v", tt.raw, d.index != nil, got, want)
				}
			}
		})
	}
}

func TestResolveEmptyDirectory(t *testing.T) {
	t.Parallel()
	var d Directory
	if o, err := d.Resolve("@alice"); err != nil || o.Handle != "alice" {
		t.Errorf("Resolve(@alice) = %+v, %v; want handle alice", o, err)
	}
	if o, err := d.Resolve("TBD"); err != nil || !o.IsZero() {
		t.Errorf("Resolve(TBD) = %+v, %v; want no owner", o, err)
	}
	if _, err := d.Resolve("alice"); err == nil {
		t.Error("Resolve(alice) in an empty directory: no error")
	}
}

func TestAssignee(t *testing.T) {
	t.Parallel()
	d := ownerTestDirectory()
	tests := []struct {
		name    string
		owner   Owner
		tracker string
		wantID  string
		wantOK  bool
	}{
		{"person github", Owner{Person: "alice"}, "github", "alice-gh", true},
		{"person jira", Owner{Person: "alice"}, "jira", "5b10ac8d82e05b22cc7d4ef5", true},
		{"tracker type case", Owner{Person: "alice"}, "GitHub", "alice-gh", true},
		{"github with @ in config", Owner{Person: "pjs"}, "github", "prasanjit", true},
		{"no jira account", Owner{Person: "amirh"}, "jira", "", false},
		{"no github account", Owner{Person: "yavlasov"}, "github", "", false},
		{"person not in directory", Owner{Person: "ghost"}, "github", "", false},
		{"handle github", Owner{Handle: "Katharine"}, "github", "Katharine", true},
		{"handle jira", Owner{Handle: "Katharine"}, "jira", "", false},
		{"team github", Owner{Team: "sre"}, "github", "", true},
		{"team jira", Owner{Team: "payments"}, "jira", "", true},
		{"no owner", Owner{Raw: "TBD"}, "github", "", true},
		{"unknown tracker", Owner{Person: "alice"}, "gitlab", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, ok := d.Assignee(tt.owner, tt.tracker)
			if id != tt.wantID || ok != tt.wantOK {
				t.Errorf("Assignee(%+v, %q) = (%q, %v), want (%q, %v)", tt.owner, tt.tracker, id, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

func TestOwnerFoldEq(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"Alice Example", "alice example", true},
		{"Alice Example", "  alice   EXAMPLE ", true},
		{"core-1", "Core 1", true},
		{"core_1", "core--1", true},
		{"alice", "alicex", false},
		{"alice ex", "aliceex", false},
		{"", "", true},
		{"-", "", true},
		{"Émile", "émile", true},
	}
	for _, tt := range tests {
		if got := ownerFoldEq(tt.a, tt.b); got != tt.want {
			t.Errorf("ownerFoldEq(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := ownerFold(tt.a) == ownerFold(tt.b); got != tt.want {
			t.Errorf("ownerFold(%q) == ownerFold(%q) is %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestResolveLargeDirectory checks that a lookup stays linear: resolving
// against 10,000 people finds the right one by each form.
func TestResolveLargeDirectory(t *testing.T) {
	t.Parallel()
	d := Directory{People: map[string]Person{}, Teams: map[string]Team{}}
	for i := range 10000 {
		k := fmt.Sprintf("user%d", i)
		d.People[k] = Person{Key: k, Name: fmt.Sprintf("User Number %d", i), Email: k + "@acme.example", GitHub: "gh-" + k}
	}
	for raw, want := range map[string]string{
		"user42": "user42", "User Number 4242": "user4242", "@gh-user7": "user7",
		"user9999@": "user9999", "user1@acme.example": "user1",
	} {
		for _, d := range []Directory{d, d.Indexed()} {
			o, err := d.Resolve(raw)
			if err != nil || o.Person != want {
				t.Errorf("Resolve(%q) = %+v, %v; want %s", raw, o, err, want)
			}
		}
	}
	if _, err := d.Indexed().Resolve("nobody-here"); err == nil || !strings.Contains(err.Error(), "nobody-here") {
		t.Errorf("unknown owner: err = %v", err)
	}
}

// TestOwnersAcrossDocuments: a Parser remembers the directory's answer
// for an owner across documents (and goroutines); each document still
// reads its own owners, errors and raw text as a fresh Parser does.
func TestOwnersAcrossDocuments(t *testing.T) {
	t.Parallel()
	o := testOptions()
	o.Directory = testDirectory()
	doc := func(i int) []byte {
		owners := []string{"@alice", "Alice Example", "alice@", "zed", "@newhire", "payments", "TBD", "@alice."}
		return []byte(fmt.Sprintf("# T\n\n%s## Action items\n\n- A (owner: %s)\n- B. Owner: %s\n",
			finalHead, owners[i%len(owners)], owners[(i+3)%len(owners)]))
	}
	shared := NewParser(o)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < 64; i += 4 {
				got, err := shared.Parse("pm/x.md", doc(i))
				want, werr := NewParser(o).Parse("pm/x.md", doc(i))
				if err != nil || werr != nil {
					t.Errorf("parse: %v %v", err, werr)
					return
				}
				for k, a := range got.Actions {
					if w := want.Actions[k]; a.Owner != w.Owner || !slices.Equal(a.Errors, w.Errors) {
						t.Errorf("document %d item %d: owner %+v %+v, want %+v %+v", i, k, a.Owner, a.Errors, w.Owner, w.Errors)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkResolve(b *testing.B) {
	d := ownerTestDirectory().Indexed()
	for _, raw := range []string{"alice", "Alice Example", "@alice-gh", "jennifer"} {
		b.Run(raw, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = d.Resolve(raw)
			}
		})
	}
}

func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"@alice", "@acme/sre", "amirh@", "yavlasov@google.com", "Benjamin Elder <bentheelder@google.com>",
		"Alice Example", "SRE Team", "OWNER: amirh@ (DONE).", "TBD", "<owner>", "{{ owner }}", "[developer]",
		"alice, bob", "alice/bob", "alice and bob", "@a @b", "<<<<x>>>>", "[[[[x]]]]", "((((alice))))",
		"**_`alice`_**", "a (b (c (d)))", "@", "@@", "<@>", "by by by owner: owner:", "İ", "\xff",
	} {
		f.Add(s)
	}
	d := ownerTestDirectory()
	ix := d.Indexed()
	f.Fuzz(func(t *testing.T, raw string) {
		o, err := d.Resolve(raw)
		if io, ierr := ix.Resolve(raw); io != o || (ierr == nil) != (err == nil) {
			t.Errorf("Resolve(%q): scan %+v, %v; index %+v, %v", raw, o, err, io, ierr)
		}
		if o.Raw != raw {
			t.Errorf("Resolve(%q).Raw = %q", raw, o.Raw)
		}
		set := 0
		for _, v := range []string{o.Person, o.Team, o.Handle} {
			if v != "" {
				set++
			}
		}
		if set > 1 || (err != nil && set != 0) {
			t.Errorf("Resolve(%q) = %+v, %v", raw, o, err)
		}
		if o.Person != "" {
			if _, ok := d.People[o.Person]; !ok {
				t.Errorf("Resolve(%q) = person %q not in the directory", raw, o.Person)
			}
		}
		if o.Team != "" {
			if _, ok := d.Teams[o.Team]; !ok {
				t.Errorf("Resolve(%q) = team %q not in the directory", raw, o.Team)
			}
		}
		_, _ = d.Assignee(o, "github")
		_, _ = d.Assignee(o, "jira")
	})
}
