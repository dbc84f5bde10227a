package trackers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SettleSkew is how far before the start of a step Twins looks: room for
// the clocks of this host and the tracker to disagree.
const SettleSkew = 10 * time.Minute

// Step is one follow-up step as a tracker takes it (Nudger.Nudge): the
// calls, which Run makes in the one order that never posts a step's
// comment twice within one run, and the settling that leaves one comment
// when two runs post it at the same moment.
type Step struct {
	Label string
	// Labels reads the ticket's labels afresh (one GET).
	Labels func(ctx context.Context) ([]string, error)
	// AddLabel and RemoveLabel add or remove Label; both are safe to
	// repeat.
	AddLabel, RemoveLabel func(ctx context.Context) error
	// Comment posts the comment and returns its id ("" when the answer
	// named none: no settling then).
	Comment func(ctx context.Context) (id string, err error)
	// Twins lists the comments on the ticket that are this step's: by the
	// account that posted ours, for the same step (the same body, or the
	// same step marker where the tracker can hide one), created at or
	// after since; their ids, oldest first (ours among them). Nil: the
	// tracker cannot list, and Run does not settle.
	Twins func(ctx context.Context, since time.Time) ([]string, error)
	// DeleteComment deletes a comment by id (ours, when an older twin
	// exists).
	DeleteComment func(ctx context.Context, id string) error
	// Now is the clock that dates the start of the step (for Twins'
	// since); nil is time.Now.
	Now func() time.Time
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
//
// Two runs (two installations) that read the labels at the same moment
// both find the label absent and both post; neither tracker can add a
// label only if it is absent. So after posting, Run settles: it lists
// the step's comments (Twins) and, when an older one than ours exists,
// deletes ours and returns ErrAlreadyDone. The run that posted later
// lists after its own post, so it sees the earlier comment: exactly one
// remains in every interleaving. The deleted comment's notification may
// already have gone out. A settling that fails is logged; the step
// still counts as taken (the comment is posted).
func (s Step) Run(ctx context.Context) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	since := now().Add(-SettleSkew)
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
	id, err := s.Comment(ctx)
	if err == nil {
		if s.Stats != nil {
			s.Stats.Comments.Add(1)
		}
		if s.settle(ctx, id, since) {
			return ErrAlreadyDone
		}
		if s.Stats != nil {
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

// settle lists the step's comments after ours (id) was posted and
// deletes ours when an older one exists; it reports whether it did.
func (s Step) settle(ctx context.Context, id string, since time.Time) (deleted bool) {
	if s.Twins == nil || id == "" {
		return false
	}
	if s.Stats != nil {
		s.Stats.SettleLists.Add(1)
	}
	ids, err := s.Twins(ctx, since)
	if err != nil {
		s.Log.Warn("follow-up posted, but its comments could not be listed: if another run posted it at the same moment, it shows twice",
			"ticket", s.What, "label", s.Label, "err", err)
		return false
	}
	if len(ids) == 0 || ids[0] == id || !slices.Contains(ids, id) {
		return false
	}
	if err := s.DeleteComment(ctx, id); err != nil {
		s.Log.Warn("follow-up posted twice (another run posted it at the same moment), and ours could not be deleted",
			"ticket", s.What, "label", s.Label, "comment", id, "kept", ids[0], "err", err)
		return false
	}
	if s.Stats != nil {
		s.Stats.TwinsDeleted.Add(1)
	}
	s.Log.Info("follow-up also posted by another run at the same moment: ours deleted, the older one kept",
		"ticket", s.What, "label", s.Label, "comment", id, "kept", ids[0])
	return true
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
