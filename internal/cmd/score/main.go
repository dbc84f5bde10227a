// Command score measures the document engine against hand-labelled
// postmortems (internal/score):
//
//	go run ./internal/cmd/score [-v] [-budget] DIR...
//
// DIR holds <name>.md documents with <name>.labels.yaml beside them
// (testdata/realworld, sync/postmortem/testdata/shapes). It prints the
// figures of SPEC §8 for all of them together, with -v what went wrong in
// each document, and with -budget exits 1 when a figure misses its budget.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/pmsync/pmsync/internal/score"
	"github.com/pmsync/pmsync/sync/postmortem"
)

func main() {
	verbose := flag.Bool("v", false, "list what went wrong in each document")
	budget := flag.Bool("budget", false, "exit 1 when a figure misses SPEC §8's budget")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: score [-v] [-budget] DIR...")
		os.Exit(2)
	}
	var docs []score.Doc
	for _, dir := range flag.Args() {
		d, err := score.Load(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "score:", err)
			os.Exit(2)
		}
		docs = append(docs, d...)
	}
	p := postmortem.NewParser(score.Options(docs))
	results, all := score.Score(p, docs)
	if *verbose {
		for _, r := range results {
			if len(r.Problems) == 0 {
				continue
			}
			fmt.Printf("== %s\n", r.Doc)
			for _, pr := range r.Problems {
				fmt.Printf("   %s\n", pr)
			}
		}
		fmt.Println()
	}
	fmt.Printf("%d documents, %d factors and %d action items labelled\n\n", len(docs), all.Factors, all.Actions)
	fmt.Print(score.Table(all))
	var total time.Duration
	for _, r := range results {
		total += r.Took
	}
	fmt.Printf("\nparse time: %v for all; slowest:", total.Round(time.Microsecond))
	for _, r := range score.Slowest(results, 3) {
		fmt.Printf(" %s %v;", r.Doc, r.Took.Round(time.Microsecond))
	}
	fmt.Println()
	if over := all.Over(score.SpecBudget); len(over) > 0 {
		fmt.Printf("\nover budget: %v\n", over)
		if *budget {
			os.Exit(1)
		}
	}
}
