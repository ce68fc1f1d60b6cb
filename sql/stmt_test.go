package sql

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/go-paginate/paginate/internal/testdb"
)

// use runs an acquired statement, reading its one row.
func use(ctx context.Context, e *stmtEntry) error {
	var n int64
	return e.stmt.QueryRowContext(ctx).Scan(&n)
}

// TestStmtCacheEvictsInUse checks that a statement evicted from the cache
// while queries hold it stays open until the last of them releases it, and
// is closed then.
func TestStmtCacheEvictsInUse(t *testing.T) {
	for _, be := range testdb.Backends {
		t.Run(be.Name, func(t *testing.T) {
			db := be.Open(t)
			ctx := context.Background()
			c := newStmtCache(db, 1)
			a, err := c.acquire(ctx, "SELECT 1")
			if err != nil {
				t.Fatal(err)
			}
			a2, err := c.acquire(ctx, "SELECT 1")
			if err != nil {
				t.Fatal(err)
			}
			if a2 != a {
				t.Fatal("a second acquire of a cached statement prepared it again")
			}
			// The cache holds one statement: this evicts "SELECT 1", held
			// twice.
			b, err := c.acquire(ctx, "SELECT 2")
			if err != nil {
				t.Fatal(err)
			}
			b.release()
			if err := use(ctx, a); err != nil {
				t.Fatalf("evicted statement, held twice: %v", err)
			}
			a.release()
			if err := use(ctx, a2); err != nil {
				t.Fatalf("evicted statement, released once, still held: %v", err)
			}
			a2.release()
			if err := use(ctx, a); err == nil || !strings.Contains(err.Error(), "closed") {
				t.Errorf("evicted statement after its last release: %v, want it closed", err)
			}
			c.close()
			if err := use(ctx, b); err == nil || !strings.Contains(err.Error(), "closed") {
				t.Errorf("idle statement after the cache closed: %v, want it closed", err)
			}
		})
	}
}

// TestStmtCacheConcurrentEviction runs queries on many goroutines through
// a cache of one statement, so that nearly every acquire evicts a
// statement another goroutine holds. Each holder runs its statement twice,
// yielding in between; a cache that closes an evicted statement in use
// makes the second run fail. Run it with -race.
func TestStmtCacheConcurrentEviction(t *testing.T) {
	for _, be := range testdb.Backends {
		t.Run(be.Name, func(t *testing.T) {
			db := be.Open(t)
			ctx := context.Background()
			c := newStmtCache(db, 1)
			defer c.close()
			const goroutines, rounds = 8, 50
			errs := make(chan error, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for r := range rounds {
						query := fmt.Sprintf("SELECT %d", (g+r)%3)
						e, err := c.acquire(ctx, query)
						if err != nil {
							errs <- err
							return
						}
						err = use(ctx, e)
						if err == nil {
							runtime.Gosched()
							err = use(ctx, e)
						}
						e.release()
						if err != nil {
							errs <- fmt.Errorf("%s, round %d: %w", query, r, err)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
}
