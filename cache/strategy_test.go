package cache_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
)

// capAt is a strategy held by pointer, as custom strategies often are.
type capAt struct{ max int64 }

func (s *capAt) CountTotal(ctx context.Context, c paginate.Counter, q paginate.Query) (paginate.Total, error) {
	return paginate.CappedCount{Max: s.max}.CountTotal(ctx, c, q)
}

func (s *capAt) String() string { return fmt.Sprintf("cap at %d", s.max) }

type noString struct{ max int64 }

func (s *noString) CountTotal(ctx context.Context, c paginate.Counter, q paginate.Query) (paginate.Total, error) {
	return paginate.CappedCount{Max: s.max}.CountTotal(ctx, c, q)
}

// Caches of equal strategies share their counts, as processes sharing a
// Redis store do; caches of strategies with other settings do not.
func TestCountStrategyKey(t *testing.T) {
	ctx := cache.WithScope(context.Background(), "tenant-a")
	b := newCounting(t, numbered(25))
	total := func(store cache.Store, s paginate.CountStrategy) paginate.Total {
		t.Helper()
		tot, err := newCount(t, s, cache.Config{Store: store, Name: "items"}).CountTotal(ctx, b, paginate.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return tot
	}

	t.Run("pointer strategies with a String method", func(t *testing.T) {
		store := newLRU(t, cache.LRUConfig{})
		total(store, &capAt{max: 100})
		total(store, &capAt{max: 100})
		if n := b.atMost.Load(); n != 1 {
			t.Errorf("two caches of equal strategies ran %d counts, want 1", n)
		}
		if got := total(store, &capAt{max: 5}); got.N != 5 || !got.Capped {
			t.Errorf("another cap: %+v, want 5, capped", got)
		}
	})
	t.Run("pointer strategies without one", func(t *testing.T) {
		// Its key would hold a pointer, different in every process.
		if _, err := cache.NewCount(&noString{max: 5}, cache.Config{Store: newLRU(t, cache.LRUConfig{}), Name: "items"}); err == nil {
			t.Error("NewCount accepted a pointer strategy without a String method")
		}
	})
	t.Run("settings of a value strategy", func(t *testing.T) {
		store := newLRU(t, cache.LRUConfig{})
		if got := total(store, paginate.CappedCount{Max: 5}); got.N != 5 || !got.Capped {
			t.Errorf("cap 5: %+v", got)
		}
		if got := total(store, paginate.CappedCount{Max: 100}); got.N != 25 || got.Capped {
			t.Errorf("cap 100 after cap 5: %+v, want 25, not capped", got)
		}
	})
}
