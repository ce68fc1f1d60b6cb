// Package dataset builds the items table that the example server and the
// benchmarks run against: any number of rows, the same rows on every run,
// on SQLite, PostgreSQL or MariaDB/MySQL.
//
// # The table
//
//	items(
//		id         integer primary key,  -- 1..rows
//		name       text not null,        -- "Sturdy Lamp": 2,500 distinct names
//		category   text not null,        -- one of 12
//		price      integer not null,     -- cents: 99..99999, always ending in 99
//		created_at timestamp not null,   -- UTC, whole minutes, about 3 rows a minute
//		discount   integer null          -- percent 5..50; NULL in about 70% of rows
//	)
//
// Prices are integer cents, not REAL or DECIMAL: integers compare and
// round-trip exactly on every database and through every driver, and money
// in minor units is what payment APIs use. created_at is TIMESTAMP on
// SQLite (stored by go-sqlite3 as UTC text, "2024-01-01 00:00:00+00:00",
// which sorts correctly as text because every value is UTC), TIMESTAMPTZ
// on PostgreSQL and DATETIME(6) on MariaDB/MySQL.
//
// Rows are a pure function of their id ([Row]), so a test can compute any
// row it expects without reading the database. created_at grows with id
// plus up to ten minutes of jitter and is truncated to the minute, so many
// rows share a created_at and it does not follow id exactly; prices repeat
// about every 1,000 rows. Every sort the example offers has an index ending
// in id, the tie-breaker: (created_at, id), (price, id), (name, id),
// (category, id) and (category, created_at, id) for the feed filtered by
// category.
//
// [Seed] builds the table in one transaction with prepared multi-row
// inserts and creates the indexes afterwards; [Cached] keeps a seeded
// SQLite file between runs.
package dataset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Version is stamped into cached databases; it changes whenever [Row] or
// the table's layout changes, so stale caches are rebuilt.
const Version = 1

// Dialect is the SQL dialect a table is built for.
type Dialect int

const (
	// Detect picks the dialect from the database's driver name.
	Detect Dialect = iota
	// SQLite is SQLite through github.com/mattn/go-sqlite3 ("sqlite3").
	SQLite
	// Postgres is PostgreSQL through pgx's database/sql driver ("pgx").
	Postgres
	// MySQL is MariaDB or MySQL through github.com/go-sql-driver/mysql
	// ("mysql").
	MySQL
)

// String returns the dialect's lower-case name.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	case MySQL:
		return "mysql"
	}
	return "detect"
}

// DialectOf returns the dialect of a database/sql driver name: "sqlite3",
// "pgx" (or "postgres") and "mysql".
func DialectOf(driverName string) (Dialect, error) {
	switch driverName {
	case "sqlite3", "sqlite":
		return SQLite, nil
	case "pgx", "postgres":
		return Postgres, nil
	case "mysql":
		return MySQL, nil
	}
	return Detect, fmt.Errorf("dataset: unknown driver %q", driverName)
}

// Item is one row of the table.
type Item struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Category  string    `db:"category" json:"category"`
	Price     int64     `db:"price" json:"price"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	Discount  *int64    `db:"discount" json:"discount"`
}

// Categories are the values of the category column.
var Categories = []string{
	"books", "clothing", "electronics", "garden", "grocery", "health",
	"home", "music", "office", "outdoors", "sports", "toys",
}

var adjectives = []string{
	"Ancient", "Bold", "Brave", "Bright", "Calm", "Classic", "Clever", "Compact",
	"Cozy", "Crisp", "Daring", "Deluxe", "Eager", "Elegant", "Epic", "Fancy",
	"Fresh", "Gentle", "Giant", "Golden", "Grand", "Handy", "Happy", "Humble",
	"Icy", "Jolly", "Keen", "Lively", "Lucky", "Mighty", "Modern", "Noble",
	"Nimble", "Plain", "Polished", "Proud", "Quick", "Quiet", "Rapid", "Robust",
	"Rustic", "Silent", "Sleek", "Smart", "Solid", "Sturdy", "Swift", "Tiny",
	"Vivid", "Witty",
}

var nouns = []string{
	"Anchor", "Backpack", "Basket", "Blanket", "Bottle", "Bowl", "Brush", "Bucket",
	"Candle", "Chair", "Clock", "Compass", "Cup", "Desk", "Drum", "Fan",
	"Flask", "Glove", "Guitar", "Hammer", "Hat", "Helmet", "Jacket", "Kettle",
	"Kite", "Ladder", "Lamp", "Lantern", "Mirror", "Mug", "Notebook", "Pan",
	"Pen", "Pillow", "Plate", "Radio", "Rope", "Scarf", "Shovel", "Speaker",
	"Spoon", "Table", "Teapot", "Tent", "Torch", "Towel", "Umbrella", "Vase",
	"Wallet", "Watch",
}

// Epoch is the created_at of the first rows.
var Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// mix is splitmix64's finalizer: a fixed, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Row returns the row with the given id (1-based). It is a pure function:
// every call, on every machine, returns the same row.
func Row(id int64) Item {
	h := mix(uint64(id))
	it := Item{
		ID:       id,
		Name:     adjectives[h%uint64(len(adjectives))] + " " + nouns[(h>>8)%uint64(len(nouns))],
		Category: Categories[(h>>16)%uint64(len(Categories))],
		Price:    int64((h>>24)%1000)*100 + 99,
	}
	secs := id*20 + int64((h>>34)%600)
	it.CreatedAt = Epoch.Add(time.Duration(secs) * time.Second).Truncate(time.Minute)
	if (h>>44)%10 < 3 {
		d := int64((h>>48)%10+1) * 5
		it.Discount = &d
	}
	return it
}

// Options say what [Seed] builds.
type Options struct {
	// Table is the table's name: lower-case letters, digits and
	// underscores. If empty, "items".
	Table string
	// Rows is how many rows to insert, with ids 1..Rows.
	Rows int
	// Dialect is the database's dialect. If zero ([Detect]), it is taken
	// from the database's driver name.
	Dialect Dialect
}

// batch is how many rows one INSERT carries: 500 rows of 6 values stay
// under every dialect's limit on bound parameters (SQLite 32766,
// PostgreSQL 65535, MySQL 65535).
const batch = 500

// Seed drops the table if it exists, creates it, inserts the rows in one
// transaction with prepared multi-row INSERTs, and creates the indexes.
func Seed(ctx context.Context, db *sqlx.DB, opts Options) error {
	table := opts.Table
	if table == "" {
		table = "items"
	}
	if !validTable(table) {
		return fmt.Errorf("dataset: invalid table name %q", table)
	}
	if opts.Rows < 0 {
		return errors.New("dataset: negative row count")
	}
	d := opts.Dialect
	if d == Detect {
		var err error
		if d, err = DialectOf(db.DriverName()); err != nil {
			return err
		}
	}
	if d < SQLite || d > MySQL {
		return fmt.Errorf("dataset: unknown dialect %d", d)
	}
	if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		return fmt.Errorf("dataset: drop %s: %w", table, err)
	}
	if _, err := db.ExecContext(ctx, createTable(d, table)); err != nil {
		return fmt.Errorf("dataset: create %s: %w", table, err)
	}
	if err := insert(ctx, db, d, table, opts.Rows); err != nil {
		return err
	}
	for _, stmt := range createIndexes(table) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("dataset: %s: %w", stmt, err)
		}
	}
	if d == Postgres {
		// Fresh tables have no statistics; planners choose better with them.
		if _, err := db.ExecContext(ctx, "ANALYZE "+table); err != nil {
			return fmt.Errorf("dataset: analyze %s: %w", table, err)
		}
	} else if d == SQLite {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("dataset: analyze: %w", err)
		}
	}
	return nil
}

func validTable(s string) bool {
	if s == "" || len(s) > 60 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func createTable(d Dialect, table string) string {
	switch d {
	case Postgres:
		return "CREATE TABLE " + table + ` (
	id BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	price BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	discount INTEGER
)`
	case MySQL:
		return "CREATE TABLE " + table + ` (
	id BIGINT PRIMARY KEY,
	name VARCHAR(100) NOT NULL,
	category VARCHAR(50) NOT NULL,
	price BIGINT NOT NULL,
	created_at DATETIME(6) NOT NULL,
	discount INT NULL
) ENGINE=InnoDB`
	}
	return "CREATE TABLE " + table + ` (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	price INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	discount INTEGER
)`
}

// Indexes lists the indexes Seed creates, as column lists.
var Indexes = [][]string{
	{"created_at", "id"},
	{"price", "id"},
	{"name", "id"},
	{"category", "id"},
	{"category", "created_at", "id"},
}

func createIndexes(table string) []string {
	stmts := make([]string, len(Indexes))
	for i, cols := range Indexes {
		stmts[i] = fmt.Sprintf("CREATE INDEX %s_%s ON %s (%s)", table, strings.Join(cols, "_"), table, strings.Join(cols, ", "))
	}
	return stmts
}

// insertSQL returns an INSERT of n rows with the dialect's placeholders.
func insertSQL(d Dialect, table string, n int) string {
	var b strings.Builder
	b.Grow(64 + n*32)
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (id, name, category, price, created_at, discount) VALUES ")
	arg := 0
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range 6 {
			if j > 0 {
				b.WriteByte(',')
			}
			arg++
			if d == Postgres {
				fmt.Fprintf(&b, "$%d", arg)
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

func insert(ctx context.Context, db *sqlx.DB, d Dialect, table string, rows int) (err error) {
	if rows == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("dataset: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	full, err := tx.PrepareContext(ctx, insertSQL(d, table, min(batch, rows)))
	if err != nil {
		return fmt.Errorf("dataset: prepare: %w", err)
	}
	defer full.Close()
	args := make([]any, 0, 6*batch)
	for start := 1; start <= rows; start += batch {
		n := min(batch, rows-start+1)
		args = args[:0]
		for id := start; id < start+n; id++ {
			it := Row(int64(id))
			var disc any
			if it.Discount != nil {
				disc = *it.Discount
			}
			args = append(args, it.ID, it.Name, it.Category, it.Price, it.CreatedAt, disc)
		}
		stmt := full
		if n < batch && n != min(batch, rows) {
			// The last, shorter batch.
			if stmt, err = tx.PrepareContext(ctx, insertSQL(d, table, n)); err != nil {
				return fmt.Errorf("dataset: prepare: %w", err)
			}
			defer stmt.Close()
		}
		if _, err = stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("dataset: insert rows %d..%d: %w", start, start+n-1, err)
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("dataset: commit: %w", err)
	}
	return nil
}
