package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
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

// depths are the positions benchmarked, in rows skipped before the page;
// lastPage stands for the last page. A depth beyond the table is clamped to
// the last page, so every benchmark runs on a small table too.
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

// database is one seeded items table.
type database struct {
	name  string // "sqlite" or "postgres"
	db    *sqlx.DB
	table string
	rows  int
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

var (
	sqliteOnce sync.Once
	sqliteDB   *database
	sqliteErr  error

	postgresOnce sync.Once
	postgresDB   *database
	postgresErr  error
)

// sqliteDatabase returns the cached SQLite items table, building it on the
// first run with this row count.
func sqliteDatabase(tb testing.TB) *database {
	tb.Helper()
	sqliteOnce.Do(func() {
		rows := benchRows(tb)
		path, err := dataset.CachePath(rows)
		if err != nil {
			sqliteErr = err
			return
		}
		start := time.Now()
		db, err := dataset.Cached(context.Background(), path, rows)
		if err != nil {
			sqliteErr = err
			return
		}
		if d := time.Since(start); d > time.Second {
			tb.Logf("built %s in %v", path, d.Round(time.Millisecond))
		}
		sqliteDB = &database{name: "sqlite", db: db, table: "items", rows: rows}
		sqliteErr = warm(sqliteDB)
		logVersion(tb, db, "SELECT sqlite_version()")
	})
	if sqliteErr != nil {
		tb.Fatalf("sqlite: %v", sqliteErr)
	}
	return sqliteDB
}

// postgresDatabase returns the PostgreSQL items table named by rows and
// dataset.Version, seeding it unless an earlier run completed it. It
// skips (or fails, when services are required) without
// PAGINATE_POSTGRES_DSN.
func postgresDatabase(tb testing.TB) *database {
	tb.Helper()
	dsn := testdb.Env(tb, testdb.PostgresEnv)
	postgresOnce.Do(func() {
		db, err := sqlx.Open("pgx", dsn)
		if err != nil {
			postgresErr = err
			return
		}
		if err := db.Ping(); err != nil {
			db.Close()
			postgresErr = fmt.Errorf("%w: %w", errUnreachable, err)
			return
		}
		rows := benchRows(tb)
		table := fmt.Sprintf("bench_items_%d_v%d", rows, dataset.Version)
		start := time.Now()
		seeded, err := seedPostgres(context.Background(), db, table, rows)
		if err != nil {
			db.Close()
			postgresErr = err
			return
		}
		if seeded {
			tb.Logf("seeded %s in %v", table, time.Since(start).Round(time.Millisecond))
		}
		postgresDB = &database{name: "postgres", db: db, table: table, rows: rows}
		postgresErr = warm(postgresDB)
		logVersion(tb, db, "SHOW server_version")
	})
	if errors.Is(postgresErr, errUnreachable) {
		testdb.Unavailable(tb, testdb.PostgresEnv, postgresErr)
	}
	if postgresErr != nil {
		tb.Fatalf("postgres: %v", postgresErr)
	}
	return postgresDB
}

var errUnreachable = errors.New("unreachable")

// pgComplete is the table comment that marks a completely seeded table.
const pgComplete = "go-paginate benchmark dataset, complete"

// seedPostgres seeds table unless its comment says an earlier run
// completed it; it reports whether it seeded. A session advisory lock
// keeps concurrent runs from seeding the same table at once.
func seedPostgres(ctx context.Context, db *sqlx.DB, table string, rows int) (bool, error) {
	conn, err := db.Connx(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	const lockID = 0x7061676e // "pagn"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
		return false, fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID)
	var comment sql.NullString
	err = conn.QueryRowxContext(ctx, "SELECT obj_description(to_regclass($1), 'pg_class')", table).Scan(&comment)
	if err != nil {
		return false, fmt.Errorf("read comment of %s: %w", table, err)
	}
	if comment.String == pgComplete {
		return false, nil
	}
	if err := dataset.Seed(ctx, db, dataset.Options{Table: table, Rows: rows, Dialect: dataset.Postgres}); err != nil {
		return false, err
	}
	if _, err := conn.ExecContext(ctx, "COMMENT ON TABLE "+table+" IS '"+pgComplete+"'"); err != nil {
		return false, fmt.Errorf("comment on %s: %w", table, err)
	}
	return true, nil
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

// logVersion logs the database's version (shown with -v).
func logVersion(tb testing.TB, db *sqlx.DB, query string) {
	tb.Helper()
	var v string
	if err := db.QueryRowx(query).Scan(&v); err != nil {
		tb.Logf("%s: %v", query, err)
		return
	}
	tb.Logf("%s: %s", db.DriverName(), v)
}

// databases returns the databases to benchmark: SQLite, and PostgreSQL
// when configured. The PostgreSQL entry opens lazily inside a
// sub-benchmark, which skips when PAGINATE_POSTGRES_DSN is unset.
var databases = []struct {
	name string
	open func(testing.TB) *database
}{
	{"sqlite", sqliteDatabase},
	{"postgres", postgresDatabase},
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range []*database{sqliteDB, postgresDB} {
		if d != nil {
			d.db.Close()
		}
	}
	os.Exit(code)
}
