package config

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agext/levenshtein"
	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
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
	var settings map[string]any
	if path != "" {
		data, err := readConfigFile(path)
		if err != nil {
			return nil, err
		}
		var fileProbs []Problem
		settings, fileProbs, err = parseConfigFile(path, data)
		if err != nil {
			return nil, err
		}
		// A copy: viper changes the maps it is given, and keepWritten
		// needs them as written.
		if err := v.MergeConfigMap(deepCopy(settings).(map[string]any)); err != nil {
			return nil, fmt.Errorf("parse config file %s: %w", path, err)
		}
		probs = append(fileProbs, unknownKeys(reflect.TypeFor[Config](), v.AllSettings(), "")...)
	}

	probs = append(probs, applyEnv(v, env)...)
	setTrackerDefaults(v)

	var c Config
	hook := viper.DecodeHook(mapstructure.ComposeDecodeHookFunc(daysHook, durationHook, sliceHook, numberHook))
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
	} else {
		// Only on a whole decode: a partly decoded Config would make
		// every entry look empty.
		probs = append(probs, keepWritten(settings, &c)...)
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

// Bounds of a config file. A real one is a few KiB, nested a few levels.
// The bounds keep a mistaken or hostile file (a log passed as --config, a
// YAML alias bomb, maps nested thousands deep) from taking the process's
// time and memory: viper's cost grows with the cube of the nesting depth,
// yaml's with the square of the number of keys in a map.
const (
	maxFileSize    = 1 << 20 // bytes
	maxFileDepth   = 16      // nested maps and lists, the top-level map being 1
	maxFileNodes   = 100000  // keys and values, counting those an alias repeats
	maxFileMapKeys = 10000   // keys in one map
)

// deepCopy copies the maps and lists of a decoded YAML value.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// readConfigFile reads the config file, refusing one over maxFileSize.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config file %s is larger than %d KiB, the most pmsync reads; is it the right file?", path, maxFileSize>>10)
	}
	return data, nil
}

// parseConfigFile parses the config file into settings for viper, with
// the keys lower-cased as viper does. Keys that are the same but for case
// are problems (viper would keep one of them at random); so are keys that
// viper would split at keyDelim.
func parseConfigFile(path string, data []byte) (map[string]any, []Problem, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, fmt.Errorf("parse config file %s: %s", path, yamlErrorText(err))
	}
	// Before decoding: yaml takes its time on a map with many keys.
	sz := fileSize{path: path}
	if err := sz.check(&root, "", 1); err != nil {
		return nil, nil, err
	}
	var doc any
	if root.Kind != 0 {
		if err := root.Decode(&doc); err != nil {
			return nil, nil, fmt.Errorf("parse config file %s: %s", path, yamlErrorText(err))
		}
	}
	switch doc.(type) {
	case nil:
		return map[string]any{}, nil, nil // empty, or only comments
	case map[string]any, map[any]any:
	default:
		return nil, nil, fmt.Errorf("parse config file %s: the file must be a map of keys such as source: and trackers:, not a single %s", path, yamlKind(doc))
	}
	var ft fileTree
	settings := ft.value(doc, "")
	return settings.(map[string]any), ft.probs, nil
}

// fileSize checks a parsed config file against the bounds.
type fileSize struct {
	path  string
	nodes int // so far
}

// check checks n, at key path key (for messages) and nesting level depth,
// following aliases as decoding will.
func (sz *fileSize) check(n *yaml.Node, key string, depth int) error {
	if sz.nodes++; sz.nodes > maxFileNodes {
		return fmt.Errorf("parse config file %s: more than %d keys and values, counting those each alias (*name) repeats; is it the right file?", sz.path, maxFileNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if err := sz.check(c, key, depth); err != nil {
				return err
			}
		}
	case yaml.AliasNode:
		if n.Alias != nil {
			return sz.check(n.Alias, key, depth)
		}
	case yaml.SequenceNode, yaml.MappingNode:
		if depth > maxFileDepth {
			return fmt.Errorf("parse config file %s: %s: nested more than %d levels deep", sz.path, key, maxFileDepth)
		}
		if n.Kind == yaml.MappingNode && len(n.Content)/2 > maxFileMapKeys {
			return fmt.Errorf("parse config file %s: %s: more than %d keys in one map", sz.path, cmp.Or(key, "the top level"), maxFileMapKeys)
		}
		for i, c := range n.Content {
			ck := fmt.Sprintf("%s[%d]", key, i)
			if n.Kind == yaml.MappingNode {
				ck = joinKey(key, strings.ToLower(n.Content[i&^1].Value)) // the key, or the value's key
			}
			if err := sz.check(c, ck, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlKind names the kind of a decoded YAML value for messages.
func yamlKind(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int64, uint64, float64:
		return "number"
	}
	return "value"
}

// yamlErrorText is err's message without the document's values. yaml
// quotes a value that does not match its tag (in backquotes) and a map or
// list used as a key; either may hold a secret, as a token pasted in the
// wrong place or a token file passed as the config file.
func yamlErrorText(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "invalid map key:"); i >= 0 {
		return msg[:i] + "invalid map key: a key must be a single value, not a list or a map"
	}
	if i, j := strings.Index(msg, "`"), strings.LastIndex(msg, "`"); i >= 0 {
		msg = msg[:i] + "(value not shown)" + msg[j+1:]
	}
	return msg
}

// fileTree normalizes the decoded config file.
type fileTree struct {
	probs []Problem
}

// value returns v with its maps' keys lower-cased strings; key is v's
// key path for messages.
func (ft *fileTree) value(v any, key string) any {
	var entries []fileEntry
	switch v := v.(type) {
	case map[string]any:
		entries = make([]fileEntry, 0, len(v))
		for k, x := range v {
			entries = append(entries, fileEntry{k, k, x})
		}
	case map[any]any: // a map with keys that are not all strings
		entries = make([]fileEntry, 0, len(v))
		for k, x := range v {
			entries = append(entries, fileEntry{k, keyString(k), x})
		}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = ft.value(x, fmt.Sprintf("%s[%d]", key, i))
		}
		return out
	default:
		return v
	}

	// Sorted, so that of keys that differ in case the same one is kept
	// every time.
	slices.SortFunc(entries, func(a, b fileEntry) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		// The same string from keys of different types, such as 1 and "1".
		return cmp.Or(strings.Compare(fmt.Sprintf("%T", a.key), fmt.Sprintf("%T", b.key)),
			strings.Compare(fmt.Sprintf("%#v", a.val), fmt.Sprintf("%#v", b.val)))
	})
	out := make(map[string]any, len(entries))
	spellings := map[string][]string{} // lower-cased key -> the keys in the file
	for _, e := range entries {
		lower := strings.ToLower(e.name)
		spellings[lower] = append(spellings[lower], strconv.Quote(e.name))
		if len(spellings[lower]) > 1 {
			continue
		}
		if strings.Contains(lower, keyDelim) || strings.HasPrefix(lower, ":") || strings.HasSuffix(lower, ":") {
			// Kept from viper, which would split it into other keys.
			ft.probs = append(ft.probs, Problem{Key: joinKey(key, lower), Message: `a key must not contain "::" or start or end with ":"`})
			continue
		}
		out[lower] = ft.value(e.val, joinKey(key, lower))
	}
	for _, lower := range sortedKeys(spellings) {
		if s := spellings[lower]; len(s) > 1 {
			ft.probs = append(ft.probs, Problem{Key: joinKey(key, lower),
				Message: fmt.Sprintf("is set %d times, as %s; keys are case-insensitive", len(s), strings.Join(s, " and "))})
		}
	}
	return out
}

// fileEntry is one entry of a map in the config file.
type fileEntry struct {
	key  any    // as parsed
	name string // key as a string
	val  any
}

// keyString is a map key that is not a string (yaml parses 1: and true:
// as a number and a boolean) as a string.
func keyString(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	if k == nil {
		return ""
	}
	return fmt.Sprint(k)
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
	// mapstructure decodes maps in random order: sort, so that the same
	// input always gives the same message.
	slices.SortStableFunc(probs, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Key, b.Key), strings.Compare(a.Message, b.Message))
	})
	return probs
}

// mapKeyRE finds mapstructure's map-key segments, trackers[gh], to print
// them as the YAML path trackers.gh; list indexes stay as routes[0].
var mapKeyRE = regexp.MustCompile(`\[([^\]0-9][^\]]*)\]`)

// canonicalize fills in what the YAML cannot say (tracker names) and undoes
// viper's lower-casing where the conventional spelling is upper case
// (priorities are written P1 and SEV2 wherever they appear).
func (c *Config) canonicalize() {
	for name, t := range c.Trackers {
		t.Name = name
		t.Priorities = upperKeys(t.Priorities)
		c.Trackers[name] = t
	}
	c.Defaults.DueAfter = upperKeys(c.Defaults.DueAfter)
	for i, st := range c.Nudges.Ladder {
		for j, p := range st.Priorities {
			if strings.EqualFold(p, "default") {
				st.Priorities[j] = "default"
			} else {
				st.Priorities[j] = strings.ToUpper(p)
			}
		}
		c.Nudges.Ladder[i].To = strings.ToLower(st.To)
	}
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
	case reflect.Slice:
		if val.Type().Elem().Kind() == reflect.Struct {
			// A list of entries (nudges.ladder) as the file would give
			// it, so that the environment can override its elements.
			if val.Len() > 0 {
				l := make([]any, val.Len())
				for i := range l {
					l[i] = entrySettings(val.Index(i))
				}
				v.SetDefault(strings.Join(path, keyDelim), l)
			}
			return
		}
		if !val.IsZero() {
			v.SetDefault(strings.Join(path, keyDelim), val.Interface())
		}
	default:
		if !val.IsZero() {
			v.SetDefault(strings.Join(path, keyDelim), val.Interface())
		}
	}
}

// entrySettings is a struct of plain fields as a map of its keys.
func entrySettings(val reflect.Value) map[string]any {
	m := map[string]any{}
	for i := range val.NumField() {
		if tag, ok := fieldTag(val.Type().Field(i)); ok && !val.Field(i).IsZero() {
			m[tag] = val.Field(i).Interface()
		}
	}
	return m
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

var (
	durationType = reflect.TypeFor[time.Duration]()
	daysType     = reflect.TypeFor[Days]()
	// daysRE is a span of whole days or weeks.
	daysRE = regexp.MustCompile(`(?i)^\s*(\d{1,5})\s*(d|days?|w|weeks?)\s*$`)
)

// parseDays reads 3d, 2w, "10 days".
func parseDays(s string) (Days, bool) {
	m := daysRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(strings.ToLower(m[2]), "w") {
		n *= 7
	}
	return Days(n), true
}

// daysHook parses days and refuses bare numbers, as durationHook does.
func daysHook(from, to reflect.Type, data any) (any, error) {
	if to != daysType || from == daysType {
		return data, nil
	}
	if from.Kind() == reflect.String {
		if d, ok := parseDays(data.(string)); ok {
			return d, nil
		}
		return nil, fmt.Errorf("want days with a unit, like 3d or 2w, got %q", data)
	}
	return nil, fmt.Errorf("want days with a unit, like 3d or 2w, got %v", data)
}

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
			if days, ok := parseDays(data.(string)); ok {
				return time.Duration(days) * 24 * time.Hour, nil // 7d, 1w
			}
			return nil, fmt.Errorf("want a duration with a unit, like 1s, 500ms or 7d, got %q", data)
		}
		return d, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return nil, fmt.Errorf("want a duration with a unit, like 1s or 500ms, got the bare number %v", data)
	}
	return data, nil
}

// numberHook refuses numbers that a field cannot hold as written, which
// mapstructure would otherwise truncate (2.5 for an integer), wrap around
// (a huge number) or let through as NaN, which every comparison of a
// validation check lets pass.
func numberHook(from, to reflect.Type, data any) (any, error) {
	switch to.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		zero := reflect.New(to).Elem()
		switch from.Kind() {
		case reflect.Float32, reflect.Float64:
			f := reflect.ValueOf(data).Float()
			if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 || zero.OverflowInt(int64(f)) {
				return nil, fmt.Errorf("want a whole number that fits in %d bits, got %v", to.Bits(), data)
			}
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if u := reflect.ValueOf(data).Uint(); u > math.MaxInt64 || zero.OverflowInt(int64(u)) {
				return nil, fmt.Errorf("want a whole number that fits in %d bits, got %v", to.Bits(), data)
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if zero.OverflowInt(reflect.ValueOf(data).Int()) {
				return nil, fmt.Errorf("want a whole number that fits in %d bits, got %v", to.Bits(), data)
			}
		}
	case reflect.Float32, reflect.Float64:
		var f float64
		switch from.Kind() {
		case reflect.Float32, reflect.Float64:
			f = reflect.ValueOf(data).Float()
		case reflect.String: // an environment override
			var err error
			if f, err = strconv.ParseFloat(strings.TrimSpace(data.(string)), 64); err != nil {
				return data, nil // mapstructure reports it
			}
		default:
			return data, nil
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("want a finite number, got %v", f)
		}
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
	if k == "" {
		k = `""`
	}
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
// map keys and field names containing "_" are unambiguous. A name that
// two keys share (people jane.doe and jane_doe) sets neither and is a
// problem.
func applyEnv(v *viper.Viper, env []string) []Problem {
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
		return nil
	}

	exact := map[string][]envTarget{}
	prefixes := map[string][][]string{} // env prefix -> keys of maps of plain values
	settings := v.AllSettings()
	collectEnv(reflect.TypeFor[Config](), settings, nil, -1, nil, exact, prefixes)
	// Variables the config names as where a secret comes from
	// (token_env: PMSYNC_GIT_TOKEN) are not overrides.
	secretVars := map[string]bool{}
	collectSecretVars(settings, secretVars)

	var probs []Problem
	lists := map[string][]any{} // list key -> copy being edited
	for _, name := range sortedKeys(vars) {
		val := vars[name]
		ts := exact[name]
		if len(ts) == 0 {
			ts = prefixTarget(name, prefixes)
		}
		if len(ts) == 0 {
			if !notKeys[name] && !secretVars[name] {
				if msg, typo := unknownVar(name, exact); typo {
					probs = append(probs, Problem{Key: name, Message: msg})
				}
			}
			continue
		}
		if len(ts) > 1 {
			keys := make([]string, len(ts))
			for i, t := range ts {
				keys[i] = t.String()
			}
			slices.Sort(keys)
			probs = append(probs, Problem{Key: keys[0], Message: fmt.Sprintf(
				"%s could set %s, so it sets none; rename keys so that their variable names differ", name, orList(keys))})
			continue
		}
		t := ts[0]
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
	return probs
}

// notKeys are pmsync's own variables that are not configuration keys:
// the config file's path and the test suite's opt-ins (see
// internal/testkit), which a CI job may export to every command.
var notKeys = map[string]bool{
	"PMSYNC_CONFIG": true, "PMSYNC_CORPUS": true, "PMSYNC_EXHAUSTIVE": true, "PMSYNC_SEED": true, "PMSYNC_TIMING": true,
	"PMSYNC_CHAOS_SEED": true, "PMSYNC_CHAOS_SEEDS": true, "PMSYNC_CHAOS_LOGS": true,
}

// collectSecretVars records the values of every *_env key: the names of
// the variables secrets are read from.
func collectSecretVars(settings any, out map[string]bool) {
	switch s := settings.(type) {
	case map[string]any:
		for k, v := range s {
			if name, ok := v.(string); ok && strings.HasSuffix(k, "_env") {
				out[name] = true
				continue
			}
			collectSecretVars(v, out)
		}
	case []any:
		for _, v := range s {
			collectSecretVars(v, out)
		}
	}
}

// unknownVar explains a PMSYNC_ variable that sets nothing, and says
// whether it is a mistake worth stopping for: a name within three edits of
// a key's variable, or under a section's prefix (PMSYNC_TRACKERS_...),
// is a typo that must not pass silently as the default. Other names
// (PMSYNC_GIT_TOKEN, a secret a Secret provides for a tracker this config
// does not use) are not overrides at all.
func unknownVar(name string, exact map[string][]envTarget) (string, bool) {
	best, bestDist := "", 4
	for _, cand := range sortedKeys(exact) {
		if d := levenshtein.Distance(name, cand, nil); d < bestDist {
			best, bestDist = cand, d
		}
	}
	section := false
	for i := range reflect.TypeFor[Config]().NumField() {
		if tag, ok := fieldTag(reflect.TypeFor[Config]().Field(i)); ok {
			section = section || strings.HasPrefix(name, envName([]string{tag})+"_")
		}
	}
	if best == "" && !section {
		return "", false
	}
	msg := "this environment variable sets no configuration key"
	if best != "" {
		msg += fmt.Sprintf("; did you mean %s (%s)?", best, exact[best][0])
	}
	return msg + "; fix its name or unset it (an entry of trackers, people or teams must exist in the file to be overridden)", true
}

// String is the key t sets, for messages: routes[0].match.team.
func (t envTarget) String() string {
	s := strings.Join(t.key, ".")
	if t.index >= 0 {
		s = fmt.Sprintf("%s[%d]", s, t.index)
		if len(t.rest) > 0 {
			s += "." + strings.Join(t.rest, ".")
		}
	}
	return s
}

// prefixTarget finds a new entry of a map of plain values (more than one
// when maps share the prefix); the longest prefix wins so the choice does
// not depend on map order.
func prefixTarget(name string, prefixes map[string][][]string) []envTarget {
	best := ""
	for p := range prefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) && len(p) > len(best) {
			best = p
		}
	}
	var ts []envTarget
	for _, key := range prefixes[best] {
		k := append(key[:len(key):len(key)], strings.ToLower(name[len(best):]))
		ts = append(ts, envTarget{key: k, index: -1})
	}
	return ts
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
	exact map[string][]envTarget, prefixes map[string][][]string) {
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
			p := envName(full(key, rest)) + "_"
			prefixes[p] = append(prefixes[p], full(key, rest))
			for name := range m {
				k, r := cur(name)
				n := envName(full(k, r))
				exact[n] = append(exact[n], envTarget{key: k, index: index, rest: r})
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
		n := envName(full(key, rest))
		exact[n] = append(exact[n], envTarget{key: key, index: index, rest: rest})
	default:
		n := envName(full(key, rest))
		exact[n] = append(exact[n], envTarget{key: key, index: index, rest: rest})
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
