package sql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/Masterminds/squirrel"
)

// The base query is the application's squirrel SELECT. The backend owns
// its select list, ORDER BY, LIMIT and OFFSET, and adds its own conditions
// to its WHERE clause. It reads the base through squirrel's public API
// only: New renders the base once, with a marker appended at each clause
// boundary it needs (a select column, a join, a WHERE condition and an
// ORDER BY term), and cuts the rendered text and arguments at the markers.
// This relies on squirrel rendering a SELECT's clauses in SQL's order
// (prefixes, SELECT and its options, columns, FROM, joins, WHERE, GROUP
// BY, HAVING, ORDER BY, LIMIT, OFFSET, suffixes), each clause's parts in
// the order they were added, and each part's text and arguments as the
// part gives them. splitBase checks every marker landed where that order
// puts it and refuses the base otherwise, so a squirrel release that
// renders differently fails in New (and in TestBaseParts), not in a query.
//
// The rendering also shows what the base sets that the backend refuses:
// an ORDER BY term before the ORDER BY marker, a LIMIT or OFFSET after it.

// baseQuery is the base query cut into the pieces the backend recombines,
// each with "?" placeholders (squirrel.Question) and its arguments.
type baseQuery struct {
	head   fragment // prefixes, SELECT and options: what precedes the select list
	from   fragment // " FROM ..." and the joins
	where  fragment // the WHERE conditions, ANDed, without the keyword; empty if none
	group  fragment // " GROUP BY ..." and " HAVING ...", or empty
	suffix fragment // the suffixes, or empty
	// wrap reports DISTINCT, GROUP BY or HAVING: the base's rows are not
	// its table's rows, so a count runs over the base as a subquery.
	wrap bool
}

// marker is appended to the base at a clause boundary while it is
// rendered: its text marks the position in the SQL, and it gives itself as
// its one argument to mark the position in the arguments.
type marker int

const (
	markColumns marker = iota // the only select column
	markJoins                 // the last join
	markWhere                 // the last WHERE condition
	markOrder                 // the last ORDER BY term
	nMarkers
)

// ToSql implements squirrel.Sqlizer. The NUL bytes keep the text from
// occurring in any SQL an application writes.
func (m marker) ToSql() (string, []any, error) {
	return "\x00paginate:" + strconv.Itoa(int(m)) + "\x00", []any{m}, nil
}

// errBaseLayout reports a rendering of the base that splitBase cannot
// read: a squirrel release that renders SELECTs in another layout.
var errBaseLayout = errors.New("paginate/sql: the base query renders in a layout this version of the backend cannot read (is squirrel newer than go.mod's?)")

// splitBase renders base and cuts it into a baseQuery.
func splitBase(base squirrel.SelectBuilder) (*baseQuery, error) {
	text, args, err := base.PlaceholderFormat(squirrel.Question).
		RemoveColumns().Column(markColumns).
		JoinClause(markJoins).
		Where(markWhere).
		OrderByClause(markOrder).
		ToSql()
	if err != nil {
		return nil, fmt.Errorf("paginate/sql: render the base query: %w", err)
	}
	var cut [nMarkers]struct{ start, end, arg int }
	for m := range nMarkers {
		token, _, _ := m.ToSql()
		c := &cut[m]
		c.start = strings.Index(text, token)
		c.end = c.start + len(token)
		c.arg = argIndex(args, m)
		if c.start < 0 || strings.Count(text, token) != 1 || c.arg < 0 ||
			(m > 0 && (c.start < cut[m-1].end || c.arg < cut[m-1].arg)) {
			return nil, errBaseLayout
		}
	}
	piece := func(from, to marker, sql string) fragment {
		return constFragment(sql, args[cut[from].arg+1:cut[to].arg])
	}
	b := &baseQuery{head: constFragment(text[:cut[markColumns].start], args[:cut[markColumns].arg])}

	// Between the column and join markers: " FROM x", then the joins and
	// the marker, each after a space.
	from := text[cut[markColumns].end:cut[markJoins].start]
	if !strings.HasPrefix(from, " FROM ") {
		return nil, errors.New("paginate/sql: the base query has no FROM")
	}
	b.from = piece(markColumns, markJoins, strings.TrimSuffix(from, " "))

	// Then " WHERE ", the base's conditions, each followed by " AND ",
	// and the WHERE marker.
	where, ok := strings.CutPrefix(text[cut[markJoins].end:cut[markWhere].start], " WHERE ")
	if !ok {
		return nil, errBaseLayout
	}
	b.where = piece(markJoins, markWhere, strings.TrimSuffix(where, " AND "))

	// Then GROUP BY and HAVING, " ORDER BY ", the base's ORDER BY terms,
	// each followed by ", ", and the ORDER BY marker.
	group, ok := strings.CutSuffix(text[cut[markWhere].end:cut[markOrder].start], " ORDER BY ")
	if !ok {
		return nil, errors.New("paginate/sql: the base query sets ORDER BY; the backend orders pages itself")
	}
	b.group = piece(markWhere, markOrder, group)

	// Then LIMIT, OFFSET and the suffixes. A suffix that starts with one
	// of the clauses the backend owns is refused as the clause is.
	rest := text[cut[markOrder].end:]
	switch upper := strings.ToUpper(rest); {
	case strings.HasPrefix(upper, " ORDER BY "):
		return nil, errors.New("paginate/sql: the base query sets ORDER BY; the backend orders pages itself")
	case strings.HasPrefix(upper, " LIMIT "):
		return nil, errors.New("paginate/sql: the base query sets LIMIT; the backend limits pages itself")
	case strings.HasPrefix(upper, " OFFSET "):
		return nil, errors.New("paginate/sql: the base query sets OFFSET; the backend offsets pages itself")
	}
	b.suffix = constFragment(strings.TrimPrefix(rest, " "), args[cut[markOrder].arg+1:])

	// The options follow the last "SELECT " of the head (a prefix, such as
	// a WITH clause, may hold SELECTs of its own).
	head := b.head.sql
	options := strings.ToUpper(head[strings.LastIndex(head, "SELECT ")+len("SELECT "):])
	b.wrap = strings.Contains(options, "DISTINCT") || b.group.sql != ""
	return b, nil
}

// argIndex returns the index of marker m in args, or -1.
func argIndex(args []any, m marker) int {
	for i, a := range args {
		if x, ok := a.(marker); ok && x == m {
			return i
		}
	}
	return -1
}

// selectOver returns a SELECT of list over the base: its prefixes and
// options, FROM and joins, its WHERE conditions (parenthesized, so that an
// OR among them cannot capture the others) ANDed with conds, its GROUP BY
// and HAVING, then tail, then the base's suffixes when withSuffix is set.
func (b *baseQuery) selectOver(list string, conds []fragment, tail fragment, withSuffix bool) fragment {
	var w fragment
	w.add(b.head)
	w.sql += list
	w.add(b.from)
	sep := " WHERE "
	if b.where.sql != "" {
		w.sql += sep + "("
		w.add(b.where)
		w.sql += ")"
		sep = " AND "
	}
	for _, c := range conds {
		w.sql += sep
		w.add(c)
		sep = " AND "
	}
	w.add(b.group)
	w.add(tail)
	if withSuffix && b.suffix.sql != "" {
		w.sql += " "
		w.add(b.suffix)
	}
	return w
}
