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

// FuzzLinkShortcuts: the ticket cell and the GitHub issue URL that are
// read by hand (the forms pmsync writes) read as the general path and the
// expression read them.
func FuzzLinkShortcuts(f *testing.F) {
	for _, s := range []string{
		"[acme/sre#3](https://github.com/acme/sre/issues/3)", " [#3](http://ghe.example/a/b/issues/3) ",
		"[Done](https://github.com/a/b/issues/1)", "[reſolved](https://github.com/a/b/issues/1)",
		"[x [done](https://github.com/a/b/issues/1)", "[x](https://github.com/a/b/issues/1[done](y)",
		"[https://github.com/a/b/issues/1](https://github.com/a/b/issues/1)", "[](https://h/a/b/issues/1)",
		"[OPS-7](https://acme.atlassian.net/browse/OPS-7)", "[a](https://h/api/v3/repos/o/r/issues/9)",
		"[a](https://h/o/r/issues/9/)", "[a](https://h/o/r/issues/9#c)", "[a](https://h/o/issues/issues/9)",
		"[a](https://h/o/r/issues/)", "[a](https://h//r/issues/1)", "[a](https://h/o/r/issues/1/issues/2)",
		"[*a*](https://h/o/r/issues/1)", "[a](<https://h/o/r/issues/1>)", "[a](https://h/o/r/pull/1)",
		"[a](https://h/o/r/issues/1) (open)", "[a](https://h/o/r/issues/1 \"t\")", "[a]\n(https://h/o/r/issues/1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var keys jiraKeys
		r1, s1, f1 := parseTicketCell(s, keys)
		r2, s2, f2 := parseTicketCellGeneral(s, keys)
		if r1 != r2 || s1 != s2 || f1 != f2 {
			t.Errorf("parseTicketCell(%q) = %+v %q %v, the general path %+v %q %v", s, r1, s1, f1, r2, s2, f2)
		}
		for _, u := range []string{s, strings.TrimSpace(s)} {
			got := matchGitHubIssue(u)
			var want []string
			if strings.Contains(u, "/issues/") {
				want = reGitHubIssue.FindStringSubmatch(u)
			}
			if !slices.Equal(got, want) {
				t.Errorf("matchGitHubIssue(%q) = %q, want %q", u, got, want)
			}
		}
	})
}
