package sql_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// item is a row of the fixture: every kind of key, nullable or not.
type item struct {
	ID      int64           `db:"id"`
	Name    string          `db:"name"`
	Cat     *int64          `db:"cat"`
	Price   sql.NullFloat64 `db:"price"`
	Created time.Time       `db:"created"`
	Flag    bool            `db:"flag"`
	Amount  *string         `db:"amount"`
	Label   *string         `db:"label"`
}

// fixture is a pair of tables on one database: items, and categories
// joined to it for a sort on a column of another table.
type fixture struct {
	db      *sqlx.DB
	dialect pagesql.Dialect
	items   string
	cats    string
	tags    string
	schema  *paginate.Schema
	fields  map[string]paginate.Field
	rows    []item
}

var allOps = []paginate.Op{paginate.Eq, paginate.Ne, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte, paginate.In}

func fixtureFields() []paginate.Field {
	return []paginate.Field{
		{Name: "id", Column: "i.id", Type: paginate.Int, Key: true, Sortable: true, Ops: allOps},
		{Name: "name", Column: "i.name", Type: paginate.String, Sortable: true, Ops: allOps},
		{Name: "cat", Column: "i.cat", Type: paginate.Int, Sortable: true, Nullable: true, Ops: allOps},
		{Name: "price", Column: "i.price", Type: paginate.Float, Sortable: true, Nullable: true, Ops: allOps},
		{Name: "created", Column: "i.created", Type: paginate.Time, Sortable: true, Ops: allOps},
		{Name: "flag", Column: "i.flag", Type: paginate.Bool, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne}},
		{Name: "amount", Column: "i.amount", Type: paginate.Decimal, Sortable: true, Nullable: true, Ops: allOps},
		{Name: "label", Column: "c.label", Type: paginate.String, Sortable: true, Nullable: true, Ops: allOps},
	}
}

// Values with many duplicates and NULLs. The names mix cases, accents and
// scripts so that collation matters; the prices need all 17 digits.
var (
	names   = []string{"apple", "Apple", "äpfel", "Zebra", "zebra", "éclair", "eclair", "Ωmega", "日本", "b", "B ", "mañana"}
	prices  = []float64{0.1, 0.30000000000000004, 0.3, 1.0 / 3, 2.5, -1e-7, 12345.678901234567, 0.1 + 0.7}
	amounts = []string{"12.50", "-3.10", "0.00", "99.99", "12.49"}
	labels  = []string{"alpha", "Beta", "gamma"}
)

func newFixture(t *testing.T, db *sqlx.DB, rng *rand.Rand, n int) *fixture {
	t.Helper()
	d, ok := pagesql.DialectForDriver(db.DriverName())
	if !ok {
		t.Fatalf("unknown driver %s", db.DriverName())
	}
	f := &fixture{db: db, dialect: d, items: testdb.Name("items"), cats: testdb.Name("cats"), tags: testdb.Name("tags")}
	var ddl []string
	switch d {
	case pagesql.SQLite:
		ddl = []string{
			`CREATE TABLE ` + f.items + ` (id INTEGER PRIMARY KEY, name TEXT NOT NULL, cat INTEGER, price REAL, created TIMESTAMP NOT NULL, flag BOOLEAN NOT NULL, amount NUMERIC)`,
			`CREATE TABLE ` + f.cats + ` (id INTEGER PRIMARY KEY, label TEXT)`,
			`CREATE TABLE ` + f.tags + ` (item_id INTEGER NOT NULL, tag TEXT NOT NULL)`,
		}
	case pagesql.PostgreSQL:
		ddl = []string{
			`CREATE TABLE ` + f.items + ` (id BIGINT PRIMARY KEY, name TEXT NOT NULL, cat BIGINT, price DOUBLE PRECISION, created TIMESTAMPTZ NOT NULL, flag BOOLEAN NOT NULL, amount NUMERIC(12,2))`,
			`CREATE TABLE ` + f.cats + ` (id BIGINT PRIMARY KEY, label TEXT)`,
			`CREATE TABLE ` + f.tags + ` (item_id BIGINT NOT NULL, tag TEXT NOT NULL)`,
		}
	case pagesql.MySQL:
		ddl = []string{
			`CREATE TABLE ` + f.items + ` (id BIGINT PRIMARY KEY, name VARCHAR(64) NOT NULL, cat BIGINT NULL, price DOUBLE NULL, created DATETIME(6) NOT NULL, flag BOOLEAN NOT NULL, amount DECIMAL(12,2) NULL) CHARACTER SET utf8mb4`,
			`CREATE TABLE ` + f.cats + ` (id BIGINT PRIMARY KEY, label VARCHAR(64) NULL) CHARACTER SET utf8mb4`,
			`CREATE TABLE ` + f.tags + ` (item_id BIGINT NOT NULL, tag VARCHAR(64) NOT NULL) CHARACTER SET utf8mb4`,
		}
	}
	for _, tbl := range []string{f.tags, f.items, f.cats} {
		testdb.DropTable(t, db, tbl)
	}
	for _, s := range ddl {
		db.MustExec(s)
	}

	// Categories 1..3 have labels (one NULL); category 4 has no row, so
	// its items join to a NULL label.
	db.MustExec(db.Rebind(`INSERT INTO `+f.cats+` (id, label) VALUES (1, ?), (2, ?), (3, NULL), (5, ?)`), labels[0], labels[1], labels[2])
	labelOf := map[int64]*string{1: &labels[0], 2: &labels[1], 5: &labels[2]}

	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	times := make([]time.Time, 6)
	for i := range times {
		times[i] = base.Add(time.Duration(rng.IntN(1e9)) * time.Microsecond)
	}
	tx := db.MustBegin()
	ins := tx.Rebind(`INSERT INTO ` + f.items + ` (id, name, cat, price, created, flag, amount) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	tagIns := tx.Rebind(`INSERT INTO ` + f.tags + ` (item_id, tag) VALUES (?, ?)`)
	for i := range n {
		it := item{ID: int64(i*7%n + 1), Name: names[rng.IntN(len(names))], Created: times[rng.IntN(len(times))], Flag: rng.IntN(2) == 0}
		if rng.IntN(4) > 0 {
			c := int64(1 + rng.IntN(5))
			it.Cat = &c
			it.Label = labelOf[c]
		}
		if rng.IntN(3) > 0 {
			it.Price = sql.NullFloat64{Float64: prices[rng.IntN(len(prices))], Valid: true}
		}
		if rng.IntN(3) > 0 {
			a := amounts[rng.IntN(len(amounts))]
			it.Amount = &a
		}
		tx.MustExec(ins, it.ID, it.Name, it.Cat, it.Price, it.Created, it.Flag, it.Amount)
		for k := range rng.IntN(3) {
			tx.MustExec(tagIns, it.ID, "t"+strconv.Itoa(k))
		}
		f.rows = append(f.rows, it)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	fields := fixtureFields()
	var err error
	if f.schema, err = paginate.NewSchema(fields, ""); err != nil {
		t.Fatal(err)
	}
	f.fields = map[string]paginate.Field{}
	for _, fl := range fields {
		f.fields[fl.Name] = fl
	}
	return f
}

// from is the base query: items joined to their categories.
func (f *fixture) from() squirrel.SelectBuilder {
	return squirrel.Select().From(f.items + " i").LeftJoin(f.cats + " c ON c.id = i.cat")
}

func (f *fixture) backend(t *testing.T, base squirrel.SelectBuilder) *pagesql.Backend[item] {
	t.Helper()
	b := newBackend[item](t, f.db, base, pagesql.Config{Schema: f.schema})
	return b
}

// ref is the database's own order of the whole table, by a plain ORDER BY:
// the ids and the sort values of each row.
type ref struct {
	ids  []int64
	keys [][]any
}

// reference runs a hand-written query for the rows matching where, in the
// order sort, and returns their ids and canonical sort values.
func (f *fixture) reference(t *testing.T, sort []paginate.Order, where string, args ...any) ref {
	t.Helper()
	cols := make([]string, len(sort))
	order := make([]string, len(sort))
	for i, o := range sort {
		cols[i] = o.Field.ColumnName()
		order[i] = o.Field.ColumnName() + " " + strings.ToUpper(o.Dir.String())
	}
	q := "SELECT i.id, " + strings.Join(cols, ", ") + " FROM " + f.items + " i LEFT JOIN " + f.cats + " c ON c.id = i.cat"
	if where != "" {
		q += " WHERE " + where
	}
	q += " ORDER BY " + strings.Join(order, ", ")
	rows, err := f.db.Query(f.db.Rebind(q), args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var r ref
	for rows.Next() {
		var id int64
		vals := make([]any, len(sort))
		dest := []any{&id}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		r.ids = append(r.ids, id)
		r.keys = append(r.keys, canonKeys(t, sort, vals))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// canonKeys converts driver values to the canonical types the core uses
// for positions: what a cursor decodes to.
func canonKeys(t testing.TB, sort []paginate.Order, raw []any) []any {
	t.Helper()
	out := make([]any, len(raw))
	for i, v := range raw {
		c, err := canon(sort[i].Field.Type, v)
		if err != nil {
			t.Fatalf("key %s: %v", sort[i].Field.Name, err)
		}
		out[i] = c
	}
	return out
}

func canon(typ paginate.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && typ != paginate.Bytes {
		v = string(b)
	}
	var c any
	var ok bool
	var err error
	switch typ {
	case paginate.String:
		c, ok = v.(string)
	case paginate.Decimal:
		c, ok = canonDecimal(v)
	case paginate.Int:
		c, ok, err = canonInt(v)
	case paginate.Float:
		c, ok, err = canonFloat(v)
	case paginate.Bool:
		c, ok, err = canonBool(v)
	case paginate.Time:
		c, ok, err = canonTime(v)
	case paginate.Bytes:
		c, ok = v.([]byte)
	}
	if !ok {
		return nil, fmt.Errorf("a %T is not a %s value", v, typ)
	}
	return c, err
}

// The canonX functions convert a driver value, its text already a string,
// to the canonical value of a type; ok is false for a value of another
// kind.

func canonDecimal(v any) (any, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return nil, false
}

func canonInt(v any) (any, bool, error) {
	switch x := v.(type) {
	case int64:
		return x, true, nil
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, true, err
	}
	return nil, false, nil
}

func canonFloat(v any) (any, bool, error) {
	switch x := v.(type) {
	case float64:
		return x, true, nil
	case float32:
		return float64(x), true, nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, true, err
	}
	return nil, false, nil
}

func canonBool(v any) (any, bool, error) {
	switch x := v.(type) {
	case bool:
		return x, true, nil
	case int64:
		return x != 0, true, nil
	case string:
		b, err := strconv.ParseBool(x)
		return b, true, err
	}
	return nil, false, nil
}

func canonTime(v any) (any, bool, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), true, nil
	case *time.Time:
		// A SQLite time the backend decoded, in the page's buffer.
		return x.UTC(), true, nil
	case string:
		tm, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", x)
		return tm.UTC(), true, err
	}
	return nil, false, nil
}

// orders turns a sort parameter into a complete order, as the keyset
// paginator does: the key appended in the last field's direction.
func (f *fixture) orders(t testing.TB, sort string) []paginate.Order {
	t.Helper()
	keys, err := f.schema.ParseSort(sort)
	if err != nil {
		t.Fatal(err)
	}
	var out []paginate.Order
	for _, k := range keys {
		out = append(out, paginate.Order{Field: f.fields[k.Field], Dir: k.Dir})
		if k.Field == "id" {
			return out
		}
	}
	return append(out, paginate.Order{Field: f.fields["id"], Dir: keys[len(keys)-1].Dir})
}

// forEachDB runs fn against SQLite, PostgreSQL and MySQL in subtests.
func forEachDB(t *testing.T, fn func(t *testing.T, db *sqlx.DB)) {
	for _, b := range testdb.Backends {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, b.Open(t))
		})
	}
}

// newBackend builds a backend with pagesql.New, failing t if it cannot,
// and closes it when t ends.
func newBackend[T any](t testing.TB, db sqlx.QueryerContext, base squirrel.SelectBuilder, cfg pagesql.Config) *pagesql.Backend[T] {
	t.Helper()
	b, err := pagesql.New[T](db, base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}
