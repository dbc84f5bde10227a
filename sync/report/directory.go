package report

import (
	"strings"

	"github.com/pmsync/pmsync/sync/postmortem"
)

// This file merges people and teams through the directory (the config's
// people and teams, SPEC §6): every spelling of one person is one owner
// row shown by name, every spelling of one team one team row, and a
// tracker account is shown as the person it belongs to.

// UnresolvedOwner is the by_owner key of the row that gathers the owners
// written in the documents that resolve to nobody; its spellings list
// them.
const UnresolvedOwner = "(unresolved)"

// teamOwnerPrefix starts the by_owner key of an owner that is a team.
const teamOwnerPrefix = "team:"

// people answers the report's questions to the directory.
type people struct {
	dir postmortem.Directory
	// teams caches what a team as written is: a key of dir.Teams, else
	// the spelling shown for all that are alike but for case: the first
	// in byte order.
	teams map[string]string
	// accounts maps a tracker account (GitHub login or Jira id, lower
	// case) to the one person who has it; an account two people share is
	// left out.
	accounts map[string]string
}

// newPeople indexes the directory and the team spellings of the input.
func newPeople(in *Input) *people {
	p := &people{dir: in.Directory.Indexed(), teams: map[string]string{}, accounts: map[string]string{}}
	spellings := map[string]string{} // lower case → first spelling
	spell := func(raw string) {
		s := teamSpelling(raw)
		if _, seen := p.teams[raw]; seen || s == "" {
			return
		}
		key := p.dirTeam(s)
		if key == "" {
			low := strings.ToLower(s)
			if old, ok := spellings[low]; !ok || s < old {
				spellings[low] = s
			}
		}
		p.teams[raw] = key
	}
	for i := range in.Items {
		spell(in.Items[i].Team)
	}
	for i := range in.Docs {
		for _, t := range in.Docs[i].Teams {
			spell(t)
		}
	}
	for raw, key := range p.teams {
		if key == "" {
			p.teams[raw] = spellings[strings.ToLower(teamSpelling(raw))]
		}
	}
	shared := map[string]bool{}
	for key, ps := range in.Directory.People {
		for _, a := range []string{strings.TrimPrefix(strings.TrimSpace(ps.GitHub), "@"), strings.TrimSpace(ps.Jira)} {
			a = strings.ToLower(a)
			if a == "" {
				continue
			}
			if old, ok := p.accounts[a]; ok && old != key {
				shared[a] = true
			}
			p.accounts[a] = key
		}
	}
	for a := range shared {
		delete(p.accounts, a)
	}
	return p
}

// dirTeam is the key of the directory's team a spelling names ("" when
// none), as an owner naming a team resolves: case and separators folded,
// "@org/key", "key team".
func (p *people) dirTeam(s string) string {
	if len(p.dir.Teams) == 0 {
		return ""
	}
	if o, err := p.dir.Resolve(s); err == nil {
		return o.Team
	}
	return ""
}

// team is the team an item's team as written is: the directory's key
// ("Payments", "payments" and "@acme/payments" are "payments" when teams
// has payments), else one spelling for all that are alike but for case;
// "" for none.
func (p *people) team(raw string) string {
	if t, ok := p.teams[raw]; ok {
		return t
	}
	s := teamSpelling(raw)
	if t := p.dirTeam(s); t != "" {
		return t
	}
	return s
}

// name is a person's display name: the directory's name, else the key.
func (p *people) name(key string) string {
	if n := strings.TrimSpace(p.dir.People[key].Name); n != "" {
		return n
	}
	return key
}

// accountName is who a tracker account is: the name of the person who
// has it, "" when the directory does not know it.
func (p *people) accountName(account string) string {
	if key, ok := p.accounts[strings.ToLower(strings.TrimSpace(account))]; ok {
		return p.name(key)
	}
	return ""
}

// owner is the by_owner row an item's owner belongs to: its key and how
// it is shown. A person of the directory is one row whatever the
// spelling; a team owner is a row per team; an @handle that is not in
// people is a row per GitHub login; every other owner written is the
// unresolved row; no owner is key "".
func (p *people) owner(it *Item) (key, name string) {
	switch {
	case it.NoOwner || strings.TrimSpace(it.Owner) == "":
		return "", ""
	case it.Person != "":
		return it.Person, p.name(it.Person)
	case it.OwnerTeam != "":
		return teamOwnerPrefix + it.OwnerTeam, it.OwnerTeam + " (team)"
	case it.Handle != "":
		h := "@" + strings.ToLower(it.Handle)
		return h, h
	}
	return UnresolvedOwner, "Unresolved owner"
}

// ownerRank orders by_owner rows: people and handles, teams, the
// unresolved row, no owner.
func ownerRank(key string) int {
	switch {
	case key == "":
		return 3
	case key == UnresolvedOwner:
		return 2
	case strings.HasPrefix(key, teamOwnerPrefix):
		return 1
	}
	return 0
}

// teamSpelling is a team as written, trimmed and without a GitHub
// "@org/" or "@" in front.
func teamSpelling(raw string) string {
	s := strings.TrimSpace(raw)
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		if _, team, ok := strings.Cut(rest, "/"); ok {
			rest = team
		}
		s = strings.TrimSpace(rest)
	}
	return s
}
