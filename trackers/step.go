package trackers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Step is one follow-up step as a tracker takes it (Nudger.Nudge): the
// calls, which Run makes in the one order that never posts a step's
// comment twice.
type Step struct {
	Label string
	// Labels reads the ticket's labels afresh (one GET).
	Labels func(ctx context.Context) ([]string, error)
	// AddLabel and RemoveLabel add or remove Label; both are safe to
	// repeat.
	AddLabel, RemoveLabel func(ctx context.Context) error
	// Comment posts the comment.
	Comment func(ctx context.Context) error
	// NotPosted tells a Comment error that says the tracker did not post
	// it (see Refused).
	NotPosted func(err error) bool
	// What names the ticket in logs ("acme/sre#12", "OPS-7").
	What  string
	Log   *slog.Logger
	Stats *Stats // nil for none
}

// Run reads the labels, adds Label, posts the comment, and takes the
// label back when the tracker refused the comment. A label already
// there, in any case, is ErrAlreadyDone.
func (s Step) Run(ctx context.Context) error {
	have, err := s.Labels(ctx)
	if err != nil {
		return err
	}
	for _, l := range have {
		if strings.EqualFold(l, s.Label) {
			return ErrAlreadyDone
		}
	}
	if err := s.AddLabel(ctx); err != nil {
		return err
	}
	err = s.Comment(ctx)
	if err == nil {
		if s.Stats != nil {
			s.Stats.Comments.Add(1)
			s.Stats.Nudges.Add(1)
		}
		return nil
	}
	if ctx.Err() != nil || !s.NotPosted(err) {
		// The comment may have been posted (no answer came): the label
		// stays, so no later run posts it again; this reminder may be lost.
		s.Log.Warn("follow-up comment failed without an answer; its label stays so it is not posted twice",
			"ticket", s.What, "label", s.Label, "err", err)
		return err
	}
	if rerr := s.RemoveLabel(ctx); rerr != nil {
		s.Log.Warn("follow-up comment refused, and its label could not be removed: the step will not be retried",
			"ticket", s.What, "label", s.Label, "err", rerr)
		return errors.Join(err, fmt.Errorf("remove label %q again: %w", s.Label, rerr))
	}
	return err
}

// Refused tells an answer whose status says the request was not carried
// out: a 4xx, or a 500, 501 or 503 (a gateway's 502 or 504 may come after
// the tracker acted), or a rate limit that could not be waited out.
func Refused(status int, err error) bool {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return true
	}
	switch {
	case status >= 400 && status < 500:
		return true
	case status == http.StatusInternalServerError, status == http.StatusNotImplemented, status == http.StatusServiceUnavailable:
		return true
	}
	return false
}
