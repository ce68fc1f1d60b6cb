package hostile

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/Masterminds/squirrel"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
	pagesql "github.com/go-paginate/paginate/sql"
)

// textRows is the size of the table the text filter abuse runs against.
const textRows = 300

// planted are names written over some rows of the items table: LIKE's
// wildcards and escapes, GLOB's, quotes and SQL, each around the marker so
// that the values that match them carry it too.
var planted = []string{
	"a%" + marker + "_b", "a_" + marker + "%", `a\` + marker + `\%`, "a!" + marker + "!!", "a*" + marker + "?",
	"[" + marker + "]", "it's " + marker, `say "` + marker + `"`, marker + "'; DROP TABLE items; --",
	"100% " + marker, "x_y " + marker, "日本" + marker + "🙂", marker + " ñandú",
}

// textItem is a row of the items table as the text filter endpoint shows
// it.
type textItem struct {
	ID       int64  `db:"id" json:"id"`
	Name     string `db:"name" json:"name"`
	Discount *int64 `db:"discount" json:"discount"`
}

// TestTextFilterAbuse sends prefix, contains and null filters with hostile
// values through the HTTP layer to each database. Every value reaches the
// database only as a bound argument, never in the SQL text, and matches
// literally: the page holds exactly the rows a reference computed from
// the rows in Go keeps (ASCII letters in any case on MariaDB, whose
// default collation is case-insensitive). Bad values are a 400 naming the
// parameter, before any SQL runs.
func TestTextFilterAbuse(t *testing.T) {
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			e := openEnv(t, dbName, textRows)
			rows := make([]textItem, textRows)
			for i := range rows {
				it := dataset.Row(int64(i + 1))
				rows[i] = textItem{ID: it.ID, Name: it.Name, Discount: it.Discount}
			}
			for i, s := range planted {
				r := &rows[i*17+5]
				r.Name = s
				e.plain.MustExec(e.plain.Rebind("UPDATE "+e.table+" SET name = ? WHERE id = ?"), s, r.ID)
			}
			c := serveTextFilters(t, e)
			fold := func(s string) string { return s }
			if dbName == "mysql" {
				fold = strings.ToLower // the planted and seeded names' only foldable letters are ASCII
			}
			for _, tc := range textAbuseCases() {
				t.Run(tc.name, func(t *testing.T) {
					e.log.take()
					res := c.Get("/?" + tc.query)
					stmts := e.log.take()
					checkTextAbuse(t, tc, res, stmts, rows, fold)
				})
			}
		})
	}
}

// textCase is one request to the text filter endpoint: a 400 naming bad,
// or the rows keep selects, in id order.
type textCase struct {
	name  string
	query string
	bad   string
	keep  func(textItem, func(string) string) bool
	// reaches says the value must be among the bound arguments.
	reaches bool
}

func prefix(v string) func(textItem, func(string) string) bool {
	return func(r textItem, f func(string) string) bool { return strings.HasPrefix(f(r.Name), f(v)) }
}

func contains(v string) func(textItem, func(string) string) bool {
	return func(r textItem, f func(string) string) bool { return strings.Contains(f(r.Name), f(v)) }
}

func textAbuseCases() []textCase {
	var cases []textCase
	for _, s := range planted {
		r := []rune(s)
		for _, v := range []string{s, string(r[:len(r)/2+1]), string(r[:len(r)-1])} {
			if strings.Contains(v, marker) {
				cases = append(cases, textCase{name: "prefix " + v, query: esc("name[prefix]") + "=" + esc(v), keep: prefix(v), reaches: true})
			}
		}
		for _, v := range []string{s, string(r[1:]), string(r[1 : len(r)-1])} {
			if strings.Contains(v, marker) {
				cases = append(cases, textCase{name: "contains " + v, query: esc("name[contains]") + "=" + esc(v), keep: contains(v), reaches: true})
			}
		}
	}
	// Wildcards alone, as a client would try them: literal, so they
	// match only the planted rows that hold them.
	for _, v := range []string{"%", "_", "%%", "a%", "a_", `\`, `\%`, "!", "!!", "'", "''", `"`, "*", "?", "[", "%" + marker, "_" + marker} {
		cases = append(cases,
			textCase{name: "prefix " + v, query: esc("name[prefix]") + "=" + esc(v), keep: prefix(v)},
			textCase{name: "contains " + v, query: esc("name[contains]") + "=" + esc(v), keep: contains(v)})
	}
	cases = append(cases,
		textCase{name: "prefix of seeded names", query: esc("name[prefix]") + "=S", keep: prefix("S")},
		textCase{name: "contains in seeded names", query: esc("name[contains]") + "=am", keep: contains("am")},
		textCase{name: "prefix in another case", query: esc("name[prefix]") + "=s", keep: prefix("s")},
		textCase{name: "null", query: esc("discount[null]") + "=true", keep: func(r textItem, _ func(string) string) bool { return r.Discount == nil }},
		textCase{name: "not null", query: esc("discount[null]") + "=0", keep: func(r textItem, _ func(string) string) bool { return r.Discount != nil }},
		textCase{name: "null and prefix", query: esc("discount[null]") + "=false&" + esc("name[prefix]") + "=a", keep: func(r textItem, f func(string) string) bool {
			return r.Discount != nil && prefix("a")(r, f)
		}},
		textCase{name: "null not a bool", query: esc("discount[null]") + "=" + esc(marker+"' OR 1=1"), bad: "discount[null]"},
		textCase{name: "null on a field without it", query: esc("name[null]") + "=true", bad: "name[null]"},
		textCase{name: "prefix on a field without it", query: esc("discount[prefix]") + "=1", bad: "discount[prefix]"},
		textCase{name: "empty prefix", query: esc("name[prefix]") + "=", bad: "name[prefix]"},
		textCase{name: "empty contains", query: esc("name[contains]") + "=", bad: "name[contains]"},
		textCase{name: "NUL in a prefix", query: esc("name[prefix]") + "=a%00", bad: "name[prefix]"},
		textCase{name: "invalid UTF-8 in contains", query: esc("name[contains]") + "=%FF", bad: "name[contains]"},
		textCase{name: "prefix too long", query: esc("name[prefix]") + "=" + strings.Repeat("a", 4097), bad: "name[prefix]"},
		textCase{name: "like operator", query: esc("name[like]") + "=" + esc("a%"), bad: "name[like]"},
	)
	return cases
}

// serveTextFilters serves offset pages of e's items table, filtered by
// name (prefix, contains) and discount (null), through e's capturing
// handle.
func serveTextFilters(t *testing.T, e *env) client {
	t.Helper()
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String, Ops: []paginate.Op{paginate.Prefix, paginate.Contains}},
		{Name: "discount", Type: paginate.Int, Nullable: true, Ops: []paginate.Op{paginate.IsNull}},
	}, "id")
	if err != nil {
		t.Fatal(err)
	}
	b, err := pagesql.New[textItem](e.db, squirrel.Select().From(e.table), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	p, err := paginate.NewOffset(b, schema, paginate.OffsetConfig{PerPage: textRows, MaxPerPage: textRows})
	if err != nil {
		t.Fatal(err)
	}
	h, err := httpadapter.Handler(p, schema, httpadapter.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, h)
}

func checkTextAbuse(t *testing.T, tc textCase, res response, stmts []statement, rows []textItem, fold func(string) string) {
	t.Helper()
	if sql, ok := mentions(stmts, marker); ok {
		t.Errorf("a client value reached the SQL text:\n%s", sql)
	}
	if tc.bad != "" {
		checkBad(t, res, stmts, []string{tc.bad})
		return
	}
	if res.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %.300s", res.Status, res.Body)
	}
	if tc.reaches && !bound(stmts, marker) {
		t.Errorf("the value was not among the bound arguments of %d statements", len(stmts))
	}
	var page struct {
		Total int64      `json:"total"`
		Items []textItem `json:"items"`
	}
	if err := json.Unmarshal(res.Body, &page); err != nil {
		t.Fatal(err)
	}
	var want, got []int64
	for _, r := range rows {
		if tc.keep(r, fold) {
			want = append(want, r.ID)
		}
	}
	for _, it := range page.Items {
		got = append(got, it.ID)
	}
	if !slices.Equal(want, got) || page.Total != int64(len(want)) {
		t.Errorf("ids %v (total %d), want %v", got, page.Total, want)
	}
}
