package cache_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

// blocking is a backend whose first count and first fetch read the table
// and then wait for release before they return, as a slow query does
// while another request writes.
type blocking struct {
	*counting
	rows              atomic.Int64 // the table's row count
	countStarted      chan struct{}
	fetchStarted      chan struct{}
	release           chan struct{}
	countCalls, fetch atomic.Int64
}

func newBlocking(t *testing.T, rows int64) *blocking {
	b := &blocking{
		counting:     newCounting(t, numbered(int(rows))),
		countStarted: make(chan struct{}),
		fetchStarted: make(chan struct{}),
		release:      make(chan struct{}),
	}
	b.rows.Store(rows)
	return b
}

func (b *blocking) Count(ctx context.Context, q paginate.Query) (int64, error) {
	n := b.rows.Load()
	if b.countCalls.Add(1) == 1 {
		close(b.countStarted)
		<-b.release
	}
	return n, nil
}

func (b *blocking) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[item], error) {
	n := b.rows.Load()
	if b.fetch.Add(1) == 1 {
		close(b.fetchStarted)
		<-b.release
	}
	r, err := b.m.Fetch(ctx, q)
	// Report the row count seen when the fetch began in the first item.
	if len(r.Items) > 0 {
		r.Items[0].Name = string(rune('0' + n%10))
	}
	return r, err
}

// untracked is a store that keeps no record of its invalidations, as a
// store written without [cache.InvalidationTracker] does.
type untracked struct{ cache.Store }

// A count that began before a write and ends after the invalidation that
// follows it must not answer the requests after the invalidation, either
// from the store or by sharing its flight with them.
//
// It holds through a store that keeps its invalidations, whose caches keep
// the generations they read, and through one that does not, whose caches
// read them on every request.
func TestInvalidateDuringCount(t *testing.T) {
	for _, tc := range []struct {
		name   string
		scoped bool
		store  func(*testing.T) cache.Store
	}{
		{"Invalidate", false, func(t *testing.T) cache.Store { return newLRU(t, cache.LRUConfig{}) }},
		{"InvalidateScope", true, func(t *testing.T) cache.Store { return newLRU(t, cache.LRUConfig{}) }},
		{"Invalidate, untracked store", false, func(t *testing.T) cache.Store { return untracked{newLRU(t, cache.LRUConfig{})} }},
		{"InvalidateScope, untracked store", true, func(t *testing.T) cache.Store { return untracked{newLRU(t, cache.LRUConfig{})} }},
	} {
		scoped := tc.scoped
		t.Run(tc.name, func(t *testing.T) {
			ctx := cache.WithScope(context.Background(), "tenant-a")
			store := tc.store(t)
			c := newCount(t, nil, cache.Config{Store: store, Name: "items", TTL: time.Hour})
			b := newBlocking(t, 10)
			first := make(chan paginate.Total, 1)
			go func() {
				tot, _ := c.CountTotal(ctx, b, paginate.Query{})
				first <- tot
			}()
			<-b.countStarted
			b.rows.Store(11) // the write
			var err error
			if scoped {
				err = cache.InvalidateScope(ctx, store, "items", "tenant-a")
			} else {
				err = cache.Invalidate(ctx, store, "items")
			}
			if err != nil {
				t.Fatal(err)
			}
			// A request after the invalidation does not join the count
			// that began before it.
			second := make(chan paginate.Total, 1)
			go func() {
				tot, _ := c.CountTotal(ctx, b, paginate.Query{})
				second <- tot
			}()
			select {
			case tot := <-second:
				if tot.N != 11 {
					t.Errorf("request after the invalidation, during the old count: total %d, want 11", tot.N)
				}
			case <-time.After(5 * time.Second):
				t.Error("a request after the invalidation waited for the count that began before it")
			}
			close(b.release)
			if tot := <-first; tot.N != 10 {
				t.Errorf("the old count: total %d, want 10", tot.N)
			}
			for i := range 2 {
				tot, err := c.CountTotal(ctx, b, paginate.Query{})
				if err != nil || tot.N != 11 {
					t.Errorf("request %d after the old count ended: total %d, err %v; want 11", i+1, tot.N, err)
				}
			}
		})
	}
}

// The same holds for a page fetch.
func TestInvalidateDuringFetch(t *testing.T) {
	ctx := cache.WithScope(context.Background(), "tenant-a")
	store := newLRU(t, cache.LRUConfig{})
	b := newBlocking(t, 10)
	p := newPages(t, offset(t, b, paginate.NoCount{}), cache.Config{Store: store, Name: "items", TTL: time.Hour})
	first := make(chan string, 1)
	go func() {
		pg, _ := p.Paginate(ctx, paginate.Request{})
		first <- pg.Items[0].Name
	}()
	<-b.fetchStarted
	b.rows.Store(11)
	if err := cache.Invalidate(ctx, store, "items"); err != nil {
		t.Fatal(err)
	}
	second := make(chan string, 1)
	go func() {
		pg, _ := p.Paginate(ctx, paginate.Request{})
		second <- pg.Items[0].Name
	}()
	select {
	case got := <-second:
		if got != "1" {
			t.Errorf("request after the invalidation, during the old fetch: page from a table whose row count ends in %s, want 1 (11 rows)", got)
		}
	case <-time.After(5 * time.Second):
		t.Error("a request after the invalidation waited for the fetch that began before it")
	}
	close(b.release)
	<-first
	for i := range 2 {
		if got := paginateOK(t, ctx, p, paginate.Request{}).Items[0].Name; got != "1" {
			t.Errorf("request %d after the old fetch ended: page from a table whose row count ends in %s, want 1 (11 rows)", i+1, got)
		}
	}
}
