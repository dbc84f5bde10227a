package jira

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/pmsync/pmsync/sync/ticket"
)

// commentWiki is the ticket.CommentDialect of Jira comments (wiki
// markup), on Cloud or on Data Center: they mention people differently.
type commentWiki struct {
	wiki
	cloud bool
}

// userNameRE is a Data Center user name fit for a mention: none of the
// characters that would end "[~name]" or start other markup.
var userNameRE = regexp.MustCompile(`^[A-Za-z0-9._@+-]{1,255}$`)

// errTeamMention: Jira has no group mention.
var errTeamMention = errors.New("no team mentions in Jira: mention the team's people")

// Mention is "[~accountid:ID]" on Cloud and "[~name]" on Data Center.
func (d commentWiki) Mention(m ticket.Mention) (string, error) {
	switch {
	case m.Team:
		return "", fmt.Errorf("mention %q: %w", m.ID, errTeamMention)
	case d.cloud && !accountIDRE.MatchString(m.ID):
		return "", fmt.Errorf("mention %q is not a Jira Cloud accountId", m.ID)
	case d.cloud:
		return "[~accountid:" + m.ID + "]", nil
	case !userNameRE.MatchString(m.ID):
		return "", fmt.Errorf("mention %q is not a Jira user name", m.ID)
	}
	return "[~" + m.ID + "]", nil
}

// Text writes one line of plain text: wiki markup escaped as in a
// description (no effect, macro, link, mention, image or table, no list
// or heading at its start, no marker), and no URL Jira would link by
// itself ("://" is written "&#58;//"). Issue keys stay links, as Jira
// makes them in any text.
func (commentWiki) Text(s string) string {
	out, _ := escapeBlock(s, math.MaxInt)
	return strings.ReplaceAll(out, "://", "&#58;//")
}

// CommentLimit is Jira's limit on a comment body (32,767 characters,
// counted here in bytes, which is never less).
func (commentWiki) CommentLimit() int { return maxDescription }
