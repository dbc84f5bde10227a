package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode"

	"github.com/pmsync/pmsync/sync/plan"
	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// OwnerIDPath holds the installation's owner id once it is chosen, inside
// the source, so the id moves with the folder and, in a git source, is
// committed with the postmortems.
const OwnerIDPath = ".pmsync/owner-id"

// identifier is a source that can name its collection the same way
// wherever it is read from (the repository's origin).
type identifier interface{ Identity() string }

// identity decides the owner id of this run, in order:
//
//  1. Config.OwnerID, when the configuration sets one;
//  2. the id written in OwnerIDPath by an earlier run;
//  3. Config.LegacyOwnerID when an earlier run left state but no id file
//     (pmsync before 0.3 used the folder's absolute path or the git URL,
//     and its tickets carry that);
//  4. the source's identity (git:host/owner/repo/folder);
//  5. a new random id (dir:<32 hex>).
//
// An id chosen by 3–5 is written to OwnerIDPath by the returned write
// (a no-op in a dry run), so moving or copying the folder keeps it.
func (e *Engine) identity(ctx context.Context, hadState bool) (id string, write func() error, err error) {
	none := func() error { return nil }
	if e.Config.OwnerID != "" {
		return e.Config.OwnerID, none, nil
	}
	b, err := e.Source.ReadFile(ctx, OwnerIDPath)
	switch {
	case err == nil:
		id := parseOwnerIDFile(b)
		if id == "" || strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			return "", nil, fmt.Errorf("%s holds no valid owner id (one line, no spaces); restore it from version control or backup, or set owner_id", OwnerIDPath)
		}
		return id, none, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", nil, fmt.Errorf("read %s: %w", OwnerIDPath, err)
	}
	switch {
	case hadState && e.Config.LegacyOwnerID != "":
		id = e.Config.LegacyOwnerID
	default:
		if s, ok := e.Source.(identifier); ok {
			id = s.Identity()
		}
		if id == "" {
			var rnd [16]byte
			if _, err := rand.Read(rnd[:]); err != nil {
				return "", nil, err
			}
			id = "dir:" + hex.EncodeToString(rnd[:])
		}
	}
	if e.dryRun() {
		return id, none, nil
	}
	return id, func() error {
		content := "# pmsync's owner id: it tells this installation's tickets from another's and is part\n" +
			"# of every ticket's marker. Keep this file with the postmortems (commit it); changing it\n" +
			"# makes every ticket look like another installation's. The owner_id key overrides it.\n" + id + "\n"
		if err := e.Source.WriteFile(ctx, OwnerIDPath, []byte(content)); err != nil {
			return fmt.Errorf("write %s: %w", OwnerIDPath, err)
		}
		e.log().Info("owner id chosen and written down", "owner_id", id, "path", OwnerIDPath)
		return nil
	}, nil
}

// parseOwnerIDFile returns the first line that is not a comment.
func parseOwnerIDFile(b []byte) string {
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return ""
}

// legacyOwner reports an owner id of the form pmsync derived before 0.3
// wrote the id down: dir:<absolute path> or git:<URL>.
func legacyOwner(id string) bool {
	if rest, ok := strings.CutPrefix(id, "dir:"); ok {
		return strings.HasPrefix(rest, "/") || len(rest) > 2 && rest[1] == ':' // C:\...
	}
	return strings.HasPrefix(id, "git:")
}

// learnAliases finds the owner ids this installation used before its id
// was written down: a ticket whose marker has a legacy-form owner, names
// the very document and item that links it, and was opened by the
// tracker's own account (or a trusted author) is this installation's — a
// folder moved after syncing, or synced from another path. Those ids are
// kept in the state, and every observed ticket carrying one is taken as
// carrying the current id: not "foreign", and, unlinked, still subject to
// the author check of screen. Another installation's tickets, linked by a
// document to claim them, fail the author check and teach nothing.
func (e *Engine) learnAliases(ctx context.Context, observed []ticket.Ticket, items []plan.Item, id string, st *stateFile) []ticket.Ticket {
	// Only the items linking a ticket that could teach an alias are
	// indexed: usually there is none (a map of every linked item, a copy
	// of each, was 34 MB at 100,000 items).
	asked := map[string]bool{}
	for _, t := range observed {
		if t.HasMarker && t.Marker.Owner != id && legacyOwner(t.Marker.Owner) && !slices.Contains(st.OwnerAliases, t.Marker.Owner) {
			asked[refKey(t.Ref)] = true
		}
	}
	linked := map[string]plan.Item{}
	if len(asked) > 0 {
		for _, it := range items {
			if !it.Ref.IsZero() && asked[refKey(it.Ref)] {
				linked[refKey(it.Ref)] = it
			}
		}
	}
	selves := map[string]string{}
	for _, t := range observed {
		if !t.HasMarker || t.Marker.Owner == id || !legacyOwner(t.Marker.Owner) || slices.Contains(st.OwnerAliases, t.Marker.Owner) {
			continue
		}
		it, ok := linked[refKey(t.Ref)]
		if !ok || it.Marker.PM != t.Marker.PM || it.Marker.Item != t.Marker.Item {
			continue
		}
		name := t.Target.Tracker
		if !e.trusted(name, t.Author) {
			self, known := selves[name]
			if !known {
				if idr, isID := e.Trackers[name].(trackers.Identifier); isID {
					acct, err := idr.Account(ctx, t.Target)
					if err != nil {
						e.log().Warn("cannot tell which account the tracker acts as; an earlier owner id is not learned this run", "tracker", name, "err", err)
					}
					self = acct
				}
				selves[name] = self
			}
			if self == "" || !strings.EqualFold(self, t.Author) {
				continue
			}
		}
		e.log().Info("tickets with an earlier owner id of this installation are taken as its own", "owner_id", t.Marker.Owner, "ticket", t.Ref.Text)
		st.OwnerAliases = append(st.OwnerAliases, t.Marker.Owner)
	}
	if len(st.OwnerAliases) == 0 {
		return observed
	}
	for i, t := range observed {
		if t.HasMarker && slices.Contains(st.OwnerAliases, t.Marker.Owner) {
			observed[i].Marker.Owner = id
		}
	}
	return observed
}
