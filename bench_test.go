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
