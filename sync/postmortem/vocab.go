package postmortem

// The words real postmortems use for the sections and columns pmsync reads
// (SPEC §2.3, §2.4 and research/postmortem-survey.md §5.2–5.3). All entries
// are compared after normHeading.

type sectionKind int

const (
	secOther sectionKind = iota
	secFactors
	secActions
	secStatus   // "## Status" followed by a line
	secMetadata // "## Date", "## Severity" ... followed by a line
)

var factorHeadings = []string{
	"contributing factors", "contributing factor", "contributing causes",
	"contributing cause", "contributing conditions", "contributing conditions analysis",
	"root causes", "root cause", "causes", "cause", "root cause analysis",
	"what caused it", "what caused the incident", "what caused the outage",
	"technical cause", "technical causes", "underlying causes", "underlying cause",
	"what were the root causes", "blameless root cause", "trigger", "triggers",
	"why it happened", "why did it happen", "why did this happen", "how did this happen",
	"how did it happen", "what went wrong", "what was the issue", "what was the problem",
	"what was wrong", "the problem", "the issue", "what broke", "five whys", "5 whys", "whys",
	"the vulnerability", "root cause of the outage", "root cause of the incident",
	"process breakdown", "process breakdowns",
}

var actionHeadings = []string{
	"action items", "action item", "actions", "action plan", "action points",
	"follow ups", "follow up", "followups", "followup", "follow up actions",
	"followup actions", "follow up items", "followup items", "follow up tasks",
	"follow up improvements", "corrective actions", "corrective action",
	"corrective and preventative measures", "corrective and preventive measures",
	"corrective and preventive actions", "corrective and preventative actions",
	"remediation", "remediations", "remediation items", "remediation and action items",
	"next steps", "preventive actions", "preventative actions", "prevention actions",
	"preventive measures", "preventative measures", "recommendations",
	"looking forward", "review actions", "actionables", "action items and followups",
	"action items and follow ups", "todo list and bugs filed", "what are we doing about this",
	"what we re doing about it", "what we are doing about it", "what we re doing about this",
	"what we are doing about this", "what are we doing about it", "resolving actions",
	"open follow ups", "open followups", "improvements", "lessons learned and actions",
	"lessons learnt and actions", "what has been done", "what we have done", "what we did",
	"going forward", "whats next", "what s next", "what is next", "how do we do better",
	"how do we do better in the future", "how we will prevent this", "how we ll prevent this",
	"further mitigations and learnings", "actions taken", "action taken", "actions planned",
	"action planned", "planned actions", "preventive steps", "preventative steps",
	"future work", "tasks", "todo", "to do", "to dos", "todos", "our response",
	"root cause remediations", "mitigations and follow ups", "fixes and follow ups",
}

// otherHeadings end a section that a bold label started (a label is not
// a heading, so it has no level to end it).
var otherHeadings = []string{
	"summary", "impact", "timeline", "incident timeline", "detection", "response",
	"recovery", "resolution", "lessons learned", "lessons learnt",
	"what went well", "where we got lucky", "background", "duration",
	"context", "key events", "supporting information", "appendix", "attendees",
	"what happened", "incident summary", "executive summary", "customer impact",
}

// weakFactorHeadings name a factors section only in a document that has no
// other: a "Conclusion" is where some short reports state their cause.
var weakFactorHeadings = []string{"conclusion", "conclusions"}

var statusHeadings = []string{"status", "report status", "document status", "postmortem status"}

// metaKeys maps metadata keys (front matter, "Key: value" lines, key/value
// table rows, "## Key" headings) to the field they fill.
var metaKeys = map[string]string{
	"id": "id", "title": "title",
	"status": "status", "report status": "status", "document status": "status", "postmortem status": "status",
	"date": "date", "incident date": "date", "incident dates": "date", "date of incident": "date", "incident date s": "date",
	"severity": "severity", "sev": "severity", "incident severity": "severity",
	"team": "teams", "teams": "teams", "owning team": "teams",
	"service": "services", "services": "services", "affected services": "services", "affected service": "services",
	"author": "authors", "authors": "authors", "owners": "authors", "owner": "authors", "created by": "authors",
	"postmortem owner": "authors", "incident lead": "authors", "name s": "authors",
	"started at": "started_at", "started": "started_at", "start": "started_at", "start time": "started_at", "incident start": "started_at",
	"detected at": "detected_at", "detected": "detected_at", "detection time": "detected_at", "first detected": "detected_at",
	"responded at": "responded_at", "responded": "responded_at", "incident declared": "responded_at", "response time": "responded_at",
	"resolved at": "resolved_at", "resolved": "resolved_at", "end": "resolved_at", "end time": "resolved_at",
	"resolution time": "resolved_at", "ended": "resolved_at",
	"tracker": "tracker",
}

// Table columns (SPEC §2.4).
type column int

const (
	colNone column = iota
	colText
	colOwner
	colDue
	colType
	colPriority
	colFactor
	colTeam
	colTicket
	colStatus
	colID
	colNotes
)

var columnSynonyms = map[string]column{
	"action item": colText, "action items": colText, "action": colText, "actions": colText,
	"item": colText, "description": colText, "task": colText, "title": colText, "what": colText,
	"follow up": colText, "followup": colText, "action item description": colText,
	"short description": colText, "corrective action": colText, "remediation": colText,
	"contributing factor": colFactor, "factor": colFactor, "addresses": colFactor,
	"owner": colOwner, "owners": colOwner, "assignee": colOwner, "who": colOwner,
	"responsible": colOwner, "dri": colOwner,
	"due": colDue, "due date": colDue, "deadline": colDue, "by": colDue, "target date": colDue,
	"eta": colDue, "when": colDue, "date needed by": colDue,
	"type": colType, "kind": colType, "category": colType,
	"priority": colPriority, "pri": colPriority, "initial priority": colPriority,
	"team": colTeam, "component": colTeam, "service": colTeam,
	"ticket": colTicket, "bug": colTicket, "issue": colTicket, "tracking": colTicket,
	"link": colTicket, "jira": colTicket, "tracking bug": colTicket, "tracking link": colTicket,
	"tracking issue": colTicket,
	"status":         colStatus, "state": colStatus,
	"id": colID, "no": colID, "ref": colID,
	"notes": colNotes, "note": colNotes, "comments": colNotes, "comment": colNotes, "remarks": colNotes,
}

func columnOf(header string) column {
	var nb [128]byte
	h := appendNorm(nb[:0], plain(header)) // normKey, without a string
	if len(h) == 0 {
		if header == "#" || header == "**#**" {
			return colID
		}
		return colNone
	}
	return columnSynonyms[string(h)]
}

func matchAny(s string, list []string) bool {
	if set, ok := listSets[&list[0]]; ok {
		return set[s]
	}
	for _, w := range list {
		if s == w {
			return true
		}
	}
	return false
}

// matchAnyB is matchAny of a normalized text in bytes (appendNorm).
func matchAnyB(b []byte, list []string) bool {
	if set, ok := listSets[&list[0]]; ok {
		return set[string(b)]
	}
	for _, w := range list {
		if string(b) == w {
			return true
		}
	}
	return false
}

// listSets index the long synonym lists, by their first element's
// address, so that matchAny is a lookup.
var listSets = func() map[*string]map[string]bool {
	out := map[*string]map[string]bool{}
	for _, l := range [][]string{factorHeadings, actionHeadings, otherHeadings, statusHeadings, weakFactorHeadings} {
		set := map[string]bool{}
		for _, w := range l {
			set[w] = true
		}
		out[&l[0]] = set
	}
	return out
}()

// kindOfHeading classifies a heading's (or label's) text: the synonym
// lists, then (fuzzy) the words real documents use around them
// ("Short-term corrective actions", "Follow-up action items for the API
// team"). Actions are tried first: "Root cause remediations" lists work,
// not causes. Callers trust a fuzzy match less: not under a timeline, not
// for an unmarked label.
func kindOfHeading(norm string) sectionKind {
	k, _ := classifyHeading(norm)
	return k
}

func classifyHeading(norm string) (k sectionKind, fuzzy bool) {
	switch {
	case matchAny(norm, actionHeadings):
		return secActions, false
	case matchAny(norm, factorHeadings):
		return secFactors, false
	case matchAny(norm, statusHeadings):
		return secStatus, false
	}
	if _, ok := metaKeys[norm]; ok {
		return secMetadata, false
	}
	k = headingWords(norm)
	return k, k != secOther
}

// neitherHeading reports a heading of a part where no factor or action
// section begins: a timeline, its hours and days, a chat log.
func neitherHeading(norm string) bool { return neitherSet.match(norm) }

// actionWords and factorWords classify headings the lists do not name,
// by whole words; a heading also naming timeline, impact or lessons that
// went well is none of them.
var (
	actionWords = []string{"action items", "action item", "actions", "follow ups", "follow up", "followups",
		"followup", "corrective", "remediation", "remediations", "preventive", "preventative",
		"next steps", "todo", "to dos"}
	factorWords = []string{"root cause", "root causes", "contributing factor", "contributing factors",
		"contributing cause", "contributing causes", "causes", "triggers"}
	neitherWords = []string{"timeline", "impact", "went well", "lucky", "summary", "detection", "appendix",
		"status", "current", "chat", "log", "logs"}
)

func headingWords(norm string) sectionKind {
	if len(norm) > 80 {
		return secOther
	}
	// One pass for the three sets: a word of neitherSet anywhere decides.
	action, factor := false, false
	var bufs [2][80]byte
	var prev []byte
	for i, cur := 0, 0; ; cur ^= 1 {
		w, next, ok := nextWord(norm, i, &bufs[cur])
		if !ok {
			break
		}
		if neitherSet.hit(prev, w) {
			return secOther
		}
		action = action || actionSet.hit(prev, w)
		factor = factor || factorSet.hit(prev, w)
		prev, i = w, next
	}
	switch {
	case action:
		return secActions
	case factor:
		return secFactors
	}
	return secOther
}

// The word lists as sets, matched in one pass over a heading.
var (
	actionSet  = newWordSet(actionWords...)
	factorSet  = newWordSet(factorWords...)
	neitherSet = newWordSet(neitherWords...)
)
