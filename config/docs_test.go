package config

import (
	"cmp"
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestEveryKeyDocumented: docs/configuration.md has a table row for every
// key of the schema, written as the page writes them (trackers.<name>.repo,
// people.<key>.name, routes[i].tracker; a map of plain values by its own
// key, defaults.due_after.<key>).
func TestEveryKeyDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, key string) {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				if tag, ok := fieldTag(typ.Field(i)); ok {
					walk(typ.Field(i).Type, joinKey(key, tag))
				}
			}
			return
		case reflect.Map:
			if typ.Elem().Kind() == reflect.Struct {
				name := map[string]string{"trackers": "<name>"}[key]
				walk(typ.Elem(), key+"."+cmp.Or(name, "<key>"))
				return
			}
		case reflect.Slice:
			if typ.Elem().Kind() == reflect.Struct {
				walk(typ.Elem(), key+"[i]")
				return
			}
		}
		keys = append(keys, key)
	}
	walk(reflect.TypeFor[Config](), "")
	for _, k := range keys {
		if !strings.Contains(string(doc), "| `"+k) {
			t.Errorf("docs/configuration.md has no row for %s", k)
		}
	}
}
