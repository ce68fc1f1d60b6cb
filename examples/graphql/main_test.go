package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

const testRows = 250

var testKey = []byte("graphql example tests: a key of 32+ bytes")

// api is the example's API over a seeded SQLite table, served by an
// httptest server.
type api struct {
	db     *sqlx.DB
	url    string
	counts *atomic.Int64 // how many times totalCount was counted
}

func newAPI(t *testing.T, cfg Config) *api {
	t.Helper()
	db := testdb.SQLite(t)
	if err := dataset.Seed(context.Background(), db, dataset.Options{Rows: testRows}); err != nil {
		t.Fatal(err)
	}
	a := &api{db: db, counts: new(atomic.Int64)}
	cfg.CursorKey = testKey
	cfg.Count = countingStrategy{n: a.counts}
	h, closeAPI, err := newHandler(db, "items", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeAPI)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	a.url = srv.URL + "/graphql"
	return a
}

// countingStrategy counts exactly, and counts how often it does.
type countingStrategy struct{ n *atomic.Int64 }

func (s countingStrategy) CountTotal(ctx context.Context, c paginate.Counter, q paginate.Query) (paginate.Total, error) {
	s.n.Add(1)
	return paginate.ExactCount{}.CountTotal(ctx, c, q)
}

// response is a GraphQL response to an items query.
type response struct {
	Data struct {
		Items *connection `json:"items"`
	} `json:"data"`
	Errors []gqlError `json:"errors"`
}

type connection struct {
	TotalCount *int `json:"totalCount"`
	Edges      []struct {
		Cursor string `json:"cursor"`
		Node   struct {
			ID        int64     `json:"id"`
			Name      string    `json:"name"`
			Category  string    `json:"category"`
			Price     int64     `json:"price"`
			CreatedAt time.Time `json:"createdAt"`
		} `json:"node"`
	} `json:"edges"`
	PageInfo struct {
		HasNextPage     bool    `json:"hasNextPage"`
		HasPreviousPage bool    `json:"hasPreviousPage"`
		StartCursor     *string `json:"startCursor"`
		EndCursor       *string `json:"endCursor"`
	} `json:"pageInfo"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// itemsQuery selects everything of a connection; $orderBy and $filter
// are passed as variables.
const itemsQuery = `query($first: Int, $after: String, $last: Int, $before: String, $orderBy: [ItemOrder!], $filter: ItemFilter) {
	items(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
		totalCount
		edges { cursor node { id name category price createdAt } }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
	}
}`

// post runs query with variables over HTTP and decodes the answer.
func (a *api) post(t *testing.T, query string, vars map[string]any, out any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Post(a.url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %s", res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func (a *api) items(t *testing.T, vars map[string]any) response {
	t.Helper()
	var r response
	a.post(t, itemsQuery, vars, &r)
	return r
}

// walk pages through the items forward by first/after or backward by
// last/before, and returns the ids seen in order. It checks each page's
// info and totalCount against total.
func (a *api) walk(t *testing.T, vars map[string]any, size int, backward bool, total int) []int64 {
	t.Helper()
	vars = maps(vars)
	sizeArg, cursorArg := "first", "after"
	if backward {
		sizeArg, cursorArg = "last", "before"
	}
	vars[sizeArg] = size
	var ids []int64
	for page := 0; page <= total/size+1; page++ {
		r := a.items(t, vars)
		if len(r.Errors) > 0 || r.Data.Items == nil {
			t.Fatalf("page %d: %+v", page, r.Errors)
		}
		c := r.Data.Items
		if c.TotalCount == nil || *c.TotalCount != total {
			t.Errorf("page %d: totalCount %v, want %d", page, c.TotalCount, total)
		}
		var pageIDs []int64
		for _, e := range c.Edges {
			pageIDs = append(pageIDs, e.Node.ID)
		}
		more, behind, next := c.PageInfo.HasNextPage, c.PageInfo.HasPreviousPage, c.PageInfo.EndCursor
		if backward {
			more, behind, next = c.PageInfo.HasPreviousPage, c.PageInfo.HasNextPage, c.PageInfo.StartCursor
			ids = append(pageIDs, ids...)
		} else {
			ids = append(ids, pageIDs...)
		}
		if behind != (page > 0) {
			t.Errorf("page %d: rows behind the page: %v", page, behind)
		}
		if len(c.Edges) > 0 && (*c.PageInfo.StartCursor != c.Edges[0].Cursor || *c.PageInfo.EndCursor != c.Edges[len(c.Edges)-1].Cursor) {
			t.Errorf("page %d: startCursor and endCursor are not the edges' cursors", page)
		}
		if !more {
			return ids
		}
		vars[cursorArg] = *next
	}
	t.Fatal("the walk did not end")
	return nil
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// idsBySQL returns the ids the query selects, in its order.
func idsBySQL(t *testing.T, db *sqlx.DB, query string, args ...any) []int64 {
	t.Helper()
	var ids []int64
	if err := db.Select(&ids, query, args...); err != nil {
		t.Fatal(err)
	}
	if len(ids) == 0 {
		t.Fatalf("%s selects nothing: the test would prove nothing", query)
	}
	return ids
}

// TestWalks walks the items forward by first/after and backward by
// last/before, in the default order and under a sort and filters mapped
// from the arguments, with several page sizes: each walk sees every
// matching row once, in the order SQL gives.
func TestWalks(t *testing.T) {
	a := newAPI(t, Config{})
	cutoff := dataset.Row(200).CreatedAt
	for _, tc := range []struct {
		name string
		vars map[string]any
		sql  string
		args []any
	}{
		{"default order", nil, `SELECT id FROM items ORDER BY created_at DESC, id DESC`, nil},
		{"by price and name, filtered", map[string]any{
			"orderBy": []map[string]any{{"field": "PRICE", "direction": "DESC"}, {"field": "NAME"}},
			"filter": map[string]any{
				"category":  map[string]any{"in": []string{"books", "toys", "garden"}},
				"price":     map[string]any{"gte": 1099},
				"createdAt": map[string]any{"lt": cutoff.Format(time.RFC3339)},
			},
		}, `SELECT id FROM items WHERE category IN ('books', 'toys', 'garden') AND price >= 1099 AND created_at < ? ORDER BY price DESC, name ASC, id ASC`, []any{cutoff}},
		{"by category, then newest", map[string]any{
			"orderBy": []map[string]any{{"field": "CATEGORY"}, {"field": "CREATED_AT", "direction": "DESC"}},
			"filter":  map[string]any{"category": map[string]any{"ne": "books"}},
		}, `SELECT id FROM items WHERE category <> 'books' ORDER BY category ASC, created_at DESC, id DESC`, nil},
		{"names that start with Sturdy, by name", map[string]any{
			"orderBy": []map[string]any{{"field": "NAME"}},
			"filter":  map[string]any{"name": map[string]any{"prefix": "Sturdy"}},
		}, `SELECT id FROM items WHERE substr(name, 1, 6) = 'Sturdy' ORDER BY name ASC, id ASC`, nil},
		{"names holding an e, without a seller", map[string]any{
			"filter": map[string]any{"name": map[string]any{"contains": "e"}, "sellerId": map[string]any{"null": true}},
		}, `SELECT id FROM items WHERE instr(name, 'e') > 0 AND seller_id IS NULL ORDER BY created_at DESC, id DESC`, nil},
		{"with a seller", map[string]any{
			"filter": map[string]any{"sellerId": map[string]any{"null": false}, "price": map[string]any{"lt": 20000}},
		}, `SELECT id FROM items WHERE seller_id IS NOT NULL AND price < 20000 ORDER BY created_at DESC, id DESC`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := idsBySQL(t, a.db, tc.sql, tc.args...)
			for _, size := range []int{1, 7, 100} {
				if size == 1 && len(want) > 60 {
					continue
				}
				if got := a.walk(t, tc.vars, size, false, len(want)); !cmp.Equal(want, got) {
					t.Errorf("forward by %d: %d ids, want %d (-want +got):\n%s", size, len(got), len(want), cmp.Diff(want, got))
				}
				if got := a.walk(t, tc.vars, size, true, len(want)); !cmp.Equal(want, got) {
					t.Errorf("backward by %d: %d ids, want %d (-want +got):\n%s", size, len(got), len(want), cmp.Diff(want, got))
				}
			}
		})
	}
}

// TestLastWithoutBefore checks that last alone returns the final rows.
func TestLastWithoutBefore(t *testing.T) {
	a := newAPI(t, Config{})
	want := idsBySQL(t, a.db, `SELECT id FROM items ORDER BY price ASC, id ASC`)
	r := a.items(t, map[string]any{"last": 3, "orderBy": []map[string]any{{"field": "PRICE"}}})
	if len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	var got []int64
	for _, e := range r.Data.Items.Edges {
		got = append(got, e.Node.ID)
	}
	if diff := cmp.Diff(want[len(want)-3:], got); diff != "" {
		t.Errorf("last: 3 (-want +got):\n%s", diff)
	}
	if pi := r.Data.Items.PageInfo; !pi.HasPreviousPage || pi.HasNextPage {
		t.Errorf("page info %+v, want a previous page and no next", pi)
	}
}

// TestTotalCountOnlyWhenSelected checks that the items are counted only
// for a query that selects totalCount.
func TestTotalCountOnlyWhenSelected(t *testing.T) {
	a := newAPI(t, Config{})
	var r response
	a.post(t, `{ items(first: 2) { edges { node { id } } } }`, nil, &r)
	if len(r.Errors) > 0 || len(r.Data.Items.Edges) != 2 {
		t.Fatalf("%+v", r)
	}
	if n := a.counts.Load(); n != 0 {
		t.Errorf("counted %d times without totalCount", n)
	}
	a.post(t, `{ items(first: 2) { ...total } } fragment total on ItemConnection { totalCount }`, nil, &r)
	if n := a.counts.Load(); n != 1 {
		t.Errorf("counted %d times for one totalCount", n)
	}
	if r.Data.Items.TotalCount == nil || *r.Data.Items.TotalCount != testRows {
		t.Errorf("totalCount %v, want %d", r.Data.Items.TotalCount, testRows)
	}
}

// TestErrors checks that bad arguments are GraphQL errors naming the
// argument, with the code BAD_USER_INPUT, and no data.
func TestErrors(t *testing.T) {
	a := newAPI(t, Config{Keyset: paginate.KeysetConfig{MaxPerPage: 50, RejectOverMax: true}})
	first := a.items(t, map[string]any{"first": 2})
	if len(first.Errors) > 0 {
		t.Fatal(first.Errors)
	}
	cursor := *first.Data.Items.PageInfo.EndCursor
	byPrice := a.items(t, map[string]any{"first": 2, "orderBy": []map[string]any{{"field": "PRICE"}}})
	if len(byPrice.Errors) > 0 {
		t.Fatal(byPrice.Errors)
	}
	foreign := *byPrice.Data.Items.PageInfo.EndCursor
	tampered := strings.ToUpper(cursor[:10]) + cursor[10:]
	for _, tc := range []struct {
		name string
		vars map[string]any
		args []string
	}{
		{"malformed cursor", map[string]any{"first": 2, "after": "not a cursor"}, []string{"after"}},
		{"tampered cursor", map[string]any{"last": 2, "before": tampered}, []string{"before"}},
		{"cursor of another order", map[string]any{"first": 2, "after": foreign}, []string{"after"}},
		{"cursor without the filter", map[string]any{"first": 2, "after": cursor, "filter": map[string]any{"price": map[string]any{"lt": 5000}}}, []string{"after"}},
		{"negative first", map[string]any{"first": -1}, []string{"first"}},
		{"first over the maximum", map[string]any{"first": 51}, []string{"first"}},
		{"first and last", map[string]any{"first": 2, "last": 2}, []string{"last"}},
		{"empty orderBy", map[string]any{"orderBy": []any{}}, []string{"orderBy"}},
		{"orderBy naming a field twice", map[string]any{"orderBy": []map[string]any{{"field": "PRICE"}, {"field": "PRICE", "direction": "DESC"}}}, []string{"orderBy"}},
		{"empty in", map[string]any{"filter": map[string]any{"category": map[string]any{"in": []string{}}}}, []string{"filter.category.in"}},
		{"two bad cursors", map[string]any{"first": 2, "after": "x", "before": "y"}, []string{"after", "before"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := a.items(t, tc.vars)
			if r.Data.Items != nil {
				t.Errorf("data %+v with errors", r.Data.Items)
			}
			var args []string
			for _, e := range r.Errors {
				arg, _ := e.Extensions["argument"].(string)
				args = append(args, arg)
				if e.Extensions["code"] != "BAD_USER_INPUT" || !strings.HasPrefix(e.Message, "argument "+arg+": ") || e.Extensions["reason"] == "" {
					t.Errorf("error %+v", e)
				}
				if !cmp.Equal(e.Path, []any{"items"}) {
					t.Errorf("error path %v, want [items]", e.Path)
				}
			}
			if diff := cmp.Diff(tc.args, args); diff != "" {
				t.Errorf("arguments named (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSchemaMatchesDeclaration checks, by introspection, that the
// GraphQL schema's sort fields are the items schema's sortable fields and
// its filter inputs are the declared fields' operators, so that every
// argument maps onto the declaration and nothing declared is missing.
func TestSchemaMatchesDeclaration(t *testing.T) {
	a := newAPI(t, Config{})
	var r struct {
		Data struct {
			Sort struct {
				EnumValues []struct{ Name string } `json:"enumValues"`
			} `json:"sort"`
			Filter struct {
				InputFields []struct {
					Name string
					Type struct {
						Name        string
						InputFields []struct{ Name string } `json:"inputFields"`
					}
				} `json:"inputFields"`
			} `json:"filter"`
		} `json:"data"`
	}
	a.post(t, `{
		sort: __type(name: "ItemSortField") { enumValues { name } }
		filter: __type(name: "ItemFilter") { inputFields { name type { name inputFields { name } } } }
	}`, nil, &r)
	schema, err := itemsapi.Schema()
	if err != nil {
		t.Fatal(err)
	}
	var wantSort, gotSort, wantFilter, gotFilter []string
	for _, f := range schema.Fields() {
		if f.Sortable {
			wantSort = append(wantSort, strings.ToUpper(f.Name))
		}
		for _, op := range f.Ops {
			wantFilter = append(wantFilter, f.Name+"["+op.String()+"]")
		}
	}
	for _, v := range r.Data.Sort.EnumValues {
		gotSort = append(gotSort, v.Name)
	}
	for _, f := range r.Data.Filter.InputFields {
		for _, op := range f.Type.InputFields {
			gotFilter = append(gotFilter, snake(f.Name)+"["+op.Name+"]")
		}
	}
	slices.Sort(wantSort)
	slices.Sort(gotSort)
	slices.Sort(wantFilter)
	slices.Sort(gotFilter)
	if diff := cmp.Diff(wantSort, gotSort); diff != "" {
		t.Errorf("ItemSortField values (-declared +GraphQL):\n%s", diff)
	}
	if diff := cmp.Diff(wantFilter, gotFilter); diff != "" {
		t.Errorf("ItemFilter fields and operators (-declared +GraphQL):\n%s", diff)
	}
}

// snake turns a camel-case name into the snake case the declaration uses.
func snake(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
