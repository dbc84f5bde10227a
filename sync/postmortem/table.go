package postmortem

import (
	"bytes"
	"strings"

	east "github.com/yuin/goldmark/extension/ast"

	"github.com/pmsync/pmsync/sync/ticket"
)

type locKind int

const (
	locList locKind = iota // a list item or paragraph: pmsync appends a suffix
	locTable
	locNone // read but not writable (a table wrapped into a paragraph)
)

// itemLoc is where an item's write-back goes.
type itemLoc struct {
	kind locKind
	// list items: the existing suffix [suffixStart, suffixEnd) (-1 when
	// none) and where a new one is inserted.
	suffixStart, suffixEnd int
	insertAt               int
	// table rows
	table *tableLoc
	row   int
}

// cellLoc is the region between two pipes (or a row's edge), absolute.
type cellLoc struct{ start, end int }

type rowLoc struct {
	start, end int // row content, absolute, without trailing white space
	cells      []cellLoc
	pipeEnd    bool // the row ends with a pipe
}

// tableLoc is a GFM table's layout in the source.
type tableLoc struct {
	rows      []rowLoc // header first, then body rows
	delim     rowLoc
	nCols     int
	nameRow   int // the row holding the column names: 0, or 1 when the header row is empty
	ticketCol int // -1: pmsync adds a Ticket column
	statusCol int // -1: pmsync adds a Status column
}

// splitRow finds the cells of the table row whose content starts at abs
// offset start, following GFM: a pipe not escaped by a backslash
// separates cells; leading and trailing pipes are optional.
func splitRow(src []byte, start int) rowLoc {
	end := lineContentEnd(src, start)
	r := rowLoc{start: start, end: end}
	i := start
	for i < end && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i < end && src[i] == '|' {
		i++
	}
	cs := i
	for j := i; j < end; j++ {
		if src[j] == '|' && src[j-1] != '\\' {
			r.cells = append(r.cells, cellLoc{cs, j})
			cs = j + 1
		}
	}
	if len(bytes.TrimSpace(src[cs:end])) > 0 {
		r.cells = append(r.cells, cellLoc{cs, end})
	} else {
		r.pipeEnd = len(r.cells) > 0 || cs > start && src[cs-1] == '|'
	}
	return r
}

// cell is the text of cell i; text is the document (the walker's text,
// so that a cell is cut from it, not copied).
func (r rowLoc) cell(text string, i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(text[r.cells[i].start:r.cells[i].end])
}

// table reads a GFM table: action items or factors when it sits in such a
// section (or names an action-item column), metadata near the top.
func (w *walker) table(n *east.Table) {
	src := w.src
	tl := &tableLoc{nCols: len(n.Alignments), ticketCol: -1, statusCol: -1}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if c.Pos() < 0 {
			return
		}
		tl.rows = append(tl.rows, splitRow(src, w.off(c.Pos())))
	}
	if len(tl.rows) == 0 {
		return
	}
	// The delimiter row is the line after the header.
	hdrEnd := tl.rows[0].end
	for hdrEnd < len(src) && src[hdrEnd] != '\n' {
		hdrEnd++
	}
	ds := hdrEnd + 1
	for ds < len(src) && src[ds] != '\n' && !strings.ContainsRune("|-:", rune(src[ds])) {
		ds++
	}
	tl.delim = splitRow(src, ds)

	names := make([]string, tl.nCols)
	empty := true
	for i := range names {
		names[i] = tl.rows[0].cell(w.text, i)
		if plain(names[i]) != "" {
			empty = false
		}
	}
	if empty && len(tl.rows) > 1 {
		tl.nameRow = 1
		for i := range names {
			names[i] = tl.rows[1].cell(w.text, i)
		}
	}
	cols := make([]column, tl.nCols)
	idx := map[column]int{}
	var ticketCols []int
	for i, h := range names {
		cols[i] = columnOf(h)
		if cols[i] == colTicket {
			ticketCols = append(ticketCols, i)
		}
		if _, seen := idx[cols[i]]; !seen && cols[i] != colNone {
			idx[cols[i]] = i
		}
	}
	k := w.kind()
	textCol, hasText := idx[colText]
	_, hasOwner := idx[colOwner]
	_, hasDue := idx[colDue]
	_, hasStatus := idx[colStatus]
	isActionTable := false
	switch {
	case k == secActions || k == secFactors:
		if s := w.curSection(); s != nil {
			s.Empty = false
		}
		if c, ok := idx[colFactor]; !hasText && ok && k == secFactors {
			// "| ID | Factor | Ticket |": under a factors heading the
			// factor column is the factor itself, not the one an action
			// item addresses.
			textCol, hasText = c, true
		}
		if !hasText && (len(ticketCols) > 0 || hasOwner || hasDue || hasStatus) {
			textCol, hasText = 0, true
		}
		isActionTable = hasText
	case hasText && (len(ticketCols) > 0 || hasOwner || hasDue || hasStatus):
		// An action table under no action heading (a "Action item" column
		// plus an owner, ticket, due or status column).
		h := normKey(names[textCol])
		if strings.HasPrefix(h, "action") {
			isActionTable, k = true, secActions
		}
	}
	if !isActionTable {
		if !w.seenItem {
			w.metaTable(tl)
		}
		return
	}
	w.tables = append(w.tables, tl)
	kind := ticket.Action
	if k == secFactors {
		kind = ticket.Factor
	}
	body := tl.rows[tl.nameRow+1:]
	// Which ticket column is pmsync's: the last one when there are several
	// (pmsync added it); the only one unless it holds foreign references.
	switch {
	case len(ticketCols) > 1:
		tl.ticketCol = ticketCols[len(ticketCols)-1]
	case len(ticketCols) == 1:
		tl.ticketCol = ticketCols[0]
		for _, r := range body {
			if _, _, foreign := parseTicketCell(r.cell(w.text, ticketCols[0]), w.p.keys); foreign {
				tl.ticketCol = -1
				break
			}
		}
	}
	if hasStatus {
		tl.statusCol = idx[colStatus]
	}
	get := func(r rowLoc, c column) string {
		if i, ok := idx[c]; ok {
			return r.cell(w.text, i)
		}
		return ""
	}
	for ri, r := range body {
		raw := r.cell(w.text, textCol)
		m := extractInline(raw, w.p.keys)
		title := m.titleText()
		if title == "" {
			continue
		}
		it := &Item{
			Kind:     kind,
			Text:     truncateRunes(title, 200),
			Detail:   plain(m.detail),
			Line:     w.li.line(r.start),
			OwnerRaw: plain(get(r, colOwner)),
			DueRaw:   plain(get(r, colDue)),
			Priority: normPriority(get(r, colPriority)),
			Type:     strings.ToLower(plain(get(r, colType))),
			Team:     plain(get(r, colTeam)),
			Factor:   plain(get(r, colFactor)),
			ID:       plain(get(r, colID)),
			Done:     m.done || w.hzDone,
			loc:      itemLoc{kind: locTable, table: tl, row: tl.nameRow + 1 + ri},
		}
		// Without an owner or due column value, the text cell says them as
		// a list item would: read the same way, and as unsure.
		switch {
		case it.OwnerRaw != "":
		case m.owner != "":
			it.OwnerRaw, it.ownerUnsure = plain(m.owner), m.ownerUnsure
		case m.leadOwner != "" && w.leadOwnerCounts(m.leadOwner, m.leadTeam):
			it.OwnerRaw, it.ownerUnsure, it.Text = m.leadOwner, true, truncateRunes(m.leadTitle, 200)
		}
		if it.DueRaw == "" {
			it.DueRaw, it.dueUnsure = plain(m.due), m.dueTrailing
		}
		if it.Priority == "" {
			it.Priority = m.priority
		}
		if it.Type == "" {
			it.Type = m.typ
		}
		if it.Team == "" {
			it.Team = m.team
		}
		it.StatusRaw = m.statusRaw
		for _, tc := range ticketCols {
			ref, st, _ := parseTicketCell(r.cell(w.text, tc), w.p.keys)
			// A column pmsync does not own is adopted from only for
			// unambiguous references, never a bare "#123" (another tracker's
			// bug number, or an issue of some other repository).
			own := tc == tl.ticketCol
			if !ref.IsZero() && (own || it.Ticket.IsZero() && !strings.HasPrefix(ref.Text, "#") || ref.URL != "") {
				if own || it.Ticket.IsZero() {
					it.Ticket = ref
				}
			}
			if st != "" {
				it.StatusRaw = st
			}
		}
		if it.Ticket.IsZero() && !m.ticket.IsZero() {
			// "| Add alert PLAT-12 | @alice |": the text cell names the
			// row's ticket, which no column does.
			it.Ticket = m.ticket
			it.Errors = append(it.Errors, noRepoNote(m.ticket, it.Line)...)
		}
		if tl.statusCol >= 0 {
			sc := plain(r.cell(w.text, tl.statusCol))
			if st, ok := ticket.ParseStatus(sc); ok {
				it.Status, it.HasStatus = st, true
			} else if sc != "" {
				it.StatusRaw = sc
			}
		}
		if reDoneWord.MatchString(it.StatusRaw) {
			it.Done = true
		}
		// "Done" in a Notes column (Flutter's tables).
		if note := plain(get(r, colNotes)); note != "" && reDoneWord.MatchString(note) && len(strings.Fields(note)) <= 3 {
			it.Done = true
			if it.StatusRaw == "" {
				it.StatusRaw = note
			}
		}
		if it.HasStatus && it.Status.State == ticket.StateDone {
			it.Done = true
		}
		if rePlaceholder.MatchString(it.OwnerRaw) {
			it.OwnerRaw = ""
		}
		w.addItem(it)
	}
}

// metaTable reads key/value rows ("| Status | Final |", also the
// four-column summary tables of some templates).
func (w *walker) metaTable(tl *tableLoc) {
	for _, r := range tl.rows {
		for c := 0; c+1 < len(r.cells); c += 2 {
			key, val := r.cell(w.text, c), r.cell(w.text, c+1)
			if f, ok := metaKey(key); ok && plain(val) != "" {
				w.setMeta(f, plain(val), w.li.line(r.start))
			}
		}
	}
}
