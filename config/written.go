package config

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// emptyMeansNone are the keys whose default is not empty but for which an
// empty list or map written in the file is a choice: none (exclude
// nothing, no horizons, no report files, no won't-do resolutions, no
// priority mapping). Their null is still ambiguous and refused.
var emptyMeansNone = map[string]bool{
	"source.exclude":                 true,
	"defaults.horizons":              true,
	"report.formats":                 true,
	"trackers.*.wont_do_resolutions": true,
	"trackers.*.priorities":          true,
	"nudges.ladder":                  true,
}

// keepWritten makes c say what the file says where viper would drop it:
// viper forgets empty maps and nulls, so `teams: {fulfilment: {}}` lost
// the team and `due_after: {}` silently became the defaults. It walks the
// file's settings alongside the schema:
//
//   - an entry of trackers, people or teams is kept, however empty (and
//     then validated like any other);
//   - an empty or null section (source:, report:, a route's match:) keeps
//     its defaults: nothing in it was set;
//   - any other key written empty or null keeps an empty default as it is
//     and is otherwise a problem naming the key (which of "none" and "the
//     default" was meant cannot be told), except the keys of
//     emptyMeansNone, where an empty list or map means none.
//
// A value an environment variable set afterwards is the user's too, so
// only keys still at their default are reported.
func keepWritten(settings map[string]any, c *Config) []Problem {
	w := written{}
	w.walk(reflect.ValueOf(c).Elem(), reflect.ValueOf(Default()).Elem(), settings, "", "")
	return w.probs
}

type written struct{ probs []Problem }

// walk visits val (the decoded value at key), def (its default) and set
// (what the file holds there). pattern is key with map entries of trackers
// as "*", for emptyMeansNone.
func (w *written) walk(val, def reflect.Value, set any, key, pattern string) {
	switch val.Kind() {
	case reflect.Struct:
		m, ok := set.(map[string]any)
		if !ok {
			return // null or empty section: its defaults stand; a wrong type is decoding's to report
		}
		for i := range val.NumField() {
			tag, ok := fieldTag(val.Type().Field(i))
			if !ok {
				continue
			}
			sub, present := m[tag]
			if !present {
				continue
			}
			w.walk(val.Field(i), def.Field(i), sub, joinKey(key, tag), joinKey(pattern, tag))
		}
	case reflect.Map:
		if val.Type().Elem().Kind() == reflect.Struct {
			w.entries(val, set, key, pattern)
			return
		}
		w.leaf(val, def, set, key, pattern)
	case reflect.Slice:
		if l, ok := set.([]any); ok && len(l) > 0 && val.Type().Elem().Kind() == reflect.Struct {
			for i := 0; i < len(l) && i < val.Len(); i++ {
				elem := fmt.Sprintf("%s[%d]", key, i)
				w.walk(val.Index(i), reflect.Zero(val.Type().Elem()), l[i], elem, elem)
			}
			return
		}
		w.leaf(val, def, set, key, pattern)
	default:
		w.leaf(val, def, set, key, pattern)
	}
}

// entries keeps every named entry of trackers, people or teams that the
// file writes, and walks into each.
func (w *written) entries(val reflect.Value, set any, key, pattern string) {
	m, ok := set.(map[string]any)
	if !ok || len(m) == 0 {
		return
	}
	if val.IsNil() {
		val.Set(reflect.MakeMapWithSize(val.Type(), len(m)))
	}
	for name, sub := range m {
		if _, isMap := sub.(map[string]any); sub != nil && !isMap {
			continue // a wrong type: decoding reports it
		}
		k := reflect.ValueOf(name)
		entry := reflect.New(val.Type().Elem()).Elem()
		if cur := val.MapIndex(k); cur.IsValid() {
			entry.Set(cur)
		} else if t, ok := entry.Addr().Interface().(*Tracker); ok {
			// Viper dropped it: an empty tracker gets the defaults of no
			// type, and validation asks for the type.
			*t = DefaultTracker("")
		}
		def := reflect.Zero(entry.Type())
		if t, ok := entry.Interface().(Tracker); ok {
			def = reflect.ValueOf(DefaultTracker(t.Type))
		}
		w.walk(entry, def, sub, joinKey(key, name), joinKey(pattern, "*"))
		val.SetMapIndex(k, entry)
	}
}

// leaf handles a key holding a value, a list or a map of plain values.
func (w *written) leaf(val, def reflect.Value, set any, key, pattern string) {
	var empty bool
	switch s := set.(type) {
	case nil:
		empty = true
	case []any:
		empty = len(s) == 0
	case map[string]any:
		empty = len(s) == 0
	case string:
		empty = s == "" && val.Kind() != reflect.String
	}
	if !empty || def.IsZero() || isEmptyValue(def) {
		return
	}
	if !sameValue(val, def) && !isEmptyValue(val) {
		return // set by an environment variable
	}
	if set != nil && emptyMeansNone[pattern] && (val.Kind() == reflect.Map || val.Kind() == reflect.Slice) {
		if val.Kind() == reflect.Map {
			val.Set(reflect.MakeMap(val.Type()))
		} else {
			val.Set(reflect.MakeSlice(val.Type(), 0, 0))
		}
		return
	}
	what := "has no value"
	if set != nil {
		what = "is empty"
	}
	hint := "give a value"
	if val.Kind() == reflect.Map || val.Kind() == reflect.Slice {
		hint = "list at least one entry"
		if emptyMeansNone[pattern] && set == nil {
			hint = "write [] or {} for none"
		}
	}
	w.probs = append(w.probs, Problem{Key: key, Message: fmt.Sprintf(
		"%s; remove the key to use the default (%s), or %s", what, showDefault(def), hint)})
}

// sameValue compares a decoded value with its default; map keys are
// compared without case, as viper lower-cases them before canonicalize
// restores P1 and SEV2.
func sameValue(a, b reflect.Value) bool {
	if a.Kind() != reflect.Map || a.Type().Key().Kind() != reflect.String {
		return reflect.DeepEqual(a.Interface(), b.Interface())
	}
	if a.Len() != b.Len() {
		return false
	}
	for _, k := range b.MapKeys() {
		found := false
		for _, ak := range a.MapKeys() {
			if strings.EqualFold(ak.String(), k.String()) && reflect.DeepEqual(a.MapIndex(ak).Interface(), b.MapIndex(k).Interface()) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// isEmptyValue reports an empty list or map (a zero value is handled by
// IsZero).
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice:
		return v.Len() == 0
	}
	return false
}

// showDefault writes a default for a message: lists and maps in YAML's
// flow style, in a stable order.
func showDefault(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmt.Sprint(v.Index(i).Interface())
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		slices.Sort(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s: %v", k, v.MapIndex(reflect.ValueOf(k)).Interface())
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v.Interface())
}
