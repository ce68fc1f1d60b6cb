package sql

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
)

// preparer is the optional method of a handle that prepares statements,
// which *sqlx.DB, *sqlx.Tx and *sqlx.Conn have (through their embedded
// database/sql values); see the package doc. A backend on a handle without
// it runs its statements as text.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// stmtCache keeps the statements prepared on one handle, keyed by SQL
// text, in a bounded LRU cache. A statement evicted while a query uses it
// is closed when that query releases it.
type stmtCache struct {
	prep   preparer
	lru    *lru.Cache[string, *stmtEntry]
	closed atomic.Bool

	// Statements evicted while idle wait here to be closed after the
	// cache's lock is released: closing one can take a round trip to the
	// server, which must not hold up every other lookup.
	mu       sync.Mutex
	toClose  []*sql.Stmt
	nToClose atomic.Int32
}

type stmtEntry struct {
	mu   sync.Mutex
	stmt *sql.Stmt
	refs int
	dead bool
}

func newStmtCache(p preparer, size int) *stmtCache {
	c := &stmtCache{prep: p}
	c.lru, _ = lru.NewWithEvict(size, c.evicted)
	return c
}

// evicted runs under the LRU's lock: it marks the entry dead and queues
// its statement for closing if no query uses it.
func (c *stmtCache) evicted(_ string, e *stmtEntry) {
	e.mu.Lock()
	e.dead = true
	idle := e.refs == 0
	e.mu.Unlock()
	if idle {
		c.mu.Lock()
		c.toClose = append(c.toClose, e.stmt)
		c.nToClose.Add(1)
		c.mu.Unlock()
	}
}

// drain closes the statements evicted while idle.
func (c *stmtCache) drain() {
	if c.nToClose.Load() == 0 {
		return
	}
	c.mu.Lock()
	stmts := c.toClose
	c.toClose = nil
	c.nToClose.Store(0)
	c.mu.Unlock()
	for _, st := range stmts {
		st.Close()
	}
}

// take counts a user of a live entry.
func (e *stmtEntry) take() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dead {
		return false
	}
	e.refs++
	return true
}

// release ends a use of e, closing its statement if it was evicted and
// this was the last use. A nil entry's release does nothing.
func (e *stmtEntry) release() {
	if e == nil {
		return
	}
	e.mu.Lock()
	e.refs--
	closeIt := e.dead && e.refs == 0
	e.mu.Unlock()
	if closeIt {
		e.stmt.Close()
	}
}

// acquire returns the statement for query, preparing it on a miss, or nil
// when the cache is closed. The caller releases a non-nil entry.
func (c *stmtCache) acquire(ctx context.Context, query string) (*stmtEntry, error) {
	defer c.drain()
	if c.closed.Load() {
		return nil, nil
	}
	if e, ok := c.lru.Get(query); ok && e.take() {
		return e, nil
	}
	st, err := c.prep.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	e := &stmtEntry{stmt: st, refs: 1}
	if prev, ok, _ := c.lru.PeekOrAdd(query, e); ok {
		if prev.take() {
			st.Close()
			return prev, nil
		}
		c.lru.Add(query, e)
	}
	if c.closed.Load() {
		// Close raced with us: let the purge below or this removal close it.
		c.lru.Remove(query)
	}
	return e, nil
}

// close closes every idle statement now and the others when released.
func (c *stmtCache) close() {
	c.closed.Store(true)
	c.lru.Purge()
	c.drain()
}
