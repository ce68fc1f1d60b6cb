package cache

import (
	"context"
	"sync"
)

// flights runs one call per key for all the callers that ask for that key
// while it runs, as golang.org/x/sync/singleflight does, and also stops
// the call once no caller waits for it any more.
//
// The call runs under a context of its own, which carries the values of
// the caller that started it but neither its deadline nor its
// cancellation: a caller that leaves (a client that disconnects, a
// request that times out) stops waiting without costing the others the
// result, and the call's context ends when the last caller has left, so
// that no count runs on for nobody. singleflight ties the call to the
// context of the caller that happened to start it, so that caller's
// leaving fails the call for everyone.
//
// The zero flights is ready to use.
type flights[V any] struct {
	mu sync.Mutex
	m  map[string]*flight[V]
}

type flight[V any] struct {
	waiters int // callers waiting; changed under flights.mu
	cancel  context.CancelFunc
	done    chan struct{} // closed when val and err are set
	val     V
	err     error
}

// do returns what fn returns for key, running fn once for all the callers
// that ask for key while it runs, or ctx's error when ctx ends first.
func (g *flights[V]) do(ctx context.Context, key string, fn func(context.Context) (V, error)) (V, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	g.mu.Lock()
	f := g.m[key]
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight[V]{cancel: cancel, done: make(chan struct{})}
		if g.m == nil {
			g.m = make(map[string]*flight[V])
		}
		g.m[key] = f
		go g.run(fctx, key, f, fn)
	}
	f.waiters++
	g.mu.Unlock()
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		g.leave(key, f)
		return zero, ctx.Err()
	}
}

func (g *flights[V]) run(ctx context.Context, key string, f *flight[V], fn func(context.Context) (V, error)) {
	val, err := fn(ctx)
	g.mu.Lock()
	f.val, f.err = val, err
	g.forget(key, f)
	g.mu.Unlock()
	f.cancel()
	close(f.done)
}

// leave stops a caller's wait, and the call when no one else waits: a
// caller that comes later starts a new one.
func (g *flights[V]) leave(key string, f *flight[V]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f.waiters--
	if f.waiters == 0 {
		f.cancel()
		g.forget(key, f)
	}
}

// forget removes f from g, unless a newer call has taken its key. It is
// called with g.mu held.
func (g *flights[V]) forget(key string, f *flight[V]) {
	if g.m[key] == f {
		delete(g.m, key)
	}
}
