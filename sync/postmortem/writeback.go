package postmortem

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/pmsync/pmsync/sync/ticket"
)

// Update is what sync writes back for one item: its ticket and status.
type Update struct {
	Ticket ticket.Ref
	Status ticket.Status
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// Render returns the document with updates (by item key) applied, and
// whether any byte changed. Only the cells and suffixes pmsync owns
// change; an update equal to what the document says changes nothing.
func (d *Doc) Render(updates map[string]Update) ([]byte, bool, error) {
	out, _, changed, err := d.RenderDoc(updates)
	return out, changed, err
}

// RenderDoc is Render that also returns the edited document, parsed (the
// parse that verified the edit), for the next edit of the same run. When
// nothing changed it returns d itself.
func (d *Doc) RenderDoc(updates map[string]Update) ([]byte, *Doc, bool, error) {
	var edits []edit
	tables := map[*tableLoc]map[int]Update{}
	items := append(append([]*Item{}, d.Factors...), d.Actions...)
	for _, it := range items {
		u, ok := updates[it.Key]
		if !ok {
			continue
		}
		if u.Ticket.IsZero() {
			return nil, nil, false, fmt.Errorf("render %s: item %s: an update needs a ticket", d.Path, it.Key)
		}
		switch it.loc.kind {
		case locNone:
			return nil, nil, false, fmt.Errorf("render %s:%d: item %s has no place for its ticket (see its error); the document was not changed", d.Path, it.Line, it.Key)
		case locTable:
			if tables[it.loc.table] == nil {
				tables[it.loc.table] = map[int]Update{}
			}
			tables[it.loc.table][it.loc.row] = u
		default:
			s := renderSuffix(u.Ticket, u.Status)
			if it.loc.suffixStart >= 0 {
				if string(d.src[it.loc.suffixStart:it.loc.suffixEnd]) != s {
					edits = append(edits, edit{it.loc.suffixStart, it.loc.suffixEnd, s})
				}
			} else {
				edits = append(edits, edit{it.loc.insertAt, it.loc.insertAt, s})
			}
		}
	}
	for tl, rows := range tables {
		edits = append(edits, d.tableEdits(tl, rows)...)
	}
	if len(edits) == 0 {
		return d.src, d, false, nil
	}
	sort.Slice(edits, func(i, j int) bool {
		if edits[i].start != edits[j].start {
			return edits[i].start < edits[j].start
		}
		return edits[i].end < edits[j].end
	})
	var b bytes.Buffer
	b.Grow(len(d.src) + 64*len(edits))
	at := 0
	for _, e := range edits {
		if e.start < at {
			return nil, nil, false, fmt.Errorf("render %s: overlapping edits at byte %d (this is a bug in pmsync; the document was not changed)", d.Path, e.start)
		}
		b.Write(d.src[at:e.start])
		b.WriteString(e.text)
		at = e.end
	}
	b.Write(d.src[at:])
	out := b.Bytes()
	next, err := d.verify(out, updates)
	if err != nil {
		return nil, nil, false, err
	}
	return out, next, !bytes.Equal(out, d.src), nil
}

// ErrUnsafeWriteBack means the edit would change how the document reads
// (a line that no longer parses as the same table row or list item), so
// it was refused and the document left as it was.
var ErrUnsafeWriteBack = errors.New("write-back refused: it would change the document's structure")

// verify parses the edited document and checks it has the same items
// with the new tickets: the guarantee that pmsync never corrupts a
// postmortem does not rest on the splicing code alone.
func (d *Doc) verify(out []byte, updates map[string]Update) (*Doc, error) {
	if len(out) > MaxSize {
		return nil, fmt.Errorf("%s: %w: with its tickets written it would be %.1f MiB, more than the %d MiB pmsync reads; split the postmortem",
			d.Path, ErrUnsafeWriteBack, float64(len(out))/(1<<20), MaxSize>>20)
	}
	d2, err := d.parser.Parse(d.Path, out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", d.Path, ErrUnsafeWriteBack, err)
	}
	check := func(a, b []*Item) error {
		if len(a) != len(b) {
			return fmt.Errorf("%s: %w (%d items before, %d after); add leading and trailing pipes to the table rows, or report this as a bug", d.Path, ErrUnsafeWriteBack, len(a), len(b))
		}
		for i := range a {
			u, ok := updates[a[i].Key]
			if a[i].Key != b[i].Key || ok && (b[i].Ticket != u.Ticket || b[i].Status != u.Status) {
				return fmt.Errorf("%s:%d: %w (item %q reads back differently); report this as a bug", d.Path, a[i].Line, ErrUnsafeWriteBack, a[i].Text)
			}
		}
		return nil
	}
	if err := check(d.Factors, d2.Factors); err != nil {
		return nil, err
	}
	if err := check(d.Actions, d2.Actions); err != nil {
		return nil, err
	}
	return d2, nil
}

// tableEdits fills the ticket and status cells of the updated rows,
// adding Ticket and Status columns at the end when the table has none.
func (d *Doc) tableEdits(tl *tableLoc, rows map[int]Update) []edit {
	n := tl.nCols
	ticketCol, statusCol := tl.ticketCol, tl.statusCol
	var added []int // indexes of columns pmsync adds, in order
	var addedNames []string
	if ticketCol < 0 {
		ticketCol = n + len(added)
		added = append(added, ticketCol)
		addedNames = append(addedNames, "Ticket")
	}
	if statusCol < 0 {
		statusCol = n + len(added)
		added = append(added, statusCol)
		addedNames = append(addedNames, "Status")
	}
	var edits []edit
	for ri, r := range tl.rows {
		vals := map[int]string{}
		if u, ok := rows[ri]; ok {
			vals[ticketCol] = escapeCell(u.Ticket.Markdown())
			vals[statusCol] = escapeCell(u.Status.String())
		}
		for i, c := range added {
			switch {
			case ri == tl.nameRow:
				vals[c] = addedNames[i]
			case vals[c] == "":
				vals[c] = ""
			}
		}
		if ri == 0 && tl.nameRow == 1 {
			for _, c := range added {
				vals[c] = ""
			}
		}
		edits = append(edits, d.rowEdits(r, vals, n, false)...)
	}
	if len(added) > 0 {
		vals := map[int]string{}
		for i, c := range added {
			vals[c] = strings.Repeat("-", max(3, len(addedNames[i])))
		}
		edits = append(edits, d.rowEdits(tl.delim, vals, n, true)...)
	}
	return edits
}

// rowEdits sets cells of one row. Cells at index >= n (or beyond the
// row's last cell) are appended after the row's n-th cell.
func (d *Doc) rowEdits(r rowLoc, vals map[int]string, n int, delim bool) []edit {
	var edits []edit
	phys := min(len(r.cells), n)
	maxIdx := -1
	for i := range vals {
		maxIdx = max(maxIdx, i)
	}
	for i := 0; i < phys; i++ {
		v, ok := vals[i]
		if !ok {
			continue
		}
		c := r.cells[i]
		if strings.TrimSpace(string(d.src[c.start:c.end])) == v {
			continue
		}
		last := i == len(r.cells)-1 && !r.pipeEnd
		edits = append(edits, edit{c.start, c.end, formatCell(v, c.end-c.start, last)})
	}
	if maxIdx < phys {
		return edits
	}
	// Append the missing cells: after the n-th cell's pipe when the row has
	// extra cells, else at the end of the row.
	at := r.end
	closed := r.pipeEnd
	if len(r.cells) > n {
		at = r.cells[n-1].end + 1
		closed = true
	}
	// A delimiter row written without spaces (|---|---|) stays so.
	tight := delim && len(r.cells) > 0 && r.cells[0].end > r.cells[0].start && d.src[r.cells[0].start] != ' '
	var b strings.Builder
	for i := phys; i <= maxIdx; i++ {
		v := vals[i]
		if delim && v == "" {
			v = "---"
		}
		switch {
		case tight && closed:
			b.WriteString(v + "|")
		case tight:
			b.WriteString("|" + v)
		case closed:
			b.WriteString(" " + v + " |")
		default:
			b.WriteString(" | " + v)
		}
	}
	return append(edits, edit{at, at, b.String()})
}

// formatCell pads v to the cell's old width when it fits, so aligned
// tables stay aligned.
func formatCell(v string, width int, last bool) string {
	if last {
		return " " + v
	}
	s := " " + v + " "
	if pad := width - len(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// escapeCell makes a value safe inside a table cell.
func escapeCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '|' && (i == 0 || s[i-1] != '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
