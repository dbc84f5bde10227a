package postmortem

import (
	"slices"
	"strings"
	"testing"
)

// FuzzFindField: findField, which runs a field's expression from just
// before the first label, finds what the expression finds in the whole
// text; so does findByDate.
func FuzzFindField(f *testing.F) {
	for _, s := range []string{
		"", "owner:", "Fix it (owner: @alice)", "Fix it. Owner: Alice Example, due: 2026-04-01",
		"coowner: x, owner: y", "co-owner: x", "xowner: a; owner: b", "Owner:x", "OWNER: n/a.", "é owner: x",
		"éowner: x", "owner: (x) owner: y", " ,; owner: a", "a\n  Owner: b\n  Due: 2026-04-01",
		"due date: 2026-05-01", "Due: x; due date: y", "due date soon, due: friday", "overdue: x due: y",
		"\xffdue: x", "due:", "due: (x)", "Due date:  Q3 2026 ;", "subdue: nothing", "owner: ownér: ſ",
		"a\r\n  Owner: Al Bo\r\n  Due: 2026-04-01", "Owner: x Due date: y", "owner:\nstatus: done", "Owner: n/a Due: x", "owner: Ann due\t: x",
		"Fix it by 2026-05-01", "Fix it BY\tQ2 2026", "standby by March 3, 2026", "é by 1 May 2026", "nearby\nby 2026/05/01", "by by Jan 5 2027",
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
			got, want := findField(s, &hints, field.bits, re), re.FindStringSubmatch(s)
			if !slices.Equal(got, want) {
				t.Errorf("%s field of %q: %q, want %q", field.re, s, got, want)
			}
			if field.re == "owner" && got != nil {
				// An owner ends at its line break; ownerField takes from
				// the end only.
				whole, owner := ownerField(s, got)
				if strings.ContainsAny(got[1], "\r\n") || !strings.HasPrefix(got[0], whole) || !strings.HasPrefix(got[1], owner) {
					t.Errorf("owner field of %q: %q, ownerField %q %q", s, got, whole, owner)
				}
			}
		}
		if got, want := findByDate(s), reByDate.FindStringSubmatch(s); !slices.Equal(got, want) {
			t.Errorf("findByDate(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzDraftBannerHints: reDraftBanner matches no sentence its cheap test
// (mayBeDraftBanner) turns away.
func FuzzDraftBannerHints(f *testing.F) {
	for _, s := range []string{"DRAFT", "** Work in progress **", "This review is still a draft", "the postmortem is not yet finiſhed",
		"The write-up is being written", "the report is in draft", "WIP", "This document is not complete", "The analysis is not complete",
		"Some checkouts did not complete", "the review iſ not final", "-- Draft --", "Report IS NOT YET COMPLETE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if reDraftBanner.MatchString(s) && !mayBeDraftBanner(s) {
			t.Errorf("reDraftBanner matches %q, mayBeDraftBanner does not let it through", s)
		}
	})
}

// FuzzHintSets: a foldSet finds exactly the strings hasFold finds, one
// by one; chore, which runs reChore only after its cheap tests, says what
// reChore says.
func FuzzHintSets(f *testing.F) {
	for _, s := range []string{"", "x", "Draft", "a WIP", "(In progress)", "**DONE**", "ſ", "report", "Document the failover",
		"The sections above are filled out", "This report is complete", "the post-mortem has been reviewed", "THE POSTMORTEM IS DONE",
		"the document iſ final", "Incident title and date", "actionable items above", "We dealt with it", "after-action report",
		"report  is", "reportis", "dr", "d", "\xff\xfe", "above", "xabove have"} {
		f.Add(s)
	}
	subs := []string{"draft", "wip", "(in progress", "**done", "ſ", "report is", "ab", "\u212a"}
	set := newFoldSet(subs...)
	f.Fuzz(func(t *testing.T, s string) {
		var want uint64
		for i, sub := range subs {
			if hasFold(s, sub) {
				want |= 1 << i
			}
		}
		if got := set.mask(s); got != want {
			t.Errorf("mask(%q) = %b, want %b", s, got, want)
		}
		if got := set.in(s); got != (want != 0) {
			t.Errorf("in(%q) = %v, want %v", s, got, want != 0)
		}
		if got, want := chore(s), reChore.MatchString(s); got != want {
			t.Errorf("chore(%q) = %v, reChore says %v", s, got, want)
		}
	})
}
