package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// health reports a store's failures once per outage and skips the store
// for a while after each.
type health struct {
	name             string
	timeout, backoff time.Duration
	log              *slog.Logger
	failing          atomic.Bool
	retryAt          atomic.Int64 // UnixNano before which the store is skipped
}

func newHealth(cfg Config) *health {
	return &health{name: cfg.Name, timeout: cfg.Timeout, backoff: cfg.Backoff, log: cfg.Logger}
}

// skip reports whether the store is being left alone after a failure.
func (h *health) skip() bool {
	return h.failing.Load() && time.Now().UnixNano() < h.retryAt.Load()
}

// failed records a failed store call. Calls that failed because the
// caller's own context ended say nothing about the store.
func (h *health) failed(ctx context.Context, op string, err error) {
	if ctx.Err() != nil {
		return
	}
	h.retryAt.Store(time.Now().Add(h.backoff).UnixNano())
	if h.failing.CompareAndSwap(false, true) {
		h.log.LogAttrs(ctx, slog.LevelWarn, "paginate/cache: store failing; serving from the database until it recovers",
			slog.String("cache", h.name), slog.String("op", op), slog.Any("error", err))
	}
}

func (h *health) ok(ctx context.Context) {
	if h.failing.CompareAndSwap(true, false) {
		h.log.LogAttrs(ctx, slog.LevelInfo, "paginate/cache: store recovered", slog.String("cache", h.name))
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
	if h.skip() {
		return nil, false, true
	}
	r := bounded(ctx, h.timeout, store, func(ctx context.Context) getResult {
		v, ok, err := store.Get(ctx, key)
		return getResult{v, ok, err}
	})
	if r.err != nil {
		h.failed(ctx, "get", r.err)
		return nil, false, true
	}
	h.ok(ctx)
	return r.val, r.ok, false
}

// set stores val, logging a failure.
func (h *health) set(ctx context.Context, store Store, key string, val []byte, ttl time.Duration) {
	if h.skip() {
		return
	}
	r := bounded(ctx, h.timeout, store, func(ctx context.Context) getResult {
		return getResult{err: store.Set(ctx, key, val, ttl)}
	})
	if r.err != nil {
		h.failed(ctx, "set", r.err)
		return
	}
	h.ok(ctx)
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
