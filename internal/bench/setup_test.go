package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/testdb"
)

// perPage is the page size of every benchmark.
const perPage = 20

// rowsEnv names the environment variable that sets the table's row count.
const rowsEnv = "PAGINATE_BENCH_ROWS"

// defaultRows is the row count when rowsEnv is unset.
const defaultRows = 1_000_000

// rotate picks the order in which the implementations of one group are
// timed, so that over several runs none always goes first or last, or
// always comes right after the same one. internal/cmd/benchpair sets it
// to the pass number.
var rotate = flag.Int("rotate", 0, "the order in which the implementations of each group are timed: the row of a balanced design, mod its length")

// rotated returns xs in the order *rotate picks: rotatedRow(xs, *rotate).
func rotated[T any](xs []T) []T { return rotatedRow(xs, *rotate) }

// rotatedRow returns xs in the order of row r (mod the number of rows) of
// a Williams design of len(xs) elements, in which every element takes
// every position equally often and comes right after every other element
// equally often. For n elements row r is the sequence 0, 1, n−1, 2, n−2,
// … shifted by r (mod n); for an odd n these n rows are followed by the
// same rows reversed. Row 0 keeps xs's first element first.
func rotatedRow[T any](xs []T, r int) []T {
	n := len(xs)
	if n == 0 {
		return xs
	}
	rows := n
	if n%2 == 1 {
		rows = 2 * n
	}
	r = ((r % rows) + rows) % rows
	order := make([]int, n)
	for j := range order {
		// 0, 1, n−1, 2, n−2, …
		s := (j + 1) / 2
		if j%2 == 0 {
			s = (n - j/2) % n
		}
		order[j] = (s + r) % n
	}
	if r >= n {
		slices.Reverse(order)
	}
	out := make([]T, n)
	for j, i := range order {
		out[j] = xs[i]
	}
	return out
}

// depths are the positions benchmarked, in rows skipped before the page;
// lastPage stands for the last page (offset 999,980 of 1,000,000 rows). A
// depth beyond the table is clamped to the last page, so every benchmark
// runs on a small table too.
var depths = []int{0, 10_000, 100_000, 500_000, lastPage}

const lastPage = -1

// depthName names a depth in a benchmark: the requested number, or "last".
func depthName(d int) string {
	if d == lastPage {
		return "depth=last"
	}
	return "depth=" + strconv.Itoa(d)
}

// benchRows returns the row count from rowsEnv.
func benchRows(tb testing.TB) int {
	tb.Helper()
	s := os.Getenv(rowsEnv)
	if s == "" {
		return defaultRows
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 2*perPage {
		tb.Fatalf("%s=%q: want a row count of at least %d", rowsEnv, s, 2*perPage)
	}
	return n
}

// database is one seeded items table with everything the benchmarks run
// on it: the floor, the hand-written sqlx code and the library.
type database struct {
	name    string // "sqlite", "postgres" or "mysql"
	dialect dataset.Dialect
	db      *sqlx.DB
	table   string
	rows    int

	floor *floor
	sqlx  *sqlxStatements
	lib   *library
}

// offset returns the number of rows before the page at depth d: d itself,
// clamped to the start of the last page.
func (d *database) offset(depth int) int {
	last := (d.rows - 1) / perPage * perPage
	if depth == lastPage || depth > last {
		return last
	}
	return depth
}

// prepare builds the approaches that run on d.
func (d *database) prepare(ctx context.Context) error {
	var err error
	if d.floor, err = newFloor(ctx, d); err != nil {
		return fmt.Errorf("floor: %w", err)
	}
	if d.sqlx, err = newSQLXStatements(ctx, d); err != nil {
		return fmt.Errorf("sqlx: %w", err)
	}
	if d.lib, err = newLibrary(d); err != nil {
		return fmt.Errorf("library: %w", err)
	}
	return nil
}

// lazy is a database opened on first use, once per process.
type lazy struct {
	once sync.Once
	d    *database
	err  error
}

var sqliteDB, postgresDB, mysqlDB lazy

// sqliteDatabase returns the cached SQLite items table, building it on the
// first run with this row count.
func sqliteDatabase(tb testing.TB) *database {
	tb.Helper()
	sqliteDB.once.Do(func() {
		sqliteDB.d, sqliteDB.err = openSQLite(tb)
	})
	if sqliteDB.err != nil {
		tb.Fatalf("sqlite: %v", sqliteDB.err)
	}
	return sqliteDB.d
}

func openSQLite(tb testing.TB) (*database, error) {
	tb.Helper()
	rows := benchRows(tb)
	path, err := dataset.CachePath(rows)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	db, err := dataset.Cached(context.Background(), path, rows)
	if err != nil {
		return nil, err
	}
	if d := time.Since(start); d > time.Second {
		tb.Logf("built %s in %v", path, d.Round(time.Millisecond))
	}
	d := &database{name: "sqlite", dialect: dataset.SQLite, db: db, table: "items", rows: rows}
	return d, ready(tb, d, "SELECT sqlite_version()")
}

// ready warms d, logs its version and prepares the approaches.
func ready(tb testing.TB, d *database, versionQuery string) error {
	tb.Helper()
	if err := warm(d); err != nil {
		return err
	}
	logVersion(tb, d, versionQuery)
	return d.prepare(context.Background())
}

// server describes a database server the benchmarks can run on.
type server struct {
	name, env, driver string
	dialect           dataset.Dialect
	versionQuery      string
}

var (
	postgresServer = server{
		name: "postgres", env: testdb.PostgresEnv, driver: "pgx", dialect: dataset.Postgres,
		versionQuery: "SHOW server_version",
	}
	mysqlServer = server{
		name: "mysql", env: testdb.MySQLEnv, driver: "mysql", dialect: dataset.MySQL,
		versionQuery: "SELECT VERSION()",
	}
)

// postgresDatabase returns the PostgreSQL items table, seeding it unless
// an earlier run completed it. It skips (or fails, when services are
// required) without PAGINATE_POSTGRES_DSN.
func postgresDatabase(tb testing.TB) *database {
	tb.Helper()
	return serverDatabase(tb, &postgresDB, postgresServer)
}

// mysqlDatabase returns the MariaDB/MySQL items table, seeding it unless
// an earlier run completed it. It skips (or fails, when services are
// required) without PAGINATE_MYSQL_DSN.
func mysqlDatabase(tb testing.TB) *database {
	tb.Helper()
	return serverDatabase(tb, &mysqlDB, mysqlServer)
}

// serverDatabase opens s's items table once per process: the shared
// table of internal/dataset (dataset.Shared), named by the row count and
// dataset.Version, which runs with the same count and the cost tests
// reuse.
func serverDatabase(tb testing.TB, l *lazy, s server) *database {
	tb.Helper()
	dsn := testdb.Env(tb, s.env)
	l.once.Do(func() {
		l.d, l.err = openServer(tb, s, dsn)
	})
	if errors.Is(l.err, errUnreachable) {
		testdb.Unavailable(tb, s.env, l.err)
	}
	if l.err != nil {
		tb.Fatalf("%s: %v", s.name, l.err)
	}
	return l.d
}

func openServer(tb testing.TB, s server, dsn string) (*database, error) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlx.Open(s.driver, dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %w", errUnreachable, err)
	}
	rows := benchRows(tb)
	start := time.Now()
	table, seeded, err := dataset.Shared(ctx, db, rows)
	if err == nil && s.dialect == dataset.Postgres {
		err = vacuumPostgres(ctx, db, table)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	if seeded {
		tb.Logf("seeded %s in %v", table, time.Since(start).Round(time.Millisecond))
	}
	d := &database{name: s.name, dialect: s.dialect, db: db, table: table, rows: rows}
	if err := ready(tb, d, s.versionQuery); err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

var errUnreachable = errors.New("unreachable")

// vacuumPostgres vacuums and analyzes table unless its visibility map
// already marks (nearly) all its pages all-visible, as a VACUUM leaves
// them. An index-only scan, such as the deferred join's subquery, reads
// the table's rows after all for pages not marked, so a table that was
// never vacuumed (autovacuum may not have come round to it) would make
// every deep page look as dear as a plain one. A table that was, skips it.
func vacuumPostgres(ctx context.Context, db *sqlx.DB, table string) error {
	var pages, visible int64
	err := db.QueryRowxContext(ctx, "SELECT relpages, relallvisible FROM pg_class WHERE oid = to_regclass($1)", table).Scan(&pages, &visible)
	if err != nil {
		return fmt.Errorf("visibility of %s: %w", table, err)
	}
	if pages > 0 && visible >= pages*99/100 {
		return nil
	}
	if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) "+table); err != nil {
		return fmt.Errorf("vacuum %s: %w", table, err)
	}
	return nil
}

// warm reads the table once through the index every benchmark uses, so
// that the first benchmark does not pay for a cold cache.
func warm(d *database) error {
	var n int64
	q := "SELECT COUNT(*) FROM (SELECT id FROM " + d.table + " ORDER BY created_at DESC, id DESC) t"
	if err := d.db.QueryRowx(q).Scan(&n); err != nil {
		return fmt.Errorf("warm %s: %w", d.table, err)
	}
	if n != int64(d.rows) {
		return fmt.Errorf("%s holds %d rows, want %d", d.table, n, d.rows)
	}
	return nil
}

// logVersion logs the database's version (shown with -v), as
// "database version: sqlite 3.54.1".
func logVersion(tb testing.TB, d *database, query string) {
	tb.Helper()
	var v string
	if err := d.db.QueryRowx(query).Scan(&v); err != nil {
		tb.Logf("%s: %v", query, err)
		return
	}
	tb.Logf("database version: %s %s", d.name, v)
}

// databases returns the databases to benchmark: SQLite, and PostgreSQL
// and MariaDB/MySQL when configured. The server entries open lazily inside
// a sub-benchmark, which skips when their DSN is unset.
var databases = []struct {
	name string
	open func(testing.TB) *database
}{
	{"sqlite", sqliteDatabase},
	{"postgres", postgresDatabase},
	{"mysql", mysqlDatabase},
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, l := range []*lazy{&sqliteDB, &postgresDB, &mysqlDB} {
		if l.d != nil {
			l.d.close()
		}
	}
	os.Exit(code)
}

// close closes d's statements and its handle.
func (d *database) close() {
	if d.floor != nil {
		d.floor.close()
	}
	if d.sqlx != nil {
		d.sqlx.close()
	}
	if d.lib != nil {
		d.lib.backend.Close()
		if d.lib.plain != nil {
			d.lib.plain.Close()
		}
	}
	d.db.Close()
}
