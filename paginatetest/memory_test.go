package paginatetest_test

import (
	"context"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/paginatetest"
)

// TestConformanceMemory runs the suite against the in-memory backend, with
// NULLs sorting on either side.
func TestConformanceMemory(t *testing.T) {
	for _, nulls := range []paginate.NullOrder{paginate.NullsSmallest, paginate.NullsLargest} {
		t.Run(nulls.String(), func(t *testing.T) {
			t.Parallel()
			paginatetest.Run(t, paginatetest.Harness{
				New: func(_ context.Context, schema *paginate.Schema, rows []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
					return paginate.NewMemory(rows, schema, paginate.MemoryConfig[paginatetest.Row]{Nulls: nulls})
				},
				NewRelated: func(_ context.Context, schema *paginate.Schema, d paginatetest.Related) (paginate.Backend[paginatetest.Item], error) {
					return paginate.NewMemory(d.Items, schema, paginate.MemoryConfig[paginatetest.Item]{
						Nulls:   nulls,
						Related: map[string]any{"seller": d.Sellers, "reviews": d.Reviews, "top_reviews": d.Reviews},
					})
				},
			})
		})
	}
}
