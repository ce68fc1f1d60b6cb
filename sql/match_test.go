package sql_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// textRow is a row of the text filter tests: name and note compare by
// code point on every database (utf8mb4_bin on MariaDB), ci under a
// case-insensitive collation where the database has a built-in one
// (NOCASE on SQLite, MariaDB's default utf8mb4_general_ci).
type textRow struct {
	ID   int64   `db:"id"`
	Name string  `db:"name"`
	Note *string `db:"note"`
	CI   string  `db:"ci"`
}

// textValues are stored in name and note: LIKE's wildcards % and _, the
// escapes \ and !, GLOB's * ? [ ], quotes, SQL, control characters and
// text beyond ASCII, including a decomposed é.
var textValues = []string{
	"abc", "ABC", "Abc", "a%c", "a_c", `a\c`, `a\%c`, `a\\c`, "a!c", "a!%", "a!!", "a*c", "a?c", "a[b]c", "[a]", "[",
	"it's", "it''s", `say "hi"`, "'; DROP TABLE x; --", "%", "_", `\`, "!", "%%", "__", "100%", "x_y_z",
	"ñandú", "Ñandú", "ß", "ss", "日本語", "日本", "🙂 smile", "e\u0301", "é", "a b", "ab ", "ab", "tab\tnew\nline", "",
}

// ciValues are stored in ci: ASCII in mixed case, wildcards, and one
// accented capital, which MariaDB's utf8mb4_general_ci equates with its
// base letter and SQLite's NOCASE does not fold.
var ciValues = []string{"Apple", "apple", "APPLE pie", "banana", "Ban%ana", "b_n", "x!y", "Äpfel", "pie"}

var textDDL = map[pagesql.Dialect]string{
	pagesql.SQLite:     `CREATE TABLE %s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, note TEXT, ci TEXT COLLATE NOCASE NOT NULL)`,
	pagesql.PostgreSQL: `CREATE TABLE %s (id BIGINT PRIMARY KEY, name TEXT NOT NULL, note TEXT, ci TEXT NOT NULL)`,
	pagesql.MySQL: `CREATE TABLE %s (id BIGINT PRIMARY KEY, name VARCHAR(64) COLLATE utf8mb4_bin NOT NULL,
		note VARCHAR(64) COLLATE utf8mb4_bin NULL, ci VARCHAR(64) NOT NULL) CHARACTER SET utf8mb4`,
}

func textSchema(t testing.TB) *paginate.Schema {
	t.Helper()
	text := []paginate.Op{paginate.Eq, paginate.Prefix, paginate.Contains}
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: text},
		{Name: "note", Type: paginate.String, Nullable: true, Sortable: true, Ops: append(text, paginate.IsNull)},
		{Name: "ci", Type: paginate.String, Sortable: true, Ops: text},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// textTable stores rows in a new table on db and returns a backend over it.
func textTable(t *testing.T, db *sqlx.DB) (*pagesql.Backend[textRow], []textRow) {
	t.Helper()
	d, _ := pagesql.DialectForDriver(db.DriverName())
	tbl := testdb.Name("text")
	db.MustExec(fmt.Sprintf(textDDL[d], tbl))
	testdb.DropTable(t, db, tbl)
	var rows []textRow
	for i, s := range textValues {
		r := textRow{ID: int64(i + 1), Name: s, CI: ciValues[i%len(ciValues)]}
		if i%3 != 0 {
			n := textValues[(i*7)%len(textValues)]
			r.Note = &n
		}
		rows = append(rows, r)
		db.MustExec(db.Rebind("INSERT INTO "+tbl+" (id, name, note, ci) VALUES (?, ?, ?, ?)"), r.ID, r.Name, r.Note, r.CI)
	}
	b := newBackend[textRow](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: textSchema(t)})
	return b, rows
}

// probes returns the values the text filters are tried with: every
// prefix, suffix and two-character run of every stored value, and
// values made of wildcards and escapes.
func probes(values []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range values {
		r := []rune(s)
		for i := range r {
			add(string(r[:i+1]))
			add(string(r[i:]))
			add(string(r[i:min(i+2, len(r))]))
		}
	}
	for _, s := range wildcards {
		add(s)
	}
	return out
}

// wildcards are probes made of LIKE's and GLOB's wildcards, escapes and
// quotes.
var wildcards = []string{"%", "_", "%_", "!", "!!", "!%", "!_", `\`, `\\`, `\%`, `\_`, "'", "''", `"`, "[", "[a", "]", "*", "?", "a%", "a_", "%c", "_c", "ABC", "Ab", "  "}

// fold is a collation's view of text for matching, character by
// character.
type fold func(string) string

func exact(s string) string { return s }

func asciiFold(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// generalCIFold is utf8mb4_general_ci's view of ciValues' letters.
func generalCIFold(s string) string {
	return strings.NewReplacer("Ä", "a", "ä", "a").Replace(asciiFold(s))
}

// matchRef returns the ids of the rows whose value v(row) starts with
// (op Prefix) or contains p, both seen through f.
func matchRef(rows []textRow, v func(textRow) *string, op paginate.Op, p string, f fold) []int64 {
	var out []int64
	for _, r := range rows {
		s := v(r)
		if s == nil {
			continue
		}
		a, b := f(*s), f(p)
		if (op == paginate.Prefix && strings.HasPrefix(a, b)) || (op == paginate.Contains && strings.Contains(a, b)) {
			out = append(out, r.ID)
		}
	}
	return out
}

// fetchIDs returns the ids of the rows matching conds, in id order, from
// Fetch, and checks Count against them.
func fetchIDs(t *testing.T, b *pagesql.Backend[textRow], s *paginate.Schema, conds ...paginate.Condition) []int64 {
	t.Helper()
	id, _ := s.Field("id")
	ctx := context.Background()
	res, err := b.Fetch(ctx, paginate.Query{Sort: []paginate.Order{{Field: id}}, Filters: conds, Limit: 1000})
	if err != nil {
		t.Fatalf("%v: %v", conds, err)
	}
	var got []int64
	for _, r := range res.Items {
		got = append(got, r.ID)
	}
	n, err := b.Count(ctx, paginate.Query{Filters: conds})
	if err != nil {
		t.Fatalf("%v: count: %v", conds, err)
	}
	if n != int64(len(got)) {
		t.Errorf("%v: count %d, %d rows fetched", conds, n, len(got))
	}
	return got
}

// TestTextFilters checks prefix and contains on each database against a
// reference computed in Go from the rows: every prefix, suffix and pair
// of characters of every stored value, and values made of wildcards,
// escapes and quotes, all matched literally; and case sensitivity as each
// column's collation has it.
func TestTextFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		b, rows := textTable(t, db)
		s := textSchema(t)
		fields := map[string]func(textRow) *string{
			"name": func(r textRow) *string { return &r.Name },
			"note": func(r textRow) *string { return r.Note },
			"ci":   func(r textRow) *string { return &r.CI },
		}
		// How each column matches: name and note by code point, ci as
		// its collation says (SQLite's contains is exact on every
		// column; PostgreSQL has no case-insensitive built-in collation,
		// so its ci is plain text).
		folds := map[paginate.Op]fold{paginate.Prefix: exact, paginate.Contains: exact}
		switch b.Dialect() {
		case pagesql.SQLite:
			folds[paginate.Prefix] = asciiFold
		case pagesql.MySQL:
			folds[paginate.Prefix], folds[paginate.Contains] = generalCIFold, generalCIFold
		}
		// The ci column holds ASCII and Ä, and is probed with ASCII and
		// Ä: MariaDB's utf8mb4_general_ci equates other accented letters
		// with their base letters too, which generalCIFold does not model.
		text := append(probes(textValues), "É", "SS", "Ñ", "\u0301", "🙂", "日本語!")
		ascii := probes(ciValues)
		for _, name := range []string{"name", "note", "ci"} {
			field, _ := s.Field(name)
			for _, op := range []paginate.Op{paginate.Prefix, paginate.Contains} {
				f, all := fold(exact), text
				if name == "ci" {
					f, all = folds[op], ascii
				}
				for _, p := range all {
					want := matchRef(rows, fields[name], op, p, f)
					got := fetchIDs(t, b, s, paginate.Condition{Field: field, Op: op, Values: []any{p}})
					if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
						t.Errorf("%s[%s]=%q: ids (-want +got):\n%s", name, op, p, diff)
					}
				}
			}
		}
	})
}

// TestTextFiltersByHand pins a few matches the reference above computes,
// so that a reference and a backend wrong in the same way cannot agree.
func TestTextFiltersByHand(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		b, _ := textTable(t, db)
		s := textSchema(t)
		name, _ := s.Field("name")
		ci, _ := s.Field("ci")
		id := func(vals ...string) []int64 {
			var out []int64
			for _, v := range vals {
				out = append(out, int64(slices.Index(textValues, v)+1))
			}
			slices.Sort(out)
			return out
		}
		ciIDs := func(vals ...string) []int64 {
			var out []int64
			for i := range textValues {
				if slices.Contains(vals, ciValues[i%len(ciValues)]) {
					out = append(out, int64(i+1))
				}
			}
			return out
		}
		type tc struct {
			f    paginate.Field
			op   paginate.Op
			v    string
			want []int64
		}
		cases := []tc{
			{name, paginate.Prefix, "a%", id("a%c")},
			{name, paginate.Prefix, "a_", id("a_c")},
			{name, paginate.Prefix, `a\`, id(`a\c`, `a\%c`, `a\\c`)},
			{name, paginate.Prefix, `a\\`, id(`a\\c`)},
			{name, paginate.Prefix, "a!", id("a!c", "a!%", "a!!")},
			{name, paginate.Prefix, "a!!", id("a!!")},
			{name, paginate.Prefix, "[", id("[a]", "[")},
			{name, paginate.Prefix, "ab", id("abc", "ab ", "ab")},
			{name, paginate.Prefix, "A", id("ABC", "Abc")},
			{name, paginate.Prefix, "e", id("é")},
			{name, paginate.Prefix, "ss", id("ss")},
			{name, paginate.Contains, "%", id("a%c", `a\%c`, "a!%", "%", "%%", "100%")},
			{name, paginate.Contains, "_", id("a_c", "_", "__", "x_y_z")},
			{name, paginate.Contains, "''", id("it''s")},
			{name, paginate.Contains, "本", id("日本語", "日本")},
			{name, paginate.Contains, "\n", id("tab\tnew\nline")},
			{name, paginate.Contains, "DROP", id("'; DROP TABLE x; --")},
			{ci, paginate.Prefix, "Ban%", ciIDs("Ban%ana")},
			{ci, paginate.Contains, "_", ciIDs("b_n")},
		}
		switch b.Dialect() {
		case pagesql.SQLite: // prefix under NOCASE, contains exact
			cases = append(cases,
				tc{ci, paginate.Prefix, "APP", ciIDs("Apple", "apple", "APPLE pie")},
				tc{ci, paginate.Prefix, "äp", nil},
				tc{ci, paginate.Contains, "PIE", nil},
				tc{ci, paginate.Contains, "pie", ciIDs("APPLE pie", "pie")})
		case pagesql.PostgreSQL: // exact
			cases = append(cases,
				tc{ci, paginate.Prefix, "APP", ciIDs("APPLE pie")},
				tc{ci, paginate.Contains, "pie", ciIDs("APPLE pie", "pie")})
		case pagesql.MySQL: // utf8mb4_general_ci
			cases = append(cases,
				tc{ci, paginate.Prefix, "APP", ciIDs("Apple", "apple", "APPLE pie")},
				tc{ci, paginate.Prefix, "ap", ciIDs("Apple", "apple", "APPLE pie", "Äpfel")},
				tc{ci, paginate.Contains, "PIE", ciIDs("APPLE pie", "pie")})
		}
		for _, c := range cases {
			got := fetchIDs(t, b, s, paginate.Condition{Field: c.f, Op: c.op, Values: []any{c.v}})
			if diff := cmp.Diff(c.want, got, cmpEmpty); diff != "" {
				t.Errorf("%s[%s]=%q: ids (-want +got):\n%s", c.f.Name, c.op, c.v, diff)
			}
		}
	})
}

// TestNullFilter checks null=true and null=false against the rows, alone
// and with another filter on the same field.
func TestNullFilter(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		b, rows := textTable(t, db)
		s := textSchema(t)
		note, _ := s.Field("note")
		var null, notNull []int64
		for _, r := range rows {
			if r.Note == nil {
				null = append(null, r.ID)
			} else {
				notNull = append(notNull, r.ID)
			}
		}
		isNull := func(v bool) paginate.Condition {
			return paginate.Condition{Field: note, Op: paginate.IsNull, Values: []any{v}}
		}
		prefixA := paginate.Condition{Field: note, Op: paginate.Prefix, Values: []any{"a"}}
		withA := matchRef(rows, func(r textRow) *string { return r.Note }, paginate.Prefix, "a", exact)
		for _, c := range []struct {
			name  string
			conds []paginate.Condition
			want  []int64
		}{
			{"null", []paginate.Condition{isNull(true)}, null},
			{"not null", []paginate.Condition{isNull(false)}, notNull},
			{"not null, prefix", []paginate.Condition{isNull(false), prefixA}, withA},
			{"null, prefix", []paginate.Condition{prefixA, isNull(true)}, nil},
		} {
			// Both values of null in one backend: the shape cache must
			// keep IS NULL and IS NOT NULL apart.
			got := fetchIDs(t, b, s, c.conds...)
			if diff := cmp.Diff(c.want, got, cmpEmpty); diff != "" {
				t.Errorf("%s: ids (-want +got):\n%s", c.name, diff)
			}
		}
		if len(null) == 0 || len(notNull) == 0 || len(withA) == 0 {
			t.Fatal("the rows need NULL and non-NULL notes, some starting with a")
		}
	})
}

type exText struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Other string `db:"other"`
}

// TestExplainPrefix checks where the documentation says an index serves
// prefix: SQLite's range on a BINARY column, PostgreSQL's LIKE on a
// C-collated column or through a text_pattern_ops index, MariaDB's LIKE on
// its default case-insensitive collation. The first table of each plan is
// entered through an index condition. Contains, documented as unindexed,
// is not.
func TestExplainPrefix(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		d, _ := pagesql.DialectForDriver(db.DriverName())
		tbl := testdb.Name("exprefix")
		testdb.DropTable(t, db, tbl)
		ddl := map[pagesql.Dialect][]string{
			pagesql.SQLite: {`CREATE TABLE %s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, other TEXT NOT NULL)`,
				`CREATE INDEX %[1]s_name ON %[1]s (name, id)`, `CREATE INDEX %[1]s_other ON %[1]s (other)`},
			pagesql.PostgreSQL: {`CREATE TABLE %s (id BIGINT PRIMARY KEY, name TEXT COLLATE "C" NOT NULL, other TEXT NOT NULL)`,
				`CREATE INDEX %[1]s_name ON %[1]s (name, id)`, `CREATE INDEX %[1]s_other ON %[1]s (other text_pattern_ops)`},
			pagesql.MySQL: {`CREATE TABLE %s (id BIGINT PRIMARY KEY, name VARCHAR(32) NOT NULL, other VARCHAR(32) NOT NULL) CHARACTER SET utf8mb4`,
				`CREATE INDEX %[1]s_name ON %[1]s (name, id)`, `CREATE INDEX %[1]s_other ON %[1]s (other)`},
		}
		for _, s := range ddl[d] {
			db.MustExec(fmt.Sprintf(s, tbl))
		}
		tx := db.MustBegin()
		const n, batch = 20000, 500
		for start := 0; start < n; start += batch {
			var sb strings.Builder
			sb.WriteString("INSERT INTO " + tbl + " (id, name, other) VALUES ")
			for i := start; i < start+batch; i++ {
				if i > start {
					sb.WriteString(", ")
				}
				v := fmt.Sprintf("%05x", i*7919%0x100000)
				fmt.Fprintf(&sb, "(%d, '%s', '%s')", i+1, v, v)
			}
			tx.MustExec(sb.String())
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if d == pagesql.MySQL {
			db.MustExec("ANALYZE TABLE " + tbl)
		} else {
			db.MustExec("ANALYZE " + tbl)
		}
		schema, err := paginate.NewSchema([]paginate.Field{
			{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
			{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Prefix, paginate.Contains}},
			{Name: "other", Type: paginate.String, Ops: []paginate.Op{paginate.Prefix}},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		b := newBackend[exText](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
		id, _ := schema.Field("id")
		name, _ := schema.Field("name")
		other, _ := schema.Field("other")
		ctx := context.Background()
		explain := func(sort []paginate.Order, c paginate.Condition) pagesql.Report {
			t.Helper()
			r, err := b.Explain(ctx, paginate.Query{Sort: sort, Filters: []paginate.Condition{c}, Limit: 21})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		byName := []paginate.Order{{Field: name}, {Field: id}}
		byID := []paginate.Order{{Field: id}}
		if r := explain(byName, paginate.Condition{Field: name, Op: paginate.Prefix, Values: []any{"ab"}}); !r.Seek() {
			t.Errorf("prefix on an indexed column does not seek:\n%s\n%s", r, raws(r))
		}
		if r := explain(byID, paginate.Condition{Field: other, Op: paginate.Prefix, Values: []any{"abc"}}); !r.Seek() {
			t.Errorf("prefix on %s's other index does not seek:\n%s\n%s", d, r, raws(r))
		}
		if r := explain(byName, paginate.Condition{Field: name, Op: paginate.Contains, Values: []any{"ab"}}); r.Seek() {
			t.Errorf("contains seeks, though documented as unindexed:\n%s\n%s", r, raws(r))
		}
		if d == pagesql.PostgreSQL {
			checkCustomPlans(t, db, b, byName, name)
		}
	})
}

// checkCustomPlans checks that PostgreSQL keeps planning the prepared
// statement of a prefix filter with its value (custom plans), which can
// use the index, rather than switching to a generic plan, which cannot:
// it may switch after five executions when a generic plan is estimated
// no dearer.
func checkCustomPlans(t *testing.T, db *sqlx.DB, b *pagesql.Backend[exText], sort []paginate.Order, name paginate.Field) {
	t.Helper()
	db.SetMaxOpenConns(1) // one session, whose prepared statements are listed below
	ctx := context.Background()
	const runs = 12
	for i := range runs {
		q := paginate.Query{Sort: sort, Limit: 21, Filters: []paginate.Condition{{Field: name, Op: paginate.Prefix, Values: []any{fmt.Sprintf("%02x", 0xa0+i)}}}}
		if _, err := b.Fetch(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	err := db.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'SELECT id AS %LIKE $1%ORDER BY name%'`).Scan(&generic, &custom)
	if err != nil {
		t.Fatal(err)
	}
	if generic != 0 || custom < runs {
		t.Errorf("after %d runs of the prepared prefix statement: %d generic plans, %d custom plans", runs, generic, custom)
	}
}
