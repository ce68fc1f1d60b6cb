package paginate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// libraryDirs are the directories of the packages an application
// imports, directly or through another: the library, and the internal
// packages it is built from.
var libraryDirs = []string{
	".", "sql", "httpadapter", "cache", "cache/rediscache", "client", "relay", "paginatetest",
	"internal/cursor", "internal/value", "internal/structfield", "internal/related",
}

// TestNoPackageState checks that the library keeps no process-wide
// mutable state: what a paginator, a cache or a client knows lives in the
// values the application creates. A package-level variable in a library
// package's non-test files may only be
//
//   - a compile-time interface check (var _ I = ...),
//   - an exported sentinel error (var ErrX = errors.New(...)), or
//   - an unexported value that no code of the package writes: a table (a
//     non-empty composite literal, or one computed by a function literal
//     called once), a sentinel, a regexp, a reflect.Type, a time or a
//     byte string.
//
// A variable without a value, one made with make or new, an empty map or
// slice (a registry waiting to be filled), and any variable that is
// assigned, incremented, deleted from, cleared or has its address taken
// are state.
func TestNoPackageState(t *testing.T) {
	for _, dir := range libraryDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		var parsed []*ast.File
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			parsed = append(parsed, f)
		}
		vars := map[string]*ast.ValueSpec{}
		for _, f := range parsed {
			for _, decl := range f.Decls {
				if gen, ok := decl.(*ast.GenDecl); ok && gen.Tok == token.VAR {
					for _, spec := range gen.Specs {
						checkVar(t, fset, spec.(*ast.ValueSpec), vars)
					}
				}
			}
		}
		for _, f := range parsed {
			checkWrites(t, fset, f, vars)
		}
	}
}

// checkVar checks one package-level var declaration and records its
// unexported names in vars.
func checkVar(t *testing.T, fset *token.FileSet, spec *ast.ValueSpec, vars map[string]*ast.ValueSpec) {
	t.Helper()
	for i, name := range spec.Names {
		if name.Name == "_" {
			continue
		}
		var value ast.Expr
		if i < len(spec.Values) {
			value = spec.Values[i]
		}
		switch {
		case name.IsExported() && !isCall(value, "errors", "New"):
			t.Errorf("%s: exported package-level variable %s: only sentinel errors may be exported variables", fset.Position(name.Pos()), name.Name)
		case !name.IsExported() && !readOnlyValue(value):
			t.Errorf("%s: package-level variable %s holds state: keep state in the values the application creates", fset.Position(name.Pos()), name.Name)
		}
		if !name.IsExported() {
			vars[name.Name] = spec
		}
	}
}

// readOnlyValue reports whether v is an initial value of the kinds a
// read-only package-level variable may hold.
func readOnlyValue(v ast.Expr) bool {
	switch v := v.(type) {
	case *ast.CompositeLit:
		return len(v.Elts) > 0
	case *ast.BasicLit:
		return true
	case *ast.CallExpr:
		switch fun := v.Fun.(type) {
		case *ast.FuncLit:
			return true // a table computed once
		case *ast.ArrayType:
			_, lit := v.Args[0].(*ast.BasicLit)
			return lit // []byte("...")
		case *ast.IndexExpr: // reflect.TypeFor[T]
			return isFunc(fun.X, "reflect", "TypeFor")
		}
		return isCall(v, "errors", "New") || isCall(v, "regexp", "MustCompile") ||
			isCall(v, "reflect", "TypeOf") || isCall(v, "time", "Date")
	}
	return false
}

// isCall reports whether e is a call of pkg.name.
func isCall(e ast.Expr, pkg, name string) bool {
	call, ok := e.(*ast.CallExpr)
	return ok && isFunc(call.Fun, pkg, name)
}

func isFunc(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == pkg && sel.Sel.Name == name
}

// checkWrites reports every write in f to one of the package-level
// variables vars: an assignment to it or to an element or field of it,
// an increment, a delete or clear, or taking its address.
func checkWrites(t *testing.T, fset *token.FileSet, f *ast.File, vars map[string]*ast.ValueSpec) {
	t.Helper()
	written := func(e ast.Expr, how string) {
		if id := rootIdent(e); id != nil && isPackageVar(id, vars) {
			t.Errorf("%s: %s package-level variable %s: keep state in the values the application creates", fset.Position(id.Pos()), how, id.Name)
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, lhs := range n.Lhs {
					written(lhs, "assigns")
				}
			}
		case *ast.IncDecStmt:
			written(n.X, "increments")
		case *ast.UnaryExpr:
			if n.Op == token.AND {
				written(n.X, "takes the address of")
			}
		case *ast.CallExpr:
			if fun, ok := n.Fun.(*ast.Ident); ok && (fun.Name == "delete" || fun.Name == "clear") && len(n.Args) > 0 {
				written(n.Args[0], "deletes from")
			}
		}
		return true
	})
}

// rootIdent returns the variable an expression such as x, x[i], x.f or
// *x starts from, or nil.
func rootIdent(e ast.Expr) *ast.Ident {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x
		case *ast.IndexExpr:
			e = x.X
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return nil
		}
	}
}

// isPackageVar reports whether id names one of the package-level
// variables vars rather than a local of the same name. The parser
// resolves identifiers within a file: a local's Obj is its declaration,
// a package-level variable's is its ValueSpec in the same file or nil
// in another.
func isPackageVar(id *ast.Ident, vars map[string]*ast.ValueSpec) bool {
	spec, ok := vars[id.Name]
	if !ok {
		return false
	}
	return id.Obj == nil || id.Obj.Decl == spec
}
