package postmortem

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file maps an owner as written in a postmortem to a person or team of
// the configuration (SPEC §2.4; forms from research/postmortem-survey.md
// §5.4). A lookup scans the directory at most a few times: O(people+teams)
// per call unless the directory is Indexed (ownerindex.go), then a few map
// lookups.

// ownerKind says how a written owner matched.
type ownerKind int

const (
	ownerNone   ownerKind = iota // resolves to nobody
	ownerBlank                   // a placeholder: no owner
	ownerHandle                  // an @handle that is not in the directory
	ownerFound                   // a person or team of the directory
)

// Which person fields a lookup compares.
const (
	ownerByKey    = 1 << iota // the people key (separators and case folded)
	ownerByName               // the display name (separators and case folded)
	ownerByGitHub             // the GitHub login (case-insensitive)
	ownerByLocal              // the local part of the e-mail (case-insensitive)
	ownerByEmail              // the e-mail (case-insensitive)
)

// ownerPrefixes are labels written before an owner (matched ignoring case).
var ownerPrefixes = []string{"owners:", "owner:", "owner -", "assignees:", "assignee:", "assigned to:", "assigned to ", "dri:", "by "}

// ownerPlaceholders mean "no owner" (compared in lower case).
var ownerPlaceholders = map[string]bool{
	"": true, "tbd": true, "tbc": true, "tba": true, "n/a": true, "na": true, "n.a": true,
	"none": true, "nobody": true, "no one": true, "noone": true, "unassigned": true, "unknown": true,
	"-": true, "--": true, "---": true, "–": true, "—": true, "?": true, "??": true, "???": true,
	"owner": true, "owners": true, "name": true, "someone": true, "to be determined": true, "to be assigned": true,
}

var (
	// ownerNameEmailRe is "Full Name <x@y>".
	ownerNameEmailRe = regexp.MustCompile(`^(.*?)\s*<\s*(?:mailto:)?([^<>\s@]+@[^<>\s@]+)\s*>$`)
	// ownerOrgTeamRe is a GitHub team mention, @org/team-key.
	ownerOrgTeamRe = regexp.MustCompile(`^@[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	// ownerAndRe separates owners written "alice and bob", "alice & bob".
	ownerAndRe = regexp.MustCompile(`(?i)\s+(?:and|&)\s+`)
)

// Resolve maps an owner as written to a person or team of the directory
// (SPEC §2.4). Accepted forms:
//   - "@handle": a people key or a person's GitHub login (case-insensitive),
//     else a team key; an @handle in neither resolves to Owner{Handle:
//     "handle"}, a GitHub login usable as it stands;
//   - "name@" (Google style): a people key or the local part of a person's
//     e-mail, else a team key;
//   - an e-mail address, also "Full Name <x@y>": a person's e-mail
//     (case-insensitive), else the name;
//   - a people key or a person's display name (case-insensitive; spaces,
//     hyphens and underscores folded), a team key (also "@org/team-key",
//     "<key> team", "team <key>"), and last a person's GitHub login written
//     without the @.
//
// Leading "owner:", "OWNER:", "by " (and similar labels), surrounding
// **bold**, _italics_, backticks and parentheses, Markdown link targets and
// trailing punctuation are stripped; a trailing parenthetical ("alice
// (SRE)", "amirh@ (DONE)") is ignored when the whole does not resolve.
//
// Placeholders (TBD, TBC, n/a, none, -, ?, {{...}}, and anything in <...>
// or [...] that resolves to nobody, such as <owner> or [developer]) mean no
// owner: (Owner{Raw: raw}, nil).
//
// Several owners ("alice, bob", "alice/bob", "alice and bob", "@a @b")
// resolve to the first one found in the directory; only one assignee is
// supported. When none is in the directory, the first unknown @handle is
// used. The result always keeps Raw.
//
// Anything else is an error that names the owner and says what to do; so is
// a name that matches several people. On error the Owner is Owner{Raw: raw}.
func (d Directory) Resolve(raw string) (Owner, error) {
	s := ownerClean(raw)
	o, kind, err := d.ownerResolve(s)
	switch {
	case err != nil:
		return Owner{Raw: raw}, err
	case kind == ownerFound || kind == ownerHandle:
		o.Raw = raw
		return o, nil
	case kind == ownerBlank:
		return Owner{Raw: raw}, nil
	}
	return Owner{Raw: raw}, fmt.Errorf("owner %q is not in people or teams: add them to people: in the config "+
		"(with their github/jira id) or write @github-login", s)
}

// ownerResolve resolves a cleaned owner: the whole text, then each of
// several owners, then the text without a trailing parenthetical.
func (d Directory) ownerResolve(s string) (Owner, ownerKind, error) {
	if low := strings.ToLower(s); ownerPlaceholders[low] || strings.Contains(low, "{{") {
		return Owner{}, ownerBlank, nil // "n/a" is not n and a
	}
	o, kind, err := d.ownerOne(s, 0)
	if err != nil || kind == ownerFound {
		return o, kind, err
	}
	weak, haveWeak := o, kind == ownerHandle
	parts := ownerSplit(s)
	if kind == ownerBlank && len(parts) <= 1 {
		return o, kind, nil
	}
	if len(parts) > 1 { // "TBD, alice" is blank as a whole but names alice
		allBlank := true
		for _, p := range parts {
			po, pk, perr := d.ownerOne(p, 0)
			switch {
			case perr != nil:
				return Owner{}, ownerNone, perr
			case pk == ownerFound:
				return po, pk, nil
			case pk == ownerHandle && !haveWeak:
				weak, haveWeak = po, true
			}
			if pk != ownerBlank {
				allBlank = false
			}
		}
		if (allBlank || kind == ownerBlank) && !haveWeak {
			return Owner{}, ownerBlank, nil
		}
	}
	if !haveWeak && strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, "("); i > 0 {
			if head := strings.TrimSpace(s[:i]); head != "" && !strings.ContainsAny(head, "()") {
				return d.ownerResolve(ownerClean(head))
			}
		}
	}
	if haveWeak {
		return weak, ownerHandle, nil
	}
	return Owner{}, ownerNone, nil
}

// ownerOne resolves one owner (no list). depth stops the re-entry for
// wrapped forms after one level.
func (d Directory) ownerOne(p string, depth int) (Owner, ownerKind, error) {
	p = ownerClean(p)
	if ownerIsPlaceholder(p) {
		return Owner{}, ownerBlank, nil
	}
	if n := len(p); n >= 2 && ((p[0] == '<' && p[n-1] == '>') || (p[0] == '[' && p[n-1] == ']')) {
		if depth > 0 {
			return Owner{}, ownerBlank, nil
		}
		o, k, err := d.ownerOne(p[1:n-1], depth+1)
		if err != nil || k != ownerNone {
			return o, k, err
		}
		return Owner{}, ownerBlank, nil // a template's <owner> or [developer]
	}
	if m := ownerNameEmailRe.FindStringSubmatch(p); m != nil {
		if o, k, err := d.ownerPerson(m[2], ownerByEmail); err != nil || k == ownerFound {
			return o, k, err
		}
		if m[1] != "" && depth == 0 {
			return d.ownerOne(m[1], depth+1)
		}
		return Owner{}, ownerNone, nil
	}
	switch at := strings.IndexByte(p, '@'); {
	case at == 0:
		return d.ownerAtHandle(p[1:])
	case at == len(p)-1 && at > 0:
		local := p[:at]
		if o, k, err := d.ownerPerson(local, ownerByKey|ownerByLocal); err != nil || k == ownerFound {
			return o, k, err
		}
		return d.ownerTeam(local)
	case at > 0:
		return d.ownerPerson(strings.TrimPrefix(p, "mailto:"), ownerByEmail)
	}
	return d.ownerBare(p)
}

// ownerAtHandle resolves "@handle" and "@org/team" (without the @).
func (d Directory) ownerAtHandle(h string) (Owner, ownerKind, error) {
	if h == "" {
		return Owner{}, ownerNone, nil
	}
	if i := strings.IndexByte(h, '/'); i >= 0 {
		if !ownerOrgTeamRe.MatchString("@" + h) {
			return Owner{}, ownerNone, nil
		}
		return d.ownerTeam(h[i+1:])
	}
	if o, k, err := d.ownerPerson(h, ownerByKey|ownerByGitHub); err != nil || k == ownerFound {
		return o, k, err
	}
	if o, k, err := d.ownerTeam(h); err != nil || k == ownerFound {
		return o, k, err
	}
	if ownerValidLogin(h) {
		return Owner{Handle: h}, ownerHandle, nil
	}
	return Owner{}, ownerNone, nil
}

// ownerBare resolves a name written without @: a people key or display
// name, a team ("sre", "SRE team", "team sre"), a GitHub login.
func (d Directory) ownerBare(p string) (Owner, ownerKind, error) {
	if o, k, err := d.ownerPerson(p, ownerByKey|ownerByName); err != nil || k == ownerFound {
		return o, k, err
	}
	if o, k, err := d.ownerTeam(p); err != nil || k == ownerFound {
		return o, k, err
	}
	for _, affix := range []string{" team", "team "} {
		var rest string
		var ok bool
		if affix[0] == ' ' {
			if ok = len(p) > len(affix) && strings.EqualFold(p[len(p)-len(affix):], affix); ok {
				rest = p[:len(p)-len(affix)]
			}
		} else {
			rest, ok = dueCutPrefixFold(p, affix)
		}
		if ok && strings.TrimSpace(rest) != "" {
			if o, k, err := d.ownerTeam(strings.TrimSpace(rest)); err != nil || k == ownerFound {
				return o, k, err
			}
		}
	}
	return d.ownerPerson(p, ownerByGitHub)
}

// ownerPerson finds the one person whose fields (how) match q. The key is
// tried exactly first; the rest is one scan of the people. A match that is
// not unique is an error.
func (d Directory) ownerPerson(q string, how int) (Owner, ownerKind, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return Owner{}, ownerNone, nil
	}
	if how&ownerByKey != 0 {
		if _, ok := d.People[q]; ok {
			return Owner{Person: q}, ownerFound, nil
		}
	}
	const noMatch = 99
	best := noMatch
	var keys []string
	if d.index != nil {
		keys = d.index.people(q, how)
		d.People = nil // the index answered
	}
	for key, p := range d.People {
		r := noMatch
		switch {
		case how&ownerByKey != 0 && (ownerFoldEq(key, q) || (p.Key != "" && ownerFoldEq(p.Key, q))):
			r = 1
		case how&ownerByEmail != 0 && p.Email != "" && strings.EqualFold(p.Email, q):
			r = 1
		case how&ownerByName != 0 && p.Name != "" && ownerFoldEq(p.Name, q):
			r = 2
		case how&ownerByGitHub != 0 && p.GitHub != "" && strings.EqualFold(strings.TrimPrefix(p.GitHub, "@"), q):
			r = 3
		case how&ownerByLocal != 0 && p.Email != "" && ownerLocalPart(p.Email) != "" && strings.EqualFold(ownerLocalPart(p.Email), q):
			r = 3
		}
		switch {
		case r < best:
			best, keys = r, append(keys[:0], key)
		case r == best && r != noMatch:
			keys = append(keys, key)
		}
	}
	switch len(keys) {
	case 0:
		return Owner{}, ownerNone, nil
	case 1:
		return Owner{Person: keys[0]}, ownerFound, nil
	}
	slices.Sort(keys)
	return Owner{}, ownerNone, fmt.Errorf("owner %q matches several people (%s): write their people key or @github-login",
		q, strings.Join(keys, ", "))
}

// ownerTeam finds the one team whose key matches q (separators and case
// folded).
func (d Directory) ownerTeam(q string) (Owner, ownerKind, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return Owner{}, ownerNone, nil
	}
	if _, ok := d.Teams[q]; ok {
		return Owner{Team: q}, ownerFound, nil
	}
	var keys []string
	if d.index != nil {
		keys = append(keys, d.index.team[ownerFold(q)]...)
		d.Teams = nil // the index answered
	}
	for key, t := range d.Teams {
		if ownerFoldEq(key, q) || (t.Key != "" && ownerFoldEq(t.Key, q)) {
			keys = append(keys, key)
		}
	}
	switch len(keys) {
	case 0:
		return Owner{}, ownerNone, nil
	case 1:
		return Owner{Team: keys[0]}, ownerFound, nil
	}
	slices.Sort(keys)
	return Owner{}, ownerNone, fmt.Errorf("owner %q matches several teams (%s): write the team key as configured",
		q, strings.Join(keys, ", "))
}

// Assignee returns the tracker account for an owner on a tracker type
// ("github" or "jira", case-insensitive): the person's GitHub login (without
// a leading @) or Jira id, the Handle on github. Teams and owners that are
// not set need no account: ("", true). ok is false when a person (or an
// @handle, on jira) has no account on that tracker, when the person is not
// in the directory, and for an unknown tracker type.
func (d Directory) Assignee(o Owner, trackerType string) (id string, ok bool) {
	tt := strings.ToLower(strings.TrimSpace(trackerType))
	if tt != "github" && tt != "jira" {
		return "", false
	}
	switch {
	case o.Person != "":
		p, found := d.People[o.Person]
		if !found {
			return "", false
		}
		id = strings.TrimSpace(p.Jira)
		if tt == "github" {
			id = strings.TrimPrefix(strings.TrimSpace(p.GitHub), "@")
		}
		return id, id != ""
	case o.Handle != "":
		if tt == "github" {
			return o.Handle, true
		}
		return "", false
	}
	return "", true
}

// ownerSplit splits a cell that names several owners.
func ownerSplit(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '|' }) {
		for _, b := range ownerAndRe.Split(a, -1) {
			b = strings.TrimSpace(b)
			switch f := strings.Fields(b); {
			case b == "":
			case strings.Contains(b, "/") && !strings.Contains(b, "://") && !ownerOrgTeamRe.MatchString(b):
				out = append(out, strings.Split(b, "/")...)
			case len(f) > 1 && !slices.ContainsFunc(f, func(w string) bool { return !strings.HasPrefix(w, "@") }):
				out = append(out, f...) // "@alice @bob"
			default:
				out = append(out, b)
			}
		}
	}
	return out
}

// ownerClean strips labels, Markdown and punctuation around an owner.
func ownerClean(s string) string {
	if strings.Contains(s, "](") {
		s = dueLinkRe.ReplaceAllString(s, "$1")
	}
	for {
		old := s
		s = strings.TrimSpace(s)
		for _, p := range ownerPrefixes {
			if r, ok := dueCutPrefixFold(s, p); ok {
				s = strings.TrimSpace(r)
				break
			}
		}
		for _, w := range [][2]string{{"**", "**"}, {"__", "__"}, {"~~", "~~"}, {"`", "`"}, {"*", "*"}, {"_", "_"}, {"(", ")"}} {
			n := len(w[0]) + len(w[1])
			if len(s) >= n && strings.HasPrefix(s, w[0]) && strings.HasSuffix(s, w[1]) {
				if inner := s[len(w[0]) : len(s)-len(w[1])]; !strings.Contains(inner, w[0]) && !strings.Contains(inner, w[1]) {
					s = strings.TrimSpace(inner)
				}
			}
		}
		if len(s) > 1 {
			s = strings.TrimRight(s, ".,;:!")
		}
		if s == old {
			return s
		}
	}
}

// ownerIsPlaceholder reports an owner cell that means "no owner".
func ownerIsPlaceholder(p string) bool {
	low := strings.ToLower(strings.TrimSpace(p))
	if ownerPlaceholders[low] || strings.Contains(low, "{{") {
		return true
	}
	for _, w := range []string{"tbd", "tbc", "tba"} {
		if r, ok := strings.CutPrefix(low, w); ok && (r == "" || !dueIsLetter(r[0])) {
			return true
		}
	}
	return false
}

// ownerValidLogin reports a plausible GitHub login: 1-39 letters, digits
// and hyphens, not starting with a hyphen.
func ownerValidLogin(h string) bool {
	if h == "" || len(h) > 39 || h[0] == '-' {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ownerLocalPart returns the part of an e-mail before the @.
func ownerLocalPart(email string) string {
	local, _, ok := strings.Cut(strings.TrimSpace(email), "@")
	if !ok {
		return ""
	}
	return local
}

// ownerIsSep reports the runes folded together when comparing names.
func ownerIsSep(r rune) bool {
	return r == ' ' || r == '\t' || r == '-' || r == '_' || r == '\u00a0'
}

// ownerFoldEq compares two names ignoring case, leading and trailing
// separators, and treating any run of separators (space, hyphen,
// underscore) as equal to any other. It does not allocate.
func ownerFoldEq(a, b string) bool {
	a, b = strings.TrimFunc(a, ownerIsSep), strings.TrimFunc(b, ownerIsSep)
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		sa, sb := ownerIsSep(ra), ownerIsSep(rb)
		switch {
		case sa && sb:
			a, b = strings.TrimLeftFunc(a, ownerIsSep), strings.TrimLeftFunc(b, ownerIsSep)
			continue
		case sa || sb:
			return false
		case ra != rb && unicode.ToLower(ra) != unicode.ToLower(rb):
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b == ""
}
