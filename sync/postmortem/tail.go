package postmortem

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
)

// This file reads what people write at the ends of an item, in whatever
// order: an existing ticket ("[PAY-877](…)", "PAY-877", "Bug 5554823",
// "b/5554823", "#123", an issue URL), a due date ("15 Dec 2026",
// "16/03/2026", "January 14-19, 2027", "by 2026-05-01"), an owner written
// as a mention ("@Marco Rossi", Confluence's form), a status word ("—
// Done", "(Resolved)", "✅"), and at the start a team ("Payments: …",
// "[Search] …", "Platform team to …"). Each is taken off the title.

var (
	reTailLink = regexp.MustCompile(`\[([^\]]+)\]\(<?([^)\s>]+)>?\)$`)
	// reTailKey is a bare reference at the end: a Jira key, #123 or
	// owner/repo#123, Google's "Bug 123" / "b/123".
	reTailKey = regexp.MustCompile(`(?:^|[\s(\[,;:—–-])((?:[A-Z][A-Z0-9_]+-[1-9][0-9]*)|(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#[1-9][0-9]*|(?i:bug)\s*#?\s*[1-9][0-9]{3,}|b/[1-9][0-9]{3,})[)\]]?$`)
	// reTailDate is a date at the end, after an optional word that says so.
	reTailDate = regexp.MustCompile(`(?i)(?:^|[\s(,;—–-])(?:(?:due|by|until|before|target|eta|deadline)\s*:?\s*)?(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:\s*[-–—]\s*\d{1,2}(?:st|nd|rd|th)?)?,?\s+\d{4}|q[1-4]\s+\d{4})\)?$`)
	// reTailStatus is a status word set off at the end.
	reTailStatus = regexp.MustCompile(`(?i)(?:\s*[-–—:|,;]\s*|\s+)\(?(done|completed?|fixed|resolved|closed|merged|shipped)\)?\.?$`)
	// reDateRangeDays is "January 14-19, 2027": the range ends on the 19th.
	reDateRangeDays = regexp.MustCompile(`(?i)^([a-z]+\.?)\s+\d{1,2}(?:st|nd|rd|th)?\s*[-–—]\s*(\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})$`)
	// reMentionName is a trailing mention of a display name: "@Marco
	// Rossi", "@María José García" (two to four capitalised words).
	reMentionName = regexp.MustCompile(`(?:^|\s)@(\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*){1,3})$`)
	// reMentionHandle is a trailing @handle.
	reMentionHandle = regexp.MustCompile(`(?:^|\s)(@[A-Za-z0-9][A-Za-z0-9_.-]*)$`)
	// reLeadTeamTo is "Platform team to drain ...".
	reLeadTeamTo = regexp.MustCompile(`^((?:the\s+)?[\p{L}][\p{L}0-9&/ -]{0,40}?\s+team)\s+(?:to|will|should|must|needs to)\s+(\S.*)$`)
	// reLeadBracket is "[Search] Rebuild ...".
	reLeadBracket = regexp.MustCompile(`^\[([\p{L}][\p{L}0-9 &/_-]{0,40})\]\s+(\S.*)$`)
	// reLeadColon is "Payments: add ...".
	reLeadColon = regexp.MustCompile(`^([\p{L}][\p{L}0-9&/_-]*(?:\s[\p{L}][\p{L}0-9&/_-]*){0,3}):\s+(\S.*)$`)
)

// doneMarks are the check marks people put on finished items.
var doneMarks = []string{"✅", "✔️", "✔", "☑️", "☑", "✓", "🗹"}

// peelTail takes the metadata at the end of s off it, into m, and returns
// what is left. A value m already has (from an "owner:" field, a column)
// is not replaced, but the text is still taken off the title.
func peelTail(s string, m *inlineMeta, prose bool) string {
	for range 8 { // each pass takes one thing off; a title has few
		t := strings.TrimRight(s, " \t")
		t = strings.TrimRight(t, ",;")
		t = strings.TrimRight(t, " \t")
		if t == "" {
			return t
		}
		if mark, rest, ok := cutDoneMark(t); ok {
			_ = mark
			m.done, m.statusRaw = true, "done"
			s = rest
			continue
		}
		if loc := reTailLink.FindStringSubmatchIndex(t); loc != nil {
			text, u := t[loc[2]:loc[3]], t[loc[4]:loc[5]]
			if st := strings.ToLower(plain(text)); reDoneWord.MatchString(st) && len(strings.Fields(st)) == 1 {
				// "[FIXED](url)", "[Done](pull request)": a status, with its evidence.
				m.setStatus(plain(text))
				s = t[:loc[0]]
				continue
			}
			if r, ok := tailLinkRef(plain(text), u); ok {
				if m.ticket.IsZero() {
					m.ticket = r
				}
				s = strings.TrimRight(t[:loc[0]], " (—–-:")
				continue
			}
		}
		if u, rest, ok := trailingURL(t); ok {
			if r, ok := refFromURL(u, ""); ok {
				if m.ticket.IsZero() {
					m.ticket = r
				}
				s = rest
				continue
			}
		}
		if loc := reTailKey.FindStringSubmatchIndex(t); loc != nil && loc[2] > 0 {
			if m.ticket.IsZero() {
				m.ticket = ticket.Ref{Text: strings.Join(strings.Fields(t[loc[2]:loc[3]]), " ")}
			}
			s = strings.TrimRight(t[:loc[2]], " (—–-:,;[")
			continue
		}
		if loc := reTailDate.FindStringSubmatchIndex(t); loc != nil && loc[2] > 0 {
			if m.due == "" {
				m.due = rangeEnd(t[loc[2]:loc[3]])
				m.dueTrailing = true
			}
			s = strings.TrimRight(t[:loc[0]], " (—–-:,")
			continue
		}
		if loc := reTailStatus.FindStringSubmatchIndex(t); loc != nil && loc[0] > 0 && statusSetOff(t, loc) {
			m.setStatus(t[loc[2]:loc[3]])
			s = t[:loc[0]]
			continue
		}
		if !prose {
			if loc := reMentionName.FindStringSubmatchIndex(t); loc != nil && loc[0] > 0 {
				if m.owner == "" {
					m.owner, m.ownerUnsure = t[loc[2]:loc[3]], true
				}
				s = t[:loc[0]]
				continue
			}
			if loc := reMentionHandle.FindStringSubmatchIndex(t); loc != nil && loc[0] > 0 {
				if m.owner == "" {
					m.owner = t[loc[2]:loc[3]]
				}
				s = t[:loc[0]]
				continue
			}
		}
		return t
	}
	return s
}

// reHeadRef is a ticket written first: "[flutter/flutter#27110](url) -
// Test the plugins ...", "PAY-877: Add ...".
var reHeadRef = regexp.MustCompile(`^(?:\[([^\]]+)\]\(<?([^)\s>]+)>?\)|([A-Z][A-Z0-9_]+-[1-9][0-9]*))\s*(?:[-–—:]\s+|$)`)

// peelHead takes a ticket written before the item's text off it. A link
// to a pull request alone is the item's evidence: listed under "Fixes",
// it is work done, tracked by that pull request.
func peelHead(s string, m *inlineMeta) string {
	t := strings.TrimSpace(s)
	loc := reHeadRef.FindStringSubmatchIndex(t)
	if loc == nil {
		return s
	}
	rest := strings.TrimSpace(t[loc[1]:])
	if loc[6] >= 0 { // a bare key
		if rest == "" {
			return s
		}
		if m.ticket.IsZero() {
			m.ticket = ticket.Ref{Text: t[loc[6]:loc[7]]}
		}
		return rest
	}
	text, u := plain(t[loc[2]:loc[3]]), t[loc[4]:loc[5]]
	if r, ok := tailLinkRef(text, u); ok {
		if m.ticket.IsZero() {
			m.ticket = r
		}
		return rest
	}
	if rest == "" && isChangeURL(u) {
		if m.ticket.IsZero() {
			m.ticket = ticket.Ref{Text: text, URL: u}
		}
		m.done, m.statusRaw = true, "pull request"
		return ""
	}
	return s
}

// statusSetOff reports a trailing status word that is not just the last
// word of a sentence ("mark the job as done"): set off by punctuation or
// parentheses, or written in capitals.
func statusSetOff(t string, loc []int) bool {
	word := t[loc[2]:loc[3]]
	lead := t[loc[0]:loc[2]]
	return strings.ContainsAny(lead, "-–—:|,;(") || word == strings.ToUpper(word) ||
		strings.HasSuffix(strings.TrimRight(t[:loc[0]], " "), ".")
}

// cutDoneMark takes a check mark off either end of t.
func cutDoneMark(t string) (mark, rest string, ok bool) {
	for _, d := range doneMarks {
		if strings.HasSuffix(t, d) {
			return d, strings.TrimSpace(strings.TrimSuffix(t, d)), true
		}
		if strings.HasPrefix(t, d) {
			return d, strings.TrimSpace(strings.TrimPrefix(t, d)), true
		}
	}
	return "", "", false
}

// reOtherTracker is an item in another tracker than GitHub's or Jira's:
// a Trello card, a GitLab issue, a Linear or Shortcut story, a Bugzilla
// bug, a Phabricator task, an Asana task.
var reOtherTracker = regexp.MustCompile(`^https?://(?:trello\.com/c/|linear\.app/[^/]+/issue/|app\.shortcut\.com/[^/]+/story/|app\.asana\.com/|[^/]+/-/(?:issues|work_items)/\d+|[^/]+/show_bug\.cgi\?id=\d+|[^/]+/T\d+$)`)

// tailLinkRef reads a link at the end of an item as a ticket: an issue or
// browse URL, another tracker's item, or a link whose text is a ticket
// key (a Jira macro's link text is the key). Pull requests and commits
// are evidence, not tickets.
func tailLinkRef(text, u string) (ticket.Ref, bool) {
	if r, ok := refFromURL(u, text); ok {
		return r, true
	}
	if reOtherTracker.MatchString(u) {
		return ticket.Ref{Text: text, URL: u}, true
	}
	if m := reRepoRef.FindStringSubmatch(text); m != nil && m[1] != "" && !isChangeURL(u) {
		// "[flutter/flutter#27258](…/issues/)": the text names the issue
		// even where the link is broken.
		return ticket.Ref{Text: text}, true
	}
	if strings.Contains(u, "/pull/") || strings.Contains(u, "/commit/") || strings.Contains(u, "/merge_requests/") {
		return ticket.Ref{}, false
	}
	if reJiraKey.MatchString(text) {
		return ticket.Ref{Text: text, URL: u}, true
	}
	return ticket.Ref{}, false
}

// rangeEnd reads "January 14-19, 2027" as its last day, "January 19, 2027".
func rangeEnd(d string) string {
	if m := reDateRangeDays.FindStringSubmatch(strings.TrimSpace(d)); m != nil {
		return m[1] + " " + m[2]
	}
	return d
}

// strikethrough reports an item written wholly struck through: done (or
// dropped) by the document's own account.
func strikethrough(s string) (inner string, ok bool) {
	t := strings.TrimSpace(s)
	if len(t) > 4 && strings.HasPrefix(t, "~~") && strings.HasSuffix(t, "~~") && !strings.Contains(t[2:len(t)-2], "~~") {
		return t[2 : len(t)-2], true
	}
	return s, false
}

// leadOwner finds a team or person written before the item's text:
// "Payments: add …", "[Search] Rebuild …", "Platform team to drain …".
// It returns the owner and the rest with its first letter in capitals;
// whether the owner counts is the directory's to say.
func leadOwner(title string) (owner, rest string, teamWord, ok bool) {
	for _, re := range []*regexp.Regexp{reLeadTeamTo, reLeadBracket, reLeadColon} {
		if m := re.FindStringSubmatch(title); m != nil {
			return strings.TrimSpace(m[1]), upperFirst(strings.TrimSpace(m[2])), re == reLeadTeamTo, true
		}
	}
	return "", "", false, false
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
