package testkit

import (
	"bytes"
	"os"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	schemaMu sync.Mutex
	schemas  = map[string]*jsonschema.Schema{}
)

// JSONSchema compiles the JSON Schema in the file at path (once per test
// binary) and returns a check of a JSON document against it.
func JSONSchema(t testing.TB, path string) func(doc []byte) error {
	t.Helper()
	schemaMu.Lock()
	defer schemaMu.Unlock()
	s, ok := schemas[path]
	if !ok {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource("schema.json", doc); err != nil {
			t.Fatal(err)
		}
		if s, err = c.Compile("schema.json"); err != nil {
			t.Fatal(err)
		}
		schemas[path] = s
	}
	return func(b []byte) error {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		return s.Validate(inst)
	}
}
