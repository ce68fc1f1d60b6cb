package paginate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

func TestParseShape(t *testing.T) {
	s := bookSchema()
	for _, tc := range []struct{ in, want string }{
		{"sort=-year", "sort=-year"},
		{"", "sort=-year"}, // the default sort
		{"sort=year,-id", "sort=year,-id"},
		{"sort=title,id", "sort=title"},
		{"year[lt]&sort=title&year[gte]", "sort=title&year[lt]&year[gte]"},
		{"sort=title&year[gte]&year[gte]", "sort=title&year[gte]"},
	} {
		sh, err := s.ParseShape(tc.in)
		if err != nil {
			t.Errorf("ParseShape(%q): %v", tc.in, err)
			continue
		}
		if got := sh.String(); got != tc.want {
			t.Errorf("ParseShape(%q) = %q, want %q", tc.in, got, tc.want)
		}
		again, err := s.ParseShape(sh.String())
		if err != nil || string(again.AppendKey(nil)) != string(sh.AppendKey(nil)) {
			t.Errorf("%q does not parse back to itself: %v", sh, err)
		}
	}
	for _, bad := range []string{"sort=nope", "sort=year&sort=title", "nope", "year[ne]", "title", "year[zz]", "sort="} {
		if _, err := s.ParseShape(bad); err == nil {
			t.Errorf("ParseShape(%q): no error", bad)
		}
	}
}

func TestShapeKeyDistinguishes(t *testing.T) {
	s := bookSchema()
	seen := map[string]string{}
	for _, text := range []string{"sort=year", "sort=-year", "sort=year,-id", "sort=title", "sort=year&year[lt]", "sort=year&year[gte]", "sort=year&year[gte]&year[lt]"} {
		for _, keyset := range []bool{false, true} {
			sh, err := s.ParseShape(text)
			if err != nil {
				t.Fatal(err)
			}
			sh.Keyset = keyset
			k := string(sh.AppendKey(nil))
			if prev, dup := seen[k]; dup {
				t.Errorf("%s (keyset %v) has the key of %s", text, keyset, prev)
			}
			seen[k] = text
		}
	}
}

// countingPolicy allows the shapes of an AllowList and counts the calls.
type countingPolicy struct {
	mu    sync.Mutex
	list  *paginate.AllowList
	calls []string
}

func (c *countingPolicy) Allow(ctx context.Context, s paginate.Shape) (bool, error) {
	c.mu.Lock()
	c.calls = append(c.calls, s.String())
	c.mu.Unlock()
	return c.list.Allow(ctx, s)
}

func TestShapePolicyRefuses(t *testing.T) {
	schema := bookSchema()
	backend, err := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	if err != nil {
		t.Fatal(err)
	}
	list, err := paginate.NewAllowList(schema,
		"sort=-year", "sort=year", "sort=-year&year[gte]", "sort=year&year[gte]", "sort=year&year[lt]", "sort=title")
	if err != nil {
		t.Fatal(err)
	}
	policy := &countingPolicy{list: list}
	offset, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{Shapes: policy})
	if err != nil {
		t.Fatal(err)
	}
	keyset, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}, Shapes: policy})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	year := func(op paginate.Op, v string) paginate.Filter {
		return paginate.Filter{Field: "year", Op: op, Values: []any{v}}
	}
	for _, tc := range []struct {
		name   string
		req    paginate.Request
		params map[string]string // param: a part of its reason
	}{
		{"default sort", paginate.Request{}, nil},
		{"listed", paginate.Request{Sort: []paginate.SortKey{{Field: "year"}}, Filters: []paginate.Filter{year(paginate.Lt, "2000")}}, nil},
		{"order not listed", paginate.Request{Sort: []paginate.SortKey{{Field: "title", Dir: paginate.Desc}}},
			map[string]string{"sort": "orders available: -year, year, title"}},
		{"filter not listed with the order", paginate.Request{Sort: []paginate.SortKey{{Field: "title"}}, Filters: []paginate.Filter{year(paginate.Gte, "1990")}},
			map[string]string{"year[gte]": "with sort=title; orders that take it: -year, year"}},
		{"filters not listed together", paginate.Request{Sort: []paginate.SortKey{{Field: "year"}}, Filters: []paginate.Filter{year(paginate.Gte, "1980"), year(paginate.Lt, "2000")}},
			map[string]string{"year[gte]": "together with sort=year", "year[lt]": "together with sort=year"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []paginate.Paginator[Book]{offset, keyset} {
				_, err := p.Paginate(ctx, tc.req)
				if tc.params == nil {
					if err != nil {
						t.Errorf("%T: %v", p, err)
					}
					continue
				}
				if !errors.Is(err, paginate.ErrShapeNotAllowed) {
					t.Fatalf("%T: %v, want ErrShapeNotAllowed", p, err)
				}
				var re *paginate.RequestError
				if !errors.As(err, &re) {
					t.Fatalf("%T: %T is not a *RequestError", p, err)
				}
				got := map[string]string{}
				for _, pe := range re.Params {
					got[pe.Param] = pe.Reason
				}
				for param, part := range tc.params {
					if !strings.Contains(got[param], part) {
						t.Errorf("%T: %s: reason %q lacks %q (all: %v)", p, param, got[param], part, got)
					}
				}
				if len(got) != len(tc.params) {
					t.Errorf("%T: params %v, want those of %v", p, got, tc.params)
				}
			}
		})
	}

	// The keyset paginator says so in the shape; the list ignores it.
	policy.calls = nil
	if _, err := keyset.Paginate(ctx, paginate.Request{}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"sort=-year"}, policy.calls); diff != "" {
		t.Errorf("policy calls (-want +got):\n%s", diff)
	}
}

// errPolicy fails every decision.
type errPolicy struct{ err error }

func (e errPolicy) Allow(context.Context, paginate.Shape) (bool, error) { return false, e.err }

func TestShapePolicyError(t *testing.T) {
	schema := bookSchema()
	backend, _ := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	boom := errors.New("boom")
	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{Shapes: errPolicy{boom}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Paginate(context.Background(), paginate.Request{})
	if !errors.Is(err, boom) || errors.Is(err, paginate.ErrShapeNotAllowed) {
		t.Errorf("got %v, want the policy's error", err)
	}
	// Invalid input is reported before the policy is asked.
	_, err = p.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "nope"}}})
	if !errors.Is(err, paginate.ErrInvalidSort) || errors.Is(err, boom) {
		t.Errorf("got %v, want ErrInvalidSort", err)
	}
}

func TestShapePolicies(t *testing.T) {
	schema := bookSchema()
	a, _ := paginate.NewAllowList(schema, "sort=year", "sort=title")
	b, _ := paginate.NewAllowList(schema, "sort=year", "sort=-year")
	both := paginate.ShapePolicies{a, b}
	for text, want := range map[string]bool{"sort=year": true, "sort=title": false, "sort=-year": false} {
		sh, _ := schema.ParseShape(text)
		got, err := both.Allow(context.Background(), sh)
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", text, got, err, want)
		}
	}
}

func TestTimings(t *testing.T) {
	schema := bookSchema()
	backend, _ := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	slow := slowBackend{Memory: backend, d: 2 * time.Millisecond}
	list, _ := paginate.NewAllowList(schema, "sort=-year")
	offset, err := paginate.NewOffset[Book](slow, schema, paginate.OffsetConfig{Shapes: list})
	if err != nil {
		t.Fatal(err)
	}
	keyset, err := paginate.NewKeyset[Book](slow, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}})
	if err != nil {
		t.Fatal(err)
	}
	var tm paginate.Timings
	ctx := paginate.WithTimings(context.Background(), &tm)
	if paginate.TimingsFrom(ctx) != &tm || paginate.TimingsFrom(context.Background()) != nil {
		t.Fatal("TimingsFrom does not return what WithTimings stored")
	}
	if _, err := offset.Paginate(ctx, paginate.Request{}); err != nil {
		t.Fatal(err)
	}
	if tm.Count < slow.d || tm.Fetch < slow.d || tm.Shape <= 0 || tm.Related != 0 {
		t.Errorf("offset page: %+v, want count and fetch of at least %v and a shape check", tm, slow.d)
	}
	tm = paginate.Timings{}
	if _, err := keyset.Paginate(ctx, paginate.Request{}); err != nil {
		t.Fatal(err)
	}
	if tm.Count != 0 || tm.Fetch < slow.d || tm.Shape != 0 {
		t.Errorf("keyset page without a policy: %+v, want a fetch alone", tm)
	}
	// Without a Timings in the context nothing is recorded, and nothing fails.
	if _, err := offset.Paginate(context.Background(), paginate.Request{}); err != nil {
		t.Fatal(err)
	}
}

// slowBackend is a Memory that takes d for each call.
type slowBackend struct {
	*paginate.Memory[Book]
	d time.Duration
}

func (s slowBackend) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[Book], error) {
	time.Sleep(s.d)
	return s.Memory.Fetch(ctx, q)
}

func (s slowBackend) Count(ctx context.Context, q paginate.Query) (int64, error) {
	time.Sleep(s.d)
	return s.Memory.Count(ctx, q)
}

// BenchmarkPaginateShapes measures what a shape policy and timings add to
// a page: none, an AllowList, a Timings in the context, both.
func BenchmarkPaginateShapes(b *testing.B) {
	schema := bookSchema()
	backend, _ := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	list, _ := paginate.NewAllowList(schema, "sort=-year&year[gte]", "sort=-year")
	req := paginate.Request{PerPage: 2, Filters: []paginate.Filter{{Field: "year", Op: paginate.Gte, Values: []any{int64(1980)}}}}
	for _, bc := range []struct {
		name   string
		policy paginate.ShapePolicy
		timed  bool
	}{{"off", nil, false}, {"allowlist", list, false}, {"timings", nil, true}, {"both", list, true}} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := paginate.NewKeyset(backend, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}, Shapes: bc.policy})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var tm paginate.Timings
			if bc.timed {
				ctx = paginate.WithTimings(ctx, &tm)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Paginate(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestEdgesShapePolicy: Keyset.Edges, which relay connections are made
// of, serves only the shapes the paginator's policy allows, as Paginate
// does, and times its phases.
func TestEdgesShapePolicy(t *testing.T) {
	schema := bookSchema()
	backend, _ := paginate.NewMemory(books, schema, paginate.MemoryConfig[Book]{})
	slow := slowBackend{Memory: backend, d: 2 * time.Millisecond}
	list, err := paginate.NewAllowList(schema, "sort=-year")
	if err != nil {
		t.Fatal(err)
	}
	keyset, err := paginate.NewKeyset[Book](slow, schema, paginate.KeysetConfig{Keys: [][]byte{[]byte(strings.Repeat("k", 32))}, Shapes: list})
	if err != nil {
		t.Fatal(err)
	}
	var tm paginate.Timings
	ctx := paginate.WithTimings(context.Background(), &tm)
	year := []paginate.SortKey{{Field: "year", Dir: paginate.Desc}}
	e, err := keyset.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{Sort: year, PerPage: 2}, Count: paginate.ExactCount{}})
	if err != nil || len(e.Items) != 2 {
		t.Fatalf("an allowed shape: %d items, %v", len(e.Items), err)
	}
	if tm.Shape <= 0 || tm.Count < slow.d || tm.Fetch < slow.d {
		t.Errorf("timings %+v, want a shape check, and a count and a fetch of at least %v", tm, slow.d)
	}
	_, err = keyset.Edges(ctx, paginate.EdgesRequest{Request: paginate.Request{Sort: []paginate.SortKey{{Field: "title"}}}})
	if !errors.Is(err, paginate.ErrShapeNotAllowed) {
		t.Errorf("a shape the policy refuses: %v, want ErrShapeNotAllowed", err)
	}
}
