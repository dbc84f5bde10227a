package postmortem

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	opts     Options
	md       parser.Parser
	finals   map[string]bool
	horizons horizonWords
	keys     jiraKeys
	owners   *ownerCache
}

// NewParser returns a parser for the given options.
func NewParser(opts Options) *Parser {
	if opts.FinalWords == nil {
		opts.FinalWords = DefaultFinalWords
	}
	opts.Directory = opts.Directory.Indexed()
	p := &Parser{
		horizons: newHorizonWords(opts.Horizons),
		opts:     opts,
		md:       blockParser(),
		finals:   map[string]bool{},
		keys:     newJiraKeys(opts.JiraProjects),
		owners:   &ownerCache{},
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
		parser.WithInlineParsers(util.Prioritized(skipInline{}, 0)),
		parser.WithParagraphTransformers(
			util.Prioritized(linkRefs{parser.LinkReferenceParagraphTransformer}, 100),
			util.Prioritized(extension.NewTableParagraphTransformer(), 200)),
	)
}

// linkRefs is goldmark's link reference transformer, called only for a
// paragraph that can start with a definition ("[id]: url"): the first
// byte that is not a space is a '['. It makes a reader for every
// paragraph it is given, and almost none holds a definition.
type linkRefs struct{ parser.ParagraphTransformer }

func (t linkRefs) Transform(node *ast.Paragraph, reader text.Reader, pc parser.Context) {
	src, lines := reader.Source(), node.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		for _, c := range seg.Value(src) {
			if !util.IsSpace(c) {
				if c == '[' {
					t.ParagraphTransformer.Transform(node, reader, pc)
				}
				return
			}
		}
	}
}

// skipInline is the only inline parser: it takes all of a block's lines
// at their first byte. goldmark's inline pass runs even with no inline
// parsers, looking at every byte and making a Text node of every line;
// this makes it one node a block. Nothing reads the nodes.
type skipInline struct{}

// skipTriggers are the bytes a line can start with as goldmark sees
// them: a space stands for any other.
var skipTriggers = func() []byte {
	t := []byte{' '}
	for c := 0; c < 256; c++ {
		if util.IsPunct(byte(c)) {
			t = append(t, byte(c))
		}
	}
	return t
}()

func (skipInline) Trigger() []byte { return skipTriggers }

// skipNode is the context key of the one node skipInline gives every
// block of a parse: goldmark moves it from block to block, and so it
// allocates nothing.
var skipNode = parser.NewContextKey()

func (skipInline) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	for line, _ := block.PeekLine(); line != nil; line, _ = block.PeekLine() {
		block.AdvanceLine()
	}
	return pc.ComputeIfAbsent(skipNode, func() any { return ast.NewText() }).(ast.Node)
}

// Parse reads one document. name is its path from the source root (it
// becomes the default id). An error means the document is unusable; item
// problems are in Doc.Diags and Item.Errors instead. The Doc and its
// strings share src's memory: src must not change afterwards.
func (p *Parser) Parse(name string, src []byte) (*Doc, error) {
	return p.ParseContext(context.Background(), name, src)
}

// Limits of one document. Real postmortems have tens of items nested a few
// levels; these keep a hostile or broken file from costing a run minutes
// (goldmark's time grows with the square of the nesting depth) or its
// memory.
const (
	MaxItems   = 2000 // factors and action items
	MaxNesting = 32   // lists and quotes inside each other
)

// ParseContext is Parse that stops, with ctx's error, when ctx is done.
func (p *Parser) ParseContext(ctx context.Context, name string, src []byte) (*Doc, error) {
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
	// Classic Mac line ends (a lone CR) are line ends: read as LF, byte
	// for byte, so every offset into the original stays right and the
	// write-back keeps the file's own line ends.
	if bytes.IndexByte(src, '\r') >= 0 {
		if lf := loneCRToLF(src); lf != nil {
			src = lf
			li = newLineIndex(src)
		}
	}
	// The text is src itself, not a copy: the Doc keeps src for its
	// write-back already, and no caller changes a document's bytes once
	// read (a copy was 9 % of the parse's allocations).
	w := &walker{p: p, d: d, src: src, text: unsafe.String(unsafe.SliceData(src), len(src)), li: li, meta: map[string]metaVal{}}
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
	if line, depth := nesting(src[body:]); depth > MaxNesting {
		return nil, &ParseError{Path: name, Line: li.line(body) + line - 1, Msg: fmt.Sprintf(
			"lists or quotes nested %d levels deep, more than the %d pmsync reads: flatten them", depth, MaxNesting)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := p.blocks(ctx, src[body:])
	if err != nil {
		return nil, err
	}
	w.base = body
	w.ctx = ctx
	// A section for each heading at least: the slice is made once, not
	// grown heading by heading.
	headings := 0
	for c := root.FirstChild(); c != nil; c = c.NextSibling() {
		if _, ok := c.(*ast.Heading); ok {
			headings++
		}
	}
	if headings > 0 {
		d.Sections = make([]Section, 0, headings+4)
	}
	w.blocks(root)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if w.items > MaxItems {
		return nil, &ParseError{Path: name, Line: w.itemsOverAt, Msg: fmt.Sprintf(
			"more than %d items (factors and action items): pmsync reads at most %d from one postmortem; split it", MaxItems, MaxItems)}
	}
	w.finish()
	return d, nil
}

// blocks is goldmark's block parse of src. goldmark cannot be stopped,
// and a 4 MiB document in its costliest shape takes it seconds: when ctx
// can end, the parse runs aside and is abandoned (left to finish in the
// background) as soon as ctx is done, so SIGTERM is answered at once.
func (p *Parser) blocks(ctx context.Context, src []byte) (ast.Node, error) {
	if ctx.Done() == nil {
		return p.md.Parse(text.NewReader(src)), nil
	}
	done := make(chan ast.Node, 1)
	go func() { done <- p.md.Parse(text.NewReader(src)) }()
	select {
	case root := <-done:
		return root, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loneCRToLF returns src with every CR not followed by LF made an LF, or
// nil when there is none.
func loneCRToLF(src []byte) []byte {
	var out []byte
	for i, c := range src {
		if c == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
			if out == nil {
				out = bytes.Clone(src)
			}
			out[i] = '\n'
		}
	}
	return out
}

// nesting returns the deepest nesting of lists and quotes on any line of
// src, and that line (1-based): the markers at the start of a line and
// its indentation (two columns a level) count. It is one pass over the
// bytes, made before goldmark sees them.
func nesting(src []byte) (line, depth int) {
	ln := 1
	for i := 0; i < len(src); {
		d, indent := 0, 0
		j := i
	scan:
		for j < len(src) {
			switch c := src[j]; {
			case c == ' ' || c == '\t':
				if d == 0 { // indentation before the first marker nests too
					if indent++; c == '\t' {
						indent += 3
					}
				}
				j++
			case c == '>':
				d++
				j++
			case (c == '-' || c == '*' || c == '+') && j+1 < len(src) && (src[j+1] == ' ' || src[j+1] == '\t'):
				d++
				j += 2
			case c >= '0' && c <= '9':
				k := j
				for k < len(src) && k-j < 9 && src[k] >= '0' && src[k] <= '9' {
					k++
				}
				if k+1 < len(src) && (src[k] == '.' || src[k] == ')') && (src[k+1] == ' ' || src[k+1] == '\t') {
					d++
					j = k + 2
					continue
				}
				break scan
			default:
				break scan
			}
		}
		if d+indent/2 > depth {
			line, depth = ln, d+indent/2
		}
		nl := bytes.IndexByte(src[j:], '\n')
		if nl < 0 {
			break
		}
		i = j + nl + 1
		ln++
	}
	return line, depth
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
	quoted  bool // the heading is inside a blockquote
	// docTitle: the heading names the document ("# Rollout completed
	// late"); it groups nothing, so its words are no group's.
	docTitle bool
}

type walker struct {
	ctx  context.Context
	p    *Parser
	d    *Doc
	src  []byte
	text string // src, once: the text of blocks is cut from it
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
	// seenHeading: a heading was read; the first, at level 1, is the title.
	seenHeading bool
	// draftNote is a note near the top that the review is unfinished.
	draftNote string
	tables    []*tableLoc
	// lastOrdered is the last item of a numbered list in this section.
	lastOrdered *Item
	// detailFor is a prose item whose details the next list holds.
	detailFor *Item
	// prefix leads the titles of a nested list's items: its parent's text.
	prefix string
	// quoted counts the blockquotes the walker is in.
	quoted int
	// items counts the items read; past MaxItems the rest is skipped.
	items, itemsOverAt int
	// plainOut is plain(plainIn), the last paragraph prose read: its
	// item's title is most often the same text.
	plainIn, plainOut string
}

// plainOf is plain(s), made once for a paragraph's text.
func (w *walker) plainOf(s string) string {
	if s == w.plainIn {
		return w.plainOut
	}
	return plain(s)
}

func (w *walker) curItems(k ticket.Kind) []*Item {
	if k == ticket.Factor {
		return w.d.Factors
	}
	return w.d.Actions
}

func (w *walker) off(o int) int { return o + w.base }

func (w *walker) lineOf(o int) int { return w.li.line(w.off(o)) }

// linesText returns the raw text of a block's lines. Lines that follow
// each other in the source (a paragraph outside a list or quote, any
// block of one line) are a substring of it, with nothing copied.
func (w *walker) linesText(n ast.Node) string {
	lines := n.Lines()
	if lines.Len() == 0 {
		return ""
	}
	body := w.text[w.base:]
	start, end := lines.At(0).Start, lines.At(0).Start
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		if seg.Start != end || seg.Padding != 0 || seg.ForceNewline {
			var b strings.Builder
			n := 0
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				n += seg.Len() + 1 // and a forced newline
			}
			b.Grow(n)
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(w.src[w.base:]))
			}
			return trimEOL(b.String())
		}
		end = seg.Stop
	}
	return trimEOL(body[start:end])
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
		if w.items > MaxItems || w.ctx.Err() != nil {
			return
		}
		w.block(n)
	}
}

func (w *walker) block(n ast.Node) {
	detailFor := w.detailFor
	w.detailFor = nil
	switch n := n.(type) {
	case *ast.Heading:
		w.heading(n)
	case *ast.Paragraph:
		w.paragraph(n)
	case *ast.List:
		if detailFor != nil {
			detailFor.Detail = strings.TrimSpace(detailFor.Detail + "\n" + w.plainText(n))
			return
		}
		w.list(n)
	case *east.Table:
		w.table(n)
	case *ast.Blockquote:
		w.quoted++
		w.blocks(n)
		w.quoted--
	case *ast.HTMLBlock:
		if s := w.curSection(); s != nil {
			_ = s // comments alone leave a section empty; nothing to record
		}
	}
}

func (w *walker) openSection(title string, level int, line int, k sectionKind) int {
	w.d.Sections = append(w.d.Sections, Section{Title: title, Level: level, Line: line, Empty: true, kind: k})
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
	k, fuzzy := classifyHeading(norm)
	weak := k == secOther && matchAny(norm, weakFactorHeadings)
	if weak {
		k = secFactors
	}
	if fuzzy {
		// "### 4:09 PM: Post-incident follow-up" in a timeline is an hour
		// of the timeline, not a section of follow-ups.
		for _, h := range w.stack {
			if h.level < n.Level && !h.docTitle && neitherHeading(normPlain(h.title)) {
				k = secOther
			}
		}
	}
	if k == secOther {
		// A value inside the heading: "## Date: December 08, 2022".
		if key, val, ok := strings.Cut(title, ":"); ok {
			if f, isMeta := metaKey(key); isMeta && strings.TrimSpace(val) != "" {
				w.setMeta(f, strings.TrimSpace(val), line)
			}
			if kk := kindOfHeading(normHeading(key)); kk == secFactors || kk == secActions {
				k = kk
			}
		}
	}
	// The first heading, at level 1 and no section of its own, is the
	// document's title: "# Incident summary: API outage" must not hide the
	// sections below it, nor "# Rollout completed late" mark its items done.
	docTitle := !w.seenHeading && n.Level == 1 && k == secOther && w.quoted == 0
	w.seenHeading = true
	for len(w.stack) > 0 && w.stack[len(w.stack)-1].level >= n.Level {
		w.stack = w.stack[:len(w.stack)-1]
	}
	w.pseudo = nil
	w.lastOrdered = nil
	sec := w.openSection(title, n.Level, line, k)
	w.d.Sections[sec].weak = weak
	w.stack = append(w.stack, heading{level: n.Level, kind: k, title: title, sec: sec, quoted: w.quoted > 0, docTitle: docTitle})
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
			if h.docTitle {
				continue
			}
			if !h.grouped { // once per heading, not once per heading below it
				h.hz, h.hzSpan, h.hzOK = w.p.horizons.match(h.title)
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
	if !completedHints.in(title) {
		return false
	}
	return reCompletedHeading.MatchString(title) && !reNotCompleted.MatchString(title)
}

// completedHints is the cheap test before reCompletedHeading.
var completedHints = newFoldSet("complete", "done", "finish", "already", "taken", "implemented")

var reCompletedHeading = regexp.MustCompile(`(?i)\b(completed|done|finished|already (?:done|taken|in place)|actions? taken|implemented)\b`)
var reNotCompleted = regexp.MustCompile(`(?i)\b(planned|in[- ]progress|ongoing|not)\b`)

// subHeading applies a group heading or label inside an action section:
// a horizon ("Short-term", "next 2 weeks") or a completed group.
func (w *walker) subHeading(title string) {
	if name, span, ok := w.p.horizons.match(title); ok {
		w.horizon, w.hzSpan = name, span
	}
	if completedGroup(title) {
		w.hzDone = true
	}
}

// draftHints is the cheap test before reDraftBanner.
var draftHints = newFoldSet("draft", "wip", "progress", "being written", "not final", "not yet final", "not finished", "not complete")

var reNothing = regexp.MustCompile(`(?i)^(none|n/?a|nothing|tbd|-)\.?$`)
var reActionPoint = regexp.MustCompile(`(?i)^\s*(?:\*\*|_)?action (?:point|item)(?:\*\*|_)?\s*:\s*(?:\*\*|_)?\s*`)

func (w *walker) paragraph(n *ast.Paragraph) {
	full := w.linesText(n) // with pmsync's suffix, which item() reads
	raw := withoutSuffix(full)
	if n.Lines().Len() == 0 {
		return
	}
	line := w.lineOf(n.Lines().At(0).Start)
	if !w.seenItem && w.draftNote == "" && len(raw) < 400 && draftHints.in(raw) {
		for _, sentence := range strings.FieldsFunc(plain(raw), func(r rune) bool { return r == '.' || r == ';' || r == '!' }) {
			if mayBeDraftBanner(sentence) && reDraftBanner.MatchString(strings.TrimSpace(sentence)) {
				w.draftNote = strings.TrimSpace(sentence)
				break
			}
		}
	}
	if w.pending != "" {
		first := strings.SplitN(raw, "\n", 2)[0]
		first = strings.TrimSpace(beforeBreak(first))
		// "## Date" followed by "Start: Wednesday, 2018-08-22" keeps the
		// key/value form; a bare value fills the heading's key. A status
		// is a few words ("Final", "Complete, action items in
		// progress"); a "## Status" section of prose states none.
		if _, _, ok := w.metaLine(first, line, true); !ok {
			if w.pending != "status" || statusValue(raw) {
				w.setMeta(w.pending, plain(first), line)
			} else {
				w.warn(line, "the Status section holds prose, not a status: pmsync reads no status from it; write the status alone on the first line (Final, Draft, …)")
			}
		}
		w.pending = ""
	}
	if loc := actionPoint(full); loc != nil {
		w.item(ticket.Action, n, full[loc[1]:], n, false)
		return
	}
	// A label that starts a paragraph opens its section, and the rest is
	// the section's first paragraph: "**Root Causes:**" on its own line
	// above the text, or "**Trigger**: the deploy at 14:02 ...".
	if label, rest, ok := leadingLabel(full); ok {
		norm := normHeading(label)
		switch k := kindOfHeading(norm); {
		case k == secActions || k == secFactors:
			w.openPseudo(plain(label), line, k)
			w.prose(n, rest)
			return
		case w.curSection() != nil && (matchAny(norm, otherHeadings) || neitherHeading(norm) || k == secStatus || k == secMetadata):
			// "**Resolution:** Rolled back ..." after "**Root Causes:**"
			// ends the section the label opened; it is not a cause.
			w.pseudo = nil
			return
		}
	}
	// A label on its own line acts as a heading: "Action Items",
	// "**Root causes:**", "*Action Items*".
	if label, ok := labelText(raw); ok {
		var nb [128]byte
		norm := appendNorm(nb[:0], plain(label))
		switch k := labelKind(raw, norm); {
		case k == secActions || k == secFactors:
			w.openPseudo(plain(label), line, k)
			return
		case k == secStatus:
			w.pending, w.pendLine = "status", line
			return
		case matchAnyB(norm, otherHeadings):
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
		if w.brokenTable(n, raw) {
			s.Empty = false
			return
		}
		w.prose(n, full)
		return
	}
	// "To prevent similar issues in the future, we've made a few
	// changes:" and a list: the list is action items, whatever the
	// heading above.
	if _, isList := n.NextSibling().(*ast.List); isList && strings.HasSuffix(strings.TrimSpace(raw), ":") {
		if p := plain(raw); announces(p) {
			w.openPseudo(p, line, secActions)
			return
		}
	}
	if !w.seenItem {
		for ln := range strings.SplitSeq(raw, "\n") {
			if strings.IndexByte(ln, '<') < 0 { // no <br> to split on
				w.metaLine(ln, line, false)
			} else {
				for _, part := range reBreakTag.Split(ln, -1) {
					w.metaLine(part, line, false)
				}
			}
			line++
		}
	}
}

// openPseudo opens a section at a label that is not a heading.
func (w *walker) openPseudo(title string, line int, k sectionKind) {
	sec := w.openSection(title, 7, line, k)
	w.pseudo = &heading{level: 7, kind: k, title: title, sec: sec}
	w.horizon, w.hzSpan, w.hzDone = "", Span{}, false
	w.lastOrdered = nil
	if k == secActions {
		w.subHeading(title) // "Short-term corrective actions:" is a horizon too
	}
}

// brokenTable reads a table whose rows were wrapped into a paragraph (an
// editor re-flowed it: the delimiter row shares a line with the header,
// so no renderer shows a table). Its rows are read as items so the
// reader hears of them, each with an error: pmsync cannot write a ticket
// into it until the table is mended.
func (w *walker) brokenTable(n *ast.Paragraph, raw string) bool {
	t := strings.TrimSpace(raw)
	if !strings.HasPrefix(t, "|") || !reDelimCell.MatchString(t) {
		return false
	}
	lines := n.Lines()
	// Tokens between unescaped pipes, with the line each starts on.
	type tok struct {
		text string
		line int
	}
	var toks []tok
	var cur strings.Builder
	curLine := 0
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		ln := w.lineOf(seg.Start)
		v := seg.Value(w.src[w.base:])
		for j := 0; j < len(v); j++ {
			c := v[j]
			if c == '|' && (j == 0 || v[j-1] != '\\') {
				toks = append(toks, tok{strings.TrimSpace(cur.String()), curLine})
				cur.Reset()
				curLine = ln
				continue
			}
			if cur.Len() == 0 && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
				continue
			}
			if cur.Len() == 0 {
				curLine = ln
			}
			cur.WriteByte(c)
		}
		cur.WriteByte(' ')
	}
	toks = append(toks, tok{strings.TrimSpace(cur.String()), curLine})
	if len(toks) > 0 && toks[0].text == "" {
		toks = toks[1:]
	}
	var header []string
	i := 0
	for ; i < len(toks) && !reDelimCell.MatchString("|"+toks[i].text+"|"); i++ {
		header = append(header, toks[i].text)
	}
	for len(header) > 0 && header[len(header)-1] == "" {
		header = header[:len(header)-1]
	}
	nc := len(header)
	if nc < 2 {
		return false
	}
	i += nc // the delimiter cells
	cols := make([]column, nc)
	textCol, factorCol := -1, -1
	for c, h := range header {
		cols[c] = columnOf(h)
		switch {
		case cols[c] == colText:
			textCol = c // the last, as before
		case cols[c] == colFactor && factorCol < 0:
			factorCol = c
		}
	}
	kind := ticket.Action
	if w.kind() == secFactors {
		kind = ticket.Factor
	}
	switch {
	case textCol >= 0:
	case factorCol >= 0 && kind == ticket.Factor:
		textCol = factorCol // "| ID | Factor |" under a factors heading
	default:
		textCol = 0
	}
	for i < len(toks) {
		if toks[i].text == "" { // the "| |" between two rows
			i++
			continue
		}
		if i+nc > len(toks) {
			break
		}
		row := toks[i : i+nc]
		i += nc
		m := extractInline(row[textCol].text, w.p.keys)
		title := plain(m.title)
		if title == "" {
			continue
		}
		it := &Item{Kind: kind, Text: truncateRunes(title, 200), Line: row[textCol].line, Done: m.done || w.hzDone,
			loc: itemLoc{kind: locNone}}
		for c, cell := range row {
			switch cols[c] {
			case colOwner:
				it.OwnerRaw = plain(cell.text)
			case colDue:
				it.DueRaw = plain(cell.text)
			case colTicket:
				if ref, st, _ := parseTicketCell(cell.text, w.p.keys); !ref.IsZero() {
					it.Ticket = ref
					it.StatusRaw = st
				}
			case colStatus, colNotes:
				if p := plain(cell.text); reDoneWord.MatchString(p) {
					it.Done, it.StatusRaw = true, p
				}
			}
		}
		if reDoneWord.MatchString(it.StatusRaw) {
			it.Done = true
		}
		it.Errors = append(it.Errors, Diagnostic{Level: LevelError, Line: it.Line, Message: fmt.Sprintf(
			"this row belongs to a table that is not one: its rows were wrapped into one paragraph (line %d), so pmsync cannot write a ticket into it; put the header, the |---| row and each row on a line of their own",
			w.lineOf(lines.At(0).Start))})
		w.addItem(it)
	}
	return true
}

var reDelimCell = regexp.MustCompile(`\|\s*:?-{3,}:?\s*\|`)

// prose reads a paragraph (raw, maybe after a label that began it) inside
// a factors or actions section. Under a cause heading each paragraph is a
// factor, its first sentence the title (SPEC §2.3); under an action
// heading each paragraph is an item. Not items: a lead-in to the list that
// follows ("There were three causes:"), a pointer to where the items live
// ("Tracked in PLAT-1200"), a placeholder ("None.", "{{ summary }}"), a
// note in italics.
func (w *walker) prose(n *ast.Paragraph, raw string) {
	s := w.curSection()
	k := w.kind()
	full := strings.TrimSpace(raw)
	text := withoutSuffix(full) // what the heuristics read
	if len(text) > proseWindow {
		// The heuristics read a paragraph's start: its first sentences
		// decide, and a hostile megabyte costs no more than a page.
		cut := proseWindow
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	if s == nil || text == "" {
		return
	}
	pt := plain(text) // what the word tests read
	w.plainIn, w.plainOut = text, pt
	if reNothing.MatchString(pt) {
		if len(text) > 16 {
			s.Empty = false
		}
		return
	}
	s.Empty = false
	line := w.lineOf(n.Lines().At(0).Start)
	skip := func(why string) {
		s.Prose = true
		s.skip(line, "paragraph", why)
	}
	switch {
	case k == secFactors && w.p.opts.FactorsListOnly:
		skip("not read as a factor (factors.prose: ignore): write each contributing factor as a list item")
		return
	case leadIn(n, pt):
		return // it introduces the items below
	case pointer(text, pt):
		skip("not read as items: it points to where they are tracked; pmsync opens tickets only for items written here, as a list")
		return
	case templateGuidance(pt):
		skip("not read: it is the template's guidance, not an item; delete it and write the items as a list")
		return
	case placeholderText(text, pt), noteText(text), imageOnly(text):
		return
	case k == secFactors && w.quoted > 0 && w.pseudo == nil && !w.sectionQuoted():
		return // a quoted log line or message under a cause heading
	case k == secFactors && w.sectionHasFactor() && (!causal(pt) || fewerFields(pt, 10)),
		k == secFactors && !w.sectionHasFactor() && w.pseudo == nil && background(pt):
		skip("not read as a factor: it does not say what went wrong or why; write each contributing factor as a list item")
		return
	case k == secActions && !commitment(pt):
		skip("not read as an action item: it does not say what will be done; write the action as a list item that starts with a verb (\"Add ...\")")
		return
	}
	kind := ticket.Factor
	if k == secActions {
		kind = ticket.Action
	}
	w.item(kind, n, full, n, false)
	if it := w.lastItem(kind); it != nil && it.Line >= 0 {
		it.prose = true
		// "... had the wrong address configured. Specifically:" and a list:
		// the list details this item; it is not more items.
		if _, isList := n.NextSibling().(*ast.List); isList && strings.HasSuffix(strings.TrimSpace(pt), ":") {
			w.detailFor = it
		}
	}
}

// sectionQuoted reports a section whose heading is itself inside a
// blockquote (a template quoting everything): its quotes are its text.
func (w *walker) sectionQuoted() bool {
	for i := len(w.stack) - 1; i >= 0; i-- {
		if k := w.stack[i].kind; k == secFactors || k == secActions {
			return w.stack[i].quoted
		}
	}
	return false
}

// proseWindow is how much of a paragraph the prose heuristics read.
const proseWindow = 2048

// lastItem is the item just added of kind.
func (w *walker) lastItem(kind ticket.Kind) *Item {
	items := w.curItems(kind)
	if len(items) == 0 {
		return nil
	}
	return items[len(items)-1]
}

// reLeadsToCauses is the last sentence of a paragraph that introduces a
// list of causes: "This was due to:", "The causes were:".
var reLeadsToCauses = regexp.MustCompile(`(?i)\b(?:due to|caused by|because of|causes|reasons|factors|contributed|were)\b`)

// reAnnounce is a paragraph announcing the action items in the list after
// it (not advice to the reader: "we recommend you ...").
var reAnnounce = regexp.MustCompile(`(?i)(?:\b(?:prevent|avoid)\b.{0,60}\b(?:in the future|from happening|again|recurr\w*|similar)\b|\bgoing forward\b|\bwe will do the following\b|\b(?:lessons|changes|improvements|steps|actions|action items|follow[- ]?ups|next steps)\b.{0,60}\b(?:as follows|following|we(?:'ve| have| are| will)? (?:made|taken|making|taking))\b)[^.!?]*:\s*$`)

// announces reports a paragraph that announces the list after it as the
// work to do. The expression looks at the last sentence and the words
// before it only: its match ends at the colon with no sentence end
// between, and its bounded gaps make it costly on a long paragraph.
func announces(p string) bool {
	end := strings.LastIndexAny(p, ".!?")
	start := max(0, end-160)
	for start > 0 && !utf8.RuneStart(p[start]) {
		start--
	}
	return mayAnnounce(p[start:]) && reAnnounce.MatchString(p[start:]) && !(hasFold(p, "you") && reReader.MatchString(p))
}

// mayAnnounce is the cheap test before reAnnounce: the words of one of
// its alternatives, both of the words where it needs two.
func mayAnnounce(s string) bool {
	return announceAlone.in(s) || announcePrevent.in(s) && announceAgain.in(s) || announceWork.in(s) && announceFollows.in(s)
}

var (
	announceAlone   = newREHints("going forward", "we will do the following")
	announcePrevent = newREHints("prevent", "avoid")
	announceAgain   = newREHints("in the future", "from happening", "again", "recurr", "similar")
	announceWork    = newREHints("lessons", "changes", "improvements", "steps", "actions", "action items", "follow-up", "follow up", "followup")
	announceFollows = newREHints(append([]string{"as follows", "following"}, weDid()...)...)
)

// weDid are reAnnounce's "we(?:'ve| have| are| will)? (?:made|taken|making|taking)".
func weDid() (out []string) {
	for _, we := range []string{"we", "we've", "we have", "we are", "we will"} {
		for _, did := range []string{"made", "taken", "making", "taking"} {
			out = append(out, we+" "+did)
		}
	}
	return out
}

// reReader is text addressed to the reader.
var reReader = regexp.MustCompile(`(?i)\byou(?:r|rs)?\b`)

// leadIn reports a paragraph (its plain text) that only introduces the
// list (or table, or quote) after it.
func leadIn(n ast.Node, pt string) bool {
	switch n.NextSibling().(type) {
	case *ast.List, *east.Table, *ast.Blockquote:
	default:
		return false
	}
	t := strings.TrimRight(pt, " ")
	if strings.HasSuffix(t, ":") && doneStatement(t) {
		return false // "We've established criteria for X:": the item, its details below
	}
	if _, rest := firstSentence(t); strings.HasSuffix(t, ":") && rest == "" {
		return true // one sentence ending in a colon
	}
	if strings.HasSuffix(t, ":") {
		// "... had difficulty syncing. This was due to:" introduces the
		// causes; "... was misconfigured. Specifically:" details a cause.
		last := t[strings.LastIndexAny(strings.TrimSuffix(t, ":"), ".!?")+1:]
		return reLeadsToCauses.MatchString(last)
	}
	low := strings.ToLower(t)
	return strings.Contains(low, "following") || strings.Contains(low, "as follows") || strings.Count(t, " ") < 8
}

// sectionHasFactor reports whether the current section (or label)
// already gave a factor: its first paragraph is its cause; later ones
// must say so to count (background and aftermath do not).
func (w *walker) sectionHasFactor() bool {
	idx := len(w.d.Sections) - 1
	for i := len(w.d.Factors) - 1; i >= 0; i-- {
		if w.d.Factors[i].group == idx {
			return true
		}
		if w.d.Factors[i].group < idx {
			break
		}
	}
	return false
}

// background reports a first paragraph (its plain text) under a cause
// heading that only describes how things are ("The infrastructure is
// managed with Terraform, ..."): no cause named and nothing that
// happened.
func background(pt string) bool {
	first, _ := firstSentence(pt)
	return !causeWords.match(first) && !pastWords.match(first)
}

// causal reports a paragraph (its plain text) that states a cause: a
// cause or effect named ("because", "due to", "led to"), or something
// that did not happen or was wrong ("did not", "no", "missing", "wrong",
// "failed").
func causal(pt string) bool {
	return causeWords.match(pt)
}

// fewerFields reports whether s has fewer than n words separated by
// white space (len(strings.Fields(s)) < n, without the slice).
func fewerFields(s string, n int) bool {
	count, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			in = true
			if count++; count >= n {
				return false
			}
		}
	}
	return true
}

// commitment reports a paragraph (its plain text) under an action
// heading that commits to (or records) work: it starts with an
// imperative ("Add ...", "Write ..."), plans or requires work ("we
// will", "should", "needs to"), asks a question the team must answer
// ("Can we detect ...?"), records work as done ("has been added", "is
// now documented") or carries a status pmsync reads ("(filed ...)").
func commitment(pt string) bool {
	return actionVerbs.first(pt) || askWords.first(pt) || planWords.match(pt)
}

// rePointer is a pointer's start ("Tracked in", "All follow-ups are
// listed", "See"), reFoundIn one anywhere ("... can be found in").
// Anchored, rePointer looks at the start only.
var (
	rePointer = regexp.MustCompile(`(?i)^(?:(?:all |the )?(?:action items?|follow[- ]?ups?|items|actions|work|tasks?|remediations?)?\s*(?:are |is |will be |have been )?(?:tracked|listed|recorded|collected|filed|captured)\b|(?:see|refer to)\b|copy these\b)`)
	reFoundIn = regexp.MustCompile(`(?i)\bcan be found (?:in|at|here)\b`)
)

// pointer reports a paragraph that says where the items are instead of
// naming them: "Tracked in PLAT-1200", "All follow-up work is tracked in
// the epic ...", "See the issue search ...". t is the plain text.
func pointer(text, t string) bool {
	if len(text) > 400 || !pointerHints.in(text) {
		return false
	}
	if len(t) > 300 {
		return false
	}
	first, _ := firstSentence(t)
	return hasFold(t, "can be found ") && reFoundIn.MatchString(t) || rePointer.MatchString(t) ||
		trackedHints.in(first) && reTrackedIn.MatchString(first) && reWhereItems.MatchString(first)
}

// pointerHints is the cheap test before the expressions of pointer.
var pointerHints = newFoldSet("track", "see", "found", "copy", "refer", "listed", "recorded", "collected", "captured", "filed")

var (
	// trackedHints is the cheap test before reTrackedIn.
	trackedHints = newREHints("tracked", "listed", "recorded", "collected", "captured")
	reTrackedIn  = regexp.MustCompile(`(?i)\b(?:is|are|will be|have been|has been) (?:tracked|listed|recorded|collected|captured)\b`)
	reWhereItems = regexp.MustCompile(`(?i)\b(?:all|every|the)\b.*\b(?:action items?|follow[- ]?ups?|work|items|tasks|remediations?|actions)\b`)
)

// placeholderText is a template's stand-in: "{{ summary }}", "<describe>".
func placeholderText(text, pt string) bool {
	return strings.HasPrefix(strings.TrimSpace(pt), "{{") ||
		strings.HasPrefix(text, "<") && strings.HasSuffix(text, ">") && !strings.Contains(text, "</")
}

// templateGuidance is a template's instructions to its writer: "Things
// that could have gone better. Ideally these ...", "List the action
// items here". "Add the retry budget ..." is an action, not guidance.
func templateGuidance(pt string) bool {
	return reTemplateText.MatchString(strings.TrimSpace(pt))
}

// reTemplateSlot is a template's unfilled slot: "{{ summary }}",
// "{{ owner }} [link]".
var reTemplateSlot = regexp.MustCompile(`^\{\{\s*\w+(?:\s+\w+)?\s*\}\}`)

// reTemplateText is guidance a template leaves in a section. "List" and
// "Add" are guidance only when what they ask for is the section's items.
var reTemplateText = regexp.MustCompile(`(?i)^(?:things that (?:could have )?(?:went|gone) (?:better|wrong|well)|these are (?:only )?sample|ideally these should|replace (?:this|these)|fill (?:in|this)|describe (?:what|the|how)|add your |(?:list|add) (?:the |all (?:the )?|any )?(?:action items?|actions|follow[- ]?ups?|remediation items|remediations|tasks|tickets|links|items|contributing factors|factors|root causes|causes)\b)`)

// imageOnly is a paragraph that only shows an image (a graph).
func imageOnly(text string) bool {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "![") {
		return false
	}
	_, n, ok := linkAt(t, 1)
	return ok && strings.TrimSpace(t[1+n:]) == ""
}

// noteText is a paragraph written wholly in italics: an aside.
func noteText(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) > 2 && (t[0] == '_' && t[len(t)-1] == '_' || t[0] == '*' && t[1] != '*' && t[len(t)-1] == '*' && t[len(t)-2] != '*')
}

// leadingLabel splits a paragraph that starts with a marked label: a
// bold (or italic) line ending its line, or "**Label**:" / "**Label:**"
// followed by text on the same line. rest is the text after it.
func leadingLabel(raw string) (label, rest string, ok bool) {
	s := strings.TrimLeft(raw, " \t")
	for _, mark := range []string{"**", "__"} {
		if !strings.HasPrefix(s, mark) {
			continue
		}
		end := strings.Index(s[2:], mark)
		if end <= 0 || end > 80 {
			return "", "", false
		}
		label = s[2 : 2+end]
		after := s[4+end:]
		colon := strings.HasSuffix(label, ":")
		if strings.HasPrefix(after, ":") {
			colon, after = true, after[1:]
		}
		label = strings.TrimRight(label, ": ")
		nl := strings.IndexByte(after, '\n')
		switch {
		case strings.TrimSpace(after) == "":
			return "", "", false // the whole paragraph is the label
		case nl >= 0 && strings.TrimSpace(after[:nl]) == "":
			return label, strings.TrimSpace(after[nl+1:]), true
		case colon:
			return label, strings.TrimSpace(after), true
		}
		return "", "", false
	}
	return "", "", false
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

// labelKind classifies a label paragraph or list item: an exact synonym
// may stand alone ("Action Items"); one the words only suggest must be
// marked as a label (bold, italics, a trailing colon) and short, or "PR
// revert did not solve the root cause" would open a factor section.
// norm is the label's normHeading (appendNorm).
func labelKind(raw string, norm []byte) sectionKind {
	if !isMarkedLabel(raw) {
		// Unmarked, only an exact synonym counts: the cheap path for the
		// many short list items, with nothing allocated.
		switch {
		case matchAnyB(norm, actionHeadings):
			return secActions
		case matchAnyB(norm, factorHeadings):
			return secFactors
		case matchAnyB(norm, statusHeadings):
			return secStatus
		}
		return secOther
	}
	k, fuzzy := classifyHeading(string(norm))
	if fuzzy && bytes.Count(norm, []byte{' '}) > 7 {
		return secOther
	}
	return k
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
	f, known := metaKey(key)
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
	warnedTasks := k == secActions || k == secFactors
	if s := w.curSection(); s != nil {
		s.Empty = false
		if k == secActions && w.choreList(n) {
			// "- [ ] Sections above are filled out": a template's checklist
			// for writing the report, not follow-ups of the incident.
			s.skip(w.lineOf(n.FirstChild().FirstChild().Lines().At(0).Start), "checklist",
				"is for writing this report, not action items: pmsync does not read it")
			return
		}
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
			var nb [128]byte
			if lk := labelKind(raw, appendNorm(nb[:0], plain(label))); lk == secActions || lk == secFactors {
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
		if (k == secActions || k == secFactors) && strings.HasSuffix(strings.TrimSpace(raw), ":") && strings.HasSuffix(strings.TrimSpace(plain(raw)), ":") {
			// "- Ensure that alerting is in place for:" and a nested list:
			// each nested item is an item, its title led by this text.
			var sub *ast.List
			for c := first.NextSibling(); c != nil; c = c.NextSibling() {
				if l, ok := c.(*ast.List); ok && sub == nil {
					sub = l
				}
			}
			// Only when the nested items complete the sentence ("for:"
			// "Warp Speed", "Claims backend"); whole sentences below an
			// item are its details.
			if sub != nil && w.shortItems(sub) {
				saved := w.prefix
				w.prefix = strings.TrimSuffix(strings.TrimSpace(plain(raw)), ":")
				w.list(sub)
				w.prefix = saved
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
		if t := strings.TrimSpace(raw); strings.HasPrefix(t, "[") && reTaskBox.MatchString(t) && !warnedTasks {
			warnedTasks = true
			where := "no heading"
			if len(w.stack) > 0 {
				where = fmt.Sprintf("%q", w.stack[len(w.stack)-1].title)
			}
			w.warn(w.lineOf(first.Lines().At(0).Start), fmt.Sprintf(
				"a checklist under %s is not read: pmsync reads action items under an action heading (Action items, Follow-ups, Next steps, …); move it under one", where))
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
	_, para := node.(*ast.Paragraph)
	m := extractMeta(raw, para, w.p.keys)
	title := m.plainTitle
	if !m.plainTitleOK {
		title = w.plainOf(m.title)
	}
	if m.ticket.IsZero() && (strings.HasPrefix(title, "https://") || strings.HasPrefix(title, "http://")) && !strings.ContainsAny(title, " \t") {
		// "- https://github.com/org/repo/issues?q=...": an item that is
		// only a link (an issue search, a card) is tracked there.
		m.ticket = ticket.Ref{Text: title, URL: title}
	}
	if title == "" && !m.ticket.IsZero() {
		// "- https://github.com/acme/infra/issues/95": an item that is its
		// ticket.
		title = m.ticket.Text
		if title == "" {
			title = m.ticket.URL
		}
	}
	if strings.HasPrefix(title, "{{") && reTemplateSlot.MatchString(title) {
		return // "{{ summary }} [link to github issue]": a template's slot
	}
	if strings.Contains(title, "{{") {
		// A template filled in with its braces kept: "{{ Start writing
		// after-action reports }}".
		title = strings.TrimSpace(strings.NewReplacer("{{", "", "}}", "").Replace(title))
	}
	if title == "" {
		return // an empty bullet left from a template
	}
	if m.leadOwner != "" && w.leadOwnerCounts(m.leadOwner, m.leadTeam) {
		m.owner, m.ownerUnsure, title = m.leadOwner, true, m.leadTitle
	}
	if w.prefix != "" && isList {
		title = w.prefix + " " + title
	}
	if kind == ticket.Action && !m.done && (doneStatement(title) || alreadyDone(title)) {
		// "A daily check has been added ...", "We have enabled ...": work
		// the document records as done.
		m.done, m.statusRaw = true, "done (the text says so)"
	}
	notes := noRepoNote(m.ticket, startLine)
	if para {
		// A paragraph's title is its first sentence; the rest is detail.
		first, rest := firstSentence(title)
		title = first
		m.detail = strings.TrimSpace(rest + "\n" + m.detail)
	}
	it := &Item{
		Kind:      kind,
		Text:      truncateRunes(title, 200),
		Line:      startLine,
		OwnerRaw:  strings.TrimRight(plain(m.owner), ".,;:"),
		DueRaw:    plain(m.due),
		Priority:  m.priority,
		Type:      m.typ,
		Team:      m.team,
		StatusRaw: m.statusRaw,
		Done:      m.done || w.hzDone,
		Ticket:    m.ticket,
		loc:       loc,

		ownerUnsure: m.ownerUnsure,
		dueUnsure:   m.dueTrailing,
		Errors:      notes,
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

// noRepoNote warns about a ticket written "#123": pmsync cannot tell
// which repository's issue it is.
func noRepoNote(ref ticket.Ref, line int) []Diagnostic {
	if !strings.HasPrefix(ref.Text, "#") || ref.URL != "" {
		return nil
	}
	return []Diagnostic{{Level: LevelWarning, Line: line, Message: fmt.Sprintf(
		"ticket %s names no repository: pmsync opens no ticket for this item and cannot read its status; write owner/repo%s or the issue's URL",
		ref.Text, ref.Text)}}
}

// doneStatement reports an action item's text that records finished
// work: "A daily check has been added ...", "We have enabled ...", "is
// now documented", "fixed in #123", "We already implemented that". A plan
// ("will", "should", "need to") is not. It reads words, not an
// expression: it runs on every action item.
func doneStatement(title string) bool {
	first, _ := firstSentence(title)
	if !doneHints.match(first) || plannedWords.match(first) {
		return false // the cheap test: most items are imperatives
	}
	// Its first 40 words, made strings with one allocation.
	var buf [80]byte
	var joined [1024]byte
	var ends [40]int
	all, n := joined[:0], 0
	for i := 0; n < len(ends); n++ {
		w, next, ok := nextWord(first, i, &buf)
		if !ok {
			break
		}
		all, i = append(all, w...), next
		ends[n] = len(all)
	}
	text := string(all)
	ws := make([]string, n, len(ends))
	for i, start := 0, 0; i < n; i++ {
		ws[i], start = text[start:ends[i]], ends[i]
	}
	at := func(i int) string {
		if i < len(ws) {
			return ws[i]
		}
		return ""
	}
	for i, w := range ws {
		next := at(i + 1)
		switch {
		case (w == "has" || w == "have" || w == "had") && next == "been" && donePast(at(i+2)):
			return true
		case (w == "is" || w == "are") && next == "now":
			return true
		case (w == "is" || w == "are") && doneParticiples[next] && !subordinate(ws[:i]):
			return true
		case w == "now" && (next == "requires" || next == "require" || next == "uses" || next == "use" || next == "has" || next == "have" || next == "runs"):
			return true
		case (w == "already" || w == "now") && (next == "implemented" || next == "done" || next == "fixed" || next == "deployed" || next == "merged" || next == "in" && at(i+2) == "place"):
			return true
		case (w == "implemented" || w == "fixed") && (next == "in" || next == "a" && at(i+2) == "fix"):
			return true
		case (w == "was" || w == "were") && doneParticiples[next] && !subordinate(ws[:i]):
			return true
		case i == 0 && (w == "we" || w == "i" || w == "they" || w == "we've" || w == "i've" || w == "they've"):
			j := 1
			if at(j) == "have" || at(j) == "already" {
				j++
			}
			if strings.HasSuffix(at(j), "ly") {
				j++
			}
			if doneVerbs[at(j)] || at(j) == "set" && at(j+1) == "up" {
				return true
			}
		}
	}
	return false
}

// alreadyDone reports "... We already implemented that now." anywhere in
// an item.
func alreadyDone(title string) bool {
	if !hasFold(title, "already") && !hasFold(title, "now ") {
		return false
	}
	return alreadyDoneWords.match(title)
}

// alreadyDoneWords are alreadyDone's phrases.
var alreadyDoneWords = newWordSet("already implemented", "already done", "already fixed", "already deployed", "already merged",
	"now implemented", "now done", "now fixed", "now deployed", "now merged")

// subordinate reports words that open a subordinate clause ("... when
// the database is updated"): what follows is a condition, not a record.
func subordinate(ws []string) bool {
	for _, w := range ws {
		switch w {
		case "when", "whenever", "if", "once", "after", "before", "until", "unless":
			return true
		}
	}
	return false
}

// donePast is a participle after "has been": regular ones and a few others.
func donePast(w string) bool {
	return len(w) > 3 && strings.HasSuffix(w, "ed") || doneParticiples[w] ||
		w == "set" || w == "built" || w == "done" || w == "made" || w == "put" || w == "taken" || w == "written" || w == "rewritten"
}

var (
	doneParticiples = map[string]bool{"added": true, "created": true, "fixed": true, "implemented": true, "updated": true, "enabled": true,
		"removed": true, "introduced": true, "documented": true, "deployed": true, "merged": true, "released": true, "rolled": true}
	doneVerbs = map[string]bool{"added": true, "created": true, "enabled": true, "disabled": true, "introduced": true, "implemented": true,
		"fixed": true, "removed": true, "rotated": true, "revoked": true, "deployed": true, "migrated": true, "established": true,
		"extended": true, "updated": true, "produced": true, "examined": true, "moved": true, "replaced": true, "wrote": true,
		"documented": true, "configured": true, "upgraded": true, "invalidated": true, "did": true, "have": true}
)

// leadOwnerCounts decides whether a name written before an item's text
// ("Payments: add ...", "[Search] ...") is its owner: only when the
// directory knows it, so "Note: ..." or "Process: ..." stay titles. "X
// team to ..." names an owner either way (unresolved, it is a warning).
func (w *walker) leadOwnerCounts(name string, teamWord bool) bool {
	if teamWord {
		return true
	}
	o, err := w.p.opts.Directory.Resolve(name)
	return err == nil && (o.Person != "" || o.Team != "")
}

// firstSentence splits plain text after its first sentence: a ".", "!"
// or "?" followed by a space and a capital letter, a digit or a quote,
// unless the word before is an abbreviation ("e.g.", "i.e.", "vs.") or
// a single letter or number ("v1.", "A.").
func firstSentence(s string) (first, rest string) {
	for i := 0; i+2 < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' || s[i+1] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(s[i+2:])
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) && next != '"' && next != '“' && next != '`' {
			continue
		}
		if c == '.' {
			j := strings.LastIndexAny(s[:i], " (") + 1
			word := strings.ToLower(s[j:i])
			if len(word) <= 1 || sentenceAbbrev[word] || strings.Contains(word, ".") {
				continue
			}
		}
		return strings.TrimSpace(s[:i+1]), strings.TrimSpace(s[i+2:])
	}
	return s, ""
}

var sentenceAbbrev = map[string]bool{
	"e.g": true, "i.e": true, "vs": true, "etc": true, "approx": true, "incl": true, "mr": true, "ms": true,
	"dr": true, "inc": true, "ltd": true, "no": true, "fig": true, "cf": true, "al": true, "st": true,
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

// withoutSuffix is raw without pmsync's own suffix (" <!-- pmsync -->
// (…)"), so that the heuristics read a document the same before and after
// a write-back. item() still finds and keeps the suffix: it reads the
// block's lines itself.
func withoutSuffix(raw string) string {
	i := strings.Index(raw, suffixMarker)
	if i < 0 {
		return raw
	}
	end := strings.IndexByte(raw[i:], '\n')
	if end < 0 {
		return strings.TrimRight(raw[:i], " \t")
	}
	return strings.TrimRight(raw[:i], " \t") + raw[i+end:]
}

// reChore is an item about the report itself.
var reChore = regexp.MustCompile(`(?i)\b(?:sections? above|above have|filled (?:out|in)|after-action report|(?:this|the) (?:report|document|post-?mortem) (?:is|has)|incident title|action(?:able)? items above|dealt with)\b`)

// choreHints is the cheap test before reChore, on the raw text.
var choreHints = newFoldSet("above", "filled", "report", "title", "dealt", "document", "postmortem", "post-mortem")

// chore reports plain text about the report itself: reChore, tried only
// when a word one of its alternatives needs is there.
func chore(p string) bool { return choreWords.in(p) && reChore.MatchString(p) }

// choreWords are the phrases one of which each of reChore's alternatives
// holds. "report" and "document" alone are in many action items
// ("Document the failover"); the expression runs only for "report is"
// and the like.
var choreWords = newREHints("above", "filled", "after-action", "report is", "report has", "document is", "document has",
	"mortem is", "mortem has", "incident title", "dealt with")

// choreList reports a list of which most items are about the report
// itself.
func (w *walker) choreList(l *ast.List) bool {
	n, chores := 0, 0
	for li := l.FirstChild(); li != nil; li = li.NextSibling() {
		first := li.FirstChild()
		if first == nil || first.Lines().Len() == 0 {
			continue
		}
		n++
		if t := clipMiddle(w.linesText(first), 512, 0); choreHints.in(t) && chore(plain(t)) {
			chores++
		}
	}
	return n >= 2 && chores*2 > n
}

// shortItems reports a list whose items are all a few words: names that
// complete the sentence above them.
func (w *walker) shortItems(l *ast.List) bool {
	for li := l.FirstChild(); li != nil; li = li.NextSibling() {
		first := li.FirstChild()
		if first == nil || first.NextSibling() != nil || len(strings.Fields(plain(withoutSuffix(w.linesText(first))))) > 4 {
			return false
		}
	}
	return true
}

// plainText is the plain text of every paragraph in n, a line each.
func (w *walker) plainText(n ast.Node) string {
	var parts []string
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			if t := plain(w.linesText(c)); t != "" {
				parts = append(parts, t)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(parts, "\n")
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
	if w.items++; w.items > MaxItems {
		if w.itemsOverAt == 0 {
			w.itemsOverAt = it.Line
		}
		return
	}
	w.seenItem = true
	it.section = w.curSectionIndex()
	it.group = len(w.d.Sections) - 1 // the innermost heading or label
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

// findDateIn is reDateIn.FindString, tried only where a date's
// separator follows a digit.
func findDateIn(s string) string {
	for i := 1; i < len(s); i++ {
		if c := s[i]; (c == '-' || c == '/' || c == '.') && s[i-1] >= '0' && s[i-1] <= '9' {
			return reDateIn.FindString(s)
		}
	}
	return ""
}

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
	d.Finalized, d.DraftReason = w.finalized(get("status").val)
	d.Status, d.StatusLine = get("status").val, get("status").line
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
			if m := findDateIn(s); m != "" {
				if t, err := ParseDate(m); err == nil {
					d.Date = t
					break
				}
			}
		}
	}
	d.Factors = w.dropOverviews(d.Factors)
	d.Factors = w.dropWeak(d.Factors)
	d.Factors = w.preferTables(d.Factors)
	d.Actions = w.preferTables(d.Actions)
	w.keys(d.Factors)
	w.keys(d.Actions)
	w.resolve()
}

// statusValue reports a paragraph that can be a status: one short line.
func statusValue(raw string) bool {
	p := plain(strings.SplitN(strings.TrimSpace(raw), "\n", 2)[0])
	first, rest := firstSentence(p)
	return len(strings.Fields(p)) <= 8 && rest == "" && !strings.HasSuffix(first, "?")
}

// reDraftWord finds draft or WIP in a title or status; draftWord tries
// it only where one of its words is.
var reDraftWord = regexp.MustCompile(`(?i)\b(draft|wip|work in progress)\b`)

var draftWords = newREHints("draft", "wip", "work in progress")

func draftWord(s string) bool { return draftWords.in(s) && reDraftWord.MatchString(s) }

// reDraftBanner is a note near the top that the review is not finished:
// "This review is still a draft", "DRAFT", "Work in progress". Its
// subject is the document: "the analysis is not complete" or "the
// investigation is not finished" tells of the incident, in a final review.
var reDraftBanner = regexp.MustCompile(`(?i)^\W*(?:draft|wip|work in progress)\W*$|\b(?:this|the) (?:review|postmortem|post-mortem|document|report|retrospective|write-?up) is (?:still )?(?:a |in )?(?:draft|work in progress|being written|not (?:yet )?(?:final|finished|complete))\b`)

// draftBannerHints is the cheap test before reDraftBanner on each sentence
// of a paragraph that draftHints let through: the phrases one of which
// the expression needs.
var draftBannerHints = newREHints("draft", "wip", "work in progress", "being written", "not final", "not finished",
	"not complete", "not yet final", "not yet finished", "not yet complete")

// mayBeDraftBanner is the cheap test before reDraftBanner: one of its
// phrases, and either a draft word (the first alternative) or " is " (the
// second; ſ is what (?i) folds s to). "Some checkouts did not complete"
// has a phrase and is no banner.
func mayBeDraftBanner(sentence string) bool {
	return draftBannerHints.in(sentence) &&
		(draftWords.in(sentence) || hasFold(sentence, " is ") || strings.Contains(sentence, "ſ"))
}

// finalized decides whether the document is finalized (SPEC §2.2): its
// status's first word is a final word ("Resolved", the incident's state,
// counts unless the document says the review is unfinished); draft or WIP
// in the title or status, or a draft note near the top, always means
// draft. reason says why not, for lint.
func (w *walker) finalized(status string) (bool, string) {
	title := w.d.Title
	switch {
	case draftWord(title):
		return false, fmt.Sprintf("the title %q says it is a draft", title)
	case status != "" && draftWord(status):
		return false, fmt.Sprintf("its status %q says draft", status)
	case w.draftNote != "":
		return false, fmt.Sprintf("it says %q", w.draftNote)
	case status == "":
		if w.p.opts.FinalWhenUnstated {
			return true, ""
		}
		return false, "it states no status"
	}
	first := strings.ToLower(strings.Trim(strings.Fields(status + " x")[0], ".,;:!*_()[]"))
	if w.p.finals[first] || incidentFinalWords[first] {
		return true, ""
	}
	return false, fmt.Sprintf("its status %q is not a final word", status)
}

// dropWeak drops the factors of weak sections ("Conclusion") when the
// document states its causes elsewhere.
func (w *walker) dropWeak(items []*Item) []*Item {
	weak := func(it *Item) bool { return it.section >= 0 && w.d.Sections[it.section].weak }
	strong := false
	for _, it := range items {
		strong = strong || !weak(it)
	}
	if !strong {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if !weak(it) {
			out = append(out, it)
		}
	}
	return out
}

// dropOverviews drops the one factor paragraph written under a heading
// before several sub-headings that hold the factors themselves ("## Causes" "Our
// services could not keep up. ..." "### Public endpoint" ...): it
// summarises them.
func (w *walker) dropOverviews(items []*Item) []*Item {
	secs := w.d.Sections
	childrenWithFactors := func(g int) int {
		n := 0
		for j := g + 1; j < len(secs) && secs[j].Level > secs[g].Level; j++ {
			for _, it := range items {
				if it.group == j {
					n++
					break
				}
			}
		}
		return n
	}
	proseIn := map[int]int{}
	for _, it := range items {
		if it.prose {
			proseIn[it.group]++
		}
	}
	out := items[:0]
	for _, it := range items {
		if it.prose && it.group >= 0 && it.group < len(secs) && secs[it.group].Level < 7 && proseIn[it.group] == 1 && childrenWithFactors(it.group) >= 2 {
			secs[it.group].skip(it.Line, "paragraph", "not read as a factor: it sums up the factors of the sub-sections below")
			continue
		}
		out = append(out, it)
	}
	return out
}

// preferTables drops list items from (sub)sections whose items come in a
// table: there the lists are preambles (etcd defines its Type and Priority
// words in bullets above the action table). A dropped bullet that names an
// owner or a due date looks like a real action item: lint says so, since
// it gets no ticket.
func (w *walker) preferTables(items []*Item) []*Item {
	tabled := map[int]bool{}
	for _, it := range items {
		if it.loc.kind == locTable && it.group >= 0 {
			tabled[it.group] = true
		}
	}
	if len(tabled) == 0 {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if it.loc.kind != locTable && tabled[it.group] {
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
	next := map[string]int{} // the next suffix to try for a base key: linear, not quadratic, in duplicates
	for _, it := range items {
		var k string
		if it.ID != "" {
			k = it.Kind.KeyPrefix() + slug(it.ID)
		} else {
			k = textKey(it.Kind.KeyPrefix(), it.Text)
		}
		if prev, dup := seen[k]; dup {
			it.Errors = append(it.Errors, Diagnostic{Level: LevelWarning, Line: it.Line,
				Message: fmt.Sprintf("duplicate item: same text as line %d; reword one of them (or give the table an id column) so each has its own ticket", prev.Line)})
			base := k
			for n := max(next[base], 2); ; n++ {
				k = base + "-" + strconv.Itoa(n)
				if _, taken := seen[k]; !taken {
					next[base] = n + 1
					break
				}
			}
		}
		it.Key = k
		seen[k] = it
	}
}

// textKey is prefix and the first 4 bytes of the SHA-256 of normText(text)
// in hex, made with one allocation.
func textKey(prefix, text string) string {
	var buf [256]byte
	norm := normTextTo(buf[:0], text)
	sum := sha256.Sum256(norm)
	return string(hex.AppendEncode(append(buf[:0], prefix...), sum[:4]))
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
			o, err := w.p.owners.resolve(opts.Directory, it.OwnerRaw)
			switch {
			case err != nil && it.ownerUnsure:
				// A mention or a team before the text that nobody matches:
				// never a guessed assignee.
				o = Owner{}
				it.Errors = append(it.Errors, Diagnostic{Level: LevelWarning, Line: it.Line, Message: fmt.Sprintf(
					"owner %q is not in people or teams, so the ticket is opened unassigned (needs-owner): add %s to people (name: %s) or teams, or write (owner: @login)",
					it.OwnerRaw, it.OwnerRaw, strings.TrimPrefix(it.OwnerRaw, "@"))})
			case err != nil:
				itemErr(err.Error())
			}
			o.Raw = it.OwnerRaw
			it.Owner = o
		}
		switch {
		case it.DueRaw != "":
			t, err := ParseDue(it.DueRaw, anchor)
			switch {
			case err != nil && it.dueUnsure:
				it.Errors = append(it.Errors, Diagnostic{Level: LevelWarning, Line: it.Line, Message: fmt.Sprintf(
					"the date at the end of the item is not used as its due date: %v; write (due: YYYY-MM-DD)", err)})
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
			if _, span, ok := w.p.horizons.match(it.Horizon); ok {
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
