package sql

import (
	"fmt"
	"hash/maphash"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/squirrel"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/go-paginate/paginate"
)

// The SQL of a request depends only on its shape: which fields it selects,
// its sort fields and directions, its filter fields, operators and number
// of IN values, its page size and, for a keyset page, which of the
// position's values are NULL. Values and offsets are bound arguments. So
// each shape is compiled once, to SQL text, an argument layout and a scan
// plan, and kept in a bounded LRU cache.
//
// The page size is written into the SQL as a number. It comes from the
// paginator (per_page + 1, at most MaxPerPage + 1), never from client text,
// so it adds a bounded number of shapes, and a bound LIMIT costs more than
// it saves: SQLite re-prepares a statement whose LIMIT is a parameter on
// every run (measured: 18 allocations and 4 µs more per 21-row page on the
// benchmark table), and PostgreSQL plans a generic plan for an unknown
// LIMIT as if a tenth of the table were wanted. The one exception is an
// offset combined with a position on a nullable sort, which binds its
// LIMIT (see fetcher.run).

// argKind says where a bound argument's value comes from.
type argKind uint8

const (
	argConst  argKind = iota // a value of the base query
	argFilter                // Query.Filters[i].Values[j]
	argAfter                 // Query.After[i]
	argLimit                 // the row limit
	argOffset                // the offset
)

// slot marks an argument in a builder while the SQL is compiled; after
// ToSql the marks say which argument comes from where.
type slot struct {
	kind argKind
	i, j int
}

// argRef is one bound argument of a compiled statement.
type argRef struct {
	slot
	value any // for argConst
}

// stmtPlan is one compiled statement.
type stmtPlan struct {
	sql  string
	args []argRef
}

// column is where a selected column is scanned to: key slot k, or the
// struct field d.
type column struct {
	key int // -1 for a struct field
	d   *dest
}

// assign copies sort key k into the struct field d.
type assign struct {
	key int
	d   *dest
}

// shape is a compiled request shape.
type shape struct {
	key     string
	stmts   []stmtPlan // one per segment, in order; one for a first page
	cols    []column
	assigns []assign
	nkeys   int
	maxArgs int
}

// common is what a backend and the backends derived from it with On share:
// the dialect, the prepared base query, the field mapping and the shape
// cache.
type common struct {
	dialect   Dialect
	base      squirrel.SelectBuilder // columns, WHERE parts and suffixes split off
	suffixes  []squirrel.Sqlizer
	wrap      bool // DISTINCT, GROUP BY or HAVING: count over a subquery
	fields    []paginate.Field
	byName    map[string]int
	dests     []*dest // per schema field, its place in T
	rowType   reflect.Type
	schema    *paginate.Schema
	shapes    *lru.Cache[uint64, *shape]
	seed      maphash.Seed
	cacheSize int
	noPrepare bool
	// timePrecision is how precisely the database stores times.
	timePrecision time.Duration
	// timeLayout is the text layout of SQLite's time columns.
	timeLayout string
	// check is the catalog check's outcome (check.go).
	check *checkState
}

// shapeKey appends the shape of q to buf. what is 'F' for a fetch with a
// literal limit, 'B' for one with a bound limit, or one of compileCount's
// kinds.
func shapeKey(buf []byte, what byte, q *paginate.Query) []byte {
	buf = append(buf, what)
	if what == 'F' || what == 'B' {
		if what == 'F' {
			buf = strconv.AppendInt(buf, int64(q.Limit), 10)
		}
		if q.Fields == nil {
			buf = append(buf, '*')
		}
		for _, f := range q.Fields {
			buf = append(buf, f.Name...)
			buf = append(buf, ',')
		}
		buf = append(buf, '|')
		for _, o := range q.Sort {
			buf = append(buf, f2dir(o.Dir))
			buf = append(buf, o.Field.Name...)
			buf = append(buf, ',')
		}
		buf = append(buf, '|')
		if q.After != nil {
			buf = append(buf, 'A')
			for _, v := range q.After {
				if v == nil {
					buf = append(buf, '0')
				} else {
					buf = append(buf, '1')
				}
			}
		}
	}
	buf = append(buf, '|')
	for _, c := range q.Filters {
		buf = append(buf, c.Field.Name...)
		buf = append(buf, byte('a'+c.Op), ':')
		buf = strconv.AppendInt(buf, int64(len(c.Values)), 10)
		buf = append(buf, ',')
	}
	return buf
}

func f2dir(d paginate.Direction) byte {
	if d == paginate.Desc {
		return '-'
	}
	return '+'
}

// lookup returns the compiled shape of q, compiling it on a miss.
func (c *common) lookup(what byte, q *paginate.Query) (*shape, error) {
	var arr [256]byte
	key := shapeKey(arr[:0], what, q)
	h := maphash.Bytes(c.seed, key)
	if s, ok := c.shapes.Get(h); ok && s.key == string(key) {
		return s, nil
	}
	var s *shape
	var err error
	if what == 'F' || what == 'B' {
		s, err = c.compileFetch(q, what == 'B')
	} else {
		s, err = c.compileCount(q, what)
	}
	if err != nil {
		return nil, err
	}
	s.key = string(key)
	c.shapes.Add(h, s)
	return s, nil
}

// field returns the schema index of a query's field.
func (c *common) field(f paginate.Field) (int, error) {
	i, ok := c.byName[f.Name]
	if !ok {
		return 0, fmt.Errorf("paginate/sql: field %q is not in the schema", f.Name)
	}
	return i, nil
}

// filters returns the WHERE conditions of q's filters.
func (c *common) filters(q *paginate.Query) ([]squirrel.Sqlizer, error) {
	out := make([]squirrel.Sqlizer, 0, len(q.Filters))
	for i, f := range q.Filters {
		fi, err := c.field(f.Field)
		if err != nil {
			return nil, err
		}
		col := c.fields[fi].ColumnName()
		if f.Op == paginate.In {
			if len(f.Values) == 0 {
				out = append(out, squirrel.Expr("1 = 0"))
				continue
			}
			marks := make([]any, len(f.Values))
			for j := range f.Values {
				marks[j] = slot{argFilter, i, j}
			}
			out = append(out, squirrel.Expr(col+" IN ("+squirrel.Placeholders(len(f.Values))+")", marks...))
			continue
		}
		if len(f.Values) != 1 {
			return nil, fmt.Errorf("paginate/sql: filter on %q: %s takes one value, got %d", f.Field.Name, f.Op, len(f.Values))
		}
		var op string
		switch f.Op {
		case paginate.Eq:
			op = " = ?"
		case paginate.Ne:
			op = " <> ?"
		case paginate.Lt:
			op = " < ?"
		case paginate.Lte:
			op = " <= ?"
		case paginate.Gt:
			op = " > ?"
		case paginate.Gte:
			op = " >= ?"
		default:
			return nil, fmt.Errorf("paginate/sql: filter on %q: unknown operator %s", f.Field.Name, f.Op)
		}
		out = append(out, squirrel.Expr(col+op, slot{argFilter, i, 0}))
	}
	return out, nil
}

// compileFetch compiles the statements of a page, with LIMIT q.Limit, or a
// bound LIMIT when boundLimit is set.
func (c *common) compileFetch(q *paginate.Query, boundLimit bool) (*shape, error) {
	d := c.dialect
	s := &shape{nkeys: len(q.Sort)}
	sortIdx := make([]int, len(q.Sort))
	cols := make([]sortCol, len(q.Sort))
	for k, o := range q.Sort {
		fi, err := c.field(o.Field)
		if err != nil {
			return nil, err
		}
		f := c.fields[fi]
		sortIdx[k] = fi
		cols[k] = sortCol{column: f.ColumnName(), desc: o.Dir == paginate.Desc, nullable: f.Nullable}
	}

	// The select list: the wanted fields in schema order, then a column for
	// each sort key whose field is not wanted. A wanted sort field is
	// scanned once, into its key slot, and copied into T by its assigner;
	// only a field whose type no assigner handles is scanned into T and
	// selected again for its key. Schema order lets a schema declared in
	// table order select the table's columns as they are stored, which
	// PostgreSQL returns without projecting each row (that matters for the
	// rows an OFFSET skips).
	var want []bool
	if q.Fields != nil {
		want = make([]bool, len(c.fields))
		for _, f := range q.Fields {
			fi, err := c.field(f)
			if err != nil {
				return nil, err
			}
			want[fi] = true
		}
	}
	list := make([]string, 0, len(c.fields)+len(q.Sort))
	keyed := make([]bool, len(q.Sort)) // key k is scanned by a wanted field's column
	for fi, f := range c.fields {
		if want != nil && !want[fi] {
			continue
		}
		list = append(list, c.selectItem(fi, d.quote(f.Name)))
		if k := indexOf(sortIdx, fi); k >= 0 && c.dests[fi].assign != nil {
			keyed[k] = true
			s.cols = append(s.cols, column{key: k})
			s.assigns = append(s.assigns, assign{key: k, d: c.dests[fi]})
			continue
		}
		s.cols = append(s.cols, column{key: -1, d: c.dests[fi]})
	}
	for k := range q.Sort {
		if keyed[k] {
			continue
		}
		list = append(list, c.selectItem(sortIdx[k], "_k"+strconv.Itoa(k)))
		s.cols = append(s.cols, column{key: k})
	}

	where, err := c.filters(q)
	if err != nil {
		return nil, err
	}
	orderBy := make([]string, len(cols))
	for k, col := range cols {
		if col.desc {
			orderBy[k] = col.column + " DESC"
		} else {
			orderBy[k] = col.column + " ASC"
		}
	}

	sb := c.base.Columns(list...)
	for _, w := range where {
		sb = sb.Where(w)
	}
	var preds []squirrel.Sqlizer
	var segs []segment
	if q.After != nil {
		if len(q.After) != len(q.Sort) {
			return nil, fmt.Errorf("paginate/sql: position has %d values for a sort of %d fields", len(q.After), len(q.Sort))
		}
		null := make([]bool, len(q.After))
		for i, v := range q.After {
			null[i] = v == nil
		}
		segs = segments(cols, null, d.nullOrder())
		for _, seg := range segs {
			text, idx := d.predicate(cols, null, seg)
			marks := make([]any, len(idx))
			for j, i := range idx {
				marks[j] = slot{argAfter, i, 0}
			}
			preds = append(preds, squirrel.Expr("("+text+")", marks...))
		}
		if len(preds) == 0 {
			return s, nil // nothing follows the position
		}
	} else {
		preds = []squirrel.Sqlizer{nil}
	}
	for i, p := range preds {
		sb := sb
		order := orderBy
		if p != nil {
			sb = sb.Where(p)
			if d == MySQL {
				// Within a segment the equality prefix is constant, so
				// leaving it out of ORDER BY keeps the order. MariaDB needs
				// that: it sorts "b IS NULL AND id > ? ORDER BY b, id"
				// although the index (b, id) holds the rows in order.
				// PostgreSQL needs the opposite: given "ORDER BY id" it may
				// walk the primary key and filter instead of seeking.
				order = orderBy[segs[i].constant():]
			}
		}
		if boundLimit {
			sb = sb.OrderBy(order...).Suffix("LIMIT ? OFFSET ?", slot{kind: argLimit}, slot{kind: argOffset})
		} else {
			sb = sb.OrderBy(order...).Suffix("LIMIT "+strconv.Itoa(q.Limit)+" OFFSET ?", slot{kind: argOffset})
		}
		for _, sf := range c.suffixes {
			sb = sb.SuffixExpr(sf)
		}
		plan, err := toPlan(sb)
		if err != nil {
			return nil, err
		}
		s.stmts = append(s.stmts, plan)
		s.maxArgs = max(s.maxArgs, len(plan.args))
	}
	return s, nil
}

// toPlan renders a builder and records where each argument comes from.
func toPlan(sb squirrel.Sqlizer) (stmtPlan, error) {
	text, args, err := sb.ToSql()
	if err != nil {
		return stmtPlan{}, fmt.Errorf("paginate/sql: build query: %w", err)
	}
	refs := make([]argRef, len(args))
	for i, a := range args {
		if m, ok := a.(slot); ok {
			refs[i] = argRef{slot: m}
		} else {
			refs[i] = argRef{slot: slot{kind: argConst}, value: a}
		}
	}
	return stmtPlan{sql: text, args: refs}, nil
}

// bindArgs fills args for plan from q.
func (c *common) bindArgs(args []any, p *stmtPlan, q *paginate.Query, limit, offset int64) []any {
	args = args[:0]
	for _, r := range p.args {
		var v any
		switch r.kind {
		case argConst:
			v = r.value
		case argFilter:
			v = c.bind(q.Filters[r.i].Values[r.j])
		case argAfter:
			v = c.bind(q.After[r.i])
		case argLimit:
			v = limit
		case argOffset:
			v = offset
		}
		args = append(args, v)
	}
	return args
}

func indexOf(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// hasDistinct reports whether select options include DISTINCT.
func hasDistinct(opts []string) bool {
	for _, o := range opts {
		if strings.Contains(strings.ToUpper(o), "DISTINCT") {
			return true
		}
	}
	return false
}
