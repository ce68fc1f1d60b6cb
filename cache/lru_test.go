package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/cache"
)

func TestLRU(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := newLRU(t, cache.LRUConfig{Size: 3, Now: clk.Now})

	get := func(key string) (string, bool) {
		t.Helper()
		v, ok, err := s.Get(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return string(v), ok
	}
	set := func(key, val string, ttl time.Duration) {
		t.Helper()
		if err := s.Set(ctx, key, []byte(val), ttl); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("get and set", func(t *testing.T) {
		set("a", "1", time.Minute)
		if v, ok := get("a"); !ok || v != "1" {
			t.Errorf("get a = %q, %t; want \"1\", true", v, ok)
		}
		if _, ok := get("missing"); ok {
			t.Error("get missing: found")
		}
	})
	t.Run("values are copies", func(t *testing.T) {
		val := []byte("xyz")
		if err := s.Set(ctx, "copy", val, time.Minute); err != nil {
			t.Fatal(err)
		}
		val[0] = 'X'
		got, _, _ := s.Get(ctx, "copy")
		got[1] = 'Y'
		if v, _ := get("copy"); v != "xyz" {
			t.Errorf("stored value changed to %q", v)
		}
	})
	t.Run("expiry", func(t *testing.T) {
		set("short", "s", time.Second)
		set("long", "l", time.Hour)
		clk.Advance(999 * time.Millisecond)
		if _, ok := get("short"); !ok {
			t.Error("short expired early")
		}
		clk.Advance(time.Millisecond)
		if _, ok := get("short"); ok {
			t.Error("short outlived its TTL")
		}
		if _, ok := get("long"); !ok {
			t.Error("long expired with short")
		}
	})
	t.Run("evicts the least recently used", func(t *testing.T) {
		for _, k := range []string{"x", "y", "z"} {
			set(k, k, time.Hour)
		}
		get("x") // y is now the least recently used
		set("w", "w", time.Hour)
		if _, ok := get("y"); ok {
			t.Error("y was not evicted")
		}
		for _, k := range []string{"x", "z", "w"} {
			if _, ok := get(k); !ok {
				t.Errorf("%s was evicted", k)
			}
		}
		if n := s.Len(); n != 3 {
			t.Errorf("Len = %d, want 3", n)
		}
	})
	t.Run("delete prefix", func(t *testing.T) {
		s := newLRU(t, cache.LRUConfig{Now: clk.Now})
		for _, k := range []string{"items:1", "items:2", "items2:1", "other"} {
			if err := s.Set(ctx, k, []byte(k), time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeletePrefix(ctx, "items:"); err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, k := range []string{"items:1", "items:2", "items2:1", "other"} {
			if _, ok, _ := s.Get(ctx, k); ok {
				left = append(left, k)
			}
		}
		if diff := cmp.Diff([]string{"items2:1", "other"}, left); diff != "" {
			t.Errorf("keys left (-want +got):\n%s", diff)
		}
	})
	t.Run("bad settings", func(t *testing.T) {
		if _, err := cache.NewLRU(cache.LRUConfig{Size: -1}); err == nil {
			t.Error("NewLRU accepted Size -1")
		}
		if err := s.Set(ctx, "k", nil, 0); err == nil {
			t.Error("Set accepted a zero TTL")
		}
	})
}
