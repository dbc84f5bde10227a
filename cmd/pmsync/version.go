package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, Go version and source revision",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(a.stdout, versionString(debug.ReadBuildInfo))
			return err
		},
	}
}

// versionString is "pmsync VERSION (GO[, REVISION])". readBuildInfo is a
// parameter so tests can fake what the linker recorded.
func versionString(readBuildInfo func() (*debug.BuildInfo, bool)) string {
	v := version
	detail := runtime.Version()
	if bi, ok := readBuildInfo(); ok {
		// go install module@vX.Y.Z records the version without ldflags.
		if v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		var rev, dirty string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if rev != "" {
			detail += ", " + rev[:min(len(rev), 12)] + dirty
		}
	}
	return fmt.Sprintf("pmsync %s (%s)", v, detail)
}
