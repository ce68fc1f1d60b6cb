package cache

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
)

type fixedCounter struct {
	n     atomic.Int64
	calls atomic.Int64
}

func (c *fixedCounter) Count(context.Context, paginate.Query) (int64, error) {
	c.calls.Add(1)
	return c.n.Load(), nil
}

// An invalidation made by another process sharing the store — one that
// sets the generation without telling this process — is seen at most
// GenerationRefresh later.
func TestGenerationRefresh(t *testing.T) {
	ctx := WithScope(context.Background(), "tenant-a")
	store, err := NewLRU(LRUConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	c, err := NewCount(nil, Config{Store: store, Name: "gen", TTL: time.Hour, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	counter := &fixedCounter{}
	counter.n.Store(10)
	total := func() int64 {
		t.Helper()
		tot, err := c.CountTotal(ctx, counter, paginate.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return tot.N
	}
	total()
	for _, key := range []string{generationKey("gen", nil), generationKey("gen", ptr(scopeHash("tenant-a")))} {
		old := counter.n.Add(1) - 1 // a write
		if err := setGeneration(ctx, store, key); err != nil {
			t.Fatal(err)
		}
		now.Add(int64(GenerationRefresh - time.Nanosecond))
		if got := total(); got != old {
			t.Errorf("%s: within GenerationRefresh of reading the generation: total %d, want the cached %d", key, got, old)
		}
		now.Add(int64(time.Nanosecond))
		if got := total(); got != old+1 {
			t.Errorf("%s: GenerationRefresh after reading the generation: total %d, want %d", key, got, old+1)
		}
	}
	if n := counter.calls.Load(); n != 3 {
		t.Errorf("%d counts, want 3", n)
	}
}

func ptr[T any](v T) *T { return &v }
