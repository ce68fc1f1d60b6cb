// Package sql is the SQL backend of paginate: it runs a [paginate.Query]
// on SQLite, PostgreSQL or MySQL/MariaDB through sqlx, on top of the
// squirrel SELECT an application already has. Import it as pagesql:
//
//	import pagesql "github.com/go-paginate/paginate/sql"
//
//	base := squirrel.Select().From("items i").Join("categories c ON c.id = i.category_id")
//	b, err := pagesql.New[Item](db, base, pagesql.Config{Schema: schema})
//	p, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: keys})
//
// # Queries
//
// The base query supplies prefixes (a WITH clause, say), FROM, joins,
// WHERE conditions, DISTINCT, GROUP BY, HAVING and suffixes; the backend
// owns the select list, ORDER BY, LIMIT and OFFSET, and a base that sets
// ORDER BY, LIMIT or OFFSET is rejected by [New]. The base's WHERE
// conditions are parenthesized as one, so that an OR among them cannot
// capture the backend's, and its suffixes follow LIMIT and OFFSET. The
// backend reads the base through squirrel's rendering of it, never its
// private fields.
//
// Each field is selected as its Column (a column, a qualified column such as
// "c.name", or an expression), under its Name or an alias of the backend's
// own, and scanned, by its place in the select list, into the field of T
// that the module's one rule finds for it, the rule described under
// "Declaring fields" in the [paginate] package documentation: a `db` tag
// naming its Column or its Name, else a `json` tag naming its Name, else
// the Go field whose name is its Name ignoring case; fields of embedded
// structs are promoted, and two matches at the same depth are an error.
// So a struct with only json tags serves as well as one with db tags. A
// result column is never matched to a struct field by its own name: the
// column selected for a field backs the struct field the rule finds for
// that field. [New] fails, naming each field and its column, when T has no
// struct field for a field (the error says which tag to add) or two. Columns
// of sorted and filtered fields appear in WHERE and ORDER BY, so they must
// be expressions valid there, not aggregates.
//
// Filters, positions and offsets reach the database only as bound
// arguments; the page size, a number the paginator chooses, is written into
// LIMIT (and bound only for the rare page that has both an offset and a
// position). So the SQL text depends only on the shape of a request
// (fields, sort, filter operators and their numbers of values, which
// position values are NULL, page size), is built once per shape and kept,
// with its scan plan, in a bounded cache; its prepared statements are kept
// in a bounded cache per handle. Rows are scanned straight into the fields
// of T (a sort field of a common type into its key slot, then copied into
// T, so that it is selected once), at addresses found when a pooled row of
// the shape is first used, never looked up by name for each row.
//
// # Deep offset pages
//
// An offset page at least Config.DeferredJoinOffset rows deep, without a
// position, over a base that is one SELECT with FROM, joins and WHERE
// (no DISTINCT, GROUP BY, HAVING, prefixes, options, suffixes or
// comma-separated FROM list), is read by a deferred join: a derived table selects the page's keys with the filters,
// the sort and the offset, from the sort columns and the key alone, which
// an index on them serves without reading the table, and the page's rows
// are joined to it by key. The rows the offset skips are then index
// entries instead of table rows. deferred.go says when it applies and
// what it saves on each database. On SQLite, a page at least 50,000
// rows deep of an unfiltered request, over a base of one table and no
// WHERE, is read by a statement that may read it from the end instead:
// one statement that bounds the row count by the table's rowids, counts the
// rows only when the page lies nearer the end, and then walks the
// reversed order (fromend.go): the last page of a million rows costs
// about a tenth of the plain OFFSET page.
//
// # Keyset predicates
//
// A keyset page asks for the rows after a position. For a sort whose
// columns share a direction the predicate is a row-value comparison,
// (a, b) > (?, ?), on SQLite and PostgreSQL, whose planners serve it from
// an index; on MySQL and MariaDB, and for mixed directions, it is the
// expanded form with a redundant leading bound, a >= ? AND (a > ? OR (a = ?
// AND b > ?)), which every planner can seek with. Where a nullable sort
// column sorts NULL after its values, the NULL block is fetched by a
// separate statement run after the value range is exhausted, rather than
// ORed into it, so that each statement is one index range.
// [Backend.Explain] shows the plans.
//
// # Checking the declaration against the database
//
// A backend serves a table only as the database says it is. [Backend.Check]
// reads the catalog of the base query's tables (pragma_table_xinfo on
// SQLite, pg_catalog on PostgreSQL, information_schema on MySQL/MariaDB)
// and the types of the selected columns, and on SQLite the stored values,
// and refuses, with a [*CheckError] naming each field, its column, what
// the database holds and what to change, a field whose column does not
// exist, may hold NULL without being declared Nullable, or has a type the
// declared paginate.Type would compare in another order (digits stored as
// text declared Int, say). [New] does no I/O; every Fetch, Count and
// Explain runs the check first if it has not run, so a mismatch is never
// served; call Check at startup to fail there instead.
//
// A field whose column is a plain or qualified column of a table named in
// FROM or a JOIN is checked against that table's catalog; a column of a
// table joined with LEFT JOIN (or on the other side of RIGHT or FULL) may
// be NULL whatever its catalog says. An expression, a column of a view or
// of a subquery in FROM, or a base query the check cannot read (a WITH
// prefix, a table function) is checked by the type its result has and, for
// NULL, by the rows it holds when the check runs: a later row may be NULL
// there, which only the application can rule out (COALESCE, or declare it
// Nullable). The check cannot see that a joined table matches at most one
// row per key, nor that the key is unique: those remain the application's
// to guarantee.
//
// # NULLs, text and time
//
// NULL sorts where the database sorts it ([Backend.NullOrder]): first in
// ascending order on SQLite and MySQL/MariaDB, last on PostgreSQL. Text is
// compared by the database under the column's collation. Times are bound
// in UTC on PostgreSQL and MySQL/MariaDB; on SQLite in the form the
// column stores them, as follows.
//
// SQLite has no time type: applications store times as text in one of a
// few layouts (CURRENT_TIMESTAMP's "2006-01-02 15:04:05", ISO 8601 with a
// T, a Z, fractions of a second or a zone offset, the layout
// github.com/mattn/go-sqlite3 writes for a time.Time,
// "2006-01-02 15:04:05.999999999-07:00"), or as integer Unix seconds or
// milliseconds. The check finds each time column's form from its stored
// values (or takes Config.SQLiteTimeLayout), and refuses a column whose
// values are not all in one form whose text order is time order: mixed
// layouts, mixed zone offsets, fractions of varying length followed by a
// Z (Go's time.RFC3339Nano), text and integers mixed. Filters and
// positions are then bound in the column's form, a bound finer than the
// column holds moved to the stored time that selects the same rows, and
// every stored time read is checked to read back exactly as stored: a row
// written later in another form is an error, not a misplaced row.
// Decoding a stored time allocates nothing per row: the time goes straight
// into a time.Time field and, for a sort key, into one buffer of times per
// page that the row's key points to (see [Backend.Fetch]).
//
// PostgreSQL and MySQL keep microseconds ([Backend.TimePrecision]): a time
// filter finer than that is moved to the microsecond that selects the same
// rows, or, for eq, ne and in, rejected as invalid input.
//
// SQLite has no decimal type either: a paginate.Decimal column stored
// with NUMERIC or REAL affinity holds a double, so values that differ past
// the 15th significant digit compare equal there. Store exact amounts in
// SQLite as integers (cents) and declare them paginate.Int.
//
// # Null and text filters
//
// A null filter is col IS NULL (null=true) or col IS NOT NULL
// (null=false). Prefix and contains match their value literally: %, _, a
// backslash and every other character stand for themselves. They compare
// as the database compares the column's text, which differs by database:
//
//   - PostgreSQL: col LIKE ? ESCAPE '!', the value escaped and bound.
//     Case-sensitive, by character, under any deterministic collation (a
//     nondeterministic one is refused by PostgreSQL). A prefix is served by
//     a B-tree index when the column's collation is "C" (or the index's) or
//     the index has text_pattern_ops; PostgreSQL plans it with the value,
//     which it keeps doing for a prepared statement while the index makes
//     that cheaper than a generic plan.
//   - MariaDB/MySQL: col LIKE ? ESCAPE '!', the value escaped and bound.
//     Each character compares under the column's collation: with the
//     default utf8mb4_general_ci, "ap" starts "Apple" and "Äpfel"; with
//     utf8mb4_bin, neither. A prefix is served by an index on the column.
//   - SQLite: prefix is col >= ? AND col < ?, the value and the value
//     followed by the byte 0xFF, which no UTF-8 text holds: it compares
//     under the column's collation (BINARY, the default: case-sensitive;
//     NOCASE: ASCII letters in any case) and is served by the column's
//     index. Contains is instr(col, ?) > 0, which compares exactly
//     (case-sensitive) whatever the column's collation: SQLite has no
//     substring search under a collation. SQLite's LIKE is not used: it
//     folds ASCII case whatever the column's collation (or never, under
//     PRAGMA case_sensitive_like), so on a BINARY column it would keep
//     "ABC" for the prefix "ab", though the column's own comparisons tell
//     "A" from "a". The database must be UTF-8 (SQLite's default).
//
// Contains is served by no index on any database: every row the other
// conditions leave is read. The escape is ! rather than a backslash, whose
// meaning in an SQL literal depends on MariaDB's sql_mode and
// PostgreSQL's standard_conforming_strings. Prefix and contains need a
// text column (or expression, such as "CAST(id AS TEXT)"): PostgreSQL
// refuses LIKE on other types.
//
// # Handles and statements
//
// A backend runs on the handle it was built with: a *sqlx.DB, *sqlx.Tx or
// *sqlx.Conn, or any sqlx.QueryerContext. Of the handle it uses the
// methods of sqlx.QueryerContext (pages, counts and plans through
// QueryContext; the check also through QueryRowxContext and
// QueryxContext) and, where the handle has them, three optional methods:
//
//   - DriverName() string, which *sqlx.DB and *sqlx.Tx have, names the
//     dialect when Config.Dialect is zero.
//   - PrepareContext(ctx context.Context, query string) (*sql.Stmt, error),
//     which *sqlx.DB, *sqlx.Tx and *sqlx.Conn have, prepares statements.
//     A handle without it runs every statement as text.
//   - BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error),
//     which *sqlx.DB has, lets a [ShapeCheck] on PostgreSQL explain pages
//     in a read-only transaction that discourages sequential scans and
//     sorts (see [ShapeCheck]).
//
// A handle's sqlx Mapper (set by DB.MapperFunc, say) is not consulted:
// fields are found in T by the module's one rule (see "Queries" above),
// whatever the handle.
//
// Statements are prepared on the handle once per request shape, kept in
// a bounded cache (an evicted statement is closed when the last query
// using it ends) and closed by [Backend.Close]; [Backend.On] makes a
// backend for another handle (a transaction, say) that shares the compiled
// SQL but prepares its own statements, so a statement prepared on a pool is
// never run inside a transaction. Config.NoPrepare turns preparing off.
//
// # Index check
//
// [Backend.Explain] runs the database's EXPLAIN on the exact statements a
// page runs and reports whether an index serves them and whether a keyset
// page seeks to its position. [Backend.CheckSort] does that for a sort's
// first page and a page after a position, and [Backend.WarnUnindexed]
// logs the sorts that fail, for use at startup.
//
// # Bounded cost
//
// [ShapeCheck] is a paginate.ShapePolicy from the same plans: an endpoint
// whose paginators carry it serves only the request shapes (orders and
// filter operators) an index serves, each decided by EXPLAIN the first
// time it is seen and cached; any other is refused with a
// *paginate.RequestError naming the sort or the filter (a 400 over HTTP). [ShapeCheck.Report] gives the verdicts on the shapes an
// application offers, with the CREATE INDEX statement that would serve
// each refused one, for startup. Config.StatementTimeout makes MySQL and
// MariaDB stop a statement at a time limit; go-sqlite3 stops it when its
// context ends, and pgx sends PostgreSQL a cancel request, which a
// statement_timeout on the connections backs up (see
// Config.StatementTimeout).
//
// # Relations
//
// The rows of a schema's relations (paginate.Relation), which a request
// includes, are read over a base query per relation, given in
// Config.Relations. [Backend.Relate] loads each included relation with one
// statement per page, whatever its size (two only when a belongs-to
// relation's keys would pass the dialect's limit on bound parameters): a belongs-to relation by the
// page's distinct keys (= ANY($1) on PostgreSQL, an IN list elsewhere), a
// has-many one with the per-item limit done in SQL (a LATERAL join on
// PostgreSQL, ROW_NUMBER() elsewhere). An index on the related key, and on
// a has-many relation's Via followed by its order ((item_id, created_at
// DESC, id DESC) for the newest reviews first), serves them. The related
// rows are scanned into the struct type the items' field for the relation
// holds, each related field into the struct field the module's rule finds
// (see "Declaring fields" in package paginate). Keys are matched to the
// items by value, in Go, so text keys must be stored alike on both sides
// (as a binary collation keeps them). relations.go says more.
//
// # What the backend implements for the core
//
// [Backend] implements [paginate.Backend] and the optional interfaces the
// paginators look for: [paginate.TimePrecisioner] ([Backend.TimePrecision]),
// [paginate.Relater] ([Backend.Relate]),
// [paginate.AtMostCounter] ([Backend.CountAtMost], for
// paginate.CappedCount) and [paginate.Estimator] ([Backend.EstimateCount],
// PostgreSQL only, for paginate.EstimatedCount). Its [Backend.Schema]
// method lets the paginators check that they are given the backend's
// schema. It also implements [paginate.NullOrderer] ([Backend.NullOrder]),
// which the paginators do not read (the database sorts and compares, and
// the backend builds its keyset predicates from the dialect's own NULL
// order): the conformance suite, package paginatetest, reads it to sort
// its reference (a paginate.Memory) as the backend says it sorts NULL,
// and holds the backend's pages to that reference.
//
// # Files
//
//   - backend.go: this documentation, [Config], [New] and the mapping of
//     the schema's fields to T's fields, the handle ([Backend.On],
//     [Backend.Close]), and Fetch, which runs a page's statements and
//     scans their rows.
//   - base.go: reading the base query through squirrel's rendering, and
//     composing a statement over it.
//   - shape.go: request shapes and their cache; compiling a page's
//     statements (select list, filters, position predicates, ORDER BY,
//     LIMIT); binding a query's values to a statement's arguments; the
//     pooled scratch of a page.
//   - keyset.go: the predicates of "after a position": its segments and
//     their SQL per dialect.
//   - deferred.go: deep offset pages read by a deferred join.
//   - fromend.go: on SQLite, deep offset pages read from the end of the
//     table when they lie nearer it.
//   - count.go: Count, CountAtMost and EstimateCount and their statements.
//   - scan.go: where each column is stored in T, and how a sort key's
//     driver value is copied into a field.
//   - stmt.go: the cache of prepared statements of one handle.
//   - dialect.go: [Dialect]: placeholders, identifier quoting, where NULL
//     sorts, row values, and how values are bound (times in UTC, as text on
//     SQLite).
//   - check.go: [Backend.Check], its errors ([CheckError], [FieldError],
//     [Mismatch], [ErrSchemaMismatch]), and running the check once, before
//     the first query.
//   - catalog.go: the check: probing the fields' columns over the base,
//     resolving them to the tables of FROM and the joins, reading those
//     tables' catalogs, and judging each field's nullability and type.
//   - catalog_sqlite.go: SQLite's catalog (pragma_table_list,
//     pragma_table_xinfo) and column affinity, and the stored values the
//     check reads there: storage classes, booleans, and the form each time
//     column stores.
//   - catalog_postgres.go: PostgreSQL's catalog (pg_catalog) and types.
//   - catalog_mysql.go: MySQL's and MariaDB's catalog (information_schema)
//     and types.
//   - sqlparse.go: reading table names, aliases, join kinds and qualified
//     columns out of the base's FROM clause and the fields' Columns, and
//     "col IS NOT NULL" conditions out of its WHERE, for the check.
//   - sqlitetime.go: SQLite's stored forms of time (text layouts, Unix
//     seconds or milliseconds): finding a column's form, binding filters
//     and positions in it, and decoding stored times into fields and keys.
//   - relations.go: [Backend.Relate] and its statements.
//   - explain.go: [Backend.Explain], [Backend.CheckSort],
//     [Backend.WarnUnindexed], [Plan], [Report] and reading each
//     database's plans.
//   - match.go: the null, prefix and contains filters per dialect, and
//     how their values are escaped and bound.
//   - shapecheck.go: [ShapeCheck] ([NewShapeCheck], [ShapeCheckConfig],
//     [ShapeVerdict]): judging a shape's plans, its cache, and the
//     suggested index.
//   - timeout.go: Config.StatementTimeout on MySQL and MariaDB, and
//     [StatementTimeoutError] (PostgreSQL's statement_timeout too).
package sql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/maphash"
	"reflect"
	"strings"
	"time"

	"github.com/Masterminds/squirrel"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/structfield"
)

// Config configures a [Backend].
type Config struct {
	// Schema declares the fields. A query that names no fields selects all
	// of them, and each must have a field of T, found as [New] says.
	// Required.
	Schema *paginate.Schema
	// Dialect is the database's dialect. If zero, it is taken from the
	// handle's DriverName (see [DialectForDriver]); a handle without one,
	// such as *sqlx.Conn, needs it set.
	Dialect Dialect
	// CacheSize is how many request shapes keep their compiled SQL, and how
	// many prepared statements each handle keeps. If zero, 256.
	CacheSize int
	// NoPrepare runs statements without preparing them, for connection
	// poolers that do not keep prepared statements across transactions.
	NoPrepare bool
	// SQLiteTimeLayout is the text layout (as time.Time.Format takes it,
	// in UTC) of the SQLite time columns stored as text, for example
	// "2006-01-02 15:04:05" for columns filled by CURRENT_TIMESTAMP. If
	// set, [Backend.Check] refuses a text time column holding another
	// layout; if empty, each column's layout is found from its stored
	// values, and columns holding no text yet get the layout
	// github.com/mattn/go-sqlite3 writes for a time.Time
	// ("2006-01-02 15:04:05.999999999-07:00"). [New] refuses a layout
	// whose text does not sort as time. A layout without fractional seconds
	// makes TimePrecision default to a second. Ignored on other databases.
	SQLiteTimeLayout string
	// Relations gives, for each relation the schema declares (see
	// paginate.Relation), the base query its rows are read over, as the
	// items' base is: squirrel.Select().From("sellers"). The relation's
	// fields' Columns are read over it and its WHERE conditions hold; it
	// sets no ORDER BY, LIMIT, OFFSET or suffix. Every declared relation
	// needs one; see the package documentation's section "Relations".
	Relations map[string]squirrel.SelectBuilder
	// DeferredJoinOffset is the smallest offset at which an offset page is
	// read by a deferred join: the page's keys are selected first, with
	// the filters, the sort and the offset, and then its rows by key. The
	// rows an OFFSET skips are then index entries, where an index holds
	// the sort columns and the key (the index that serves the sort on a
	// table whose key is its primary key does), rather than table rows:
	// a page a million rows deep costs about 0.3 times as much on
	// PostgreSQL and MySQL/MariaDB and 0.5 to 0.8 times on SQLite with its
	// default page cache (see deferred.go), where a page near the end of an
	// unfiltered table is read from the end, about 0.1 times (see the
	// package documentation). It applies to bases of one
	// SELECT with FROM, joins and WHERE (no DISTINCT, GROUP BY, HAVING,
	// prefixes, options, suffixes or comma-separated FROM lists); other
	// pages read their offset plainly. If zero, 10,000 on PostgreSQL and
	// 1,000 on SQLite and MySQL/MariaDB; negative turns deferred joins off,
	// and reading from the end with them.
	// [Backend.Explain] shows the statement.
	DeferredJoinOffset int64
	// TimePrecision is how precisely the database stores the schema's time
	// columns; time filters finer than it are adapted or rejected by the
	// paginators (see paginate.TimePrecisioner). If zero, the dialect's:
	// a microsecond on PostgreSQL and MySQL (DATETIME(6), TIMESTAMP(6)),
	// none on SQLite, which stores times as text. Set a second for MySQL
	// DATETIME columns without fractional seconds.
	TimePrecision time.Duration
	// StatementTimeout, on MySQL and MariaDB, is the longest the server
	// may run one statement of a page, of its related rows or of a count:
	// the statements carry it (MariaDB's max_statement_time, MySQL's
	// MAX_EXECUTION_TIME hint), so that the server stops a statement whose
	// client has given up, which go-sql-driver/mysql does not make it do
	// when a context ends. A statement stopped so fails with a
	// [*StatementTimeoutError]. Set it to the request's time budget. If
	// zero, none.
	//
	// On PostgreSQL a statement cannot carry a time limit: pgx sends the
	// server a cancel request when the context ends, but one that arrives
	// before the statement has started is ignored and the statement runs
	// to its end. Bound it on the server with the connections'
	// statement_timeout, set where the pool is opened (pgx:
	// ConnConfig.RuntimeParams["statement_timeout"] = "300"; or
	// options=-c%20statement_timeout%3D300 in a URL DSN), and set
	// StatementTimeout to the same value: a statement the server stops
	// then fails with a [*StatementTimeoutError] carrying it. On SQLite,
	// where go-sqlite3 interrupts the statement when its context ends, it
	// is ignored.
	StatementTimeout time.Duration
}

// Backend runs paginated queries on an SQL database. Build it with [New].
// It is safe for concurrent use when its handle is (a *sqlx.DB is; a
// transaction or connection is not).
type Backend[T any] struct {
	db    sqlx.QueryerContext
	c     *common
	stmts *stmtCache // nil when not preparing
}

var (
	_ paginate.Backend[struct{}] = (*Backend[struct{}])(nil)
	_ paginate.NullOrderer       = (*Backend[struct{}])(nil)
	_ paginate.AtMostCounter     = (*Backend[struct{}])(nil)
	_ paginate.Estimator         = (*Backend[struct{}])(nil)
	_ paginate.TimePrecisioner   = (*Backend[struct{}])(nil)
)

// driverNamer is the optional method of a handle that names its driver,
// which *sqlx.DB and *sqlx.Tx have; see the package doc.
type driverNamer interface{ DriverName() string }

// New returns a backend that runs queries built on base through db: a
// *sqlx.DB, *sqlx.Tx or *sqlx.Conn, or another sqlx.QueryerContext (see
// the package doc for the optional methods it uses). T must be a struct
// with a field for every schema field, found by the rule "Declaring
// fields" in the [paginate] package documentation states (db tag, else
// json tag, else Go name); New's error names each schema field that has
// no struct field, or two, with its column and the tag to add. The
// handle's sqlx Mapper is not used. base must have a FROM clause and
// must not set ORDER BY, LIMIT or OFFSET. New does no I/O: the schema is
// checked against the database by [Backend.Check], which the first query
// runs if the application has not.
func New[T any](db sqlx.QueryerContext, base squirrel.SelectBuilder, cfg Config) (*Backend[T], error) {
	if db == nil {
		return nil, errors.New("paginate/sql: New needs a database handle")
	}
	if cfg.Schema == nil {
		return nil, errors.New("paginate/sql: Config.Schema is required")
	}
	if cfg.CacheSize < 0 {
		return nil, errors.New("paginate/sql: Config.CacheSize must not be negative")
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 256
	}
	if cfg.TimePrecision < 0 {
		return nil, errors.New("paginate/sql: Config.TimePrecision must not be negative")
	}
	d, err := dialectOf(db, cfg.Dialect)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.DeferredJoinOffset == 0:
		cfg.DeferredJoinOffset = d.deferredJoinOffset()
	case cfg.DeferredJoinOffset < 0:
		cfg.DeferredJoinOffset = 0
	}
	c := &common{dialect: d, seed: maphash.MakeSeed(), cacheSize: cfg.CacheSize, schema: cfg.Schema, noPrepare: cfg.NoPrepare, timePrecision: cfg.TimePrecision, timeLayout: cfg.SQLiteTimeLayout, deferOffset: cfg.DeferredJoinOffset}
	if c.timeLayout == "" {
		c.timeLayout = sqliteDriverTimeLayout
	}
	if c.check, err = newCheckState(d, cfg.SQLiteTimeLayout); err != nil {
		return nil, err
	}
	if c.timePrecision == 0 && d == SQLite && !strings.Contains(c.timeLayout, ".9") && !strings.Contains(c.timeLayout, ".0") {
		c.timePrecision = time.Second // a layout without fractional seconds
	}
	if c.timePrecision == 0 && d != SQLite {
		c.timePrecision = time.Microsecond
	}
	if err := c.setStatementTimeout(cfg.StatementTimeout); err != nil {
		return nil, err
	}
	if c.base, err = splitBase(base); err != nil {
		return nil, err
	}
	if err := c.mapFields(reflect.TypeFor[T](), cfg.Schema.Fields()); err != nil {
		return nil, err
	}
	if err := c.compileRelations(reflect.TypeFor[T](), cfg.Relations); err != nil {
		return nil, err
	}
	c.fromEnd, c.fromEndOffset = c.newFromEnd(), fromEndOffset
	c.shapes, _ = lru.New[uint64, *shape](cfg.CacheSize)
	return &Backend[T]{db: db, c: c, stmts: c.stmtCache(db)}, nil
}

// dialectOf resolves the dialect: set explicitly, or from the driver name.
func dialectOf(db any, d Dialect) (Dialect, error) {
	if d != DialectAuto {
		if !d.valid() {
			return 0, fmt.Errorf("paginate/sql: unknown dialect %s", d)
		}
		return d, nil
	}
	n, ok := db.(driverNamer)
	if !ok {
		return 0, fmt.Errorf("paginate/sql: a %T has no driver name: set Config.Dialect", db)
	}
	d, ok = DialectForDriver(n.DriverName())
	if !ok {
		return 0, fmt.Errorf("paginate/sql: unknown driver %q: set Config.Dialect", n.DriverName())
	}
	return d, nil
}

// mapFields finds each schema field's destination in T by the module's
// one rule (package structfield; "Declaring fields" in package paginate).
// A page selects each field's column under the field's Name and scans it
// by position into that destination, so the result column named Name
// backs the struct field the rule finds for the field.
func (c *common) mapFields(t reflect.Type, fields []paginate.Field) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("paginate/sql: T is %s; it must be a struct", t)
	}
	st, err := structfield.Of(t)
	if err != nil {
		return fmt.Errorf("paginate/sql: %w", err)
	}
	c.fields = fields
	c.byName = make(map[string]int, len(fields))
	c.dests = make([]*dest, len(fields))
	var errs []error
	for i, f := range fields {
		c.byName[f.Name] = i
		sf, err := st.Find(f.Name, f.Column)
		if err != nil {
			errs = append(errs, fmt.Errorf("paginate/sql: field %q (column %s): %w", f.Name, f.ColumnName(), err))
			continue
		}
		c.dests[i] = newDest(t, sf.Index)
	}
	return errors.Join(errs...)
}

// stmtCache returns a statement cache for db, or nil when db does not
// prepare statements or preparing is off.
func (c *common) stmtCache(db sqlx.QueryerContext) *stmtCache {
	p, ok := db.(preparer)
	if !ok || c.noPrepare {
		return nil
	}
	return newStmtCache(p, c.cacheSize)
}

// On returns a backend that runs the same queries through db, a
// transaction or connection of the same database for example. It shares
// the compiled SQL of b and prepares its own statements on db, which its
// Close closes (a transaction also closes them when it ends).
func (b *Backend[T]) On(db sqlx.QueryerContext) (*Backend[T], error) {
	if db == nil {
		return nil, errors.New("paginate/sql: On needs a database handle")
	}
	if n, ok := db.(driverNamer); ok {
		if d, ok := DialectForDriver(n.DriverName()); ok && d != b.c.dialect {
			return nil, fmt.Errorf("paginate/sql: On: handle is %s, backend is %s", d, b.c.dialect)
		}
	}
	return &Backend[T]{db: db, c: b.c, stmts: b.c.stmtCache(db)}, nil
}

// Close closes the backend's prepared statements. Statements in use close
// when their queries end. A closed backend still works, without preparing.
func (b *Backend[T]) Close() error {
	if b.stmts != nil {
		b.stmts.close()
	}
	return nil
}

// Dialect returns the backend's dialect.
func (b *Backend[T]) Dialect() Dialect { return b.c.dialect }

// Schema returns the schema the backend was built with. The paginators
// check that it is the one they are given.
func (b *Backend[T]) Schema() *paginate.Schema { return b.c.schema }

// TimePrecision reports how precisely the database stores times: the
// configured precision, else a microsecond on PostgreSQL and MySQL, and on
// SQLite a second when Config.SQLiteTimeLayout has no fraction of a
// second, else 0 (nanoseconds).
func (b *Backend[T]) TimePrecision() time.Duration { return b.c.timePrecision }

// NullOrder reports where the database sorts NULL: NullsLargest on
// PostgreSQL, NullsSmallest on SQLite and MySQL/MariaDB.
func (b *Backend[T]) NullOrder() paginate.NullOrder { return b.c.dialect.nullOrder() }

// query runs a statement, prepared when the handle prepares. The returned
// entry's release must be called after the rows are closed; it may be nil
// (a statement run as text), whose release does nothing.
func (b *Backend[T]) query(ctx context.Context, query string, args []any) (*sql.Rows, *stmtEntry, error) {
	if b.stmts != nil {
		e, err := b.stmts.acquire(ctx, query)
		if err != nil {
			return nil, nil, err
		}
		if e != nil {
			rows, err := e.stmt.QueryContext(ctx, args...)
			if err != nil {
				e.release()
				return nil, nil, err
			}
			return rows, e, nil
		}
	}
	rows, err := b.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	return rows, nil, nil
}

// Fetch returns the page q describes: at most q.Limit rows matching
// q.Filters in q.Sort order, after q.Offset rows and, when q.After is set,
// strictly after that position. With q.Keys it returns each row's sort
// values as the driver gave them, except a time SQLite stores as text or
// as an integer: the backend decodes it, and its key is a *time.Time
// (never a nil one) into one buffer of the page's times, so that
// decoding allocates nothing per row. The paginators read either form.
func (b *Backend[T]) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[T], error) {
	var res paginate.Result[T]
	if len(q.Sort) == 0 {
		return res, errors.New("paginate/sql: fetch: the query has no sort")
	}
	if q.Limit <= 0 || q.Offset < 0 {
		return res, fmt.Errorf("paginate/sql: fetch: invalid limit %d or offset %d", q.Limit, q.Offset)
	}
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return res, err
	}
	k, err := b.pageKind(ctx, &q)
	if err != nil {
		return res, err
	}
	s, err := b.c.lookup(k, &q)
	if err != nil {
		return res, err
	}
	f := fetcher[T]{b: b, s: s, q: q}
	if err := f.run(ctx); err != nil {
		return res, fmt.Errorf("paginate/sql: fetch: %w", b.c.timeoutErr(err))
	}
	res.Items = f.items
	if q.Keys {
		res.Keys = make([][]any, len(f.items))
		n := s.nkeys
		for i := range res.Keys {
			res.Keys[i] = f.keys[i*n : (i+1)*n : (i+1)*n]
		}
	}
	return res, nil
}

// fetcher holds one Fetch's state.
type fetcher[T any] struct {
	b     *Backend[T]
	s     *shape
	q     paginate.Query // a copy: a pointer to Fetch's q would move it to the heap
	items []T
	keys  []any
	// times holds the page's decoded SQLite times, which key slots point
	// to (see shape.decodeKeys).
	times []time.Time
	args  []any
	// row is the row being scanned, appended to items when complete; rowV
	// is *row, addressable. Both come with the scratch, which keeps the
	// row and the addresses of its fields from one Fetch to the next.
	row  *T
	rowV reflect.Value
	dest []any // where rows.Scan stores each of s.cols
	to   []any // the field each of s.assigns is copied to
}

func (f *fetcher[T]) run(ctx context.Context) error {
	s, q := f.s, &f.q
	cap0 := min(q.Limit, 1024)
	f.items = make([]T, 0, cap0)
	f.keys = make([]any, 0, cap0*s.nkeys)
	if len(s.timeKeys) > 0 {
		f.times = make([]time.Time, 0, cap0*len(s.timeKeys))
	}
	sc := s.getScratch()
	defer f.putScratch(sc)
	f.args = sc.args
	f.dest, f.to = sc.ptrs[:len(s.cols)], sc.ptrs[len(s.cols):]
	if row, ok := sc.row.(*T); ok {
		f.row, f.rowV = row, reflect.ValueOf(row).Elem()
	} else {
		f.row = new(T)
		f.rowV = reflect.ValueOf(f.row).Elem()
		sc.row = f.row
		f.locateFields()
	}
	skip := int64(0)
	offset := q.Offset
	if len(s.stmts) > 1 && offset > 0 {
		// An offset cannot be split across segments without knowing their
		// sizes: read and drop the skipped rows instead, with LIMIT bound
		// to the rows still wanted. Keyset paginators never combine an
		// offset with a position, so this path is rare.
		skip, offset = offset, 0
	}
	for i := range s.stmts {
		need := int64(q.Limit-len(f.items)) + skip
		if need <= 0 {
			break
		}
		var err error
		if skip, err = f.segment(ctx, &s.stmts[i], need, offset, skip); err != nil {
			return err
		}
	}
	return nil
}

// putScratch returns the scratch with its row zeroed and without the
// addresses that led out of it (key slots, fields behind embedded
// pointers), so that the pool keeps no page's values alive.
func (f *fetcher[T]) putScratch(sc *scratch) {
	var zero T
	*f.row = zero
	for _, j := range f.s.rowCols {
		f.dest[j] = nil
	}
	for _, i := range f.s.rowAssigns {
		f.to[i] = nil
	}
	f.s.putScratch(sc)
}

// locateFields points dest and to at the fields of row that no pointer
// leads to: their addresses stay the same from row to row.
func (f *fetcher[T]) locateFields() {
	for j, c := range f.s.cols {
		if c.key < 0 && c.d.direct {
			f.dest[j] = c.d.target(f.rowV)
		}
	}
	for i, a := range f.s.assigns {
		if a.d.direct {
			f.to[i] = a.d.ptr(f.rowV)
		}
	}
}

// locateRow points dest and to at the current row's key slots and at the
// fields behind embedded pointers, which each row allocates anew.
func (f *fetcher[T]) locateRow(keys []any) {
	for _, j := range f.s.rowCols {
		if c := &f.s.cols[j]; c.key >= 0 {
			f.dest[j] = &keys[c.key]
		} else {
			f.dest[j] = c.d.target(f.rowV)
		}
	}
	for _, i := range f.s.rowAssigns {
		f.to[i] = f.s.assigns[i].d.ptr(f.rowV)
	}
}

// segment runs one statement, appending its rows after dropping skip of
// them, and returns how many rows are still to be dropped.
func (f *fetcher[T]) segment(ctx context.Context, p *stmtPlan, limit, offset, skip int64) (int64, error) {
	f.args = f.b.c.bindArgs(f.args, p, &f.q, limit, offset)
	rows, e, err := f.b.query(ctx, p.sql, f.args)
	if err != nil {
		return skip, err
	}
	defer e.release()
	defer rows.Close()
	nkeys := f.s.nkeys
	var zero T
	for rows.Next() {
		if len(f.items) == f.q.Limit {
			// A later segment's statement still asks for a whole page;
			// reading stops when the page is full. (The first statement's
			// LIMIT ends its rows, which lets the driver finish them
			// cheaply.)
			break
		}
		if f.s.zeroRows {
			*f.row = zero
		}
		f.keys = append(f.keys, make([]any, nkeys)...)
		keys := f.keys[len(f.keys)-nkeys:]
		ntimes := len(f.times)
		f.locateRow(keys)
		if err := rows.Scan(f.dest...); err != nil {
			return skip, err
		}
		var err error
		if f.times, err = f.s.decodeKeys(keys, f.times); err != nil {
			return skip, err
		}
		for i, a := range f.s.assigns {
			if err := a.d.assign(f.to[i], keys[a.key]); err != nil {
				return skip, fmt.Errorf("sort column %d: %w", a.key, err)
			}
		}
		if skip > 0 {
			skip--
			f.keys = f.keys[:len(f.keys)-nkeys]
			f.times = f.times[:ntimes]
			continue
		}
		f.items = append(f.items, *f.row)
	}
	return skip, rows.Err()
}
