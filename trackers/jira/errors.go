package jira

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	jira "github.com/andygrunwald/go-jira"

	"github.com/pmsync/pmsync/sync/ticket"
	"github.com/pmsync/pmsync/trackers"
)

// apiError is a Jira answer other than 2xx: its status and Jira's own
// messages (ErrorCollection: errorMessages, and errors by field). Those
// name fields and values, never credentials; a body that is not Jira's
// JSON (a proxy's HTML page) is not quoted at all.
type apiError struct {
	Status   int
	Messages []string
	Fields   map[string]string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
	if all := e.all(); len(all) > 0 {
		s += ": " + strings.Join(all, "; ")
	}
	return s
}

// all is every message, the field errors sorted by field.
func (e *apiError) all() []string {
	out := append([]string(nil), e.Messages...)
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, k+": "+e.Fields[k])
	}
	return out
}

// errorCollection is Jira's error body.
type errorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

const maxErrorMessage = 500

func newAPIError(status int, body []byte) *apiError {
	e := &apiError{Status: status}
	var ec errorCollection
	if json.Unmarshal(body, &ec) == nil {
		for _, m := range ec.ErrorMessages {
			e.Messages = append(e.Messages, clip(m))
		}
		if len(ec.Errors) > 0 {
			e.Fields = map[string]string{}
			for k, v := range ec.Errors {
				e.Fields[clip(k)] = clip(v)
			}
		}
	}
	return e
}

func clip(s string) string {
	if len(s) > maxErrorMessage {
		return ticket.Cut(s, maxErrorMessage) + "…"
	}
	return s
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// call sends one request built here (not by a go-jira service method):
// path is relative to the API base, body is JSON-encoded, the answer is
// decoded into out. A non-2xx answer is an *apiError.
func (t *Tracker) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	if len(query) > 0 {
		path += "?" + query.Encode()
	}
	req, err := t.client.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body == nil {
		req.Header.Del("Content-Type")
	}
	resp, err := t.client.Do(req, out)
	if resp != nil && resp.Response != nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
		// go-jira leaves an error body unread.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		return newAPIError(resp.StatusCode, b)
	}
	if err != nil {
		return err
	}
	if out == nil && resp != nil && resp.Body != nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
	}
	return nil
}

// sdkErr turns the error of a go-jira service method into an *apiError
// when Jira answered, keeping Jira's messages (go-jira has read the body
// into a *jira.Error when it was JSON).
func sdkErr(resp *jira.Response, err error) error {
	if err == nil {
		return nil
	}
	if resp == nil || resp.Response == nil || (resp.StatusCode >= 200 && resp.StatusCode <= 299) {
		return err
	}
	e := &apiError{Status: resp.StatusCode}
	var je *jira.Error
	if errors.As(err, &je) {
		for _, m := range je.ErrorMessages {
			e.Messages = append(e.Messages, clip(m))
		}
		if len(je.Errors) > 0 {
			e.Fields = map[string]string{}
			for k, v := range je.Errors {
				e.Fields[clip(k)] = clip(v)
			}
		}
	}
	return e
}

// wrap adds context to err and classifies it: 4xx answers (rate limits
// never get here: the transport waits them out) are permanent, so
// callers do not retry them; a 404 is also ErrNotFound. what is e.g.
// "create issue in OPS"; project, when set, is the project a 404 or a
// 400 about the project means.
func (t *Tracker) wrap(err error, what, project string) error {
	if err == nil {
		return nil
	}
	code := statusOf(err)
	var hint string
	switch code {
	case http.StatusUnauthorized:
		hint = fmt.Sprintf("Jira rejected the credentials: check trackers.%s user_env and token_env/token_file "+
			"(Cloud: the account's e-mail and an API token; Data Center: a personal access token)", t.name)
	case http.StatusForbidden:
		hint = "the account lacks a permission this needs (browse, create, link, comment and transition issues in the project)"
	case http.StatusNotFound:
		if project != "" {
			hint = t.projectHint(project)
		}
	case http.StatusGone:
		hint = fmt.Sprintf("this Jira has removed the API pmsync called; if it is Jira Cloud, set trackers.%s.deployment: cloud", t.name)
	case http.StatusBadRequest:
		if project != "" && mentionsProject(err, project) {
			hint = t.projectHint(project)
			code = http.StatusNotFound
		}
	}
	e := fmt.Errorf("jira %s: %s: %w", t.name, what, err)
	if hint != "" {
		e = fmt.Errorf("%w: %s", e, hint)
	}
	switch {
	case code == http.StatusNotFound:
		e = trackers.Permanent(fmt.Errorf("%w (%w)", e, trackers.ErrNotFound))
	case code >= 400 && code < 500 && code != http.StatusTooManyRequests:
		e = trackers.Permanent(e)
	}
	return t.scrub(e)
}

func (t *Tracker) projectHint(project string) string {
	return fmt.Sprintf("check that project %s exists (trackers.%s.project or the route's project) and that the account can browse it", project, t.name)
}

// mentionsProject tells Jira's 400 for a JQL project it does not know
// ("The value 'OPS' does not exist for the field 'project'.").
func mentionsProject(err error, project string) bool {
	var ae *apiError
	if !errors.As(err, &ae) {
		return false
	}
	for _, m := range ae.all() {
		l := strings.ToLower(m)
		if strings.Contains(l, "'"+strings.ToLower(project)+"'") && strings.Contains(l, "project") {
			return true
		}
	}
	return false
}

// scrub is the last line of defence: whatever an error says (a server
// echoing a header, a URL), the tracker's secrets are cut out of its
// text. errors.Is and errors.As still see the wrapped chain.
func (t *Tracker) scrub(err error) error {
	if err == nil || len(t.secrets) == 0 {
		return err
	}
	msg := err.Error()
	clean := msg
	for _, s := range t.secrets {
		clean = strings.ReplaceAll(clean, s, "REDACTED")
	}
	if clean == msg {
		return err
	}
	return scrubbed{msg: clean, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (s scrubbed) Error() string { return s.msg }
func (s scrubbed) Unwrap() error { return s.err }

// secretsOf lists the strings no error may contain: the token, the
// Basic header's base64, the OAuth client secret and tokens.
func secretsOf(cfg Config) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 4 {
			out = append(out, s)
		}
	}
	add(cfg.Token)
	if cfg.User != "" && cfg.Token != "" {
		add(base64.StdEncoding.EncodeToString([]byte(cfg.User + ":" + cfg.Token)))
	}
	if cfg.OAuth != nil {
		add(cfg.OAuth.ClientSecret)
	}
	if cfg.OAuthToken != nil {
		add(cfg.OAuthToken.AccessToken)
		add(cfg.OAuthToken.RefreshToken)
	}
	// Longest first, so a secret containing another is cut whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// fieldErrors reports whether a 400 names any of these fields (errors
// by field: {"assignee": "..."}), or says so in errorMessages.
func fieldErrors(err error, fields ...string) bool {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return false
	}
	for _, f := range fields {
		if _, ok := ae.Fields[f]; ok {
			return true
		}
		for _, m := range ae.Messages {
			if strings.Contains(strings.ToLower(m), strings.ToLower(f)) {
				return true
			}
		}
	}
	return false
}
