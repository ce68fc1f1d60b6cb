// Package dataset builds the items table that the example server and the
// benchmarks run against: any number of rows, the same rows on every run,
// on SQLite, PostgreSQL or MariaDB/MySQL; and, when asked, the items'
// sellers and reviews, for the example's related data.
//
// # The tables
//
//	items(
//		id         integer primary key,  -- 1..rows
//		name       text not null,        -- "Sturdy Lamp": 2,500 distinct names
//		category   text not null,        -- one of 12
//		price      integer not null,     -- cents: 99..99999, always ending in 99
//		created_at timestamp not null,   -- UTC, whole minutes, about 3 rows a minute
//		discount   integer null,         -- percent 5..50; NULL in about 70% of rows
//		seller_id  integer null          -- a seller's id, 1..500; NULL in about 10% of rows
//	)
//
// With [Options].Related, also:
//
//	sellers(
//		id         integer primary key,  -- 1..500 (Sellers)
//		name       text not null,        -- "Bold Supply"
//		country    text not null         -- an ISO 3166 code, one of 10
//	)
//	reviews(
//		id         integer primary key,  -- item_id*10 + 0..8
//		item_id    integer not null,     -- 0 to 8 reviews per item, 4 on average
//		rating     integer not null,     -- 1..5
//		body       text not null,        -- one of a few sentences
//		created_at timestamp not null    -- whole hours, 1 to 48 after the item's: often shared
//	)
//
// Prices are integer cents, not REAL or DECIMAL: integers compare and
// round-trip exactly on every database and through every driver, and money
// in minor units is what payment APIs use. created_at is TIMESTAMP on
// SQLite (stored by go-sqlite3 as UTC text, "2024-01-01 00:00:00+00:00",
// which sorts correctly as text because every value is UTC), TIMESTAMPTZ
// on PostgreSQL and DATETIME(6) on MariaDB/MySQL.
//
// Rows are pure functions of their ids ([Row], [SellerRow], [Reviews]), so
// a test can compute any row it expects without reading the database. An
// item's created_at grows with id plus up to ten minutes of jitter and is
// truncated to the minute, so many rows share a created_at and it does not
// follow id exactly; prices repeat about every 1,000 rows. Every sort the
// example offers has an index ending in id, the tie-breaker: (created_at,
// id), (price, id), (name, id), (category, id) and (category, created_at,
// id) for the feed filtered by category. Reviews have the index (item_id,
// created_at DESC, id DESC), which serves an item's newest reviews.
//
// [Seed] builds the tables in one transaction with prepared multi-row
// inserts and creates the indexes afterwards; [Cached] and
// [CachedRelated] keep a seeded SQLite file between runs. Related rows
// are seeded only when asked: reviews are about four times as many rows
// as items, which the benchmarks do not need.
package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Version is stamped into cached databases; it changes whenever [Row] or
// the tables' layout changes, so stale caches are rebuilt.
const Version = 2

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
	SellerID  *int64    `db:"seller_id" json:"seller_id"`
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
	if (h>>52)%10 != 0 {
		seller := int64(mix(h)%Sellers) + 1
		it.SellerID = &seller
	}
	return it
}

// Sellers is the number of sellers: ids 1..Sellers.
const Sellers = 500

// Seller is a row of the sellers table.
type Seller struct {
	ID      int64  `db:"id" json:"id"`
	Name    string `db:"name" json:"name"`
	Country string `db:"country" json:"country"`
}

var (
	trades    = []string{"Goods", "Supply", "Trading", "Market", "Works", "Outfitters", "Store", "Depot"}
	countries = []string{"BR", "DE", "FR", "GB", "IN", "IT", "JP", "NL", "SE", "US"}
)

// SellerRow returns the seller with the given id (1..Sellers), a pure
// function like [Row].
func SellerRow(id int64) Seller {
	h := mix(uint64(id) ^ 0x5e11e4)
	return Seller{
		ID:      id,
		Name:    adjectives[h%uint64(len(adjectives))] + " " + trades[(h>>8)%uint64(len(trades))],
		Country: countries[(h>>16)%uint64(len(countries))],
	}
}

// Review is a row of the reviews table.
type Review struct {
	ID        int64     `db:"id" json:"id"`
	ItemID    int64     `db:"item_id" json:"item_id"`
	Rating    int64     `db:"rating" json:"rating"`
	Body      string    `db:"body" json:"body"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// MaxReviews is the most reviews an item has.
const MaxReviews = 8

var bodies = []string{
	"Works as described.", "Would buy again.", "Arrived late.", "Smaller than expected.",
	"Great value.", "Does the job.", "Not for me.", "Better than the last one.",
}

// Reviews returns the reviews of the item with the given id, 0 to
// [MaxReviews] of them in id order, a pure function like [Row]: each is
// written 1 to 48 whole hours after the item, so an item's reviews often
// share a time.
func Reviews(itemID int64) []Review {
	h := mix(uint64(itemID) ^ 0x4e7ee5)
	n := int(h % (MaxReviews + 1))
	if n == 0 {
		return nil
	}
	created := Row(itemID).CreatedAt
	out := make([]Review, n)
	for j := range out {
		r := mix(h + uint64(j))
		out[j] = Review{
			ID:        itemID*10 + int64(j),
			ItemID:    itemID,
			Rating:    int64(r%5) + 1,
			Body:      bodies[(r>>8)%uint64(len(bodies))],
			CreatedAt: created.Add(time.Duration(1+(r>>16)%48) * time.Hour).Truncate(time.Hour),
		}
	}
	return out
}

// Options say what [Seed] builds.
type Options struct {
	// Table is the items table's name: lower-case letters, digits and
	// underscores. If empty, "items".
	Table string
	// Rows is how many rows to insert, with ids 1..Rows.
	Rows int
	// Dialect is the database's dialect. If zero ([Detect]), it is taken
	// from the database's driver name.
	Dialect Dialect
	// Related also builds the sellers and reviews tables, named by
	// SellersTable and ReviewsTable.
	Related bool
	// SellersTable is the sellers table's name. If empty, "sellers".
	SellersTable string
	// ReviewsTable is the reviews table's name. If empty, "reviews".
	ReviewsTable string
}

// table is one table Seed builds.
type table struct {
	name    string
	columns []string
	create  [3]string // per dialect: SQLite, PostgreSQL, MySQL
	indexes [][]string
	// rows calls add with each row's column values, until add returns
	// false.
	rows func(add func(...any) bool)
}

// tables returns the tables opts asks for.
func (opts Options) tables() []table {
	items := table{
		name:    opts.Table,
		columns: []string{"id", "name", "category", "price", "created_at", "discount", "seller_id"},
		create: [3]string{`(
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	price INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	discount INTEGER,
	seller_id INTEGER
)`, `(
	id BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	price BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	discount INTEGER,
	seller_id BIGINT
)`, `(
	id BIGINT PRIMARY KEY,
	name VARCHAR(100) NOT NULL,
	category VARCHAR(50) NOT NULL,
	price BIGINT NOT NULL,
	created_at DATETIME(6) NOT NULL,
	discount INT NULL,
	seller_id BIGINT NULL
) ENGINE=InnoDB`},
		indexes: Indexes,
		rows: func(add func(...any) bool) {
			for id := 1; id <= opts.Rows; id++ {
				it := Row(int64(id))
				if !add(it.ID, it.Name, it.Category, it.Price, it.CreatedAt, nullable(it.Discount), nullable(it.SellerID)) {
					return
				}
			}
		},
	}
	if !opts.Related {
		return []table{items}
	}
	sellers := table{
		name:    opts.SellersTable,
		columns: []string{"id", "name", "country"},
		create: [3]string{
			`(id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL)`,
			`(id BIGINT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL)`,
			`(id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL, country CHAR(2) NOT NULL) ENGINE=InnoDB`,
		},
		rows: func(add func(...any) bool) {
			for id := int64(1); id <= Sellers; id++ {
				s := SellerRow(id)
				if !add(s.ID, s.Name, s.Country) {
					return
				}
			}
		},
	}
	reviews := table{
		name:    opts.ReviewsTable,
		columns: []string{"id", "item_id", "rating", "body", "created_at"},
		create: [3]string{
			`(id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL, rating INTEGER NOT NULL, body TEXT NOT NULL, created_at TIMESTAMP NOT NULL)`,
			`(id BIGINT PRIMARY KEY, item_id BIGINT NOT NULL, rating INTEGER NOT NULL, body TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL)`,
			`(id BIGINT PRIMARY KEY, item_id BIGINT NOT NULL, rating INT NOT NULL, body VARCHAR(100) NOT NULL, created_at DATETIME(6) NOT NULL) ENGINE=InnoDB`,
		},
		indexes: [][]string{{"item_id", "created_at DESC", "id DESC"}},
		rows: func(add func(...any) bool) {
			for id := 1; id <= opts.Rows; id++ {
				for _, r := range Reviews(int64(id)) {
					if !add(r.ID, r.ItemID, r.Rating, r.Body, r.CreatedAt) {
						return
					}
				}
			}
		},
	}
	return []table{items, sellers, reviews}
}

// nullable returns *p, or nil for a nil pointer.
func nullable(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// maxArgs is the most values one INSERT binds: under every dialect's
// limit on bound parameters (SQLite 32766, PostgreSQL 65535, MySQL
// 65535), in batches of rows that a prepared statement is reused for.
const maxArgs = 3500

// Seed drops the tables opts names if they exist, creates them, inserts
// the rows in one transaction with prepared multi-row INSERTs, and creates
// the indexes.
func Seed(ctx context.Context, db *sqlx.DB, opts Options) error {
	if opts.Table == "" {
		opts.Table = "items"
	}
	if opts.SellersTable == "" {
		opts.SellersTable = "sellers"
	}
	if opts.ReviewsTable == "" {
		opts.ReviewsTable = "reviews"
	}
	for _, name := range []string{opts.Table, opts.SellersTable, opts.ReviewsTable} {
		if !validTable(name) {
			return fmt.Errorf("dataset: invalid table name %q", name)
		}
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
	tables := opts.tables()
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+t.name); err != nil {
			return fmt.Errorf("dataset: drop %s: %w", t.name, err)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE "+t.name+" "+t.create[d-SQLite]); err != nil {
			return fmt.Errorf("dataset: create %s: %w", t.name, err)
		}
	}
	if err := insert(ctx, db, d, tables); err != nil {
		return err
	}
	for _, t := range tables {
		for _, stmt := range createIndexes(t.name, t.indexes) {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("dataset: %s: %w", stmt, err)
			}
		}
		if d == Postgres {
			// Fresh tables have no statistics; planners choose better
			// with them.
			if _, err := db.ExecContext(ctx, "ANALYZE "+t.name); err != nil {
				return fmt.Errorf("dataset: analyze %s: %w", t.name, err)
			}
		}
	}
	if d == SQLite {
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

// Indexes lists the indexes Seed creates on the items table, as column
// lists.
var Indexes = [][]string{
	{"created_at", "id"},
	{"price", "id"},
	{"name", "id"},
	{"category", "id"},
	{"category", "created_at", "id"},
}

// createIndexes returns the CREATE INDEX statements of table's indexes,
// each a list of columns, each column optionally followed by " DESC".
func createIndexes(table string, indexes [][]string) []string {
	stmts := make([]string, len(indexes))
	for i, cols := range indexes {
		name := strings.ReplaceAll(strings.Join(cols, "_"), " DESC", "_desc")
		stmts[i] = fmt.Sprintf("CREATE INDEX %s_%s ON %s (%s)", table, name, table, strings.Join(cols, ", "))
	}
	return stmts
}

// insertSQL returns an INSERT of n rows of cols with the dialect's
// placeholders.
func insertSQL(d Dialect, table string, cols []string, n int) string {
	var b strings.Builder
	b.Grow(64 + n*8*len(cols))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (" + strings.Join(cols, ", ") + ") VALUES ")
	arg := 0
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range cols {
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

// insert fills the tables in one transaction.
func insert(ctx context.Context, db *sqlx.DB, d Dialect, tables []table) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("dataset: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, t := range tables {
		if err = fill(ctx, tx, d, t); err != nil {
			return err
		}
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("dataset: commit: %w", err)
	}
	return nil
}

// fill inserts t's rows in batches, with one statement prepared for a
// full batch and another for the last one.
func fill(ctx context.Context, tx *sql.Tx, d Dialect, t table) error {
	per := maxArgs / len(t.columns)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, per*len(t.columns))
	n, total := 0, 0
	flush := func() error {
		var err error
		stmt := full
		if n < per {
			// The last, shorter batch.
			if stmt, err = tx.PrepareContext(ctx, insertSQL(d, t.name, t.columns, n)); err != nil {
				return fmt.Errorf("dataset: prepare: %w", err)
			}
			defer stmt.Close()
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("dataset: insert into %s, rows %d..%d: %w", t.name, total-n+1, total, err)
		}
		args, n = args[:0], 0
		return nil
	}
	var err error
	t.rows(func(vals ...any) bool {
		args = append(args, vals...)
		n++
		total++
		if n < per {
			return true
		}
		if full == nil {
			if full, err = tx.PrepareContext(ctx, insertSQL(d, t.name, t.columns, per)); err != nil {
				err = fmt.Errorf("dataset: prepare: %w", err)
				return false
			}
		}
		err = flush()
		return err == nil
	})
	if err != nil {
		return err
	}
	if n > 0 {
		return flush()
	}
	return nil
}
