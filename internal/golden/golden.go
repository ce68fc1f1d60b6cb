// Package golden compares what a test produces with a file under its
// package's testdata, or rewrites the file when the test runs with its
// update flag, as go-cmp's and the standard library's golden tests do.
// Each test package declares its own flag and passes its value. The
// package is imported only by tests.
package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// File compares got with the file at path. With update it writes got to
// the file instead, creating its directory. A missing file, or one that
// differs, is an error of the test that shows the difference and says how
// to rewrite the files: rewrite is the command, such as
// "go test ./httpadapter -update".
func File(tb testing.TB, path string, got []byte, update bool, rewrite string) {
	tb.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Errorf("%v; write it with %s", err, rewrite)
		return
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		tb.Errorf("%s is stale (-file +now); rewrite it with %s:\n%s", path, rewrite, diff)
	}
}
