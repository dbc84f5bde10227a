package github

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// commentMarkdown is the ticket.CommentDialect of GitHub comments.
type commentMarkdown struct{ markdown }

var (
	loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)
	teamRE  = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$`)
)

// Mention is "@login" or "@org/team".
func (commentMarkdown) Mention(m ticket.Mention) (string, error) {
	re, what := loginRE, "a GitHub login"
	if m.Team {
		re, what = teamRE, `a GitHub team ("org/team")`
	}
	if !re.MatchString(m.ID) {
		return "", fmt.Errorf("mention %q is not %s", m.ID, what)
	}
	return "@" + m.ID, nil
}

// commentRefRE finds what GitHub turns into a mention or a link after
// Markdown is rendered, whatever escapes the source holds: "@login" and
// "@org/team", issue references ("#12", "acme/sre#12", "GH-12").
var commentRefRE = regexp.MustCompile(`@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?|#[0-9]+|(?i:gh-[0-9]+)`)

// Text writes one line of plain text: every ASCII punctuation character
// is escaped with a backslash (CommonMark's escape), so no Markdown, HTML
// or autolink (":" and "." are escaped too) can start and no marker can
// be read; what GitHub links after rendering (mentions, issue references)
// is set in code. A mention or "GH-12" right after a word character is
// left alone (GitHub does not read "bob@example" as one), unless that
// character ends another code span. A URL is no link here, so "@" after
// "/" is a mention too.
func (commentMarkdown) Text(s string) string {
	// The spans to set in code; adjacent ones are one span ("``" would
	// be another delimiter).
	var spans [][2]int
	for _, m := range commentRefRE.FindAllStringIndex(s, -1) {
		i, j := m[0], m[1]
		n := len(spans)
		switch {
		case n > 0 && spans[n-1][1] == i:
			spans[n-1][1] = j
		case s[i] != '#' && i > 0 && wordByte(s[i-1]):
		default:
			spans = append(spans, [2]int{i, j})
		}
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(escapePunct(s[last:sp[0]]))
		b.WriteString("`" + s[sp[0]:sp[1]] + "`")
		last = sp[1]
	}
	b.WriteString(escapePunct(s[last:]))
	return b.String()
}

// wordByte is a character of \w: GitHub reads "@" after one as no mention.
func wordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// escapePunct backslash-escapes every ASCII punctuation character.
func escapePunct(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isASCIIPunct(s[i]) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// CommentLimit is GitHub's limit on a comment body (65,536 characters,
// counted here in bytes, which is never less).
func (commentMarkdown) CommentLimit() int { return maxBody }

// renderComment writes c for GitHub; a comment that cannot be written
// (a malformed mention) is a permanent error.
func (t *Tracker) renderComment(c ticket.Comment, what string) (string, error) {
	body, err := c.Render(commentMarkdown{})
	if err != nil {
		return "", trackers.Permanent(fmt.Errorf("github %s: %s: %w", t.name, what, err))
	}
	if utf8.RuneCountInString(body) > maxBody {
		return "", trackers.Permanent(fmt.Errorf("github %s: %s: comment longer than %d characters", t.name, what, maxBody))
	}
	return body, nil
}
