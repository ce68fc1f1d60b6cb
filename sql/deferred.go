package sql

import (
	"strconv"
	"strings"

	"github.com/go-paginate/paginate"
)

// A deep offset page costs what the database reads to skip its offset.
// Read plainly, on PostgreSQL and MariaDB that is the offset's table rows:
// every skipped row is fetched from the table only to be dropped. A
// deferred join reads the page's keys first, in a derived table that
// selects only the sort columns and the key, which an index on them (the
// one that serves the sort) holds without the table, so that the rows
// skipped are index entries; the page's rows are then joined to it by
// key:
//
//	SELECT list FROM t JOIN (
//	    SELECT t.a AS _s0, t.id AS _pk FROM t WHERE (base) AND filters
//	    ORDER BY t.a, t.id LIMIT n OFFSET ?
//	) AS _d ON t.id = _d._pk WHERE (base) ORDER BY t.a, t.id
//
// The derived table selects the sort columns in sort order, the key last,
// which is the order of an index that serves the sort: PostgreSQL then
// passes the index's tuples up without projecting each one. The outer
// query repeats the base's joins and WHERE, which the select list's
// columns and the key's uniqueness may need; the request's filters were
// applied to the keys and are not repeated. The key is unique among the
// base's rows (the schema says so), so each key joins one row. A derived
// table rather than "t.id IN (subquery)": MariaDB and MySQL refuse LIMIT
// in an IN subquery, and MariaDB planned the IN form of a deep page far
// worse than the join.
//
// Measured on the benchmark table (1,000,000 rows, index (created_at,
// id), 20 rows a page; docs/benchmarks.md), a page 999,980 rows deep
// costs, against the plain page: on PostgreSQL about 0.3 times (an
// index-only scan, once VACUUM has set the visibility map; without it the
// table is read after all); on MariaDB, which from about 10,000 rows deep
// sorts the whole table for the plain page but reads the keys by the
// index, about 0.3 times (0.01 times at 10,000); on SQLite 0.5 to 0.8
// times (0.58, 0.77 and 0.58 on three machines of the same kind). SQLite already
// skips an OFFSET's rows in the index before it reads the table (its
// deferred seek), so what the join saves there is only that seek's
// decoding of each skipped entry's rowid: both statements read every page
// of the index, and with SQLite's default page cache of 2 MB, against an
// index of 36 MB, those reads were two thirds of the join's time on the
// first machine. Where the page cache (PRAGMA cache_size) or a memory map
// (PRAGMA mmap_size) holds the index, the join costs about 0.3 times the
// plain page there too. Near the end of an unfiltered table, SQLite's
// pages are read from the end instead (fromend.go), about 0.14 times.
//
// Other forms of the join were no faster. On PostgreSQL a derived table
// of the key alone, JOIN ... USING (id), and "id IN (subquery)" each took
// about 1.25 times as long as this form, whose derived table lists the
// index's own columns; on SQLite and MariaDB every form tied, and on all
// three so did a literal OFFSET against a bound one and the outer ORDER
// BY against none (which would leave the page's order to the plan).
//
// A base with DISTINCT, GROUP BY or HAVING is not deferred (its rows are
// not its table's rows), nor one with prefixes such as a WITH clause,
// SELECT options or suffixes, which the derived table would have to repeat
// or leave out, nor one whose FROM lists tables separated by commas, to
// which the JOIN would bind wrongly: those read their offset plainly.
// Keyset pages never use it: they skip nothing.

// deferredJoinOffset returns the smallest offset read by a deferred join
// when Config.DeferredJoinOffset is zero. Below it, a plain OFFSET reads
// few enough rows that the join's fixed cost (planning it, a lookup by key
// per row) outweighs what it saves: on the benchmark table up to about
// 7,000 rows on PostgreSQL, and under 1,000 on SQLite and MariaDB.
func (d Dialect) deferredJoinOffset() int64 {
	if d == PostgreSQL {
		return 10_000
	}
	return 1000
}

// deferrable reports whether pages over the base may be read by a
// deferred join: the base is SELECT, its FROM and joins and its WHERE, and
// nothing else, and its FROM has no comma outside parentheses and quotes.
func (b *baseQuery) deferrable() bool {
	return b.head.sql == "SELECT " && len(b.head.args) == 0 && !b.wrap && b.suffix.sql == "" &&
		!topLevelComma(b.from.sql)
}

// topLevelComma reports whether s holds a comma outside parentheses,
// quotes ('...', "...", `...`) and brackets.
func topLevelComma(s string) bool {
	depth := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '[':
			quote = ']'
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			return true
		}
	}
	return false
}

// deferred reports whether q's page is read by a deferred join.
func (c *common) deferred(q *paginate.Query) bool {
	return c.deferOffset > 0 && q.Offset >= c.deferOffset && q.After == nil && c.base.deferrable()
}

// compileDeferred compiles the statement of an offset page read by a
// deferred join; see above.
func (c *common) compileDeferred(q *paginate.Query) (*shape, error) {
	s, pp, err := c.pageParts(q)
	if err != nil {
		return nil, err
	}
	cols, list, where := pp.cols, pp.list, pp.where
	key := c.schema.Key().ColumnName()
	order := fragment{sql: " ORDER BY " + orderBy(cols)}
	tail := order
	tail.add(fragment{sql: " LIMIT " + strconv.Itoa(q.Limit) + " OFFSET ?", args: []argRef{{kind: argOffset}}})
	inner := c.base.selectOver(c.deferredKeys(q, cols), where, tail, false)
	outer := *c.base
	outer.from = fragment{}
	outer.from.add(c.base.from)
	outer.from.sql += " JOIN ("
	outer.from.add(inner)
	outer.from.sql += ") AS _d ON " + key + " = _d._pk"
	plan, err := outer.selectOver(list, nil, order, false).plan(c.dialect)
	if err != nil {
		return nil, err
	}
	s.stmts = []stmtPlan{plan}
	s.maxArgs = len(plan.args)
	return s, nil
}

// deferredKeys returns the select list of a deferred join's derived
// table: the sort columns in sort order as _s0, _s1 and so on, the key
// last as _pk.
func (c *common) deferredKeys(q *paginate.Query, cols []sortCol) string {
	key := c.schema.Key().ColumnName()
	keys := make([]string, len(cols))
	for k, col := range cols {
		keys[k] = col.column + " AS _s" + strconv.Itoa(k)
	}
	if last := q.Sort[len(q.Sort)-1].Field; last.Name == c.schema.Key().Name {
		keys[len(keys)-1] = key + " AS _pk" // the order's last column is the key
	} else {
		keys = append(keys, key+" AS _pk")
	}
	return strings.Join(keys, ", ")
}
