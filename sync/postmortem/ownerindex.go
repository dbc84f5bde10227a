package postmortem

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ownerIndex maps the folded fields of the directory to people and team
// keys, so that resolving an owner costs a few map lookups instead of a scan
// of every person (a 3,000-person directory and 60,000 items would otherwise
// be 180 million comparisons). It is built once per Parser.
type ownerIndex struct {
	key, name, email, github, local map[string][]string // folded field → people keys
	team                            map[string][]string // folded key → team keys
}

// Indexed returns d with a lookup index, so that Resolve no longer scans the
// directory. d's maps must not change afterwards.
func (d Directory) Indexed() Directory {
	if d.index != nil {
		return d
	}
	ix := &ownerIndex{
		key: map[string][]string{}, name: map[string][]string{}, email: map[string][]string{},
		github: map[string][]string{}, local: map[string][]string{}, team: map[string][]string{},
	}
	add := func(m map[string][]string, f, key string) {
		if f == "" {
			return
		}
		for _, k := range m[f] {
			if k == key {
				return
			}
		}
		m[f] = append(m[f], key)
	}
	for key, p := range d.People {
		add(ix.key, ownerFold(key), key)
		add(ix.key, ownerFold(p.Key), key)
		add(ix.name, ownerFold(p.Name), key)
		add(ix.email, strings.ToLower(strings.TrimSpace(p.Email)), key)
		add(ix.github, strings.ToLower(strings.TrimPrefix(p.GitHub, "@")), key)
		add(ix.local, strings.ToLower(ownerLocalPart(p.Email)), key)
	}
	for key, t := range d.Teams {
		add(ix.team, ownerFold(key), key)
		add(ix.team, ownerFold(t.Key), key)
	}
	d.index = ix
	return d
}

// ownerCache is a Parser's directory answers by owner as written, kept
// across documents: a collection names the same people in document after
// document, and a Parser's directory does not change. (Resolving was a
// sixth of parsing, each document resolving its owners anew.) It keeps
// at most ownerCacheMax owners; past that an owner is resolved each time.
type ownerCache struct {
	mu sync.RWMutex
	m  map[string]ownerAnswer
}

type ownerAnswer struct {
	o   Owner
	err error
}

const ownerCacheMax = 1 << 14

// resolve is d.Resolve(raw) with Raw unset (the caller sets it).
func (c *ownerCache) resolve(d Directory, raw string) (Owner, error) {
	c.mu.RLock()
	a, ok := c.m[raw]
	c.mu.RUnlock()
	if ok {
		return a.o, a.err
	}
	o, err := d.Resolve(raw)
	// Copies, so that the cache holds no document's text.
	o = Owner{Person: strings.Clone(o.Person), Team: strings.Clone(o.Team), Handle: strings.Clone(o.Handle)}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]ownerAnswer{}
	}
	if len(c.m) < ownerCacheMax {
		c.m[strings.Clone(raw)] = ownerAnswer{o, err}
	}
	c.mu.Unlock()
	return o, err
}

// people returns the people whose fields (how) match q at the best rank, in
// the ranks ownerPerson uses: key or e-mail, then name, then GitHub login or
// e-mail local part.
func (ix *ownerIndex) people(q string, how int) []string {
	var out []string
	add := func(keys []string) {
		for _, k := range keys {
			dup := false
			for _, o := range out {
				dup = dup || o == k
			}
			if !dup {
				out = append(out, k)
			}
		}
	}
	lq := strings.ToLower(q)
	if how&ownerByKey != 0 {
		add(ix.key[ownerFold(q)])
	}
	if how&ownerByEmail != 0 {
		add(ix.email[lq])
	}
	if len(out) > 0 {
		return out
	}
	if how&ownerByName != 0 {
		add(ix.name[ownerFold(q)])
	}
	if len(out) > 0 {
		return out
	}
	if how&ownerByGitHub != 0 {
		add(ix.github[lq])
	}
	if how&ownerByLocal != 0 {
		add(ix.local[lq])
	}
	return out
}

// ownerFold is the canonical form ownerFoldEq compares: separators trimmed,
// each run of them one space, every rune lower case.
func ownerFold(s string) string {
	s = strings.TrimFunc(s, ownerIsSep)
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if ownerIsSep(r) {
			sep = true
			continue
		}
		if sep {
			b.WriteByte(' ')
			sep = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
