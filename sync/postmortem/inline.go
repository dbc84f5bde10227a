package postmortem

import (
	"regexp"
	"strings"

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
	owner, due    string
	priority      string
	statusRaw     string
	done          bool
	checkbox      bool // written as a task-list item
	ticket        ticket.Ref
}

var (
	reTaskBox      = regexp.MustCompile(`^\[([ xX]?)\]\s*`)
	reStatusLink   = regexp.MustCompile(`(?i)\[(fixed|done|completed|resolved)\]\(([^)\s]+)\)\.?`)
	reParenLink    = regexp.MustCompile(`\(\s*\[([^\]]+)\]\(([^)\s]+)\)\s*\)\.?\s*$`)
	reTrailingURL  = regexp.MustCompile(`\s*[-—–:]?\s*<?(https?://[^\s>)]+)>?\s*\.?\s*$`)
	reParenGroup   = regexp.MustCompile(`\s*\(([^()]*)\)`)
	reOwnerField   = regexp.MustCompile(`(?i)\s*[,;]?\s*\bowner:\s*(@?[\pL\pN._-]+@?[\pL\pN._-]*(?:\.[\pL]+)?)\s*`)
	reDueField     = regexp.MustCompile(`(?i)\s*[,;]?\s*\bdue(?: date)?:\s*([^,;()\n]+?)\s*(?:[,;]|$)`)
	reByDate       = regexp.MustCompile(`(?i)\s*\bby\s+(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|Q[1-4]\s+\d{4}|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\s+\d{4})\b`)
	reBoldStatus   = regexp.MustCompile(`\s*\*\*(DONE|TODO|Done|Todo|FIXED|Fixed|WIP)\.?\*\*\.?`)
	reParenStatus  = regexp.MustCompile(`(?i)\s*\((done|fixed|completed|complete|todo|wip|in progress|ongoing)\)\.?`)
	reTrailStatus  = regexp.MustCompile(`\s*\b(DONE|TODO|FIXED|WIP)\.?\s*$`)
	reUnderDone    = regexp.MustCompile(`(?i)\s*_(done[^_]*)_`)
	reCompletedAs  = regexp.MustCompile(`(?i)[;,.]?\s*(completed|done|fixed) (?:as of|on)\s+([^.;]+?)\s*\.?$`)
	reHandle       = regexp.MustCompile(`(?:^|[\s(,])@([A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9._-]+)?)\b`)
	rePriorityTok  = regexp.MustCompile(`^(?i:p[0-4])$`)
	reBoldLead     = regexp.MustCompile(`(?s)^\*\*([^*]+?)\*\*\s*(?:[:.—–-]\s*)?(.*)$`)
	reBoldLeadIn   = regexp.MustCompile(`(?s)^\*\*([^*]+?)[:.]\*\*\s*(.*)$`)
	reEmail        = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	reGoogleOwner  = regexp.MustCompile(`^[a-z][a-z0-9._-]*@$`)
	reDoneWord     = regexp.MustCompile(`(?i)^(done|fixed|completed?|resolved|closed|merged|shipped)\b`)
	reOpenWord     = regexp.MustCompile(`(?i)^(todo|open|wip|in progress|ongoing|planned|not started|filed)\b`)
	reJiraKey      = regexp.MustCompile(`^[A-Z][A-Z0-9_]+-[1-9][0-9]*$`)
	reGitHubIssue  = regexp.MustCompile(`^https?://[^/\s]+/(?:api/v3/repos/)?([^/\s]+)/([^/\s]+)/issues/([0-9]+)/?(?:[#?].*)?$`)
	reJiraBrowse   = regexp.MustCompile(`^https?://[^\s]+/browse/([A-Z][A-Z0-9_]+-[1-9][0-9]*)/?(?:[#?].*)?$`)
	reRepoRef      = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#([0-9]+)$`)
	reMdLink       = regexp.MustCompile(`\[([^\]]*)\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)`)
	reBareURL      = regexp.MustCompile(`<?(https?://[^\s>)\]]+)>?`)
	rePlaceholder  = regexp.MustCompile(`(?i)^(n/?a|none|-+|—|tbd|tbc|\?+|todo\.?|done\.?)$`)
	reSuffixStatus = regexp.MustCompile(`^\((.*): ([^:]*)\)$`)
)

// refFromURL recognises a tracker issue URL: a GitHub issue or a Jira
// browse link. Pull requests and commits are evidence, not tickets.
func refFromURL(u, text string) (ticket.Ref, bool) {
	if m := reGitHubIssue.FindStringSubmatch(u); m != nil {
		if text == "" || strings.HasPrefix(text, "http") {
			text = m[1] + "/" + m[2] + "#" + m[3]
		}
		return ticket.Ref{Text: text, URL: u}, true
	}
	if m := reJiraBrowse.FindStringSubmatch(u); m != nil {
		if text == "" || strings.HasPrefix(text, "http") {
			text = m[1]
		}
		return ticket.Ref{Text: text, URL: u}, true
	}
	return ticket.Ref{}, false
}

// parseTicketCell reads a table's ticket cell: a tracker reference, a
// status that shares the cell (`Bug 5554823 **TODO**`, `n/a DONE`), or
// something foreign (another tracker's bug number, a pull request).
func parseTicketCell(cell string) (ref ticket.Ref, status string, foreign bool) {
	rest := cell
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
	words := strings.Fields(plain(rest))
	var left []string
	for _, w := range words {
		wt := strings.Trim(w, ".,;()")
		switch {
		case ref.IsZero() && (reJiraKey.MatchString(wt) || reRepoRef.MatchString(wt)):
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
	return ref, status, len(left) > 0
}

// metaToken reports whether one comma-separated part of a parenthetical
// is item metadata, and records it.
func (m *inlineMeta) metaToken(part string) bool {
	p := strings.TrimSpace(part)
	pl := strings.ToLower(p)
	switch {
	case p == "":
		return true
	case strings.HasPrefix(pl, "owner:") || strings.HasPrefix(pl, "owner "):
		m.owner = strings.TrimSpace(p[6:])
	case strings.HasPrefix(pl, "assignee:"):
		m.owner = strings.TrimSpace(p[9:])
	case strings.HasPrefix(pl, "due:"):
		m.due = strings.TrimSpace(p[4:])
	case strings.HasPrefix(pl, "due "):
		m.due = strings.TrimSpace(p[4:])
	case strings.HasPrefix(pl, "by "):
		m.due = strings.TrimSpace(p[3:])
	case strings.HasPrefix(pl, "priority:"):
		m.priority = normPriority(strings.TrimSpace(p[9:]))
	case rePriorityTok.MatchString(p):
		m.priority = strings.ToUpper(p)
	case strings.HasPrefix(p, "@") && !strings.ContainsAny(p[1:], " \t"):
		m.owner = p
	case reEmail.MatchString(p) || reGoogleOwner.MatchString(p):
		m.owner = p
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
func extractInline(raw string) inlineMeta {
	var m inlineMeta
	s := strings.TrimSpace(raw)
	if loc := reTaskBox.FindStringSubmatchIndex(s); loc != nil {
		m.checkbox = true
		m.done = strings.TrimSpace(s[loc[2]:loc[3]]) != ""
		s = s[loc[1]:]
	}
	// Split off the first line block (title) from the rest only later; the
	// metadata may sit on a wrapped continuation line.
	if sm := reStatusLink.FindStringSubmatch(s); sm != nil {
		m.statusRaw, m.done = sm[1], true
		s = strings.Replace(s, sm[0], "", 1)
	}
	if loc := reParenLink.FindStringSubmatchIndex(s); loc != nil {
		if r, ok := refFromURL(s[loc[4]:loc[5]], plain(s[loc[2]:loc[3]])); ok {
			m.ticket = r
			s = strings.TrimSpace(s[:loc[0]])
		}
	}
	if m.ticket.IsZero() {
		if loc := reTrailingURL.FindStringSubmatchIndex(s); loc != nil {
			if r, ok := refFromURL(s[loc[2]:loc[3]], ""); ok {
				m.ticket = r
				s = strings.TrimSpace(s[:loc[0]])
			}
		}
	}
	// Parentheticals made only of metadata: "(owner: @alice, due: 2026-04-01, P1)".
	s = reParenGroup.ReplaceAllStringFunc(s, func(g string) string {
		inner := reParenGroup.FindStringSubmatch(g)[1]
		var trial inlineMeta
		parts := strings.FieldsFunc(inner, func(r rune) bool { return r == ',' || r == ';' })
		if len(parts) == 0 {
			return g
		}
		for _, p := range parts {
			if !trial.metaToken(p) {
				return g
			}
		}
		m.merge(trial)
		return ""
	})
	if sm := reOwnerField.FindStringSubmatch(s); sm != nil {
		if m.owner == "" {
			m.owner = sm[1]
		}
		s = strings.Replace(s, sm[0], " ", 1)
	}
	if sm := reDueField.FindStringSubmatch(s); sm != nil {
		if m.due == "" {
			m.due = strings.TrimSpace(sm[1])
		}
		s = strings.Replace(s, sm[0], " ", 1)
	}
	if sm := reByDate.FindStringSubmatch(s); sm != nil && m.due == "" {
		m.due = sm[1]
		s = strings.Replace(s, sm[0], "", 1)
	}
	for _, re := range []*regexp.Regexp{reBoldStatus, reParenStatus, reTrailStatus, reUnderDone} {
		if sm := re.FindStringSubmatch(s); sm != nil {
			m.setStatus(sm[1])
			s = strings.Replace(s, sm[0], "", 1)
		}
	}
	if sm := reCompletedAs.FindStringSubmatch(s); sm != nil {
		m.setStatus(sm[1] + " " + sm[2])
		s = strings.Replace(s, sm[0], "", 1)
	}
	if m.owner == "" {
		if sm := reHandle.FindStringSubmatch(s); sm != nil {
			m.owner = "@" + sm[1]
		}
	}
	s = strings.TrimSpace(s)
	s = strings.TrimRight(s, " ,;")
	if sm := reBoldLeadIn.FindStringSubmatch(s); sm != nil {
		m.title, m.detail = sm[1], sm[2]
	} else if sm := reBoldLead.FindStringSubmatch(s); sm != nil && strings.TrimSpace(sm[2]) != "" {
		m.title, m.detail = sm[1], sm[2]
	} else {
		m.title = s
	}
	return m
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
	m.done = m.done || o.done
}

func (m *inlineMeta) setStatus(w string) {
	w = strings.TrimSpace(w)
	m.statusRaw = w
	if reDoneWord.MatchString(w) {
		m.done = true
	}
}

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
	sm := reSuffixStatus.FindStringSubmatch(strings.TrimSpace(s))
	if sm == nil {
		return ref, st, false
	}
	r := strings.TrimSpace(sm[1])
	if lm := reMdLink.FindStringSubmatch(r); lm != nil && lm[0] == r {
		ref = ticket.Ref{Text: lm[1], URL: lm[2]}
	} else if strings.HasPrefix(r, "<") && strings.HasSuffix(r, ">") {
		ref = ticket.Ref{URL: r[1 : len(r)-1]}
	} else {
		ref = ticket.Ref{Text: r}
	}
	st, ok = ticket.ParseStatus(sm[2])
	return ref, st, ok
}

// renderSuffix is the inverse of parseSuffix, with its leading space.
func renderSuffix(ref ticket.Ref, st ticket.Status) string {
	return " " + suffixMarker + " (" + ref.Markdown() + ": " + st.String() + ")"
}
