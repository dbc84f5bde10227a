package github

import (
	"fmt"
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
	// maxField bounds one inline field, so the head of a body cannot
	// crowd out the detail.
	maxField = 2000
)

const truncated = "\n\n*(truncated; the full text is in the postmortem)*\n"

// renderBody writes the issue body: what the item is and where it comes
// from, its owner, due date, priority, type and factors, a note, the
// detail, and last, on its own line, the marker in an HTML comment. Text
// from documents is escaped so it can neither end that comment, nor fake
// a marker, nor mention GitHub users; only the detail is ever truncated.
func renderBody(s ticket.Spec, note string) string {
	var head strings.Builder
	kind := "Action item"
	if s.Kind == ticket.Factor {
		kind = "Contributing factor"
	}
	doc := inline(s.DocTitle)
	if doc == "" {
		doc = inline(s.Marker.PM)
	}
	if dest := linkDest(s.DocURL); dest != "" {
		doc = "[" + doc + "](" + dest + ")"
	}
	fmt.Fprintf(&head, "%s from the postmortem **%s**", kind, doc)
	var meta []string
	if !s.DocDate.IsZero() {
		meta = append(meta, s.DocDate.Format(ticket.DateLayout))
	}
	if s.DocSeverity != "" {
		meta = append(meta, inline(s.DocSeverity))
	}
	if len(meta) > 0 {
		fmt.Fprintf(&head, " (%s)", strings.Join(meta, ", "))
	}
	head.WriteString(".\n\n")

	field := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&head, "- **%s:** %s\n", name, value)
		}
	}
	owner := inline(s.OwnerText)
	if owner == "" && s.NeedsOwner {
		owner = "none named; please assign one"
	}
	field("Owner", owner)
	if !s.Due.IsZero() {
		field("Due", s.Due.Format(ticket.DateLayout))
	}
	field("Priority", inline(s.Priority))
	field("Type", inline(s.Type))
	var fs []string
	for _, r := range s.Factors {
		if f := refMarkdown(r); f != "" {
			fs = append(fs, f)
		}
	}
	field("Addresses", strings.Join(fs, ", "))
	if note != "" {
		fmt.Fprintf(&head, "\n> **Note:** %s\n", note)
	}

	tail := "\n---\n<sub>Opened by pmsync from the postmortem, which stays the source of truth for this item. " +
		"pmsync finds this issue by the hidden marker below: keep it.</sub>\n\n" +
		"<!-- " + s.Marker.String() + " -->\n"

	h := head.String()
	detail := block(s.Detail)
	if detail != "" {
		detail = "\n" + detail + "\n"
	}
	if room := maxBody - len(h) - len(tail); len(detail) > room {
		room -= len(truncated)
		if room < 0 {
			h = cut(h, maxBody-len(tail)-len(truncated))
			room = 0
		}
		detail = cut(detail, room) + truncated
	}
	return h + detail + tail
}

// cut shortens s to at most n bytes on a rune boundary.
func cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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

// mentionRE finds @login and @org/team mentions.
var mentionRE = regexp.MustCompile(`(^|[^A-Za-z0-9_` + "`" + `/\\])(@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?)`)

// inline makes document text safe for one Markdown line: whitespace is
// folded, Markdown punctuation and "<" are escaped (no HTML, so no "-->"),
// and mentions become code so nobody is notified. At most maxField bytes.
func inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = cut(s, maxField)
	return mentions(s, escapeInline)
}

// block makes a multi-line detail safe: "<" and "-->" are escaped (no
// HTML comment can open or close), a marker cannot be faked, mentions
// become code.
// Other Markdown is kept: the detail may be formatted.
func block(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	return mentions(s, escapeBlock)
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
	`<`, `\<`, `-->`, `--\>`,
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

// refMarkdown links a factor ticket.
func refMarkdown(r ticket.Ref) string {
	text := inline(r.Text)
	dest := linkDest(r.URL)
	switch {
	case dest == "":
		return text
	case text == "":
		return "[" + escapeInline(dest) + "](" + dest + ")"
	default:
		return "[" + text + "](" + dest + ")"
	}
}
