// Package trackers is the one interface every issue tracker implements,
// the error kinds its callers check, and the pacing decorator. The
// GitHub and Jira adapters live in subpackages; nothing here does I/O.
package trackers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pmsync/pmsync/internal/retry"
	"github.com/pmsync/pmsync/sync/ticket"
)

// Tracker is consumer-sized: what one sync run needs of a tracker.
// Per-item verbs may fail one at a time; the caller goes on.
type Tracker interface {
	// Name is the tracker's name in the configuration.
	Name() string
	// Recognize reports whether ref is a ticket of this tracker, and in
	// which repo or project.
	Recognize(ref ticket.Ref) (ticket.Target, bool)
	// Find returns the tickets of target that carry a pmsync marker (of any
	// owner id) and were updated at or after since; a zero since means all.
	// It lists (GitHub: the repo's postmortem-labelled issues; Jira: JQL
	// on labels), never an eventually consistent search.
	Find(ctx context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error)
	// Get fetches tickets by reference. A ticket that no longer exists is
	// returned with StateMissing, not as an error.
	Get(ctx context.Context, refs []ticket.Ref) ([]ticket.Ticket, error)
	// Create opens a ticket for spec.
	Create(ctx context.Context, spec ticket.Spec) (ticket.Ticket, error)
	// CloseDuplicate closes dup with a comment pointing to keep.
	CloseDuplicate(ctx context.Context, dup, keep ticket.Ticket) error
}

// ChangeLister is a tracker that can list every ticket of a target
// updated at or after since, marked or not. A document may link a ticket
// pmsync did not open (pmsync adopts it); a steady run lists such a
// target this way instead of by label, so adopted tickets stay current
// within the one listing per target (SPEC §8). since is never zero: a
// whole repo or project is not listed.
type ChangeLister interface {
	FindChanged(ctx context.Context, target ticket.Target, since time.Time) ([]ticket.Ticket, error)
}

// Identifier is a tracker that can tell which account its credentials
// act as. A ticket carrying pmsync's marker that was opened by another
// account is not adopted (anyone who can open issues can copy a marker).
type Identifier interface {
	// Account is the account, spelled as Ticket.Author, that tickets
	// created through this tracker have as author. target is one the
	// tracker serves (a GitHub App is asked on a repository).
	Account(ctx context.Context, target ticket.Target) (string, error)
}

// Nudger is a tracker that can take a follow-up step on a ticket (a
// reminder, an escalation) and post comments (SPEC §6.1). Each step is
// marked on the ticket by a label, which the listing pmsync makes anyway
// returns (Ticket.Labels): that, not local state, tells a later run the
// step was taken.
type Nudger interface {
	// Nudge adds label to the ticket, then posts c. It first reads the
	// ticket's labels afresh (one GET): if label is already there
	// (another run took this step), it posts nothing and returns
	// ErrAlreadyDone. If the tracker refuses the comment after the label
	// was added, it removes the label again (best effort) so a later run
	// retries. label must pass ticket.CheckLabel, and c must render
	// (valid mentions) before anything is written.
	//
	// Label first, comment second: a crash (or a comment whose fate is
	// unknown, such as a timeout) between the two loses that one
	// reminder, which is the lesser harm; posting it twice is what the
	// order rules out. Two runs (two installations) that read the ticket
	// within the same moment both post; each then lists the step's
	// comments, and the one whose comment is not the oldest deletes its
	// own and returns ErrAlreadyDone (Step.Run), so one comment remains
	// (its twin's notification may have gone out).
	Nudge(ctx context.Context, ref ticket.Ref, label string, c ticket.Comment) error
	// Comment posts c on ref with no label (a team digest on a GitHub
	// issue).
	Comment(ctx context.Context, ref ticket.Ref, c ticket.Comment) error
}

// ErrAlreadyDone is a follow-up step another run took: its label was
// already on the ticket and Nudge posted nothing, or another run posted
// the same step at the same moment and Nudge deleted its own comment.
var ErrAlreadyDone = errors.New("step already taken")

// ErrNotFound is a ticket, repo or project that does not exist.
var ErrNotFound = errors.New("not found")

// ErrPermanent marks a failure that retrying will not fix (a 4xx other
// than 429): bad credentials, validation errors, missing permissions.
var ErrPermanent = errors.New("permanent failure")

// RateLimitError is a rate-limit answer that could not be waited out
// within the run (its wait exceeds the deadline).
type RateLimitError struct {
	Tracker string
	Until   time.Time
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("%s: rate limited until %s", e.Tracker, e.Until.UTC().Format(time.RFC3339))
}

// Permanent wraps err as a permanent failure.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrPermanent, err)
}

// Clock is the time source of pacing and retries; tests use a simulated
// one so benchmarks of pacing do not sleep.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error { return retry.Sleep(ctx, d) }

// Redacted is how a configuration's String shows a secret of length n:
// whether it is set, never its value.
func Redacted(n int) string {
	if n == 0 {
		return `""`
	}
	return "REDACTED"
}

// Statser is a tracker that counts its API calls (the real adapters, by
// their Transport).
type Statser interface{ Stats() *Stats }
