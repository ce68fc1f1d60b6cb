package cache

import (
	"context"
	"errors"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultLRUSize is the Size of an [LRUConfig] whose Size is zero.
const DefaultLRUSize = 10_000

// LRUConfig configures an [LRU] store.
type LRUConfig struct {
	// Size is the most entries kept; past it the least recently used
	// entry is evicted. If zero, DefaultLRUSize.
	Size int
	// Now returns the current time, for expiry. If nil, time.Now.
	Now func() time.Time
}

// LRU is a bounded in-process [Store]: a least-recently-used cache of at
// most Size entries, each with its own expiry. Expired entries are dropped
// when they are looked up or evicted; no goroutine sweeps them. It is safe
// for concurrent use, and its values live only as long as the process, so
// each process keeps its own counts and an invalidation reaches only the
// process that makes it.
type LRU struct {
	c   *lru.Cache[string, lruEntry]
	now func() time.Time
	inv Invalidations
}

type lruEntry struct {
	val     []byte
	expires time.Time
}

var _ InvalidationTracker = (*LRU)(nil)

// NewLRU returns an empty LRU store.
func NewLRU(cfg LRUConfig) (*LRU, error) {
	if cfg.Size < 0 {
		return nil, errors.New("paginate/cache: LRU Size must not be negative")
	}
	if cfg.Size == 0 {
		cfg.Size = DefaultLRUSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c, err := lru.New[string, lruEntry](cfg.Size)
	if err != nil {
		return nil, err
	}
	return &LRU{c: c, now: cfg.Now}, nil
}

// Get returns a copy of the value under key, if it has not expired.
func (s *LRU) Get(_ context.Context, key string) ([]byte, bool, error) {
	e, ok := s.c.Get(key)
	if !ok {
		return nil, false, nil
	}
	if !s.now().Before(e.expires) {
		s.c.Remove(key)
		return nil, false, nil
	}
	return append([]byte(nil), e.val...), true, nil
}

// Set stores a copy of val under key for ttl.
func (s *LRU) Set(_ context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("paginate/cache: TTL must be positive")
	}
	s.c.Add(key, lruEntry{val: append([]byte(nil), val...), expires: s.now().Add(ttl)})
	return nil
}

// DeletePrefix deletes every entry whose key starts with prefix. It looks
// at every entry, at most Size of them.
func (s *LRU) DeletePrefix(_ context.Context, prefix string) error {
	for _, k := range s.c.Keys() {
		if strings.HasPrefix(k, prefix) {
			s.c.Remove(k)
		}
	}
	return nil
}

// Invalidations returns the record of the invalidations made through s,
// which the caches that use s read.
func (s *LRU) Invalidations() *Invalidations { return &s.inv }

// Len returns the number of entries, expired ones included until they are
// looked up or evicted.
func (s *LRU) Len() int { return s.c.Len() }
