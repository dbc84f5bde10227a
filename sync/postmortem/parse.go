package postmortem

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/pmsync/pmsync/sync/ticket"
)

// MaxSize is the largest document pmsync reads. Real postmortems are a
// few tens of KiB; anything this large is not one.
const MaxSize = 4 << 20

// ParseError is a document that could not be read at all.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Parser reads postmortems. It is safe for concurrent use.
type Parser struct {
	opts   Options
	md     parser.Parser
	finals map[string]bool
}

// NewParser returns a parser for the given options.
func NewParser(opts Options) *Parser {
	if opts.FinalWords == nil {
		opts.FinalWords = DefaultFinalWords
	}
	p := &Parser{
		opts:   opts,
		md:     blockParser(),
		finals: map[string]bool{},
	}
	for _, w := range opts.FinalWords {
		p.finals[strings.ToLower(w)] = true
	}
	return p
}

// blockParser is goldmark with CommonMark's block parsers and GFM tables
// but no inline parsers. Block structure does not depend on inline
// content (CommonMark parses blocks first), and pmsync reads inline text
// from the bytes itself, so skipping goldmark's inline pass changes no
// block and saves most of its cost.
func blockParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(),
		parser.WithParagraphTransformers(append(parser.DefaultParagraphTransformers(),
			util.Prioritized(extension.NewTableParagraphTransformer(), 200))...),
	)
}

// Parse reads one document. name is its path from the source root (it
// becomes the default id). An error means the document is unusable; item
// problems are in Doc.Diags and Item.Errors instead.
func (p *Parser) Parse(name string, src []byte) (*Doc, error) {
	d := &Doc{Path: name, src: src, parser: p}
	if len(src) > MaxSize {
		return nil, &ParseError{Path: name, Msg: fmt.Sprintf("file is %.1f MiB, larger than the %d MiB a postmortem may be: split it, or exclude it with source.exclude", float64(len(src))/(1<<20), MaxSize>>20)}
	}
	li := newLineIndex(src)
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return nil, &ParseError{Path: name, Line: li.line(i), Msg: "binary file (NUL byte): this is not a Markdown postmortem; exclude it with source.exclude"}
	}
	if !utf8.Valid(src) {
		bad := firstInvalidUTF8(src)
		return nil, &ParseError{Path: name, Line: li.line(bad), Msg: "not UTF-8 text: save the file as UTF-8"}
	}
	w := &walker{p: p, d: d, src: src, li: li, meta: map[string]metaVal{}}
	start := 0
	if bytes.HasPrefix(src, []byte("\xEF\xBB\xBF")) {
		start = 3
	}
	body, err := w.frontMatter(start)
	if err != nil {
		return nil, err
	}
	d.bodyAt = body
	if len(bytes.TrimSpace(src[body:])) == 0 && body == start {
		d.Diags = append(d.Diags, Diagnostic{Level: LevelWarning, Line: 1, Message: "file is empty: write the postmortem or remove the file"})
	}
	root := p.md.Parse(text.NewReader(src[body:]))
	w.base = body
	w.blocks(root)
	w.finish()
	return d, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

type metaVal struct {
	val  string
	list []string
	line int
	fm   bool // from front matter
}

type heading struct {
	level int
	kind  sectionKind
	title string
	sec   int // index into Doc.Sections
	// the group this heading makes inside an action section, computed once
	grouped bool
	hz      string
	hzSpan  Span
	hzOK    bool
	done    bool
}

type walker struct {
	p    *Parser
	d    *Doc
	src  []byte
	li   lineIndex
	base int // offset of the body in src

	meta     map[string]metaVal
	stack    []heading
	pseudo   *heading // a section opened by a label paragraph
	horizon  string
	hzSpan   Span
	hzDone   bool // a sub-heading says its items are completed
	pending  string
	pendLine int
	seenItem bool // an action or factor section has started
	h1       string
	tables   []*tableLoc
	// lastOrdered is the last item of a numbered list in this section.
	lastOrdered *Item
}

func (w *walker) curItems(k ticket.Kind) []*Item {
	if k == ticket.Factor {
		return w.d.Factors
	}
	return w.d.Actions
}

func (w *walker) off(o int) int { return o + w.base }

func (w *walker) lineOf(o int) int { return w.li.line(w.off(o)) }

// segText returns the raw text of a block's lines.
func (w *walker) linesText(n ast.Node) string {
	lines := n.Lines()
	var b strings.Builder
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(w.src[w.base:]))
	}
	return strings.TrimRight(b.String(), "\r\n")
}

// kind is the section the walker is in.
func (w *walker) kind() sectionKind {
	if w.pseudo != nil {
		return w.pseudo.kind
	}
	for i := len(w.stack) - 1; i >= 0; i-- {
		if k := w.stack[i].kind; k == secFactors || k == secActions {
			return k
		}
	}
	return secOther
}

func (w *walker) curSectionIndex() int {
	if w.pseudo != nil {
		return w.pseudo.sec
	}
	for i := len(w.stack) - 1; i >= 0; i-- {
		if k := w.stack[i].kind; k == secFactors || k == secActions {
			return w.stack[i].sec
		}
	}
	return -1
}

func (w *walker) curSection() *Section {
	if w.pseudo != nil {
		return &w.d.Sections[w.pseudo.sec]
	}
	for i := len(w.stack) - 1; i >= 0; i-- {
		if k := w.stack[i].kind; k == secFactors || k == secActions {
			return &w.d.Sections[w.stack[i].sec]
		}
	}
	return nil
}

func (w *walker) blocks(parent ast.Node) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		w.block(n)
	}
}

func (w *walker) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Heading:
		w.heading(n)
	case *ast.Paragraph:
		w.paragraph(n)
	case *ast.List:
		w.list(n)
	case *east.Table:
		w.table(n)
	case *ast.Blockquote:
		w.blocks(n)
	case *ast.HTMLBlock:
		if s := w.curSection(); s != nil {
			_ = s // comments alone leave a section empty; nothing to record
		}
	}
}

func (w *walker) openSection(title string, level int, line int, k sectionKind) int {
	w.d.Sections = append(w.d.Sections, Section{Title: title, Level: level, Line: line, Empty: true})
	_ = k
	return len(w.d.Sections) - 1
}

func (w *walker) heading(n *ast.Heading) {
	raw := w.linesText(n)
	title := plain(raw)
	line := 0
	if n.Lines().Len() > 0 {
		line = w.lineOf(n.Lines().At(0).Start)
	}
	if n.Level == 1 && w.h1 == "" {
		w.h1 = title
	}
	norm := normPlain(title)
	k := kindOfHeading(norm)
	if k == secOther {
		// A value inside the heading: "## Date: December 08, 2022".
		if key, val, ok := strings.Cut(title, ":"); ok {
			if f, isMeta := metaKeys[normKey(key)]; isMeta && strings.TrimSpace(val) != "" {
				w.setMeta(f, strings.TrimSpace(val), line)
			}
			if kk := kindOfHeading(normHeading(key)); kk == secFactors || kk == secActions {
				k = kk
			}
		}
	}
	for len(w.stack) > 0 && w.stack[len(w.stack)-1].level >= n.Level {
		w.stack = w.stack[:len(w.stack)-1]
	}
	w.pseudo = nil
	w.lastOrdered = nil
	sec := w.openSection(title, n.Level, line, k)
	w.stack = append(w.stack, heading{level: n.Level, kind: k, title: title, sec: sec})
	w.pending = ""
	switch k {
	case secStatus:
		w.pending, w.pendLine = "status", line
	case secMetadata:
		w.pending, w.pendLine = metaKeys[norm], line
	}
	// Horizons and completed groups come from sub-headings of a section.
	w.horizon, w.hzSpan, w.hzDone = "", Span{}, false
	if w.kind() == secActions {
		for i := range w.stack {
			h := &w.stack[i]
			if h.kind == secActions || h.kind == secFactors {
				continue
			}
			if !h.grouped { // once per heading, not once per heading below it
				h.hz, h.hzSpan, h.hzOK = MatchHorizon(h.title, w.p.opts.Horizons)
				h.done = completedGroup(h.title)
				h.grouped = true
			}
			if h.hzOK {
				w.horizon, w.hzSpan = h.hz, h.hzSpan
			}
			w.hzDone = w.hzDone || h.done
		}
	}
}

func completedGroup(title string) bool {
	return reCompletedHeading.MatchString(title) && !reNotCompleted.MatchString(title)
}

var reCompletedHeading = regexp.MustCompile(`(?i)\b(completed|done|finished)\b`)
var reNotCompleted = regexp.MustCompile(`(?i)\b(planned|in[- ]progress|ongoing|not)\b`)

// subHeading applies a group heading or label inside an action section:
// a horizon ("Short-term", "next 2 weeks") or a completed group.
func (w *walker) subHeading(title string) {
	if name, span, ok := MatchHorizon(title, w.p.opts.Horizons); ok {
		w.horizon, w.hzSpan = name, span
	}
	if completedGroup(title) {
		w.hzDone = true
	}
}

var reNothing = regexp.MustCompile(`(?i)^(none|n/?a|nothing|tbd|-)\.?$`)
var reActionPoint = regexp.MustCompile(`(?i)^\s*(?:\*\*|_)?action (?:point|item)(?:\*\*|_)?\s*:\s*(?:\*\*|_)?\s*`)

func (w *walker) paragraph(n *ast.Paragraph) {
	raw := w.linesText(n)
	if n.Lines().Len() == 0 {
		return
	}
	line := w.lineOf(n.Lines().At(0).Start)
	if w.pending != "" {
		first := strings.SplitN(raw, "\n", 2)[0]
		first = strings.TrimSpace(reBreakTag.Split(first, 2)[0])
		if w.pending == "status" || w.pending != "" {
			// "## Date" followed by "Start: Wednesday, 2018-08-22" keeps the
			// key/value form; a bare value fills the heading's key.
			if _, _, ok := w.metaLine(first, line, true); !ok {
				w.setMeta(w.pending, plain(first), line)
			}
		}
		w.pending = ""
	}
	if loc := actionPoint(raw); loc != nil {
		w.item(ticket.Action, n, raw[loc[1]:], n, false)
		return
	}
	// A label on its own line acts as a heading: "Action Items",
	// "**Root causes:**", "*Action Items*".
	if label, ok := labelText(raw); ok {
		norm := normHeading(label)
		switch k := kindOfHeading(norm); {
		case k == secActions || k == secFactors:
			sec := w.openSection(plain(label), 7, line, k)
			w.pseudo = &heading{level: 7, kind: k, title: plain(label), sec: sec}
			w.horizon, w.hzSpan, w.hzDone = "", Span{}, false
			return
		case k == secStatus:
			w.pending, w.pendLine = "status", line
			return
		case matchAny(norm, otherHeadings):
			w.pseudo = nil
			return
		}
		// A marked-up label inside an action section groups the items
		// after it: "**In progress (next 2 weeks):**".
		if w.kind() == secActions && isMarkedLabel(raw) {
			w.subHeading(label)
			return
		}
	}
	if s := w.curSection(); s != nil {
		if len(raw) > 16 || !reNothing.MatchString(plain(raw)) {
			s.Prose, s.Empty = true, false
		}
		return
	}
	if !w.seenItem {
		for _, ln := range strings.Split(raw, "\n") {
			for _, part := range reBreakTag.Split(ln, -1) {
				w.metaLine(part, line, false)
			}
			line++
		}
	}
}

func actionPoint(raw string) []int {
	if len(raw) < 13 || !strings.EqualFold(strings.TrimLeft(raw, " *_")[:min(6, len(strings.TrimLeft(raw, " *_")))], "action") {
		return nil
	}
	return reActionPoint.FindStringIndex(raw)
}

// labelText recognises a paragraph that is only a label: one short line,
// optionally bold or italic, optionally ending in ":".
func labelText(raw string) (string, bool) {
	s := strings.TrimSpace(raw)
	if s == "" || strings.Contains(s, "\n") || len(s) > 80 {
		return "", false
	}
	t := strings.TrimRight(s, ": ")
	t = strings.Trim(t, "*_")
	t = strings.TrimRight(t, ": ")
	if t == "" || strings.ContainsAny(t, "*_[]") && !strings.Contains(t, "](") {
		return "", false
	}
	return t, true
}

// isMarkedLabel: a label written in bold or italics, or ending in ":".
func isMarkedLabel(raw string) bool {
	s := strings.TrimSpace(raw)
	return strings.HasSuffix(s, ":") || strings.HasPrefix(s, "*") && strings.HasSuffix(s, "*") ||
		strings.HasPrefix(s, "_") && strings.HasSuffix(s, "_")
}

// metaLine reads "Key: value" metadata. force accepts it even after the
// first section with items.
func (w *walker) metaLine(s string, line int, force bool) (string, string, bool) {
	key, val, ok := splitMetaLine(s)
	if !ok {
		return "", "", false
	}
	f, known := metaKeys[normKey(key)]
	if !known || plain(val) == "" {
		return "", "", false
	}
	w.setMeta(f, plain(val), line)
	return f, val, true
}

// splitMetaLine splits "Key: value", "**Key:** value", "**Key**: value"
// and "- Key: value" (no regular expression: it runs on every line near
// the top of every document).
func splitMetaLine(s string) (key, val string, ok bool) {
	t := strings.TrimSpace(s)
	if len(t) > 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ' {
		t = strings.TrimSpace(t[2:])
	}
	colon := strings.IndexByte(t, ':')
	if colon <= 0 || colon > 48 {
		return "", "", false
	}
	key = strings.Trim(t[:colon], "*_ \t")
	val = strings.Trim(t[colon+1:], "*_ \t")
	if key == "" || val == "" || strings.HasPrefix(val, "//") {
		return "", "", false
	}
	return key, val, true
}

func (w *walker) setMeta(field, val string, line int) {
	if _, ok := w.meta[field]; ok {
		return // first occurrence wins; front matter is read first
	}
	w.meta[field] = metaVal{val: val, line: line}
}

func (w *walker) list(n *ast.List) {
	k := w.kind()
	if s := w.curSection(); s != nil {
		s.Empty = false
	}
	for li := n.FirstChild(); li != nil; li = li.NextSibling() {
		first := li.FirstChild()
		if first == nil {
			continue
		}
		switch first.(type) {
		case *ast.Paragraph, *ast.TextBlock:
		default:
			continue
		}
		raw := w.linesText(first)
		// "- **Review actions**:" with the items in a nested list.
		if label, ok := labelText(raw); ok {
			if lk := kindOfHeading(normHeading(label)); lk == secActions || lk == secFactors {
				nested := false
				for c := first.NextSibling(); c != nil; c = c.NextSibling() {
					if sub, ok := c.(*ast.List); ok {
						saved := w.pseudo
						line := w.lineOf(first.Lines().At(0).Start)
						sec := w.openSection(plain(label), 7, line, lk)
						w.pseudo = &heading{level: 7, kind: lk, title: plain(label), sec: sec}
						w.list(sub)
						w.pseudo = saved
						nested = true
					}
				}
				if !nested {
					// "- **Review actions**:" followed by a separate list.
					line := w.lineOf(first.Lines().At(0).Start)
					sec := w.openSection(plain(label), 7, line, lk)
					w.pseudo = &heading{level: 7, kind: lk, title: plain(label), sec: sec}
					k = lk
				}
				continue
			}
		}
		if (k == secActions || k == secFactors) && !n.IsOrdered() && w.lastOrdered != nil {
			// A bullet list between numbered items ("1.  **Title**", text,
			// bullets, "2.  **Title**") details the numbered item before it.
			w.lastOrdered.Detail = strings.TrimSpace(w.lastOrdered.Detail + "\n" + plain(raw))
			continue
		}
		if k == secActions || k == secFactors {
			kind := ticket.Factor
			if k == secActions {
				kind = ticket.Action
			}
			w.item(kind, li, raw, first, true)
			if n.IsOrdered() && len(w.curItems(kind)) > 0 {
				w.lastOrdered = w.curItems(kind)[len(w.curItems(kind))-1]
			}
			continue
		}
		if !w.seenItem {
			w.metaLine(raw, w.lineOf(first.Lines().At(0).Start), false)
		}
	}
}

// item records one factor or action item from a list item or paragraph.
// block is the first text block, whose last line gets the suffix.
func (w *walker) item(kind ticket.Kind, node ast.Node, raw string, block ast.Node, isList bool) {
	lines := block.Lines()
	if lines.Len() == 0 {
		return
	}
	startLine := w.lineOf(lines.At(0).Start)
	loc := itemLoc{kind: locList, suffixStart: -1}
	// pmsync's own suffix: read it, and remember where it is.
	var ref ticket.Ref
	var st ticket.Status
	hasSt := false
	if i := strings.Index(raw, suffixMarker); i >= 0 {
		lineEnd := strings.IndexByte(raw[i:], '\n')
		tail := raw[i+len(suffixMarker):]
		if lineEnd >= 0 {
			tail = raw[i+len(suffixMarker) : i+lineEnd]
		}
		if r, s, ok := parseSuffix(tail); ok {
			ref, st, hasSt = r, s, true
		}
		// Locate it in the source: the marker's absolute offset.
		abs := w.findInBlock(block, suffixMarker)
		if abs >= 0 {
			startAt := abs
			for startAt > 0 && (w.src[startAt-1] == ' ' || w.src[startAt-1] == '\t') {
				startAt--
			}
			loc.suffixStart, loc.suffixEnd = startAt, lineContentEnd(w.src, abs)
		}
		cut := raw[:i]
		if lineEnd >= 0 {
			cut += raw[i+lineEnd:]
		}
		raw = cut
	}
	last := lines.At(lines.Len() - 1)
	loc.insertAt = lineContentEnd(w.src, w.off(last.Start))
	if loc.suffixStart >= 0 && loc.suffixEnd > loc.insertAt {
		loc.insertAt = loc.suffixEnd
	}
	m := extractInline(raw)
	title := plain(m.title)
	if title == "" {
		return // an empty placeholder bullet left from a template
	}
	it := &Item{
		Kind:      kind,
		Text:      truncateRunes(title, 200),
		Line:      startLine,
		OwnerRaw:  strings.TrimRight(plain(m.owner), ".,;:"),
		DueRaw:    plain(m.due),
		Priority:  m.priority,
		StatusRaw: m.statusRaw,
		Done:      m.done || w.hzDone,
		Ticket:    m.ticket,
		loc:       loc,
	}
	if !ref.IsZero() {
		it.Ticket = ref
	}
	if hasSt {
		it.Status, it.HasStatus = st, true
	}
	detail := plain(m.detail)
	if isList {
		if rest := w.restOfItem(node, block); rest != "" {
			detail = strings.TrimSpace(detail + "\n" + rest)
		}
	}
	it.Detail = detail
	if w.horizon != "" {
		it.Horizon = w.horizon
	}
	w.addItem(it)
}

// findInBlock returns the absolute offset of needle inside block's lines.
func (w *walker) findInBlock(block ast.Node, needle string) int {
	lines := block.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		v := seg.Value(w.src[w.base:])
		if j := bytes.Index(v, []byte(needle)); j >= 0 {
			return w.off(seg.Start) + j
		}
	}
	return -1
}

// restOfItem is the plain text of a list item's blocks after the first.
func (w *walker) restOfItem(li, first ast.Node) string {
	var parts []string
	for c := first.NextSibling(); c != nil; c = c.NextSibling() {
		_ = ast.Walk(c, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n.(type) {
			case *ast.Paragraph, *ast.TextBlock:
				if t := plain(w.linesText(n)); t != "" {
					parts = append(parts, t)
				}
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
	}
	return strings.Join(parts, "\n")
}

func (w *walker) addItem(it *Item) {
	w.seenItem = true
	it.section = w.curSectionIndex()
	if s := w.curSection(); s != nil {
		s.Empty = false
	}
	if it.Kind == ticket.Factor {
		w.d.Factors = append(w.d.Factors, it)
	} else {
		if it.Horizon == "" && w.horizon != "" {
			it.Horizon = w.horizon
		}
		w.d.Actions = append(w.d.Actions, it)
	}
}

var reISODateIn = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})\b`)

// reDateIn finds a date inside a title, file name or timestamp.
var reDateIn = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\b`)

// finish fills the document fields from the collected metadata and
// resolves keys, owners and due dates.
func (w *walker) finish() {
	d := w.d
	get := func(k string) metaVal { return w.meta[k] }
	d.ID = strings.TrimSuffix(strings.TrimSuffix(path.Clean(strings.ReplaceAll(d.Path, "\\", "/")), ".md"), ".markdown")
	if v := get("id"); v.val != "" {
		d.ID = v.val
	}
	d.Title = w.h1
	if v := get("title"); v.val != "" {
		d.Title = plain(v.val)
	}
	if d.Title == "" {
		d.Title = path.Base(d.ID)
	}
	if v := get("status"); v.val != "" {
		d.Status = v.val
		first := strings.ToLower(strings.Trim(strings.Fields(v.val + " x")[0], ".,;:!*_()[]"))
		d.Finalized = w.p.finals[first]
	} else {
		d.Finalized = w.p.opts.FinalWhenUnstated
	}
	d.Severity = get("severity").val
	d.Tracker = get("tracker").val
	d.Teams = listOf(get("teams"))
	d.Services = listOf(get("services"))
	d.Authors = listOf(get("authors"))
	if v := get("date"); v.val != "" {
		t, err := ParseDate(firstDate(v.val))
		if err != nil {
			w.warn(v.line, fmt.Sprintf("date %q: %v", v.val, err))
		} else {
			d.Date = t
		}
	}
	for _, f := range []struct {
		key string
		dst *time.Time
	}{{"started_at", &d.StartedAt}, {"detected_at", &d.DetectedAt}, {"responded_at", &d.RespondedAt}, {"resolved_at", &d.ResolvedAt}} {
		v := get(f.key)
		if v.val == "" {
			continue
		}
		t, err := ParseTimestamp(v.val)
		if err != nil {
			w.warn(v.line, fmt.Sprintf("%s %q: %v", f.key, v.val, err))
			continue
		}
		*f.dst = t
	}
	if d.Date.IsZero() {
		cands := []string{}
		for _, k := range []string{"started_at", "detected_at", "resolved_at"} {
			if v := get(k).val; v != "" {
				cands = append(cands, v)
			}
		}
		cands = append(cands, d.Title, d.Path)
		for _, s := range cands {
			if m := reDateIn.FindString(s); m != "" {
				if t, err := ParseDate(m); err == nil {
					d.Date = t
					break
				}
			}
		}
	}
	d.Factors = w.preferTables(d.Factors)
	d.Actions = w.preferTables(d.Actions)
	w.keys(d.Factors)
	w.keys(d.Actions)
	w.resolve()
}

// preferTables drops list items from sections whose items come in a
// table: there the lists are preambles (etcd defines its Type and Priority
// words in bullets above the action table). A dropped bullet that names an
// owner or a due date looks like a real action item: lint says so, since
// it gets no ticket.
func (w *walker) preferTables(items []*Item) []*Item {
	tabled := map[int]bool{}
	for _, it := range items {
		if it.loc.kind == locTable && it.section >= 0 {
			tabled[it.section] = true
		}
	}
	if len(tabled) == 0 {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if it.loc.kind != locTable && tabled[it.section] {
			if it.OwnerRaw != "" || it.DueRaw != "" {
				w.warn(it.Line, fmt.Sprintf("list item %q is not tracked: this section's items are in a table; add it as a table row so pmsync opens a ticket for it", truncateRunes(it.Text, 60)))
			}
			continue
		}
		out = append(out, it)
	}
	return out
}

// firstDate keeps the first of a range "2019-02-18 - 2019-04-05".
func firstDate(s string) string {
	if m := reISODateIn.FindString(s); m != "" {
		return m
	}
	return s
}

func listOf(v metaVal) []string {
	if v.list != nil {
		return v.list
	}
	if v.val == "" {
		return nil
	}
	var out []string
	for _, p := range strings.FieldsFunc(v.val, func(r rune) bool { return r == ',' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (w *walker) warn(line int, msg string) {
	w.d.Diags = append(w.d.Diags, Diagnostic{Level: LevelWarning, Line: line, Message: msg})
}

// keys gives every item its key (SPEC §4.1), making duplicates unique.
func (w *walker) keys(items []*Item) {
	seen := map[string]*Item{}
	for _, it := range items {
		k := it.Kind.KeyPrefix()
		if it.ID != "" {
			k += slug(it.ID)
		} else {
			sum := sha256.Sum256([]byte(normText(it.Text)))
			k += hex.EncodeToString(sum[:4])
		}
		if prev, dup := seen[k]; dup {
			it.Errors = append(it.Errors, Diagnostic{Level: LevelWarning, Line: it.Line,
				Message: fmt.Sprintf("duplicate item: same text as line %d; reword one of them (or give the table an id column) so each has its own ticket", prev.Line)})
			base := k
			for n := 2; ; n++ {
				k = fmt.Sprintf("%s-%d", base, n)
				if _, taken := seen[k]; !taken {
					break
				}
			}
		}
		it.Key = k
		seen[k] = it
	}
}

var reSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(reSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// Slug is the document id as a label-safe slug ("pm-<slug>" in Jira).
func Slug(id string) string { return slug(id) }

// resolve fills owners and due dates (SPEC §2.4).
func (w *walker) resolve() {
	d := w.d
	anchor := d.Date
	if !d.ResolvedAt.IsZero() {
		y, m, dd := d.ResolvedAt.UTC().Date()
		anchor = time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	}
	opts := w.p.opts
	for _, it := range d.Actions {
		itemErr := func(msg string) {
			lvl := LevelError
			if it.Done {
				lvl = LevelWarning // nothing will be opened for it
			}
			it.Errors = append(it.Errors, Diagnostic{Level: lvl, Line: it.Line, Message: msg})
		}
		if it.OwnerRaw != "" {
			o, err := opts.Directory.Resolve(it.OwnerRaw)
			if err != nil {
				itemErr(err.Error())
			}
			o.Raw = it.OwnerRaw
			it.Owner = o
		}
		switch {
		case it.DueRaw != "":
			t, err := ParseDue(it.DueRaw, anchor)
			switch {
			case err != nil:
				itemErr(fmt.Sprintf("due date %q: %v", it.DueRaw, err))
			case !t.IsZero():
				it.Due, it.DueFrom = t, "document"
			}
		}
		if !it.Due.IsZero() || it.Done {
			continue
		}
		if it.Horizon != "" {
			if anchor.IsZero() {
				itemErr(fmt.Sprintf("horizon %q needs the incident date to count from: add date: (or resolved_at:) to the document", it.Horizon))
				continue
			}
			if span, ok := opts.Horizons[it.Horizon]; ok {
				it.Due, it.DueFrom = span.AddTo(anchor), "horizon"
				continue
			}
			if _, span, ok := MatchHorizon(it.Horizon, opts.Horizons); ok {
				it.Due, it.DueFrom = span.AddTo(anchor), "horizon"
				continue
			}
		}
		span, ok := Span{}, false
		for _, k := range []string{it.Priority, d.Severity, "default"} {
			if k == "" {
				continue
			}
			if span, ok = opts.DueAfter[k]; ok {
				break
			}
		}
		switch {
		case ok && anchor.IsZero():
			itemErr("no due date and no incident date to count the default from: add due: YYYY-MM-DD to the item or date: to the document")
		case ok:
			it.Due, it.DueFrom = span.AddTo(anchor), "policy"
		case it.DueRaw == "":
			itemErr("no due date: add due: YYYY-MM-DD to the item, group it under a horizon heading, or set defaults.due_after")
		}
	}
}
