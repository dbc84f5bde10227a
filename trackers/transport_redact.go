package trackers

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// redacted replaces echoed credentials.
const redacted = "[REDACTED]"

// maxErrorBody is how much of an error answer is kept; no SDK quotes more.
const maxErrorBody = 1 << 20

// redactEcho cuts the request's own credentials out of an answer: from
// every header (a redirect's Location, a WWW-Authenticate) and from the
// body of an error answer. A server or proxy that echoes the
// Authorization header would otherwise put the token into the SDKs'
// errors, and from there into logs, output and reports. It works from
// the header that was sent (resp.Request is the request as the auth
// transport below finished it), so it needs no list of secrets and
// covers every adapter and credential kind.
func redactEcho(resp *http.Response) {
	if resp == nil || resp.Request == nil {
		return
	}
	forms := credentialForms(resp.Request.Header.Values("Authorization"))
	if len(forms) == 0 {
		return
	}
	for _, vs := range resp.Header {
		for i, v := range vs {
			vs[i] = redactForms(v, forms)
		}
	}
	// Success bodies are the tracker's data and are not rewritten: they
	// are large, and what a server puts into its tickets is its content.
	if resp.StatusCode < 400 || resp.Body == nil || resp.Body == http.NoBody {
		return
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if err != nil {
		b = nil // an unreadable error body is not quoted at all
	}
	clean := redactBody(b, forms)
	resp.Body = io.NopCloser(bytes.NewReader(clean))
	resp.ContentLength = int64(len(clean))
	resp.Header.Del("Content-Length")
}

// credentialForms are the spellings of the credentials in Authorization
// values that an echo could carry: the whole value, the credential after
// the scheme, for Basic the decoded user:password and the password, each
// also URL-escaped and (for base64) without its padding. Longest first,
// so a form containing another is cut whole.
func credentialForms(auths []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		// Shorter strings would cut ordinary words out of messages.
		if len(s) < 8 || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	addAll := func(s string) {
		add(s)
		add(strings.TrimRight(s, "="))
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
	}
	for _, a := range auths {
		a = strings.TrimSpace(a)
		addAll(a)
		scheme, cred, ok := strings.Cut(a, " ")
		if !ok {
			continue
		}
		cred = strings.TrimSpace(cred)
		addAll(cred)
		if strings.EqualFold(scheme, "basic") {
			if dec, err := base64.StdEncoding.DecodeString(cred); err == nil {
				addAll(string(dec))
				if _, pass, ok := strings.Cut(string(dec), ":"); ok {
					addAll(pass)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

func redactForms(s string, forms []string) string {
	for _, f := range forms {
		if strings.Contains(s, f) {
			s = strings.ReplaceAll(s, f, redacted)
		}
	}
	return s
}

// redactBody redacts a JSON body string by string, after decoding, so
// no escaping (\/, \u0041) hides a credential; any other body as text.
func redactBody(b []byte, forms []string) []byte {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if enc.Encode(redactJSON(v, forms)) == nil {
			return out.Bytes()
		}
	}
	return []byte(redactForms(string(b), forms))
}

func redactJSON(v any, forms []string) any {
	switch x := v.(type) {
	case string:
		return redactForms(x, forms)
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i], forms)
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[redactForms(k, forms)] = redactJSON(e, forms)
		}
		return out
	}
	return v
}
