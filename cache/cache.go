// Package cache caches what a paginator computes for repeated requests: the
// row counts behind Page.Total ([NewCount]) and, optionally, whole pages
// ([NewPages]).
//
// # Stores
//
// Values live in a [Store]: get and set with a TTL, and delete by key
// prefix for invalidation. [LRU] is a bounded in-process store; the package
// rediscache holds a Redis store, kept in its own package so that this one
// does not import a Redis client.
//
// # Keys and scopes
//
// A count is cached under a key derived from the normalized query: its
// filters, in a canonical order and with their typed values, and not its
// sort, fields, offset or limit, so every page and every order of one
// filtered list shares one count. A page is cached under a key derived
// from the whole request. Every key also holds the caller's scope — a
// tenant or user ID that the application puts in the context with
// [WithScope], or that [Config].Scope computes — so that one caller's
// count or page never answers another's, and starts with [Config].Name,
// so that [Invalidate] drops a table's entries after a write.
//
// A cache fails closed: when [Config].Scope is nil, a request whose
// context carries no scope is not cached at all (it is counted or fetched
// as if the cache were not there, and the first such request is logged at
// level Warn), unless [Config].Shared says that every caller sees the
// same rows.
//
// # Invalidation
//
// Every key also holds the current generation of its Name and of its
// scope, which the store keeps under keys of their own. [Invalidate] and
// [InvalidateScope] replace the generation with a new random one, so that
// every entry stored under the old one can no longer be found (it is also
// deleted, to free its space, but need not be). A count or page fetch
// that began before the invalidation stores its result under the
// generation it began with, where no later request looks, and requests
// after the invalidation do not wait for it: concurrent identical misses
// share a count only within one generation.
//
// Reading the generations would cost a store call per request, so each
// cache keeps the ones it read for [GenerationRefresh]. An invalidation
// reaches at once the caches of the process that makes it which use the
// same Store value: the store records it (see [InvalidationTracker]; the
// stores of this module do). A process that shares the store (through
// Redis) sees it when its copy is next read, at most GenerationRefresh
// after the invalidation returned: until then it may still serve entries
// of the old generation, and what it stores is never served once it has
// read the new one. Call Invalidate after the write has committed, with
// the Store the caches use.
//
// # Failures
//
// The cache never fails a request. A store that errors, or is slower than
// [Config].Timeout, counts as a miss: the count runs in the database and
// the page is served. The store is then left alone for [Config].Backoff
// after the failure, so that requests do not each wait for a store that
// is down, and tried again; a call that was already in flight and
// succeeds meanwhile neither ends the backoff nor counts as a recovery.
// The first failure is logged at level Warn, and the recovery at level
// Info, once each, however many requests fail in between. Concurrent
// identical misses run one count (or one page fetch) and share its
// result.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Store holds cached values. Implementations must be safe for concurrent
// use and should return promptly when ctx ends.
type Store interface {
	// Get returns the value stored under key, and whether there is one
	// that has not expired.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Set stores val under key for ttl, which is positive.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// DeletePrefix deletes every value whose key starts with prefix.
	DeletePrefix(ctx context.Context, prefix string) error
}

// Defaults of a [Config].
const (
	DefaultTTL     = time.Minute
	DefaultTimeout = 100 * time.Millisecond
	DefaultBackoff = 5 * time.Second
	// MaxTTL is the longest TTL accepted: shorter than the week for
	// which a store keeps a generation after an invalidation.
	MaxTTL = 24 * time.Hour
)

// Config configures a count cache ([NewCount]) or a page cache
// ([NewPages]).
type Config struct {
	// Store holds the cached values. Required.
	Store Store
	// Name is what a write invalidates, usually the table: every key
	// starts with it, and Invalidate(ctx, store, Name) drops them all.
	// Letters, digits, '_', '-' and '.', at most 64 bytes. Required.
	Name string
	// Variant tells apart caches that share a Name but not their rows,
	// such as a paginator over all items and one over published items:
	// it is part of every key but not of the invalidation prefix. If
	// empty, none: caches with the same Name and Store share entries.
	Variant string
	// TTL is how long a value is kept. If zero, DefaultTTL; at most
	// MaxTTL.
	TTL time.Duration
	// Scope returns the caller's scope, a tenant or user ID, which is
	// part of every key so that callers who see different rows never
	// share a count or a page. If nil, the scope set with [WithScope];
	// a request without one is not cached, unless Shared is set.
	Scope func(ctx context.Context) string
	// Shared says that every caller sees the same rows, as with public
	// data: when Scope is nil, a request without a scope is then cached
	// under the empty scope, shared by every such caller, instead of not
	// being cached. Requests with a scope are still cached per scope.
	Shared bool
	// Timeout bounds each store call; a slower call counts as a miss.
	// If zero, DefaultTimeout.
	Timeout time.Duration
	// Backoff is how long the store is left alone after a call fails:
	// meanwhile every lookup is a miss at no cost, whatever calls that
	// began before the failure return, and then the next call tries the
	// store again. If zero, DefaultBackoff.
	Backoff time.Duration
	// Logger receives the store's failures and recoveries. If nil,
	// slog.Default().
	Logger *slog.Logger
	// Now returns the current time, for how long the generations read
	// from the store are kept (see GenerationRefresh) and the store is
	// left alone after a failure (see Backoff). If nil, time.Now.
	Now func() time.Time
}

// maxNameLen is the longest Name accepted.
const maxNameLen = 64

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults(what string) (Config, error) {
	if c.Store == nil {
		return c, fmt.Errorf("paginate/cache: %s needs a Store", what)
	}
	if err := checkName(c.Name); err != nil {
		return c, err
	}
	if c.TTL < 0 || c.Timeout < 0 || c.Backoff < 0 {
		return c, errors.New("paginate/cache: TTL, Timeout and Backoff must not be negative")
	}
	if c.TTL > MaxTTL {
		return c, fmt.Errorf("paginate/cache: TTL %v is longer than MaxTTL", c.TTL)
	}
	if c.Backoff == 0 {
		c.Backoff = DefaultBackoff
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}

func checkName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("paginate/cache: invalid Name %q: it must be 1 to %d bytes", name, maxNameLen)
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-', c == '.':
		default:
			return fmt.Errorf("paginate/cache: invalid Name %q: use letters, digits, '_', '-' and '.'", name)
		}
	}
	return nil
}

type scopeKey struct{}

// WithScope returns a context that carries the caller's scope, a tenant or
// user ID, for caches whose Config.Scope is nil. The empty string is a
// scope like any other.
func WithScope(ctx context.Context, scope string) context.Context {
	return context.WithValue(ctx, scopeKey{}, scope)
}

// ScopeFrom returns the scope set with [WithScope], or "" when none was
// set.
func ScopeFrom(ctx context.Context) string {
	s, _ := scopeOf(ctx)
	return s
}

// scopeOf returns the scope set with WithScope, and whether one was.
func scopeOf(ctx context.Context) (string, bool) {
	s, ok := ctx.Value(scopeKey{}).(string)
	return s, ok
}

// Invalidate drops every count and page cached in store under name, as an
// application does after writing to the table name stands for: it gives
// name a new generation, so that no entry cached before can be found
// again, and then deletes those entries to free their space. It returns
// the store's error when the generation could not be replaced — the
// entries then live until their TTL ends — and not when only the
// deletion failed.
func Invalidate(ctx context.Context, store Store, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := bumpGeneration(ctx, store, name, generationKey(name, nil)); err != nil {
		return fmt.Errorf("paginate/cache: invalidate %s: %w", name, err)
	}
	_ = store.DeletePrefix(ctx, name+":")
	return nil
}

// InvalidateScope drops the counts and pages cached in store under name
// for one scope only, as after a write that only that tenant or user can
// see. It fails as [Invalidate] does.
func InvalidateScope(ctx context.Context, store Store, name, scope string) error {
	if err := checkName(name); err != nil {
		return err
	}
	h := scopeHash(scope)
	if err := bumpGeneration(ctx, store, name, generationKey(name, &h)); err != nil {
		return fmt.Errorf("paginate/cache: invalidate %s: %w", name, err)
	}
	_ = store.DeletePrefix(ctx, name+":"+h+":")
	return nil
}

// Keys are name:scope:kind:hash, with the scope and the rest (the
// variant, the generations and the request) hashed so that client text
// never reaches the store's key space and no scope's prefix is another's.
func scopeHash(scope string) string {
	sum := sha256.Sum256([]byte(scope))
	return hex.EncodeToString(sum[:12])
}

// keyer builds the keys of one cache.
type keyer struct {
	name, variant string
	kind          string // "c" for counts, "p" for pages
	scope         func(context.Context) (string, bool)
	gens          *generations
	log           *slog.Logger
	warned        atomic.Bool
}

func newKeyer(cfg Config, kind string, h *health) *keyer {
	k := &keyer{name: cfg.Name, variant: cfg.Variant, kind: kind, gens: newGenerations(cfg, h), log: cfg.Logger}
	switch {
	case cfg.Scope != nil:
		scope := cfg.Scope
		k.scope = func(ctx context.Context) (string, bool) { return scope(ctx), true }
	case cfg.Shared:
		k.scope = func(ctx context.Context) (string, bool) { return ScopeFrom(ctx), true }
	default:
		k.scope = scopeOf
	}
	return k
}

// use says what a request may do with the store.
type use int

const (
	// useNone: neither the store nor another request's result, as for
	// a request without a scope.
	useNone use = iota
	// useFlight: share a concurrent identical request's result, but
	// leave the store alone, which is failing.
	useFlight
	// useStore: look the key up and store what is computed.
	useStore
)

// key returns the key of a request for parts, and what the request may do
// with it.
func (k *keyer) key(ctx context.Context, parts string) (string, use) {
	scope, ok := k.scope(ctx)
	if !ok {
		if k.warned.CompareAndSwap(false, true) {
			k.log.LogAttrs(ctx, slog.LevelWarn, "paginate/cache: a request without a scope is not cached; set one with cache.WithScope, or Config.Shared if every caller sees the same rows",
				slog.String("cache", k.name))
		}
		return "", useNone
	}
	sh := scopeHash(scope)
	u := useStore
	gen, ok := k.gens.current(ctx, sh)
	if !ok {
		if gen, ok = k.gens.unknown(); !ok {
			return "", useNone
		}
		u = useFlight
	}
	sum := sha256.Sum256([]byte(k.variant + "\x00" + gen + "\x00" + parts))
	return k.name + ":" + sh + ":" + k.kind + ":" + hex.EncodeToString(sum[:16]), u
}
