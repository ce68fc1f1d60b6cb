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

// epochs counts, per Name, the invalidations made in this process, so
// that its caches read the new generations at once instead of after
// GenerationRefresh.
var epochs sync.Map // Name → *atomic.Uint64

func epochOf(name string) *atomic.Uint64 {
	if e, ok := epochs.Load(name); ok {
		return e.(*atomic.Uint64)
	}
	e, _ := epochs.LoadOrStore(name, new(atomic.Uint64))
	return e.(*atomic.Uint64)
}

// bumpGeneration gives key a new random generation and tells this
// process's caches of name.
func bumpGeneration(ctx context.Context, store Store, name, key string) error {
	defer epochOf(name).Add(1)
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
// keeps them for GenerationRefresh.
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
	return &generations{name: cfg.Name, store: cfg.Store, health: h, now: cfg.Now, epoch: epochOf(cfg.Name), read: read}
}

// current returns the generations of the cache's Name and of a scope, as
// one string, or false when the store cannot tell them.
func (g *generations) current(ctx context.Context, scopeHash string) (string, bool) {
	epoch := g.epoch.Load()
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
// GenerationRefresh ago and not before the current epoch. A generation
// that was never set is "".
func (g *generations) get(ctx context.Context, key string, epoch uint64) (string, bool) {
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

var errNoGeneration = errors.New("paginate/cache: the store cannot tell the generation")
