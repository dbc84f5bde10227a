package postmortem

import (
	"slices"
	"testing"
)

// FuzzFindField: findField, which runs a field's expression from just
// before the first label, finds what the expression finds in the whole
// text.
func FuzzFindField(f *testing.F) {
	for _, s := range []string{
		"", "owner:", "Fix it (owner: @alice)", "Fix it. Owner: Alice Example, due: 2026-04-01",
		"coowner: x, owner: y", "co-owner: x", "xowner: a; owner: b", "Owner:x", "OWNER: n/a.", "é owner: x",
		"éowner: x", "owner: (x) owner: y", " ,; owner: a", "a\n  Owner: b\n  Due: 2026-04-01",
		"due date: 2026-05-01", "Due: x; due date: y", "due date soon, due: friday", "overdue: x due: y",
		"\xffdue: x", "due:", "due: (x)", "Due date:  Q3 2026 ;", "subdue: nothing", "owner: ownér: ſ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, field := range []struct {
			re   string
			bits uint64
		}{{"owner", hintOwner}, {"due", hintDue | hintDueDate}} {
			re := reOwnerField
			if field.re == "due" {
				re = reDueField
			}
			var hints hintCache
			if got, want := findField(s, &hints, field.bits, re), re.FindStringSubmatch(s); !slices.Equal(got, want) {
				t.Errorf("%s field of %q: %q, want %q", field.re, s, got, want)
			}
		}
	})
}
