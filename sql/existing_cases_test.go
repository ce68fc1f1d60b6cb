package sql_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// TestExistingTables runs every pre-existing table of its database: see
// existing_test.go.
func TestExistingTables(t *testing.T) {
	for _, tb := range testdb.Backends {
		t.Run(tb.Name, func(t *testing.T) {
			db := tb.Open(t)
			var tables []exTable
			switch tb.Name {
			case "sqlite":
				tables = sqliteTables()
			case "postgres":
				tables = postgresTables()
			case "mysql":
				tables = mysqlTables()
			}
			for _, tbl := range tables {
				t.Run(tbl.name, func(t *testing.T) { runExisting(t, db, tbl) })
			}
		})
	}
}

var (
	exOps   = []paginate.Op{paginate.Eq, paginate.Gte, paginate.Lt}
	exBase  = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	idField = paginate.Field{Name: "id", Type: paginate.Int, Key: true}
)

func atField(nullable bool) paginate.Field {
	return paginate.Field{Name: "at", Type: paginate.Time, Sortable: true, Nullable: nullable, Ops: exOps}
}

func field(name string, typ paginate.Type, column string, nullable bool) paginate.Field {
	return paginate.Field{Name: name, Column: column, Type: typ, Sortable: true, Nullable: nullable, Ops: []paginate.Op{paginate.Eq}}
}

// exRows builds n rows: the first column an id (a permutation of 1..n,
// so that insertion order is not key order), the others from gens, each
// given the row's index and a generator seeded by the table's name.
func exRows(name string, n int, gens ...func(i int, rng *rand.Rand) string) [][]string {
	var seed uint64
	for _, c := range name {
		seed = seed*31 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i*37%n + 1)}
		for _, g := range gens {
			rows[i] = append(rows[i], g(i, rng))
		}
	}
	return rows
}

// pick returns a generator choosing among literal values, with repeats.
func pick(vals ...string) func(int, *rand.Rand) string {
	return func(_ int, rng *rand.Rand) string { return vals[rng.IntN(len(vals))] }
}

// timesIn returns a generator of time literals: a time of pool, written
// by write.
func timesIn(pool []time.Time, write func(time.Time) string) func(int, *rand.Rand) string {
	return func(_ int, rng *rand.Rand) string { return write(pool[rng.IntN(len(pool))]) }
}

// pool returns times around exBase: ties, neighbours a step apart, a day,
// a year before and after, and the extra times given.
func pool(step time.Duration, extra ...time.Time) []time.Time {
	p := []time.Time{exBase, exBase, exBase.Add(step), exBase.Add(2 * step), exBase.Add(time.Hour), exBase.AddDate(0, 0, 1), exBase.AddDate(-1, 0, 0), exBase.AddDate(3, 0, 0)}
	return append(p, extra...)
}

// timeProbes returns filter times: each of the pool's, and just around them,
// half a step either side and a nanosecond after.
func timeProbes(p []time.Time, step time.Duration) []time.Time {
	var out []time.Time
	for _, t := range p[1:5] {
		out = append(out, t, t.Add(step/2), t.Add(-step/2), t.Add(time.Nanosecond))
	}
	return out
}

// textForm is a SQLite column of times as text in a Go layout, written
// in zone.
func textForm(layout string, zone *time.Location, p []time.Time, step time.Duration) *timeForm {
	parse := func(s string) (time.Time, error) { return time.ParseInLocation(layout, s, zone) }
	return &timeForm{
		parse: parse,
		literal: func(t time.Time) string {
			s := t.In(zone).Format(layout)
			if back, err := parse(s); err != nil || !back.Equal(t) {
				return ""
			}
			return "'" + s + "'"
		},
		probes: timeProbes(p, step),
	}
}

// quoted writes t in layout and zone as an SQL string literal.
func quoted(layout string, zone *time.Location) func(time.Time) string {
	return func(t time.Time) string { return "'" + t.In(zone).Format(layout) + "'" }
}

// textTimeTable is a SQLite table whose at column, declared decl, holds
// text in layout.
func textTimeTable(name, decl, layout string, zone *time.Location, step time.Duration, extra ...time.Time) exTable {
	p := pool(step, extra...)
	return exTable{
		name:   name,
		ddl:    []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, at ` + decl + `, n INTEGER NOT NULL)`},
		cols:   []string{"id", "at", "n"},
		rows:   exRows(name, 60, timesIn(p, quoted(layout, zone)), pick("0", "1", "2")),
		fields: []paginate.Field{idField, atField(false), field("n", paginate.Int, "", false)},
		times:  textForm(layout, zone, p, step),
	}
}

// epochForm is a SQLite column of integer Unix times in unit.
func epochForm(unit time.Duration, p []time.Time) *timeForm {
	return &timeForm{
		parse: func(s string) (time.Time, error) {
			n, err := strconv.ParseInt(s, 10, 64)
			if unit == time.Millisecond {
				return time.UnixMilli(n), err
			}
			return time.Unix(n, 0), err
		},
		literal: func(t time.Time) string {
			if !t.Truncate(unit).Equal(t) {
				return ""
			}
			if unit == time.Millisecond {
				return strconv.FormatInt(t.UnixMilli(), 10)
			}
			return strconv.FormatInt(t.Unix(), 10)
		},
		probes: timeProbes(p, unit),
	}
}

func epochTable(name, decl string, unit time.Duration) exTable {
	p := pool(unit)
	f := epochForm(unit, p)
	return exTable{
		name:   name,
		ddl:    []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, at ` + decl + `, n INTEGER NOT NULL)`},
		cols:   []string{"id", "at", "n"},
		rows:   exRows(name, 60, timesIn(p, f.literal), pick("0", "1", "2")),
		fields: []paginate.Field{idField, atField(false), field("n", paginate.Int, "", false)},
		times:  f,
	}
}

// refused returns tbl expecting Check to report problems.
func refused(tbl exTable, problems map[string]pagesql.Mismatch) exTable {
	tbl.refuse = problems
	tbl.times = nil
	return tbl
}

func sqliteTables() []exTable {
	utc := time.UTC
	plus2 := time.FixedZone("", 2*3600)
	var out []exTable
	// Times as text, in each common layout.
	out = append(out,
		textTimeTable("current_timestamp", "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP", "2006-01-02 15:04:05", utc, time.Second),
		textTimeTable("timestamp_current_timestamp", "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP", "2006-01-02 15:04:05", utc, time.Second),
		textTimeTable("iso_t_z", "TEXT NOT NULL", "2006-01-02T15:04:05Z", utc, time.Second),
		textTimeTable("datetime_iso_t_z", "DATETIME NOT NULL", "2006-01-02T15:04:05Z", utc, time.Second),
		textTimeTable("strftime_millis", "DATETIME NOT NULL", "2006-01-02 15:04:05.000", utc, 10*time.Millisecond),
		textTimeTable("iso_t_micros_z", "TEXT NOT NULL", "2006-01-02T15:04:05.000000Z", utc, 10*time.Microsecond),
		textTimeTable("driver_layout", "TIMESTAMP NOT NULL", "2006-01-02 15:04:05.999999999-07:00", utc, 250*time.Millisecond,
			exBase.Add(123456789), exBase.Add(123456780)),
		textTimeTable("offset_plus2", "TEXT NOT NULL", "2006-01-02 15:04:05-07:00", plus2, time.Second),
		textTimeTable("minutes", "TEXT NOT NULL", "2006-01-02 15:04", utc, time.Minute),
		textTimeTable("date_only", "DATE NOT NULL", "2006-01-02", utc, 24*time.Hour),
		textTimeTable("far_years", "TEXT NOT NULL", "2006-01-02 15:04:05", utc, time.Second,
			time.Date(1, 1, 1, 0, 0, 0, 0, utc), time.Date(9999, 12, 31, 23, 59, 59, 0, utc)),
		epochTable("unix_seconds", "INTEGER NOT NULL", time.Second),
		epochTable("unix_millis", "INTEGER NOT NULL", time.Millisecond),
		epochTable("unix_seconds_in_timestamp", "TIMESTAMP NOT NULL", time.Second),
	)
	// Times the library cannot compare as stored.
	mixed := func(name, ddl string, gen func(int, *rand.Rand) string) exTable {
		return exTable{name: name, ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, at ` + ddl + `)`}, cols: []string{"id", "at"},
			rows: exRows(name, 40, gen), fields: []paginate.Field{idField, atField(false)},
			refuse: map[string]pagesql.Mismatch{"at": pagesql.TimeStorage}}
	}
	p := pool(time.Second)
	out = append(out,
		mixed("rfc3339nano_z", "TEXT NOT NULL", timesIn(pool(500*time.Millisecond), quoted(time.RFC3339Nano, utc))),
		mixed("mixed_offsets", "TEXT NOT NULL", func(i int, rng *rand.Rand) string {
			zone := time.FixedZone("", 3600*(1+i%2))
			return quoted("2006-01-02 15:04:05-07:00", zone)(p[rng.IntN(len(p))])
		}),
		mixed("mixed_layouts", "TIMESTAMP NOT NULL", func(i int, rng *rand.Rand) string {
			layout := []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05"}[i%2]
			return quoted(layout, utc)(p[rng.IntN(len(p))])
		}),
		mixed("year_10000", "TEXT NOT NULL", func(i int, rng *rand.Rand) string {
			if i == 3 {
				return "'10000-01-01 00:00:00'"
			}
			return quoted("2006-01-02 15:04:05", utc)(p[rng.IntN(len(p))])
		}),
		mixed("unix_seconds_as_text", "TEXT NOT NULL", func(_ int, rng *rand.Rand) string {
			return "'" + strconv.FormatInt(p[rng.IntN(len(p))].Unix(), 10) + "'"
		}),
		mixed("text_and_integers", "TIMESTAMP NOT NULL", func(i int, rng *rand.Rand) string {
			t := p[rng.IntN(len(p))]
			if i%3 == 0 {
				return strconv.FormatInt(t.Unix(), 10)
			}
			return quoted("2006-01-02 15:04:05", utc)(t)
		}),
		mixed("fractions_with_trailing_zeros", "TEXT NOT NULL", pick("'2024-03-01 12:00:00'", "'2024-03-01 12:00:00.5'", "'2024-03-01 12:00:00.50'", "'2024-03-01 12:00:01.120'")),
		mixed("not_times", "TEXT NOT NULL", pick("'2024-03-01 12:00:00'", "'yesterday'", "'2024-13-01 12:00:00'")),
		mixed("julian_days", "REAL NOT NULL", pick("2460371.0", "2460371.5", "2460372.25")),
	)
	out = append(out, commonTables(pagesql.SQLite)...)
	// SQLite stores the infinities and turns NaN into NULL.
	out = append(out, exTable{
		name:   "floats_inf_nan_ties_nulls",
		ddl:    []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, f REAL, n INTEGER NOT NULL)`},
		cols:   []string{"id", "f", "n"},
		rows:   exRows("floats", 60, pick("1.5", "1.5", "-2", "9e999", "-9e999", "0", "NULL", "0.0/0.0", "0.1"), pick("0", "1")),
		fields: []paginate.Field{idField, field("f", paginate.Float, "", true), field("n", paginate.Int, "", false)},
	})
	out = append(out,
		exTable{name: "bool_zero_one", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, b BOOLEAN NOT NULL)`}, cols: []string{"id", "b"},
			rows: exRows("bool01", 40, pick("0", "1", "TRUE", "FALSE")), fields: []paginate.Field{idField, field("b", paginate.Bool, "", false)}},
		refused(exTable{name: "bool_two", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, b BOOLEAN NOT NULL)`}, cols: []string{"id", "b"},
			rows: exRows("bool2", 40, pick("0", "1", "2")), fields: []paginate.Field{idField, field("b", paginate.Bool, "", false)}},
			map[string]pagesql.Mismatch{"b": pagesql.WrongType}),
		exTable{name: "bigint_primary_key", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, n INTEGER NOT NULL)`}, cols: []string{"id", "n"},
			rows: exRows("bigintpk", 40, pick("1", "2", "3")), fields: []paginate.Field{idField, field("n", paginate.Int, "", false)}},
		refused(exTable{name: "decimal_as_text", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, d TEXT NOT NULL)`}, cols: []string{"id", "d"},
			rows: exRows("dectext", 40, pick("'12.50'", "'9.99'", "'100.00'")), fields: []paginate.Field{idField, field("d", paginate.Decimal, "", false)}},
			map[string]pagesql.Mismatch{"d": pagesql.WrongType}),
		exTable{name: "decimal_numeric", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, d NUMERIC NOT NULL)`}, cols: []string{"id", "d"},
			rows: exRows("decnum", 40, pick("'12.50'", "'9.99'", "'100.00'", "12.5")), fields: []paginate.Field{idField, field("d", paginate.Decimal, "", false)}},
		exTable{name: "integers_as_float", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, f INTEGER NOT NULL)`}, cols: []string{"id", "f"},
			rows: exRows("intfloat", 40, pick("1", "2", "-3")), fields: []paginate.Field{idField, field("f", paginate.Float, "", false)}},
		refused(exTable{name: "text_in_integer_column", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`}, cols: []string{"id", "n"},
			rows: exRows("textint", 40, pick("1", "2", "'n/a'")), fields: []paginate.Field{idField, field("n", paginate.Int, "", false)}},
			map[string]pagesql.Mismatch{"n": pagesql.WrongType}),
		refused(exTable{name: "string_in_numeric_column", ddl: []string{`CREATE TABLE %[1]s (id INTEGER PRIMARY KEY, s NUMERIC NOT NULL)`}, cols: []string{"id", "s"},
			rows: exRows("strnum", 40, pick("'abc'", "'def'")), fields: []paginate.Field{idField, field("s", paginate.String, "", false)}},
			map[string]pagesql.Mismatch{"s": pagesql.WrongType}),
	)
	return out
}

// commonTables are the tables every database has a form of: NULLs
// undeclared or declared, digits stored as text, joins, expressions,
// missing columns.
func commonTables(d pagesql.Dialect) []exTable {
	intType, textType, floatType := "INTEGER", "TEXT", "REAL"
	switch d {
	case pagesql.PostgreSQL:
		intType, textType, floatType = "BIGINT", "VARCHAR(16)", "DOUBLE PRECISION"
	case pagesql.MySQL:
		intType, textType, floatType = "BIGINT", "VARCHAR(16)", "DOUBLE"
	}
	idCol := "id " + intType + " PRIMARY KEY"
	nullable := func(name string, n int) exTable {
		return exTable{
			name:   name,
			ddl:    []string{`CREATE TABLE %[1]s (` + idCol + `, n ` + intType + ` NULL, s ` + textType + ` NOT NULL)`},
			cols:   []string{"id", "n", "s"},
			rows:   exRows(name, n, pick("1", "2", "2", "3", "NULL", "NULL"), pick("'a'", "'b'", "'B'")),
			fields: []paginate.Field{idField, field("n", paginate.Int, "", true), field("s", paginate.String, "", false)},
		}
	}
	// Declared without Nullable: refused whether or not NULLs are stored.
	undeclared := func(tbl exTable) exTable {
		tbl.fields = []paginate.Field{idField, field("n", paginate.Int, "", false), field("s", paginate.String, "", false)}
		return refused(tbl, map[string]pagesql.Mismatch{"n": pagesql.UndeclaredNull})
	}
	notNullWhere := nullable("nullable_where_is_not_null", 60)
	notNullWhere.fields = []paginate.Field{idField, field("n", paginate.Int, "", false), field("s", paginate.String, "", false)}
	notNullWhere.where = "n IS NOT NULL"
	noNulls := nullable("nullable_without_nulls", 40)
	noNulls.rows = exRows("nonulls", 40, pick("1", "2", "3"), pick("'a'", "'b'"))
	digits := func(name string, typ paginate.Type) exTable {
		return exTable{
			name:   name,
			ddl:    []string{`CREATE TABLE %[1]s (` + idCol + `, code ` + textType + ` NOT NULL)`},
			cols:   []string{"id", "code"},
			rows:   exRows("digits", 60, pick("'100'", "'99'", "'7'", "'1000'", "'20'", "'099'")),
			fields: []paginate.Field{idField, {Name: map[paginate.Type]string{paginate.Int: "n", paginate.String: "s"}[typ], Column: "code", Type: typ, Sortable: true, Ops: exOps}},
		}
	}
	join := func(name string, labelNullable bool) exTable {
		return exTable{
			name: name,
			ddl: []string{`CREATE TABLE %[1]s (` + idCol + `, n ` + intType + ` NOT NULL, cat ` + intType + ` NULL)`,
				`CREATE TABLE %[2]s (` + idCol + `, label ` + textType + ` NOT NULL)`},
			cols: []string{"id", "n", "cat"},
			rows: exRows(name, 40, pick("1", "2"), pick("1", "2", "3", "NULL")),
			more: []string{`INSERT INTO %[2]s (id, label) VALUES (1, 'x'), (2, 'y')`},
			from: "%[1]s i LEFT JOIN %[2]s c ON c.id = i.cat",
			fields: []paginate.Field{{Name: "id", Column: "i.id", Type: paginate.Int, Key: true},
				field("n", paginate.Int, "i.n", false), field("l", paginate.String, "c.label", labelNullable)},
		}
	}
	return []exTable{
		undeclared(nullable("nulls_undeclared", 60)),
		nullable("nulls_declared", 60),
		undeclared(noNulls),
		notNullWhere,
		refused(digits("digits_declared_int", paginate.Int), map[string]pagesql.Mismatch{"n": pagesql.WrongType}),
		digits("digits_declared_string", paginate.String),
		refused(join("left_join_undeclared_null", false), map[string]pagesql.Mismatch{"l": pagesql.UndeclaredNull}),
		join("left_join_nullable", true),
		{
			name:   "coalesce_expression",
			ddl:    []string{`CREATE TABLE %[1]s (` + idCol + `, n ` + intType + ` NULL, f ` + floatType + ` NOT NULL)`},
			cols:   []string{"id", "n", "f"},
			rows:   exRows("coalesce", 40, pick("1", "2", "NULL"), pick("0.5", "0.25", "-1")),
			fields: []paginate.Field{idField, field("n", paginate.Int, "COALESCE(n, -1)", false), field("f", paginate.Float, "", false)},
		},
		refused(exTable{
			name:   "missing_column",
			ddl:    []string{`CREATE TABLE %[1]s (` + idCol + `, n ` + intType + ` NOT NULL)`},
			cols:   []string{"id", "n"},
			rows:   exRows("missing", 10, pick("1")),
			fields: []paginate.Field{idField, field("n", paginate.Int, "", false), field("s", paginate.String, "name", false)},
		}, map[string]pagesql.Mismatch{"s": pagesql.MissingColumn}),
	}
}

func postgresTables() []exTable {
	tz := func(name, decl string, step time.Duration, write func(time.Time) string, lit func(time.Time) string, extra ...time.Time) exTable {
		p := pool(step, extra...)
		return exTable{
			name:   name,
			ddl:    []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, at ` + decl + `, n BIGINT NOT NULL)`},
			cols:   []string{"id", "at", "n"},
			rows:   exRows(name, 40, timesIn(p, write), pick("0", "1", "2")),
			fields: []paginate.Field{idField, atField(false), field("n", paginate.Int, "", false)},
			times:  &timeForm{literal: lit, probes: timeProbes(p, step)},
		}
	}
	micros := func(t time.Time) string {
		if !t.Truncate(time.Microsecond).Equal(t) {
			return ""
		}
		return "'" + t.UTC().Format("2006-01-02 15:04:05.999999") + "+00'"
	}
	utcText := func(t time.Time) string { return "'" + t.UTC().Format("2006-01-02 15:04:05.999999") + "'" }
	out := []exTable{
		tz("timestamptz", "TIMESTAMPTZ NOT NULL", 250*time.Millisecond, micros, micros, exBase.Add(123456*time.Microsecond)),
		tz("timestamp_without_zone", "TIMESTAMP NOT NULL", time.Second, utcText, func(t time.Time) string {
			if !t.Truncate(time.Microsecond).Equal(t) {
				return ""
			}
			return utcText(t)
		}),
		tz("timestamptz_seconds", "TIMESTAMPTZ(0) NOT NULL", time.Second, micros, micros),
		tz("timestamptz_far_years", "TIMESTAMPTZ NOT NULL", time.Second, micros, micros,
			time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
	out = append(out, commonTables(pagesql.PostgreSQL)...)
	floats := func(name string, vals ...string) exTable {
		return exTable{
			name:   name,
			ddl:    []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, f DOUBLE PRECISION NULL, n BIGINT NOT NULL)`},
			cols:   []string{"id", "f", "n"},
			rows:   exRows(name, 40, pick(vals...), pick("0", "1")),
			fields: []paginate.Field{idField, field("f", paginate.Float, "", true), field("n", paginate.Int, "", false)},
		}
	}
	nan := floats("nan_inf_ties_nulls", "1.5", "1.5", "-2", "'Infinity'", "'-Infinity'", "'NaN'", "'NaN'", "NULL", "0")
	nan.pending = "the core's NaN keyset positions"
	out = append(out,
		floats("inf_ties_nulls", "1.5", "1.5", "-2", "'Infinity'", "'-Infinity'", "NULL", "0"),
		nan,
		refused(exTable{name: "numeric_declared_float", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, f NUMERIC(12,2) NOT NULL)`}, cols: []string{"id", "f"},
			rows: exRows("numfloat", 10, pick("1.50", "2")), fields: []paginate.Field{idField, field("f", paginate.Float, "", false)}},
			map[string]pagesql.Mismatch{"f": pagesql.WrongType}),
		exTable{name: "numeric_declared_decimal", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, d NUMERIC(12,2) NOT NULL)`}, cols: []string{"id", "d"},
			rows: exRows("numdec", 40, pick("1.50", "2", "-0.01", "1.5")), fields: []paginate.Field{idField, field("d", paginate.Decimal, "", false)}},
		refused(exTable{name: "double_declared_int", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, n DOUBLE PRECISION NOT NULL)`}, cols: []string{"id", "n"},
			rows: exRows("dblint", 10, pick("1", "2.5")), fields: []paginate.Field{idField, field("n", paginate.Int, "", false)}},
			map[string]pagesql.Mismatch{"n": pagesql.WrongType}),
		refused(exTable{name: "date_declared_time", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, at DATE NOT NULL)`}, cols: []string{"id", "at"},
			rows: exRows("datetime", 10, pick("'2024-03-01'", "'2024-03-02'")), fields: []paginate.Field{idField, atField(false)}},
			map[string]pagesql.Mismatch{"at": pagesql.WrongType}),
		exTable{name: "expression_lower", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, s TEXT NOT NULL)`}, cols: []string{"id", "s"},
			rows: exRows("lower", 40, pick("'Apple'", "'apple'", "'b'", "'Zed'")), fields: []paginate.Field{idField, field("s", paginate.String, "lower(s)", false)}},
		exTable{name: "uuid_as_string", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, s UUID NOT NULL)`}, cols: []string{"id", "s"},
			rows:   exRows("uuid", 30, pick("'00000000-0000-0000-0000-000000000001'", "'ffffffff-0000-0000-0000-000000000000'", "'0a000000-0000-0000-0000-000000000000'")),
			fields: []paginate.Field{idField, field("s", paginate.String, "", false)}},
		exTable{name: "bool_expression", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)`}, cols: []string{"id", "n"},
			rows:   exRows("boolexpr", 30, pick("1", "2", "3")),
			fields: []paginate.Field{idField, field("b", paginate.Bool, "n > 1", false)}},
		exTable{name: "view", ddl: []string{`CREATE TABLE %[2]s (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)`, `CREATE VIEW %[1]s AS SELECT id, n FROM %[2]s`},
			more: []string{`INSERT INTO %[2]s (id, n) VALUES (1, 2), (2, 1), (3, 2), (4, 1)`}, drop: []string{`DROP VIEW %[1]s`},
			fields: []paginate.Field{idField, field("n", paginate.Int, "", false)}},
	)
	return out
}

func mysqlTables() []exTable {
	dt := func(name, decl string, step time.Duration, layout string, extra ...time.Time) exTable {
		p := pool(step, extra...)
		write := quoted(layout, time.UTC)
		return exTable{
			name:   name,
			ddl:    []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, at ` + decl + `, n BIGINT NOT NULL)`},
			cols:   []string{"id", "at", "n"},
			rows:   exRows(name, 40, timesIn(p, write), pick("0", "1", "2")),
			fields: []paginate.Field{idField, atField(false), field("n", paginate.Int, "", false)},
			times: &timeForm{literal: func(t time.Time) string {
				if !t.Truncate(step).Equal(t) {
					return ""
				}
				return write(t)
			}, probes: timeProbes(p, step)},
		}
	}
	out := []exTable{
		dt("datetime_seconds", "DATETIME NOT NULL", time.Second, "2006-01-02 15:04:05"),
		dt("datetime_micros", "DATETIME(6) NOT NULL", time.Microsecond, "2006-01-02 15:04:05.000000", exBase.Add(500*time.Millisecond)),
		dt("timestamp_millis", "TIMESTAMP(3) NOT NULL", time.Millisecond, "2006-01-02 15:04:05.000"),
		dt("datetime_far_years", "DATETIME NOT NULL", time.Second, "2006-01-02 15:04:05",
			time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)),
	}
	out = append(out, commonTables(pagesql.MySQL)...)
	out = append(out,
		exTable{name: "double_ties_nulls", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, f DOUBLE NULL, n BIGINT NOT NULL)`}, cols: []string{"id", "f", "n"},
			rows:   exRows("dbl", 40, pick("1.5", "1.5", "-2", "1e308", "-1e308", "NULL", "0"), pick("0", "1")),
			fields: []paginate.Field{idField, field("f", paginate.Float, "", true), field("n", paginate.Int, "", false)}},
		refused(exTable{name: "double_declared_int", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, n DOUBLE NOT NULL)`}, cols: []string{"id", "n"},
			rows: exRows("dblint", 10, pick("1", "2.5")), fields: []paginate.Field{idField, field("n", paginate.Int, "", false)}},
			map[string]pagesql.Mismatch{"n": pagesql.WrongType}),
		refused(exTable{name: "decimal_declared_float", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, f DECIMAL(12,2) NOT NULL)`}, cols: []string{"id", "f"},
			rows: exRows("decfloat", 10, pick("1.50", "2")), fields: []paginate.Field{idField, field("f", paginate.Float, "", false)}},
			map[string]pagesql.Mismatch{"f": pagesql.WrongType}),
		exTable{name: "decimal_declared_decimal", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, d DECIMAL(12,2) NOT NULL)`}, cols: []string{"id", "d"},
			rows: exRows("decdec", 40, pick("1.50", "2", "-0.01", "1.5")), fields: []paginate.Field{idField, field("d", paginate.Decimal, "", false)}},
		exTable{name: "tinyint1_bool", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, b BOOLEAN NOT NULL)`}, cols: []string{"id", "b"},
			rows: exRows("bool01", 40, pick("0", "1", "TRUE", "FALSE")), fields: []paginate.Field{idField, field("b", paginate.Bool, "", false)}},
		refused(exTable{name: "tinyint1_bool_two", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, b TINYINT(1) NOT NULL)`}, cols: []string{"id", "b"},
			rows: exRows("bool2", 40, pick("0", "1", "2")), fields: []paginate.Field{idField, field("b", paginate.Bool, "", false)}},
			map[string]pagesql.Mismatch{"b": pagesql.WrongType}),
		refused(exTable{name: "int_declared_bool", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, b INT NOT NULL)`}, cols: []string{"id", "b"},
			rows: exRows("intbool", 10, pick("0", "1")), fields: []paginate.Field{idField, field("b", paginate.Bool, "", false)}},
			map[string]pagesql.Mismatch{"b": pagesql.WrongType}),
		refused(exTable{name: "date_declared_time", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, at DATE NOT NULL)`}, cols: []string{"id", "at"},
			rows: exRows("datetime", 10, pick("'2024-03-01'", "'2024-03-02'")), fields: []paginate.Field{idField, atField(false)}},
			map[string]pagesql.Mismatch{"at": pagesql.WrongType}),
		refused(exTable{name: "enum_declared_string", ddl: []string{`CREATE TABLE %[1]s (id BIGINT PRIMARY KEY, s ENUM('zebra', 'apple') NOT NULL)`}, cols: []string{"id", "s"},
			rows: exRows("enum", 10, pick("'zebra'", "'apple'")), fields: []paginate.Field{idField, field("s", paginate.String, "", false)}},
			map[string]pagesql.Mismatch{"s": pagesql.WrongType}),
	)
	return out
}
