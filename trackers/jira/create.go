package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// accountIDRE tells a Jira Cloud accountId: 24+ hex digits
// (5b10ac8d82e05b22cc7d4ef5) or the prefixed form
// (557058:f58131cb-b67d-43c7-b30d-6b58d40bd077, qm:…).
var accountIDRE = regexp.MustCompile(`^(?:[0-9a-fA-F]{24,128}|[0-9A-Za-z]{1,32}:[0-9A-Za-z:-]{1,100})$`)

// userResult is the outcome of resolving an e-mail to an account.
type userResult struct {
	account string // accountId (Cloud) or name (Data Center); "" when none
	why     string // why there is none
}

// createdIssue is Jira's answer to a create (CreatedIssue).
type createdIssue struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self"`
}

// Create opens an issue for spec. An assignee Jira refuses (or an e-mail
// that names no account) does not fail the item: the issue is opened
// unassigned, labelled needs-owner, with a note. An action item is then
// linked "Relates" to each of its factors' issues on this tracker; a
// link that fails is a warning.
func (t *Tracker) Create(ctx context.Context, spec ticket.Spec) (ticket.Ticket, error) {
	project, err := t.target(spec.Target)
	if err != nil {
		return ticket.Ticket{}, err
	}
	what := "create issue in " + project
	if m, err := ticket.ParseMarker(spec.Marker.String()); err != nil || m != spec.Marker {
		return ticket.Ticket{}, trackers.Permanent(fmt.Errorf("jira %s: %s: invalid marker %q", t.name, what, spec.Marker.String()))
	}
	info, err := t.server(ctx)
	if err != nil {
		return ticket.Ticket{}, err
	}

	needsOwner := spec.NeedsOwner
	var note string
	var assignee map[string]string
	if a := strings.TrimSpace(spec.Assignee); a != "" {
		acct, why, err := t.resolveAssignee(ctx, info, a)
		switch {
		case err != nil:
			return ticket.Ticket{}, err
		case acct == "":
			t.log.Warn("jira assignee not found; opening the issue unassigned with needs-owner",
				"item", spec.Marker.Item, "doc", spec.Marker.PM, "assignee", a, "reason", why)
			needsOwner = true
			note = assignNote(a, "", why)
		case info.cloud:
			assignee = map[string]string{"accountId": acct}
		default:
			assignee = map[string]string{"name": acct}
		}
	}

	fields, err := t.fields(ctx, info, project, spec)
	if err != nil {
		return ticket.Ticket{}, err
	}
	links := t.factorKeys(spec)
	build := func() map[string]any {
		f := make(map[string]any, len(fields)+4)
		for k, v := range fields {
			f[k] = v
		}
		f["labels"] = labels(spec, needsOwner)
		f["description"] = renderDescription(spec, note)
		if assignee != nil {
			f["assignee"] = assignee
		}
		return f
	}
	var created createdIssue
	err = t.call(ctx, http.MethodPost, "rest/api/2/issue", nil, map[string]any{"fields": build()}, &created)
	if err != nil && assignee != nil && fieldErrors(err, "assignee") {
		why := "Jira refused the account"
		var ae *apiError
		if errors.As(err, &ae) && ae.Fields["assignee"] != "" {
			why = ae.Fields["assignee"]
		}
		t.log.Warn("jira refused the assignee; opening the issue unassigned with needs-owner",
			"item", spec.Marker.Item, "doc", spec.Marker.PM, "assignee", spec.Assignee, "project", project, "reason", why)
		needsOwner = true
		assignee = nil
		note = assignNote(spec.Assignee, project, why)
		err = t.call(ctx, http.MethodPost, "rest/api/2/issue", nil, map[string]any{"fields": build()}, &created)
	}
	if err != nil {
		return ticket.Ticket{}, t.wrap(err, what, project)
	}
	key := strings.ToUpper(created.Key)
	if !keyRE.MatchString(key) {
		return ticket.Ticket{}, fmt.Errorf("jira %s: %s: Jira answered an issue key %q", t.name, what, created.Key)
	}
	t.remember(key, created.ID)
	if spec.Kind == ticket.Action {
		for _, f := range links {
			if err := t.link(ctx, "Relates", f, key); err != nil {
				t.log.Warn("jira link to a factor failed", "ticket", key, "factor", f, "err", err)
			}
		}
	}
	now := t.clock.Now().UTC()
	tk := ticket.Ticket{
		Target:    ticket.Target{Tracker: t.name, Project: projectOf(key)},
		Ref:       t.refOf(key),
		Marker:    spec.Marker,
		HasMarker: true,
		Title:     summary(spec),
		// A new issue is in its workflow's first status; the next read
		// tells if that is not an Open one.
		Status:  ticket.Status{State: ticket.StateOpen},
		Created: now,
		Updated: now,
		Due:     spec.Due,
	}
	if assignee != nil {
		tk.Assignee = assignee["accountId"] + assignee["name"]
	}
	// Jira keeps labels sorted: as a read shows them.
	tk.Labels = labels(spec, needsOwner)
	slices.Sort(tk.Labels)
	return tk, nil
}

// fields are the create fields that do not change on a retry.
func (t *Tracker) fields(ctx context.Context, info *serverInfo, project string, spec ticket.Spec) (map[string]any, error) {
	f := map[string]any{
		"project":   map[string]string{"key": project},
		"issuetype": map[string]string{"name": t.issueTypes[string(spec.Kind)]},
		"summary":   summary(spec),
	}
	if spec.Kind != ticket.Factor && spec.Kind != ticket.Action {
		f["issuetype"] = map[string]string{"name": t.issueTypes["action"]}
	}
	if !spec.Due.IsZero() {
		f["duedate"] = spec.Due.Format(ticket.DateLayout)
	}
	if p := t.priorities[strings.ToUpper(strings.TrimSpace(spec.Priority))]; p != "" {
		f["priority"] = map[string]string{"name": p}
	}
	if len(t.components) > 0 {
		cs := make([]map[string]string, len(t.components))
		for i, c := range t.components {
			cs[i] = map[string]string{"name": c}
		}
		f["components"] = cs
	}
	for k, v := range t.custom {
		f[k] = v
	}
	if t.epic != "" {
		if info.cloud {
			f["parent"] = map[string]string{"key": t.epic}
		} else {
			id, err := t.epicLinkField(ctx)
			if err != nil {
				return nil, err
			}
			f[id] = t.epic
		}
	}
	return f, nil
}

// labels are postmortem, the kind, pm-<id slug> and, for an item
// without an owner, needs-owner.
func labels(spec ticket.Spec, needsOwner bool) []string {
	l := []string{labelPostmortem, labelAction, pmLabel(spec.Marker.PM)}
	if spec.Kind == ticket.Factor {
		l[1] = labelFactor
	}
	if needsOwner {
		l = append(l, labelNeedsOwner)
	}
	return l
}

// factorKeys lists the keys of the factor tickets on this tracker, to
// link: a browse URL on our host, or a bare key of the item's own project.
func (t *Tracker) factorKeys(spec ticket.Spec) (keys []string) {
	project, _ := t.target(spec.Target)
	seen := map[string]bool{}
	for _, r := range spec.Factors {
		key, ok := t.parseRef(r, false)
		if !ok || (r.URL == "" && projectOf(key) != project) || seen[key] {
			continue
		}
		seen[key] = true
		keys = append(keys, key)
	}
	return keys
}

// link creates an issue link. Jira shows the link type's outward phrase
// on the issue sent as inwardIssue ({inward: A, outward: B, "Duplicate"}
// reads "A duplicates B"), though its documentation suggests the reverse.
func (t *Tracker) link(ctx context.Context, typ, from, to string) error {
	body := map[string]any{
		"type":         map[string]string{"name": typ},
		"inwardIssue":  map[string]string{"key": from},
		"outwardIssue": map[string]string{"key": to},
	}
	err := t.call(ctx, http.MethodPost, "rest/api/2/issueLink", nil, body, nil)
	return t.wrap(err, fmt.Sprintf("link %s %s %s", from, strings.ToLower(typ), to), "")
}

// resolveAssignee turns spec.Assignee into the account Jira takes: on
// Cloud an accountId is used as is and anything else (an e-mail) is
// looked up (GET user/search?query=, once per value and tracker
// lifetime, i.e. per run); on Data Center a user name is used as is and
// an e-mail is looked up (?username=, which matches e-mails there). acct
// is "" (with why) when the value names no single account.
func (t *Tracker) resolveAssignee(ctx context.Context, info *serverInfo, a string) (acct, why string, err error) {
	if info.cloud && accountIDRE.MatchString(a) || !info.cloud && !strings.Contains(a, "@") {
		return a, "", nil
	}
	email := strings.ToLower(a)
	t.userMu.Lock()
	defer t.userMu.Unlock()
	if r, ok := t.users[email]; ok {
		return r.account, r.why, nil
	}
	q := url.Values{"maxResults": {"10"}}
	if info.cloud {
		q.Set("query", a)
	} else {
		q.Set("username", a)
	}
	var users []jira.User
	if err := t.call(ctx, http.MethodGet, "rest/api/2/user/search", q, nil, &users); err != nil {
		err = t.wrap(err, "find user", "")
		if !errors.Is(err, trackers.ErrPermanent) {
			return "", "", err
		}
		// No permission to search users: the item is opened unassigned.
		r := userResult{why: "the account cannot search users: " + err.Error()}
		t.users[email] = r
		return "", r.why, nil
	}
	r := pickUser(users, email, info.cloud)
	t.users[email] = r
	return r.account, r.why, nil
}

// pickUser chooses the account of an e-mail: the one whose address is
// the e-mail (Cloud hides addresses by default), else the only active
// one found.
func pickUser(users []jira.User, email string, cloud bool) userResult {
	id := func(u jira.User) string {
		if cloud {
			return u.AccountID
		}
		if u.Name != "" {
			return u.Name
		}
		return u.Key
	}
	var active []jira.User
	for _, u := range users {
		if strings.EqualFold(u.EmailAddress, email) && id(u) != "" {
			return userResult{account: id(u)}
		}
		if u.Active && id(u) != "" && (!cloud || u.AccountType == "" || u.AccountType == "atlassian") {
			active = append(active, u)
		}
	}
	switch len(active) {
	case 1:
		return userResult{account: id(active[0])}
	case 0:
		return userResult{why: "no Jira account has this e-mail"}
	default:
		return userResult{why: fmt.Sprintf("%d Jira accounts match this e-mail", len(active))}
	}
}

// epicLinkField finds Data Center's Epic Link custom field (GET field,
// once): there an epic is not a parent.
func (t *Tracker) epicLinkField(ctx context.Context) (string, error) {
	t.epicMu.Lock()
	defer t.epicMu.Unlock()
	if t.epicField != "" || t.epicErr != nil {
		return t.epicField, t.epicErr
	}
	var fields []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Schema struct {
			Custom string `json:"custom"`
		} `json:"schema"`
	}
	if err := t.call(ctx, http.MethodGet, "rest/api/2/field", nil, nil, &fields); err != nil {
		return "", t.wrap(err, "list fields (for the Epic Link field)", "")
	}
	for _, f := range fields {
		if f.Schema.Custom == "com.pyxis.greenhopper.jira:gh-epic-link" || strings.EqualFold(f.Name, "Epic Link") {
			t.epicField = f.ID
			return f.ID, nil
		}
	}
	t.epicErr = trackers.Permanent(fmt.Errorf("jira %s: epic %s: this Jira has no Epic Link field; remove trackers.%s.epic or set the field in custom_fields", t.name, t.epic, t.name))
	return "", t.epicErr
}

// CloseDuplicate comments on dup where the kept issue is, links it
// "Duplicate" to keep, and moves it to a done status with the resolution
// Duplicate (when the transition takes a resolution; if Jira refuses
// the field, the transition is made without it).
func (t *Tracker) CloseDuplicate(ctx context.Context, dup, keep ticket.Ticket) error {
	key, ok := t.parseRef(dup.Ref, false)
	if !ok {
		return trackers.Permanent(fmt.Errorf("jira %s: close duplicate: %q is not an issue of this tracker", t.name, refString(dup.Ref)))
	}
	keepKey, keepOurs := t.parseRef(keep.Ref, false)
	keepText := keepKey
	if !keepOurs {
		keepText = keep.Ref.Text
		if keepText == "" {
			keepText = keep.Ref.URL
		}
	}
	what := "close duplicate " + key
	if keepText == "" {
		return fmt.Errorf("jira %s: %s: the ticket to keep has no reference", t.name, what)
	}
	body := fmt.Sprintf("Closed by pmsync as a duplicate of %s (same postmortem item).", escapeWiki(keepText))
	if _, err := t.comment(ctx, key, body, what); err != nil {
		return err
	}
	t.tr.Stats.Comments.Add(1)
	if keepOurs {
		if err := t.link(ctx, "Duplicate", key, keepKey); err != nil {
			t.log.Warn("jira duplicate link failed", "ticket", key, "kept", keepKey, "err", err)
		}
	}
	trs, resp, err := t.client.Issue.GetTransitionsWithContext(ctx, url.PathEscape(key))
	if err != nil {
		return t.wrap(sdkErr(resp, err), what+": list transitions", projectOf(key))
	}
	tr, ok := doneTransition(trs)
	if !ok {
		return trackers.Permanent(fmt.Errorf("jira %s: %s: no transition to a done status is available to the account", t.name, what))
	}
	payload := map[string]any{"transition": map[string]string{"id": tr.ID}}
	_, screen := tr.Fields["resolution"]
	if screen {
		payload["fields"] = map[string]any{"resolution": map[string]string{"name": "Duplicate"}}
	}
	path := "rest/api/2/issue/" + url.PathEscape(key) + "/transitions"
	err = t.call(ctx, http.MethodPost, path, nil, payload, nil)
	if err != nil && screen && fieldErrors(err, "resolution") {
		t.log.Info("jira refused the resolution Duplicate; transitioning without it", "ticket", key, "transition", tr.Name)
		delete(payload, "fields")
		err = t.call(ctx, http.MethodPost, path, nil, payload, nil)
	}
	if err != nil {
		return t.wrap(err, what, projectOf(key))
	}
	t.log.Info("jira duplicate closed", "ticket", key, "kept", keepText, "transition", tr.Name)
	return nil
}

// doneTransition picks a transition into the done status category,
// preferring one that says duplicate, then one that says the work will
// not be done (Won't Do, Cancel, Decline, Reject), each best with a
// screen that takes a resolution: if Jira refuses the resolution
// Duplicate, such a status still reads as Won't do, not as Done.
func doneTransition(trs []jira.Transition) (jira.Transition, bool) {
	best, bestScore := jira.Transition{}, -1
	for _, tr := range trs {
		if !strings.EqualFold(tr.To.StatusCategory.Key, "done") {
			continue
		}
		name := strings.ToLower(tr.Name + " " + tr.To.Name)
		score := 0
		switch {
		case strings.Contains(name, "duplicate"):
			score = 4
		case strings.Contains(name, "won't") || strings.Contains(name, "wont") || strings.Contains(name, "cancel") ||
			strings.Contains(name, "declin") || strings.Contains(name, "reject"):
			score = 2
		}
		if _, ok := tr.Fields["resolution"]; ok {
			score++
		}
		if score > bestScore {
			best, bestScore = tr, score
		}
	}
	return best, bestScore >= 0
}
