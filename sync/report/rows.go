package report

import (
	"bytes"
	"encoding/json"
	"iter"
)

// Rows are the report's items, one row per item (factors too), in
// document order: doc id, line, key. A row is derived from its item each
// time it is read, not kept: a row held for every item was 48 MB at
// 100,000 items, beside the items it came from. The lists that name
// items (overdue, missing, open bugs, escalation) keep their rows.
//
// In JSON, Rows is an array of ItemRow ([] when empty).
type Rows struct {
	facts []fact
	der   deriver
	// made are rows given as they are (RowsOf), instead of facts.
	made []ItemRow
}

// RowsOf are rows already made, as they are.
func RowsOf(rows []ItemRow) Rows { return Rows{made: rows} }

// Len is the number of rows.
func (rs Rows) Len() int { return len(rs.facts) + len(rs.made) }

// At derives the i-th row.
func (rs Rows) At(i int) ItemRow {
	if rs.made != nil {
		return rs.made[i]
	}
	var row ItemRow
	rs.der.fill(&rs.facts[i], &row)
	return row
}

// All yields the rows in order. The row is reused from one step to the
// next: copy what is kept.
func (rs Rows) All() iter.Seq2[int, *ItemRow] {
	return func(yield func(int, *ItemRow) bool) {
		for i := range rs.made {
			row := rs.made[i] // a copy: what the caller does to it stays with it
			if !yield(i, &row) {
				return
			}
		}
		var row ItemRow
		for i := range rs.facts {
			rs.der.fill(&rs.facts[i], &row)
			if !yield(i, &row) {
				return
			}
		}
	}
}

// Collect derives every row at once; for small reports and tests.
func (rs Rows) Collect() []ItemRow {
	out := make([]ItemRow, 0, rs.Len())
	for _, row := range rs.All() {
		out = append(out, *row)
	}
	return out
}

// MarshalJSON writes the rows as encoding/json writes a slice of ItemRow.
func (rs Rows) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range rs.All() {
		if i > 0 {
			b.WriteByte(',')
		}
		v, err := json.Marshal(row)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// UnmarshalJSON reads rows written by MarshalJSON, as rows made.
func (rs *Rows) UnmarshalJSON(b []byte) error {
	var made []ItemRow
	if err := json.Unmarshal(b, &made); err != nil {
		return err
	}
	*rs = RowsOf(made)
	return nil
}
