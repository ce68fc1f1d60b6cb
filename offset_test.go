package paginate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

type item struct {
	ID    int64    `db:"id"`
	Name  string   `db:"name"`
	Price float64  `db:"price"`
	Disc  *float64 `db:"disc"`
}

func itemSchema(t testing.TB) *paginate.Schema {
	t.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.Eq, paginate.In, paginate.Gt}},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne}},
		{Name: "price", Type: paginate.Float, Sortable: true, Ops: []paginate.Op{paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte}},
		{Name: "disc", Type: paginate.Float, Sortable: true, Nullable: true},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// numbered returns n items with ids 1..n.
func numbered(n int) []item {
	items := make([]item, n)
	for i := range items {
		items[i] = item{ID: int64(i + 1), Name: string(rune('a' + i%26)), Price: float64(i % 7)}
	}
	return items
}

func memory(t testing.TB, items []item) *paginate.Memory[item] {
	t.Helper()
	m, err := paginate.NewMemory(items, itemSchema(t), paginate.MemoryConfig[item]{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ids(items []item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func span(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// pageMeta is a Page without its items, plus the items' ids.
type pageMeta struct {
	IDs                         []int64
	Page, PerPage, Pages        int
	Total                       int64
	Counted, HasNext, HasPrev   bool
	NextPage, PrevPage          int
	NextCursor, PrevCursor      bool
	TotalCapped, TotalEstimated bool
}

func meta(p paginate.Page[item]) pageMeta {
	return pageMeta{
		IDs: ids(p.Items), Page: p.Page, PerPage: p.PerPage, Pages: p.Pages, Total: p.Total,
		Counted: p.Counted, HasNext: p.HasNext, HasPrev: p.HasPrev, NextPage: p.NextPage, PrevPage: p.PrevPage,
		NextCursor: p.NextCursor != "", PrevCursor: p.PrevCursor != "",
		TotalCapped: p.TotalCapped, TotalEstimated: p.TotalEstimated,
	}
}

func TestOffsetPages(t *testing.T) {
	ctx := context.Background()
	p, err := paginate.NewOffset(memory(t, numbered(25)), itemSchema(t), paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		req  paginate.Request
		want pageMeta
	}{
		{"defaults", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		{"middle", paginate.Request{Page: 2}, pageMeta{IDs: span(11, 20), Page: 2, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, HasPrev: true, NextPage: 3, PrevPage: 1}},
		{"last", paginate.Request{Page: 3}, pageMeta{IDs: span(21, 25), Page: 3, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasPrev: true, PrevPage: 2}},
		{"past the end", paginate.Request{Page: 4}, pageMeta{IDs: []int64{}, Page: 4, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasPrev: true, PrevPage: 3}},
		{"far past the end", paginate.Request{Page: 1 << 40}, pageMeta{IDs: []int64{}, Page: 1 << 40, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasPrev: true, PrevPage: 3}},
		{"clamped", paginate.Request{PerPage: 1000}, pageMeta{IDs: span(1, 25), Page: 1, PerPage: 100, Pages: 1, Total: 25, Counted: true}},
		{"exact fit", paginate.Request{PerPage: 5, Page: 5}, pageMeta{IDs: span(21, 25), Page: 5, PerPage: 5, Pages: 5, Total: 25, Counted: true, HasPrev: true, PrevPage: 4}},
		{"descending", paginate.Request{Sort: []paginate.SortKey{{Field: "id", Dir: paginate.Desc}}, PerPage: 3}, pageMeta{IDs: []int64{25, 24, 23}, Page: 1, PerPage: 3, Pages: 9, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		{"filtered", paginate.Request{Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{"20"}}}}, pageMeta{IDs: span(21, 25), Page: 1, PerPage: 10, Pages: 1, Total: 5, Counted: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := p.Paginate(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, meta(page)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOffsetEmpty(t *testing.T) {
	p, err := paginate.NewOffset(memory(t, nil), itemSchema(t), paginate.OffsetConfig{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	page, err := p.Paginate(context.Background(), paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	want := pageMeta{IDs: []int64{}, Page: 1, PerPage: 10, Counted: true}
	if diff := cmp.Diff(want, meta(page)); diff != "" {
		t.Errorf("page 1 of nothing (-want +got):\n%s", diff)
	}
}

func TestOffsetErrors(t *testing.T) {
	ctx := context.Background()
	b := memory(t, numbered(25))
	cases := []struct {
		name  string
		cfg   paginate.OffsetConfig
		req   paginate.Request
		param string
		want  error
	}{
		{"strict past the end", paginate.OffsetConfig{Strict: true}, paginate.Request{Page: 4}, "page", paginate.ErrPageOutOfRange},
		{"negative page", paginate.OffsetConfig{}, paginate.Request{Page: -1}, "page", paginate.ErrInvalidPage},
		{"overflowing page", paginate.OffsetConfig{}, paginate.Request{Page: int(^uint(0) >> 1), PerPage: 100}, "page", paginate.ErrInvalidPage},
		{"too deep", paginate.OffsetConfig{MaxOffset: 100}, paginate.Request{Page: 12}, "page", paginate.ErrInvalidPage},
		{"negative per_page", paginate.OffsetConfig{}, paginate.Request{PerPage: -5}, "per_page", paginate.ErrInvalidPerPage},
		{"per_page over max rejected", paginate.OffsetConfig{RejectOverMax: true}, paginate.Request{PerPage: 101}, "per_page", paginate.ErrInvalidPerPage},
		{"unknown sort", paginate.OffsetConfig{}, paginate.Request{Sort: []paginate.SortKey{{Field: "secret"}}}, "sort", paginate.ErrInvalidSort},
		{"unknown filter", paginate.OffsetConfig{}, paginate.Request{Filters: []paginate.Filter{{Field: "disc", Values: []any{"1"}}}}, "disc", paginate.ErrInvalidFilter},
		{"bad filter value", paginate.OffsetConfig{}, paginate.Request{Filters: []paginate.Filter{{Field: "price", Op: paginate.Lt, Values: []any{"NaN"}}}}, "price[lt]", paginate.ErrInvalidFilter},
		{"unknown field", paginate.OffsetConfig{}, paginate.Request{Fields: []string{"id", "password"}}, "fields", paginate.ErrInvalidField},
		{"cursor on offset", paginate.OffsetConfig{}, paginate.Request{After: "abc"}, "after", paginate.ErrInvalidCursor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := paginate.NewOffset(b, itemSchema(t), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Paginate(ctx, tc.req)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			var pe *paginate.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("got %#v, want a ParamError for %q", pe, tc.param)
			}
		})
	}
}

// TestOffsetMaxOffsetBoundary checks that the deepest allowed page works.
func TestOffsetMaxOffsetBoundary(t *testing.T) {
	p, err := paginate.NewOffset(memory(t, numbered(25)), itemSchema(t), paginate.OffsetConfig{MaxOffset: 20})
	if err != nil {
		t.Fatal(err)
	}
	page, err := p.Paginate(context.Background(), paginate.Request{Page: 3})
	if err != nil {
		t.Fatalf("page 3 skips exactly MaxOffset rows: %v", err)
	}
	if diff := cmp.Diff(span(21, 25), ids(page.Items)); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func TestOffsetConfig(t *testing.T) {
	b := memory(t, nil)
	p, err := paginate.NewOffset(b, itemSchema(t), paginate.OffsetConfig{MaxPerPage: 5})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Config(); got.PerPage != 5 || got.MaxPerPage != 5 {
		t.Errorf("Config() = %+v, want PerPage 5 and MaxPerPage 5", got)
	}
	if _, err := paginate.NewOffset(b, itemSchema(t), paginate.OffsetConfig{PerPage: 50, MaxPerPage: 20}); err == nil {
		t.Error("NewOffset accepted PerPage above MaxPerPage")
	}
	if _, err := paginate.NewOffset[item](nil, itemSchema(t), paginate.OffsetConfig{}); err == nil {
		t.Error("NewOffset accepted a nil backend")
	}
}

// TestRequestErrorListsAll checks that every bad parameter is reported.
func TestRequestErrorListsAll(t *testing.T) {
	p, err := paginate.NewOffset(memory(t, nil), itemSchema(t), paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Paginate(context.Background(), paginate.Request{
		Page: -1, PerPage: -1,
		Sort:   []paginate.SortKey{{Field: "nope"}},
		Fields: []string{"nope"},
	})
	var re *paginate.RequestError
	if !errors.As(err, &re) {
		t.Fatalf("got %v, want *RequestError", err)
	}
	var got []string
	for _, p := range re.Params {
		got = append(got, p.Param)
	}
	want := []string{"per_page", "sort", "fields", "page"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	for _, s := range []error{paginate.ErrInvalidPage, paginate.ErrInvalidPerPage, paginate.ErrInvalidSort, paginate.ErrInvalidField} {
		if !errors.Is(err, s) {
			t.Errorf("errors.Is(err, %v) = false", s)
		}
	}
}

func TestSchemaOrder(t *testing.T) {
	s := itemSchema(t)
	names := func(orders []paginate.Order) []string {
		var out []string
		for _, o := range orders {
			out = append(out, o.Field.Name+" "+o.Dir.String())
		}
		return out
	}
	for _, tc := range []struct {
		keys []paginate.SortKey
		want []string
	}{
		{[]paginate.SortKey{{Field: "price", Dir: paginate.Desc}}, []string{"price desc", "id desc"}},
		{[]paginate.SortKey{{Field: "name"}, {Field: "price", Dir: paginate.Desc}}, []string{"name asc", "price desc", "id desc"}},
		{[]paginate.SortKey{{Field: "id"}, {Field: "name"}}, []string{"id asc"}},
		{[]paginate.SortKey{{Field: "name"}, {Field: "id", Dir: paginate.Desc}, {Field: "price"}}, []string{"name asc", "id desc"}},
	} {
		got, err := s.Order(tc.keys)
		if err != nil {
			t.Fatalf("Order(%v): %v", tc.keys, err)
		}
		if diff := cmp.Diff(tc.want, names(got)); diff != "" {
			t.Errorf("Order(%v) (-want +got):\n%s", tc.keys, diff)
		}
	}
	for _, bad := range [][]paginate.SortKey{nil, {{Field: "nope"}}, {{Field: "name"}, {Field: "name"}}} {
		if _, err := s.Order(bad); !errors.Is(err, paginate.ErrInvalidSort) {
			t.Errorf("Order(%v): %v, want ErrInvalidSort", bad, err)
		}
	}
}
