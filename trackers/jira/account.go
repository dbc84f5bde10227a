package jira

import (
	"context"
	"fmt"
	"net/http"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

var _ trackers.Identifier = (*Tracker)(nil)

// Account is the account pmsync's issues are created by, as Ticket.Author
// spells it (accountId on Cloud, user name on Data Center), from GET
// myself: asked once per run, and only when a marked issue no document
// links needs checking.
func (t *Tracker) Account(ctx context.Context, _ ticket.Target) (string, error) {
	info, err := t.server(ctx)
	if err != nil {
		return "", err
	}
	t.selfMu.Lock()
	defer t.selfMu.Unlock()
	if t.self != "" {
		return t.self, nil
	}
	var u jira.User
	if err := t.call(ctx, http.MethodGet, "rest/api/2/myself", nil, nil, &u); err != nil {
		return "", t.wrap(err, "get the account of the credentials (myself)", "")
	}
	self := account(info, &u)
	if self == "" {
		return "", fmt.Errorf("jira %s: GET myself named no account", t.name)
	}
	t.self = self
	return self, nil
}
