package paginatetest

import (
	"fmt"
	"time"

	"github.com/go-paginate/paginate"
)

// testFetch holds the backend to the contract of Backend.Fetch and
// Backend.Count directly, with queries a paginator builds and some it
// does not (positions between rows, offsets with positions): at most
// Limit rows, Offset rows skipped, one key slice per item with one value
// per sort field and nil exactly for NULL, and the rows the reference
// returns. Count is checked through the totals of offset pages.
func (s *suite) testFetch(t tester, fx *fixture) {
	field := func(name string) paginate.Field {
		f, ok := s.schema.Field(name)
		if !ok {
			panic("paginatetest: unknown field " + name)
		}
		return f
	}
	asc := func(name string) paginate.Order { return paginate.Order{Field: field(name)} }
	desc := func(name string) paginate.Order { return paginate.Order{Field: field(name), Dir: paginate.Desc} }
	cond := func(name string, op paginate.Op, vals ...any) paginate.Condition {
		return paginate.Condition{Field: field(name), Op: op, Values: vals}
	}
	queries := []paginate.Query{
		{Sort: []paginate.Order{asc("id")}, Limit: 3},
		{Sort: []paginate.Order{asc("id")}, Limit: 3, Keys: true},
		{Sort: []paginate.Order{desc("score"), asc("id")}, Limit: 7, Offset: 30, Keys: true},
		{Sort: []paginate.Order{asc("score"), desc("id")}, Limit: 100, Keys: true},
		{Sort: []paginate.Order{asc("score"), asc("id")}, Limit: 5, Keys: true, After: []any{int64(4), int64(0)}},
		{Sort: []paginate.Order{desc("score"), asc("id")}, Limit: 5, Keys: true, After: []any{nil, int64(-1000)}},
		{Sort: []paginate.Order{asc("note"), desc("price"), asc("id")}, Limit: 4, Keys: true, After: []any{"d", 0.5, int64(0)}},
		{Sort: []paginate.Order{desc("created_at"), asc("id")}, Limit: 4, Offset: 2, Keys: true, After: []any{epoch.Add(5 * time.Minute), int64(0)}},
		{Sort: []paginate.Order{asc("tag"), asc("id")}, Limit: 6, Keys: true, Filters: []paginate.Condition{cond("score", paginate.Ne, int64(3))}},
		{Sort: []paginate.Order{asc("amount"), asc("id")}, Limit: 60, Keys: true, Fields: []paginate.Field{field("name")}},
		{Sort: []paginate.Order{asc("id")}, Limit: 10, Offset: 1000},
	}
	for i, q := range queries {
		after := "none"
		if q.After != nil {
			after = fmt.Sprint(q.After...)
		}
		what := fmt.Sprintf("query %d (sort %s, limit %d, offset %d, after %s, %d filters)", i, orders(q.Sort), q.Limit, q.Offset, after, len(q.Filters))
		want, err := fx.mem.Fetch(s.ctx, q)
		if err != nil {
			t.Fatalf("reference, %s: %v", what, err)
			return
		}
		got, err := fx.backend.Fetch(s.ctx, q)
		if err != nil {
			t.Errorf("Fetch, %s: %v", what, err)
			continue
		}
		if len(got.Items) > q.Limit {
			t.Errorf("Fetch, %s: %d rows, more than the limit", what, len(got.Items))
		}
		if d := pageDiff(view{Items: want.Items}, paginate.Page[Row]{Items: got.Items}); d != "" {
			t.Errorf("Fetch, %s: %s", what, d)
		}
		if !q.Keys {
			continue
		}
		if len(got.Keys) != len(got.Items) {
			t.Errorf("Fetch, %s: %d key slices for %d rows", what, len(got.Keys), len(got.Items))
			continue
		}
		for j, k := range got.Keys {
			if len(k) != len(q.Sort) {
				t.Errorf("Fetch, %s: row %d has %d key values for %d sort fields", what, j, len(k), len(q.Sort))
				break
			}
			if j >= len(want.Keys) {
				break
			}
			for c, v := range k {
				if (v == nil) != (want.Keys[j][c] == nil) {
					t.Errorf("Fetch, %s: row %d, key %s: got %v, want %v", what, j, q.Sort[c].Field.Name, v, want.Keys[j][c])
				}
			}
		}
	}
}

func orders(sort []paginate.Order) string {
	keys := make([]paginate.SortKey, len(sort))
	for i, o := range sort {
		keys[i] = paginate.SortKey{Field: o.Field.Name, Dir: o.Dir}
	}
	return formatSort(keys)
}

// testCounting pages with each count strategy but the planner's estimate
// and compares every page with the reference's under the same strategy;
// a backend that implements paginate.AtMostCounter is also asked
// directly.
func (s *suite) testCounting(t tester, fx *fixture) {
	if ac, ok := fx.backend.(paginate.AtMostCounter); ok {
		score, _ := s.schema.Field("score")
		for _, q := range []paginate.Query{
			{},
			{Filters: []paginate.Condition{{Field: score, Op: paginate.Gte, Values: []any{int64(0)}}}},
		} {
			all, err := fx.mem.Count(s.ctx, q)
			if err != nil {
				t.Fatalf("reference: %v", err)
				return
			}
			for _, limit := range []int64{1, all - 1, all, all + 1, 1000} {
				if got, err := ac.CountAtMost(s.ctx, q, limit); err != nil || got != min(all, limit) {
					t.Errorf("CountAtMost(%d) with %d filters: got %d, %v; want %d", limit, len(q.Filters), got, err, min(all, limit))
				}
			}
		}
	}
	strategies := []paginate.CountStrategy{
		paginate.NoCount{}, paginate.CappedCount{Max: 20}, paginate.CappedCount{Max: DatasetSize - 1},
		paginate.CappedCount{Max: DatasetSize}, paginate.ExactCount{},
	}
	for _, cs := range strategies {
		name := fmt.Sprint(cs)
		if c, ok := cs.(paginate.CappedCount); ok {
			name = fmt.Sprintf("capped_%d", c.Max)
		}
		t.run(name, func(t tester) {
			cfg := paginate.OffsetConfig{Count: cs}
			got, err := paginate.NewOffset(fx.backend, s.schema, cfg)
			if err != nil {
				t.Fatalf("NewOffset: %v", err)
				return
			}
			want, err := paginate.NewOffset[Row](fx.mem, s.schema, cfg)
			if err != nil {
				t.Fatalf("reference: %v", err)
				return
			}
			for _, sp := range []spec{
				{sort: mustSort("-score,name"), perPage: 13},
				{sort: mustSort("price"), perPage: 5, filters: []paginate.Filter{{Field: "score", Op: paginate.Gte, Values: []any{0}}}},
			} {
				for _, k := range []int{1, 2, 3, 4, 5, 6, 11, 12, 30} {
					req := sp.request()
					req.Page = k
					w, err := want.Paginate(s.ctx, req)
					if err != nil {
						t.Fatalf("reference, offset %s page %d: %v", sp, k, err)
						return
					}
					g, err := got.Paginate(s.ctx, req)
					if err != nil {
						t.Errorf("offset %s page %d, count %s: %v", sp, k, name, err)
						continue
					}
					if d := pageDiff(viewOf(w), g); d != "" {
						t.Errorf("offset %s page %d, count %s: %s", sp, k, name, d)
					}
				}
			}
		})
	}
}
