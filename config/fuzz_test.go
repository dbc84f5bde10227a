package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pmsync/pmsync/internal/testkit"
	"go.yaml.in/yaml/v3"
)

// secretPlaceholder in a fuzzed file is replaced by a canary value that
// the fuzzer cannot otherwise produce; FuzzLoad then checks that no error
// quotes the canary when it sits only under keys whose values Load
// promises never to quote.
const secretPlaceholder = "$SECRET"

// Budgets of one Load in FuzzLoad: far above what the fuzzer's inputs
// need (a few ms, a few MiB allocated), far below a hang or the GiBs that
// maps nested a thousand deep took before Load bounded the nesting.
const (
	fuzzLoadTimeout = 10 * time.Second
	fuzzLoadAlloc   = 512 << 20
)

// TestMain shortens the time the fuzzer spends minimizing each new
// interesting input (60 s by default) unless -fuzzminimizetime is given:
// FuzzLoad runs a Load twice per input, and minimizing one of the example
// configs' mutants would take the whole of CI's 15 s per target.
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.fuzzminimizetime" })
	if !given {
		if err := flag.Set("test.fuzzminimizetime", "2s"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// FuzzLoad loads fuzzed config files with fuzzed PMSYNC_ overrides (one
// NAME=VALUE a line, PMSYNC_ added) and checks that Load never panics or
// hangs; that an error names the file or a key and never quotes a value
// under an unknown or secret-looking key; that a loaded config is valid;
// and that loading is deterministic.
func FuzzLoad(f *testing.F) {
	for _, s := range fuzzLoadSeeds(f) {
		f.Add([]byte(s.yaml), s.env)
	}
	// One file, rewritten by each iteration: a new directory for each
	// would slow the fuzzer down noticeably.
	path := filepath.Join(f.TempDir(), "pmsync.yaml")
	f.Fuzz(func(t *testing.T, data []byte, env string) {
		checkLoad(t, path, data, env)
	})
}

type loadSeed struct{ yaml, env string }

// fuzzLoadSeeds are the repository's example configs and a set of broken
// ones.
func fuzzLoadSeeds(tb testing.TB) []loadSeed {
	tb.Helper()
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatalf("seed: %v", err)
		}
		return string(b)
	}
	// The ConfigMap's pmsync.yaml is what the Kubernetes deployment runs.
	var cm struct {
		Data map[string]string `yaml:"data"`
	}
	if err := yaml.Unmarshal([]byte(read("../deploy/kubernetes/configmap.yaml")), &cm); err != nil || cm.Data["pmsync.yaml"] == "" {
		tb.Fatalf("seed: no pmsync.yaml in the ConfigMap (%v)", err)
	}
	example := read("../testdata/pmsync.yaml")
	seeds := []loadSeed{
		{example, ""},
		{read("testdata/spec.yaml"), ""},
		{cm.Data["pmsync.yaml"], ""},
		{validYAML, ""},
		{"", ""},
		{validYAML, "SOURCE_PATH=docs/pm\nTRACKERS_GH_REPO=acme/other\nTRACKERS_GH_WRITE_INTERVAL=3s\nTRACKERS_GH_MAX_CREATES=7"},
		{validYAML, "ROUTES_0_MATCH_TEAM=billing\nROUTES_1_REPO=acme/x\nROUTES_7_TRACKER=gh\nDEFAULTS_DUE_AFTER_SEV1=15d\nDEFAULTS_HORIZONS_SHORT_TERM=10d"},
		{validYAML, "SOURCE_INCLUDE=a/*.md, ,b/**\nREPORT_FORMATS=csv,md\nLOG_LEVEL=\nLINT_REQUIRE_OWNER=yes\nTRACKERS_GH_MAX_CREATE_SHARE=NaN"},
		{"trackers:\n  my_gh: {type: github, repo: a/b}\n", "TRACKERS_MY_GH_TYPE=jira\nTRACKERS_MY_GH_PRIORITIES_P9=x\nTRACKERS_MY_GH_TOKEN=" + secretPlaceholder},
		{example, "CONFIG=x.yaml\nGIT_TOKEN=s\nTRACKERS_JIRA_DEPLOYMENT=server\nPEOPLE_ALICE_EMAIL=alice"},

		// Broken YAML.
		{"source: [unclosed\n", ""},
		{"source:\n\tpath: x\n", ""},
		{"trackers:\n  gh: {type: github\n  repo: a/b}\n", ""},
		{"- just\n- a list\n", ""},
		{"just a scalar " + secretPlaceholder + "\n", ""},
		{"\"unterminated\n", ""},
		{"a: b\n---\nc: d\n", ""},
		{"%YAML 1.1\n---\nsource: {path: x}\n", ""},
		{"\xff\xfe\x00s\x00o", ""},
		// Wrong types, huge and odd numbers.
		{"source: {type: [dir], path: {a: b}, include: x, exclude: 3}\n", ""},
		{"trackers:\n  gh: {type: github, repo: a/b, max_creates: 99999999999999999999999, app_id: 1e400, installation_id: -0x8000000000000001}\n", ""},
		{"trackers:\n  gh: {type: github, repo: a/b, max_creates: 2.5, max_create_share: .nan, write_interval: 5}\n", ""},
		{"trackers:\n  gh: {type: github, repo: a/b, max_create_share: .inf, write_interval: 9999999999h, app_id: 0b11}\n", ""},
		{"trackers: [gh, jira]\nroutes: {tracker: gh}\npeople: 7\nlint: {require_owner: maybe}\n", ""},
		{"trackers:\n  j: {type: jira, project: OPS, custom_fields: {customfield_1: {value: x, child: [1, .nan, ~]}}}\n", ""},
		// Unknown keys, and secrets where they do not belong.
		{"sourc: {path: x}\ntrackers:\n  gh: {type: github, repo: a/b, milestones: x}\n", ""},
		{"trackers:\n  gh: {type: github, repo: a/b, token: " + secretPlaceholder + "}\n", ""},
		{"trackers:\n  jira: {type: jira, project: OPS, password: \"" + secretPlaceholder + "\", api_key: [" + secretPlaceholder + "]}\n", ""},
		{"source:\n  git:\n    url: https://x/r.git\n    secret: |\n      " + secretPlaceholder + "\n    private_key: {pem: " + secretPlaceholder + "}\n", ""},
		{"trackers:\n  gh: {type: github, repo: a/b, oauth: {client_secret: " + secretPlaceholder + ", refresh_token: !!int " + secretPlaceholder + "}}\n", ""},
		{"token: &t " + secretPlaceholder + "\nsource: {path: *t}\n", ""},
		{"x: {? {token: " + secretPlaceholder + "} : 1}\n", ""},
		{"source: {path: [{token: " + secretPlaceholder + "}]}\n", ""},
		{"source: {git: {url: \"https://u:" + secretPlaceholder + "@example.com/r.git\"}}\n", ""},
		// Keys that differ only in case, and merge keys.
		{"source: {path: a, PATH: b}\nSource: {type: git}\n", ""},
		{"base: &b {type: github, repo: a/b}\ntrackers:\n  gh: {<<: *b, max_creates: 3}\n", ""},
		// Deep nesting, anchors and aliases.
		{"trackers:\n  j: {type: jira, project: OPS, custom_fields: " + strings.Repeat("{a: ", 40) + "1" + strings.Repeat("}", 40) + "}\n", ""},
		{"x: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n", ""},
		{"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
			"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", ""},
		{"trackers:\n  j:\n    type: jira\n    project: OPS\n    custom_fields:\n      a: &a {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1}\n" +
			"      b: &b {k0: *a, k1: *a, k2: *a, k3: *a, k4: *a, k5: *a, k6: *a, k7: *a}\n      c: {k0: *b, k1: *b, k2: *b, k3: *b, k4: *b, k5: *b, k6: *b, k7: *b}\n", ""},
		{"a: &a [*a]\n", ""},
		{"source: {path: *nope}\n", ""},
	}
	return seeds
}

// checkLoad is FuzzLoad's property check for one input, written to path.
func checkLoad(t *testing.T, path string, data []byte, envSpec string) {
	// The canary depends on the whole input, so that the fuzzer cannot
	// write it anywhere but through the placeholder.
	sum := sha256.Sum256(append(append([]byte(nil), data...), envSpec...))
	canary := "zq" + hex.EncodeToString(sum[:6])
	data = []byte(strings.ReplaceAll(string(data), secretPlaceholder, canary))

	var env []string
	for line := range strings.Lines(envSpec) {
		if len(env) == 32 {
			break
		}
		env = append(env, EnvPrefix+strings.TrimSuffix(line, "\n"))
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	c1, err1 := boundedLoad(t, path, env)
	c2, err2 := boundedLoad(t, path, env)

	// Deterministic: the same config, or the same error.
	switch {
	case (err1 == nil) != (err2 == nil):
		t.Fatalf("Load twice: %v, then %v", err1, err2)
	case err1 != nil && err1.Error() != err2.Error():
		t.Fatalf("Load twice gave different errors:\n%v\nthen\n%v", err1, err2)
	case err1 == nil && !reflect.DeepEqual(c1, c2) && fmt.Sprintf("%#v", c1) != fmt.Sprintf("%#v", c2): // %#v: NaN equals NaN
		t.Fatalf("Load twice gave different configs:\n%+v\nthen\n%+v", c1, c2)
	}

	if err1 != nil {
		checkLoadError(t, err1, path, data, canary)
		return
	}
	checkLoaded(t, c1)
}

// boundedLoad is Load, failing the test when it runs too long or
// allocates too much.
func boundedLoad(t *testing.T, path string, env []string) (*Config, error) {
	t.Helper()
	type result struct {
		c     *Config
		err   error
		alloc uint64
	}
	done := make(chan result, 1)
	go func() {
		// Bytes allocated, without stopping the world as
		// runtime.ReadMemStats would.
		allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		c, err := Load(path, env)
		metrics.Read(allocs)
		done <- result{c, err, allocs[0].Value.Uint64() - before}
	}()
	select {
	case r := <-done:
		if r.alloc > fuzzLoadAlloc {
			t.Fatalf("Load allocated %d MiB (budget %d MiB)", r.alloc>>20, fuzzLoadAlloc>>20)
		}
		return r.c, r.err
	case <-time.After(fuzzLoadTimeout):
		t.Fatalf("Load did not return within %v", fuzzLoadTimeout)
		return nil, nil
	}
}

func checkLoadError(t *testing.T, err error, path string, data []byte, canary string) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		t.Fatalf("Load returned an error with an empty message (%#v)", err)
	}
	if !strings.Contains(msg, path) {
		t.Errorf("error does not name the config file %s:\n%v", path, err)
	}
	var verr *ValidationError
	if errors.As(err, &verr) {
		if len(verr.Problems) == 0 {
			t.Errorf("ValidationError without problems: %v", err)
		}
		for _, p := range verr.Problems {
			if p.Key == "" || strings.TrimSpace(p.Message) == "" {
				t.Errorf("problem %#v does not name a key or say what is wrong", p)
			}
		}
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return // a syntax error; where the canary was is unknown
	}
	w := leakWalk{canary: canary, budget: 100000}
	w.walk(&doc, reflect.TypeFor[Config](), false)
	if w.hidden && !w.shown && strings.Contains(strings.ToLower(msg), canary) {
		t.Errorf("error quotes a value that is only under unknown or secret-looking keys (%s):\n%v", canary, err)
	}
}

// checkLoaded checks what Load returned without an error.
func checkLoaded(t *testing.T, c *Config) {
	t.Helper()
	if err := c.Validate(); err != nil {
		var verr *ValidationError
		if !errors.As(err, &verr) {
			t.Fatalf("Validate returned %T, want *ValidationError: %v", err, err)
		}
		for _, p := range verr.Problems {
			if p.Key == "" {
				t.Errorf("problem %#v names no key", p)
			}
		}
		t.Fatalf("Load succeeded, but Validate fails: %v", err)
	}
	for name, tr := range c.Trackers {
		switch {
		case tr.Name != name || name != strings.ToLower(name):
			t.Errorf("tracker %q is named %q", name, tr.Name)
		case !(tr.MaxCreateShare > 0 && tr.MaxCreateShare <= 1):
			t.Errorf("trackers.%s.max_create_share = %v, outside (0, 1]", name, tr.MaxCreateShare)
		case tr.MaxCreates < 0 || tr.WriteInterval < 0:
			t.Errorf("trackers.%s: negative max_creates %d or write_interval %v", name, tr.MaxCreates, tr.WriteInterval)
		}
	}
	for i, r := range c.Routes {
		if _, ok := c.Trackers[r.Tracker]; !ok {
			t.Errorf("routes[%d].tracker %q is not a tracker", i, r.Tracker)
		}
	}
	for k := range c.Defaults.DueAfter {
		if k != "default" && k != strings.ToUpper(k) {
			t.Errorf("defaults.due_after key %q is not upper case", k)
		}
	}
}

// leakWalk walks a YAML document alongside the Config schema and records
// whether the canary occurs as (part of) a value that Load must never quote
// (hidden: under an unknown key, or under a secret-looking key where the
// schema has no field), and whether it occurs anywhere else (shown: a key,
// an anchor, a tag, a value of a known key), where quoting it is fine.
type leakWalk struct {
	canary        string
	hidden, shown bool
	budget        int // nodes left to visit; aliases can make a lot
}

// walk visits n; t is the schema type at n, nil where there is none (an
// unknown key, a type mismatch, a free-form value such as custom_fields).
func (w *leakWalk) walk(n *yaml.Node, t reflect.Type, hidden bool) {
	if w.budget--; w.budget < 0 {
		w.shown = true // too big to tell: check nothing
		return
	}
	if t != nil && t.Kind() == reflect.Interface {
		t = nil
	}
	if w.has(n.Anchor) || w.has(n.Tag) {
		w.shown = true
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			w.walk(c, t, hidden)
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			w.walk(n.Alias, t, hidden)
		}
	case yaml.ScalarNode:
		if w.has(n.Value) {
			if hidden {
				w.hidden = true
			} else {
				w.shown = true
			}
		}
	case yaml.SequenceNode:
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for _, c := range n.Content {
			w.walk(c, elem, hidden)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "") {
				// A merge: the merged maps' keys are this map's.
				w.merge(v, t, hidden)
				continue
			}
			if k.Kind != yaml.ScalarNode {
				w.walk(k, nil, hidden) // a complex key, as unknown as it gets
				w.walk(v, nil, hidden)
				continue
			}
			if w.has(k.Value) {
				w.shown = true // keys are quoted
			}
			vt, vhidden := w.child(t, strings.ToLower(k.Value))
			w.walk(v, vt, hidden || vhidden)
		}
	}
}

func (w *leakWalk) merge(v *yaml.Node, t reflect.Type, hidden bool) {
	for v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind == yaml.SequenceNode {
		for _, c := range v.Content {
			w.walk(c, t, hidden)
		}
		return
	}
	w.walk(v, t, hidden)
}

// child returns the schema type under key in a map of type t, and whether
// the value is one Load must not quote.
func (w *leakWalk) child(t reflect.Type, key string) (reflect.Type, bool) {
	if t == nil {
		return nil, secretLooking(key)
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			if tag, ok := fieldTag(t.Field(i)); ok && tag == key {
				return t.Field(i).Type, false
			}
		}
		return nil, true // unknown key
	case reflect.Map:
		return t.Elem(), false // a name: people, trackers, due_after, ...
	}
	return nil, secretLooking(key) // a map where the schema has a value
}

func (w *leakWalk) has(s string) bool { return strings.Contains(strings.ToLower(s), w.canary) }

// secretLooking reports whether key names a secret.
func secretLooking(key string) bool {
	if _, ok := secretKeys[key]; ok {
		return true
	}
	for _, s := range []string{"token", "password", "passwd", "secret", "private_key", "api_key", "apikey"} {
		if strings.Contains(key, s) {
			return true
		}
	}
	return false
}

// The tests below pin what FuzzLoad (and the review that came with it)
// found.

// TestLoadErrorsDeterministic: mapstructure decodes maps in random order;
// the problems come out sorted all the same. FuzzLoad found this with
// trACkers: {01:: 0} (testdata/fuzz/FuzzLoad/a8581af30ddb6d48).
func TestLoadErrorsDeterministic(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, "trackers: {a: 1, b: 2, c: [x], d: {type: github, repo: a/b, max_creates: lots}, e: true}\n")
	_, first := Load(p, nil)
	if first == nil {
		t.Fatal("Load succeeded, want an error")
	}
	for range 20 {
		if _, err := Load(p, nil); err == nil || err.Error() != first.Error() {
			t.Fatalf("Load gave\n%v\nthen\n%v", first, err)
		}
	}
	var verr *ValidationError
	if !errors.As(first, &verr) || !slices.IsSortedFunc(verr.Problems, func(a, b Problem) int { return strings.Compare(a.Key, b.Key) }) {
		t.Errorf("problems not sorted by key: %v", first)
	}
}

// TestLoadBounds: files that would take viper or yaml minutes or GiBs
// (maps nested thousands deep: viper's cost grows with the cube of the
// depth; a map with a million keys: yaml's grows with the square) are
// refused quickly, naming the file and, where there is one, the key.
func TestLoadBounds(t *testing.T) {
	t.Parallel()
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&bomb, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	var wide strings.Builder
	wide.WriteString("x: {")
	for i := range maxFileMapKeys + 1 {
		fmt.Fprintf(&wide, "%x,", i)
	}
	wide.WriteString("}\n")
	tests := []struct {
		name, yaml string
		want       string
	}{
		{"too big", "# " + strings.Repeat("x", maxFileSize) + "\n", "larger than 1024 KiB"},
		{"nested maps", "x: " + strings.Repeat("{a: ", 5000) + "1" + strings.Repeat("}", 5000) + "\n", "x.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: nested more than 16 levels deep"},
		{"nested lists", "source: {include: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}\n", "source.include[0][0]"},
		{"nested in custom_fields", "trackers: {j: {type: jira, project: OPS, custom_fields: " + strings.Repeat("{a: ", 14) + "1" + strings.Repeat("}", 14) + "}}\n", "nested more than 16 levels deep"},
		{"alias cycle", "a: &a [*a]\n", "nested more than 16 levels deep"},
		{"alias bomb", bomb.String(), "more than 100000 keys and values, counting those each alias (*name) repeats"},
		{"many keys in a map", wide.String(), "x: more than 10000 keys in one map"},
		{"many values", "source: {include: [" + strings.Repeat("a,", maxFileNodes) + "]}\n", "more than 100000 keys and values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeConfig(t, tt.yaml)
			start := time.Now()
			_, err := Load(p, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("Load = %.300v, want an error naming %s with %q", err, p, tt.want)
			}
			testkit.Within(t, "Load", time.Since(start), 10*time.Second)
		})
	}
	// At the bounds, Load still works.
	ok := "trackers: {j: {type: jira, project: OPS, custom_fields: " + strings.Repeat("{a: ", 11) + "[1]" + strings.Repeat("}", 11) + "}}\n"
	if _, err := Load(writeConfig(t, ok), nil); err != nil {
		t.Errorf("custom_fields 16 levels deep: %v", err)
	}
}

// TestLoadYAMLErrorsQuoteNoValue: yaml's messages quote a value that does
// not match its explicit tag, a map used as a key, and a document that is
// not a map; Load leaves the value out, as it may be a token. FuzzLoad's
// seeds found the first two.
func TestLoadYAMLErrorsQuoteNoValue(t *testing.T) {
	t.Parallel()
	const secret = "ghp_s3cr3tT0ken"
	for _, yaml := range []string{
		"trackers:\n  gh: {type: github, repo: a/b, token: !!int " + secret + "}\n",
		"trackers:\n  gh: {type: github, repo: a/b, token: !!float \"x`" + secret + "`\"}\n",
		"x: {? {token: " + secret + "} : 1}\n",
		"x: {[" + secret + "]: 1}\n",
		secret + "\n", // a token file passed as the config file
		"- " + secret + "\n",
		"token: !!timestamp " + secret + "\n",
	} {
		p := writeConfig(t, yaml)
		_, err := Load(p, nil)
		if err == nil || !strings.Contains(err.Error(), "parse config file "+p) {
			t.Errorf("%q: Load = %v, want a parse error naming the file", yaml, err)
		} else if strings.Contains(err.Error(), secret[:7]) { // yaml quotes up to 7 characters of a long value
			t.Errorf("%q: error quotes the value: %v", yaml, err)
		}
	}
}

// TestLoadKeysDifferingInCase: viper folds keys to lower case and would
// keep one of source.path and source.PATH at random; Load reports both.
func TestLoadKeysDifferingInCase(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, validYAML+"source: {path: a, PATH: b, Path: c}\nlog: {level: info}\nLog: {level: debug}\n")
	_, first := Load(p, nil)
	for _, want := range []string{`log: is set 2 times, as "Log" and "log"`, `source.path: is set 3 times, as "PATH" and "Path" and "path"`} {
		if first == nil || !strings.Contains(first.Error(), want) {
			t.Errorf("Load = %v, want %q", first, want)
		}
	}
	for range 10 {
		if _, err := Load(p, nil); err == nil || err.Error() != first.Error() {
			t.Fatalf("Load gave\n%v\nthen\n%v", first, err)
		}
	}
	// Keys of different types that print the same collide too.
	_, err := Load(writeConfig(t, "trackers: {j: {type: jira, project: OPS, custom_fields: {1.0: a, 1: b}}}\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `trackers.j.custom_fields.1: is set 2 times`) {
		t.Errorf("Load = %v, want custom_fields.1 set twice", err)
	}
}

// TestLoadKeysWithDelimiter: viper splits keys at "::", so a key with it
// (or starting or ending with ":") would land elsewhere.
func TestLoadKeysWithDelimiter(t *testing.T) {
	t.Parallel()
	for yaml, key := range map[string]string{
		"trackers: {\"01:\": 0}\n":                `trackers.01:`,
		"\"source::path\": x\n":                   `source::path`,
		"people: {\":bob\": {name: Bob}}\n":       `people.:bob`,
		"people: {\"a::b\": {email: a@b}}\n":      `people.a::b`,
		"defaults: {due_after: {\"p::1\": 2w}}\n": `defaults.due_after.p::1`,
	} {
		_, err := Load(writeConfig(t, yaml), nil)
		if err == nil || !strings.Contains(err.Error(), key+`: a key must not contain "::"`) {
			t.Errorf("%q: Load = %v, want a problem with %s", yaml, err, key)
		}
	}
}

// TestLoadEmptyKey: an empty key is shown as "", so that the problem
// names something.
func TestLoadEmptyKey(t *testing.T) {
	t.Parallel()
	_, err := Load(writeConfig(t, "\"\": x\n"), nil)
	var verr *ValidationError
	if !errors.As(err, &verr) || verr.Problems[0].Key != `""` {
		t.Fatalf("Load = %v, want a problem with the key \"\"", err)
	}
}

// TestLoadNumbers: numbers a field cannot hold as written are refused
// rather than truncated (2.5), wrapped around (a huge number) or let
// through as NaN, which passed max_create_share's check (every
// comparison with NaN is false) and so turned the mass-creation brake off.
func TestLoadNumbers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		field string
		env   string
		want  string // "" means valid
	}{
		{"max_creates: 2.5", "", "trackers.gh.max_creates: want a whole number"},
		{"max_creates: 1e20", "", "trackers.gh.max_creates: want a whole number"},
		{"max_creates: 18446744073709551615", "", "trackers.gh.max_creates: want a whole number"},
		{"max_creates: .nan", "", "trackers.gh.max_creates: want a whole number"},
		{"max_creates: 3.0", "", ""},
		{"max_create_share: .nan", "", "trackers.gh.max_create_share: want a finite number, got NaN"},
		{"max_create_share: .inf", "", "trackers.gh.max_create_share: want a finite number"},
		{"max_create_share: 0.25", "PMSYNC_TRACKERS_GH_MAX_CREATE_SHARE=NaN", "trackers.gh.max_create_share: want a finite number, got NaN"},
		{"max_create_share: 0.25", "PMSYNC_TRACKERS_GH_MAX_CREATE_SHARE=0.75", ""},
		{"app_id: 18446744073709551615, installation_id: 1, private_key_file: /k, token_env: ''", "", "trackers.gh.app_id: want a whole number"},
		{"app_id: 1e3, installation_id: 2, private_key_file: /k, token_env: ''", "", ""},
	} {
		y := strings.Replace(validYAML, "token_env: GITHUB_TOKEN}", "token_env: GITHUB_TOKEN, "+tt.field+"}", 1)
		if strings.Contains(tt.field, "token_env") {
			y = strings.Replace(validYAML, "token_env: GITHUB_TOKEN}", tt.field+"}", 1)
		}
		var env []string
		if tt.env != "" {
			env = []string{tt.env}
		}
		c, err := Load(writeConfig(t, y), env)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %s: Load: %v", tt.field, tt.env, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s %s: Load = %v, want %q", tt.field, tt.env, err, tt.want)
		case tt.want == "" && tt.field == "max_creates: 3.0" && c.Trackers["gh"].MaxCreates != 3:
			t.Errorf("max_creates: 3.0 loaded as %d", c.Trackers["gh"].MaxCreates)
		}
	}
}

// TestLoadEnvAmbiguous: PMSYNC_PEOPLE_JANE_DOE_EMAIL names people
// jane.doe, jane-doe and jane_doe alike; it used to set one of them at
// random. It sets none and is a problem.
func TestLoadEnvAmbiguous(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, "people: {jane.doe: {email: a@x}, jane_doe: {email: b@x}, bob: {email: c@x}}\n"+
		"trackers:\n  j.x: {type: jira, project: OPS}\n  j_x: {type: jira, project: OPS}\n")
	_, err := Load(p, []string{"PMSYNC_PEOPLE_JANE_DOE_EMAIL=d@x", "PMSYNC_PEOPLE_BOB_EMAIL=e@x", "PMSYNC_TRACKERS_J_X_PRIORITIES_SEV1=High"})
	for _, want := range []string{
		"people.jane.doe.email: PMSYNC_PEOPLE_JANE_DOE_EMAIL could set people.jane.doe.email or people.jane_doe.email, so it sets none",
		"trackers.j.x.priorities.sev1: PMSYNC_TRACKERS_J_X_PRIORITIES_SEV1 could set trackers.j.x.priorities.sev1 or trackers.j_x.priorities.sev1",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load = %v, want %q", err, want)
		}
	}
	c, err := Load(writeConfig(t, validYAML+"people: {jane.doe: {email: a@x}, bob: {email: c@x}}\n"), []string{"PMSYNC_PEOPLE_JANE_DOE_EMAIL=d@x"})
	if err != nil || c.People["jane.doe"].Email != "d@x" {
		t.Errorf("one jane: Load = %+v, %v; want jane.doe's email set", c, err)
	}
}
