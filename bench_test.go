package paginate_test

import (
	"context"
	"testing"

	"github.com/go-paginate/paginate"
)

// BenchmarkKeysetOverhead measures what the keyset paginator adds to a
// backend's fetch: request checks, cursor verification and signing.
func BenchmarkKeysetOverhead(b *testing.B) {
	p := keyset(b, memory(b, numbered(50)), paginate.KeysetConfig{PerPage: 20})
	ctx := context.Background()
	first, err := p.Paginate(ctx, paginate.Request{})
	if err != nil {
		b.Fatal(err)
	}
	req := paginate.Request{After: first.NextCursor}
	b.ReportAllocs()
	for b.Loop() {
		page, err := p.Paginate(ctx, req)
		if err != nil || len(page.Items) != 20 {
			b.Fatalf("%d items, %v", len(page.Items), err)
		}
	}
}

// BenchmarkKeysetOverheadFiltered is BenchmarkKeysetOverhead for a
// request with filters, whose cursor binding covers the filters' values.
func BenchmarkKeysetOverheadFiltered(b *testing.B) {
	p := keyset(b, memory(b, numbered(200)), paginate.KeysetConfig{PerPage: 20})
	ctx := context.Background()
	filters := []paginate.Filter{
		{Field: "price", Op: paginate.Gte, Values: []any{"1"}},
		{Field: "name", Op: paginate.Ne, Values: []any{"q"}},
	}
	first, err := p.Paginate(ctx, paginate.Request{Filters: filters})
	if err != nil {
		b.Fatal(err)
	}
	req := paginate.Request{After: first.NextCursor, Filters: filters}
	b.ReportAllocs()
	for b.Loop() {
		page, err := p.Paginate(ctx, req)
		if err != nil || len(page.Items) != 20 {
			b.Fatalf("%d items, %v", len(page.Items), err)
		}
	}
}
