package config

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
)

// EnvPrefix starts every environment variable that overrides a key.
const EnvPrefix = "PMSYNC_"

// keyDelim separates viper key segments. Not ".", so that map keys such as
// people named "jane.doe" stay one segment.
const keyDelim = "::"

// Load reads the YAML file at path ("" means no file: defaults and
// environment only), applies overrides from env (KEY=VALUE pairs as
// os.Environ returns them; the process environment is not read), and
// validates the result.
//
// An override's name is PMSYNC_ plus the key path upper-cased, with "_" for
// the separators and for any other character that is not a letter or digit:
// PMSYNC_SOURCE_PATH, PMSYNC_TRACKERS_GH_REPO, PMSYNC_ROUTES_0_TRACKER,
// PMSYNC_DEFAULTS_DUE_AFTER_P3. Map entries (trackers, people, teams) must
// exist in the file to be overridden; maps of plain values (due_after,
// priorities, ...) also take new entries. List values are comma-separated.
// Empty values are ignored, as viper does.
//
// Map keys come out lower case (viper folds them), except the keys of
// defaults.due_after and trackers.*.priorities, which come out upper case
// (P1, SEV2) but for "default". Route tracker names are lower-cased to
// match.
func Load(path string, env []string) (*Config, error) {
	v := viper.NewWithOptions(viper.KeyDelimiter(keyDelim))
	v.SetConfigType("yaml")
	setDefaults(v, nil, reflect.ValueOf(Default()).Elem())

	var probs []Problem // all problems, reported together
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config file: %w", err)
		}
		if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("parse config file %s: %w", path, err)
		}
		probs = unknownKeys(reflect.TypeFor[Config](), v.AllSettings(), "")
	}

	applyEnv(v, env)
	setTrackerDefaults(v)

	var c Config
	hook := viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(durationHook, sliceHook))
	unmarshal := v.UnmarshalExact
	if len(probs) > 0 {
		unmarshal = v.Unmarshal // unknown keys are reported already; look for the rest
	}
	if err := unmarshal(&c, hook); err != nil {
		dp := decodeProblems(err)
		if dp == nil {
			return nil, fmt.Errorf("config: %w; fix the config file or the PMSYNC_ environment variables", err)
		}
		probs = append(probs, dp...)
	}
	c.canonicalize()
	// Validation of a key that failed to decode would only repeat it.
	failed := map[string]bool{}
	for _, p := range probs {
		failed[p.Key] = true
	}
	for _, p := range c.problems() {
		if !failed[p.Key] {
			probs = append(probs, p)
		}
	}
	if len(probs) > 0 {
		return nil, newValidationError(path, probs)
	}
	return &c, nil
}

// decodeProblems turns mapstructure's joined decode errors into problems
// keyed like the rest; nil when err has none.
func decodeProblems(err error) []Problem {
	var probs []Problem
	var walk func(error)
	walk = func(e error) {
		if de, ok := e.(*mapstructure.DecodeError); ok {
			var inner *mapstructure.DecodeError
			if !errors.As(de.Unwrap(), &inner) {
				key := mapKeyRE.ReplaceAllString(de.Name(), ".$1")
				probs = append(probs, Problem{Key: key, Message: de.Unwrap().Error()})
				return
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			if x := u.Unwrap(); x != nil {
				walk(x)
			}
		}
	}
	walk(err)
	return probs
}

// mapKeyRE finds mapstructure's map-key segments, trackers[gh], to print
// them as the YAML path trackers.gh; list indexes stay as routes[0].
var mapKeyRE = regexp.MustCompile(`\[([^\]0-9][^\]]*)\]`)

// canonicalize fills in what the YAML cannot say (tracker names) and undoes
// viper's lower-casing where the conventional spelling is upper case.
func (c *Config) canonicalize() {
	for name, t := range c.Trackers {
		t.Name = name
		t.Priorities = upperKeys(t.Priorities)
		c.Trackers[name] = t
	}
	c.Defaults.DueAfter = upperKeys(c.Defaults.DueAfter)
	for i := range c.Routes {
		c.Routes[i].Tracker = strings.ToLower(c.Routes[i].Tracker)
		c.Routes[i].Match.Tracker = strings.ToLower(c.Routes[i].Match.Tracker)
	}
}

func upperKeys(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !strings.EqualFold(k, "default") {
			k = strings.ToUpper(k)
		} else {
			k = "default"
		}
		out[k] = v
	}
	return out
}

// setDefaults registers every non-zero leaf of val as a viper default.
// Map entries are registered one by one so that a file setting one entry
// keeps the other defaults.
func setDefaults(v *viper.Viper, path []string, val reflect.Value) {
	switch val.Kind() {
	case reflect.Struct:
		for i := range val.NumField() {
			tag, ok := fieldTag(val.Type().Field(i))
			if !ok {
				continue
			}
			setDefaults(v, append(path[:len(path):len(path)], tag), val.Field(i))
		}
	case reflect.Map:
		if val.Type().Elem().Kind() == reflect.Struct {
			return // trackers, people, teams: no defaults by name
		}
		for _, k := range val.MapKeys() {
			setDefaults(v, append(path[:len(path):len(path)], k.String()), val.MapIndex(k))
		}
	default:
		if !val.IsZero() {
			v.SetDefault(strings.Join(path, keyDelim), val.Interface())
		}
	}
}

// setTrackerDefaults registers the per-type defaults of every tracker that
// is configured; it runs after the environment so PMSYNC_TRACKERS_X_TYPE
// counts.
func setTrackerDefaults(v *viper.Viper) {
	// AllSettings, not Get: Get("trackers") would return only the
	// overridden trackers once an environment variable set one.
	trackers, _ := v.AllSettings()["trackers"].(map[string]any)
	for name := range trackers {
		prefix := []string{"trackers", name}
		def := DefaultTracker(v.GetString(strings.Join(append(prefix, "type"), keyDelim)))
		def.Type = "" // required, never defaulted
		setDefaults(v, prefix, reflect.ValueOf(def))
	}
}

// fieldTag returns the mapstructure key of a struct field.
func fieldTag(f reflect.StructField) (string, bool) {
	tag, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
	if tag == "" || tag == "-" || !f.IsExported() {
		return "", false
	}
	return tag, true
}

var durationType = reflect.TypeFor[time.Duration]()

// durationHook parses durations and refuses bare numbers, which would
// otherwise decode as nanoseconds.
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType || from == durationType {
		return data, nil
	}
	switch from.Kind() {
	case reflect.String:
		d, err := time.ParseDuration(strings.TrimSpace(data.(string)))
		if err != nil {
			return nil, fmt.Errorf("want a duration with a unit, like 1s or 500ms, got %q", data)
		}
		return d, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return nil, fmt.Errorf("want a duration with a unit, like 1s or 500ms, got the bare number %v", data)
	}
	return data, nil
}

// sliceHook splits a comma-separated string (an environment override) into
// a string list, trimming blanks.
func sliceHook(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice || to.Elem().Kind() != reflect.String {
		return data, nil
	}
	s := data.(string)
	if strings.TrimSpace(s) == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return parts, nil
}

// secretKeys are keys people put in a config file by mistake; the hint says
// what to write instead.
var secretKeys = map[string]string{
	"token":       "token_env or token_file",
	"api_token":   "token_env or token_file",
	"apitoken":    "token_env or token_file",
	"api_key":     "token_env or token_file",
	"apikey":      "token_env or token_file",
	"password":    "token_env or token_file",
	"passwd":      "token_env or token_file",
	"secret":      "token_env or token_file",
	"pat":         "token_env or token_file",
	"user":        "user_env or user_file",
	"username":    "user_env or user_file",
	"email":       "user_env or user_file",
	"private_key": "private_key_file",
	"ssh_key":     "ssh_key_file",
}

// unknownKeys lists the keys of settings that have no field in t. It never
// quotes a value: an unknown key may hold a secret.
func unknownKeys(t reflect.Type, settings any, path string) []Problem {
	var probs []Problem
	switch t.Kind() {
	case reflect.Struct:
		m, ok := settings.(map[string]any)
		if !ok {
			return nil // a type mismatch; decoding reports it
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			if tag, ok := fieldTag(t.Field(i)); ok {
				fields[tag] = t.Field(i).Type
			}
		}
		for _, k := range sortedKeys(m) {
			key := joinKey(path, k)
			ft, ok := fields[k]
			if !ok {
				msg := "unknown key"
				if use, ok := secretKeys[k]; ok {
					msg = "unknown key: secrets never live in the config file; use " + use
				}
				probs = append(probs, Problem{Key: key, Message: msg})
				continue
			}
			probs = append(probs, unknownKeys(ft, m[k], key)...)
		}
	case reflect.Map:
		m, ok := settings.(map[string]any)
		if !ok || t.Elem().Kind() != reflect.Struct {
			return nil
		}
		for _, k := range sortedKeys(m) {
			probs = append(probs, unknownKeys(t.Elem(), m[k], joinKey(path, k))...)
		}
	case reflect.Slice:
		l, ok := settings.([]any)
		if !ok || t.Elem().Kind() != reflect.Struct {
			return nil
		}
		for i, e := range l {
			probs = append(probs, unknownKeys(t.Elem(), e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return probs
}

func joinKey(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// envTarget is a key an environment variable can override: a viper key,
// or an element of a list (routes) when index >= 0.
type envTarget struct {
	key   []string // viper key; for a list element, the list's key
	index int
	rest  []string // the key inside the list element
}

// applyEnv sets every key named by a PMSYNC_ variable in env. Names are
// computed from the schema and the keys present, never parsed back, so
// map keys and field names containing "_" are unambiguous.
func applyEnv(v *viper.Viper, env []string) {
	vars := map[string]string{}
	for _, kv := range env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		if val == "" {
			delete(vars, name)
			continue
		}
		vars[name] = val
	}
	if len(vars) == 0 {
		return
	}

	exact := map[string]envTarget{}
	prefixes := map[string][]string{} // env prefix -> key of a map of plain values
	collectEnv(reflect.TypeFor[Config](), v.AllSettings(), nil, -1, nil, exact, prefixes)

	lists := map[string][]any{} // list key -> copy being edited
	for _, name := range sortedKeys(vars) {
		val := vars[name]
		t, ok := exact[name]
		if !ok {
			t, ok = prefixTarget(name, prefixes)
		}
		if !ok {
			continue // PMSYNC_CONFIG, token variables, typos: not ours
		}
		if t.index < 0 {
			v.Set(strings.Join(t.key, keyDelim), val)
			continue
		}
		lk := strings.Join(t.key, keyDelim)
		l, ok := lists[lk]
		if !ok {
			orig, _ := v.Get(lk).([]any)
			l = append([]any(nil), orig...)
			lists[lk] = l
		}
		l[t.index] = setIn(l[t.index], t.rest, val)
	}
	for lk, l := range lists {
		v.Set(lk, l)
	}
}

// prefixTarget finds a new entry of a map of plain values; the longest
// prefix wins so the choice does not depend on map order.
func prefixTarget(name string, prefixes map[string][]string) (envTarget, bool) {
	best := ""
	for p := range prefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) && len(p) > len(best) {
			best = p
		}
	}
	if best == "" {
		return envTarget{}, false
	}
	key := prefixes[best]
	k := append(key[:len(key):len(key)], strings.ToLower(name[len(best):]))
	return envTarget{key: k, index: -1}, true
}

// setIn returns m (a map[string]any, copied) with val at path.
func setIn(m any, path []string, val string) any {
	old, _ := m.(map[string]any)
	nm := make(map[string]any, len(old)+1)
	for k, x := range old {
		nm[k] = x
	}
	if len(path) == 1 {
		nm[path[0]] = val
	} else {
		nm[path[0]] = setIn(nm[path[0]], path[1:], val)
	}
	return nm
}

// collectEnv walks the schema t alongside the current settings and records
// the environment variable name of every leaf key.
func collectEnv(t reflect.Type, settings any, key []string, index int, rest []string,
	exact map[string]envTarget, prefixes map[string][]string) {
	cur := func(seg string) ([]string, []string) {
		if index >= 0 {
			return key, append(rest[:len(rest):len(rest)], seg)
		}
		return append(key[:len(key):len(key)], seg), rest
	}
	full := func(k, r []string) []string {
		if index < 0 {
			return k
		}
		return append(append(append([]string(nil), k...), strconv.Itoa(index)), r...)
	}
	m, _ := settings.(map[string]any)

	switch t.Kind() {
	case reflect.Struct:
		for i := range t.NumField() {
			tag, ok := fieldTag(t.Field(i))
			if !ok {
				continue
			}
			k, r := cur(tag)
			collectEnv(t.Field(i).Type, m[tag], k, index, r, exact, prefixes)
		}
	case reflect.Map:
		if t.Elem().Kind() != reflect.Struct {
			// A map of plain values: its present entries, and new ones.
			prefixes[envName(full(key, rest))+"_"] = full(key, rest)
			for name := range m {
				k, r := cur(name)
				exact[envName(full(k, r))] = envTarget{key: k, index: index, rest: r}
			}
			return
		}
		for name, sub := range m {
			k, r := cur(name)
			collectEnv(t.Elem(), sub, k, index, r, exact, prefixes)
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Struct && index < 0 {
			l, _ := settings.([]any)
			for i, e := range l {
				collectEnv(t.Elem(), e, key, i, nil, exact, prefixes)
			}
			return
		}
		exact[envName(full(key, rest))] = envTarget{key: key, index: index, rest: rest}
	default:
		exact[envName(full(key, rest))] = envTarget{key: key, index: index, rest: rest}
	}
}

// envName is the variable that overrides key.
func envName(key []string) string {
	var b strings.Builder
	b.WriteString(EnvPrefix)
	for i, seg := range key {
		if i > 0 {
			b.WriteByte('_')
		}
		for _, r := range strings.ToUpper(seg) {
			if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
			}
		}
	}
	return b.String()
}

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	Header   string
	Problems []Problem
}

// Problem is one thing wrong with one key.
type Problem struct {
	Key     string // e.g. trackers.gh.type, routes[2].tracker
	Message string
}

func (p Problem) Error() string { return p.Key + ": " + p.Message }

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Header)
	b.WriteByte(':')
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap returns the problems, so errors.Join-style inspection works.
func (e *ValidationError) Unwrap() []error {
	errs := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		errs[i] = p
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
