package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

type item struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Tags []string
}

func schema(tb testing.TB) *paginate.Schema {
	tb.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.Gt, paginate.Lt}},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne}},
	}, "")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// numbered returns n items with ids 1..n.
func numbered(n int) []item {
	items := make([]item, n)
	for i := range items {
		items[i] = item{ID: int64(i + 1), Name: string(rune('a' + i%3))}
	}
	return items
}

// counting wraps a Memory backend and counts the calls that reach it. A
// non-zero delay makes each call take that long, so that concurrent
// requests overlap.
type counting struct {
	m              *paginate.Memory[item]
	counts, atMost atomic.Int64
	fetches        atomic.Int64
	delay          time.Duration
}

func newCounting(tb testing.TB, items []item) *counting {
	tb.Helper()
	m, err := paginate.NewMemory(items, schema(tb), paginate.MemoryConfig[item]{})
	if err != nil {
		tb.Fatal(err)
	}
	return &counting{m: m}
}

func (c *counting) sleep(ctx context.Context) error {
	if c.delay == 0 {
		return nil
	}
	select {
	case <-time.After(c.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *counting) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[item], error) {
	c.fetches.Add(1)
	if err := c.sleep(ctx); err != nil {
		return paginate.Result[item]{}, err
	}
	return c.m.Fetch(ctx, q)
}

func (c *counting) Count(ctx context.Context, q paginate.Query) (int64, error) {
	c.counts.Add(1)
	if err := c.sleep(ctx); err != nil {
		return 0, err
	}
	return c.m.Count(ctx, q)
}

func (c *counting) CountAtMost(ctx context.Context, q paginate.Query, limit int64) (int64, error) {
	c.atMost.Add(1)
	return c.m.CountAtMost(ctx, q, limit)
}

// clock is a settable time source for LRU expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newLRU(tb testing.TB, cfg cache.LRUConfig) *cache.LRU {
	tb.Helper()
	s, err := cache.NewLRU(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func offset(tb testing.TB, b paginate.Backend[item], count paginate.CountStrategy) *paginate.Offset[item] {
	tb.Helper()
	p, err := paginate.NewOffset(b, schema(tb), paginate.OffsetConfig{Count: count})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func newCount(tb testing.TB, strategy paginate.CountStrategy, cfg cache.Config) *cache.Count {
	tb.Helper()
	c, err := cache.NewCount(strategy, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// meta is a page's count metadata and item ids.
type meta struct {
	IDs                         []int64
	Total                       int64
	Pages                       int
	Counted, HasNext            bool
	TotalCapped, TotalEstimated bool
}

func metaOf(p paginate.Page[item]) meta {
	ids := make([]int64, len(p.Items))
	for i, it := range p.Items {
		ids[i] = it.ID
	}
	return meta{IDs: ids, Total: p.Total, Pages: p.Pages, Counted: p.Counted, HasNext: p.HasNext, TotalCapped: p.TotalCapped, TotalEstimated: p.TotalEstimated}
}

func span(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func paginateOK[T any](tb testing.TB, ctx context.Context, p paginate.Paginator[T], req paginate.Request) paginate.Page[T] {
	tb.Helper()
	pg, err := p.Paginate(ctx, req)
	if err != nil {
		tb.Fatal(err)
	}
	return pg
}

func gt(n int64) paginate.Filter {
	return paginate.Filter{Field: "id", Op: paginate.Gt, Values: []any{n}}
}

func named(n string) paginate.Filter {
	return paginate.Filter{Field: "name", Op: paginate.Eq, Values: []any{n}}
}
