package postmortem

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets at which each line starts

func newLineIndex(src []byte) lineIndex {
	idx := make(lineIndex, 1, 64)
	for i, b := range src {
		if b == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

// line returns the 1-based line of offset off.
func (l lineIndex) line(off int) int {
	lo, hi := 0, len(l)
	for lo+1 < hi {
		m := (lo + hi) / 2
		if l[m] <= off {
			lo = m
		} else {
			hi = m
		}
	}
	return lo + 1
}

// lineEnd returns the offset of the end of the content of the line holding
// off: before trailing spaces, tabs, "\r" and "\n".
func lineContentEnd(src []byte, off int) int {
	e := off
	for e < len(src) && src[e] != '\n' {
		e++
	}
	for e > off && (src[e-1] == '\r' || src[e-1] == ' ' || src[e-1] == '\t') {
		e--
	}
	return e
}

var (
	reComment    = regexp.MustCompile(`(?s)<!--.*?-->`)
	reImage      = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	reLink       = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	reRefLink    = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	reAutolink   = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	reTag        = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`)
	reEmphStar   = regexp.MustCompile(`\*{1,3}([^*\s](?:[^*]*[^*\s])?)\*{1,3}`)
	reEmphUnder  = regexp.MustCompile(`(^|[^\pL\pN_])_{1,3}([^_\s](?:[^_]*[^_\s])?)_{1,3}([^\pL\pN_]|$)`)
	reStrike     = regexp.MustCompile(`~~([^~]+)~~`)
	reCode       = regexp.MustCompile("`+([^`]*)`+")
	reEscape     = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])`)
	reSpaces     = regexp.MustCompile(`\s+`)
	reNumbering  = regexp.MustCompile(`^(?:\d+(?:\.\d+)*[.)]?|[A-Za-z][.)]|[IVX]+\.)\s+`)
	reParens     = regexp.MustCompile(`\([^()]*\)`)
	reNonWord    = regexp.MustCompile(`[^\pL\pN]+`)
	reBreakTag   = regexp.MustCompile(`(?i)<br\s*/?>`)
	reCodeMarker = regexp.MustCompile("\x00(\\d+)\x00")
)

// plain strips Markdown inline syntax from s, leaving readable text on
// one line. Code spans keep their content verbatim.
func plain(s string) string {
	if s == "" {
		return s
	}
	// Protect code spans from the other rules.
	var codes []string
	s = reCode.ReplaceAllStringFunc(s, func(m string) string {
		sub := reCode.FindStringSubmatch(m)
		codes = append(codes, strings.TrimSpace(sub[1]))
		return "\x00" + itoa(len(codes)-1) + "\x00"
	})
	s = reComment.ReplaceAllString(s, "")
	s = reBreakTag.ReplaceAllString(s, " ")
	s = reImage.ReplaceAllString(s, "$1")
	s = reLink.ReplaceAllString(s, "$1")
	s = reRefLink.ReplaceAllString(s, "$1")
	s = reAutolink.ReplaceAllString(s, "$1")
	s = reTag.ReplaceAllString(s, "")
	for i := 0; i < 2; i++ { // nested emphasis
		s = reEmphStar.ReplaceAllString(s, "$1")
		s = reEmphUnder.ReplaceAllString(s, "$1$2$3")
	}
	s = reStrike.ReplaceAllString(s, "$1")
	s = reEscape.ReplaceAllString(s, "$1")
	s = html.UnescapeString(s)
	s = reCodeMarker.ReplaceAllStringFunc(s, func(m string) string {
		n := atoi(m[1 : len(m)-1])
		if n >= 0 && n < len(codes) {
			return codes[n]
		}
		return ""
	})
	return strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
}

// normHeading folds a heading or label for synonym matching: plain text,
// lower case, no numbering, parentheticals, emoji or punctuation.
func normHeading(s string) string {
	s = plain(s)
	s = strings.ReplaceAll(s, "&", " and ")
	s = reParens.ReplaceAllString(s, " ")
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	s = reNumbering.ReplaceAllString(s, "")
	s = reNonWord.ReplaceAllString(s, " ")
	return strings.TrimSpace(s)
}

// normKey folds a table header or metadata key.
func normKey(s string) string { return normHeading(s) }

// normText folds an item's text for its key: plain, lower case, single
// spaces, no trailing punctuation.
func normText(s string) string {
	s = strings.ToLower(plain(s))
	s = strings.TrimRight(s, " .;:,!")
	return s
}

// truncateRunes cuts s to at most n runes, ending in "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}
