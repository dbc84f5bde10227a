package github

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
)

const (
	// maxBody is GitHub's body limit. It is counted here in bytes, which
	// is never less than GitHub's count in characters.
	maxBody = 65536
	// maxTitle is GitHub's title limit, in characters.
	maxTitle = 256
)

const truncated = "\n\n*(truncated; the full text is in the postmortem)*\n"

// renderBody writes the issue body (ticket.Body) in GitHub Markdown, the
// marker last, on its own line, in an HTML comment. Text from documents
// is escaped so it can neither end that comment, nor fake a marker, nor
// mention GitHub users; only the detail is ever truncated.
func renderBody(s ticket.Spec, note string) string {
	return ticket.Body(s, note, markdown{})
}

// markdown is the ticket.Dialect of GitHub issue bodies.
type markdown struct{}

func (markdown) Escape(s string) string  { return mentions(s, escapeInline) }
func (markdown) Strong(s string) string  { return "**" + s + "**" }
func (markdown) Item(s string) string    { return "- " + s + "\n" }
func (markdown) Callout(s string) string { return "> " + s }
func (markdown) Limit() int              { return maxBody }

func (markdown) Link(text, u string) string {
	if dest := linkDest(u); dest != "" {
		return "[" + text + "](" + dest + ")"
	}
	return text
}

func (markdown) Autolink(u string) string {
	if dest := linkDest(u); dest != "" {
		return "[" + escapeInline(dest) + "](" + dest + ")"
	}
	return ""
}

// Detail escapes the whole detail, then cuts it to fit (Cut).
func (d markdown) Detail(s string, room int) (string, bool) {
	detail := block(s)
	if detail != "" {
		detail = "\n" + detail + "\n"
	}
	if len(detail) <= room {
		return detail, true
	}
	room -= len(truncated)
	if room < 0 {
		return truncated, false
	}
	return d.Cut(detail, room) + truncated, true
}

// maxWord is the longest word a cut moves to the start of.
const maxWord = 256

// Cut shortens Markdown this dialect wrote to at most n bytes, ending
// where everything before reads as it does in s: not inside an escape,
// a code span, a link or a character (unit). A cut inside one would let
// a lone backslash escape what follows, or turn what was code or a
// link's text (a mention, an issue reference) live. A word cut short is
// dropped whole (up to maxWord bytes), and a mention or "#123" always:
// half of one names someone or something else.
func (markdown) Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end, word, name := 0, 0, -1
	for i := 0; i <= n; {
		end = i
		if i > 0 && isSpace(s[i-1]) {
			word = i
		}
		next := unit(s, i)
		switch {
		case next == i+1 && (s[i] == '@' || s[i] == '#'):
			name = i
		case next == i+1 && nameByte(s[i]):
		default:
			name = -1
		}
		i = next
	}
	switch {
	case end > word && end-word <= maxWord && !isSpace(s[end]):
		end = word
	case name >= 0:
		end = name
	}
	return s[:end]
}

// unit is the end of what starts at i in Markdown this dialect wrote and
// must not be split: an escape, a code span, a link, or a character.
// Document text has every backtick and "[" escaped, so one that is not
// is pmsync's: a code span ("`@name`") ends at the next backtick, a link
// ("[text](dest)") at the first ")" after its text (linkDest leaves none
// in dest).
func unit(s string, i int) int {
	switch s[i] {
	case '\\':
		if i+1 < len(s) && isASCIIPunct(s[i+1]) {
			return i + 2
		}
	case '`':
		if j := strings.IndexByte(s[i+1:], '`'); j >= 0 {
			return i + 1 + j + 1
		}
	case '[':
		for j := i + 1; j < len(s) && s[j] != '\n'; j = unit(s, j) {
			if s[j] == ']' {
				if k := strings.IndexByte(s[j+1:], ')'); k >= 0 && strings.HasPrefix(s[j+1:], "(") {
					return j + 1 + k + 1
				}
				break
			}
		}
	}
	if s[i] < utf8.RuneSelf {
		return i + 1
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	return i + w
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_./", c) >= 0
}

func isASCIIPunct(c byte) bool {
	return c < utf8.RuneSelf && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

func (markdown) Footer(m ticket.Marker) string {
	return "\n---\n<sub>Opened by pmsync from the postmortem, which stays the source of truth for this item. " +
		"pmsync finds this issue by the hidden marker below: keep it.</sub>\n\n" +
		"<!-- " + m.String() + " -->\n"
}

// title cleans an item's text for an issue title: one line, at most 256
// characters (the spec already caps it at 200).
func title(s ticket.Spec) string {
	t := strings.Join(strings.Fields(s.Title), " ")
	if t == "" {
		t = "Postmortem item " + s.Marker.Item
	}
	if utf8.RuneCountInString(t) > maxTitle {
		r := []rune(t)
		t = string(r[:maxTitle-1]) + "…"
	}
	return t
}

// mentionRE finds @login and @org/team mentions: after anything but a
// word character or "/", so that a URL (https://medium.com/@name) stays
// whole. A backslash or backtick before one does not hide it.
var mentionRE = regexp.MustCompile(`(^|[^A-Za-z0-9_/])(@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)`)

// inline makes document text safe for one Markdown line: whitespace is
// folded, Markdown punctuation and "<" are escaped (no HTML, so no "-->"),
// and mentions become code so nobody is notified. At most
// ticket.MaxField bytes of source.
func inline(s string) string {
	return markdown{}.Escape(ticket.Line(s))
}

// block makes a multi-line detail safe: "<" and "-->" are escaped (no
// HTML comment can open or close), a marker cannot be faked, mentions
// become code. Backslashes, backticks and "[" are escaped too: the
// detail is plain text, and with them it could undo another escape (a
// backslash before "<"), pair its backtick with a mention's, or make a
// link. Its lines end LF (ticket.Body). Other Markdown is kept: the
// detail may be formatted.
func block(s string) string {
	return mentions(strings.TrimSpace(s), escapeBlock)
}

func mentions(s string, esc func(string) string) string {
	var b strings.Builder
	last := 0
	for _, m := range mentionRE.FindAllStringSubmatchIndex(s, -1) {
		// m[4]:m[5] is the mention; m[2]:m[3] the char before it.
		b.WriteString(esc(s[last:m[4]]))
		b.WriteString("`" + s[m[4]:m[5]] + "`")
		last = m[5]
	}
	b.WriteString(esc(s[last:]))
	return b.String()
}

var inlineEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `|`, `\|`, `~`, `\~`,
	ticket.MarkerPrefix[:len("pmsync:v")], `pmsync\:v`,
)

var blockEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `[`, `\[`, `<`, `\<`, `-->`, `--\>`,
	ticket.MarkerPrefix[:len("pmsync:v")], `pmsync\:v`,
)

func escapeInline(s string) string { return inlineEscaper.Replace(s) }
func escapeBlock(s string) string  { return blockEscaper.Replace(s) }

// linkDest returns an http(s) URL fit for a Markdown link destination, or
// "" when u is not one.
func linkDest(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "\n", "", "\r", "").Replace(p.String())
}
