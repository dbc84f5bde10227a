// Package archtest checks that imports flow the way ARCHITECTURE.md
// says: cmd → wiring → engine → (plan, postmortem, source, report,
// trackers) → ticket, with config read only by cmd, wiring and the
// factory, and the simulators used only by tests and the demo.
package archtest

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/pmsync/pmsync/internal/testkit"
)

const mod = "github.com/pmsync/pmsync"

type pkg struct {
	ImportPath string
	Imports    []string
}

// packages lists every non-test package of the module with its imports.
func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = testkit.RepoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// rule forbids packages matching from (a prefix of the path after the
// module; "" is the root) to import anything with a prefix in deny,
// except the prefixes in allow.
type rule struct {
	from  string
	deny  []string
	allow []string
	why   string
}

var rules = []rule{
	{"sync/ticket", []string{mod + "/"}, nil, "the shared nouns import nothing of ours"},
	{"config", []string{mod + "/", "github.com/go-git/"}, nil, "config imports nothing of ours, nor go-git"},
	{"internal/retry", []string{mod + "/"}, nil, "the retry policy is a leaf"},
	{"sync/plan", []string{mod + "/"}, []string{mod + "/sync/ticket"}, "plan is pure: tickets in, plan out"},
	{"sync/postmortem", []string{mod + "/", "os", "net"}, []string{mod + "/sync/ticket"}, "the document engine does no I/O"},
	{"sync/source", []string{mod + "/trackers", mod + "/sync/engine", mod + "/config"}, nil, "sources know nothing of trackers or the engine"},
	{"sync/report", []string{mod + "/trackers", mod + "/sync/engine", mod + "/config"}, nil, "the report renders the engine's output; it does not run anything"},
	{"sync/route", []string{mod + "/trackers", mod + "/sync/engine", mod + "/config"}, nil, "routing is pure"},
	{"sync/nudge", []string{mod + "/", "os", "net"}, []string{mod + "/sync/ticket"}, "the nudge policy is pure: items in, comments out"},
	{"sync/digest", []string{mod + "/trackers", mod + "/sync/engine", mod + "/config"}, nil, "digests get plain values and post to one webhook"},
	{"sync/engine", []string{mod + "/config", mod + "/cmd", mod + "/internal/sim", mod + "/internal/wiring", mod + "/trackers/"}, nil,
		"the engine sees trackers through the interface only, and no configuration"},
	{"trackers", []string{mod + "/sync/", mod + "/internal/sim", mod + "/config"}, []string{mod + "/sync/ticket"},
		"trackers import only the shared nouns (the factory alone reads config)"},
	{"cmd", []string{"github.com/google/go-github", "github.com/andygrunwald/go-jira", "github.com/go-git/", mod + "/internal/sim", mod + "/trackers/github", mod + "/trackers/jira"}, nil,
		"cmd keeps flags, wiring and printing: no SDK, no adapter, no simulator"},
}

// exceptions are packages a rule's prefix matches but that the rule is
// not about.
var exceptions = map[string]bool{
	"trackers/factory": true, // the one package that imports every tracker, and config
}

func TestImportsFlowOneWay(t *testing.T) {
	for _, p := range packages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		for _, r := range rules {
			if rel != r.from && !strings.HasPrefix(rel, r.from+"/") || exceptions[rel] {
				continue
			}
		imports:
			for _, imp := range p.Imports {
				for _, a := range r.allow {
					if imp == a || strings.HasPrefix(imp, a+"/") {
						continue imports
					}
				}
				for _, d := range r.deny {
					if imp == d || strings.HasPrefix(imp, d) && (strings.HasSuffix(d, "/") || strings.HasPrefix(imp, d+"/")) {
						t.Errorf("%s imports %s: %s", rel, imp, r.why)
					}
				}
			}
		}
	}
}

// TestSimulatorsOnlyInTestsAndDemo: nothing a real sync runs imports the
// simulators (or their fault injection); test support and the demo may.
func TestSimulatorsOnlyInTestsAndDemo(t *testing.T) {
	production := []string{"cmd", "config", "sync", "trackers", "internal/wiring", "internal/redact", "internal/retry"}
	for _, p := range packages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, mod), "/")
		prod := false
		for _, pr := range production {
			prod = prod || rel == pr || strings.HasPrefix(rel, pr+"/")
		}
		if !prod {
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, mod+"/internal/sim") {
				t.Errorf("%s imports the simulator %s: only tests and the demo may", rel, imp)
			}
		}
	}
}
