package sql

import (
	"strconv"
	"time"

	"github.com/Masterminds/squirrel"

	"github.com/go-paginate/paginate"
)

// Dialect is an SQL dialect: how the backend writes placeholders and
// identifiers, where the database sorts NULL, and which keyset predicates
// its planner serves from an index.
type Dialect int

const (
	// DialectAuto, the zero value, takes the dialect from the handle's
	// driver name.
	DialectAuto Dialect = iota
	// SQLite is SQLite 3.15 or later (row values), through
	// github.com/mattn/go-sqlite3 or another database/sql driver.
	SQLite
	// PostgreSQL is PostgreSQL, through pgx's stdlib driver or lib/pq.
	PostgreSQL
	// MySQL is MySQL or MariaDB, through github.com/go-sql-driver/mysql.
	MySQL
)

var dialectNames = [...]string{"auto", "sqlite", "postgresql", "mysql"}

// String returns the dialect's lower-case name.
func (d Dialect) String() string {
	if d >= 0 && int(d) < len(dialectNames) {
		return dialectNames[d]
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// DialectForDriver returns the dialect of a database/sql driver name, as
// registered by the common drivers: "sqlite3" and "sqlite" for SQLite,
// "pgx", "pgx/v5" and "postgres" for PostgreSQL, "mysql" for MySQL and
// MariaDB.
func DialectForDriver(name string) (Dialect, bool) {
	switch name {
	case "sqlite3", "sqlite":
		return SQLite, true
	case "pgx", "pgx/v5", "postgres", "postgresql":
		return PostgreSQL, true
	case "mysql", "mariadb":
		return MySQL, true
	}
	return DialectAuto, false
}

func (d Dialect) valid() bool { return d >= SQLite && d <= MySQL }

// nullOrder is where the dialect sorts NULL in ascending order.
func (d Dialect) nullOrder() paginate.NullOrder {
	if d == PostgreSQL {
		return paginate.NullsLargest
	}
	return paginate.NullsSmallest
}

// rowValues reports whether the dialect's planner serves a row-value
// comparison such as (a, b) > (?, ?) from an index. MariaDB and MySQL parse
// row values but do not use them for an index range, so they get the
// expanded form.
func (d Dialect) rowValues() bool { return d == SQLite || d == PostgreSQL }

// quote quotes an identifier. Names are checked by the core to be letters,
// digits and underscores, so no escaping is needed.
func (d Dialect) quote(name string) string {
	if d == MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// sqliteDriverTimeLayout is the text github.com/mattn/go-sqlite3 stores
// for a time.Time.
const sqliteDriverTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// bind converts a canonical value (int64, float64, bool, time.Time,
// []byte, string) to the argument the driver gets. Times are bound in UTC;
// on SQLite, which compares times as text, as text in the columns' layout.
func (c *common) bind(v any) any {
	if t, ok := v.(time.Time); ok {
		if c.dialect == SQLite {
			return t.UTC().Format(c.timeLayout)
		}
		if t.Location() == time.UTC {
			return v // as positions and filters hold it: no new interface value
		}
		return t.UTC()
	}
	return v
}

// explainPrefix is the statement prefix that asks for a plan.
func (d Dialect) explainPrefix() string {
	switch d {
	case PostgreSQL:
		return "EXPLAIN (FORMAT JSON) "
	case MySQL:
		return "EXPLAIN FORMAT=JSON "
	}
	return "EXPLAIN QUERY PLAN "
}

// placeholders is the squirrel placeholder format of the dialect.
func (d Dialect) placeholders() squirrel.PlaceholderFormat {
	if d == PostgreSQL {
		return squirrel.Dollar
	}
	return squirrel.Question
}
