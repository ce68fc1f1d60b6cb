package sql_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

type exRow struct {
	ID int64         `db:"id"`
	A  int64         `db:"a"`
	B  sql.NullInt64 `db:"b"`
	M  int64         `db:"m"`
	U  int64         `db:"u"`
}

// explainFixture is a table large enough for each planner to prefer its
// indexes: a and b (nullable) indexed with the key, m indexed with the key
// descending for a mixed-direction sort, u not indexed.
func explainFixture(t *testing.T, db *sqlx.DB) (*pagesql.Backend[exRow], *paginate.Schema) {
	t.Helper()
	tbl := testdb.Name("ex")
	testdb.DropTable(t, db, tbl)
	intType := "BIGINT"
	if db.DriverName() == "sqlite3" {
		intType = "INTEGER"
	}
	db.MustExec(fmt.Sprintf(`CREATE TABLE %s (id %s PRIMARY KEY, a %[2]s NOT NULL, b %[2]s NULL, m %[2]s NOT NULL, u %[2]s NOT NULL)`, tbl, intType))
	db.MustExec(fmt.Sprintf(`CREATE INDEX %s_a ON %[1]s (a, id)`, tbl))
	db.MustExec(fmt.Sprintf(`CREATE INDEX %s_b ON %[1]s (b, id)`, tbl))
	db.MustExec(fmt.Sprintf(`CREATE INDEX %s_m ON %[1]s (m, id DESC)`, tbl))
	tx := db.MustBegin()
	const n, batch = 20000, 500
	for start := 0; start < n; start += batch {
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + tbl + " (id, a, b, m, u) VALUES ")
		for i := start; i < start+batch; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			b := fmt.Sprint(i % 31)
			if i%5 == 0 {
				b = "NULL"
			}
			fmt.Fprintf(&sb, "(%d, %d, %s, %d, %d)", i+1, i%97, b, i%53, i*7919%10007)
		}
		tx.MustExec(sb.String())
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	switch db.DriverName() {
	case "mysql":
		db.MustExec("ANALYZE TABLE " + tbl)
	default:
		db.MustExec("ANALYZE " + tbl)
	}
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "a", Type: paginate.Int, Sortable: true},
		{Name: "b", Type: paginate.Int, Sortable: true, Nullable: true},
		{Name: "m", Type: paginate.Int, Sortable: true},
		{Name: "u", Type: paginate.Int, Sortable: true},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	b := newBackend[exRow](t, db, squirrel.Select().From(tbl), pagesql.Config{Schema: schema})
	return b, schema
}

// TestExplain checks the index check on each database: a sort on an
// unindexed column is flagged, indexed sorts pass, and keyset pages seek
// into the index — with a row-value comparison on SQLite and PostgreSQL,
// the bounded expanded form on MySQL/MariaDB and for mixed directions, and
// a statement per block of a nullable column.
func TestExplain(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		b, schema := explainFixture(t, db)
		ctx := context.Background()

		r, err := b.CheckSort(ctx, "u")
		if err != nil {
			t.Fatal(err)
		}
		if r.Indexed() || !r.Plans[0].Sorted {
			t.Errorf("sort on unindexed u passes:\n%s\n%s", r, r.Plans[0].Raw)
		}

		for _, sort := range []string{"a", "-a", "m,-id", "b", "-b", "id"} {
			r, err := b.CheckSort(ctx, sort)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Indexed() {
				t.Errorf("sort %s is not indexed:\n%s\n%s", sort, r, raws(r))
			}
			for _, p := range r.Plans {
				if p.After && !p.Seek {
					t.Errorf("sort %s: keyset page does not seek:\n%s\n%s", sort, r, p.Raw)
				}
				if !p.After && p.Seek {
					t.Errorf("sort %s: first page seeks? %s", sort, p.Raw)
				}
			}
		}

		// Positions in the middle of the table, on a value and on NULL.
		key, _ := schema.Field("id")
		fb, _ := schema.Field("b")
		fa, _ := schema.Field("a")
		fm, _ := schema.Field("m")
		tests := []struct {
			name  string
			sort  []paginate.Order
			after []any
			want  string // the predicate's shape in the SQL
			stmts int
		}{
			{"row value or bounded", []paginate.Order{{Field: fa}, {Field: key}}, []any{int64(50), int64(10000)}, "", 1},
			{"mixed directions", []paginate.Order{{Field: fm}, {Field: key, Dir: paginate.Desc}}, []any{int64(20), int64(10000)}, "m >= ", 1},
			{"nullable value", []paginate.Order{{Field: fb}, {Field: key}}, []any{int64(7), int64(10000)}, "", 0},
			{"nullable at NULL", []paginate.Order{{Field: fb}, {Field: key}}, []any{nil, int64(10000)}, "b IS NULL", 0},
			{"nullable desc at NULL", []paginate.Order{{Field: fb, Dir: paginate.Desc}, {Field: key, Dir: paginate.Desc}}, []any{nil, int64(10000)}, "b IS NULL", 0},
		}
		for _, tt := range tests {
			r, err := b.Explain(ctx, paginate.Query{Sort: tt.sort, After: tt.after, Limit: 21})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !r.Indexed() || !r.Seek() {
				t.Errorf("%s: not an index seek:\n%s\n%s", tt.name, r, raws(r))
			}
			if tt.stmts > 0 && len(r.Plans) != tt.stmts {
				t.Errorf("%s: %d statements, want %d", tt.name, len(r.Plans), tt.stmts)
			}
			sql := r.Plans[0].SQL
			if tt.name == "row value or bounded" {
				tt.want = "(a, id) > ("
				if b.Dialect() == pagesql.MySQL {
					tt.want = "a >= "
				}
			}
			if !strings.Contains(sql, tt.want) {
				t.Errorf("%s: SQL %s lacks %q", tt.name, sql, tt.want)
			}
		}

		var logs bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&logs, nil))
		if err := b.WarnUnindexed(ctx, logger, "a", "u", "-b"); err != nil {
			t.Fatal(err)
		}
		out := logs.String()
		if !strings.Contains(out, "sort=u") || strings.Contains(out, "sort=a") || strings.Contains(out, "sort=-b") {
			t.Errorf("warnings:\n%s", out)
		}
	})
}

func raws(r pagesql.Report) string {
	var s []string
	for _, p := range r.Plans {
		s = append(s, p.Raw)
	}
	return strings.Join(s, "\n---\n")
}
