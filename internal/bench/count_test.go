package bench

import (
	"context"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

// BenchmarkCount measures the full-table COUNT(*) hand-written (prepared
// and as text) and through the SQL backend's Count (impl=library).
func BenchmarkCount(b *testing.B) {
	ctx := context.Background()
	for _, dbc := range databases {
		b.Run("db="+dbc.name, func(b *testing.B) {
			d := dbc.open(b)
			f := floorOf(b, d)
			l := libraryOf(b, d)
			impls := []struct {
				name  string
				count func(context.Context) (int64, error)
			}{
				{"prepared", func(ctx context.Context) (int64, error) { return f.count(ctx, true) }},
				{"sqlx", func(ctx context.Context) (int64, error) { return f.count(ctx, false) }},
				{"library", func(ctx context.Context) (int64, error) { return l.backend.Count(ctx, paginate.Query{}) }},
			}
			for _, im := range impls {
				b.Run("impl="+im.name, func(b *testing.B) {
					n, err := im.count(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if n != int64(d.rows) {
						b.Fatalf("count = %d, want %d", n, d.rows)
					}
					loop(b, func() error {
						_, err := im.count(ctx)
						return err
					})
				})
			}
		})
	}
}

// BenchmarkCountStrategy measures the first offset page, 20 items, under
// each count strategy: none (no COUNT), exact (COUNT on every request),
// cached (the exact count kept in an in-process LRU: every timed request
// is a hit), capped (at most DefaultCountCap+1 rows counted) and
// estimated (the planner's estimate where the backend has one, else
// exact).
func BenchmarkCountStrategy(b *testing.B) {
	ctx := context.Background()
	for _, dbc := range databases {
		b.Run("db="+dbc.name, func(b *testing.B) {
			d := dbc.open(b)
			l := libraryOf(b, d)
			store, err := cache.NewLRU(cache.LRUConfig{})
			if err != nil {
				b.Fatal(err)
			}
			cached, err := cache.NewCount(paginate.ExactCount{}, cache.Config{Store: store, Name: "items", Variant: d.name, Shared: true})
			if err != nil {
				b.Fatal(err)
			}
			strategies := []struct {
				name     string
				strategy paginate.CountStrategy
			}{
				{"none", paginate.NoCount{}},
				{"exact", paginate.ExactCount{}},
				{"cached", cached},
				{"capped", paginate.CappedCount{}},
				{"estimated", paginate.EstimatedCount{}},
			}
			for _, s := range strategies {
				b.Run("count="+s.name, func(b *testing.B) {
					p, err := paginate.NewOffset(l.backend, l.schema, paginate.OffsetConfig{PerPage: perPage, Count: s.strategy})
					if err != nil {
						b.Fatal(err)
					}
					page, err := p.Paginate(ctx, paginate.Request{})
					if err != nil {
						b.Fatal(err)
					}
					if len(page.Items) != perPage || !page.HasNext {
						b.Fatalf("first page: %d items, has_next %v", len(page.Items), page.HasNext)
					}
					if s.name != "none" && (!page.Counted || page.Total <= 0) {
						b.Fatalf("count=%s: counted %v, total %d", s.name, page.Counted, page.Total)
					}
					loop(b, func() error {
						_, err := p.Paginate(ctx, paginate.Request{})
						return err
					})
				})
			}
		})
	}
}
