package postmortem

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int // offsets at which each line starts

func newLineIndex(src []byte) lineIndex {
	idx := make(lineIndex, 1, bytes.Count(src, []byte{'\n'})+1) // its size, counted fast, not grown
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			return idx
		}
		i += j + 1
		idx = append(idx, i)
	}
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

// plain strips Markdown inline syntax from s, leaving readable text on
// one line: links and images keep their text, code spans their content,
// emphasis and HTML tags go, entities and backslash escapes are decoded.
// It is one hand-written pass because it runs on every heading, label and
// item (regular expressions made it the parser's largest cost).
func plain(s string) string {
	if s == "" {
		return s
	}
	if !hasMarkup(s) {
		if !strings.Contains(s, "  ") {
			return strings.TrimSpace(s)
		}
		return oneSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	plainTo(&b, s)
	out := b.String()
	if strings.IndexByte(out, '&') >= 0 {
		out = html.UnescapeString(out)
	}
	return oneSpace(out)
}

// oneSpace is strings.Join(strings.Fields(s), " ") without its slice, and
// without any allocation when s is already so.
func oneSpace(s string) string {
	clean, prevSpace := true, true // a leading space is not clean
	for i := 0; i < len(s) && clean; {
		r, n := rune(s[i]), 1
		var sp bool
		if r < utf8.RuneSelf {
			sp = r == ' ' || r >= '\t' && r <= '\r' // unicode.IsSpace's ASCII ones
		} else {
			r, n = utf8.DecodeRuneInString(s[i:])
			sp = unicode.IsSpace(r)
		}
		if sp && (prevSpace || r != ' ') {
			clean = false
		}
		prevSpace = sp
		i += n
	}
	if clean && !prevSpace || s == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		// The run up to the next white space is written whole, its bytes
		// as they are, valid UTF-8 or not.
		j := i
		for j < len(s) {
			if c := s[j]; c < utf8.RuneSelf {
				if c == ' ' || c >= '\t' && c <= '\r' {
					break
				}
				j++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsSpace(r) {
				break
			}
			j += n
		}
		if j > i {
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(s[i:j])
			i = j
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:]) // white space
		space = b.Len() > 0
		i += n
	}
	return b.String()
}

func plainTo(b *strings.Builder, s string) {
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && isASCIIPunct(s[i+1]) {
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
		case '`':
			n := runOf(s, i, '`')
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				b.WriteString(strings.TrimSpace(s[i+n : i+n+end]))
				i += n + end + n
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		case '<':
			if strings.HasPrefix(s[i:], "<!--") {
				if end := strings.Index(s[i+4:], "-->"); end >= 0 {
					i += 4 + end + 3
					continue
				}
			}
			if end := strings.IndexByte(s[i:], '>'); end > 1 {
				tag := s[i+1 : i+end]
				switch {
				case strings.HasPrefix(tag, "http://") || strings.HasPrefix(tag, "https://") || strings.HasPrefix(tag, "mailto:"):
					b.WriteString(tag)
					i += end + 1
					continue
				case isTag(tag):
					if strings.EqualFold(strings.TrimRight(strings.TrimSpace(tag), "/ "), "br") {
						b.WriteByte(' ')
					}
					i += end + 1
					continue
				}
			}
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				if text, n, ok := linkAt(s, i+1); ok {
					plainTo(b, text)
					i += 1 + n
					continue
				}
			}
		case '[':
			if text, n, ok := linkAt(s, i); ok {
				plainTo(b, text)
				i += n
				continue
			}
		case '*':
			n := runOf(s, i, '*')
			// A lone * between spaces is a multiplication or a bullet.
			if !(spaceAt(s, i-1) && spaceAt(s, i+n)) {
				i += n
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		case '_':
			n := runOf(s, i, '_')
			// snake_case keeps its underscores; _emphasis_ loses them.
			if !(wordAt(s, i-1) && wordAt(s, i+n)) {
				i += n
				continue
			}
			b.WriteString(s[i : i+n])
			i += n
			continue
		case '~':
			if n := runOf(s, i, '~'); n == 2 {
				i += 2
				continue
			}
		case '\n', '\r', '\t':
			b.WriteByte(' ')
			i++
			continue
		}
		b.WriteByte(c)
		i++
	}
}

// maxLinkText bounds the text of a link linkAt reads.
const maxLinkText = 1000

// linkAt reads "[text](url)", "[text][ref]" or "[text]" followed by one of
// them at s[i] == '['; it returns the text and the length consumed.
func linkAt(s string, i int) (text string, n int, ok bool) {
	depth := 0
	// A link's text is short; looking further would make "[[[[…" cost the
	// square of its length.
	end := min(len(s), i+maxLinkText)
	for j := i; j < end; j++ {
		switch s[j] {
		case '\\':
			j++
		case '[':
			depth++
		case ']':
			depth--
			if depth > 0 {
				continue
			}
			text = s[i+1 : j]
			k := j + 1
			if k < len(s) && s[k] == '(' {
				if end := strings.IndexByte(s[k:], ')'); end >= 0 {
					return text, k + end + 1 - i, true
				}
			}
			if k < len(s) && s[k] == '[' {
				if end := strings.IndexByte(s[k:], ']'); end >= 0 {
					return text, k + end + 1 - i, true
				}
			}
			return "", 0, false
		}
	}
	return "", 0, false
}

func runOf(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

func spaceAt(s string, i int) bool {
	return i < 0 || i >= len(s) || s[i] == ' ' || s[i] == '\t' || s[i] == '\n'
}

func wordAt(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// isTag reports an HTML tag body: "br", "/b", "img src=x", "br /".
func isTag(t string) bool {
	t = strings.TrimPrefix(t, "/")
	if t == "" || !(t[0] >= 'a' && t[0] <= 'z' || t[0] >= 'A' && t[0] <= 'Z') {
		return false
	}
	for k := 1; k < len(t); k++ {
		c := t[k]
		if c == ' ' || c == '/' || c == '\t' {
			return true
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// reBreakTag splits "Status: final<br> Owners: x" into fields.
var reBreakTag = regexp.MustCompile(`(?i)<br\s*/?>`)

// beforeBreak is s up to its first <br> tag (reBreakTag.Split(s, 2)[0]);
// a line without '<', as most are, is itself.
func beforeBreak(s string) string {
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	return reBreakTag.Split(s, 2)[0]
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// markup marks the bytes that may start Markdown inline syntax or need
// folding.
var markup = func() (t [256]bool) {
	for _, c := range []byte("*_[]<>!`&~\\\n\t\r") {
		t[c] = true
	}
	return t
}()

func hasMarkup(s string) bool {
	for i := 0; i < len(s); i++ {
		if markup[s[i]] {
			return true
		}
	}
	return false
}

// normHeading folds a heading or label for synonym matching: plain text,
// lower case, no numbering, parentheticals, emoji or punctuation. It is
// on the parser's hot path, so it is one pass without regular expressions.
func normHeading(s string) string { return normPlain(plain(s)) }

// normPlain is normHeading of text that is already plain.
func normPlain(s string) string {
	var buf [128]byte
	return string(appendNorm(buf[:0], s))
}

// appendNorm appends normPlain(s) to dst and returns it (a part of dst's
// bytes after len(dst)): with dst on the caller's stack, a synonym can be
// looked up (matchAnyB) with nothing allocated.
func appendNorm(dst []byte, s string) []byte {
	s = strings.TrimSpace(s)
	// Numbering: "6. ", "1.2 ", "A) ", "IV. ".
	if k := indexBlank(s); k > 0 {
		head := s[:k]
		if isNumbering(head) {
			s = s[k+1:]
		}
	}
	start := len(dst)
	depth := 0
	space := true // no leading space
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// ASCII, by table: most headings and labels are.
			i++
			switch k := normClass[c]; {
			case k == normOpen:
				depth++
			case k == normClose:
				if depth > 0 {
					depth--
				}
			case depth > 0:
			case k == normAnd:
				if !space {
					dst = append(dst, ' ')
				}
				dst = append(dst, "and "...)
				space = true
			case k == normSep:
				if !space {
					dst = append(dst, ' ')
					space = true
				}
			default: // a letter or digit, lower-cased
				dst = append(dst, k)
				space = false
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case depth > 0:
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			space = false
		case !space:
			dst = append(dst, ' ')
			space = true
		}
	}
	out := bytes.TrimRight(dst[start:], " ")
	// Leading digits left after emoji or punctuation ("📝 1. Summary").
	for {
		k := bytes.IndexByte(out, ' ')
		if k <= 0 || len(bytes.Trim(out[:k], "0123456789")) != 0 {
			break
		}
		out = out[k+1:]
	}
	return out
}

// normClass is appendNorm's reading of an ASCII byte: the byte it keeps
// (lower-cased), or one of the marks below.
var normClass = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			t[c] = byte(c)
		case c >= 'A' && c <= 'Z':
			t[c] = byte(c) + 'a' - 'A'
		case c == '(':
			t[c] = normOpen
		case c == ')':
			t[c] = normClose
		case c == '&':
			t[c] = normAnd
		default:
			t[c] = normSep
		}
	}
	return t
}()

// The marks of normClass: bytes no kept byte is.
const (
	normSep = iota
	normOpen
	normClose
	normAnd
)

// isNumbering reports a section number: 6. 1.2 3) A. b) IV.
func isNumbering(w string) bool {
	if w == "" {
		return false
	}
	last := w[len(w)-1]
	body := w
	if last == '.' || last == ')' {
		body = w[:len(w)-1]
	}
	if body == "" {
		return false
	}
	if allBytes(body, func(c byte) bool { return c >= '0' && c <= '9' || c == '.' }) {
		return true
	}
	if body != w && len(body) == 1 && (body[0]|0x20) >= 'a' && (body[0]|0x20) <= 'z' {
		return true
	}
	return last == '.' && allBytes(body, func(c byte) bool { return c == 'I' || c == 'V' || c == 'X' })
}

// normKey folds a table header or metadata key.
func normKey(s string) string { return normHeading(s) }

// metaKey is metaKeys[normKey(key)], looked up without making the folded
// key a string: it runs on every "Key: value" line near the top.
func metaKey(key string) (field string, ok bool) {
	var nb [128]byte
	field, ok = metaKeys[string(appendNorm(nb[:0], plain(key)))]
	return field, ok
}

// normText folds an item's text for its key: plain, lower case, single
// spaces, no trailing punctuation.
func normText(s string) string {
	s = strings.ToLower(s) // item texts are plain already
	s = strings.TrimRight(s, " .;:,!")
	return s
}

// normTextTo appends normText(s) to buf: an ASCII text short enough is
// lowered into buf's own space, with nothing allocated.
func normTextTo(buf []byte, s string) []byte {
	if len(s) > cap(buf)-len(buf) || !isASCII(s) {
		return append(buf, normText(s)...)
	}
	start := len(buf)
	for i := 0; i < len(s); i++ {
		buf = append(buf, lowerASCII[s[i]])
	}
	return buf[:start+len(bytes.TrimRight(buf[start:], " .;:,!"))]
}

// lowerASCII folds ASCII upper case to lower case, byte by byte.
var lowerASCII = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] += 'a' - 'A'
		}
	}
	return t
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// truncateRunes cuts s to at most n runes, ending in "…" when cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// The helpers below do what strings.Trim, TrimRight and IndexAny do with
// a cutset, on the parser's hot path: those build a set from the cutset
// on every call, which was 4 % of a parse.

// trimEOL is strings.TrimRight(s, "\r\n").
func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}

// trimPunct is strings.TrimRight(s, ".,;:").
func trimPunct(s string) string {
	for len(s) > 0 {
		switch s[len(s)-1] {
		case '.', ',', ';', ':':
			s = s[:len(s)-1]
		default:
			return s
		}
	}
	return s
}

// allBytes reports whether every byte of s is one in.
func allBytes(s string, in func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !in(s[i]) {
			return false
		}
	}
	return true
}

// indexBlank is strings.IndexAny(s, " \t").
func indexBlank(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			return i
		}
	}
	return -1
}

// hasDigit is strings.ContainsAny(s, "0123456789").
func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}
