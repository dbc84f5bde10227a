package ticket

import "time"

// Target is where a ticket lives: a tracker, and a repo or project in it.
type Target struct {
	Tracker string // tracker name from the configuration
	Repo    string // GitHub owner/name
	Project string // Jira project key
}

// String is "gh:acme/sre" or "jira:OPS".
func (t Target) String() string {
	if t.Repo != "" {
		return t.Tracker + ":" + t.Repo
	}
	return t.Tracker + ":" + t.Project
}

// Spec is a wanted ticket: everything a tracker needs to open it.
type Spec struct {
	Target Target
	Marker Marker
	Kind   Kind

	Title  string // item text, Markdown stripped, at most 200 characters
	Detail string // the rest of the item, plain text

	DocTitle    string
	DocDate     time.Time
	DocSeverity string
	DocURL      string // link to the postmortem, when source.web_url is set

	OwnerText string // the owner as written in the document
	Assignee  string // tracker account (GitHub login, Jira accountId or name); "" for none
	// NeedsOwner: no owner at all; the ticket is labelled needs-owner.
	NeedsOwner bool
	Due        time.Time
	Priority   string // P0–P4
	Type       string // mitigate, prevent, detect, process, …
	// Factors are the tickets of the contributing factors the item
	// addresses.
	Factors []Ref
}

// Ticket is an observed ticket.
type Ticket struct {
	Target Target
	Ref    Ref
	// Marker is set when the ticket's body carries a valid marker.
	Marker    Marker
	HasMarker bool
	Title     string
	Status    Status
	Created   time.Time
	Updated   time.Time
	Assignee  string
	Due       time.Time
	// Author is the account that created the ticket.
	Author string
	// Labels are the ticket's labels as the tracker listed them, in its
	// order and spelling. pmsync marks each follow-up step it took on a
	// ticket with a label (Nudger), so they tell what was done already.
	Labels []string
}
