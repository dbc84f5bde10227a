// Package factory builds the configured trackers. It is the only package
// that imports every tracker adapter and the configuration.
package factory

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"time"

	"golang.org/x/oauth2"

	"github.com/pmsync/pmsync/config"
	"github.com/pmsync/pmsync/trackers"
	"github.com/pmsync/pmsync/trackers/github"
	"github.com/pmsync/pmsync/trackers/jira"
)

// Options are what every tracker shares.
type Options struct {
	Env      []string // for token_env / user_env
	ReadFile func(string) ([]byte, error)
	Clock    trackers.Clock
	Logger   *slog.Logger
	Base     http.RoundTripper // tests and the demo
	// Timeout is the per-request timeout (default: the adapter's, 30 s).
	Timeout time.Duration
	// Secret, when set, is told every secret resolved, so the logger can
	// scrub it from any message as a last line of defence.
	Secret func(string)
}

// Statser is a tracker that counts its API calls (trackers.Statser).
type Statser = trackers.Statser

// New builds every configured tracker. Its errors are configuration
// errors: they name the key and never contain a secret.
func New(cfg *config.Config, o Options) (map[string]trackers.Tracker, error) {
	base := config.Secrets{Env: o.Env, ReadFile: o.ReadFile}
	if o.Logger != nil {
		base.Warn = func(msg string) { o.Logger.Warn(msg) }
	}
	secrets := resolver{base, o.Secret}
	out := map[string]trackers.Tracker{}
	names := make([]string, 0, len(cfg.Trackers))
	for n := range cfg.Trackers {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, name := range names {
		tc := cfg.Trackers[name]
		tc.Name = name
		if tc.AllowInsecureHTTP && o.Logger != nil {
			for key, raw := range map[string]string{"base_url": tc.BaseURL, "oauth.token_url": tc.OAuth.TokenURL} {
				if u, err := url.Parse(raw); err == nil && u.Scheme == "http" && !config.Loopback(u.Hostname()) {
					o.Logger.Warn("credentials are sent in clear text over http:// (allow_insecure_http is set); use https://", "key", "trackers."+name+"."+key, "host", u.Host)
				}
			}
		}
		switch tc.Type {
		case config.TrackerGitHub:
			gc := github.Config{
				Name: name, BaseURL: tc.BaseURL, Repo: tc.Repo, Milestone: tc.Milestone,
				WriteInterval: tc.WriteInterval, AppID: tc.AppID, InstallationID: tc.InstallationID,
				Timeout: o.Timeout, MaxResponseBytes: tc.MaxResponseBytes,
			}
			if tc.IsGitHubApp() {
				read := o.ReadFile
				if read == nil {
					read = os.ReadFile
				}
				key, err := read(tc.PrivateKeyFile)
				if err != nil {
					errs = append(errs, fmt.Errorf("trackers.%s.private_key_file: cannot read %s: %w", name, tc.PrivateKeyFile, unwrapPath(err)))
					continue
				}
				gc.PrivateKey = key
			} else {
				tok, err := secrets.Resolve(tc.Token())
				if err != nil {
					errs = append(errs, err)
					continue
				}
				gc.Token = tok
			}
			t, err := github.New(gc, github.Options{Clock: o.Clock, Logger: o.Logger, Base: o.Base})
			if err != nil {
				errs = append(errs, fmt.Errorf("trackers.%s: %w", name, err))
				continue
			}
			out[name] = t
		case config.TrackerJira:
			jc := jira.Config{
				Name: name, BaseURL: tc.BaseURL, Deployment: tc.Deployment, Project: tc.Project,
				IssueTypes: tc.IssueTypes, Priorities: tc.Priorities, WontDo: tc.WontDoResolutions,
				Components: tc.Components, Epic: tc.Epic, CustomFields: tc.CustomFields,
				WriteInterval: tc.WriteInterval, Timeout: o.Timeout, MaxResponseBytes: tc.MaxResponseBytes,
			}
			if tc.OAuth.IsSet() {
				secret, err1 := secrets.Resolve(tc.ClientSecret())
				refresh, err2 := secrets.Resolve(tc.RefreshToken())
				if err := errors.Join(err1, err2); err != nil {
					errs = append(errs, err)
					continue
				}
				tokenURL := tc.OAuth.TokenURL
				if tokenURL == "" {
					tokenURL = "https://auth.atlassian.com/oauth/token"
				}
				jc.OAuth = &oauth2.Config{ClientID: tc.OAuth.ClientID, ClientSecret: secret,
					Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams}}
				jc.OAuthToken = &oauth2.Token{RefreshToken: refresh}
				jc.WebURL = tc.OAuth.WebURL
				t, err := jira.New(jc, jira.Options{Clock: o.Clock, Logger: o.Logger, Base: o.Base})
				if err != nil {
					errs = append(errs, fmt.Errorf("trackers.%s: %w", name, err))
					continue
				}
				out[name] = t
				continue
			}
			tok, err := secrets.Resolve(tc.Token())
			if err != nil {
				errs = append(errs, err)
				continue
			}
			jc.Token = tok
			// The user (Cloud: the account's e-mail) may be left out only for
			// a Data Center personal access token (Bearer).
			user, err := secrets.Resolve(tc.User())
			switch {
			case err == nil:
				jc.User = user
			case errors.Is(err, config.ErrSecretNotConfigured) && tc.Deployment != config.DeploymentCloud:
			default:
				errs = append(errs, err)
				continue
			}
			t, err := jira.New(jc, jira.Options{Clock: o.Clock, Logger: o.Logger, Base: o.Base})
			if err != nil {
				errs = append(errs, fmt.Errorf("trackers.%s: %w", name, err))
				continue
			}
			out[name] = t
		default:
			errs = append(errs, fmt.Errorf("trackers.%s.type: unknown tracker type %q", name, tc.Type))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// resolver resolves secrets and reports each to the logger's scrubber.
type resolver struct {
	config.Secrets
	tell func(string)
}

func (r resolver) Resolve(ref config.SecretRef) (string, error) {
	v, err := r.Secrets.Resolve(ref)
	if err == nil && r.tell != nil {
		r.tell(v)
	}
	return v, err
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
