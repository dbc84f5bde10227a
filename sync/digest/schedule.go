package digest

import (
	"slices"
	"time"
)

// Due returns the teams, sorted, whose digest is due at now: every
// digests.every, counted from the team's last digest (last, by team); a
// team with none is due at once. every ≤ 0 turns digests off.
func Due(teams []string, last map[string]time.Time, every time.Duration, now time.Time) []string {
	if every <= 0 {
		return nil
	}
	var out []string
	for _, t := range teams {
		l, ok := last[t]
		if !ok || l.IsZero() || !now.Before(l.Add(every)) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
