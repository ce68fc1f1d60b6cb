package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/internal/dataset"
)

// The hand-written approaches: the SQL a person writes for the feed sorted
// newest first. Every page fetches perPage+1 rows, as the library does, so
// the extra row tells whether a next page exists, and is trimmed to
// perPage.
//
//   - floor: plain database/sql, the cheapest code there is for the page.
//     Statements prepared once on the *sql.DB, the LIMIT written into the
//     SQL (LIMIT 21), rows.Scan straight into the struct's fields.
//   - sqlx-prepared: sqlx statements prepared once, with a bound LIMIT ?,
//     scanned by sqlx.StructScan (reflection).
//   - sqlx: the same SQL as text through sqlx.SelectContext on every call,
//     which is what most code does.

const (
	columns = "id, name, category, price, created_at, discount"
	order   = " ORDER BY created_at DESC, id DESC"
)

// keysetWhere returns the predicate "rows after (created_at, id)", newest
// first, as a person writes it for the dialect: a row-value comparison on
// SQLite and PostgreSQL, whose planners seek with it; on MariaDB/MySQL,
// which do not use row values for an index range, the expanded form with
// a leading bound.
func keysetWhere(d dataset.Dialect) string {
	if d == dataset.MySQL {
		return " WHERE created_at <= ? AND (created_at < ? OR (created_at = ? AND id < ?))"
	}
	return " WHERE (created_at, id) < (?, ?)"
}

// keysetArgs returns the arguments of keysetWhere for position p, followed
// by extra.
func keysetArgs(d dataset.Dialect, p position, extra ...any) []any {
	if d == dataset.MySQL {
		return append([]any{p.CreatedAt, p.CreatedAt, p.CreatedAt, p.ID}, extra...)
	}
	return append([]any{p.CreatedAt, p.ID}, extra...)
}

// position is the sort key of one row: the keyset position a page starts
// after.
type position struct {
	CreatedAt time.Time `db:"created_at"`
	ID        int64     `db:"id"`
}

// page is one page of items, at most perPage (or the requested size), and
// whether a next page exists.
type page struct {
	items   []dataset.Item
	hasNext bool
}

// trim makes a page of n items from items, which holds up to n+1 rows.
func trim(items []dataset.Item, n int) page {
	if len(items) > n {
		return page{items: items[:n], hasNext: true}
	}
	return page{items: items}
}

// pageSource is the data access of a hand-written approach: what the
// hand-written HTTP handler sits on, and what BenchmarkPage times.
type pageSource interface {
	// keysetPage returns the n rows after p, or the first n when p is nil.
	keysetPage(ctx context.Context, n int, p *position) (page, error)
	// offsetPage returns the n rows after the first offset.
	offsetPage(ctx context.Context, n, offset int) (page, error)
	// count returns the table's row count.
	count(ctx context.Context) (int64, error)
}

// floor is the plain database/sql approach on one table.
type floor struct {
	db      *sql.DB
	dialect dataset.Dialect
	rebind  func(string) string
	from    string // "SELECT columns FROM table"

	first, keyset, offset, counter *sql.Stmt
}

// sql returns the page's SQL with LIMIT n+1 written into it.
func (f *floor) sql(where string, n int, tail string) string {
	return f.rebind(f.from + where + order + " LIMIT " + strconv.Itoa(n+1) + tail)
}

func newFloor(ctx context.Context, d *database) (*floor, error) {
	f := &floor{db: d.db.DB, dialect: d.dialect, rebind: d.db.Rebind, from: "SELECT " + columns + " FROM " + d.table}
	err := prepareEach(ctx, f.db.PrepareContext, []statement[*sql.Stmt]{
		{&f.first, f.sql("", perPage, "")},
		{&f.keyset, f.sql(keysetWhere(d.dialect), perPage, "")},
		{&f.offset, f.sql("", perPage, " OFFSET ?")},
		{&f.counter, "SELECT COUNT(*) FROM " + d.table},
	})
	if err != nil {
		f.close()
		return nil, err
	}
	return f, nil
}

// statement is a statement to prepare, and where to keep it.
type statement[S any] struct {
	stmt *S
	sql  string
}

// prepareEach prepares every statement of ss.
func prepareEach[S any](ctx context.Context, prepare func(context.Context, string) (S, error), ss []statement[S]) error {
	for _, s := range ss {
		st, err := prepare(ctx, s.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", s.sql, err)
		}
		*s.stmt = st
	}
	return nil
}

func (f *floor) close() {
	for _, st := range []*sql.Stmt{f.first, f.keyset, f.offset, f.counter} {
		if st != nil {
			st.Close()
		}
	}
}

// query runs stmt, prepared for perPage, or for another page size the same
// SQL with that size written in, as text. Only perPage is benchmarked.
func (f *floor) query(ctx context.Context, n int, stmt *sql.Stmt, where, tail string, args ...any) (page, error) {
	var rows *sql.Rows
	var err error
	if n == perPage {
		rows, err = stmt.QueryContext(ctx, args...)
	} else {
		rows, err = f.db.QueryContext(ctx, f.sql(where, n, tail), args...)
	}
	if err != nil {
		return page{}, err
	}
	return scanPage(rows, n)
}

// scanPage reads up to n+1 rows with rows.Scan straight into the fields
// of the slice's elements, and trims them to n. (Scanning into a local
// variable and appending it would cost an allocation a row: the variable
// escapes through Scan's arguments.)
func scanPage(rows *sql.Rows, n int) (page, error) {
	defer rows.Close()
	items := make([]dataset.Item, 0, n+1)
	for rows.Next() {
		items = append(items, dataset.Item{})
		it := &items[len(items)-1]
		if err := rows.Scan(&it.ID, &it.Name, &it.Category, &it.Price, &it.CreatedAt, &it.Discount); err != nil {
			return page{}, err
		}
	}
	if err := rows.Err(); err != nil {
		return page{}, err
	}
	return trim(items, n), nil
}

func (f *floor) keysetPage(ctx context.Context, n int, p *position) (page, error) {
	if p == nil {
		return f.query(ctx, n, f.first, "", "")
	}
	return f.query(ctx, n, f.keyset, keysetWhere(f.dialect), "", keysetArgs(f.dialect, *p)...)
}

func (f *floor) offsetPage(ctx context.Context, n, offset int) (page, error) {
	return f.query(ctx, n, f.offset, "", " OFFSET ?", offset)
}

func (f *floor) count(ctx context.Context) (int64, error) {
	var n int64
	err := f.counter.QueryRowContext(ctx).Scan(&n)
	return n, err
}

// sqlxStatements are the hand-written SQL for sqlx, with a bound LIMIT,
// as text and prepared once.
type sqlxStatements struct {
	db                    *sqlx.DB
	dialect               dataset.Dialect
	offsetSQL, firstSQL   string
	keysetSQL, countSQL   string
	offsetStmt, firstStmt *sqlx.Stmt
	keysetStmt, countStmt *sqlx.Stmt
}

func newSQLXStatements(ctx context.Context, d *database) (*sqlxStatements, error) {
	from := "SELECT " + columns + " FROM " + d.table
	s := &sqlxStatements{
		db:        d.db,
		dialect:   d.dialect,
		offsetSQL: d.db.Rebind(from + order + " LIMIT ? OFFSET ?"),
		firstSQL:  d.db.Rebind(from + order + " LIMIT ?"),
		keysetSQL: d.db.Rebind(from + keysetWhere(d.dialect) + order + " LIMIT ?"),
		countSQL:  "SELECT COUNT(*) FROM " + d.table,
	}
	err := prepareEach(ctx, d.db.PreparexContext, []statement[*sqlx.Stmt]{
		{&s.offsetStmt, s.offsetSQL},
		{&s.firstStmt, s.firstSQL},
		{&s.keysetStmt, s.keysetSQL},
		{&s.countStmt, s.countSQL},
	})
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *sqlxStatements) close() {
	for _, st := range []*sqlx.Stmt{s.offsetStmt, s.firstStmt, s.keysetStmt, s.countStmt} {
		if st != nil {
			st.Close()
		}
	}
}

// sqlxPages runs sqlxStatements prepared (sqlx-prepared) or as text
// (sqlx).
type sqlxPages struct {
	s        *sqlxStatements
	prepared bool
}

// sel runs a SELECT of items, through the statement or as text.
func (x sqlxPages) sel(ctx context.Context, n int, stmt *sqlx.Stmt, query string, args ...any) (page, error) {
	var items []dataset.Item
	var err error
	if x.prepared {
		err = stmt.SelectContext(ctx, &items, args...)
	} else {
		err = sqlx.SelectContext(ctx, x.s.db, &items, query, args...)
	}
	if err != nil {
		return page{}, err
	}
	return trim(items, n), nil
}

func (x sqlxPages) keysetPage(ctx context.Context, n int, p *position) (page, error) {
	if p == nil {
		return x.sel(ctx, n, x.s.firstStmt, x.s.firstSQL, n+1)
	}
	return x.sel(ctx, n, x.s.keysetStmt, x.s.keysetSQL, keysetArgs(x.s.dialect, *p, n+1)...)
}

func (x sqlxPages) offsetPage(ctx context.Context, n, offset int) (page, error) {
	return x.sel(ctx, n, x.s.offsetStmt, x.s.offsetSQL, n+1, offset)
}

func (x sqlxPages) count(ctx context.Context) (int64, error) {
	var n int64
	var err error
	if x.prepared {
		err = x.s.countStmt.GetContext(ctx, &n)
	} else {
		err = sqlx.GetContext(ctx, x.s.db, &n, x.s.countSQL)
	}
	return n, err
}

// handWritten lists the hand-written approaches on d, named as in the
// benchmarks' impl= part.
func handWritten(d *database) []struct {
	name string
	src  pageSource
} {
	return []struct {
		name string
		src  pageSource
	}{
		{implFloor, d.floor},
		{implSQLXPrepared, sqlxPages{d.sqlx, true}},
		{implSQLX, sqlxPages{d.sqlx, false}},
	}
}

// The impl= names of the approaches.
const (
	implFloor        = "floor"
	implSQLXPrepared = "sqlx-prepared"
	implSQLX         = "sqlx"
	implLibrary      = "library"
	implLibraryPlain = "library-plain" // OFFSET pages without deferred joins
)

// positionAt returns the sort key of the row offset rows from the start
// (0-based), looked up once, outside any timed loop.
func (d *database) positionAt(ctx context.Context, offset int) (position, error) {
	var p position
	q := d.db.Rebind("SELECT created_at, id FROM " + d.table + order + " LIMIT 1 OFFSET ?")
	err := d.db.QueryRowxContext(ctx, q, offset).StructScan(&p)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// referenceIDs returns the ids of the page at offset, and whether more
// rows follow, by a query of ids alone: the answer every approach's page
// is checked against.
func (d *database) referenceIDs(ctx context.Context, offset int) ([]int64, bool, error) {
	q := d.db.Rebind("SELECT id FROM " + d.table + order + " LIMIT ? OFFSET ?")
	var ids []int64
	if err := d.db.SelectContext(ctx, &ids, q, perPage+1, offset); err != nil {
		return nil, false, err
	}
	if len(ids) > perPage {
		return ids[:perPage], true, nil
	}
	return ids, false, nil
}

var errNoRows = errors.New("no rows")

// checkItems returns an error unless items have the ids want, in order,
// and each item is the row dataset.Row computes for its id, field by
// field.
func checkItems(items []dataset.Item, want []int64) error {
	if len(want) == 0 {
		return errNoRows
	}
	if len(items) != len(want) {
		return fmt.Errorf("%d rows, want %d", len(items), len(want))
	}
	for i, it := range items {
		if it.ID != want[i] {
			return fmt.Errorf("row %d is id %d, want %d", i, it.ID, want[i])
		}
		r := dataset.Row(it.ID)
		same := it.Name == r.Name && it.Category == r.Category && it.Price == r.Price &&
			it.CreatedAt.Equal(r.CreatedAt) && (it.Discount == nil) == (r.Discount == nil) &&
			(it.Discount == nil || *it.Discount == *r.Discount)
		if !same {
			return fmt.Errorf("row %d (id %d) is %+v, want %+v", i, it.ID, it, r)
		}
	}
	return nil
}
