package sql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Masterminds/squirrel"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// The tests in this file run the backend on tables that already exist:
// created and filled with raw SQL as an application would, not by the
// library's helpers, in the layouts and with the oddities applications
// have (times as text in various layouts or as Unix integers, NULLs the
// declaration does not admit, digits stored as text, NaN and the
// infinities, far years, ties everywhere). For each table the backend
// must either refuse at Backend.Check, naming the field and its column,
// or serve exactly what the database itself returns: the rows of SELECT
// ... ORDER BY <sort>, <key> for every sort, both directions, page sizes
// 1, 7 and 50, walked forward with after cursors, backward with before
// cursors and by page number, and the COUNT(*) of every filter.

// preRow is the row type of every existing table: each column a pointer,
// so that a NULL reads back as nil. A table has some of these columns.
type preRow struct {
	ID int64      `db:"id"`
	At *time.Time `db:"at"`
	N  *int64     `db:"n"`
	S  *string    `db:"s"`
	F  *float64   `db:"f"`
	D  *string    `db:"d"`
	B  *bool      `db:"b"`
	L  *string    `db:"l"`
}

// exTable is a pre-existing table and how an application declares it.
type exTable struct {
	name string
	// ddl creates the tables: %[1]s is the table's name, %[2]s a second
	// table's (for joins).
	ddl []string
	// rows are the rows, each a list of SQL literals for cols.
	cols []string
	rows [][]string
	// more are further raw statements (rows of the second table).
	more []string
	// drop are raw statements that remove what DROP TABLE does not (a
	// view), run before the tables are dropped.
	drop []string
	// from is the base query's FROM, joins included; if empty, the table.
	// where is a condition of the base query, if any.
	from, where string
	// fields and defaultSort declare the table. Field names are preRow's.
	fields      []paginate.Field
	defaultSort string
	cfg         pagesql.Config
	// refuse lists the problems Check must report, by field name; when
	// empty the table must be served.
	refuse map[string]pagesql.Mismatch
	// sorts are the sorts to walk; if nil, each sortable field in both
	// directions, and the first two sortable fields mixed.
	sorts []string
	// times, when set, says how the "at" field's column stores times, so
	// that time filters can be checked against the stored values.
	times *timeForm
	// pending names a change not yet merged that serving this table
	// needs; a failure names it.
	pending string
}

// timeForm is how a column stores times, as the test knows it
// independently of the library.
type timeForm struct {
	// parse reads a stored value, as CAST(col AS TEXT) gives it on
	// SQLite; nil on PostgreSQL and MySQL, whose driver reads times.
	parse func(string) (time.Time, error)
	// literal writes t as an SQL literal the column compares with
	// correctly, or "" when the column cannot hold t exactly.
	literal func(t time.Time) string
	// probes are the times the filters are tried with.
	probes []time.Time
}

// runExisting builds the table on db and checks it.
func runExisting(t *testing.T, db *sqlx.DB, tbl exTable) {
	t.Helper()
	ctx := context.Background()
	name, other := testdb.Name("ex"), testdb.Name("exj")
	for _, n := range []string{name, other} {
		testdb.DropTable(t, db, n)
	}
	for _, s := range tbl.drop {
		t.Cleanup(func() { db.Exec(fmt.Sprintf(s, name, other)) })
	}
	for _, s := range tbl.ddl {
		if _, err := db.Exec(fmt.Sprintf(s, name, other)); err != nil {
			t.Fatalf("%s: %v", fmt.Sprintf(s, name, other), err)
		}
	}
	for _, s := range insertStatements(name, tbl.cols, tbl.rows) {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for _, s := range tbl.more {
		if _, err := db.Exec(fmt.Sprintf(s, name, other)); err != nil {
			t.Fatalf("%s: %v", fmt.Sprintf(s, name, other), err)
		}
	}
	from := name
	if tbl.from != "" {
		from = fmt.Sprintf(tbl.from, name, other)
	}
	schema, err := paginate.NewSchema(tbl.fields, tbl.defaultSort)
	if err != nil {
		t.Fatal(err)
	}
	cfg := tbl.cfg
	cfg.Schema = schema
	newBackend := func() *pagesql.Backend[preRow] {
		base := squirrel.Select().From(from)
		if tbl.where != "" {
			base = base.Where(tbl.where)
		}
		b, err := pagesql.New[preRow](db, base, cfg)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	b := newBackend()
	err = b.Check(ctx)
	if len(tbl.refuse) > 0 {
		checkRefusal(t, err, schema, tbl.refuse)
		// A backend whose check was not run refuses its first page.
		p, perr := paginate.NewOffset(newBackend(), schema, paginate.OffsetConfig{})
		if perr != nil {
			t.Fatal(perr)
		}
		if _, err := p.Paginate(ctx, paginate.Request{}); !errors.Is(err, pagesql.ErrSchemaMismatch) {
			t.Errorf("first page of an unchecked backend: got %v, want an error wrapping ErrSchemaMismatch", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Check refused a table it must serve%s: %v", pendingNote(tbl), err)
	}
	if tbl.where != "" {
		from += " WHERE " + tbl.where // the rows the base query selects
		from = "(SELECT * FROM " + from + ") AS w"
	}
	w := &walker{t: t, db: db, schema: schema, from: from, tbl: tbl}
	if err := db.Get(&w.rows, "SELECT COUNT(*) FROM "+from); err != nil {
		t.Fatal(err)
	}
	w.keyset, err = paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}, MaxPerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	w.offset, err = paginate.NewOffset(b, schema, paginate.OffsetConfig{MaxPerPage: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, sort := range w.sorts() {
		for _, size := range []int{1, 7, 50} {
			w.walkAll(ctx, sort, size, nil, "")
		}
	}
	if tbl.times != nil {
		w.timeFilters(ctx)
	}
}

func pendingNote(tbl exTable) string {
	if tbl.pending == "" {
		return ""
	}
	return " (serving it awaits " + tbl.pending + ")"
}

// checkRefusal checks that err is a *CheckError reporting exactly the
// expected problems, each naming its field and the field's column.
func checkRefusal(t *testing.T, err error, schema *paginate.Schema, want map[string]pagesql.Mismatch) {
	t.Helper()
	var ce *pagesql.CheckError
	if !errors.As(err, &ce) || !errors.Is(err, pagesql.ErrSchemaMismatch) {
		t.Fatalf("Check: got %v, want a *CheckError wrapping ErrSchemaMismatch", err)
	}
	got := map[string]pagesql.Mismatch{}
	for _, fe := range ce.Fields {
		got[fe.Field] = fe.Mismatch
		f, ok := schema.Field(fe.Field)
		if !ok {
			t.Errorf("problem names unknown field %q", fe.Field)
			continue
		}
		if fe.Column != f.ColumnName() || !strings.Contains(fe.Error(), f.ColumnName()) || !strings.Contains(fe.Error(), fe.Field) {
			t.Errorf("problem %q does not name field %q and column %q", fe.Error(), f.Name, f.ColumnName())
		}
		if fe.Found == "" || fe.Fix == "" {
			t.Errorf("problem %q does not say what the database holds and what to change", fe.Error())
		}
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s\n%v", diff, err)
	}
	t.Logf("refused as expected: %v", err)
}

// insertStatements writes rows as INSERT statements of at most 50 rows.
func insertStatements(table string, cols []string, rows [][]string) []string {
	var out []string
	for start := 0; start < len(rows); start += 50 {
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		for i, r := range rows[start:min(start+50, len(rows))] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + strings.Join(r, ", ") + ")")
		}
		out = append(out, b.String())
	}
	return out
}

// walker walks one served table.
type walker struct {
	t      *testing.T
	db     *sqlx.DB
	schema *paginate.Schema
	from   string
	rows   int
	tbl    exTable
	keyset *paginate.Keyset[preRow]
	offset *paginate.Offset[preRow]
}

// sorts returns the sorts to walk.
func (w *walker) sorts() []string {
	if w.tbl.sorts != nil {
		return w.tbl.sorts
	}
	var names []string
	for _, f := range w.schema.Fields() {
		if f.Sortable && !f.Key {
			names = append(names, f.Name)
		}
	}
	var out []string
	for _, n := range names {
		out = append(out, n, "-"+n)
	}
	if len(names) >= 2 {
		out = append(out, names[0]+",-"+names[1], "-"+names[0]+","+names[1])
	}
	return append(out, "-"+w.schema.Key().Name)
}

// orderBy writes the ORDER BY the database is asked for a sort: its keys,
// then the key field in the last key's direction.
func (w *walker) orderBy(sort string) string {
	var parts []string
	dir := "ASC"
	last := ""
	for _, k := range strings.Split(sort, ",") {
		dir = "ASC"
		if strings.HasPrefix(k, "-") {
			k, dir = k[1:], "DESC"
		}
		f, _ := w.schema.Field(k)
		parts = append(parts, f.ColumnName()+" "+dir)
		last = k
	}
	if key := w.schema.Key(); last != key.Name {
		parts = append(parts, key.ColumnName()+" "+dir)
	}
	return strings.Join(parts, ", ")
}

// want returns the key values of the database's own answer, and its count.
func (w *walker) want(sort, where string) ([]int64, int64) {
	w.t.Helper()
	q := "SELECT " + w.schema.Key().ColumnName() + " FROM " + w.from
	cq := "SELECT COUNT(*) FROM " + w.from
	if where != "" {
		q += " WHERE " + where
		cq += " WHERE " + where
	}
	var ids []int64
	if err := w.db.Select(&ids, q+" ORDER BY "+w.orderBy(sort)); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	var n int64
	if err := w.db.Get(&n, cq); err != nil {
		w.t.Fatalf("%s: %v", cq, err)
	}
	return ids, n
}

func rowIDs(items []preRow) []int64 {
	if len(items) == 0 {
		return nil
	}
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// walkAll walks a sort three ways and compares each with the database's
// answer. where is the raw SQL of filters (or ""), whose expected count
// is wantCount when where is "".
func (w *walker) walkAll(ctx context.Context, sort string, size int, filters []paginate.Filter, where string) {
	t := w.t
	t.Helper()
	keys, err := w.schema.ParseSort(sort)
	if err != nil {
		t.Fatal(err)
	}
	want, count := w.want(sort, where)
	req := paginate.Request{PerPage: size, Sort: keys, Filters: filters}
	label := fmt.Sprintf("sort=%s per_page=%d %s", sort, size, where)
	note := pendingNote(w.tbl)
	limit := w.rows + 2 // no walk may take more requests than rows

	fwd, last, err := walkForward(ctx, w.keyset, req, limit)
	if err != nil {
		t.Errorf("%s: forward walk: %v%s", label, err, note)
		return
	}
	if diff := gocmp.Diff(want, fwd); diff != "" {
		t.Errorf("%s: forward walk differs from the database's ORDER BY (-want +got)%s:\n%s", label, note, diff)
		return
	}
	back, err := walkBackward(ctx, w.keyset, req, last, limit)
	if err != nil {
		t.Errorf("%s: backward walk: %v%s", label, err, note)
	} else if diff := gocmp.Diff(want, back); diff != "" {
		t.Errorf("%s: backward walk differs from the database's ORDER BY (-want +got)%s:\n%s", label, note, diff)
	}
	pages, total, err := walkOffset(ctx, w.offset, req, limit)
	if err != nil {
		t.Errorf("%s: offset pages: %v%s", label, err, note)
		return
	}
	if total != count {
		t.Errorf("%s: total %d, COUNT(*) says %d%s", label, total, count, note)
	}
	if diff := gocmp.Diff(want, pages); diff != "" {
		t.Errorf("%s: offset pages differ from the database's ORDER BY (-want +got)%s:\n%s", label, note, diff)
	}
}

func walkForward(ctx context.Context, p paginate.Paginator[preRow], req paginate.Request, limit int) ([]int64, paginate.Page[preRow], error) {
	var out []int64
	for i := 0; ; i++ {
		if i > limit {
			return out, paginate.Page[preRow]{}, fmt.Errorf("no end after %d pages (%d rows seen)", i, len(out))
		}
		page, err := p.Paginate(ctx, req)
		if err != nil {
			return out, page, err
		}
		out = append(out, rowIDs(page.Items)...)
		if !page.HasNext {
			return out, page, nil
		}
		req.After = page.NextCursor
	}
}

// walkBackward starts at the last page of a forward walk and follows
// before cursors to the start; it returns every row in sort order.
func walkBackward(ctx context.Context, p paginate.Paginator[preRow], req paginate.Request, last paginate.Page[preRow], limit int) ([]int64, error) {
	out := rowIDs(last.Items)
	before, more := last.PrevCursor, last.HasPrev
	req.After = ""
	for i := 0; more; i++ {
		if i > limit {
			return out, fmt.Errorf("no start after %d pages", i)
		}
		req.Before = before
		page, err := p.Paginate(ctx, req)
		if err != nil {
			return out, err
		}
		out = append(rowIDs(page.Items), out...)
		before, more = page.PrevCursor, page.HasPrev
	}
	return out, nil
}

func walkOffset(ctx context.Context, p paginate.Paginator[preRow], req paginate.Request, limit int) ([]int64, int64, error) {
	var out []int64
	var total int64
	for n := 1; ; n++ {
		if n > limit {
			return out, total, fmt.Errorf("no end after %d pages", n)
		}
		req.Page = n
		page, err := p.Paginate(ctx, req)
		if err != nil {
			return out, total, err
		}
		if n == 1 {
			total = page.Total
		} else if page.Total != total {
			return out, total, fmt.Errorf("page %d: total %d, page 1 said %d", n, page.Total, total)
		}
		out = append(out, rowIDs(page.Items)...)
		if !page.HasNext {
			return out, total, nil
		}
	}
}

// timeFilters checks gte, lt and eq filters on the "at" field: the total and
// the rows must be what the stored times say (read and compared in Go,
// by the test's own reading of the column's form), and, for a time the
// column holds exactly, what SQL says with that time written as the
// column stores it.
func (w *walker) timeFilters(ctx context.Context) {
	t := w.t
	t.Helper()
	at, _ := w.schema.Field("at")
	stored := w.storedTimes()
	// Times whose UTC year is outside 1-9999, written as a client would.
	far := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)),
		time.Date(9999, 12, 31, 20, 0, 0, 0, time.FixedZone("", -5*3600)),
	}
	for _, probe := range append(w.tbl.times.probes, far...) {
		for _, op := range []paginate.Op{paginate.Gte, paginate.Lt, paginate.Eq} {
			var want []int64
			for id, v := range stored {
				if op == paginate.Gte && !v.Before(probe) || op == paginate.Lt && v.Before(probe) || op == paginate.Eq && v.Equal(probe) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			filters := []paginate.Filter{{Field: "at", Op: op, Values: []any{probe.Format(time.RFC3339Nano)}}}
			label := fmt.Sprintf("at[%s]=%s", op, probe.Format(time.RFC3339Nano))
			page, err := w.offset.Paginate(ctx, paginate.Request{PerPage: 50, Filters: filters})
			if op == paginate.Eq && w.tbl.times.literal(probe) == "" && errors.Is(err, paginate.ErrInvalidFilter) {
				continue // an equality finer than the column holds may be refused (paginate.TimePrecisioner)
			}
			if y := probe.UTC().Year(); (y < 1 || y > 9999) && errors.Is(err, paginate.ErrInvalidFilter) {
				continue // a time outside the years 1-9999 may be refused as invalid input
			}
			if err != nil {
				if y := probe.UTC().Year(); y < 1 || y > 9999 {
					t.Errorf("%s: %v (awaits the core's 400 for times outside the years 1-9999, or the right rows)", label, err)
					continue
				}
				t.Errorf("%s: %v%s", label, err, pendingNote(w.tbl))
				continue
			}
			if page.Total != int64(len(want)) {
				t.Errorf("%s: total %d, the stored times say %d", label, page.Total, len(want))
			}
			got, _, err := walkForward(ctx, w.keyset, paginate.Request{PerPage: 7, Filters: filters}, w.rows+2)
			if err != nil {
				t.Errorf("%s: walk: %v", label, err)
				continue
			}
			slices.Sort(got)
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("%s: rows differ from the stored times' (-want +got):\n%s", label, diff)
			}
			if y := probe.UTC().Year(); y < 1 || y > 9999 {
				continue // SQL literals of such years differ between databases
			}
			if lit := w.tbl.times.literal(probe); lit != "" {
				sqlOp := map[paginate.Op]string{paginate.Gte: ">=", paginate.Lt: "<", paginate.Eq: "="}[op]
				w.walkAll(ctx, "at", 7, filters, at.ColumnName()+" "+sqlOp+" "+lit)
			}
		}
	}
}

// storedTimes reads the "at" column's non-NULL values by key, by the
// test's own reading of its form.
func (w *walker) storedTimes() map[int64]time.Time {
	t := w.t
	at, _ := w.schema.Field("at")
	key := w.schema.Key().ColumnName()
	out := map[int64]time.Time{}
	if parse := w.tbl.times.parse; parse != nil {
		var rows []struct {
			ID int64          `db:"id"`
			V  sql.NullString `db:"v"`
		}
		if err := w.db.Select(&rows, "SELECT "+key+" AS id, CAST("+at.ColumnName()+" AS TEXT) AS v FROM "+w.from); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if !r.V.Valid {
				continue
			}
			v, err := parse(r.V.String)
			if err != nil {
				t.Fatalf("stored time %q: %v", r.V.String, err)
			}
			out[r.ID] = v
		}
		return out
	}
	var rows []struct {
		ID int64        `db:"id"`
		V  sql.NullTime `db:"v"`
	}
	if err := w.db.Select(&rows, "SELECT "+key+" AS id, "+at.ColumnName()+" AS v FROM "+w.from); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.V.Valid {
			out[r.ID] = r.V.Time
		}
	}
	return out
}
