package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// health reports a store's failures once per outage and leaves the store
// alone for the backoff after each failure.
//
// A call's success ends an outage only if no call has failed since it
// began: a call that was already in flight when the store failed, and
// succeeds after, says nothing about the store since. And whatever
// succeeds, the store is left alone until backoff after the last
// failure.
type health struct {
	name             string
	timeout, backoff time.Duration
	now              func() time.Time
	log              *slog.Logger
	retryAt          atomic.Int64  // UnixNano before which the store is left alone
	failures         atomic.Uint64 // failures so far; changed under mu
	failing          atomic.Bool   // between a failure and a recovery; changed under mu
	mu               sync.Mutex
}

func newHealth(cfg Config) *health {
	return &health{name: cfg.Name, timeout: cfg.Timeout, backoff: cfg.Backoff, now: cfg.Now, log: cfg.Logger}
}

// begin says whether the store may be called now and, if so, returns
// what the call passes to done.
func (h *health) begin() (since uint64, ok bool) {
	if h.now().UnixNano() < h.retryAt.Load() {
		return 0, false
	}
	return h.failures.Load(), true
}

// done records how a call that began at since ended.
func (h *health) done(ctx context.Context, since uint64, op string, err error) {
	if err != nil {
		h.failed(ctx, op, err)
		return
	}
	if !h.failing.Load() {
		return
	}
	h.mu.Lock()
	recovered := h.failures.Load() == since && h.failing.Swap(false)
	h.mu.Unlock()
	if recovered {
		h.log.LogAttrs(ctx, slog.LevelInfo, "paginate/cache: store recovered", slog.String("cache", h.name))
	}
}

// failed records a failed call and starts the backoff. Calls that failed
// because the caller's own context ended say nothing about the store.
func (h *health) failed(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	h.mu.Lock()
	h.failures.Add(1)
	h.retryAt.Store(h.now().Add(h.backoff).UnixNano())
	first := !h.failing.Swap(true)
	h.mu.Unlock()
	if first {
		h.log.LogAttrs(ctx, slog.LevelWarn, "paginate/cache: store failing; serving from the database until it recovers",
			slog.String("cache", h.name), slog.String("op", op), slog.Any("error", err))
	}
}

type getResult struct {
	val []byte
	ok  bool
	err error
}

// get looks key up, treating every failure as a miss.
func (h *health) get(ctx context.Context, store Store, key string) ([]byte, bool) {
	v, ok, _ := h.read(ctx, store, key)
	return v, ok
}

// read looks key up and reports whether the store failed (or is being
// left alone).
func (h *health) read(ctx context.Context, store Store, key string) (val []byte, ok, failed bool) {
	since, ok := h.begin()
	if !ok {
		return nil, false, true
	}
	r := bounded(ctx, h.timeout, store, func(ctx context.Context) getResult {
		v, ok, err := store.Get(ctx, key)
		return getResult{v, ok, err}
	})
	h.done(ctx, since, "get", r.err)
	if r.err != nil {
		return nil, false, true
	}
	return r.val, r.ok, false
}

// set stores val, logging a failure.
func (h *health) set(ctx context.Context, store Store, key string, val []byte, ttl time.Duration) {
	since, ok := h.begin()
	if !ok {
		return
	}
	r := bounded(ctx, h.timeout, store, func(ctx context.Context) getResult {
		return getResult{err: store.Set(ctx, key, val, ttl)}
	})
	h.done(ctx, since, "set", r.err)
}

// bounded runs fn with a deadline timeout away and returns by then even if
// fn does not: a store whose client ignores context deadlines (go-redis
// does, unless ContextTimeoutEnabled is set) cannot hold a request up. The
// in-process LRU never blocks and is called directly.
func bounded(ctx context.Context, timeout time.Duration, store Store, fn func(context.Context) getResult) getResult {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if _, local := store.(*LRU); local {
		return fn(ctx)
	}
	done := make(chan getResult, 1)
	go func() { done <- fn(ctx) }()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		return getResult{err: fmt.Errorf("store: %w", ctx.Err())}
	}
}
