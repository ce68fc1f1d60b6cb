package sql

import (
	"fmt"
	"strings"

	"github.com/go-paginate/paginate"
)

// The null, prefix and contains filters, as the package documentation's
// section "Null and text filters" describes them. A null filter's value
// is part of the request's shape (see shapeKey), as IS NULL and IS NOT
// NULL are different SQL.

// likeEscape escapes a LIKE pattern's wildcards; likeEscapeSQL is its
// ESCAPE clause.
const (
	likeEscape    = '!'
	likeEscapeSQL = " ESCAPE '!'"
)

// pattern says how a text filter's value becomes its bound argument.
type pattern uint8

const (
	asIs         pattern = iota // the value itself
	likePrefix                  // escaped, then %
	likeContains                // escaped, between two %
	rangeEnd                    // the value followed by the byte 0xFF
)

// apply returns the argument of v. A value that is not a string, which
// only a query built by hand can hold, is passed on as it is, for the
// database to refuse.
func (p pattern) apply(v any) any {
	s, ok := v.(string)
	if !ok || p == asIs {
		return v
	}
	switch p {
	case likePrefix:
		return escapeLike(s) + "%"
	case likeContains:
		return "%" + escapeLike(s) + "%"
	default: // rangeEnd
		return s + "\xff"
	}
}

// escapeLike escapes LIKE's wildcards and its escape character in s, so
// that the pattern matches s literally.
func escapeLike(s string) string {
	if !strings.ContainsAny(s, "%_!") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%', '_', likeEscape:
			b.WriteByte(likeEscape)
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// matchFilter returns the condition of the i-th filter f, one of null,
// prefix and contains, on col.
func (c *common) matchFilter(i int, f paginate.Condition, field paginate.Field, col string) (fragment, error) {
	if len(f.Values) != 1 {
		return fragment{}, fmt.Errorf("paginate/sql: filter on %q: %s takes one value, got %d", f.Field.Name, f.Op, len(f.Values))
	}
	if f.Op == paginate.IsNull {
		null, ok := f.Values[0].(bool)
		if !ok {
			return fragment{}, fmt.Errorf("paginate/sql: filter on %q: null takes a bool, got %T", f.Field.Name, f.Values[0])
		}
		if null {
			return fragment{sql: col + " IS NULL"}, nil
		}
		return fragment{sql: col + " IS NOT NULL"}, nil
	}
	if field.Type != paginate.String {
		return fragment{}, fmt.Errorf("paginate/sql: filter on %q: %s needs a String field", f.Field.Name, f.Op)
	}
	arg := func(p pattern) argRef { return argRef{kind: argFilter, i: i, pat: p} }
	switch {
	case f.Op == paginate.Prefix && c.dialect == SQLite:
		return fragment{sql: "(" + col + " >= ? AND " + col + " < ?)", args: []argRef{arg(asIs), arg(rangeEnd)}}, nil
	case f.Op == paginate.Prefix:
		return fragment{sql: col + " LIKE ?" + likeEscapeSQL, args: []argRef{arg(likePrefix)}}, nil
	case c.dialect == SQLite: // contains
		return fragment{sql: "instr(" + col + ", ?) > 0", args: []argRef{arg(asIs)}}, nil
	}
	return fragment{sql: col + " LIKE ?" + likeEscapeSQL, args: []argRef{arg(likeContains)}}, nil
}

// isMatch reports whether op is one of the operators matchFilter compiles.
func isMatch(op paginate.Op) bool {
	return op == paginate.IsNull || op == paginate.Prefix || op == paginate.Contains
}
