package ticket

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxField bounds one line of document text in a body, in bytes of
// source, so that the head of a body cannot crowd out the detail.
const MaxField = 2000

// Dialect is one tracker's markup. Body decides what a ticket's body
// says and in which order; the dialect how each part is written, and how
// text from a document is made inert. Methods get text already escaped
// unless they say otherwise.
type Dialect interface {
	// Escape makes one line of document text (from Line) plain text.
	Escape(s string) string
	// Strong is bold text.
	Strong(s string) string
	// Link is text linking to url, a URL from a document: text alone
	// unless url is an http(s) URL.
	Link(text, url string) string
	// Autolink is a link that shows url itself, or "" unless url is an
	// http(s) URL.
	Autolink(url string) string
	// Item is one line of a bulleted list, newline included.
	Item(s string) string
	// Callout sets a paragraph apart from the rest.
	Callout(s string) string
	// Detail is the section holding the detail (document text, several
	// lines ended by LF, unescaped) in at most room bytes: cut, with a
	// notice saying so, when it does not fit. ok is false when room
	// cannot hold even the notice; the section is then the notice alone,
	// and Body cuts the head to make room for it.
	Detail(s string, room int) (section string, ok bool)
	// Cut shortens text the dialect wrote to at most n bytes, where it
	// splits no escape, character or other unit of its markup whose half
	// would read differently.
	Cut(s string, n int) string
	// Footer ends the body: who opened the ticket, and the marker, where
	// the tracker's reader finds it.
	Footer(m Marker) string
	// Limit is the most bytes a body may have.
	Limit() int
}

// Body writes a ticket's body in dialect d: what the item is and which
// postmortem it comes from, a list of its owner, due date, priority,
// type and factors, the note (trusted text already in d's markup, "" for
// none), the detail and the footer with the marker. Only the detail is
// cut to fit, and the head only when even the notice does not fit; the
// footer, which holds the marker, never.
func Body(s Spec, note string, d Dialect) string {
	text := func(v string) string { return d.Escape(Line(v)) }
	var head strings.Builder
	kind := "Action item"
	if s.Kind == Factor {
		kind = "Contributing factor"
	}
	doc := text(s.DocTitle)
	if doc == "" {
		doc = text(s.Marker.PM)
	}
	fmt.Fprintf(&head, "%s from the postmortem %s", kind, d.Strong(d.Link(doc, s.DocURL)))
	var meta []string
	if !s.DocDate.IsZero() {
		meta = append(meta, s.DocDate.Format(DateLayout))
	}
	if s.DocSeverity != "" {
		meta = append(meta, text(s.DocSeverity))
	}
	if len(meta) > 0 {
		fmt.Fprintf(&head, " (%s)", strings.Join(meta, ", "))
	}
	head.WriteString(".\n\n")

	field := func(name, value string) {
		if value != "" {
			head.WriteString(d.Item(d.Strong(name+":") + " " + value))
		}
	}
	owner := text(s.OwnerText)
	if owner == "" && s.NeedsOwner {
		owner = "none named; please assign one"
	}
	field("Owner", owner)
	if !s.Due.IsZero() {
		field("Due", s.Due.Format(DateLayout))
	}
	field("Priority", text(s.Priority))
	field("Type", text(s.Type))
	var fs []string
	for _, r := range s.Factors {
		t := text(r.Text)
		f := d.Link(t, r.URL)
		if t == "" {
			// A factor without text still shows its link.
			f = d.Autolink(r.URL)
		}
		if f != "" {
			fs = append(fs, f)
		}
	}
	field("Addresses", strings.Join(fs, ", "))
	if note != "" {
		head.WriteString("\n" + d.Callout(d.Strong("Note:")+" "+note) + "\n")
	}

	h, tail := head.String(), d.Footer(s.Marker)
	detail, ok := d.Detail(lineEnds.Replace(s.Detail), d.Limit()-len(h)-len(tail))
	if !ok {
		// Only a pathological head gets here (fields are bounded, the
		// number of factors is not).
		h = d.Cut(h, d.Limit()-len(tail)-len(detail))
	}
	return h + detail + tail
}

// lineEnds makes every line end LF: trackers read a lone CR as a line
// break too, and a dialect escapes the detail line by line.
var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// Line folds document text to one line (runs of white space become one
// space) of at most MaxField bytes, for Dialect.Escape.
func Line(s string) string {
	return Cut(strings.Join(strings.Fields(s), " "), MaxField)
}

// Cut shortens s to at most n bytes on a rune boundary: for plain text;
// text in a dialect's markup is cut by the dialect.
func Cut(s string, n int) string {
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
