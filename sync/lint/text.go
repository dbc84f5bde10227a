package lint

import (
	"fmt"
	"io"

	"github.com/pmsync/pmsync/sync/postmortem"
)

// WriteText prints each finding as path:line: severity: message, the
// form editors and CI annotations read, then one line of counts.
func WriteText(w io.Writer, views []postmortem.DocView) {
	var nErr, nWarn, nFinal int
	for _, v := range views {
		if v.Finalized {
			nFinal++
		}
		for _, e := range v.Errors {
			fmt.Fprintf(w, "%s: error: %s\n", where(v.Path, e.Line), e.Message)
		}
		for _, e := range v.Warnings {
			fmt.Fprintf(w, "%s: warning: %s\n", where(v.Path, e.Line), e.Message)
		}
		nErr += len(v.Errors)
		nWarn += len(v.Warnings)
	}
	fmt.Fprintf(w, "%d documents (%d finalized): %d errors, %d warnings\n", len(views), nFinal, nErr, nWarn)
}

func where(path string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", path, line)
	}
	return path
}
