package paginate_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

var testKey = []byte("test-key-test-key-test-key-test-key!")

func keyset(t testing.TB, b paginate.Backend[item], cfg paginate.KeysetConfig) *paginate.Keyset[item] {
	t.Helper()
	if cfg.Keys == nil {
		cfg.Keys = [][]byte{testKey}
	}
	p, err := paginate.NewKeyset(b, itemSchema(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestKeysetPages walks 25 rows forward to the last page and back to the
// first, each page's request taking its cursor from the page before.
func TestKeysetPages(t *testing.T) {
	ctx := context.Background()
	p := keyset(t, memory(t, numbered(25)), paginate.KeysetConfig{})
	middle := pageMeta{IDs: span(11, 20), PerPage: 10, HasNext: true, HasPrev: true, NextCursor: true, PrevCursor: true}
	first := pageMeta{IDs: span(1, 10), PerPage: 10, HasNext: true, NextCursor: true}
	var prev paginate.Page[item]
	for _, step := range []struct {
		name string
		req  func(prev paginate.Page[item]) paginate.Request
		want pageMeta
	}{
		{"first page", func(paginate.Page[item]) paginate.Request { return paginate.Request{} }, first},
		{"second page", after, middle},
		{"last page", after, pageMeta{IDs: span(21, 25), PerPage: 10, HasPrev: true, PrevCursor: true}},
		{"back from the last page", before, middle},
		{"back at the start", before, first},
	} {
		page, err := p.Paginate(ctx, step.req(prev))
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if diff := gocmp.Diff(step.want, meta(page)); diff != "" {
			t.Fatalf("%s (-want +got):\n%s", step.name, diff)
		}
		prev = page
	}
}

// after asks for the page after prev; before, for the page before it.
func after(prev paginate.Page[item]) paginate.Request {
	return paginate.Request{After: prev.NextCursor}
}
func before(prev paginate.Page[item]) paginate.Request {
	return paginate.Request{Before: prev.PrevCursor}
}

// TestKeysetEmptyPageTurnsBack checks that a page that comes out empty (its
// rows were deleted) still lets the client go back.
func TestKeysetEmptyPageTurnsBack(t *testing.T) {
	ctx := context.Background()
	all := numbered(10)
	p := keyset(t, memory(t, all), paginate.KeysetConfig{PerPage: 5})
	first, err := p.Paginate(ctx, paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	// The rows after the first page are deleted.
	shrunk := keyset(t, memory(t, all[:5]), paginate.KeysetConfig{PerPage: 5})
	empty, err := shrunk.Paginate(ctx, paginate.Request{After: first.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	want := pageMeta{IDs: []int64{}, PerPage: 5, HasPrev: true, PrevCursor: true}
	if diff := gocmp.Diff(want, meta(empty)); diff != "" {
		t.Fatalf("empty page (-want +got):\n%s", diff)
	}
	back, err := shrunk.Paginate(ctx, paginate.Request{Before: empty.PrevCursor})
	if err != nil {
		t.Fatal(err)
	}
	if diff := gocmp.Diff(span(1, 5), ids(back.Items)); diff != "" {
		t.Errorf("page before the empty one (-want +got):\n%s", diff)
	}
}

func TestKeysetCursorErrors(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	b := memory(t, numbered(30))
	p := keyset(t, b, paginate.KeysetConfig{Now: clock})
	first, err := p.Paginate(ctx, paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	next := first.NextCursor
	otherKey := keyset(t, b, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}, Now: clock})
	forged, err := otherKey.Paginate(ctx, paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	filtered := []paginate.Filter{{Field: "price", Op: paginate.Gte, Values: []any{"1"}}}
	byName := []paginate.SortKey{{Field: "name"}}
	aged := keyset(t, b, paginate.KeysetConfig{MaxAge: time.Hour, Now: func() time.Time { return now.Add(2 * time.Hour) }})
	short := keyset(t, b, paginate.KeysetConfig{MaxCursorLen: len(next) - 1, Now: clock})
	timed := keyset(t, b, paginate.KeysetConfig{MaxAge: 2 * time.Hour, Now: clock})
	timedFirst, err := timed.Paginate(ctx, paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	past := keyset(t, b, paginate.KeysetConfig{MaxAge: 2 * time.Hour, Now: func() time.Time { return now.Add(-time.Hour) }})

	cases := []struct {
		name  string
		p     *paginate.Keyset[item]
		req   paginate.Request
		param string
	}{
		{"malformed", p, paginate.Request{After: "%%%"}, "after"},
		{"truncated", p, paginate.Request{After: next[:len(next)-4]}, "after"},
		{"forged", p, paginate.Request{After: forged.NextCursor}, "after"},
		{"other sort", p, paginate.Request{After: next, Sort: byName}, "after"},
		{"other filters", p, paginate.Request{After: next, Filters: filtered}, "after"},
		{"as before, other sort", p, paginate.Request{Before: next, Sort: byName}, "before"},
		{"both", p, paginate.Request{After: next, Before: next}, "before"},
		{"expired", aged, paginate.Request{After: timedFirst.NextCursor}, "after"},
		{"no issue time, expiring", aged, paginate.Request{After: next}, "after"},
		{"too long", short, paginate.Request{After: next}, "after"},
		{"issued in the future", past, paginate.Request{After: timedFirst.NextCursor}, "after"},
		{"huge", p, paginate.Request{After: strings.Repeat("A", 100_000)}, "after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.Paginate(ctx, tc.req)
			if !errors.Is(err, paginate.ErrInvalidCursor) {
				t.Fatalf("got %v, want ErrInvalidCursor", err)
			}
			var pe *paginate.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("got %v, want a ParamError for %q", err, tc.param)
			}
		})
	}

	// The same cursor still works where it belongs, also under a rotated
	// key set whose first key is new.
	rotated := keyset(t, b, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("n", 32)), testKey}, Now: clock})
	for _, q := range []*paginate.Keyset[item]{p, rotated} {
		page, err := q.Paginate(ctx, paginate.Request{After: next})
		if err != nil {
			t.Fatalf("valid cursor rejected: %v", err)
		}
		if diff := gocmp.Diff(span(11, 20), ids(page.Items)); diff != "" {
			t.Errorf("page after the first (-want +got):\n%s", diff)
		}
	}
	// Filters given in another order keep cursors valid.
	two := []paginate.Filter{filtered[0], {Field: "price", Op: paginate.Lt, Values: []any{"6"}}}
	fp, err := p.Paginate(ctx, paginate.Request{Filters: two, PerPage: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Paginate(ctx, paginate.Request{Filters: []paginate.Filter{two[1], two[0]}, After: fp.NextCursor}); err != nil {
		t.Errorf("reordered filters rejected the cursor: %v", err)
	}
}

func TestKeysetConfigErrors(t *testing.T) {
	b := memory(t, nil)
	for name, cfg := range map[string]paginate.KeysetConfig{
		"no keys":     {},
		"short key":   {Keys: [][]byte{[]byte("short")}},
		"negative":    {Keys: [][]byte{testKey}, MaxAge: -1},
		"per page":    {Keys: [][]byte{testKey}, PerPage: 200},
		"negative pp": {Keys: [][]byte{testKey}, PerPage: -1},
	} {
		if _, err := paginate.NewKeyset(b, itemSchema(t), cfg); err == nil {
			t.Errorf("%s: NewKeyset accepted %+v", name, cfg)
		}
	}
}

func TestKeysetRejectsPageNumbers(t *testing.T) {
	p := keyset(t, memory(t, numbered(3)), paginate.KeysetConfig{})
	_, err := p.Paginate(context.Background(), paginate.Request{Page: 2})
	if !errors.Is(err, paginate.ErrInvalidPage) {
		t.Fatalf("got %v, want ErrInvalidPage", err)
	}
}

// randomItems makes n items whose sort fields have many duplicates and
// NULLs.
func randomItems(r *rand.Rand, n int) []item {
	names := []string{"a", "B", "b", "é", "日本", "", "zz"}
	items := make([]item, n)
	for i := range items {
		items[i] = item{ID: int64(r.IntN(1_000_000)*64 + i), Name: names[r.IntN(len(names))], Price: float64(r.IntN(4)) / 3}
		if r.IntN(8) == 0 {
			items[i].Price = []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[r.IntN(3)]
		}
		if r.IntN(3) > 0 {
			d := []float64{0.1, 1.1, 2.1, math.NaN(), math.Inf(1)}[r.IntN(5)]
			items[i].Disc = &d
		}
	}
	return items
}

// reference sorts items by an independent comparator: the order a walk must
// produce.
func reference(items []item, sort []paginate.SortKey, nulls paginate.NullOrder) []int64 {
	sorted := slices.Clone(items)
	field := func(it item, name string) (v float64, s string, null bool) {
		switch name {
		case "id":
			return float64(it.ID), "", false
		case "name":
			return 0, it.Name, false
		case "price":
			return it.Price, "", false
		}
		if it.Disc == nil {
			return 0, "", true
		}
		return *it.Disc, "", false
	}
	keys := slices.Clone(sort)
	if !slices.ContainsFunc(keys, func(k paginate.SortKey) bool { return k.Field == "id" }) {
		keys = append(keys, paginate.SortKey{Field: "id", Dir: keys[len(keys)-1].Dir})
	}
	slices.SortFunc(sorted, func(a, b item) int {
		for _, k := range keys {
			av, as, an := field(a, k.Field)
			bv, bs, bn := field(b, k.Field)
			var c int
			switch {
			case an && bn:
			case an || bn:
				c = -1
				if bn {
					c = 1
				}
				if nulls == paginate.NullsLargest {
					c = -c
				}
			default:
				c = cmp.Or(compareFloats(av, bv), strings.Compare(as, bs))
			}
			if k.Dir == paginate.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	return ids(sorted)
}

// TestKeysetModel walks random data in random orders forward to the end and
// back to the start, checking the walk against the reference order.
func TestKeysetModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	const cases = 300
	for c := range cases {
		s := seed + uint64(c)
		r := rand.New(rand.NewPCG(s, 0))
		fields := []string{"name", "price", "disc", "id"}
		r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
		var sort []paginate.SortKey
		for _, f := range fields[:1+r.IntN(len(fields))] {
			sort = append(sort, paginate.SortKey{Field: f, Dir: paginate.Direction(r.IntN(2))})
		}
		mc := newModelCase(t, r, sort, 60)
		desc := fmt.Sprintf("seed %d (case %d of run seed %d): %s", s, c, seed, mc)
		if err := walkBothWays(mc.p, sort, mc.want); err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
	}
}

// modelCase is one random case of the model tests: up to a number of
// random items in a Memory with a random NULL order, a keyset paginator
// over it with a random page size, and the ids in sort's order by the
// reference.
type modelCase struct {
	p       *paginate.Keyset[item]
	want    []int64
	items   int
	sort    []paginate.SortKey
	nulls   paginate.NullOrder
	perPage int
}

func newModelCase(t *testing.T, r *rand.Rand, sort []paginate.SortKey, maxItems int) modelCase {
	t.Helper()
	mc := modelCase{sort: sort, nulls: paginate.NullOrder(r.IntN(2))}
	items := randomItems(r, r.IntN(maxItems))
	mc.items, mc.perPage = len(items), 1+r.IntN(7)
	m, err := paginate.NewMemory(items, itemSchema(t), paginate.MemoryConfig[item]{Nulls: mc.nulls})
	if err != nil {
		t.Fatal(err)
	}
	mc.p = keyset(t, m, paginate.KeysetConfig{PerPage: mc.perPage})
	mc.want = reference(items, sort, mc.nulls)
	return mc
}

// String describes the case for a failure message.
func (mc modelCase) String() string {
	return fmt.Sprintf("%d items, sort %v, %s, per_page %d", mc.items, mc.sort, mc.nulls, mc.perPage)
}

// walkBothWays walks forward from the first page to the last, then back
// from the last to the first, checking each direction's items and flags.
func walkBothWays(p paginate.Paginator[item], sort []paginate.SortKey, want []int64) error {
	ctx := context.Background()
	req := paginate.Request{Sort: sort}
	var got []int64
	var last paginate.Page[item]
	for n := 0; ; n++ {
		if n > len(want)+1 {
			return fmt.Errorf("forward walk does not end")
		}
		page, err := p.Paginate(ctx, req)
		if err != nil {
			return fmt.Errorf("forward page %d: %w", n, err)
		}
		if page.HasPrev != (n > 0) {
			return fmt.Errorf("forward page %d: HasPrev = %v", n, page.HasPrev)
		}
		if len(page.Items) > page.PerPage || (page.HasNext && len(page.Items) != page.PerPage) {
			return fmt.Errorf("forward page %d: %d items of %d, HasNext %v", n, len(page.Items), page.PerPage, page.HasNext)
		}
		got = append(got, ids(page.Items)...)
		last = page
		if !page.HasNext {
			break
		}
		req = paginate.Request{Sort: sort, After: page.NextCursor}
	}
	if diff := gocmp.Diff(want, got, emptyIsNil); diff != "" {
		return fmt.Errorf("forward walk (-want +got):\n%s", diff)
	}
	back := ids(last.Items)
	for n := 0; last.HasPrev; n++ {
		if n > len(want)+1 {
			return fmt.Errorf("backward walk does not end")
		}
		page, err := p.Paginate(ctx, paginate.Request{Sort: sort, Before: last.PrevCursor})
		if err != nil {
			return fmt.Errorf("backward page %d: %w", n, err)
		}
		if !page.HasNext || page.NextCursor == "" {
			return fmt.Errorf("backward page %d: no next page", n)
		}
		if page.HasPrev && len(page.Items) != page.PerPage {
			return fmt.Errorf("backward page %d: %d items of %d with HasPrev", n, len(page.Items), page.PerPage)
		}
		back = append(ids(page.Items), back...)
		last = page
	}
	if diff := gocmp.Diff(want, back, emptyIsNil); diff != "" {
		return fmt.Errorf("backward walk (-want +got):\n%s", diff)
	}
	return nil
}

var emptyIsNil = gocmp.Comparer(func(a, b []int64) bool { return slices.Equal(a, b) })

// TestKeysetNaNAndInfinities walks float sorts whose values include NaN
// and the infinities, which PostgreSQL stores and orders (NaN above
// +Infinity), with ties and NULLs, both ways and in both directions.
func TestKeysetNaNAndInfinities(t *testing.T) {
	items := numbered(12)
	nan, inf := math.NaN(), math.Inf(1)
	for i, x := range []float64{inf, nan, 1, -inf, nan, 2, inf, -inf, nan, 0, 1, nan} {
		items[i].Price = x
		if i%3 != 0 {
			items[i].Disc = &items[i].Price
		}
	}
	for _, nulls := range []paginate.NullOrder{paginate.NullsSmallest, paginate.NullsLargest} {
		m, err := paginate.NewMemory(items, itemSchema(t), paginate.MemoryConfig[item]{Nulls: nulls})
		if err != nil {
			t.Fatal(err)
		}
		for _, sort := range [][]paginate.SortKey{
			{{Field: "price"}},
			{{Field: "price", Dir: paginate.Desc}},
			{{Field: "disc", Dir: paginate.Desc}, {Field: "price"}},
			{{Field: "disc"}, {Field: "id", Dir: paginate.Desc}},
		} {
			for _, perPage := range []int{1, 2, 5} {
				p := keyset(t, m, paginate.KeysetConfig{PerPage: perPage})
				want := reference(items, sort, nulls)
				if err := walkBothWays(p, sort, want); err != nil {
					t.Fatalf("%v, sort %v, per_page %d: %v", nulls, sort, perPage, err)
				}
			}
		}
	}
	// The order itself, written out: NaN above +Infinity.
	want := []int64{4, 8, 10, 3, 11, 6, 1, 7, 2, 5, 9, 12}
	if got := reference(items, []paginate.SortKey{{Field: "price"}}, paginate.NullsSmallest); !slices.Equal(got, want) {
		t.Fatalf("reference order %v, want %v", got, want)
	}

	// Filter values must be finite: a 400, whether text or typed.
	p := keyset(t, memory(t, items), paginate.KeysetConfig{})
	for _, v := range []any{inf, -inf, nan, float32(nan), "NaN", "Infinity", "-Inf"} {
		_, err := p.Paginate(context.Background(), paginate.Request{Filters: []paginate.Filter{{Field: "price", Op: paginate.Lt, Values: []any{v}}}})
		var pe *paginate.ParamError
		if !errors.Is(err, paginate.ErrInvalidFilter) || !errors.As(err, &pe) || pe.Param != "price[lt]" {
			t.Errorf("filter price < %v: got %v, want ErrInvalidFilter for price[lt]", v, err)
		}
	}
}

// compareFloats orders floats as PostgreSQL does: NaN equals NaN and sorts
// above every other value.
func compareFloats(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// TestKeysetLastCursor starts random walks from the end: the last page by
// Page.LastCursor (the same cursor as Keyset.LastCursor) holds the final
// rows of the order with no next page, and walking back from it through
// PrevCursor sees every row exactly once.
func TestKeysetLastCursor(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	for c := range 200 {
		s := seed + uint64(c)
		r := rand.New(rand.NewPCG(s, 0))
		sort := []paginate.SortKey{{Field: []string{"name", "price", "disc", "id"}[r.IntN(4)], Dir: paginate.Direction(r.IntN(2))}}
		mc := newModelCase(t, r, sort, 40)
		p, want, perPage := mc.p, mc.want, mc.perPage
		desc := fmt.Sprintf("seed %d: %s", s, mc)

		first, err := p.Paginate(ctx, paginate.Request{Sort: sort})
		if err != nil {
			t.Fatalf("%s: first page: %v", desc, err)
		}
		lastCursor, err := p.LastCursor(paginate.Request{Sort: sort, PerPage: 3, After: first.NextCursor})
		if err != nil {
			t.Fatalf("%s: LastCursor: %v", desc, err)
		}
		if first.LastCursor == "" || first.LastCursor != lastCursor {
			t.Fatalf("%s: Page.LastCursor %q, Keyset.LastCursor %q", desc, first.LastCursor, lastCursor)
		}
		page, err := p.Paginate(ctx, paginate.Request{Sort: sort, Before: lastCursor})
		if err != nil {
			t.Fatalf("%s: last page: %v", desc, err)
		}
		tail := want[max(0, len(want)-perPage):]
		if diff := gocmp.Diff(tail, ids(page.Items), emptyIsNil); diff != "" {
			t.Fatalf("%s: last page (-want +got):\n%s", desc, diff)
		}
		if page.HasNext || page.NextCursor != "" || page.HasPrev != (len(want) > perPage) {
			t.Fatalf("%s: last page HasNext %v NextCursor %q HasPrev %v", desc, page.HasNext, page.NextCursor, page.HasPrev)
		}
		got := ids(page.Items)
		for n := 0; page.HasPrev; n++ {
			if n > len(want) {
				t.Fatalf("%s: backward walk from the end does not end", desc)
			}
			if page, err = p.Paginate(ctx, paginate.Request{Sort: sort, Before: page.PrevCursor}); err != nil {
				t.Fatalf("%s: backward page %d: %v", desc, n, err)
			}
			got = append(ids(page.Items), got...)
		}
		if diff := gocmp.Diff(want, got, emptyIsNil); diff != "" {
			t.Fatalf("%s: backward walk from the end (-want +got):\n%s", desc, diff)
		}
	}
}

func TestKeysetLastCursorBadSort(t *testing.T) {
	p := keyset(t, memory(t, numbered(5)), paginate.KeysetConfig{})
	_, err := p.LastCursor(paginate.Request{Sort: []paginate.SortKey{{Field: "nope"}}})
	if !errors.Is(err, paginate.ErrInvalidSort) {
		t.Fatalf("LastCursor with an unknown sort field: %v, want ErrInvalidSort", err)
	}
}
