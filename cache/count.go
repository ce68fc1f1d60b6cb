package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/value"
)

// Count is a [paginate.CountStrategy] that caches another strategy's
// totals: exact counts by default, or capped counts or estimates. Put it
// in an [paginate.OffsetConfig]:
//
//	counts, err := cache.NewCount(nil, cache.Config{Store: store, Name: "items"})
//	p, err := paginate.NewOffset(backend, schema, paginate.OffsetConfig{Count: counts})
//
// A total is cached per query filters and per scope for Config.TTL; see
// the package documentation for keys, scopes, invalidation and failures.
// Totals that are not known (from [paginate.NoCount]) are not cached.
//
// Every key also describes the strategy, so that strategies with other
// settings never share a total, and caches of equal strategies do, in
// every process that shares the store. A strategy that is a plain value
// (no pointers, interfaces, functions or channels in it, as with the
// strategies of package paginate) is described by its type and fields,
// printed with %#v, and by its String method if it has one. Any other
// strategy, such as one used through a pointer, must implement
// fmt.Stringer with a String method that returns a stable description of
// every setting that changes its totals — the same in every process —
// and is described by its type and that; NewCount rejects it otherwise.
type Count struct {
	cfg      Config
	strategy paginate.CountStrategy
	keys     *keyer
	prefix   string // the strategy, first in every key
	health   *health
	flights  flights[paginate.Total]
}

var _ paginate.CountStrategy = (*Count)(nil)

// NewCount returns a strategy that caches the totals of strategy, or of
// [paginate.ExactCount] when strategy is nil.
func NewCount(strategy paginate.CountStrategy, cfg Config) (*Count, error) {
	cfg, err := cfg.withDefaults("NewCount")
	if err != nil {
		return nil, err
	}
	if strategy == nil {
		strategy = paginate.ExactCount{}
	}
	if _, nested := strategy.(*Count); nested {
		return nil, errors.New("paginate/cache: NewCount: the strategy is already cached")
	}
	prefix, err := describe(strategy)
	if err != nil {
		return nil, err
	}
	h := newHealth(cfg)
	return &Count{
		cfg:      cfg,
		strategy: strategy,
		keys:     newKeyer(cfg, "c", h),
		prefix:   prefix + "|",
		health:   h,
	}, nil
}

// describe returns what keys say of a strategy: the same for equal
// strategies in every process. Printing a pointer, or a value with one
// inside, would give its address instead.
func describe(s paginate.CountStrategy) (string, error) {
	str, stringer := s.(fmt.Stringer)
	if plain(reflect.TypeOf(s)) {
		d := fmt.Sprintf("%#v", s)
		if stringer {
			d += "|" + str.String()
		}
		return d, nil
	}
	if !stringer {
		return "", fmt.Errorf("paginate/cache: NewCount: strategy %T is not a plain value and has no String method to describe its settings in cache keys", s)
	}
	return fmt.Sprintf("%T|%s", s, str.String()), nil
}

// plain reports whether %#v prints a value of type t the same way in
// every process: without pointers.
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array, reflect.Slice:
		return plain(t.Elem())
	case reflect.Map:
		return plain(t.Key()) && plain(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plain(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// Config returns the configuration with defaults filled in.
func (c *Count) Config() Config { return c.cfg }

// String returns "cached " and the cached strategy's name, such as
// "cached exact".
func (c *Count) String() string {
	if s, ok := c.strategy.(fmt.Stringer); ok {
		return "cached " + s.String()
	}
	return "cached"
}

// CountTotal returns the cached total for q's filters and the caller's
// scope, or runs the strategy — once for all concurrent callers asking
// for the same key, and on until the last of them stops waiting — and
// caches what it returns.
func (c *Count) CountTotal(ctx context.Context, counter paginate.Counter, q paginate.Query) (paginate.Total, error) {
	key, use := c.key(ctx, q)
	if use == useNone {
		return c.strategy.CountTotal(ctx, counter, q)
	}
	if use == useStore {
		if t, ok := c.lookup(ctx, key); ok {
			return t, nil
		}
	}
	return c.flights.do(ctx, key, func(ctx context.Context) (paginate.Total, error) {
		// A caller that missed just as another finished finds the value
		// here instead of counting again.
		if use == useStore {
			if t, ok := c.lookup(ctx, key); ok {
				return t, nil
			}
		}
		t, err := c.strategy.CountTotal(ctx, counter, q)
		if err != nil {
			return paginate.Total{}, err
		}
		if t.Known && use == useStore {
			c.health.set(ctx, c.cfg.Store, key, encodeTotal(t), c.cfg.TTL)
		}
		return t, nil
	})
}

func (c *Count) lookup(ctx context.Context, key string) (paginate.Total, bool) {
	b, ok := c.health.get(ctx, c.cfg.Store, key)
	if !ok {
		return paginate.Total{}, false
	}
	return decodeTotal(b)
}

// key is derived from the strategy and the filters alone: sort, fields,
// offset and limit do not change a count.
func (c *Count) key(ctx context.Context, q paginate.Query) (string, use) {
	var b strings.Builder
	b.WriteString(c.prefix)
	var fk value.FiltersKey
	for _, c := range q.Filters {
		fk.Add(c.Field.Name, int(c.Op), c.Values)
	}
	b.WriteString(fk.String())
	return c.keys.key(ctx, b.String())
}

// A cached total is a version byte, a flags byte and N as a varint.
const totalVersion = 1

const (
	flagCapped = 1 << iota
	flagEstimated
)

func encodeTotal(t paginate.Total) []byte {
	var flags byte
	if t.Capped {
		flags |= flagCapped
	}
	if t.Estimated {
		flags |= flagEstimated
	}
	return binary.AppendVarint([]byte{totalVersion, flags}, t.N)
}

func decodeTotal(b []byte) (paginate.Total, bool) {
	if len(b) < 3 || b[0] != totalVersion || b[1]&^(flagCapped|flagEstimated) != 0 {
		return paginate.Total{}, false
	}
	n, size := binary.Varint(b[2:])
	if size <= 0 || 2+size != len(b) || n < 0 {
		return paginate.Total{}, false
	}
	return paginate.Total{N: n, Known: true, Capped: b[1]&flagCapped != 0, Estimated: b[1]&flagEstimated != 0}, true
}
