package cache_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

func newPages(tb testing.TB, p paginate.Paginator[item], cfg cache.Config) *cache.Pages[item] {
	tb.Helper()
	c, err := cache.NewPages(p, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestPages(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	store := newLRU(t, cache.LRUConfig{Now: clk.Now})
	items := numbered(25)
	items[3].Tags = []string{"x", "y"}
	items[4].Tags = []string{}
	b := newCounting(t, items)
	inner := offset(t, b, nil)
	p := newPages(t, inner, cache.Config{Store: store, Name: "items", Shared: true, TTL: time.Minute})

	first, err := inner.Paginate(ctx, paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	b.fetches.Store(0)
	b.counts.Store(0)

	steps := []struct {
		name        string
		req         paginate.Request
		wantFetches int64
	}{
		{"first request", paginate.Request{}, 1},
		{"same request", paginate.Request{}, 1},
		{"another page", paginate.Request{Page: 2}, 2},
		{"filters", paginate.Request{Filters: []paginate.Filter{gt(2), named("b")}}, 3},
		{"filters in another order", paginate.Request{Filters: []paginate.Filter{named("b"), gt(2)}}, 3},
		{"another sort", paginate.Request{Sort: []paginate.SortKey{{Field: "name"}}}, 4},
		{"another page size", paginate.Request{PerPage: 5}, 5},
		{"fields", paginate.Request{Fields: []string{"id"}}, 6},
	}
	for _, s := range steps {
		paginateOK(t, ctx, p, s.req)
		if n := b.fetches.Load(); n != s.wantFetches {
			t.Errorf("%s: %d fetches, want %d", s.name, n, s.wantFetches)
		}
	}

	t.Run("a cached page equals the original", func(t *testing.T) {
		got := paginateOK(t, ctx, p, paginate.Request{})
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("cached page (-want +got):\n%s", diff)
		}
	})
	t.Run("empty pages keep empty items", func(t *testing.T) {
		for range 2 {
			got := paginateOK(t, ctx, p, paginate.Request{Page: 9})
			if got.Items == nil || len(got.Items) != 0 || got.PrevPage != 3 {
				t.Errorf("past the end: items %#v, prev %d", got.Items, got.PrevPage)
			}
		}
	})
	t.Run("errors are not cached", func(t *testing.T) {
		for range 2 {
			_, err := p.Paginate(ctx, paginate.Request{Page: -1})
			var re *paginate.RequestError
			if !errors.As(err, &re) {
				t.Errorf("err = %v, want the paginator's *RequestError", err)
			}
		}
	})
	t.Run("TTL", func(t *testing.T) {
		before := b.fetches.Load()
		clk.Advance(time.Minute)
		paginateOK(t, ctx, p, paginate.Request{})
		if n := b.fetches.Load() - before; n != 1 {
			t.Errorf("after the TTL: %d fetches, want 1", n)
		}
	})
	t.Run("invalidate", func(t *testing.T) {
		if err := cache.Invalidate(ctx, store, "items"); err != nil {
			t.Fatal(err)
		}
		before := b.fetches.Load()
		paginateOK(t, ctx, p, paginate.Request{})
		paginateOK(t, ctx, p, paginate.Request{Page: 2})
		if n := b.fetches.Load() - before; n != 2 {
			t.Errorf("after Invalidate: %d fetches, want 2", n)
		}
	})
	t.Run("scopes", func(t *testing.T) {
		small := newCounting(t, numbered(3))
		ps := newPages(t, offset(t, small, nil), cache.Config{Store: store, Name: "items", Shared: true})
		got := paginateOK(t, cache.WithScope(ctx, "tenant-b"), ps, paginate.Request{})
		if got.Total != 3 {
			t.Errorf("tenant B sees total %d, want its own 3", got.Total)
		}
	})
}

func TestPagesKeyset(t *testing.T) {
	ctx := context.Background()
	b := newCounting(t, numbered(25))
	ks, err := paginate.NewKeyset[item](b, schema(t), paginate.KeysetConfig{Keys: [][]byte{make([]byte, 32)}})
	if err != nil {
		t.Fatal(err)
	}
	store := newLRU(t, cache.LRUConfig{})
	p := newPages(t, ks, cache.Config{Store: store, Name: "items", Shared: true})
	// An offset paginator under the same name does not share keyset pages.
	op := newPages(t, offset(t, b, nil), cache.Config{Store: store, Name: "items", Shared: true})

	first := paginateOK(t, ctx, p, paginate.Request{})
	if got := paginateOK(t, ctx, op, paginate.Request{}); !got.Counted || got.NextCursor != "" {
		t.Errorf("offset page served from the keyset cache: %+v", got)
	}
	second := paginateOK(t, ctx, p, paginate.Request{After: first.NextCursor})
	again := paginateOK(t, ctx, p, paginate.Request{After: first.NextCursor})
	if diff := cmp.Diff(second, again); diff != "" {
		t.Errorf("cached keyset page (-want +got):\n%s", diff)
	}
	if n := b.fetches.Load(); n != 3 {
		t.Errorf("%d fetches, want 3", n)
	}
}

func TestPagesSingleflight(t *testing.T) {
	const n = 20
	b := newCounting(t, numbered(25))
	b.delay = 50 * time.Millisecond
	p := newPages(t, offset(t, b, nil), cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "items", Shared: true})

	var wg sync.WaitGroup
	start := make(chan struct{})
	pages := make([]paginate.Page[item], n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			pages[i] = paginateOK(t, context.Background(), p, paginate.Request{Page: 2})
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if diff := cmp.Diff(span(11, 20), metaOf(pages[i]).IDs); diff != "" {
			t.Errorf("request %d (-want +got):\n%s", i, diff)
		}
	}
	if c, f := b.counts.Load(), b.fetches.Load(); c != 1 || f != 1 {
		t.Errorf("%d concurrent requests ran %d counts and %d fetches, want 1 and 1", n, c, f)
	}
	// Each caller owns its items.
	pages[0].Items[0].Name = "changed"
	if pages[1].Items[0].Name == "changed" {
		t.Error("callers share an items slice")
	}
}

func TestPagesConfig(t *testing.T) {
	if _, err := cache.NewPages[item](nil, cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "items"}); err == nil {
		t.Error("NewPages accepted a nil paginator")
	}
	inner := offset(t, newCounting(t, nil), nil)
	if _, err := cache.NewPages(inner, cache.Config{Name: "items"}); err == nil {
		t.Error("NewPages accepted a nil store")
	}
	p := newPages(t, inner, cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "items"})
	if p.Unwrap() != paginate.Paginator[item](inner) {
		t.Error("Unwrap does not return the wrapped paginator")
	}
	if p.Config().TTL != cache.DefaultTTL {
		t.Errorf("TTL = %v, want the default", p.Config().TTL)
	}
}
