package report

import (
	"bytes"
	"encoding/json"
	"iter"
)

// The report's item lists (every item, the overdue, the missing, the open
// factor bugs, the escalation tiers) hold the items' compact records, not
// their rows: a row is derived from its item each time it is read. A row
// held for every item and list was 48 MB at 100,000 items, beside the
// items it came from. In JSON each list is an array of rows, as the
// slices they replace were; read back from JSON, a list holds the rows
// as they were written.

// List is a list of the report's items in its own order: all of them in
// document order (doc id, line, key) in Report.Items, the overdue, the
// missing, the open factor bugs.
type List struct {
	facts []*fact
	der   *deriver
	made  []ItemRow
}

// ListOf is a list of rows already made, as they are.
func ListOf(rows []ItemRow) List { return List{made: rows} }

// Len is the number of items in the list.
func (l List) Len() int { return len(l.facts) + len(l.made) }

// At derives the i-th row.
func (l List) At(i int) ItemRow {
	if l.made != nil {
		return l.made[i]
	}
	var row ItemRow
	l.der.fill(l.facts[i], &row)
	return row
}

// All yields the rows in order; the row is reused from one step to the
// next.
func (l List) All() iter.Seq[*ItemRow] {
	return func(yield func(*ItemRow) bool) {
		var row ItemRow
		for i := range l.made {
			row = l.made[i]
			if !yield(&row) {
				return
			}
		}
		for _, f := range l.facts {
			l.der.fill(f, &row)
			if !yield(&row) {
				return
			}
		}
	}
}

// Collect derives every row at once; for small reports and tests.
func (l List) Collect() []ItemRow { return collect(l.All(), l.Len()) }

// MarshalJSON is an array of ItemRow.
func (l List) MarshalJSON() ([]byte, error) { return marshalSeq(l.All()) }

// UnmarshalJSON reads an array of ItemRow, as rows made.
func (l *List) UnmarshalJSON(b []byte) error {
	made := []ItemRow{}
	if err := json.Unmarshal(b, &made); err != nil {
		return err
	}
	*l = ListOf(made)
	return nil
}

// TierItems are the action items of an escalation tier, oldest due
// first.
type TierItems struct {
	facts []*fact
	der   *deriver
	made  []madeTierItem
}

// madeTierItem is a tier item read back from JSON.
type madeTierItem struct {
	ItemRef
	Due         string `json:"due"`
	DaysOverdue int    `json:"days_overdue"`
}

// Len is the number of items in the tier.
func (ts TierItems) Len() int { return len(ts.facts) + len(ts.made) }

// All yields the tier's items in order; the item is reused from one step
// to the next.
func (ts TierItems) All() iter.Seq[*TierItem] {
	return func(yield func(*TierItem) bool) {
		var ref ItemRef
		it := TierItem{ItemRef: &ref}
		for _, m := range ts.made {
			ref, it.Due, it.DaysOverdue = m.ItemRef, m.Due, m.DaysOverdue
			if !yield(&it) {
				return
			}
		}
		var row ItemRow
		for _, f := range ts.facts {
			ts.der.fill(f, &row)
			ref, it.Due, it.DaysOverdue = row.ItemRef, row.Due, days(f.it.Due, ts.der.today)
			if !yield(&it) {
				return
			}
		}
	}
}

// Collect makes every item at once; for small reports and tests.
func (ts TierItems) Collect() []TierItem {
	out := make([]TierItem, 0, ts.Len())
	for it := range ts.All() {
		ref := *it.ItemRef
		out = append(out, TierItem{ItemRef: &ref, Due: it.Due, DaysOverdue: it.DaysOverdue})
	}
	return out
}

// MarshalJSON is an array of TierItem.
func (ts TierItems) MarshalJSON() ([]byte, error) { return marshalSeq(ts.All()) }

// UnmarshalJSON reads an array of TierItem.
func (ts *TierItems) UnmarshalJSON(b []byte) error {
	made := []madeTierItem{}
	if err := json.Unmarshal(b, &made); err != nil {
		return err
	}
	*ts = TierItems{made: made}
	return nil
}

// seqJSON is a list the JSON writer streams, an element at a time.
type seqJSON interface {
	eachJSON(yield func(v any) bool)
}

func (l List) eachJSON(yield func(any) bool)       { eachAny(l.All(), yield) }
func (ts TierItems) eachJSON(yield func(any) bool) { eachAny(ts.All(), yield) }

// eachAny yields seq's elements as values of any.
func eachAny[T any](seq iter.Seq[T], yield func(any) bool) {
	for v := range seq {
		if !yield(v) {
			return
		}
	}
}

// marshalSeq encodes a sequence as a JSON array, as encoding/json encodes
// a slice.
func marshalSeq[T any](seq iter.Seq[T]) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	n := 0
	for v := range seq {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		val, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(val)
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

func collect(seq iter.Seq[*ItemRow], n int) []ItemRow {
	out := make([]ItemRow, 0, n)
	for r := range seq {
		out = append(out, *r)
	}
	return out
}
