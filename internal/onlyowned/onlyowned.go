// Package onlyowned checks, for tests, pmsync's promise about the documents it
// writes: compared with what a person wrote, only the cells and suffixes
// pmsync owns (an item's ticket and status) may differ.
//
// Verify does not diff text; it replays. It reads each item's ticket and
// status from the final document, applies exactly those to the original
// with pmsync's own write-back (postmortem.Doc.RenderDoc), and requires the
// result to be the final document byte for byte. Any other difference —
// a title, an owner, a due date, a deleted or added line, a line ending,
// an owned cell holding something pmsync would not write — makes the two
// differ. The one tolerance: spaces around the text of a table cell pmsync
// owns, since it pads a rewritten cell to the cell's old width (a ticket
// link that became shorter leaves spaces behind).
package onlyowned

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pmsync/pmsync/sync/postmortem"
)

// Verify returns nil when final is orig with nothing changed but the
// ticket and status that pmsync owns, for any of its items, and final
// parses with the same items and no error that orig did not have.
// Otherwise the error says where the first difference is. name is the
// document's path, for messages; p reads both (nil: default options).
func Verify(p *postmortem.Parser, name string, orig, final []byte) error {
	if p == nil {
		p = postmortem.NewParser(postmortem.Options{})
	}
	od, err := p.Parse(name, orig)
	if err != nil {
		return fmt.Errorf("owned: the original %s does not parse, so nothing can be checked: %w", name, err)
	}
	fd, err := p.Parse(name, final)
	if err != nil {
		return fmt.Errorf("%s no longer parses: %w", name, err)
	}
	oi, fi := od.Items(), fd.Items()
	if len(oi) != len(fi) {
		return fmt.Errorf("%s: %d items, the original has %d", name, len(fi), len(oi))
	}
	updates := map[string]postmortem.Update{}
	for i, it := range fi {
		o := oi[i]
		if it.Key != o.Key {
			return fmt.Errorf("%s:%d: item %q is not the original's %q (%s:%d): its text changed", name, it.Line, it.Text, o.Text, name, o.Line)
		}
		if !it.HasStatus && it.Ticket == o.Ticket {
			continue // as the original has it
		}
		switch {
		case it.Ticket.IsZero():
			return fmt.Errorf("%s:%d: item %q lost its ticket %s", name, it.Line, it.Text, o.Ticket.Markdown())
		case !it.HasStatus:
			return fmt.Errorf("%s:%d: item %q links %s without the status pmsync writes with every link", name, it.Line, it.Text, it.Ticket.Markdown())
		}
		updates[it.Key] = postmortem.Update{Ticket: it.Ticket, Status: it.Status}
	}
	if extra := newErrors(oi, fi); len(extra) > 0 {
		return fmt.Errorf("%s: errors the original does not have: %s", name, strings.Join(extra, "; "))
	}
	want, _, _, err := od.RenderDoc(updates)
	if err != nil {
		return fmt.Errorf("%s: pmsync's write-back of the final tickets and statuses onto the original fails: %w", name, err)
	}
	if bytes.Equal(want, final) {
		return nil
	}
	// pmsync pads a table cell it rewrites to the cell's old width, so a
	// document's history can leave spaces in its own cells that a
	// write-back onto the original would not: those are its cells too.
	// Each line may have them around its own item's ticket and status.
	owned := map[int]map[string]bool{} // line → the texts of its owned cells
	for _, it := range fi {
		u, ok := updates[it.Key]
		if !ok {
			continue
		}
		if owned[it.Line] == nil {
			owned[it.Line] = map[string]bool{}
		}
		for _, v := range []string{u.Ticket.Markdown(), u.Status.String()} {
			owned[it.Line][v] = true
			owned[it.Line][strings.ReplaceAll(v, "|", `\|`)] = true
		}
	}
	if d := diffOutsideOwned(want, final, owned); d != "" {
		return fmt.Errorf("%s: changed outside pmsync's cells: %s", name, d)
	}
	return nil
}

// newErrors lists the item errors of final that orig does not have
// (items are matched by position; Check has checked their keys).
func newErrors(orig, final []*postmortem.Item) []string {
	var out []string
	for i, it := range final {
		had := map[string]int{}
		for _, e := range orig[i].Errors {
			if e.Level == postmortem.LevelError {
				had[e.Message]++
			}
		}
		for _, e := range it.Errors {
			if e.Level != postmortem.LevelError {
				continue
			}
			if had[e.Message] > 0 {
				had[e.Message]--
				continue
			}
			out = append(out, fmt.Sprintf("line %d: %s", e.Line, e.Message))
		}
	}
	return out
}

// diffOutsideOwned describes the first line where got differs from want
// other than by spaces around the text of one of pmsync's table cells
// (owned, by 1-based line); "" when there is none. Lines are split after
// "\n", so a changed line ending shows.
func diffOutsideOwned(want, got []byte, owned map[int]map[string]bool) string {
	w, g := bytes.SplitAfter(want, []byte("\n")), bytes.SplitAfter(got, []byte("\n"))
	for i := 0; i < len(w) || i < len(g); i++ {
		switch {
		case i >= len(w):
			return fmt.Sprintf("line %d was added: %q", i+1, g[i])
		case i >= len(g):
			return fmt.Sprintf("line %d was removed: %q", i+1, w[i])
		case !bytes.Equal(w[i], g[i]) && !paddedOwnedCells(string(w[i]), string(g[i]), owned[i+1]):
			return fmt.Sprintf("line %d is\n\t%q\nwhere the original with pmsync's cells has\n\t%q", i+1, g[i], w[i])
		}
	}
	return ""
}

// paddedOwnedCells reports whether two lines are the same table row but
// for spaces inside cells that hold one of pmsync's values.
func paddedOwnedCells(want, got string, ownedText map[string]bool) bool {
	wBody, wEnd := cutLineEnd(want)
	gBody, gEnd := cutLineEnd(got)
	if wEnd != gEnd || !strings.Contains(wBody, "|") {
		return false
	}
	wc, gc := cells(wBody), cells(gBody)
	if len(wc) != len(gc) {
		return false
	}
	for i := range wc {
		if wc[i] == gc[i] {
			continue
		}
		v := strings.TrimSpace(wc[i])
		if v == "" || v != strings.TrimSpace(gc[i]) || !ownedText[v] {
			return false
		}
	}
	return true
}

func cutLineEnd(s string) (body, end string) {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return s[:len(s)-2], "\r\n"
	case strings.HasSuffix(s, "\n"):
		return s[:len(s)-1], "\n"
	}
	return s, ""
}

// cells splits a table row at its pipes that are not escaped.
func cells(row string) []string {
	var out []string
	start := 0
	for i := 0; i < len(row); i++ {
		switch row[i] {
		case '\\':
			i++
		case '|':
			out = append(out, row[start:i])
			start = i + 1
		}
	}
	return append(out, row[start:])
}
