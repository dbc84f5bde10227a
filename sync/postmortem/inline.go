package postmortem

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pmsync/pmsync/sync/ticket"
)

// suffixMarker starts the one fixed suffix pmsync appends to list items:
//
//	<!-- pmsync --> ([acme/sre#12](https://github.com/acme/sre/issues/12): Open)
//
// The HTML comment keeps it recognisable while GitHub renders only the link
// and status.
const suffixMarker = "<!-- pmsync -->"

// inlineMeta is what an item's Markdown says besides its title.
type inlineMeta struct {
	title, detail string // Markdown, metadata removed
	// plainTitle is plain(title) when extractMeta made it already.
	plainTitle   string
	plainTitleOK bool
	owner, due   string
	priority     string
	statusRaw    string
	done         bool
	checkbox     bool // written as a task-list item
	ticket       ticket.Ref
	// dueTrailing: the due date was read from the end of the text, not a
	// due: field; an ambiguous one is a warning, not an error.
	dueTrailing bool
	// ownerUnsure: the owner was read from a mention ("@Marco Rossi"),
	// not an owner field; one nobody matches is a warning, not an error.
	ownerUnsure bool
	// leadOwner is a team or person written before the text ("Payments:
	// ..."), with the title without it; the directory decides.
	leadOwner, leadTitle string
	leadTeam             bool // written "X team to ..."
	// typ and team are read from "Type: ..." and "Team: ..." lines.
	typ, team string
	// fieldDetail are field lines whose value is not one ("Priority:
	// must have"): off the title, kept in the detail.
	fieldDetail []string
	// keys decides which Jira-shaped words are tickets.
	keys jiraKeys
}

var (
	reTaskBox     = regexp.MustCompile(`^\[([ xX]?)\]\s*`)
	reStatusLink  = regexp.MustCompile(`(?i)\[(fixed|done|completed|resolved)\]\(([^)\s]+)\)\.?`)
	reParenLink   = regexp.MustCompile(`\(\s*\[([^\]]+)\]\(([^)\s]+)\)\s*\)\.?\s*$`)
	reOwnerField  = regexp.MustCompile(`(?i)\s*[,;]?\s*\bowner:\s*(n/a\b\.?|@?[\pL\pN._-]+@?[\pL\pN._-]*(?:\.[\pL]+)?(?:[ \t]+\p{Lu}[\pL'’-]+){0,3})\s*`)
	reDueField    = regexp.MustCompile(`(?i)\s*[,;]?\s*\bdue(?: date)?:\s*([^,;()\n]+?)\s*(?:[,;]|$)`)
	reByDate      = regexp.MustCompile(`(?i)\s*\bby\s+(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|Q[1-4]\s+\d{4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\s+\d{4})\b`)
	reBoldStatus  = regexp.MustCompile(`\s*\*\*(DONE|TODO|Done|Todo|FIXED|Fixed|WIP)\.?\*\*\.?`)
	reParenStatus = regexp.MustCompile(`(?i)\s*\((done|fixed|completed|complete|todo|wip|in progress|ongoing)\)\.?`)
	reTrailStatus = regexp.MustCompile(`\s*\b(DONE|TODO|FIXED|WIP)\.?\s*$`)
	reUnderDone   = regexp.MustCompile(`(?i)\s*_(done[^_]*)_`)
	// completedAsHints is the cheap test before reCompletedAs.
	completedAsHints = newREHints("completed as of", "completed on", "done as of", "done on", "fixed as of", "fixed on")
	reCompletedAs    = regexp.MustCompile(`(?i)[;,.]?\s*(completed|done|fixed) (?:as of|on)\s+([^.;]+?)\s*\.?$`)
	rePriorityTok    = regexp.MustCompile(`^(?i:p[0-4])$`)
	reEmail          = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	reGoogleOwner    = regexp.MustCompile(`^[a-z][a-z0-9._-]*@$`)
	reDoneWord       = regexp.MustCompile(`(?i)^(done|fixed|completed?|resolved|closed|merged|shipped)\b`)
	reOpenWord       = regexp.MustCompile(`(?i)^(todo|open|wip|in progress|ongoing|planned|not started|filed)\b`)
	reJiraKey        = regexp.MustCompile(`^[A-Z][A-Z0-9_]+-[1-9][0-9]*$`)
	reGitHubIssue    = regexp.MustCompile(`^https?://[^/\s]+/(?:api/v3/repos/)?([^/\s]+)/([^/\s]+)/issues/([0-9]+)/?(?:[#?].*)?$`)
	reJiraBrowse     = regexp.MustCompile(`^https?://[^\s]+/browse/([A-Z][A-Z0-9_]+-[1-9][0-9]*)/?(?:[#?].*)?$`)
	reRepoRef        = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#([0-9]+)$`)
	reMdLink         = regexp.MustCompile(`\[([^\]]*)\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)`)
	reBareURL        = regexp.MustCompile(`<?(https?://[^\s>)\]]+)>?`)
	rePlaceholder    = regexp.MustCompile(`(?i)^(n/?a|none|-+|—|tbd|tbc|\?+|todo\.?|done\.?)$`)
)

// refFromURL recognises a tracker issue URL: a GitHub issue or a Jira
// browse link. Pull requests and commits are evidence, not tickets.
func refFromURL(u, text string) (ticket.Ref, bool) {
	if m := matchGitHubIssue(u); m != nil {
		if text == "" || strings.HasPrefix(text, "http") {
			text = m[1] + "/" + m[2] + "#" + m[3]
		}
		return ticket.Ref{Text: text, URL: u}, true
	}
	if m := findIf(strings.Contains(u, "/browse/"), reJiraBrowse, u); m != nil {
		if text == "" || strings.HasPrefix(text, "http") {
			text = m[1]
		}
		return ticket.Ref{Text: text, URL: u}, true
	}
	return ticket.Ref{}, false
}

// matchGitHubIssue is reGitHubIssue.FindStringSubmatch(u). The form
// pmsync writes, "https://host/owner/repo/issues/N" with nothing after
// the number, is read by hand: it is in every linked item of a steady
// run, and the expression was a tenth of such a run's cell reading.
func matchGitHubIssue(u string) []string {
	if !strings.Contains(u, "/issues/") {
		return nil
	}
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(u, "http://")
	}
	if ok {
		host, rest, _ := strings.Cut(rest, "/")
		owner, rest, _ := strings.Cut(rest, "/")
		repo, num, _ := strings.Cut(rest, "/issues/")
		// Five plain segments: the expression's optional "api/v3/repos/"
		// cannot match, and no other reading of the slashes exists.
		if plainSegment(host) && plainSegment(owner) && plainSegment(repo) && num != "" && strings.Trim(num, "0123456789") == "" {
			return []string{u, owner, repo, num}
		}
	}
	return reGitHubIssue.FindStringSubmatch(u)
}

// plainSegment reports whether s is what [^/\s]+ matches whole.
func plainSegment(s string) bool {
	return s != "" && !strings.ContainsAny(s, "/ \t\n\f\r")
}

// parseTicketCell reads a table's ticket cell: a tracker reference, a
// status that shares the cell (`Bug 5554823 **TODO**`, `n/a DONE`), or
// something foreign (another tracker's bug number, a pull request). The
// column says it holds tickets, so a Jira-shaped word of any project is
// one, as in a link, but a technical token (UTF-8) is not.
func parseTicketCell(cell string, keys jiraKeys) (ref ticket.Ref, status string, foreign bool) {
	// The cell pmsync writes, a link to a ticket and nothing else, is
	// read without the expressions (a steady run reads one per item).
	// A link whose text is a status word is reStatusLink's, and so may
	// be one that holds another '['.
	if text, u, ok := simpleLink(strings.TrimSpace(cell)); ok && !isStatusLinkWord(text) && !strings.Contains(text, "[") && !strings.Contains(u, "[") {
		if r, ok := refFromURL(u, plain(text)); ok {
			return r, "", false
		}
	}
	return parseTicketCellGeneral(cell, keys)
}

// isStatusLinkWord reports whether reStatusLink reads a link with text
// t as a status.
func isStatusLinkWord(t string) bool {
	for _, w := range [...]string{"fixed", "done", "completed", "resolved"} {
		if strings.EqualFold(t, w) {
			return true
		}
	}
	return false
}

// parseTicketCellGeneral is parseTicketCell for any cell.
func parseTicketCellGeneral(cell string, keys jiraKeys) (ref ticket.Ref, status string, foreign bool) {
	rest := cell
	foreignRef := false
	if m := reStatusLink.FindStringSubmatch(rest); m != nil {
		status = m[1]
		rest = strings.Replace(rest, m[0], "", 1)
	}
	if m := reMdLink.FindStringSubmatchIndex(rest); m != nil {
		text, u := rest[m[2]:m[3]], rest[m[4]:m[5]]
		if r, ok := refFromURL(u, plain(text)); ok {
			ref = r
			rest = rest[:m[0]] + rest[m[1]:]
		}
	}
	if ref.IsZero() {
		if m := reBareURL.FindStringSubmatchIndex(rest); m != nil {
			if r, ok := refFromURL(rest[m[2]:m[3]], ""); ok {
				ref = r
				rest = rest[:m[0]] + rest[m[1]:]
			}
		}
	}
	if ref.IsZero() {
		// Another tracker's item (a GitLab issue, a Trello card), bug
		// ("Bug 5554823", "b/5554823") or a pull request: the item is
		// tracked there; adopt it, never open a second ticket beside it.
		// The column stays foreign.
		if r, n, ok := otherTrackerIn(rest); ok {
			ref = r
			rest = rest[:n[0]] + rest[n[1]:]
			foreignRef = true
		} else if m := reCellBug.FindStringSubmatchIndex(rest); m != nil {
			ref = ticket.Ref{Text: strings.Join(strings.Fields(rest[m[2]:m[3]]), " ")}
			rest = rest[:m[0]] + rest[m[1]:]
			foreignRef = true
		} else if m := reMdLink.FindStringSubmatchIndex(rest); m != nil && isChangeURL(rest[m[4]:m[5]]) {
			ref = ticket.Ref{Text: plain(rest[m[2]:m[3]]), URL: rest[m[4]:m[5]]}
			rest = rest[:m[0]] + rest[m[1]:]
			foreignRef = true
		} else if m := reBareURL.FindStringSubmatchIndex(rest); m != nil && isChangeURL(rest[m[2]:m[3]]) {
			ref = ticket.Ref{Text: rest[m[2]:m[3]], URL: rest[m[2]:m[3]]}
			rest = rest[:m[0]] + rest[m[1]:]
			foreignRef = true
		}
	}
	words := strings.Fields(plain(rest))
	var left []string
	for _, w := range words {
		wt := strings.Trim(w, ".,;()")
		switch {
		case ref.IsZero() && (reJiraKey.MatchString(wt) && keys.linked(wt) || reRepoRef.MatchString(wt)):
			ref = ticket.Ref{Text: wt}
		case reDoneWord.MatchString(wt) || reOpenWord.MatchString(wt):
			if status == "" {
				status = wt
			}
		case rePlaceholder.MatchString(wt):
		default:
			left = append(left, w)
		}
	}
	return ref, status, len(left) > 0 || foreignRef
}

// otherTrackerIn finds a link or bare URL to another tracker's item in
// a cell, and where it is.
func otherTrackerIn(cell string) (ticket.Ref, [2]int, bool) {
	if !strings.Contains(cell, "://") {
		return ticket.Ref{}, [2]int{}, false
	}
	if m := reMdLink.FindStringSubmatchIndex(cell); m != nil {
		if r, ok := otherTrackerRef(plain(cell[m[2]:m[3]]), cell[m[4]:m[5]]); ok {
			return r, [2]int{m[0], m[1]}, true
		}
	}
	if m := reBareURL.FindStringSubmatchIndex(cell); m != nil {
		if r, ok := otherTrackerRef("", cell[m[2]:m[3]]); ok {
			return r, [2]int{m[0], m[1]}, true
		}
	}
	return ticket.Ref{}, [2]int{}, false
}

// reCellBug is another tracker's bug number in a ticket cell.
var reCellBug = regexp.MustCompile(`(?i)\b((?:bug|issue)\s*#?\s*[1-9][0-9]{2,}|b/[1-9][0-9]{2,})\b`)

// isChangeURL reports a pull request, merge request or commit URL: work
// that was done, linked as its evidence.
func isChangeURL(u string) bool {
	return strings.Contains(u, "/pull/") || strings.Contains(u, "/merge_requests/") || strings.Contains(u, "/commit/")
}

// metaToken reports whether one comma-separated part of a parenthetical
// is item metadata, and records it.
func (m *inlineMeta) metaToken(part string) bool {
	p := strings.TrimSpace(part)
	// The labels are ASCII without a "k": folding ASCII case alone finds
	// what lowering p would.
	switch {
	case p == "":
		return true
	case prefixFold(p, "owner:") || prefixFold(p, "owner "):
		m.owner = strings.TrimSpace(p[6:])
	case prefixFold(p, "assignee:"):
		m.owner = strings.TrimSpace(p[9:])
	case prefixFold(p, "due:"):
		m.due = strings.TrimSpace(p[4:])
	case prefixFold(p, "due "):
		m.due = strings.TrimSpace(p[4:])
	case prefixFold(p, "by "):
		m.due = strings.TrimSpace(p[3:])
	case prefixFold(p, "priority:"):
		m.priority = normPriority(strings.TrimSpace(p[9:]))
	case len(p) == 2 && rePriorityTok.MatchString(p):
		m.priority = strings.ToUpper(p)
	case strings.HasPrefix(p, "@") && !strings.ContainsAny(p[1:], " \t"):
		m.owner = p
	case strings.IndexByte(p, '@') >= 0 && (reEmail.MatchString(p) || reGoogleOwner.MatchString(p)):
		m.owner = p
	case strings.Contains(p, "://") && len(strings.Fields(p)) <= 3:
		// "(filed https://github.com/acme/web/issues/1335)", "(done:
		// https://...)": the ticket, and the word before it a status.
		fields := strings.Fields(p)
		r, ok := ticketURL(strings.Trim(fields[len(fields)-1], "<>"))
		if !ok {
			return false
		}
		m.ticket = r
		if len(fields) > 1 {
			m.setStatus(strings.TrimSuffix(strings.Join(fields[:len(fields)-1], " "), ":"))
		}
	case reDoneWord.MatchString(p) && len(strings.Fields(p)) <= 3:
		m.statusRaw, m.done = p, true
	case reOpenWord.MatchString(p) && len(strings.Fields(p)) <= 2:
		m.statusRaw = p
	default:
		return false
	}
	return true
}

// extractInline splits a list item's Markdown into its title and the
// metadata written inline (SPEC §2.4).
func extractInline(raw string, keys jiraKeys) inlineMeta { return extractMeta(raw, false, keys) }

// extractMeta is extractInline; prose (a paragraph) takes an owner only
// where the text says so ("owner: ..."), never from an @mention in the
// narrative.
func extractMeta(raw string, prose bool, keys jiraKeys) inlineMeta {
	m := inlineMeta{keys: keys}
	s := clipMiddle(strings.TrimSpace(raw), 3072, 1024)
	// Each rule runs only when a cheap test says it can match: items are
	// many and the expressions are the parser's main cost.
	hasLink := strings.Contains(s, "](")
	if loc := findIndexIf(strings.HasPrefix(s, "["), reTaskBox, s); loc != nil {
		m.checkbox = true
		m.done = strings.TrimSpace(s[loc[2]:loc[3]]) != ""
		s = s[loc[1]:]
	}
	// "Due: ...", "Status: ...", "Priority: ..." on lines of their own.
	s = cutFieldLines(s, &m)
	// Split off the first line block (title) from the rest only later; the
	// metadata may sit on a wrapped continuation line.
	if sm := findIf(hasLink, reStatusLink, s); sm != nil {
		m.statusRaw, m.done = sm[1], true
		s = strings.Replace(s, sm[0], "", 1)
	}
	if loc := findIndexIf(hasLink, reParenLink, s); loc != nil {
		if r, ok := m.keys.linkRef(plain(s[loc[2]:loc[3]]), s[loc[4]:loc[5]]); ok {
			m.ticket = r
			s = strings.TrimSpace(s[:loc[0]])
		}
	}
	s = peelHead(s, &m)
	if inner, ok := strikethrough(s); ok {
		m.done, m.statusRaw = true, "struck through"
		s = inner
	}
	// Parentheticals made only of metadata: "(owner: @alice, due: 2026-04-01, P1)".
	if strings.Contains(s, "(") {
		s = parenMeta(s, &m)
	}
	var hints hintCache
	// "Owner: n/a" is no owner (the expression takes "n/a" whole), never
	// the owner "n" with "/a" left in the title. The value may start on
	// the next line ("OWNER:\n  blasten@") but ends at its line break: the
	// capitalised words of a name are on its line ([ \t]+ between them),
	// so the next line's label is not one of them ("Owner: @alice\nDue:
	// ..." is not "@alice Due"); ownerField takes a label on the same line
	// off.
	if sm := findField(s, &hints, hintOwner, reOwnerField); sm != nil {
		whole, owner := ownerField(s, sm)
		if m.owner == "" {
			m.owner = owner
		}
		s = strings.Replace(s, whole, " ", 1)
	}
	if sm := findField(s, &hints, hintDue|hintDueDate, reDueField); sm != nil {
		if m.due == "" {
			m.due = strings.TrimSpace(sm[1])
		}
		s = strings.Replace(s, sm[0], " ", 1)
	}
	if m.due == "" && byDateAhead(s) {
		if sm := findByDate(s); sm != nil {
			m.due = sm[1]
			s = strings.Replace(s, sm[0], "", 1)
		}
	}
	for _, re := range []*regexp.Regexp{reBoldStatus, reParenStatus, reTrailStatus, reUnderDone} {
		if !mayHaveStatus(re, s) {
			continue
		}
		if sm := re.FindStringSubmatch(s); sm != nil {
			m.setStatus(sm[1])
			s = strings.Replace(s, sm[0], "", 1)
		}
	}
	if sm := findIf(hasDigit(s) && completedAsHints.in(s) && (hasFold(s, " as of ") || hasFold(s, " on ")) &&
		(hasFold(s, "complete") || hasFold(s, "done") || hasFold(s, "fixed")), reCompletedAs, s); sm != nil {
		m.setStatus(sm[1] + " " + sm[2])
		s = strings.Replace(s, sm[0], "", 1)
	}
	s = peelTail(s, &m, prose)
	if m.owner == "" && !prose {
		m.owner, m.ownerUnsure = firstHandle(s)
	}
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, " ,;")
	// leadOwner needs a '[', a ':' or "team" in the text; markup only adds
	// characters, so the raw text answers the cheap test first.
	ps, psOK := "", false // plain(s), when made
	if m.owner == "" && !prose && (strings.IndexByte(s, '[') >= 0 || strings.IndexByte(s, ':') >= 0 || hasFold(s, "team")) {
		ps, psOK = plain(s), true
		if o, rest, team, ok := leadOwner(ps); ok {
			m.leadOwner, m.leadTitle, m.leadTeam = o, rest, team
		}
	}
	if t, d, ok := boldLead(s); ok {
		m.title, m.detail = t, d
	} else {
		m.title, m.plainTitle, m.plainTitleOK = s, ps, psOK
	}
	if len(m.fieldDetail) > 0 {
		m.detail = strings.TrimSpace(m.detail + "\n" + strings.Join(m.fieldDetail, "\n"))
	}
	return m
}

// fieldLabels are the labels of the fields written beside an owner's
// (lower case; a longer one before a label it ends with).
var fieldLabels = []string{"due date", "target date", "due", "deadline", "target", "eta", "status", "state",
	"ticket", "issue", "jira", "bug", "priority", "severity", "notes", "pr", "link"}

// ownerField reads the owner field reOwnerField matched in s (sm): the
// owner, and the text to take off s. The expression's capitalised words
// (any case, it folds case) may end in the next field's label on the
// same line ("Owner: @alice Due: 2026-04-01" matches "@alice Due"): a
// last word or two that are a label before a ':' are not the owner's,
// and stay in s for the label's own rule. A value that is only a label
// ("Owner:\nDue: ...") is no owner.
func ownerField(s string, sm []string) (whole, owner string) {
	whole, owner = sm[0], sm[1]
	i := strings.Index(s, whole)
	if i < 0 || !strings.HasPrefix(s[i+len(whole):], ":") {
		return whole, owner
	}
	for _, l := range fieldLabels {
		n := len(owner) - len(l)
		if n < 0 || !strings.EqualFold(owner[n:], l) || n > 0 && owner[n-1] != ' ' && owner[n-1] != '\t' {
			continue
		}
		// whole ends in the owner and the white space after it
		end := len(strings.TrimRight(whole, " \t\n\v\f\r")) - len(l)
		return whole[:end], strings.TrimRight(owner[:n], " \t")
	}
	return whole, owner
}

// labelLine cuts p before its first line that starts with a field's
// label and a ':' (an owner's, an assignee's or one of fieldLabels), and
// reports whether it did.
func labelLine(p string) (before, after string, found bool) {
	for i := 0; ; i++ {
		j := strings.IndexByte(p[i:], '\n')
		if j < 0 {
			return p, "", false
		}
		i += j
		rest := strings.TrimLeft(p[i+1:], " \t")
		if isLabel(rest, "owner") || isLabel(rest, "assignee") || slices.ContainsFunc(fieldLabels, func(l string) bool { return isLabel(rest, l) }) {
			return p[:i], rest, true
		}
	}
}

// isLabel reports whether s starts with the label l (ignoring case) and
// a ':'.
func isLabel(s, l string) bool {
	return len(s) > len(l) && s[len(l)] == ':' && prefixFold(s, l)
}

// titleText is plain(m.title), made once.
func (m *inlineMeta) titleText() string {
	if m.plainTitleOK {
		return m.plainTitle
	}
	return plain(m.title)
}

// The fields extractMeta's cheap tests look for, found in one pass over
// an item that has a ':' (hasFold for each was a pass each).
var metaHints = newFoldSet(metaHintList...)

var metaHintList = []string{"owner:", "due:", "due date:"}

const (
	hintOwner = 1 << iota
	hintDue
	hintDueDate
)

// hintCache is which metaHints an item holds, found again only when the
// item's text changed (a rule took something off it).
type hintCache struct {
	of    string
	mask  uint64
	known bool
}

// has reports whether s holds any of the hints in bits.
func (h *hintCache) has(s string, bits uint64) bool {
	if !h.known || h.of != s {
		h.of, h.mask, h.known = s, metaHints.mask(s), true
	}
	return h.mask&bits != 0
}

// findField runs a field's expression (reOwnerField, reDueField) when s
// holds one of its labels (bits of metaHints), from where its match can
// first start: every match is a label after nothing but white space, ','
// and ';', so none starts before the first label's run of them. Run from
// there, not from the start of a long item, the expression tries a few
// bytes instead of every one before the label, and finds the same match.
// The labels are ASCII without a "k" or an "s", so that the expression's
// (?i) finds no label that ASCII folding does not.
func findField(s string, hints *hintCache, bits uint64, re *regexp.Regexp) []string {
	if strings.IndexByte(s, ':') < 0 || !hints.has(s, bits) {
		return nil
	}
	at := len(s)
	for i, sub := range metaHintList {
		if bits&(1<<i) != 0 {
			if j := indexFold(s[:min(len(s), at+len(sub))], sub); j >= 0 {
				at = j
			}
		}
	}
	return re.FindStringSubmatch(s[labelStart(s, at):])
}

// labelStart is where an expression whose matches are a label after
// nothing but white space, ',' and ';' can first match, given the first
// label at at: before the run of them, and one rune more, so that the
// expression's \b sees the byte before the label as it does in s (where
// it cannot start a match).
func labelStart(s string, at int) int {
	for at > 0 && strings.IndexByte(" \t\n\v\f\r,;", s[at-1]) >= 0 {
		at--
	}
	_, n := utf8.DecodeLastRuneInString(s[:at])
	return at - n
}

// findByDate is reByDate.FindStringSubmatch(s), run from the first "by"
// (any case) before white space, where its match can first start.
func findByDate(s string) []string {
	for i := 0; ; {
		j := indexFold(s[i:], "by")
		if j < 0 {
			return nil
		}
		if i += j; i+2 < len(s) && isSpaceRE(s[i+2]) {
			return reByDate.FindStringSubmatch(s[labelStart(s, i):])
		}
		i++
	}
}

// clipMiddle keeps the first head and last tail bytes of a very long
// text, on rune boundaries: an item's title, its metadata and its status
// are at its ends, and reading a hostile megabyte in the middle would
// cost time for nothing.
func clipMiddle(s string, head, tail int) string {
	if len(s) <= head+tail {
		return s
	}
	h := head
	for h > 0 && !utf8.RuneStart(s[h]) {
		h--
	}
	t := len(s) - tail
	for t < len(s) && !utf8.RuneStart(s[t]) {
		t++
	}
	return s[:h] + " … " + s[t:]
}

// parenMeta removes parentheticals made only of metadata ("(owner: @alice,
// due: 2026-04-01, P1)") and records what they say.
func parenMeta(s string, m *inlineMeta) string {
	var b strings.Builder
	at, dropped := 0, false
	for at < len(s) {
		open := strings.IndexByte(s[at:], '(')
		if open < 0 {
			break
		}
		open += at
		closing := strings.IndexAny(s[open+1:], "()")
		if closing < 0 {
			break
		}
		closing += open + 1
		if s[closing] == '(' { // nested: not a metadata group
			b.WriteString(s[at:closing])
			at = closing
			continue
		}
		var trial inlineMeta
		// Every part between commas or semicolons (empty ones skipped)
		// must be metadata.
		meta, parts := true, 0
		for rest := s[open+1 : closing]; meta; {
			p, after, more := strings.Cut(rest, ",")
			if i := strings.IndexByte(p, ';'); i >= 0 {
				p, after, more = rest[:i], rest[i+1:], true
			}
			// A part written over several lines ends before a line that
			// starts with a label ("(owner: @alice\n  due: 2026-04-01)"):
			// a value ends at its line break there, as outside
			// parentheses. One wrapped onto a line without a label
			// ("(owner: Alice\n  Example)") is read whole.
			for q := p; q != "" && meta; {
				line, next, cut := labelLine(q)
				parts++
				meta = trial.metaToken(line)
				if !cut {
					break
				}
				q = next
			}
			if !more {
				break
			}
			rest = after
		}
		if !meta || parts == 0 {
			b.WriteString(s[at : closing+1])
			at = closing + 1
			continue
		}
		m.merge(trial)
		// drop the group and the white space before it
		b.WriteString(strings.TrimRight(s[at:open], " \t"))
		at, dropped = closing+1, true
	}
	if !dropped {
		return s
	}
	b.WriteString(s[at:])
	return b.String()
}

// byDateAhead reports a "by " followed by something that may be a date.
func byDateAhead(s string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], "by ")
		if j < 0 {
			return false
		}
		i += j + 3
		if i < len(s) {
			c := s[i]
			if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
				return true
			}
		}
	}
}

// firstHandle returns the first @mention (not part of an e-mail
// address) as an owner: "@alice", "@acme/sre". A mention that may be a
// display name ("@Marco Rossi", "@María") is returned whole and unsure,
// for the directory to decide: "@Marco" cut out of it could be another
// person.
func firstHandle(s string) (owner string, unsure bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			k := strings.IndexByte(s[i:], '@') // most items have none
			if k < 0 {
				break
			}
			i += k
		}
		if i > 0 && !(s[i-1] == ' ' || s[i-1] == '\t' || s[i-1] == '\n' || s[i-1] == '(' || s[i-1] == ',') {
			continue
		}
		j := i + 1
		for j < len(s) && (isHandleByte(s[j]) || s[j] == '/' && j > i+1) {
			j++
		}
		h := strings.TrimRight(s[i+1:j], "-/.")
		if h == "" || h[0] == '-' {
			continue
		}
		if name, ok := mentionName(h, s[i+1+len(h):]); ok {
			return name, true
		}
		return "@" + h, false
	}
	return "", false
}

// mentionName reads a mention as a display name when it may be one: its
// first word h (ASCII, as a login is) goes on in a letter no login has
// ("@María"), or is followed by capitalised words ("@Marco Rossi"). A
// login with digits, "_", "." or "/" is a login.
func mentionName(h, rest string) (string, bool) {
	if strings.ContainsAny(h, "0123456789_./") {
		return "", false
	}
	word := func(s string) int { // the length of the letters, hyphens and apostrophes that start s
		n := 0
		for n < len(s) {
			r, size := utf8.DecodeRuneInString(s[n:])
			if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' {
				break
			}
			n += size
		}
		return n
	}
	name := h
	r, _ := utf8.DecodeRuneInString(rest)
	accented := r >= utf8.RuneSelf && unicode.IsLetter(r)
	if accented {
		n := word(rest)
		name, rest = h+rest[:n], rest[n:]
	}
	words := 1
	for words < 4 && len(rest) > 1 && rest[0] == ' ' {
		r, _ := utf8.DecodeRuneInString(rest[1:])
		n := word(rest[1:])
		w := rest[1 : 1+n]
		next, _ := utf8.DecodeRuneInString(rest[1+n:])
		// A capitalised word, not an acronym or a code ("TODO", "P1").
		if !unicode.IsUpper(r) || n == 0 || unicode.IsDigit(next) || len(w) > 1 && strings.ToUpper(w) == w {
			break
		}
		name += " " + w
		rest = rest[1+n:]
		words++
	}
	return name, accented || words > 1
}

func isHandleByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}

func (m *inlineMeta) merge(o inlineMeta) {
	if o.owner != "" {
		m.owner = o.owner
	}
	if o.due != "" {
		m.due = o.due
	}
	if o.priority != "" {
		m.priority = o.priority
	}
	if o.statusRaw != "" {
		m.statusRaw = o.statusRaw
	}
	if !o.ticket.IsZero() && m.ticket.IsZero() {
		m.ticket = o.ticket
	}
	m.done = m.done || o.done
}

func (m *inlineMeta) setStatus(w string) {
	w = strings.TrimSpace(w)
	m.statusRaw = w
	if reDoneWord.MatchString(w) {
		m.done = true
	}
}

// hasFold reports whether s contains the lower-case ASCII sub, ignoring
// case, without allocating (strings.ToLower of every item was a
// measurable share of parsing).
func hasFold(s, sub string) bool { return indexFold(s, sub) >= 0 }

// indexFold is where s first contains the lower-case ASCII sub, ignoring
// case (-1: nowhere).
func indexFold(s, sub string) int {
	n := len(sub)
	if n == 0 {
		return 0
	}
	lo, up := sub[0], sub[0]
	if lo >= 'a' && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	// The next position of each case of the first byte, each found once
	// per occurrence: linear in s.
	nextLo, nextUp := -1, -1
	for i := 0; i+n <= len(s); i++ {
		if nextLo < i && nextLo != len(s) {
			if j := strings.IndexByte(s[i:], lo); j >= 0 {
				nextLo = i + j
			} else {
				nextLo = len(s)
			}
		}
		if up != lo && nextUp < i && nextUp != len(s) {
			if j := strings.IndexByte(s[i:], up); j >= 0 {
				nextUp = i + j
			} else {
				nextUp = len(s)
			}
		}
		j := nextLo
		if up != lo && nextUp < j {
			j = nextUp
		}
		if j < 0 || j+n > len(s) {
			return -1
		}
		i = j
		if prefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

// prefixFold reports whether s starts with the lower-case ASCII sub,
// ignoring ASCII case. (strings.EqualFold folds Unicode too, which
// cannot make a byte of s equal to an ASCII byte of sub, and is slower.)
func prefixFold(s, sub string) bool {
	if len(s) < len(sub) {
		return false
	}
	for i := 0; i < len(sub); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != sub[i] {
			return false
		}
	}
	return true
}

// foldSet finds any of a few lower-case ASCII strings (of two bytes or
// more) in a text, ignoring ASCII case, in one pass (hasFold for each
// would be a pass each).
type foldSet struct {
	first [256][]foldSub // the strings starting with a byte, both cases
	// pairs has a bit for the first two bytes of each string (lower
	// case): in and mask compare only where a text has such a pair.
	pairs [1 << 16 / 64]uint64
}

type foldSub struct {
	s   string
	bit uint64 // its bit in mask's result
}

func newFoldSet(subs ...string) *foldSet {
	f := &foldSet{}
	for i, sub := range subs {
		if len(sub) < 2 {
			panic("foldSet: " + sub + " is shorter than two bytes")
		}
		c, fs := sub[0], foldSub{sub, 1 << i}
		f.first[c] = append(f.first[c], fs)
		if c >= 'a' && c <= 'z' {
			f.first[c-('a'-'A')] = append(f.first[c-('a'-'A')], fs)
		}
		p := uint16(c)<<8 | uint16(sub[1])
		f.pairs[p/64] |= 1 << (p % 64)
	}
	return f
}

// in reports whether s holds one of the set's strings.
func (f *foldSet) in(s string) bool {
	// Every string is two bytes or more: none starts at the last byte.
	// The pair test alone: a string's first byte is in many words, its
	// first two in few, and a test that rarely passes is one the CPU
	// predicts.
	for i := 0; i+1 < len(s); i++ {
		if p := uint16(lowerASCII[s[i]])<<8 | uint16(lowerASCII[s[i+1]]); f.pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, sub := range f.first[s[i]] {
			if prefixFold(s[i:], sub.s) {
				return true
			}
		}
	}
	return false
}

// mask reports which of the set's strings s holds: bit i for the i-th.
func (f *foldSet) mask(s string) (m uint64) {
	for i := 0; i+1 < len(s); i++ {
		subs := f.first[s[i]]
		if len(subs) == 0 {
			continue
		}
		if p := uint16(lowerASCII[s[i]])<<8 | uint16(lowerASCII[s[i+1]]); f.pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, sub := range subs {
			if prefixFold(s[i:], sub.s) {
				m |= sub.bit
			}
		}
	}
	return m
}

// trailingURL splits "text - https://x/issues/1." into the URL and the
// text before it.
func trailingURL(s string) (u, rest string, ok bool) {
	t := strings.TrimRight(s, " \t.>")
	// The URL is in the last word (it holds none of " \t()"): only that is
	// searched.
	k := strings.LastIndexAny(t, " \t()") + 1
	i := strings.LastIndex(t[k:], "http")
	if i < 0 {
		return "", "", false
	}
	i += k
	u = t[i:]
	rest = strings.TrimRight(t[:i], " \t<")
	rest = strings.TrimRight(rest, "-—–:")
	return u, strings.TrimSpace(rest), true
}

// boldLead splits "**Title**: description" (or "**Title:** description")
// into title and description; ok is false without such a lead or
// without a description.
func boldLead(s string) (title, detail string, ok bool) {
	if !strings.HasPrefix(s, "**") {
		return "", "", false
	}
	end := strings.Index(s[2:], "**")
	if end <= 0 {
		return "", "", false
	}
	title = s[2 : 2+end]
	if strings.Contains(title, "*") {
		return "", "", false
	}
	rest := s[4+end:]
	inner := strings.HasSuffix(title, ":") || strings.HasSuffix(title, ".")
	if inner {
		title = title[:len(title)-1]
	}
	rest = strings.TrimLeft(rest, " \t\n")
	if !inner {
		r := strings.TrimLeft(rest, ":.—–-")
		if r != rest {
			rest = strings.TrimLeft(r, " \t\n")
		}
		if strings.TrimSpace(rest) == "" {
			return "", "", false
		}
	}
	return title, rest, strings.TrimSpace(title) != ""
}

// findIf runs re only when a cheap test passed.
func findIf(ok bool, re *regexp.Regexp, s string) []string {
	if !ok {
		return nil
	}
	return re.FindStringSubmatch(s)
}

func findIndexIf(ok bool, re *regexp.Regexp, s string) []int {
	if !ok {
		return nil
	}
	return re.FindStringSubmatchIndex(s)
}

// mayHaveStatus is a cheap test before each status expression.
func mayHaveStatus(re *regexp.Regexp, s string) bool {
	switch re {
	case reBoldStatus:
		return strings.Contains(s, "**") && boldStatusHints.in(s)
	case reParenStatus:
		return strings.Contains(s, "(") && parenStatusHints.in(s)
	case reUnderDone:
		return hasFold(s, "_done")
	case reTrailStatus:
		t := strings.TrimRight(s, " .")
		return strings.HasSuffix(t, "DONE") || strings.HasSuffix(t, "TODO") || strings.HasSuffix(t, "FIXED") || strings.HasSuffix(t, "WIP")
	}
	return true
}

// newREHints is a foldSet of the words one of which a (?i) expression
// needs: besides ASCII case, Go's expressions fold "ſ" to "s" and the
// Kelvin sign to "k", so a text holding either may match as well.
func newREHints(subs ...string) *foldSet {
	for _, sub := range subs {
		if strings.ContainsRune(sub, 's') {
			subs = append(subs, "ſ")
			break
		}
	}
	for _, sub := range subs {
		if strings.ContainsRune(sub, 'k') {
			subs = append(subs, "\u212A")
			break
		}
	}
	return newFoldSet(subs...)
}

// The cheap tests before reBoldStatus and reParenStatus.
var (
	boldStatusHints  = newFoldSet("**done", "**todo", "**fixed", "**wip")
	parenStatusHints = newFoldSet("(done", "(fixed", "(complete", "(todo", "(wip", "(in progress", "(ongoing")
)

// normPriority maps a written priority to P0–P4, or "" when unknown.
func normPriority(s string) string {
	p := strings.ToLower(strings.Trim(plain(s), " .*"))
	switch {
	case rePriorityTok.MatchString(p):
		return strings.ToUpper(p)
	case p == "critical" || p == "urgent" || p == "highest" || p == "blocker":
		return "P0"
	case p == "high":
		return "P1"
	case p == "medium" || p == "normal":
		return "P2"
	case p == "low":
		return "P3"
	case p == "lowest" || p == "trivial":
		return "P4"
	}
	return ""
}

// parseSuffix reads the text after suffixMarker: " ([ref](url): Status)".
func parseSuffix(s string) (ref ticket.Ref, st ticket.Status, ok bool) {
	r, status, ok := suffixParts(strings.TrimSpace(s))
	if !ok {
		return ref, st, false
	}
	r = strings.TrimSpace(r)
	if text, u, ok := simpleLink(r); ok {
		ref = ticket.Ref{Text: text, URL: u}
	} else if lm := reMdLink.FindStringSubmatch(r); lm != nil && lm[0] == r {
		ref = ticket.Ref{Text: lm[1], URL: lm[2]}
	} else if strings.HasPrefix(r, "<") && strings.HasSuffix(r, ">") {
		ref = ticket.Ref{URL: r[1 : len(r)-1]}
	} else {
		ref = ticket.Ref{Text: r}
	}
	st, ok = ticket.ParseStatus(status)
	return ref, st, ok
}

// suffixParts splits "(ref: status)" as `^\((.*): ([^:]*)\)$` does: the
// status follows the last ':', and the ref holds no line break.
func suffixParts(t string) (ref, status string, ok bool) {
	if len(t) < 2 || t[0] != '(' || t[len(t)-1] != ')' {
		return "", "", false
	}
	inner := t[1 : len(t)-1]
	i := strings.LastIndexByte(inner, ':')
	if i < 0 || i+1 >= len(inner) || inner[i+1] != ' ' || strings.IndexByte(inner[:i], '\n') >= 0 {
		return "", "", false
	}
	return inner[:i], inner[i+2:], true
}

// simpleLink reads "[text](url)" as pmsync writes it, where reMdLink's
// first match is the whole of r: no ']' in the text, and the URL one
// run of bytes without ')', '<', '>' or white space. Anything else is
// reMdLink's to read.
func simpleLink(r string) (text, u string, ok bool) {
	k := strings.IndexByte(r, ']')
	if len(r) < 4 || r[0] != '[' || k < 0 || k+1 >= len(r) || r[k+1] != '(' || r[len(r)-1] != ')' {
		return "", "", false
	}
	u = r[k+2 : len(r)-1]
	if u == "" || strings.ContainsAny(u, ")<> \t\n\f\r") {
		return "", "", false
	}
	return r[1:k], u, true
}

// renderSuffix is the inverse of parseSuffix, with its leading space.
func renderSuffix(ref ticket.Ref, st ticket.Status) string {
	return " " + suffixMarker + " (" + ref.Markdown() + ": " + st.String() + ")"
}
