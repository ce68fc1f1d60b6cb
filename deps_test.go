package paginate_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencyBoundaries pins which packages may import what: the core
// and the client only the standard library, relay only the standard
// library and the core, no library package a database driver, only the
// Redis cache package the Redis client, and no library package the
// module's test support (internal/apitest, internal/golden,
// internal/testdb, internal/dataset, internal/itemsapi) or kin-openapi,
// which the tests alone use.
func TestDependencyBoundaries(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	const module = "github.com/go-paginate/paginate"
	// Packages that may import only the standard library, the module's
	// internal packages and, when given, the packages listed.
	for pkg, allowed := range map[string][]string{
		module:             nil,
		module + "/client": nil,
		module + "/relay":  {module},
	} {
		checkImports(t, module, pkg, allowed)
	}

	pkgs := goList(t, module+"/...")
	drivers := []string{"github.com/mattn/go-sqlite3", "github.com/jackc/pgx", "github.com/go-sql-driver/mysql"}
	testSupport := []string{
		module + "/internal/apitest", module + "/internal/golden", module + "/internal/testdb", module + "/internal/dataset", module + "/internal/itemsapi",
		"github.com/getkin/kin-openapi",
	}
	for _, pkg := range strings.Fields(pkgs) {
		rel := strings.TrimPrefix(pkg, module)
		if strings.HasPrefix(rel, "/examples/") || rel == "/internal/testdb" || strings.HasPrefix(rel, "/internal/cmd/") {
			continue // programs and test support may import drivers
		}
		deps := goList(t, "-deps", pkg)
		for _, d := range strings.Fields(deps) {
			for _, f := range testSupport {
				if library(rel) && (d == f || strings.HasPrefix(d, f+"/")) {
					t.Errorf("%s imports %s, which is for the module's tests", pkg, d)
				}
			}
			for _, drv := range drivers {
				if strings.HasPrefix(d, drv) {
					t.Errorf("%s imports the driver %s", pkg, d)
				}
			}
			if strings.HasPrefix(d, "github.com/redis/") && !strings.Contains(rel, "redis") {
				t.Errorf("%s imports the Redis client %s", pkg, d)
			}
			if (rel == "/httpadapter" || rel == "/paginatetest") && (strings.HasPrefix(d, "github.com/jmoiron/sqlx") || strings.HasPrefix(d, "github.com/Masterminds/squirrel")) {
				t.Errorf("%s imports %s; it must not need a SQL library", pkg, d)
			}
		}
	}
}

// checkImports checks that pkg imports, besides the standard library and
// module's internal packages, only the packages allowed.
func checkImports(t *testing.T, module, pkg string, allowed []string) {
	t.Helper()
	out := goList(t, "-deps", "-f", "{{.ImportPath}} {{.Standard}}", pkg)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if f[1] == "true" || f[0] == pkg || slices.Contains(allowed, f[0]) || strings.HasPrefix(f[0], module+"/internal/") {
			continue
		}
		t.Errorf("%s imports %s; it may import only the standard library and %q", pkg, f[0], allowed)
	}
}

// goList runs go list with args and returns what it writes to standard
// output. What it writes to standard error (such as "go: downloading"
// lines on a machine whose module cache is empty) is not part of the
// list; it is shown only when go list fails.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// library reports whether the package at path rel (relative to the
// module, "" for the core) is one an application imports, directly or
// through another: not an example, a command or a test's support.
func library(rel string) bool {
	return !strings.HasPrefix(rel, "/examples/") &&
		(!strings.HasPrefix(rel, "/internal/") || slices.Contains(libraryDirs, strings.TrimPrefix(rel, "/")))
}
