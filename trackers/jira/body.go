package jira

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
)

const (
	// maxDescription is Jira's description limit in characters (UTF-16
	// units). It is counted here in bytes, which is never less.
	maxDescription = 32767
	// maxSummary is Jira's summary limit in characters.
	maxSummary = 255
	// maxLabel is Jira's label limit in characters.
	maxLabel = 255
)

// Labels pmsync puts on its issues (SPEC §4.1).
const (
	labelPostmortem = "postmortem"
	labelAction     = "action-item"
	labelFactor     = "contributing-factor"
	labelNeedsOwner = "needs-owner"
)

const truncated = "\n\n_(truncated; the full text is in the postmortem)_\n"

// renderDescription writes the issue description (ticket.Body) in Jira
// wiki markup, the marker on its last line. Text from documents is
// escaped (no markup, links, mentions, macros or images, and no fake
// marker); only the detail is ever cut, never the marker.
func renderDescription(s ticket.Spec, note string) string {
	return ticket.Body(s, note, wiki{})
}

// wiki is the ticket.Dialect of Jira descriptions (wiki markup).
type wiki struct{}

func (wiki) Escape(s string) string  { return escapeWiki(s) }
func (wiki) Strong(s string) string  { return "*" + s + "*" }
func (wiki) Item(s string) string    { return "* " + s + "\n" }
func (wiki) Callout(s string) string { return s }
func (wiki) Limit() int              { return maxDescription }

func (wiki) Link(text, u string) string {
	if dest := linkDest(u); dest != "" {
		return "[" + text + "|" + dest + "]"
	}
	return text
}

func (wiki) Autolink(u string) string {
	if dest := linkDest(u); dest != "" {
		return "[" + dest + "]"
	}
	return ""
}

// Detail escapes the detail token by token up to room, so that a cut
// never leaves half an escape. A cut detail is the note alone when no
// token fits beside it, and ok is false when not even the note fits: the
// note is always whole, and counted in room.
func (wiki) Detail(s string, room int) (string, bool) {
	if room < 0 {
		return truncated, false
	}
	detail, whole := escapeBlock(s, room-2)
	switch {
	case whole && detail == "":
		return "", true
	case whole:
		return "\n" + detail + "\n", true
	case room < len(truncated):
		return truncated, false
	}
	if detail, _ = escapeBlock(s, room-1-len(truncated)); detail == "" {
		return truncated, true
	}
	return "\n" + detail + truncated, true
}

// Cut shortens wiki markup to at most n bytes, never inside an escape
// ("\\*", "&#92;"), which would leave a backslash escaping what follows
// or half an entity, nor inside a character.
func (wiki) Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := 0
	for i := 0; i <= n; {
		end = i
		_, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case s[i] == '\\' && i+1 < len(s):
			_, e := utf8.DecodeRuneInString(s[i+1:])
			w += e
		case s[i] == '&' && strings.HasPrefix(s[i:], "&#"):
			if k := strings.IndexByte(s[i:min(len(s), i+8)], ';'); k > 0 {
				w = k + 1
			}
		}
		i += w
	}
	return s[:end]
}

func (wiki) Footer(m ticket.Marker) string {
	return "\n----\n_Opened by pmsync from the postmortem, which stays the source of truth for this item. " +
		"pmsync finds this issue by the marker on the last line: keep it._\n" +
		m.String()
}

// assignNote is the description's note when the assignee could not be
// set: who as the document names them, in project ("" when Jira was not
// asked), and Jira's reason. None is pmsync's own text, so each is
// escaped to one line like document text: the note stays one paragraph.
func assignNote(who, project, why string) string {
	where := ""
	if project != "" {
		where = " in " + inline(project)
	}
	return fmt.Sprintf("%s could not be assigned%s (%s). Please assign an owner.", inline(who), where, inline(why))
}

// summary cleans an item's text for an issue summary: one line (Jira
// refuses newlines), at most 255 characters as Jira counts them.
func summary(s ticket.Spec) string {
	t := strings.Join(strings.Fields(s.Title), " ")
	if t == "" {
		t = "Postmortem item " + s.Marker.Item
	}
	if utf16Len(t) > maxSummary {
		var b strings.Builder
		n := 0
		for _, r := range t {
			w := len(utf16.Encode([]rune{r}))
			if n+w > maxSummary-1 {
				break
			}
			b.WriteRune(r)
			n += w
		}
		t = b.String() + "…"
	}
	return t
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.Encode([]rune{r}))
	}
	return n
}

// pmLabel is the postmortem's label: "pm-" and the id, lower-case, every
// run of characters other than letters and digits one "-" (Jira labels
// hold no spaces). An id too long for a label keeps its head and gets a
// hash of the whole, so two long ids stay apart.
func pmLabel(id string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(id) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	slug := strings.TrimRight(b.String(), "-")
	if slug == "" {
		slug = "x"
	}
	l := "pm-" + slug
	if utf16Len(l) <= maxLabel {
		return l
	}
	sum := sha256.Sum256([]byte(id))
	suffix := "-" + hex.EncodeToString(sum[:4])
	var out strings.Builder
	n := 0
	for _, r := range l {
		w := len(utf16.Encode([]rune{r}))
		if n+w > maxLabel-len(suffix) {
			break
		}
		out.WriteRune(r)
		n += w
	}
	return strings.TrimRight(out.String(), "-") + suffix
}

// wikiSpecial are the characters Jira's wiki renderer reads as markup:
// text effects (*bold* _italic_ +under+ ^sup^ ~sub~), {macros} and
// {{monospace}}, [links|url] and [~mentions], |tables| and !images!.
// Each is escaped with a backslash, which the renderer honours. Three
// more are markup only in context and escaped only there, so ordinary
// text stays readable: "-" unless between letters or digits ("re-run",
// "2026-04-01"; -strike- and "- list" need a space beside), "?" when
// doubled (??citation??) and "#" at the start of a line (a list).
const wikiSpecial = `{}[]|*_!^~+`

// escapeWiki escapes document text for wiki markup. A backslash is
// written as the entity &#92; ("\\" is a line break in wiki markup, and
// a lone one would escape what follows) and "pmsync:v" as
// "pmsync&#58;v": the text can never hold a marker that
// ticket.ParseMarker would find before the real one.
func escapeWiki(s string) string {
	return strings.Join(wikiTokens(s, false), "")
}

// wikiTokens escapes s (one line) into tokens that must not be split:
// cutting a description between tokens never leaves half an escape.
func wikiTokens(s string, lineStart bool) []string {
	var out []string
	var prev rune
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], ticket.MarkerPrefix[:len("pmsync:v")]) {
			out = append(out, "pmsync&#58;v")
			i += len("pmsync:v")
			prev = 'v'
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		next, _ := utf8.DecodeRuneInString(s[i+n:])
		first := lineStart && strings.TrimLeft(s[:i], " \t") == ""
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, "\uFFFD")
		case r == '\\':
			out = append(out, "&#92;")
		case strings.ContainsRune(wikiSpecial, r),
			r == '-' && (first || !alnum(prev) || !alnum(next)),
			r == '?' && (prev == '?' || next == '?'),
			r == '#' && first:
			out = append(out, `\`+string(r))
		default:
			out = append(out, s[i:i+n])
		}
		prev = r
		i += n
	}
	return out
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// inline makes document text one escaped line: whitespace folded, at
// most ticket.MaxField bytes of source.
func inline(s string) string {
	return escapeWiki(ticket.Line(s))
}

// escapeBlock escapes a multi-line detail, keeping its line breaks
// (blank lines become paragraph breaks, and every line is escaped, so
// none starts a list, heading, table or quote); its lines end LF
// (ticket.Body). At most room bytes are written; whole is false when the
// detail had to be cut.
func escapeBlock(s string, room int) (out string, whole bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	var b strings.Builder
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		line = strings.TrimRight(line, " \t")
		if i > 0 {
			if b.Len()+1 > room {
				return b.String(), false
			}
			b.WriteByte('\n')
		}
		toks := wikiTokens(line, true)
		if headingLike(line) {
			// "h1. x", "bq. x": an escaped dot is not markup.
			dot := strings.IndexByte(line, '.')
			toks = append(wikiTokens(line[:dot], true), append([]string{`\.`}, wikiTokens(line[dot+1:], false)...)...)
		}
		for _, tok := range toks {
			if b.Len()+len(tok) > room {
				return b.String(), false
			}
			b.WriteString(tok)
		}
	}
	return b.String(), true
}

// headingLike tells a line wiki markup reads as a heading or quote.
func headingLike(line string) bool {
	l := strings.TrimLeft(line, " \t")
	if len(l) >= 3 && l[0] == 'h' && l[1] >= '1' && l[1] <= '6' && l[2] == '.' {
		return true
	}
	return strings.HasPrefix(l, "bq.")
}

// linkDest returns an http(s) URL fit for a wiki link ([text|url]), or ""
// when u is not one.
func linkDest(u string) string {
	u = strings.TrimSpace(u)
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return strings.NewReplacer(" ", "%20", "|", "%7C", "[", "%5B", "]", "%5D", "{", "%7B", "}", "%7D",
		"!", "%21", "\n", "", "\r", "").Replace(p.String())
}
