// Package rediscache is a [cache.Store] over Redis, through
// github.com/redis/go-redis/v9, for counts and pages shared by every
// process of an application and invalidated for all of them at once.
//
// Create the client with ContextTimeoutEnabled set, so that go-redis
// honours the deadline the cache puts on each call; without it a call to a
// slow server is abandoned by the cache after cache.Config.Timeout (the
// request goes on to the database) but still holds a connection until the
// client's own ReadTimeout.
//
//	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
//	store := rediscache.New(client, rediscache.Config{Prefix: "myapp:paginate:"})
//	counts, err := cache.NewCount(nil, cache.Config{Store: store, Name: "items"})
//	// Each request's context names its tenant or user:
//	ctx = cache.WithScope(ctx, tenantID)
//
// Besides the cached values, Redis holds the generation of each Name and
// scope that has been invalidated (see package cache), under Prefix and
// "!gen:", for a week after the invalidation. Every process reads them
// again at most cache.GenerationRefresh after it last did, so an
// invalidation made by one process reaches the others within that time.
package rediscache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-paginate/paginate/cache"
)

// DefaultPrefix is the Prefix of a [Config] whose Prefix is empty.
const DefaultPrefix = "paginate:"

// Config configures a [Store].
type Config struct {
	// Prefix starts every key the store writes, so that its keys share a
	// Redis database with others' without colliding, and DeletePrefix
	// never reaches past them. If empty, DefaultPrefix.
	Prefix string
	// ScanCount is the COUNT hint of each SCAN that DeletePrefix runs.
	// If zero, 1000.
	ScanCount int64
}

// Store is a [cache.Store] over a Redis client: values are Redis strings
// set with a TTL (SET ... PX), and DeletePrefix walks the matching keys
// with SCAN and deletes them with UNLINK, so it never blocks the server
// the way KEYS would. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient
	cfg    Config
	inv    cache.Invalidations
}

var _ cache.InvalidationTracker = (*Store)(nil)

// New returns a store that keeps its values in client under cfg.Prefix.
func New(client redis.UniversalClient, cfg Config) *Store {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if cfg.ScanCount <= 0 {
		cfg.ScanCount = 1000
	}
	return &Store{client: client, cfg: cfg}
}

// Get returns the value under key, if there is one.
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := s.client.Get(ctx, s.cfg.Prefix+key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("paginate/cache/rediscache: get: %w", err)
	}
	return b, true, nil
}

// Set stores val under key for ttl.
func (s *Store) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return errors.New("paginate/cache/rediscache: TTL must be positive")
	}
	if err := s.client.Set(ctx, s.cfg.Prefix+key, val, ttl).Err(); err != nil {
		return fmt.Errorf("paginate/cache/rediscache: set: %w", err)
	}
	return nil
}

// DeletePrefix deletes every key under the store's Prefix that starts with
// prefix, on every primary of a cluster.
func (s *Store) DeletePrefix(ctx context.Context, prefix string) error {
	match := escapeGlob(s.cfg.Prefix+prefix) + "*"
	var err error
	if cc, ok := s.client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return s.deleteMatching(ctx, c, match)
		})
	} else {
		err = s.deleteMatching(ctx, s.client, match)
	}
	if err != nil {
		return fmt.Errorf("paginate/cache/rediscache: delete prefix: %w", err)
	}
	return nil
}

func (s *Store) deleteMatching(ctx context.Context, c redis.Cmdable, match string) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, match, s.cfg.ScanCount).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// Invalidations returns the record of the invalidations made through s in
// this process, which the caches that use s read: they see those at once,
// and the ones made by other processes (or through another Store) at most
// cache.GenerationRefresh later.
func (s *Store) Invalidations() *cache.Invalidations { return &s.inv }

// escapeGlob escapes the characters SCAN's MATCH pattern gives a meaning.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\', '^', '-':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
