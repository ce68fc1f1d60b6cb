package sql

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// shapeKind is what a compiled shape is for.
type shapeKind uint8

const (
	kindPage           shapeKind = iota // a page from its start or position, its LIMIT written into the SQL, no OFFSET
	kindPageOffset                      // a page after a bound OFFSET, its LIMIT written into the SQL
	kindPageBoundLimit                  // a page with a bound LIMIT and OFFSET (see fetcher.run)
	kindPageDeferred                    // a page after a bound OFFSET, read by a deferred join (see deferred.go)
	kindPageFromEnd                     // a page after a bound OFFSET, read from the end by a deferred join (see fromend.go)
	kindCount                           // the exact count
	kindCountAtMost                     // a count of at most a bound number of rows
	kindEstimate                        // the statement whose plan estimates the count
)

var shapeKindNames = [...]string{"page", "page with an offset", "page with a bound limit", "page by a deferred join", "page from the end", "count", "count at most", "estimate"}

func (k shapeKind) String() string {
	if int(k) < len(shapeKindNames) {
		return shapeKindNames[k]
	}
	return "shapeKind(" + strconv.Itoa(int(k)) + ")"
}

// pageKind returns the kind of the statements that fetch q's page. A
// page without an offset (every keyset page, the first offset page) has
// no OFFSET clause: a bound OFFSET, even of 0, keeps PostgreSQL from
// settling on a generic plan for a prepared statement, so that it plans
// every execution afresh. A deep offset page may be read by a deferred
// join (see deferred.go).
func (c *common) pageKind(q *paginate.Query) shapeKind {
	switch {
	case q.Offset > 0 && q.After != nil:
		return kindPageBoundLimit // see fetcher.run
	case c.deferred(q):
		return kindPageDeferred
	case q.Offset > 0:
		return kindPageOffset
	}
	return kindPage
}

// isPage reports whether k is a kind of page statements.
func (k shapeKind) isPage() bool { return k <= kindPageFromEnd }

// argKind says where a bound argument's value comes from.
type argKind uint8

const (
	argConst  argKind = iota // a value of the base query
	argFilter                // Query.Filters[i].Values[j]
	argAfter                 // Query.After[i]
	argLimit                 // the row limit
	argOffset                // the offset
	argLink                  // a relation's link value i (relations.go)
)

// argRef is one bound argument of a compiled statement.
type argRef struct {
	kind  argKind
	i, j  int
	value any     // for argConst
	pat   pattern // for argFilter: how a text filter's value is bound
}

// fragment is a piece of SQL text with "?" placeholders and, for each
// placeholder, where its argument comes from.
type fragment struct {
	sql  string
	args []argRef
}

// constFragment returns a fragment of the base query, whose arguments are
// constants.
func constFragment(sql string, args []any) fragment {
	f := fragment{sql: sql, args: make([]argRef, len(args))}
	for i, a := range args {
		f.args[i] = argRef{kind: argConst, value: a}
	}
	return f
}

// add appends g to f.
func (f *fragment) add(g fragment) {
	f.sql += g.sql
	f.args = append(f.args, g.args...)
}

// stmtPlan is one compiled statement.
type stmtPlan struct {
	sql  string
	args []argRef
}

// plan writes f's placeholders in the dialect's format.
func (f fragment) plan(d Dialect) (stmtPlan, error) {
	text, err := d.placeholders().ReplacePlaceholders(f.sql)
	if err != nil {
		return stmtPlan{}, fmt.Errorf("paginate/sql: build query: %w", err)
	}
	return stmtPlan{sql: text, args: f.args}, nil
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
	// rowCols and rowAssigns are the indexes of the cols and assigns
	// whose destinations change from row to row: key slots and fields
	// behind embedded pointers.
	rowCols, rowAssigns []int
	nkeys               int
	// timeKeys are the sort keys decoded from SQLite's stored forms of
	// time (sqlitetime.go); a page keeps their times in one buffer.
	timeKeys []timeKey
	maxArgs  int
	// zeroRows says the row being scanned must be zeroed before each row:
	// some field it scans into is not simply overwritten (see
	// dest.overwritten).
	zeroRows bool
	scratch  sync.Pool // of *scratch, for Fetch
}

// scratch is what a Fetch of a shape needs only while it runs: the
// statement's arguments, the row being scanned (a *T, allocated by the
// first Fetch that uses the scratch) and the scan destinations, which
// point at the row's fields. It is pooled per shape, so that a page
// allocates only what it returns, and the addresses of the row's fields
// are found once per scratch rather than once per page.
type scratch struct {
	args []any // capacity maxArgs
	ptrs []any // one per column and per assign
	row  any
}

func (s *shape) getScratch() *scratch {
	if sc, ok := s.scratch.Get().(*scratch); ok {
		return sc
	}
	return &scratch{args: make([]any, 0, s.maxArgs), ptrs: make([]any, len(s.cols)+len(s.assigns))}
}

// putScratch returns sc to the pool with its arguments cleared: it must
// not keep a page's values alive. (The fetcher has zeroed the row and
// cleared the destinations outside it.)
func (s *shape) putScratch(sc *scratch) {
	clear(sc.args[:cap(sc.args)])
	sc.args = sc.args[:0]
	s.scratch.Put(sc)
}

// common is what a backend and the backends derived from it with On share:
// the dialect, the prepared base query, the field mapping and the shape
// cache.
type common struct {
	dialect   Dialect
	base      *baseQuery
	fields    []paginate.Field
	byName    map[string]int
	dests     []*dest // per schema field, its place in T
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
	// statementTimeout, timeoutPrefix and timeoutHint are the time limit
	// statements carry on MySQL and MariaDB (see timeout.go).
	statementTimeout           time.Duration
	timeoutPrefix, timeoutHint string
	// relations are the schema's relations, by name (relations.go).
	relations map[string]*relPlan
	// deferOffset is the smallest offset read by a deferred join; 0: none.
	deferOffset int64
	// fromEnd, when not nil, says how pages from fromEndOffset on may be
	// read from the end (fromend.go).
	fromEnd       *fromEnd
	fromEndOffset int64
	// fromEndAlways reads every page from fromEndOffset on from the end,
	// without bounding the row count: tests set it (export_test.go).
	fromEndAlways bool
}

// shapeKey appends the shape of q for statements of kind k to buf.
func shapeKey(buf []byte, k shapeKind, q *paginate.Query) []byte {
	buf = append(buf, byte(k))
	if k.isPage() {
		buf = pageShapeKey(buf, k, q)
	}
	if k == kindCountAtMost {
		buf = strconv.AppendInt(buf, int64(q.Limit), 10)
	}
	buf = append(buf, '|')
	for _, c := range q.Filters {
		buf = append(buf, c.Field.Name...)
		buf = append(buf, byte('a'+c.Op), ':')
		if c.Op == paginate.IsNull && len(c.Values) == 1 {
			// IS NULL and IS NOT NULL are different SQL.
			if null, _ := c.Values[0].(bool); null {
				buf = append(buf, 'T')
			} else {
				buf = append(buf, 'F')
			}
		}
		buf = strconv.AppendInt(buf, int64(len(c.Values)), 10)
		buf = append(buf, ',')
	}
	return buf
}

// pageShapeKey appends what shapes a page beyond its filters: its page
// size when written into the SQL, fields, sort and which position values
// are NULL.
func pageShapeKey(buf []byte, k shapeKind, q *paginate.Query) []byte {
	if k != kindPageBoundLimit {
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
	return buf
}

func f2dir(d paginate.Direction) byte {
	if d == paginate.Desc {
		return '-'
	}
	return '+'
}

// lookup returns the compiled shape of q's statements of kind k,
// compiling it on a miss.
func (c *common) lookup(k shapeKind, q *paginate.Query) (*shape, error) {
	var arr [256]byte
	key := shapeKey(arr[:0], k, q)
	h := maphash.Bytes(c.seed, key)
	if s, ok := c.shapes.Get(h); ok && s.key == string(key) {
		return s, nil
	}
	var s *shape
	var err error
	switch {
	case k == kindPageDeferred:
		s, err = c.compileDeferred(q)
	case k == kindPageFromEnd:
		s, err = c.compileFromEnd(q)
	case k.isPage():
		s, err = c.compileFetch(q, k)
	default:
		s, err = c.compileCount(q, k)
	}
	if err != nil {
		return nil, err
	}
	if k != kindEstimate {
		c.limitTime(s)
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

// comparisons are the SQL operators of the comparison filters.
var comparisons = map[paginate.Op]string{
	paginate.Eq:  " = ?",
	paginate.Ne:  " <> ?",
	paginate.Lt:  " < ?",
	paginate.Lte: " <= ?",
	paginate.Gt:  " > ?",
	paginate.Gte: " >= ?",
}

// filters returns the WHERE conditions of q's filters.
func (c *common) filters(q *paginate.Query) ([]fragment, error) {
	out := make([]fragment, 0, len(q.Filters))
	for i, f := range q.Filters {
		fi, err := c.field(f.Field)
		if err != nil {
			return nil, err
		}
		col := c.fields[fi].ColumnName()
		if isMatch(f.Op) {
			cond, err := c.matchFilter(i, f, c.fields[fi], col)
			if err != nil {
				return nil, err
			}
			out = append(out, cond)
			continue
		}
		if f.Op == paginate.In {
			if len(f.Values) == 0 {
				out = append(out, fragment{sql: "1 = 0"})
				continue
			}
			cond := fragment{sql: col + " IN (" + squirrel.Placeholders(len(f.Values)) + ")"}
			for j := range f.Values {
				cond.args = append(cond.args, argRef{kind: argFilter, i: i, j: j})
			}
			out = append(out, cond)
			continue
		}
		if len(f.Values) != 1 {
			return nil, fmt.Errorf("paginate/sql: filter on %q: %s takes one value, got %d", f.Field.Name, f.Op, len(f.Values))
		}
		op, ok := comparisons[f.Op]
		if !ok {
			return nil, fmt.Errorf("paginate/sql: filter on %q: unknown operator %s", f.Field.Name, f.Op)
		}
		out = append(out, fragment{sql: col + op, args: []argRef{{kind: argFilter, i: i}}})
	}
	return out, nil
}

// compileFetch compiles the statements of a page of kind k: LIMIT q.Limit,
// then a bound OFFSET for kindPageOffset, or a bound LIMIT and OFFSET for
// kindPageBoundLimit. It makes one statement, or one per segment of a
// keyset position (see segments), each the base with the select list,
// the filters, the segment's predicate, ORDER BY, LIMIT and OFFSET.
func (c *common) compileFetch(q *paginate.Query, k shapeKind) (*shape, error) {
	s, pp, err := c.pageParts(q)
	if err != nil {
		return nil, err
	}
	cols, list, where := pp.cols, pp.list, pp.where
	preds, err := c.positionPredicates(q, cols)
	if err != nil {
		return nil, err
	}
	limit := fragment{sql: " LIMIT " + strconv.Itoa(q.Limit)}
	switch k {
	case kindPageOffset:
		limit.sql += " OFFSET ?"
		limit.args = []argRef{{kind: argOffset}}
	case kindPageBoundLimit:
		limit = fragment{sql: " LIMIT ? OFFSET ?", args: []argRef{{kind: argLimit}, {kind: argOffset}}}
	}
	for _, p := range preds {
		conds := where
		if p.cond != nil {
			conds = append(where[:len(where):len(where)], *p.cond)
		}
		tail := fragment{sql: " ORDER BY " + orderBy(cols[p.constant:])}
		tail.add(limit)
		plan, err := c.base.selectOver(list, conds, tail, true).plan(c.dialect)
		if err != nil {
			return nil, err
		}
		s.stmts = append(s.stmts, plan)
		s.maxArgs = max(s.maxArgs, len(plan.args))
	}
	return s, nil
}

// pageParts are the parts every statement of a page shares, whatever
// reads it: the sort's columns, the select list and the filters.
type pageParts struct {
	cols  []sortCol
	list  string
	where []fragment
}

// pageParts starts the shape of q's page, with its select list, and
// returns the parts its statements share.
func (c *common) pageParts(q *paginate.Query) (*shape, pageParts, error) {
	s := &shape{nkeys: len(q.Sort)}
	sortIdx, cols, err := c.sortColumns(q)
	if err != nil {
		return nil, pageParts{}, err
	}
	list, err := c.selectList(s, q, sortIdx, cols)
	if err != nil {
		return nil, pageParts{}, err
	}
	where, err := c.filters(q)
	if err != nil {
		return nil, pageParts{}, err
	}
	return s, pageParts{cols: cols, list: list, where: where}, nil
}

// sortColumns returns the schema index and the SQL column of each sort
// field of q.
func (c *common) sortColumns(q *paginate.Query) ([]int, []sortCol, error) {
	sortIdx := make([]int, len(q.Sort))
	cols := make([]sortCol, len(q.Sort))
	for k, o := range q.Sort {
		fi, err := c.field(o.Field)
		if err != nil {
			return nil, nil, err
		}
		f := c.fields[fi]
		sortIdx[k] = fi
		cols[k] = sortCol{column: f.ColumnName(), desc: o.Dir == paginate.Desc, nullable: f.Nullable}
	}
	return sortIdx, cols, nil
}

// selectList returns the select list of a page and sets s's scan plan: the
// wanted fields in schema order, then a column for each sort key whose
// field is not wanted. A wanted sort field is scanned once, into its key
// slot, and copied into T by its assigner; only a field whose type no
// assigner handles is scanned into T and selected again for its key.
// Schema order lets a schema declared in table order select the table's
// columns as they are stored, which PostgreSQL returns without projecting
// each row (that matters for the rows an OFFSET skips).
func (c *common) selectList(s *shape, q *paginate.Query, sortIdx []int, cols []sortCol) (string, error) {
	var want []bool
	if q.Fields != nil {
		want = make([]bool, len(c.fields))
		for _, f := range q.Fields {
			fi, err := c.field(f)
			if err != nil {
				return "", err
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
		list = append(list, c.selectItem(fi, c.dialect.quote(f.Name)))
		s.zeroRows = s.zeroRows || !c.dests[fi].overwritten()
		if k := slices.Index(sortIdx, fi); k >= 0 && c.dests[fi].assign != nil {
			keyed[k] = true
			s.cols = append(s.cols, column{key: k})
			s.assigns = append(s.assigns, assign{key: k, d: c.dests[fi]})
			continue
		}
		s.cols = append(s.cols, column{key: -1, d: c.dests[fi]})
	}
	for k := range cols {
		if !keyed[k] {
			list = append(list, c.selectItem(sortIdx[k], "_k"+strconv.Itoa(k)))
			s.cols = append(s.cols, column{key: k})
		}
	}
	s.timeKeys = c.timeKeys(sortIdx)
	for j, col := range s.cols {
		if col.key >= 0 || !col.d.direct {
			s.rowCols = append(s.rowCols, j)
		}
	}
	for i, a := range s.assigns {
		if !a.d.direct {
			s.rowAssigns = append(s.rowAssigns, i)
		}
	}
	return strings.Join(list, ", "), nil
}

// positionPredicate is the condition of one statement of a page: nil for
// a page without a position, else one segment of "after the position".
// constant is how many leading sort columns the condition holds to one
// value.
type positionPredicate struct {
	cond     *fragment
	constant int
}

// positionPredicates returns one predicate per statement of q's page: a
// nil condition when q has no position, one per segment when it has one,
// and none when no row can follow the position.
func (c *common) positionPredicates(q *paginate.Query, cols []sortCol) ([]positionPredicate, error) {
	if q.After == nil {
		return []positionPredicate{{}}, nil
	}
	if len(q.After) != len(q.Sort) {
		return nil, fmt.Errorf("paginate/sql: position has %d values for a sort of %d fields", len(q.After), len(q.Sort))
	}
	null := make([]bool, len(q.After))
	for i, v := range q.After {
		null[i] = v == nil
	}
	var out []positionPredicate
	for _, seg := range segments(cols, null, c.dialect.nullOrder()) {
		text, idx := c.dialect.predicate(cols, null, seg)
		cond := &fragment{sql: "(" + text + ")"}
		for _, i := range idx {
			cond.args = append(cond.args, argRef{kind: argAfter, i: i})
		}
		p := positionPredicate{cond: cond}
		if c.dialect == MySQL {
			// Within a segment the equality prefix is constant, so leaving
			// it out of ORDER BY keeps the order. MariaDB needs that: it
			// sorts "b IS NULL AND id > ? ORDER BY b, id" although the
			// index (b, id) holds the rows in order. PostgreSQL needs the
			// opposite: given "ORDER BY id" it may walk the primary key and
			// filter instead of seeking.
			p.constant = seg.constant()
		}
		out = append(out, p)
	}
	return out, nil
}

// orderBy returns the ORDER BY terms of cols.
func orderBy(cols []sortCol) string {
	terms := make([]string, len(cols))
	for k, col := range cols {
		if col.desc {
			terms[k] = col.column + " DESC"
		} else {
			terms[k] = col.column + " ASC"
		}
	}
	return strings.Join(terms, ", ")
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
			v = r.pat.apply(c.bind(q.Filters[r.i].Values[r.j]))
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
