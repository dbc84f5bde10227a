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
	// owner/repo#123, Google's "Bug 5554823" / "Bug #1234" / "b/1234". A
	// "bug" and four digits without "#" is too often prose ("the alert
	// for bug 1234", "bug 2038"); jiraKeys decides the Jira-shaped ones.
	reTailKey = regexp.MustCompile(`(?:^|[\s(\[,;:—–-])((?:[A-Z][A-Z0-9_]+-[1-9][0-9]*)|(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#[1-9][0-9]*|(?i:bug)\s*(?:#\s*[1-9][0-9]{3,}|[1-9][0-9]{4,})|b/[1-9][0-9]{3,})[)\]]?$`)
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
	// reLeadTeamTo is "Platform team to drain ...", "The Platform team
	// will ...": the team is "Platform team", which the directory knows.
	reLeadTeamTo = regexp.MustCompile(`^(?:(?i:the)\s+)?([\p{L}][\p{L}0-9&/ -]{0,40}?\s+team)\s+(?:to|will|should|must|needs to)\s+(\S.*)$`)
	// reLeadBracket is "[Search] Rebuild ...", the name at most
	// leadBracketMax runes (checked in leadOwner: a bounded repeat of
	// these Unicode classes compiles to 0.7 MB, held all run).
	reLeadBracket = regexp.MustCompile(`^\[([\p{L}][\p{L}0-9 &/_-]*)\]\s+(\S.*)$`)
	// reLeadColon is "Payments: add ...".
	reLeadColon = regexp.MustCompile(`^([\p{L}][\p{L}0-9&/_-]*(?:\s[\p{L}][\p{L}0-9&/_-]*){0,3}):\s+(\S.*)$`)
)

// leadBracketMax is the longest "[name]" reLeadBracket takes, in runes.
const leadBracketMax = 41

// doneMarks are the check marks people put on finished items.
var doneMarks = []string{"✅", "✔️", "✔", "☑️", "☑", "✓", "🗹"}

// peelTail takes the metadata at the end of s off it, into m, and returns
// what is left. A value m already has (from an "owner:" field, a column)
// is not replaced, but the text is still taken off the title.
func peelTail(s string, m *inlineMeta, prose bool) string {
	for range 8 { // each pass takes one thing off; a title has few
		whole := strings.TrimRight(s, " \t")
		whole = strings.TrimRight(whole, ",;")
		whole = strings.TrimRight(whole, " \t")
		if whole == "" {
			return whole
		}
		// The expressions look at the end only: a window, so that a long
		// item costs what a short one does (and a hostile one nothing more).
		head, t := "", whole
		if len(whole) > tailWindow {
			cut := len(whole) - tailWindow
			for cut < len(whole) && !utf8.RuneStart(whole[cut]) {
				cut++
			}
			head, t = whole[:cut], whole[cut:]
		}
		if mark, rest, ok := cutDoneMark(t); ok {
			_ = mark
			m.done, m.statusRaw = true, "done"
			s = head + rest
			continue
		}
		// Each expression runs only when the last character says it can
		// match, on the last few dozen bytes: items are many and these
		// expressions are the parser's main cost.
		last := t[len(t)-1]
		digitEnd := last >= '0' && last <= '9'
		if last == ')' && strings.Contains(t, "](") {
			if loc := reTailLink.FindStringSubmatchIndex(t); loc != nil {
				text, u := t[loc[2]:loc[3]], t[loc[4]:loc[5]]
				if st := strings.ToLower(plain(text)); reDoneWord.MatchString(st) && len(strings.Fields(st)) == 1 {
					// "[FIXED](url)", "[Done](pull request)": a status, with its evidence.
					m.setStatus(plain(text))
					s = head + t[:loc[0]]
					continue
				}
				if r, ok := m.keys.linkRef(plain(text), u); ok {
					if m.ticket.IsZero() {
						m.ticket = r
					}
					s = head + strings.TrimRight(t[:loc[0]], " (—–-:")
					continue
				}
			}
		}
		if u, rest, ok := trailingURL(t); ok {
			if r, ok := ticketURL(u); ok {
				if m.ticket.IsZero() {
					m.ticket = r
				}
				s = head + rest
				continue
			}
		}
		pre, win := splitTail(t, 96)
		if (digitEnd || last == ')' || last == ']') && mayEndInKey(win) {
			// A key that is the text of a link already read ("[OPS-7](…/browse/OPS-7)") goes with it.
			if loc := reTailKey.FindStringSubmatchIndex(win); loc != nil && (loc[2] > 0 || pre != "" || head != "") &&
				(m.keys.bare(win[loc[2]:loc[3]]) || m.ticket.Text == win[loc[2]:loc[3]]) {
				if m.ticket.IsZero() {
					m.ticket = ticket.Ref{Text: strings.Join(strings.Fields(win[loc[2]:loc[3]]), " ")}
				}
				s = head + pre + strings.TrimRight(win[:loc[2]], " (—–-:,;[")
				continue
			}
		}
		if (digitEnd || last == ')') && mayEndInDate(win) {
			if loc := reTailDate.FindStringSubmatchIndex(win); loc != nil && (loc[2] > 0 || pre != "" || head != "") {
				if m.due == "" {
					m.due = rangeEnd(win[loc[2]:loc[3]])
					m.dueTrailing = true
				}
				s = head + pre + strings.TrimRight(win[:loc[0]], " (—–-:,")
				continue
			}
		}
		if statusWordEnd(t) {
			if loc := reTailStatus.FindStringSubmatchIndex(win); loc != nil && (loc[0] > 0 || pre != "" || head != "") && statusSetOff(win, loc) {
				m.setStatus(win[loc[2]:loc[3]])
				s = head + pre + win[:loc[0]]
				continue
			}
		}
		if at := strings.LastIndexByte(win, '@'); !prose && at >= 0 && (at == 0 || isSpaceRE(win[at-1])) {
			if loc := findIndexIf(mayBeMentionName(win[at+1:]), reMentionName, win); loc != nil && (loc[0] > 0 || pre != "" || head != "") {
				if m.owner == "" {
					m.owner, m.ownerUnsure = win[loc[2]:loc[3]], true
				}
				s = head + pre + win[:loc[0]]
				continue
			}
			if loc := findIndexIf(mayBeHandle(win[at+1:]), reMentionHandle, win); loc != nil && (loc[0] > 0 || pre != "" || head != "") {
				if m.owner == "" {
					m.owner = win[loc[2]:loc[3]]
				}
				s = head + pre + win[:loc[0]]
				continue
			}
		}
		return head + t
	}
	return s
}

// The cheap tests before the expressions at the end of an item. Each is
// true whenever its expression can match, and false for most items.

// endDigits returns the digits that end s, before one closing bracket
// when s ends in one of closers, and the byte before them (0 when none).
func endDigits(s, closers string) (run string, before byte) {
	if s != "" && strings.IndexByte(closers, s[len(s)-1]) >= 0 {
		s = s[:len(s)-1]
	}
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i > 0 {
		before = s[i-1]
	}
	return s[i:], before
}

// mayEndInKey: reTailKey's number starts with 1-9 and follows "#",
// "b/", "bug", white space or a Jira project and "-".
func mayEndInKey(win string) bool {
	run, before := endDigits(win, ")]")
	if run == "" || run[0] == '0' {
		return false
	}
	if isSpaceRE(before) {
		// "bug 12345" or "bug # 1234": white space after "bug" or '#'.
		body := win
		if c := win[len(win)-1]; c == ')' || c == ']' {
			body = win[:len(win)-1]
		}
		rest := strings.TrimRight(body[:len(body)-len(run)], " \t\n\f\r")
		before = 0
		if rest != "" {
			before = rest[len(rest)-1]
		}
		return strings.IndexByte("#gG", before) >= 0
	}
	if before != '-' {
		return strings.IndexByte("#/gG", before) >= 0
	}
	// A Jira key: [A-Z][A-Z0-9_]+ before the '-', at the start or after
	// one of reTailKey's delimiters.
	end := len(win) - len(run) - 1 // the '-'
	if c := win[len(win)-1]; c == ')' || c == ']' {
		end--
	}
	k := end
	for k > 0 && (win[k-1] >= 'A' && win[k-1] <= 'Z' || win[k-1] >= '0' && win[k-1] <= '9' || win[k-1] == '_') {
		k--
	}
	if end-k < 2 || win[k] < 'A' || win[k] > 'Z' {
		return false
	}
	return k == 0 || strings.IndexByte("([,;:-", win[k-1]) >= 0 || isSpaceRE(win[k-1]) ||
		strings.HasSuffix(win[:k], "—") || strings.HasSuffix(win[:k], "–")
}

// mayEndInDate: reTailDate's dates end in a day or month of one or two
// digits after "-" or "/", or in a year of four after "/", "." or white
// space.
func mayEndInDate(win string) bool {
	run, before := endDigits(win, ")")
	switch len(run) {
	case 1, 2:
		return before == '-' || before == '/'
	case 4:
		return before == '/' || before == '.' || isSpaceRE(before)
	}
	return false
}

// mayBeMentionName: after the last "@", reMentionName needs an upper-case
// letter and more than one word.
func mayBeMentionName(after string) bool {
	r, _ := utf8.DecodeRuneInString(after)
	return unicode.Is(unicode.Lu, r) && strings.ContainsAny(after, " \t\n\f\r")
}

// mayBeHandle: after the last "@", reMentionHandle needs a letter or
// digit, then only those, "_", "." and "-".
func mayBeHandle(after string) bool {
	if after == "" || !isAlnum(after[0]) {
		return false
	}
	for i := 1; i < len(after); i++ {
		if c := after[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isSpaceRE reports a byte \s matches in an expression.
func isSpaceRE(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// splitTail splits t before its last n bytes (on a rune boundary).
func splitTail(t string, n int) (pre, win string) {
	if len(t) <= n {
		return "", t
	}
	cut := len(t) - n
	for cut < len(t) && !utf8.RuneStart(t[cut]) {
		cut++
	}
	return t[:cut], t[cut:]
}

// statusWordEnd reports a text ending in a status word (maybe in
// parentheses, maybe with a period): the cheap test before reTailStatus.
func statusWordEnd(t string) bool {
	t = strings.TrimRight(t, ").")
	if t == "" || t[len(t)-1]|0x20 != 'e' && t[len(t)-1]|0x20 != 'd' {
		return false // each word ends in "e" or "d"
	}
	i := strings.LastIndexFunc(t, func(r rune) bool { return !unicode.IsLetter(r) })
	// The words are ASCII without a "k": ASCII case folding finds what
	// lowering the word would, without a copy.
	w := t[i+1:]
	for _, s := range statusEndWords {
		if len(w) == len(s) && prefixFold(w, s) {
			return true
		}
	}
	return false
}

var statusEndWords = []string{"done", "complete", "completed", "fixed", "resolved", "closed", "merged", "shipped"}

// tailWindow is how much of an item's end peelTail reads.
const tailWindow = 512

// reHeadRef is a ticket written first: "[flutter/flutter#27110](url) -
// Test the plugins ...", "PAY-877: Add ...".
var reHeadRef = regexp.MustCompile(`^(?:\[([^\]]+)\]\(<?([^)\s>]+)>?\)|([A-Z][A-Z0-9_]+-[1-9][0-9]*))\s*(?:[-–—:]\s+|$)`)

// peelHead takes a ticket written before the item's text off it. A link
// to a pull request alone is the item's evidence: listed under "Fixes",
// it is work done, tracked by that pull request.
func peelHead(s string, m *inlineMeta) string {
	t := strings.TrimSpace(s)
	// reHeadRef needs a '[' first, or a Jira project: two of [A-Z0-9_],
	// the first a capital.
	if len(t) < 2 || t[0] != '[' && !(t[0] >= 'A' && t[0] <= 'Z' && (t[1] >= 'A' && t[1] <= 'Z' || t[1] >= '0' && t[1] <= '9' || t[1] == '_')) {
		return s
	}
	loc := reHeadRef.FindStringSubmatchIndex(t)
	if loc == nil {
		return s
	}
	rest := strings.TrimSpace(t[loc[1]:])
	if loc[6] >= 0 { // a bare key
		if rest == "" || !m.keys.bare(t[loc[6]:loc[7]]) {
			return s
		}
		if m.ticket.IsZero() {
			m.ticket = ticket.Ref{Text: t[loc[6]:loc[7]]}
		}
		return rest
	}
	text, u := plain(t[loc[2]:loc[3]]), t[loc[4]:loc[5]]
	if r, ok := m.keys.linkRef(text, u); ok {
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
	if t == "" || t[0] < utf8.RuneSelf && t[len(t)-1] < utf8.RuneSelf {
		return "", "", false // the marks are not ASCII
	}
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
// a Trello card, a GitLab issue or work item (any host, any depth of
// groups: gitlab.com/group/sub/proj/-/issues/12), a Linear or Shortcut
// story, a Bugzilla bug, a Phabricator task, an Asana task.
var reOtherTracker = regexp.MustCompile(`^https?://(?:trello\.com/c/|linear\.app/[^/]+/issue/|app\.shortcut\.com/[^/]+/story/|app\.asana\.com/|[^/]+/(?:[^/?#\s]+/)+-/(?:issues|work_items)/\d+|[^/]+/(?:[^?#\s]*/)?show_bug\.cgi\?id=\d+|[^/]+/T\d+$)`)

// mayBeOtherTracker is the cheap test before reOtherTracker: the words
// one of its forms needs, or a Phabricator task (/T123) at the end.
func mayBeOtherTracker(u string) bool {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return false
	}
	for _, w := range []string{"trello.com/c/", "linear.app/", "app.shortcut.com/", "app.asana.com/", "/-/issues/", "/-/work_items/", "show_bug.cgi?id="} {
		if strings.Contains(u, w) {
			return true
		}
	}
	run, before := endDigits(u, "")
	return run != "" && before == 'T' && strings.HasSuffix(u[:len(u)-len(run)], "/T")
}

// otherTrackerRef is the ticket another tracker's URL names, or false. Its
// text is the link's when that names the item ("Prevent errors when the
// index is down"), else the URL: a text shaped like a GitHub or Jira
// reference ("group/proj#12" on GitLab) would name an issue of GitHub or
// Jira that it is not.
func otherTrackerRef(text, u string) (ticket.Ref, bool) {
	if !mayBeOtherTracker(u) || !reOtherTracker.MatchString(u) {
		return ticket.Ref{}, false
	}
	if text == "" || strings.Contains(text, "://") || strings.Contains(text, "#") || reJiraKey.MatchString(text) {
		text = u
	}
	return ticket.Ref{Text: text, URL: u}, true
}

// gitlabURL reports a URL on a GitLab host (or with GitLab's "/-/" path).
func gitlabURL(u string) bool {
	host, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "/")
	return strings.Contains(u, "/-/") || hasFold(host, "gitlab")
}

// ticketURL reads a bare URL as a ticket: a GitHub issue, a Jira browse
// link or another tracker's item.
func ticketURL(u string) (ticket.Ref, bool) {
	if r, ok := refFromURL(u, ""); ok {
		return r, true
	}
	return otherTrackerRef("", u)
}

// linkRef reads a link at the end of an item as a ticket: an issue or
// browse URL, another tracker's item, or a link whose text is a ticket
// key (a Jira macro's link text is the key). Pull requests and commits
// are evidence, not tickets.
func (k jiraKeys) linkRef(text, u string) (ticket.Ref, bool) {
	if r, ok := refFromURL(u, text); ok {
		return r, true
	}
	if r, ok := otherTrackerRef(text, u); ok {
		return r, true // read from the URL, whatever the text says
	}
	if m := reRepoRef.FindStringSubmatch(text); m != nil && m[1] != "" && !isChangeURL(u) && !gitlabURL(u) {
		// "[flutter/flutter#27258](…/issues/)": the text names the issue
		// even where the link is broken. On GitLab, group/proj#12 is
		// GitLab's issue, never GitHub's.
		return ticket.Ref{Text: text}, true
	}
	if strings.Contains(u, "/pull/") || strings.Contains(u, "/commit/") || strings.Contains(u, "/merge_requests/") {
		return ticket.Ref{}, false
	}
	if reJiraKey.MatchString(text) && k.linked(text) {
		return ticket.Ref{Text: text, URL: u}, true
	}
	return ticket.Ref{}, false
}

// jiraKeys decides which Jira-shaped words ("PAY-877") are tickets: the
// configured Jira projects, upper case (Options.JiraProjects). Prose is
// full of words of that shape (UTF-8, SHA-256, HTTP-2, ISO-8601, SEV-1),
// and one read as a ticket costs the item its own ticket and cuts its
// title: a bare one counts only where it can only be a ticket.
type jiraKeys map[string]bool

func newJiraKeys(projects []string) jiraKeys {
	k := jiraKeys{}
	for _, p := range projects {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			k[p] = true
		}
	}
	return k
}

// bare reports whether a bare reference (no link) is a ticket. Only
// Jira-shaped ones are in doubt: a configured project's always is;
// another's is unless its "project" is a technical token. Requiring a
// configured project would miss tickets of other teams' projects, and
// pmsync would then open a duplicate of a ticket the document names.
func (k jiraKeys) bare(ref string) bool {
	proj, ok := jiraProject(ref)
	if !ok {
		return true // #123, owner/repo#123, Bug 5554823, b/5554823
	}
	return k[proj] || !technicalTokens[proj]
}

// linked reports whether a link's Jira-shaped text is a ticket: the
// link says where it lives, so any project counts but a technical
// token ("[SHA-256](https://en.wikipedia.org/wiki/SHA-2)").
func (k jiraKeys) linked(key string) bool {
	proj, ok := jiraProject(key)
	return !ok || k[proj] || !technicalTokens[proj]
}

// jiraProject is the project of a Jira-shaped key; ok is false for
// anything else. A one-letter project or a number with a leading zero is
// never a key (X-1, H-2, P-256, OPS-0123).
func jiraProject(key string) (string, bool) {
	i := strings.LastIndexByte(key, '-')
	if i < 2 || i == len(key)-1 || key[i+1] == '0' || !reJiraKey.MatchString(key) {
		return "", false
	}
	return key[:i], true
}

// technicalTokens are the words before a hyphen and a number that name a
// standard, an algorithm, a version or a severity, not a Jira project.
var technicalTokens = map[string]bool{
	"UTF": true, "UCS": true, "SHA": true, "MD": true, "CRC": true, "HMAC": true, "AES": true, "DES": true,
	"RSA": true, "ECDSA": true, "HTTP": true, "HTTPS": true, "TCP": true, "UDP": true, "IP": true, "IPV": true,
	"TLS": true, "SSL": true, "SSH": true, "DNS": true, "ISO": true, "IEC": true, "IEEE": true, "RFC": true,
	"ECMA": true, "ES": true, "ANSI": true, "ASCII": true, "LATIN": true, "CP": true, "BASE": true,
	"CVE": true, "CWE": true, "PEP": true, "KEP": true, "JEP": true, "JSR": true, "FIPS": true, "WPA": true,
	"SEV": true, "UTC": true, "GMT": true, "X86": true, "ARM": true, "DDR": true, "USB": true, "GPT": true,
	"COVID": true, "SOC": true, "PCI": true,
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
	head := title[:min(len(title), 64)]
	if !strings.HasPrefix(title, "[") && strings.IndexByte(head, ':') < 0 && !hasFold(head, " team ") {
		return "", "", false, false // the cheap test
	}
	first, _ := utf8.DecodeRuneInString(title)
	for _, re := range []*regexp.Regexp{reLeadTeamTo, reLeadBracket, reLeadColon} {
		// What each expression needs: "team", a '[' first, a letter
		// first and a ':'.
		may := re == reLeadTeamTo && strings.Contains(title, "team") || re == reLeadBracket && strings.HasPrefix(title, "[") ||
			re == reLeadColon && unicode.IsLetter(first) && leadColonAhead(title)
		if m := findIf(may, re, title); m != nil && (re != reLeadBracket || utf8.RuneCountInString(m[1]) <= leadBracketMax) {
			return strings.TrimSpace(m[1]), upperFirst(strings.TrimSpace(m[2])), re == reLeadTeamTo, true
		}
	}
	return "", "", false, false
}

// leadColonAhead: reLeadColon's name is at most four words, one white
// space between each, before the title's first ':', and white space
// follows it.
func leadColonAhead(title string) bool {
	i := strings.IndexByte(title, ':')
	if i < 0 || i+1 >= len(title) || !isSpaceRE(title[i+1]) {
		return false
	}
	spaces := 0
	for j := 0; j < i; j++ {
		if isSpaceRE(title[j]) {
			spaces++
		}
	}
	return spaces <= 3
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
