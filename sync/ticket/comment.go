package ticket

// Mention is someone a ticket comment notifies: a person by their
// tracker identity (a GitHub login, a Jira account id or user name), or
// a team ("org/team" on GitHub).
type Mention struct {
	ID   string
	Team bool
}

// Comment is a comment pmsync posts on a ticket. Text is plain text (the
// tracker adapter escapes it in its own markup); Link, when set, is shown
// as a link labelled LinkText after the text; Mentions are written before
// it in the tracker's own mention syntax.
type Comment struct {
	Mentions []Mention
	Text     string
	Link     string
	LinkText string
}
