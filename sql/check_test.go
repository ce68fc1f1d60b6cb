package sql_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

type checked struct {
	ID int64      `db:"id"`
	N  int64      `db:"n"`
	At *time.Time `db:"at"`
	S  string     `db:"s"`
}

func checkedSchema(t *testing.T, fields ...paginate.Field) *paginate.Schema {
	t.Helper()
	s, err := paginate.NewSchema(append([]paginate.Field{{Name: "id", Type: paginate.Int, Key: true}}, fields...), "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCheckContext checks that a check cut short by its context reports
// the context's error and runs again on the next call.
func TestCheckContext(t *testing.T) {
	db := testdb.SQLite(t)
	db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
	b, err := pagesql.New[checked](db, squirrel.Select().From("t"), pagesql.Config{Schema: checkedSchema(t, paginate.Field{Name: "n", Type: paginate.Int})})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Check(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: %v, want context.Canceled", err)
	}
	if err := b.Check(context.Background()); err != nil {
		t.Fatalf("Check after a cancelled one: %v", err)
	}
}

// TestCheckOutcomeKept checks that a refusal is kept, for the backend and
// those made from it with On, until the process restarts: a fix to the
// data is not seen without a new backend.
func TestCheckOutcomeKept(t *testing.T) {
	db := testdb.SQLite(t)
	db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)`)
	db.MustExec(`INSERT INTO t VALUES (1, NULL), (2, 5)`)
	// An expression: its nullability is read from the stored values.
	schema := checkedSchema(t, paginate.Field{Name: "n", Column: "n + 0", Type: paginate.Int, Sortable: true})
	newBackend := func() *pagesql.Backend[checked] {
		b := newBackend[checked](t, db, squirrel.Select().From("t"), pagesql.Config{Schema: schema})
		return b
	}
	b := newBackend()
	if err := b.Check(context.Background()); !errors.Is(err, pagesql.ErrSchemaMismatch) {
		t.Fatalf("Check: %v, want ErrSchemaMismatch", err)
	}
	db.MustExec(`DELETE FROM t WHERE n IS NULL`)
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	onTx, err := b.On(tx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onTx.Fetch(context.Background(), paginate.Query{Sort: []paginate.Order{{Field: schema.Key()}}, Limit: 5}); !errors.Is(err, pagesql.ErrSchemaMismatch) {
		t.Errorf("Fetch through On after a refusal: %v, want ErrSchemaMismatch", err)
	}
	tx.Rollback()
	if err := newBackend().Check(context.Background()); err != nil {
		t.Errorf("Check of a new backend after the fix: %v", err)
	}
}

// TestCheckErrorListsEveryField checks the error type: every problem at
// once, each a *FieldError naming field and column, all matching
// ErrSchemaMismatch. The table's name needs quoting, and is bound, not
// spliced, into the catalog queries.
func TestCheckErrorListsEveryField(t *testing.T) {
	db := testdb.SQLite(t)
	db.MustExec(`CREATE TABLE "odd""name" (id INTEGER PRIMARY KEY, n INTEGER, s TEXT NOT NULL)`)
	schema := checkedSchema(t,
		paginate.Field{Name: "n", Type: paginate.Int, Sortable: true},
		paginate.Field{Name: "s", Type: paginate.Int, Sortable: true},
		paginate.Field{Name: "at", Column: "created", Type: paginate.Time, Nullable: true},
	)
	b, err := pagesql.New[checked](db, squirrel.Select().From(`"odd""name" o`), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Check(context.Background())
	var ce *pagesql.CheckError
	if !errors.As(err, &ce) || !errors.Is(err, pagesql.ErrSchemaMismatch) {
		t.Fatalf("Check: %v, want a *CheckError", err)
	}
	got := map[string]pagesql.Mismatch{}
	for _, fe := range ce.Fields {
		got[fe.Field] = fe.Mismatch
		if !strings.Contains(err.Error(), fe.Error()[len("paginate/sql: "):]) {
			t.Errorf("the error's text %q lacks %q", err, fe)
		}
	}
	want := map[string]pagesql.Mismatch{"n": pagesql.UndeclaredNull, "s": pagesql.WrongType, "at": pagesql.MissingColumn}
	for f, m := range want {
		if got[f] != m {
			t.Errorf("field %q: %v, want %v (all: %v)", f, got[f], m, err)
		}
	}
	var fe *pagesql.FieldError
	if !errors.As(err, &fe) || fe.Column == "" {
		t.Errorf("errors.As(*FieldError): %v", fe)
	}
	if !strings.Contains(err.Error(), `table "odd""name"`) {
		t.Errorf("the error does not name the table: %v", err)
	}
}

// TestCheckRunsOnce checks that concurrent first pages wait for one check
// instead of each running it, and that all are served.
func TestCheckRunsOnce(t *testing.T) {
	conn := &countingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "once.db") + "?_journal_mode=WAL&_busy_timeout=10000", delay: 50 * time.Millisecond}
	db := sqlx.NewDb(sql.OpenDB(conn), "sqlite3")
	t.Cleanup(func() { db.Close() })
	db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`)
	db.MustExec(`INSERT INTO t VALUES (1, 3), (2, 1), (3, 2)`)
	schema := checkedSchema(t, paginate.Field{Name: "n", Type: paginate.Int, Sortable: true})
	b, err := pagesql.New[checked](db, squirrel.Select().From("t"), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	p, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			page, err := p.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "n"}}})
			if err != nil || len(page.Items) != 3 || page.Items[0].ID != 2 {
				t.Errorf("page: %v, %v", page.Items, err)
			}
		})
	}
	wg.Wait()
	// The check's pass over the rows is its one COUNT; pages count nothing.
	if n := conn.counts.Load(); n != 1 {
		t.Errorf("8 concurrent first pages ran %d checks, want 1", n)
	}
}

// TestTimesWrittenAfterCheck checks what happens to a row written, after
// the check, in another layout than the column's: reading it is an error,
// never a value compared in the wrong order.
func TestTimesWrittenAfterCheck(t *testing.T) {
	db := testdb.SQLite(t)
	db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL, s TEXT NOT NULL)`)
	db.MustExec(`INSERT INTO t VALUES (1, '2024-03-01 12:00:00', 'a'), (2, '2024-03-01 12:00:01', 'b'), (3, '2024-03-01 12:00:02', 'c')`)
	schema := checkedSchema(t, paginate.Field{Name: "at", Type: paginate.Time, Sortable: true}, paginate.Field{Name: "s", Type: paginate.String, Sortable: true})
	b, err := pagesql.New[checked](db, squirrel.Select().From("t"), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	// go-sqlite3 would read this as a time in the column's zone, and a
	// cursor at it would be bound as "2024-03-01 12:00:01.5", which sorts
	// before it as text: the walk would repeat it forever.
	db.MustExec(`INSERT INTO t VALUES (4, '2024-03-01T12:00:01.5', 'd')`)
	p, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}, PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{"at", "-at", "s"} {
		keys, _ := schema.ParseSort(sort)
		var seen []int64
		var werr error
		for it, err := range paginate.Walk(context.Background(), p, paginate.Request{Sort: keys}) {
			if err != nil {
				werr = err
				break
			}
			seen = append(seen, it.ID)
		}
		if werr == nil || !strings.Contains(werr.Error(), "2024-03-01T12:00:01.5") {
			t.Errorf("sort %s: walk saw %v and ended with %v; want an error naming the stored value", sort, seen, werr)
		}
	}
}
