package cache_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

// A cache without Config.Scope or Config.Shared caches nothing for a
// request without a scope: two tenants' unscoped requests never share a
// page or a count, and the first such request is logged.
func TestNoScopeNotCached(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	store := newLRU(t, cache.LRUConfig{})
	cfg := cache.Config{Store: store, Name: "items", Logger: logger}

	t.Run("pages", func(t *testing.T) {
		logs.Reset()
		a, b := newCounting(t, numbered(25)), newCounting(t, numbered(3))
		pa := newPages(t, offset(t, a, nil), cfg)
		pb := newPages(t, offset(t, b, nil), cfg)
		for range 2 {
			if got := paginateOK(t, ctx, pa, paginate.Request{}).Total; got != 25 {
				t.Errorf("tenant A: total %d, want 25", got)
			}
			if got := paginateOK(t, ctx, pb, paginate.Request{}); got.Total != 3 || len(got.Items) != 3 {
				t.Errorf("tenant B: total %d, %d items; want its own 3 rows", got.Total, len(got.Items))
			}
		}
		if a.fetches.Load() != 2 || b.fetches.Load() != 2 {
			t.Errorf("fetches %d and %d, want 2 and 2: nothing cached", a.fetches.Load(), b.fetches.Load())
		}
		if store.Len() != 0 {
			t.Errorf("%d entries stored, want 0", store.Len())
		}
		if n := strings.Count(logs.String(), "without a scope"); n != 2 {
			t.Errorf("logged %d times, want once per cache:\n%s", n, logs.String())
		}
	})

	t.Run("counts", func(t *testing.T) {
		b := newCounting(t, numbered(25))
		p := offset(t, b, newCount(t, nil, cfg))
		for range 3 {
			paginateOK(t, ctx, p, paginate.Request{})
		}
		if n := b.counts.Load(); n != 3 {
			t.Errorf("%d counts, want 3", n)
		}
		// Concurrent unscoped requests do not share a count either.
		b.counts.Store(0)
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { paginateOK(t, ctx, p, paginate.Request{}) })
		}
		wg.Wait()
		if n := b.counts.Load(); n != 5 {
			t.Errorf("5 concurrent unscoped requests ran %d counts, want 5", n)
		}
		// With a scope, the same cache caches.
		b.counts.Store(0)
		for range 3 {
			paginateOK(t, cache.WithScope(ctx, "tenant-a"), p, paginate.Request{})
		}
		if n := b.counts.Load(); n != 1 {
			t.Errorf("scoped: %d counts, want 1", n)
		}
	})

	t.Run("shared", func(t *testing.T) {
		b := newCounting(t, numbered(25))
		shared := cfg
		shared.Shared = true
		p := newPages(t, offset(t, b, nil), shared)
		for range 3 {
			paginateOK(t, ctx, p, paginate.Request{})
		}
		if n := b.fetches.Load(); n != 1 {
			t.Errorf("Shared: %d fetches, want 1", n)
		}
	})
}
