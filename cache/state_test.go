package cache_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The cache packages keep no process-wide mutable state: what a cache
// knows lives in the values the application creates (its stores and
// caches). A package-level variable is allowed only as a compile-time
// interface check (var _ I = ...) or a sentinel error (var errX =
// errors.New(...)).
func TestNoPackageState(t *testing.T) {
	for _, dir := range []string{".", "rediscache"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, file, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, decl := range f.Decls {
				gen, ok := decl.(*ast.GenDecl)
				if !ok || gen.Tok != token.VAR {
					continue
				}
				for _, spec := range gen.Specs {
					for i, name := range spec.(*ast.ValueSpec).Names {
						if name.Name == "_" || sentinel(name.Name, spec.(*ast.ValueSpec).Values, i) {
							continue
						}
						t.Errorf("%s: package-level variable %s: keep state in the values the application creates", fset.Position(name.Pos()), name.Name)
					}
				}
			}
		}
	}
}

// sentinel reports whether the i-th name of a var declaration is an error
// made with errors.New.
func sentinel(name string, values []ast.Expr, i int) bool {
	if !strings.HasPrefix(name, "err") && !strings.HasPrefix(name, "Err") || i >= len(values) {
		return false
	}
	call, ok := values[i].(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "errors" && sel.Sel.Name == "New"
}
