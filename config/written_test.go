package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// emptyCase is one key of the schema written with an empty value.
type emptyCase struct {
	key  string // trackers.gh.priorities
	val  string // null, {} or []
	yaml string // the file
	// get reads the key's value back out of a loaded Config.
	get func(*Config) reflect.Value
	def reflect.Value // the key's default
}

// TestEmptyValuesKeptOrRefused writes every key of every section with
// each empty value its type allows (null, {}, []), on top of a valid
// config, and checks the promise of keepWritten: the load either fails
// with a problem naming the key, or the Config holds what was written (an
// entry of trackers/people/teams exists; a section keeps its defaults; a
// list or map is empty or, for null, the default) — never silently
// something else.
func TestEmptyValuesKeptOrRefused(t *testing.T) {
	t.Parallel()
	cases := emptyCases()
	if len(cases) < 60 {
		t.Fatalf("only %d cases: the schema walk missed keys", len(cases))
	}
	refused, kept := 0, 0
	for _, c := range cases {
		t.Run(c.key+"="+c.val, func(t *testing.T) {
			cfg, err := Load(writeConfig(t, c.yaml), nil)
			if err != nil {
				var verr *ValidationError
				if !errors.As(err, &verr) {
					t.Fatalf("not a validation error: %v\n--- file:\n%s", err, c.yaml)
				}
				named := false
				for _, p := range verr.Problems {
					named = named || strings.HasPrefix(p.Key, c.key)
				}
				if !named {
					t.Fatalf("refused without naming %s:\n%v\n--- file:\n%s", c.key, err, c.yaml)
				}
				refused++
				return
			}
			kept++
			got := c.get(cfg)
			null := c.val == "null"
			switch {
			case isEntry(c.key):
				if !got.IsValid() {
					t.Fatalf("%s was dropped", c.key)
				}
			case got.Kind() == reflect.Struct:
				if !reflect.DeepEqual(got.Interface(), c.def.Interface()) {
					t.Fatalf("empty section %s: got %+v, want its defaults %+v", c.key, got.Interface(), c.def.Interface())
				}
			case got.Kind() == reflect.Map || got.Kind() == reflect.Slice:
				if got.Len() != 0 && !(null && reflect.DeepEqual(got.Interface(), c.def.Interface())) {
					t.Fatalf("%s written empty holds %v", c.key, got.Interface())
				}
				if got.Len() != 0 && c.def.Len() != 0 && !null {
					t.Fatalf("%s written empty became the default %v", c.key, got.Interface())
				}
			default:
				if !reflect.DeepEqual(got.Interface(), c.def.Interface()) || !c.def.IsZero() {
					t.Fatalf("%s written null holds %v (default %v)", c.key, got.Interface(), c.def.Interface())
				}
			}
		})
	}
	t.Logf("%d cases: %d refused with the key named, %d kept", len(cases), refused, kept)
	if refused == 0 || kept == 0 {
		t.Errorf("refused %d, kept %d: one side never happened, so the test checks less than it claims", refused, kept)
	}
}

// TestEmptyTeamKept is the report's case: a team written with no tracker
// fields is a team.
func TestEmptyTeamKept(t *testing.T) {
	t.Parallel()
	for _, y := range []string{"teams: {fulfilment: {}}\n", "teams:\n  fulfilment:\n", "people: {alice: {}}\nteams: {fulfilment: null}\n"} {
		cfg, err := Load(writeConfig(t, validYAML+y), nil)
		if err != nil {
			t.Fatalf("%q: %v", y, err)
		}
		if _, ok := cfg.Teams["fulfilment"]; !ok {
			t.Errorf("%q: team fulfilment dropped: %+v", y, cfg.Teams)
		}
	}
}

// isEntry reports a key naming an entry of trackers, people or teams.
func isEntry(k string) bool {
	parts := strings.Split(k, ".")
	return len(parts) == 2 && (parts[0] == "trackers" || parts[0] == "people" || parts[0] == "teams")
}

// emptyCases walks the schema. Map entries use sample names: a GitHub
// and a Jira tracker (each key of a tracker is tried on both), a person, a
// team; routes get one element.
func emptyCases() []emptyCase {
	var out []emptyCase
	base := validYAML
	var walk func(t reflect.Type, path []string, get func(*Config) reflect.Value, def reflect.Value, wrap func(string) string, self bool)
	add := func(key, val string, get func(*Config) reflect.Value, def reflect.Value, wrap func(string) string) {
		out = append(out, emptyCase{key: key, val: val, yaml: wrap(val), get: get, def: def})
	}
	walk = func(t reflect.Type, path []string, get func(*Config) reflect.Value, def reflect.Value, wrap func(string) string, self bool) {
		key := strings.Join(path, ".")
		if self {
			switch t.Kind() {
			case reflect.Struct:
				add(key, "{}", get, def, wrap)
				add(key, "null", get, def, wrap)
			case reflect.Map:
				add(key, "{}", get, def, wrap)
				add(key, "null", get, def, wrap)
			case reflect.Slice:
				add(key, "[]", get, def, wrap)
				add(key, "null", get, def, wrap)
			default:
				add(key, "null", get, def, wrap)
			}
		}
		switch t.Kind() {
		case reflect.Struct:
			for i := range t.NumField() {
				tag, ok := fieldTag(t.Field(i))
				if !ok {
					continue
				}
				i := i
				sub := func(c *Config) reflect.Value {
					v := get(c)
					if !v.IsValid() {
						return v
					}
					return v.Field(i)
				}
				var subDef reflect.Value
				if def.IsValid() {
					subDef = def.Field(i)
				} else {
					subDef = reflect.Zero(t.Field(i).Type)
				}
				fw := func(inner string) string { return wrap(fmt.Sprintf("{%s: %s}", tag, inner)) }
				if len(path) == 0 {
					fw = func(inner string) string { return base + fmt.Sprintf("%s: %s\n", tag, inner) }
					if tag == "trackers" || tag == "routes" {
						// base sets these: replace the whole section
						fw = func(inner string) string { return fmt.Sprintf("%s: %s\n", tag, inner) }
					}
				}
				walk(t.Field(i).Type, append(path[:len(path):len(path)], tag), sub, subDef, fw, true)
			}
		case reflect.Map:
			if t.Elem().Kind() != reflect.Struct {
				return
			}
			names := map[string]string{"trackers": "", "people": "alice", "teams": "fulfilment"}
			section := path[len(path)-1]
			entries := []string{names[section]}
			if section == "trackers" {
				entries = []string{"gh", "jira"}
			}
			for _, name := range entries {
				name := name
				entryGet := func(c *Config) reflect.Value {
					v := get(c)
					if !v.IsValid() {
						return v
					}
					e := v.MapIndex(reflect.ValueOf(name))
					if !e.IsValid() {
						return e
					}
					cp := reflect.New(e.Type()).Elem()
					cp.Set(e)
					return cp
				}
				entryDef := reflect.Zero(t.Elem())
				ew := func(inner string) string { return wrap(fmt.Sprintf("{%s: %s}", name, inner)) }
				if section == "trackers" {
					typ := map[string]string{"gh": "github", "jira": "jira"}[name]
					entryDef = reflect.ValueOf(DefaultTracker(typ))
					// The entry itself is written empty alone; its keys beside
					// the fields a valid tracker needs.
					add("trackers."+name, "{}", entryGet, entryDef, func(inner string) string {
						return fmt.Sprintf("trackers: {%s: %s}\n", name, inner)
					})
					add("trackers."+name, "null", entryGet, entryDef, func(inner string) string {
						return fmt.Sprintf("trackers: {%s: %s}\n", name, inner)
					})
					needs := map[string][]string{"gh": {"type: github", "repo: acme/sre", "token_env: T"}, "jira": {"type: jira", "project: OPS", "token_env: T", "user_env: U"}}[name]
					ew = func(inner string) string {
						inner = unbrace(inner)
						fields := []string{inner}
						for _, n := range needs {
							if !strings.HasPrefix(inner, n[:strings.Index(n, ":")+1]) {
								fields = append(fields, n)
							}
						}
						return fmt.Sprintf("trackers: {%s: {%s}}\n", name, strings.Join(fields, ", "))
					}
				}
				walk(t.Elem(), append(path[:len(path):len(path)], name), entryGet, entryDef, ew, section != "trackers")
			}
		case reflect.Slice:
			if t.Elem().Kind() != reflect.Struct {
				return
			}
			elemGet := func(c *Config) reflect.Value {
				v := get(c)
				if !v.IsValid() || v.Len() == 0 {
					return reflect.Value{}
				}
				return v.Index(0)
			}
			if key != "routes" {
				// A list inside a section (nudges.ladder): each key beside
				// the fields a valid element needs.
				needs := map[string][]string{"nudges.ladder": {"after: 7d", "to: team"}}[key]
				walk(t.Elem(), []string{key + "[0]"}, elemGet, reflect.Zero(t.Elem()), func(inner string) string {
					inner = unbrace(inner)
					fields := []string{inner}
					for _, n := range needs {
						if !strings.HasPrefix(inner, n[:strings.Index(n, ":")+1]) {
							fields = append(fields, n)
						}
					}
					return wrap("[{" + strings.Join(fields, ", ") + "}]")
				}, false)
				return
			}
			walk(t.Elem(), []string{path[0] + "[0]"}, elemGet, reflect.ValueOf(Route{Tracker: "gh"}), func(inner string) string {
				inner = unbrace(inner)
				if strings.HasPrefix(inner, "tracker:") {
					return base[:strings.Index(base, "routes:")] + fmt.Sprintf("routes: [{%s}]\n", inner)
				}
				return base[:strings.Index(base, "routes:")] + fmt.Sprintf("routes: [{tracker: gh, %s}]\n", inner)
			}, false)
		}
	}
	walk(reflect.TypeFor[Config](), nil, func(c *Config) reflect.Value { return reflect.ValueOf(c).Elem() },
		reflect.ValueOf(Default()).Elem(), func(s string) string { return s }, false)
	return out
}

// unbrace takes one pair of braces off a flow map.
func unbrace(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
}

// TestEnvTyposReported: an override that sets nothing is an error naming
// the variable and the one meant; secret variables the config names, and
// variables that are not overrides at all, are left alone.
func TestEnvTyposReported(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, validYAML)
	for _, tt := range []struct {
		env  string
		want string // "" means no problem
	}{
		{"PMSYNC_TRACKERS_GH_REPOO=acme/x", "did you mean PMSYNC_TRACKERS_GH_REPO (trackers.gh.repo)"},
		{"PMSYNC_LOG_LEVL=debug", "did you mean PMSYNC_LOG_LEVEL (log.level)"},
		{"PMSYNC_TRACKERS_NOSUCH_REPO=a/b", "must exist in the file"},
		{"PMSYNC_REPORT_DIRECTORY=x", "sets no configuration key"},
		{"PMSYNC_GIT_TOKEN=s", ""},       // a secret for a source this config does not use
		{"PMSYNC_CONFIG=x.yaml", ""},     // the file's path
		{"PMSYNC_CORPUS=/tmp/x", ""},     // a test opt-in
		{"GITHUB_TOKEN_TYPO=x", ""},      // not ours
		{"PMSYNC_TRACKERS_GH_REPO=", ""}, // empty: ignored
	} {
		_, err := Load(p, []string{tt.env, "GITHUB_TOKEN=t", "JIRA_TOKEN=t", "JIRA_USER=u"})
		name, _, _ := strings.Cut(tt.env, "=")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.env, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), name+": ") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want a problem naming %s with %q", tt.env, err, name, tt.want)
		}
	}
	// A secret variable the config names under a section's prefix is not
	// a typo.
	p2 := writeConfig(t, "trackers: {gh: {type: github, repo: a/b, token_env: PMSYNC_TRACKERS_GH_SECRET}}\n")
	if _, err := Load(p2, []string{"PMSYNC_TRACKERS_GH_SECRET=t"}); err != nil {
		t.Errorf("a token_env variable was taken for an override: %v", err)
	}
}

// TestCredentialsReportedAtOnce: a deployment missing several secrets
// hears of all of them in one run.
func TestCredentialsReportedAtOnce(t *testing.T) {
	t.Parallel()
	cfg, err := Load(writeConfig(t, `
source: {type: git, git: {url: "https://git.example/acme/pm.git", token_env: GIT_TOKEN}}
trackers:
  gh: {type: github, repo: acme/sre, token_env: GITHUB_TOKEN}
  jira: {type: jira, deployment: cloud, project: OPS, token_env: JIRA_TOKEN, user_file: /nonexistent/jira-user}
  dc: {type: jira, deployment: datacenter, project: DC, token_env: DC_TOKEN}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = Secrets{Env: []string{"DC_TOKEN=ok"}}.Check(cfg.Credentials())
	if err == nil {
		t.Fatal("missing credentials passed")
	}
	for _, want := range []string{"4 credential(s)", "source.git.token_env: environment variable GIT_TOKEN",
		"trackers.gh.token_env: environment variable GITHUB_TOKEN", "trackers.jira.token_env: environment variable JIRA_TOKEN",
		"trackers.jira.user_file: read /nonexistent/jira-user"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "trackers.dc") {
		t.Errorf("a good credential was reported (or shown):\n%v", err)
	}
}
