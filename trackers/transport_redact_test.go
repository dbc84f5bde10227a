package trackers

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// authAs adds an Authorization header below the Transport, as the
// adapters' auth transports do.
type authAs struct {
	value string
	base  http.RoundTripper
}

func (a authAs) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", a.value)
	return a.base.RoundTrip(r2)
}

// TestTransportRedactsEchoedCredentials: whatever way a server echoes the
// credentials of the request into an error answer (raw, JSON-escaped,
// URL-escaped, decoded Basic, in headers), what the SDK reads has none of
// them, and the rest of the answer is intact. Success bodies are data and
// are left alone.
func TestTransportRedactsEchoedCredentials(t *testing.T) {
	t.Parallel()
	const token = "ghp_Secret/Token+0123456789=="
	basic := base64.StdEncoding.EncodeToString([]byte("me@acme.example:" + token))
	jsonEscaped := func(s string) string { // as a server may spell it: \/ and \u escapes
		s = strings.ReplaceAll(s, "/", `\/`)
		return strings.ReplaceAll(s, "S", `\u0053`)
	}
	tests := []struct {
		name    string
		auth    string
		status  int
		body    string
		header  string // an echoing response header's value
		secrets []string
		keep    string // must still be in the body
	}{
		{"bearer in JSON", "Bearer " + token, 401, `{"message":"bad credentials: Bearer ` + token + `"}`, "", []string{token}, "bad credentials: [REDACTED]"},
		{"bearer JSON-escaped", "Bearer " + token, 400, `{"errorMessages":["` + jsonEscaped(token) + `"],"errors":{"summary":"x"}}`, "", []string{token}, `"summary":"x"`},
		{"bearer URL-escaped in text", "Bearer " + token, 500, "see https://x/?t=" + url.QueryEscape(token), "", []string{token, url.QueryEscape(token)}, "see https://x/?t="},
		{"basic: header, password, decoded", "Basic " + basic, 403,
			fmt.Sprintf(`{"message":"%s / %s / me@acme.example:%s / %s"}`, basic, strings.TrimRight(basic, "="), token, token),
			"", []string{basic, strings.TrimRight(basic, "="), token}, "[REDACTED] / [REDACTED] / [REDACTED] / [REDACTED]"},
		{"token scheme in a header", "token " + token, 404, "not found", "Bearer realm=" + token, []string{token}, "not found"},
		{"redirect location", "Bearer " + token, 302, "", "https://elsewhere.example/?t=" + token, []string{token}, ""},
		{"success body is data", "Bearer " + token, 200, `{"title":"kept ` + token + `"}`, "", nil, "kept " + token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") != tt.auth {
					t.Errorf("server got Authorization %q", r.Header.Get("Authorization"))
				}
				if tt.header != "" {
					w.Header().Set("Location", tt.header)
					w.Header().Set("WWW-Authenticate", tt.header)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			tr := &Transport{Base: authAs{tt.auth, http.DefaultTransport}, MaxRetries: -1}
			resp, err := do(t, tr, http.MethodPost, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := string(b)
			// What a JSON-reading SDK sees, with escapes undone.
			var v any
			if json.Unmarshal(b, &v) == nil {
				d, _ := json.Marshal(v)
				got += "\n" + strings.ReplaceAll(string(d), `\u0026`, "&")
			}
			for k, vs := range resp.Header {
				got += "\n" + k + ": " + strings.Join(vs, ", ")
			}
			for _, s := range tt.secrets {
				if strings.Contains(got, s) {
					t.Errorf("answer still holds %q:\n%s", s, got)
				}
			}
			if !strings.Contains(got, tt.keep) {
				t.Errorf("answer lost %q:\n%s", tt.keep, got)
			}
			if tt.status >= 400 && resp.ContentLength != int64(len(b)) {
				t.Errorf("ContentLength %d, body %d bytes", resp.ContentLength, len(b))
			}
		})
	}
}
