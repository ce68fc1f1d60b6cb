// Package testdb opens the databases the tests run against: SQLite always,
// PostgreSQL, MariaDB/MySQL and Redis when their addresses are set in the
// environment. Without an address a test skips with a message naming the
// variable; with PAGINATE_REQUIRE_SERVICES=1 a missing or unreachable
// server fails the test instead.
package testdb

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	// Drivers for the databases the tests use.
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"
)

// Environment variables the tests read.
const (
	PostgresEnv = "PAGINATE_POSTGRES_DSN"
	MySQLEnv    = "PAGINATE_MYSQL_DSN"
	RedisEnv    = "PAGINATE_REDIS_ADDR"
	RequireEnv  = "PAGINATE_REQUIRE_SERVICES"
)

// Required reports whether missing services fail tests instead of skipping
// them.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Env returns the value of the environment variable name, skipping the test
// when it is unset (or failing it when services are required).
func Env(tb testing.TB, name string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		if Required() {
			tb.Fatalf("%s is not set and %s=1", name, RequireEnv)
		}
		tb.Skipf("%s is not set; set it to run this test against a real server", name)
	}
	return v
}

// Unavailable reports a server that is configured but cannot be reached:
// the test fails when services are required and skips otherwise.
func Unavailable(tb testing.TB, name string, err error) {
	tb.Helper()
	if Required() {
		tb.Fatalf("%s is set but the server is unreachable: %v", name, err)
	}
	tb.Skipf("%s is set but the server is unreachable: %v", name, err)
}

// Name returns a unique table or key name starting with prefix, safe to use
// unquoted in SQL.
func Name(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(prefix) + "_" + hex.EncodeToString(b[:])
}

// SQLite opens a fresh SQLite database in a file under the test's temporary
// directory, closed when the test ends. Times are stored as text in UTC by
// the code that writes them.
func SQLite(tb testing.TB) *sqlx.DB {
	tb.Helper()
	return SQLiteFile(tb, filepath.Join(tb.TempDir(), "test.db"))
}

// SQLiteFile opens the SQLite database at path, closed when the test ends.
func SQLiteFile(tb testing.TB, path string) *sqlx.DB {
	tb.Helper()
	db, err := sqlx.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_busy_timeout=10000&_foreign_keys=1")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Postgres opens the PostgreSQL database named by PAGINATE_POSTGRES_DSN
// through pgx's database/sql driver ("pgx"), or skips.
func Postgres(tb testing.TB) *sqlx.DB {
	tb.Helper()
	return open(tb, PostgresEnv, "pgx")
}

// MySQL opens the MariaDB/MySQL database named by PAGINATE_MYSQL_DSN, or
// skips. The DSN should set parseTime=true.
func MySQL(tb testing.TB) *sqlx.DB {
	tb.Helper()
	return open(tb, MySQLEnv, "mysql")
}

func open(tb testing.TB, env, driver string) *sqlx.DB {
	tb.Helper()
	dsn := Env(tb, env)
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		tb.Fatalf("%s: %v", env, err)
	}
	db.SetMaxOpenConns(20)
	db.SetConnMaxIdleTime(time.Minute)
	var lastErr error
	for range 5 {
		if lastErr = db.Ping(); lastErr == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if lastErr != nil {
		db.Close()
		Unavailable(tb, env, lastErr)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// DropTable drops table when the test ends.
func DropTable(tb testing.TB, db *sqlx.DB, table string) {
	tb.Helper()
	tb.Cleanup(func() {
		if _, err := db.Exec("DROP TABLE IF EXISTS " + table); err != nil {
			tb.Errorf("drop %s: %v", table, err)
		}
	})
}

// Backends lists the SQL databases to run a test against: SQLite always,
// plus PostgreSQL and MySQL (each skipped or failed as Env says when not
// configured). Each entry's Open is called inside a subtest.
var Backends = []struct {
	Name string
	Open func(testing.TB) *sqlx.DB
}{
	{"sqlite", SQLite},
	{"postgres", Postgres},
	{"mysql", MySQL},
}

// Describe is used in failure messages: the driver and a short name.
func Describe(db *sqlx.DB) string { return fmt.Sprintf("%s database", db.DriverName()) }
