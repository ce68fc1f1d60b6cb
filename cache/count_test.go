package cache_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

func TestCountCaches(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	store := newLRU(t, cache.LRUConfig{Now: clk.Now})
	b := newCounting(t, numbered(25))
	p := offset(t, b, newCount(t, nil, cache.Config{Store: store, Name: "items", Shared: true, TTL: time.Minute}))

	steps := []struct {
		name       string
		req        paginate.Request
		want       meta
		wantCounts int64 // counts run so far
	}{
		{"first request counts", paginate.Request{}, meta{IDs: span(1, 10), Total: 25, Pages: 3, Counted: true, HasNext: true}, 1},
		{"another page shares the count", paginate.Request{Page: 3}, meta{IDs: span(21, 25), Total: 25, Pages: 3, Counted: true}, 1},
		{"another sort shares the count", paginate.Request{Sort: []paginate.SortKey{{Field: "id", Dir: paginate.Desc}}, PerPage: 5}, meta{IDs: []int64{25, 24, 23, 22, 21}, Total: 25, Pages: 5, Counted: true, HasNext: true}, 1},
		{"another field list shares the count", paginate.Request{Fields: []string{"id"}}, meta{IDs: span(1, 10), Total: 25, Pages: 3, Counted: true, HasNext: true}, 1},
		{"a filter counts again", paginate.Request{Filters: []paginate.Filter{gt(20), named("a")}}, meta{IDs: []int64{22, 25}, Total: 2, Pages: 1, Counted: true}, 2},
		{"filters in another order share it", paginate.Request{Filters: []paginate.Filter{named("a"), gt(20)}}, meta{IDs: []int64{22, 25}, Total: 2, Pages: 1, Counted: true}, 2},
		{"a value given as text shares it", paginate.Request{Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{"20"}}, named("a")}}, meta{IDs: []int64{22, 25}, Total: 2, Pages: 1, Counted: true}, 2},
		{"another value counts again", paginate.Request{Filters: []paginate.Filter{gt(21), named("a")}}, meta{IDs: []int64{22, 25}, Total: 2, Pages: 1, Counted: true}, 3},
	}
	for _, s := range steps {
		got := metaOf(paginateOK(t, ctx, p, s.req))
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: page (-want +got):\n%s", s.name, diff)
		}
		if n := b.counts.Load(); n != s.wantCounts {
			t.Errorf("%s: %d counts ran, want %d", s.name, n, s.wantCounts)
		}
	}

	t.Run("TTL", func(t *testing.T) {
		b.counts.Store(0)
		clk.Advance(59 * time.Second)
		paginateOK(t, ctx, p, paginate.Request{})
		if n := b.counts.Load(); n != 0 {
			t.Errorf("before the TTL: %d counts, want 0", n)
		}
		clk.Advance(time.Second)
		paginateOK(t, ctx, p, paginate.Request{})
		if n := b.counts.Load(); n != 1 {
			t.Errorf("at the TTL: %d counts, want 1", n)
		}
	})

	t.Run("invalidate", func(t *testing.T) {
		b.counts.Store(0)
		if err := cache.Invalidate(ctx, store, "items"); err != nil {
			t.Fatal(err)
		}
		paginateOK(t, ctx, p, paginate.Request{})
		paginateOK(t, ctx, p, paginate.Request{})
		if n := b.counts.Load(); n != 1 {
			t.Errorf("after Invalidate: %d counts, want 1", n)
		}
		if err := cache.Invalidate(ctx, store, "other"); err != nil {
			t.Fatal(err)
		}
		paginateOK(t, ctx, p, paginate.Request{})
		if n := b.counts.Load(); n != 1 {
			t.Errorf("after invalidating another name: %d counts, want 1", n)
		}
		if err := cache.Invalidate(ctx, store, "bad:name"); err == nil {
			t.Error("Invalidate accepted a name with a colon")
		}
	})
}

// A count is cached per scope: tenants whose rows differ never see each
// other's totals, though their queries are the same.
func TestCountScopes(t *testing.T) {
	store := newLRU(t, cache.LRUConfig{})
	counts := newCount(t, nil, cache.Config{Store: store, Name: "items"})
	tenantA := offset(t, newCounting(t, numbered(25)), counts)
	tenantB := offset(t, newCounting(t, numbered(7)), counts)
	ctxA := cache.WithScope(context.Background(), "tenant-a")
	ctxB := cache.WithScope(context.Background(), "tenant-b")

	for range 2 {
		if got := paginateOK(t, ctxA, tenantA, paginate.Request{}).Total; got != 25 {
			t.Errorf("tenant A total = %d, want 25", got)
		}
		if got := paginateOK(t, ctxB, tenantB, paginate.Request{}).Total; got != 7 {
			t.Errorf("tenant B total = %d, want 7", got)
		}
	}

	t.Run("scope func", func(t *testing.T) {
		type userKey struct{}
		byUser := newCount(t, nil, cache.Config{Store: store, Name: "items", Scope: func(ctx context.Context) string {
			u, _ := ctx.Value(userKey{}).(string)
			return u
		}})
		alice := offset(t, newCounting(t, numbered(3)), byUser)
		bob := offset(t, newCounting(t, numbered(4)), byUser)
		if got := paginateOK(t, context.WithValue(context.Background(), userKey{}, "alice"), alice, paginate.Request{}).Total; got != 3 {
			t.Errorf("alice's total = %d, want 3", got)
		}
		if got := paginateOK(t, context.WithValue(context.Background(), userKey{}, "bob"), bob, paginate.Request{}).Total; got != 4 {
			t.Errorf("bob's total = %d, want 4", got)
		}
	})

	t.Run("invalidate one scope", func(t *testing.T) {
		a, b := newCounting(t, numbered(25)), newCounting(t, numbered(7))
		pa, pb := offset(t, a, counts), offset(t, b, counts)
		paginateOK(t, ctxA, pa, paginate.Request{})
		paginateOK(t, ctxB, pb, paginate.Request{})
		if err := cache.InvalidateScope(context.Background(), store, "items", "tenant-a"); err != nil {
			t.Fatal(err)
		}
		paginateOK(t, ctxA, pa, paginate.Request{})
		paginateOK(t, ctxB, pb, paginate.Request{})
		if a.counts.Load() != 1 || b.counts.Load() != 0 {
			t.Errorf("after invalidating tenant A: A counted %d times and B %d, want 1 and 0", a.counts.Load(), b.counts.Load())
		}
	})

	t.Run("variants", func(t *testing.T) {
		all := newCounting(t, numbered(9))
		some := newCounting(t, numbered(2))
		pAll := offset(t, all, newCount(t, nil, cache.Config{Store: store, Name: "items", Shared: true, Variant: "all"}))
		pSome := offset(t, some, newCount(t, nil, cache.Config{Store: store, Name: "items", Shared: true, Variant: "published"}))
		ctx := context.Background()
		if got := paginateOK(t, ctx, pAll, paginate.Request{}).Total; got != 9 {
			t.Errorf("all: total %d, want 9", got)
		}
		if got := paginateOK(t, ctx, pSome, paginate.Request{}).Total; got != 2 {
			t.Errorf("published: total %d, want 2", got)
		}
		if err := cache.Invalidate(ctx, store, "items"); err != nil {
			t.Fatal(err)
		}
		paginateOK(t, ctx, pAll, paginate.Request{})
		paginateOK(t, ctx, pSome, paginate.Request{})
		if all.counts.Load() != 2 || some.counts.Load() != 2 {
			t.Errorf("Invalidate(name) left a variant cached: counts %d and %d, want 2 and 2", all.counts.Load(), some.counts.Load())
		}
	})
}

// The cache keeps what the wrapped strategy reports: a capped total stays
// capped, and an uncounted one is not cached.
func TestCountWrapsStrategies(t *testing.T) {
	ctx := context.Background()
	store := newLRU(t, cache.LRUConfig{})

	t.Run("capped", func(t *testing.T) {
		b := newCounting(t, numbered(25))
		p := offset(t, b, newCount(t, paginate.CappedCount{Max: 12}, cache.Config{Store: store, Name: "capped", Shared: true}))
		want := meta{IDs: span(1, 10), Total: 12, Pages: 2, Counted: true, TotalCapped: true, HasNext: true}
		for i := range 2 {
			if diff := cmp.Diff(want, metaOf(paginateOK(t, ctx, p, paginate.Request{}))); diff != "" {
				t.Errorf("request %d (-want +got):\n%s", i+1, diff)
			}
		}
		if n := b.atMost.Load(); n != 1 {
			t.Errorf("%d capped counts ran, want 1", n)
		}
		// An exact count under the same name is a different entry.
		exact := offset(t, b, newCount(t, nil, cache.Config{Store: store, Name: "capped", Shared: true}))
		if got := paginateOK(t, ctx, exact, paginate.Request{}); got.Total != 25 || got.TotalCapped {
			t.Errorf("exact count after a capped one: total %d, capped %t", got.Total, got.TotalCapped)
		}
	})

	t.Run("none", func(t *testing.T) {
		b := newCounting(t, numbered(25))
		counts := newCount(t, paginate.NoCount{}, cache.Config{Store: store, Name: "none", Shared: true})
		p := offset(t, b, counts)
		got := paginateOK(t, ctx, p, paginate.Request{})
		if got.Counted || !got.HasNext {
			t.Errorf("NoCount through the cache: counted %t, has next %t", got.Counted, got.HasNext)
		}
		if s := counts.String(); s != "cached none" {
			t.Errorf("String() = %q", s)
		}
	})
}

// Concurrent identical requests that miss run one count between them.
func TestCountSingleflight(t *testing.T) {
	const n = 20
	b := newCounting(t, numbered(25))
	b.delay = 50 * time.Millisecond
	p := offset(t, b, newCount(t, nil, cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "items", Shared: true}))

	var wg sync.WaitGroup
	start := make(chan struct{})
	totals := make([]int64, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			pg, err := p.Paginate(context.Background(), paginate.Request{Page: i%3 + 1})
			totals[i], errs[i] = pg.Total, err
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || totals[i] != 25 {
			t.Errorf("request %d: total %d, err %v", i, totals[i], errs[i])
		}
	}
	if got := b.counts.Load(); got != 1 {
		t.Errorf("%d concurrent requests ran %d counts, want 1", n, got)
	}
}

// gated is a backend whose counts wait until the gate opens or their
// context ends, as a slow COUNT does.
type gated struct {
	*counting
	gate    chan struct{}
	stopped atomic.Int64 // counts whose context ended
}

func (g *gated) Count(ctx context.Context, q paginate.Query) (int64, error) {
	g.counts.Add(1)
	select {
	case <-g.gate:
		return g.m.Count(ctx, q)
	case <-ctx.Done():
		g.stopped.Add(1)
		return 0, ctx.Err()
	}
}

// A caller whose context ends stops waiting, and the others still get the
// one count they share: it goes on while anyone waits for it, whoever
// started it, and stops when no one does.
func TestCountSingleflightCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		leave []bool // which of the two callers leave, in the order they came
	}{
		{"the caller that started the count leaves", []bool{true, false}},
		{"a caller that joined it leaves", []bool{false, true}},
		{"every caller leaves", []bool{true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &gated{counting: newCounting(t, numbered(25)), gate: make(chan struct{})}
			c := newCount(t, nil, cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "items", Shared: true})
			type result struct {
				tot paginate.Total
				err error
			}
			results := make([]chan result, len(tc.leave))
			cancels := make([]context.CancelFunc, len(tc.leave))
			for i := range tc.leave {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				cancels[i], results[i] = cancel, make(chan result, 1)
				go func() {
					tot, err := c.CountTotal(ctx, b, paginate.Query{})
					results[i] <- result{tot, err}
				}()
				// Let each caller start or join the count before the next
				// comes; a caller that counted on its own stops the wait.
				waitFor(t, func() bool { return cache.Waiters(c) == i+1 || b.counts.Load() > int64(i) })
			}
			stay := false
			for i, leave := range tc.leave {
				if leave {
					cancels[i]()
					if r := <-results[i]; !errors.Is(r.err, context.Canceled) {
						t.Errorf("caller %d left: total %d, err %v; want context.Canceled", i+1, r.tot.N, r.err)
					}
				} else {
					stay = true
				}
			}
			if !stay {
				// No one waits: the count stops.
				waitFor(t, func() bool { return b.stopped.Load() > 0 })
			}
			close(b.gate)
			for i, leave := range tc.leave {
				if !leave {
					if r := <-results[i]; r.err != nil || r.tot.N != 25 {
						t.Errorf("caller %d stayed: total %d, err %v; want 25", i+1, r.tot.N, r.err)
					}
				}
			}
			if n := b.counts.Load(); n != 1 {
				t.Errorf("%d counts ran in the database, want 1", n)
			}
			if n, want := b.stopped.Load(), map[bool]int64{true: 0, false: 1}[stay]; n != want {
				t.Errorf("%d counts were stopped, want %d", n, want)
			}
			if !stay {
				// A caller that comes later counts afresh.
				tot, err := c.CountTotal(context.Background(), b, paginate.Query{})
				if err != nil || tot.N != 25 || b.counts.Load() != 2 {
					t.Errorf("after everyone left: total %d, err %v, %d counts; want 25 and 2 counts", tot.N, err, b.counts.Load())
				}
			}
		})
	}
}

// waitFor waits until cond holds, and fails the test if it does not
// within a minute.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCountConfig(t *testing.T) {
	store := newLRU(t, cache.LRUConfig{})
	bad := []struct {
		name string
		cfg  cache.Config
	}{
		{"no store", cache.Config{Name: "items"}},
		{"no name", cache.Config{Store: store}},
		{"colon in name", cache.Config{Store: store, Name: "a:b", Shared: true}},
		{"long name", cache.Config{Store: store, Name: string(make([]byte, 65))}},
		{"negative TTL", cache.Config{Store: store, Name: "items", Shared: true, TTL: -1}},
		{"negative timeout", cache.Config{Store: store, Name: "items", Shared: true, Timeout: -1}},
		{"TTL over MaxTTL", cache.Config{Store: store, Name: "items", TTL: cache.MaxTTL + 1}},
	}
	for _, tc := range bad {
		if _, err := cache.NewCount(nil, tc.cfg); err == nil {
			t.Errorf("%s: NewCount accepted %+v", tc.name, tc.cfg)
		}
	}
	c := newCount(t, nil, cache.Config{Store: store, Name: "items.v2-x_y", Shared: true})
	if _, err := cache.NewCount(c, cache.Config{Store: store, Name: "items", Shared: true}); err == nil {
		t.Error("NewCount accepted a cached strategy")
	}
	cfg := c.Config()
	if cfg.TTL != cache.DefaultTTL || cfg.Timeout != cache.DefaultTimeout || cfg.Now == nil || cfg.Logger == nil {
		t.Errorf("defaults not filled in: %+v", cfg)
	}
	if s := c.String(); s != "cached exact" {
		t.Errorf("String() = %q, want \"cached exact\"", s)
	}
}

// BenchmarkCountHit measures a cached count served from the in-process
// LRU, without the page around it.
func BenchmarkCountHit(b *testing.B) {
	ctx := cache.WithScope(context.Background(), "tenant-1")
	m := newCounting(b, numbered(100))
	c := newCount(b, nil, cache.Config{Store: newLRU(b, cache.LRUConfig{}), Name: "items"})
	id, _ := schema(b).Field("id")
	q := paginate.Query{Filters: []paginate.Condition{{Field: id, Op: paginate.Gt, Values: []any{int64(5)}}}}
	if _, err := c.CountTotal(ctx, m, q); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CountTotal(ctx, m, q); err != nil {
			b.Fatal(err)
		}
	}
	if n := m.counts.Load(); n != 1 {
		b.Fatalf("%d counts ran, want 1", n)
	}
}
