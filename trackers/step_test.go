package trackers

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStepRun(t *testing.T) {
	t.Parallel()
	refused := errors.New("refused")
	lost := errors.New("no answer")
	for _, tc := range []struct {
		name       string
		have       []string
		readErr    error
		addErr     error
		commentErr error
		removeErr  error
		wantErr    error
		wantCalls  []string
		wantLabel  bool // the label is on the ticket afterwards
		wantCounts int64
	}{
		{name: "label then comment", wantCalls: []string{"read", "add", "comment"}, wantLabel: true, wantCounts: 1},
		{name: "already done, any case", have: []string{"x", "PMSYNC:Due-Soon"}, wantErr: ErrAlreadyDone, wantCalls: []string{"read"}, wantLabel: true},
		{name: "read fails", readErr: lost, wantErr: lost, wantCalls: []string{"read"}},
		{name: "label refused: no comment", addErr: refused, wantErr: refused, wantCalls: []string{"read", "add"}},
		{name: "comment refused: label removed", commentErr: refused, wantErr: refused, wantCalls: []string{"read", "add", "comment", "remove"}},
		{name: "comment lost: label kept", commentErr: lost, wantErr: lost, wantCalls: []string{"read", "add", "comment"}, wantLabel: true},
		{name: "removal fails", commentErr: refused, removeErr: lost, wantErr: refused, wantCalls: []string{"read", "add", "comment", "remove"}, wantLabel: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			labels := slices.Clone(tc.have)
			var stats Stats
			s := Step{
				Label: "pmsync:due-soon",
				Labels: func(context.Context) ([]string, error) {
					calls = append(calls, "read")
					return labels, tc.readErr
				},
				AddLabel: func(context.Context) error {
					calls = append(calls, "add")
					if tc.addErr == nil {
						labels = append(labels, "pmsync:due-soon")
					}
					return tc.addErr
				},
				RemoveLabel: func(context.Context) error {
					calls = append(calls, "remove")
					if tc.removeErr == nil {
						labels = slices.DeleteFunc(labels, func(l string) bool { return l == "pmsync:due-soon" })
					}
					return tc.removeErr
				},
				Comment: func(context.Context) (string, error) {
					calls = append(calls, "comment")
					return "", tc.commentErr
				},
				NotPosted: func(err error) bool { return errors.Is(err, refused) },
				What:      "acme/sre#1",
				Log:       slog.New(slog.DiscardHandler),
				Stats:     &stats,
			}
			checkRun(t, s, &calls, tc.wantErr, tc.wantCalls)
			has := slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(l, "pmsync:due-soon") })
			if has != tc.wantLabel {
				t.Errorf("label on the ticket: %v, want %v (labels %v)", has, tc.wantLabel, labels)
			}
			if n := stats.Nudges.Load(); n != tc.wantCounts || stats.Comments.Load() != tc.wantCounts {
				t.Errorf("counted %d nudges, %d comments; want %d", n, stats.Comments.Load(), tc.wantCounts)
			}
		})
	}
}

// checkRun runs s and checks its error and the calls it made.
func checkRun(t *testing.T, s Step, calls *[]string, wantErr error, wantCalls []string) {
	t.Helper()
	err := s.Run(t.Context())
	if !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
		t.Errorf("Run = %v, want %v", err, wantErr)
	}
	if !slices.Equal(*calls, wantCalls) {
		t.Errorf("calls %v, want %v", *calls, wantCalls)
	}
}

func TestStepCancelledKeepsLabel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	removed := false
	s := Step{
		Label:       "l",
		Labels:      func(context.Context) ([]string, error) { return nil, nil },
		AddLabel:    func(context.Context) error { return nil },
		RemoveLabel: func(context.Context) error { removed = true; return nil },
		Comment:     func(context.Context) (string, error) { cancel(); return "", context.Canceled },
		NotPosted:   func(error) bool { return true },
		Log:         slog.New(slog.DiscardHandler),
	}
	if err := s.Run(ctx); !errors.Is(err, context.Canceled) || removed {
		t.Fatalf("Run = %v, removed %v: a comment cut off by cancellation may be posted; its label stays", err, removed)
	}
}

func TestStepSettles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		twins     []string
		listErr   error
		deleteErr error
		wantErr   error
		wantCalls []string
		deleted   int64
	}{
		{name: "ours alone", twins: []string{"7"}, wantCalls: []string{"read", "add", "comment", "twins"}},
		{name: "ours the oldest", twins: []string{"7", "9"}, wantCalls: []string{"read", "add", "comment", "twins"}},
		{name: "an older twin: ours deleted", twins: []string{"5", "7"}, wantErr: ErrAlreadyDone,
			wantCalls: []string{"read", "add", "comment", "twins", "delete 7"}, deleted: 1},
		{name: "ours not listed: kept", twins: []string{"5"}, wantCalls: []string{"read", "add", "comment", "twins"}},
		{name: "listing fails: posted", listErr: errors.New("503"), wantCalls: []string{"read", "add", "comment", "twins"}},
		{name: "delete fails: posted", twins: []string{"5", "7"}, deleteErr: errors.New("503"),
			wantCalls: []string{"read", "add", "comment", "twins", "delete 7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			var stats Stats
			start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			s := Step{
				Label:       "pmsync:overdue",
				Labels:      func(context.Context) ([]string, error) { calls = append(calls, "read"); return nil, nil },
				AddLabel:    func(context.Context) error { calls = append(calls, "add"); return nil },
				RemoveLabel: func(context.Context) error { calls = append(calls, "remove"); return nil },
				Comment:     func(context.Context) (string, error) { calls = append(calls, "comment"); return "7", nil },
				Twins: func(_ context.Context, since time.Time) ([]string, error) {
					calls = append(calls, "twins")
					if want := start.Add(-SettleSkew); !since.Equal(want) {
						t.Errorf("since %v, want %v", since, want)
					}
					return tc.twins, tc.listErr
				},
				DeleteComment: func(_ context.Context, id string) error {
					calls = append(calls, "delete "+id)
					return tc.deleteErr
				},
				NotPosted: func(error) bool { return true },
				Now:       func() time.Time { return start },
				Log:       slog.New(slog.DiscardHandler),
				Stats:     &stats,
			}
			checkRun(t, s, &calls, tc.wantErr, tc.wantCalls)
			wantNudges := int64(1) - tc.deleted
			if stats.SettleLists.Load() != 1 || stats.TwinsDeleted.Load() != tc.deleted || stats.Comments.Load() != 1 || stats.Nudges.Load() != wantNudges {
				t.Errorf("stats: %d lists, %d deleted, %d comments, %d nudges; want 1, %d, 1, %d",
					stats.SettleLists.Load(), stats.TwinsDeleted.Load(), stats.Comments.Load(), stats.Nudges.Load(), tc.deleted, wantNudges)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		err    error
		want   bool
	}{
		{400, nil, true}, {403, nil, true}, {404, nil, true}, {422, nil, true},
		{500, nil, true}, {503, nil, true}, {502, nil, false}, {504, nil, false},
		{0, errors.New("connection reset"), false},
		{0, &RateLimitError{Tracker: "gh", Until: time.Now()}, true},
	} {
		if got := Refused(tc.status, tc.err); got != tc.want {
			t.Errorf("Refused(%d, %v) = %v, want %v", tc.status, tc.err, got, tc.want)
		}
	}
}
