package bench

import (
	"context"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

// BenchmarkCount measures the full-table COUNT(*) on the floor
// (database/sql, prepared once), through sqlx (prepared and as text) and
// through the SQL backend's Count (impl=library).
func BenchmarkCount(b *testing.B) {
	ctx := context.Background()
	for _, dbc := range databases {
		b.Run("db="+dbc.name, func(b *testing.B) {
			d := dbc.open(b)
			type counter struct {
				name  string
				count func(context.Context) (int64, error)
			}
			var impls []counter
			for _, h := range handWritten(d) {
				impls = append(impls, counter{h.name, h.src.count})
			}
			impls = append(impls, counter{implLibrary, func(ctx context.Context) (int64, error) {
				return d.lib.backend.Count(ctx, paginate.Query{})
			}})
			for _, im := range impls {
				n, err := im.count(ctx)
				if err != nil {
					b.Fatalf("%s: %v", im.name, err)
				}
				if n != int64(d.rows) {
					b.Fatalf("%s: count = %d, want %d", im.name, n, d.rows)
				}
			}
			as := make([]approach, len(impls))
			for i, im := range impls {
				as[i] = approach{im.name, func() error {
					_, err := im.count(ctx)
					return err
				}}
			}
			timeApproaches(b, as)
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
			l := d.lib
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
