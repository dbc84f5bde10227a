package ticket

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mention is someone a comment names: a person (GitHub login, Jira
// accountId on Cloud or user name on Data Center) or a team (GitHub
// "org/team"). Jira has no group mention: a Jira tracker refuses a
// comment that mentions a team, so the caller names the team's people.
type Mention struct {
	ID   string
	Team bool
}

// Comment is a follow-up comment pmsync posts on a ticket (a reminder,
// an escalation, a digest): the mentions first, then the text, then a
// link. Text is plain text, from pmsync and from documents: a tracker
// writes it so that it cannot mention anyone, make a link, format
// anything or hold a pmsync marker. Its line breaks are kept (a blank
// line starts a paragraph).
type Comment struct {
	Mentions []Mention
	Text     string
	Link     string // an http(s) URL, e.g. the postmortem; "" for none
	LinkText string // the link's text; "" shows the URL itself
}

// CommentDialect is how one tracker writes a Comment.
type CommentDialect interface {
	// Mention writes one mention, or fails when m cannot be one (a
	// malformed id, a team where the tracker has no team mentions).
	Mention(m Mention) (string, error)
	// Text makes one line of plain text inert, as the whole line (a
	// "#", "-" or "1." at its start is text too). s has no line break
	// and no white space at either end.
	Text(s string) string
	// Link is text (already written by Text) linking to url: text alone
	// unless url is an http(s) URL.
	Link(text, url string) string
	// Autolink is a link showing url itself, or "" unless url is an
	// http(s) URL.
	Autolink(url string) string
	// Cut shortens text the dialect wrote to at most n bytes without
	// splitting an escape or a character.
	Cut(s string, n int) string
	// CommentLimit is the most bytes a comment may have.
	CommentLimit() int
}

// CommentCut ends a comment whose text was cut to fit the tracker's limit.
const CommentCut = " …(cut)"

// ErrEmptyComment is a comment with nothing to say.
var ErrEmptyComment = errors.New("empty comment")

// Render writes c in dialect d: the mentions on the first line, a blank
// line, the text, a blank line, the link. When the whole does not fit
// d.CommentLimit, only the text is cut, with CommentCut; mentions and
// link are never cut (an error when they alone do not fit).
func (c Comment) Render(d CommentDialect) (string, error) {
	var head string
	if len(c.Mentions) > 0 {
		ms := make([]string, 0, len(c.Mentions))
		for _, m := range c.Mentions {
			s, err := d.Mention(m)
			if err != nil {
				return "", err
			}
			ms = append(ms, s)
		}
		head = strings.Join(ms, " ")
	}
	var tail string
	if c.Link != "" {
		if text := strings.Join(strings.Fields(c.LinkText), " "); text != "" {
			tail = d.Link(d.Text(text), c.Link)
		} else {
			tail = d.Autolink(c.Link)
		}
	}
	text := plainText(c.Text, d)
	var parts []string
	for _, p := range []string{head, text, tail} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "", ErrEmptyComment
	}
	out := strings.Join(parts, "\n\n")
	limit := d.CommentLimit()
	if len(out) <= limit {
		return out, nil
	}
	// Only the text is cut: what is left of the limit once the mentions,
	// the link and their separators are in.
	room := limit - (len(out) - len(text)) - len(CommentCut)
	if text == "" || room <= 0 {
		return "", fmt.Errorf("comment: %d mentions and the link alone exceed the tracker's %d bytes", len(c.Mentions), limit)
	}
	parts = parts[:0]
	for _, p := range []string{head, d.Cut(text, room) + CommentCut, tail} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "\n\n"), nil
}

// plainText writes text line by line in d: white space at the ends of a
// line is dropped, and runs of blank lines become one.
func plainText(text string, d CommentDialect) string {
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(lineEnds.Replace(text), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
			if blank {
				b.WriteString("\n")
			}
		}
		blank = false
		b.WriteString(d.Text(line))
	}
	return b.String()
}

// MaxLabel is the longest follow-up label pmsync uses, in characters:
// GitHub's limit on a label name (Jira's is 255).
const MaxLabel = 50

// CheckLabel tells whether label can mark a follow-up step on every
// tracker: not empty, at most MaxLabel characters, no white space (Jira
// refuses it), no comma (GitHub's label filter splits on commas) and no
// control character.
func CheckLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty label")
	case !utf8.ValidString(label):
		return fmt.Errorf("label %q is not UTF-8", label)
	case utf8.RuneCountInString(label) > MaxLabel:
		return fmt.Errorf("label %q is longer than %d characters", label, MaxLabel)
	case strings.ContainsRune(label, ','):
		return fmt.Errorf("label %q contains a comma", label)
	}
	for _, r := range label {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("label %q contains white space or a control character", label)
		}
	}
	return nil
}
