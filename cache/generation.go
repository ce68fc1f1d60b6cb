package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// GenerationRefresh is how long a cache keeps the generations it read
// from the store before it reads them again: the longest a process goes
// on serving entries that another process sharing the store has
// invalidated. An invalidation reaches the caches of its own process at
// once.
const GenerationRefresh = time.Second

// generationTTL is how long a store keeps a generation after the
// invalidation that set it. A generation that has expired reads as the
// initial one, "", under which nothing cached since the invalidation
// that replaced "" is stored: MaxTTL is shorter, so nothing stored under
// "" before then is left either.
const generationTTL = 7 * 24 * time.Hour

// maxGenerations bounds how many scopes' generations one cache keeps.
const maxGenerations = 10_000

// Generations live in the store under "!gen:name" and "!gen:name:scope":
// no Name holds '!', so no invalidation prefix reaches them.
func generationKey(name string, scopeHash *string) string {
	if scopeHash == nil {
		return "!gen:" + name
	}
	return "!gen:" + name + ":" + *scopeHash
}

// Invalidations records, per Name, the invalidations made through one
// [Store] in this process, so that the caches of the process that use the
// same Store see them at once rather than after [GenerationRefresh]. A
// Store holds one and makes it known by implementing
// [InvalidationTracker]; [LRU] and rediscache's Store do. The zero
// Invalidations is ready to use; it must not be copied after first use.
type Invalidations struct {
	epochs sync.Map // Name → *atomic.Uint64
}

// epoch returns the count of the invalidations of name.
func (inv *Invalidations) epoch(name string) *atomic.Uint64 {
	if e, ok := inv.epochs.Load(name); ok {
		return e.(*atomic.Uint64)
	}
	e, _ := inv.epochs.LoadOrStore(name, new(atomic.Uint64))
	return e.(*atomic.Uint64)
}

// An InvalidationTracker is a [Store] that keeps the invalidations made
// through it in this process, for the caches that use it.
//
// A cache over a Store that is not an InvalidationTracker cannot learn of
// an invalidation but from the store, so it reads the generations from
// the store on every request instead of keeping them for
// GenerationRefresh, and shares a count or page fetch between concurrent
// requests only while the store answers.
type InvalidationTracker interface {
	Store
	// Invalidations returns the store's record of invalidations: the
	// same one on every call, for as long as the store is used.
	Invalidations() *Invalidations
}

// epochOf returns the count of the invalidations of name made through
// store in this process, or nil when store keeps none.
func epochOf(store Store, name string) *atomic.Uint64 {
	t, ok := store.(InvalidationTracker)
	if !ok {
		return nil
	}
	inv := t.Invalidations()
	if inv == nil {
		return nil
	}
	return inv.epoch(name)
}

// bumpGeneration gives key a new random generation and tells the caches
// of name that use store in this process.
func bumpGeneration(ctx context.Context, store Store, name, key string) error {
	if e := epochOf(store, name); e != nil {
		defer e.Add(1)
	}
	return setGeneration(ctx, store, key)
}

// setGeneration gives key a new random generation, without telling this
// process's caches: as another process does.
func setGeneration(ctx context.Context, store Store, key string) error {
	var b [16]byte
	rand.Read(b[:])
	return store.Set(ctx, key, []byte(hex.EncodeToString(b[:])), generationTTL)
}

// generations reads the generations of one cache's Name and scopes, and
// keeps them for GenerationRefresh when the store keeps its invalidations
// (epoch is not nil).
type generations struct {
	name    string
	store   Store
	health  *health
	now     func() time.Time
	epoch   *atomic.Uint64
	read    *lru.Cache[string, generation]
	flights flights[string]
}

// A generation as read at a time, and at an epoch of its Name.
type generation struct {
	val   string
	at    time.Time
	epoch uint64
}

func newGenerations(cfg Config, h *health) *generations {
	read, err := lru.New[string, generation](maxGenerations)
	if err != nil {
		panic(err) // only for a size that is not positive
	}
	return &generations{name: cfg.Name, store: cfg.Store, health: h, now: cfg.Now, epoch: epochOf(cfg.Store, cfg.Name), read: read}
}

// current returns the generations of the cache's Name and of a scope, as
// one string, or false when the store cannot tell them.
func (g *generations) current(ctx context.Context, scopeHash string) (string, bool) {
	var epoch uint64
	if g.epoch != nil {
		epoch = g.epoch.Load()
	}
	name, ok := g.get(ctx, generationKey(g.name, nil), epoch)
	if !ok {
		return "", false
	}
	scope, ok := g.get(ctx, generationKey(g.name, &scopeHash), epoch)
	if !ok {
		return "", false
	}
	return name + "/" + scope, true
}

// get returns the generation under key, read from the store at most
// GenerationRefresh ago and not before the current epoch, or, when the
// store keeps no epochs, read now. A generation that was never set is "".
func (g *generations) get(ctx context.Context, key string, epoch uint64) (string, bool) {
	if g.epoch == nil {
		// Neither kept nor shared: a read that began before an
		// invalidation could return the generation it replaced.
		b, _, failed := g.health.read(ctx, g.store, key)
		return string(b), !failed
	}
	now := g.now()
	if e, ok := g.read.Get(key); ok && e.epoch == epoch && !now.Before(e.at) && now.Sub(e.at) < GenerationRefresh {
		return e.val, true
	}
	v, err := g.flights.do(ctx, key+"|"+strconv.FormatUint(epoch, 10), func(ctx context.Context) (string, error) {
		at := g.now()
		b, _, failed := g.health.read(ctx, g.store, key)
		if failed {
			return "", errNoGeneration
		}
		g.read.Add(key, generation{val: string(b), at: at, epoch: epoch})
		return string(b), nil
	})
	if err != nil {
		return "", false
	}
	return v, true
}

// unknown returns the generation that stands for the store's when the
// store cannot tell it, and whether requests may share their results
// under it: only among the requests that began since this process last
// invalidated, which only a store that keeps its invalidations can tell.
func (g *generations) unknown() (string, bool) {
	if g.epoch == nil {
		return "", false
	}
	return "?" + strconv.FormatUint(g.epoch.Load(), 10), true
}

var errNoGeneration = errors.New("paginate/cache: the store cannot tell the generation")
