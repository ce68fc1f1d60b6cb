package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/go-paginate/paginate"
)

// On SQLite, a deep offset page of an unfiltered table may be read from
// the end. A deferred join (deferred.go) still walks the index entry by
// entry up to the offset, and with SQLite's default page cache it reads
// the index through the operating system to get there. SQLite counts a
// table's rows much faster than it walks them (for "SELECT count(*) FROM
// t" it adds up the entries of each page of the smallest index without
// looking at them), so the page d rows deep of n rows can be read as the
// rows n-d-limit to n-d of the reversed order. Which end is nearer needs
// the row count before the walk; SQLite keeps none, but a rowid table's
// largest and smallest rowid, two index descents, bound it: the table has
// at most max-min+1 rows. One statement does it all, so that the bound,
// the count and the page see the same rows:
//
//	WITH _paginate_n AS (SELECT CASE
//	    WHEN (SELECT max(_rowid_) FROM t) - (SELECT min(_rowid_) FROM t) + 1 - ?1 < ?1 / 2
//	    THEN (SELECT count(*) FROM t) END AS c)
//	SELECT list FROM (
//	    SELECT * FROM (SELECT t.a AS _s0, t.id AS _pk FROM t ORDER BY t.a, t.id
//	        LIMIT CASE WHEN n IS NULL THEN limit ELSE 0 END OFFSET ?1)
//	    UNION ALL
//	    SELECT * FROM (SELECT t.a AS _s0, t.id AS _pk FROM t ORDER BY t.a DESC, t.id DESC
//	        LIMIT max(0, min(limit, coalesce(n, 0) - ?1)) OFFSET max(0, coalesce(n, 0) - ?1 - limit))
//	) AS _d CROSS JOIN t ON t.id = _d._pk ORDER BY t.a, t.id
//
// where n is (SELECT c FROM _paginate_n) and ?1 the offset. The count is
// taken only when the rows after the page, by the bound, are fewer than
// half its offset: then the count and the walk from the end cost less than
// the walk from the start even where the bound is exact, and a bound far
// above the count (a table with many rows deleted) keeps the walk from the
// start, at the cost of the two descents. Of the two branches, the one
// not taken has LIMIT 0 and reads nothing. Reversing every column's
// direction reverses SQLite's order exactly (NULL is the smallest value in
// either direction); the outer ORDER BY puts the page back in the
// requested order, and CROSS JOIN keeps the page's keys as the outer
// loop: SQLite cannot tell how few rows a computed LIMIT leaves, and would
// rather walk the whole table in the order's index, probing the keys. The
// count is exact, and the bound only chooses the end: the page is right
// whichever end it is read from.
//
// Measured on the benchmark table (1,000,000 rows; docs/benchmarks.md),
// the last page costs about 3 ms, against 12 ms by the deferred join and
// 22 ms plainly; a page 500,000 rows deep, read from the start, costs
// what the deferred join does.
//
// It applies to offset pages without filters, at least fromEndOffset deep,
// over a base the deferred join serves whose FROM is one table and which
// has no WHERE: SQLite counts quickly only "count(*)" over a table with no
// condition, and only then is the count the base's row count. A view or a
// WITHOUT ROWID table has no rowid: the first deep page over a base finds
// out whether its table has one, and a base without reads its pages by
// the deferred join. (A table with a column of its own named _rowid_ hides
// the rowid behind it: the bound is then that column's, which may choose
// the wrong end, but not a wrong page.)

// fromEndOffset is the smallest offset read from the end. Less deep, a
// page costs little either way, and the descents that bound the row count
// would be a visible part of it.
const fromEndOffset = 50_000

// Whether a base's table has a rowid, as fromEnd.rowid holds it.
const (
	rowidUnknown int32 = iota
	rowidYes
	rowidNo
)

// fromEnd is what reading pages from the end needs of a base.
type fromEnd struct {
	table string // the FROM clause's table, as written
	// rowid says whether the table has a rowid, once a deep page has
	// asked.
	rowid atomic.Int32
}

// newFromEnd returns how c's pages may be read from the end, or nil if
// they may not (see above).
func (c *common) newFromEnd() *fromEnd {
	if c.dialect != SQLite || c.deferOffset == 0 || !c.base.deferrable() || c.base.where.sql != "" || len(c.base.from.args) > 0 {
		return nil
	}
	refs, ok := c.fromTables()
	if !ok || len(refs) != 1 || refs[0].name.kind == 0 {
		return nil
	}
	return &fromEnd{table: strings.TrimPrefix(c.base.from.sql, " FROM ")}
}

// pageKind returns the kind of the statements that fetch q's page, as
// common.pageKind does, except that a deep page of an unfiltered request
// over a table with a rowid is read by the statement that may read it from
// the end. The first such page asks whether the table has a rowid.
func (b *Backend[T]) pageKind(ctx context.Context, q *paginate.Query) (shapeKind, error) {
	c := b.c
	k := c.pageKind(q)
	if k != kindPageDeferred || c.fromEnd == nil || len(q.Filters) > 0 || q.Offset < c.fromEndOffset {
		return k, nil
	}
	switch c.fromEnd.rowid.Load() {
	case rowidYes:
		return kindPageFromEnd, nil
	case rowidNo:
		return k, nil
	}
	rows, e, err := b.query(ctx, "SELECT _rowid_ FROM "+c.fromEnd.table+" LIMIT 0", nil)
	if err != nil {
		if ctx.Err() != nil {
			return k, fmt.Errorf("paginate/sql: ask whether the table has a rowid: %w", err)
		}
		c.fromEnd.rowid.Store(rowidNo) // no such column: a view, or WITHOUT ROWID
		return k, nil
	}
	err = rows.Close()
	e.release()
	if err != nil {
		return k, fmt.Errorf("paginate/sql: ask whether the table has a rowid: %w", err)
	}
	c.fromEnd.rowid.Store(rowidYes)
	return kindPageFromEnd, nil
}

// compileFromEnd compiles the statement of an offset page that may be
// read from the end; see above.
func (c *common) compileFromEnd(q *paginate.Query) (*shape, error) {
	s, pp, err := c.pageParts(q)
	if err != nil {
		return nil, err
	}
	cols, list := pp.cols, pp.list
	key := c.schema.Key().ColumnName()
	keys := c.deferredKeys(q, cols)
	rev := make([]sortCol, len(cols))
	for k, col := range cols {
		col.desc = !col.desc
		rev[k] = col
	}
	t, l := c.fromEnd.table, strconv.Itoa(q.Limit)
	near := "(SELECT max(_rowid_) FROM " + t + ") - (SELECT min(_rowid_) FROM " + t + ") + 1 - ?1 < ?1 / 2"
	if c.fromEndAlways {
		near = "?1 = ?1" // every page from the end (export_test.go)
	}
	const n = "(SELECT c FROM _paginate_n)"
	text := "WITH _paginate_n AS (SELECT CASE WHEN " + near + " THEN (SELECT count(*) FROM " + t + ") END AS c) " +
		"SELECT " + list + " FROM (" +
		"SELECT * FROM (SELECT " + keys + " FROM " + t + " ORDER BY " + orderBy(cols) +
		" LIMIT CASE WHEN " + n + " IS NULL THEN " + l + " ELSE 0 END OFFSET ?1)" +
		" UNION ALL " +
		"SELECT * FROM (SELECT " + keys + " FROM " + t + " ORDER BY " + orderBy(rev) +
		" LIMIT max(0, min(" + l + ", coalesce(" + n + ", 0) - ?1)) OFFSET max(0, coalesce(" + n + ", 0) - ?1 - " + l + "))" +
		") AS _d CROSS JOIN " + t + " ON " + key + " = _d._pk ORDER BY " + orderBy(cols)
	// One argument, the offset, which every ?1 reads.
	s.stmts = []stmtPlan{{sql: text, args: []argRef{{kind: argOffset}}}}
	s.maxArgs = 1
	return s, nil
}
