package rediscache_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/cache"
	"github.com/go-paginate/paginate/cache/rediscache"
	"github.com/go-paginate/paginate/internal/testdb"
)

// client connects to the Redis at PAGINATE_REDIS_ADDR, or skips.
func client(tb testing.TB) *redis.Client {
	tb.Helper()
	addr := testdb.Env(tb, testdb.RedisEnv)
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		testdb.Unavailable(tb, testdb.RedisEnv, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// store returns a store under a prefix of its own, whose keys are deleted
// when the test ends.
func store(tb testing.TB, c redis.UniversalClient) (*rediscache.Store, string) {
	tb.Helper()
	prefix := testdb.Name("paginate_test") + ":"
	s := rediscache.New(c, rediscache.Config{Prefix: prefix})
	tb.Cleanup(func() {
		if err := s.DeletePrefix(context.Background(), ""); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
	})
	return s, prefix
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	c := client(t)
	s, prefix := store(t, c)

	if err := s.Set(ctx, "k", []byte("v\x00\xff"), time.Minute); err != nil {
		t.Fatal(err)
	}
	v, ok, err := s.Get(ctx, "k")
	if err != nil || !ok || string(v) != "v\x00\xff" {
		t.Fatalf("Get = %q, %t, %v", v, ok, err)
	}
	if ttl := c.PTTL(ctx, prefix+"k").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("PTTL = %v, want (0, 1m]", ttl)
	}
	if _, ok, err := s.Get(ctx, "missing"); ok || err != nil {
		t.Errorf("Get missing = %t, %v", ok, err)
	}
	if err := s.Set(ctx, "k", nil, 0); err == nil {
		t.Error("Set accepted a zero TTL")
	}

	t.Run("expiry", func(t *testing.T) {
		if err := s.Set(ctx, "short", []byte("x"), 20*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			_, ok, err := s.Get(ctx, "short")
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a 20ms entry is still there after 5s")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})

	t.Run("delete prefix", func(t *testing.T) {
		keys := []string{"items:a:1", "items:a:2", "items:b:1", "items2:a:1", "it*ms:a:1", "other"}
		for i := range 1200 { // more than one SCAN batch
			keys = append(keys, "items:bulk:"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+time.Duration(i).String())
		}
		for _, k := range keys {
			if err := s.Set(ctx, k, []byte(k), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeletePrefix(ctx, "items:"); err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, k := range keys {
			if _, ok, _ := s.Get(ctx, k); ok {
				left = append(left, k)
			}
		}
		if diff := cmp.Diff([]string{"items2:a:1", "it*ms:a:1", "other"}, left); diff != "" {
			t.Errorf("keys left (-want +got):\n%s", diff)
		}
		// Another prefix in the same Redis is untouched.
		other, _ := store(t, c)
		if err := other.Set(ctx, "items:a:1", []byte("x"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePrefix(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := other.Get(ctx, "items:a:1"); !ok {
			t.Error("DeletePrefix reached into another store's keys")
		}
	})
}

type item struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// counting is a Memory backend that counts the counts it runs.
type counting struct {
	*paginate.Memory[item]
	counts atomic.Int64
}

func (c *counting) Count(ctx context.Context, q paginate.Query) (int64, error) {
	c.counts.Add(1)
	return c.Memory.Count(ctx, q)
}

func offset(tb testing.TB, rows int, count paginate.CountStrategy) (*paginate.Offset[item], *counting) {
	tb.Helper()
	schema, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Ops: []paginate.Op{paginate.Gt}},
		{Name: "name", Type: paginate.String, Sortable: true},
	}, "")
	if err != nil {
		tb.Fatal(err)
	}
	items := make([]item, rows)
	for i := range items {
		items[i] = item{ID: int64(i + 1), Name: "n"}
	}
	m, err := paginate.NewMemory(items, schema, paginate.MemoryConfig[item]{})
	if err != nil {
		tb.Fatal(err)
	}
	b := &counting{Memory: m}
	p, err := paginate.NewOffset[item](b, schema, paginate.OffsetConfig{Count: count})
	if err != nil {
		tb.Fatal(err)
	}
	return p, b
}

func newCount(tb testing.TB, cfg cache.Config) *cache.Count {
	tb.Helper()
	c, err := cache.NewCount(nil, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Two processes — two clients, two paginators — share counts through
// Redis, and an invalidation by one reaches the other.
func TestCountsAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	s1, prefix := store(t, client(t))
	s2 := rediscache.New(client(t), rediscache.Config{Prefix: prefix})
	p1, b1 := offset(t, 25, newCount(t, cache.Config{Store: s1, Name: "items", Shared: true}))
	p2, b2 := offset(t, 25, newCount(t, cache.Config{Store: s2, Name: "items", Shared: true}))

	for _, p := range []*paginate.Offset[item]{p1, p2, p1} {
		pg, err := p.Paginate(ctx, paginate.Request{Page: 2})
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 25 || pg.Pages != 3 || len(pg.Items) != 10 {
			t.Errorf("page: total %d, pages %d, %d items", pg.Total, pg.Pages, len(pg.Items))
		}
	}
	if n := b1.counts.Load() + b2.counts.Load(); n != 1 {
		t.Errorf("%d counts ran, want 1", n)
	}

	if err := cache.Invalidate(ctx, s1, "items"); err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Paginate(ctx, paginate.Request{}); err != nil {
		t.Fatal(err)
	}
	if n := b2.counts.Load(); n != 1 {
		t.Errorf("after an invalidation through the other client: %d counts in the second process, want 1", n)
	}

	t.Run("scopes", func(t *testing.T) {
		pa, _ := offset(t, 25, newCount(t, cache.Config{Store: s1, Name: "tenants"}))
		pb, _ := offset(t, 4, newCount(t, cache.Config{Store: s2, Name: "tenants"}))
		for range 2 {
			a, err := pa.Paginate(cache.WithScope(ctx, "a"), paginate.Request{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := pb.Paginate(cache.WithScope(ctx, "b"), paginate.Request{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Total != 25 || b.Total != 4 {
				t.Errorf("tenant totals %d and %d, want 25 and 4", a.Total, b.Total)
			}
		}
	})

	t.Run("pages", func(t *testing.T) {
		inner, b := offset(t, 25, nil)
		p, err := cache.NewPages[item](inner, cache.Config{Store: s1, Name: "items", Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		want, err := inner.Paginate(ctx, paginate.Request{Page: 3})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			got, err := p.Paginate(ctx, paginate.Request{Page: 3})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("page through Redis (-want +got):\n%s", diff)
			}
		}
		if n := b.counts.Load(); n != 2 {
			t.Errorf("%d counts, want 2: one direct, one for the cache", n)
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a log
// handler.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A Redis that is down or too slow costs a count in the database, never
// the request, and is logged once.
func TestStoreDown(t *testing.T) {
	// A listener that accepts connections and never answers: a Redis
	// that hangs.
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	var conns sync.WaitGroup
	stop := make(chan struct{})
	conns.Add(1)
	go func() {
		defer conns.Done()
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			go func() { <-stop; c.Close() }()
		}
	}()
	defer func() { close(stop); hung.Close(); conns.Wait() }()

	for _, tc := range []struct {
		name, addr string
		opts       redis.Options
	}{
		// Nothing listens on port 1: connections are refused.
		{"down", "127.0.0.1:1", redis.Options{}},
		// go-redis's ReadTimeout is 3s; the cache gives up after its
		// own 50ms, with or without ContextTimeoutEnabled.
		{"slow", hung.Addr().String(), redis.Options{}},
		{"slow, context timeouts", hung.Addr().String(), redis.Options{ContextTimeoutEnabled: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Addr = tc.addr
			c := redis.NewClient(&opts)
			defer c.Close()
			var calls atomic.Int64
			c.AddHook(countHook{&calls})
			var logs syncBuffer
			counts := newCount(t, cache.Config{
				Store:   rediscache.New(c, rediscache.Config{}),
				Name:    "items",
				Shared:  true,
				Timeout: 50 * time.Millisecond,
				Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
			})
			p, b := offset(t, 25, counts)
			for range 3 {
				pg, err := p.Paginate(context.Background(), paginate.Request{Page: 2})
				if err != nil {
					t.Fatalf("the request failed: %v", err)
				}
				if pg.Total != 25 || len(pg.Items) != 10 || !pg.HasNext {
					t.Errorf("page: total %d, %d items, next %t", pg.Total, len(pg.Items), pg.HasNext)
				}
			}
			if n := b.counts.Load(); n != 3 {
				t.Errorf("%d counts in the database, want 3", n)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d calls reached the store, want 1: after a failure it is left alone for Backoff", n)
			}
			if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
				t.Errorf("logged %d warnings, want 1:\n%s", n, logs.String())
			}
			if !strings.Contains(logs.String(), "store failing") {
				t.Errorf("log does not say the store is failing:\n%s", logs.String())
			}
		})
	}
}

// A store that comes back is logged once more, at level Info.
func TestStoreRecovers(t *testing.T) {
	c := client(t)
	s, prefix := store(t, c)
	var logs syncBuffer
	counts := newCount(t, cache.Config{Store: s, Name: "items", Shared: true, Backoff: time.Nanosecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	p, _ := offset(t, 5, counts)
	ctx := context.Background()
	if _, err := p.Paginate(ctx, paginate.Request{}); err != nil {
		t.Fatal(err)
	}
	// A value of the wrong type makes GET fail with WRONGTYPE.
	key := ""
	keys, err := c.Keys(ctx, escape(prefix)+"*").Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys = %v, %v", keys, err)
	}
	key = keys[0]
	if err := c.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.LPush(ctx, key, "x").Err(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if pg, err := p.Paginate(ctx, paginate.Request{}); err != nil || pg.Total != 5 {
			t.Fatalf("with a broken key: total %d, err %v", pg.Total, err)
		}
	}
	if err := c.Del(ctx, key).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Paginate(ctx, paginate.Request{}); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if strings.Count(out, "level=WARN") != 1 || strings.Count(out, "level=INFO") != 1 || !strings.Contains(out, "store recovered") {
		t.Errorf("want one warning and one recovery:\n%s", out)
	}
}

func escape(s string) string {
	return strings.NewReplacer("*", `\*`, "?", `\?`, "[", `\[`, "]", `\]`).Replace(s)
}

// countHook counts the GET and SET commands a go-redis client is asked to
// run.
type countHook struct{ n *atomic.Int64 }

func (h countHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); name == "get" || name == "set" {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// BenchmarkCountHit measures a cached count served from Redis over
// loopback, without the page around it.
func BenchmarkCountHit(b *testing.B) {
	ctx := context.Background()
	s, _ := store(b, client(b))
	_, m := offset(b, 100, nil)
	c := newCount(b, cache.Config{Store: s, Name: "items", Shared: true})
	if _, err := c.CountTotal(ctx, m, paginate.Query{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CountTotal(ctx, m, paginate.Query{}); err != nil {
			b.Fatal(err)
		}
	}
	if n := m.counts.Load(); n != 1 {
		b.Fatalf("%d counts ran, want 1", n)
	}
}

// faulty wraps a real store and, on demand, holds its next call until
// released or makes it fail. It counts the calls that reach the store.
type faulty struct {
	cache.Store
	mu      sync.Mutex
	plan    []fault
	reached atomic.Int64
}

// A fault is what happens to one call: it fails, or it waits until
// release is closed (and says so by closing held) and then goes through.
type fault struct {
	fail          bool
	held, release chan struct{}
}

var errInjected = errors.New("injected store failure")

// arm plans the fault of the next call.
func (f *faulty) arm(ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.plan = append(f.plan, ft)
}

func (f *faulty) before() error {
	f.mu.Lock()
	var ft *fault
	if len(f.plan) > 0 {
		ft = &f.plan[0]
		f.plan = f.plan[1:]
	}
	f.mu.Unlock()
	switch {
	case ft == nil:
	case ft.fail:
		return errInjected
	default:
		close(ft.held)
		<-ft.release
	}
	f.reached.Add(1)
	return nil
}

func (f *faulty) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := f.before(); err != nil {
		return nil, false, err
	}
	return f.Store.Get(ctx, key)
}

func (f *faulty) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := f.before(); err != nil {
		return err
	}
	return f.Store.Set(ctx, key, val, ttl)
}

// After a failure the store is left alone for the whole Backoff, even
// when a call that began before the failure succeeds after it: that
// success says nothing about the store since.
func TestBackoffHoldsForInFlightCalls(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) cache.Store
	}{
		{"redis", func(t *testing.T) cache.Store { s, _ := store(t, client(t)); return s }},
		{"lru", func(t *testing.T) cache.Store {
			s, err := cache.NewLRU(cache.LRUConfig{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const backoff = time.Hour
			ctx := context.Background()
			f := &faulty{Store: tc.store(t)}
			var logs syncBuffer
			var now atomic.Int64
			now.Store(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
			counts := newCount(t, cache.Config{
				Store:   f,
				Name:    "items",
				Shared:  true,
				Timeout: time.Minute, // the held call is not given up
				Backoff: backoff,
				Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
				Now:     func() time.Time { return time.Unix(0, now.Load()) },
			})
			p, _ := offset(t, 25, counts)
			// Each request filters on another value: no two share a key.
			request := func(gt int64) {
				t.Helper()
				req := paginate.Request{Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{gt}}}}
				pg, err := p.Paginate(ctx, req)
				if err != nil {
					t.Errorf("request id>%d: %v", gt, err)
				} else if pg.Total != 25-gt {
					t.Errorf("request id>%d: total %d, want %d", gt, pg.Total, 25-gt)
				}
			}
			request(0) // reads the generations, kept while the clock stands

			held := fault{held: make(chan struct{}), release: make(chan struct{})}
			f.arm(held)
			released := false
			release := func() {
				if !released {
					released = true
					close(held.release)
				}
			}
			t.Cleanup(release)
			inFlight := make(chan struct{})
			go func() { defer close(inFlight); request(1) }()
			<-held.held // request 1's lookup is in flight

			f.arm(fault{fail: true})
			request(2) // its lookup fails: the backoff begins
			before := f.reached.Load()
			release() // request 1's lookup, begun before the failure, succeeds
			<-inFlight
			request(3)
			if n := f.reached.Load() - before; n != 1 {
				t.Errorf("%d calls reached the store after the failure, want 1 (the call in flight): the backoff did not hold", n)
			}
			out := logs.String()
			if strings.Count(out, "level=WARN") != 1 || strings.Contains(out, "store recovered") {
				t.Errorf("want one warning and no recovery during the backoff:\n%s", out)
			}

			// Once the backoff has passed, the store is tried again.
			now.Add(int64(backoff))
			before = f.reached.Load()
			request(4)
			if n := f.reached.Load() - before; n == 0 {
				t.Error("no call reached the store after the backoff")
			}
			if out := logs.String(); strings.Count(out, "store recovered") != 1 {
				t.Errorf("want the recovery logged once after the backoff:\n%s", out)
			}
		})
	}
}
