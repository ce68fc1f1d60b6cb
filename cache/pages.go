package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/value"
)

// Pages is a [paginate.Paginator] that caches the pages of another, per
// request and per scope, for Config.TTL: an identical request — same page
// or cursors, page size, sort, filters (in any order) and fields — from
// the same scope is answered from the store, and concurrent identical
// misses run the paginator once. Failed requests are not cached, and
// neither are requests without a scope unless Config.Shared is set: a
// page holds rows, which one caller must never be shown from another's
// request. See the package documentation for keys, scopes, invalidation
// and failures.
//
// Pages are stored as JSON, so a page served from the cache is what
// encoding/json makes of the original: T must survive json.Marshal and
// json.Unmarshal (exported fields, or MarshalJSON and UnmarshalJSON).
// Fields that JSON leaves out come back as zero values, and numbers held
// in interface values come back as json.Number. A page that fails to
// encode is served but not cached.
//
// A cached keyset page carries the cursors it was issued with, so its
// cursors are up to TTL older than a fresh page's; keep TTL well below the
// paginator's cursor MaxAge.
type Pages[T any] struct {
	p       paginate.Paginator[T]
	cfg     Config
	keys    *keyer
	kind    string
	health  *health
	flights flights[paginate.Page[T]]
}

var _ paginate.Paginator[struct{}] = (*Pages[struct{}])(nil)

// NewPages returns a paginator that caches the pages p returns.
func NewPages[T any](p paginate.Paginator[T], cfg Config) (*Pages[T], error) {
	if p == nil {
		return nil, fmt.Errorf("paginate/cache: NewPages needs a paginator")
	}
	cfg, err := cfg.withDefaults("NewPages")
	if err != nil {
		return nil, err
	}
	h := newHealth(cfg)
	return &Pages[T]{
		p:      p,
		cfg:    cfg,
		keys:   newKeyer(cfg, "p", h),
		kind:   fmt.Sprintf("%T", p),
		health: h,
	}, nil
}

// Config returns the configuration with defaults filled in.
func (c *Pages[T]) Config() Config { return c.cfg }

// Unwrap returns the paginator whose pages are cached, for code that
// looks at a paginator's concrete type. (httpadapter.Handler does not look
// through it: give it the mode and the schema of a cached paginator.)
func (c *Pages[T]) Unwrap() paginate.Paginator[T] { return c.p }

// Paginate returns the cached page for req and the caller's scope, or asks
// the wrapped paginator and caches its page.
func (c *Pages[T]) Paginate(ctx context.Context, req paginate.Request) (paginate.Page[T], error) {
	key, use := c.keys.key(ctx, c.kind+"|"+requestKey(req))
	if use == useNone {
		return c.p.Paginate(ctx, req)
	}
	if use == useStore {
		if pg, ok := c.lookup(ctx, key); ok {
			return pg, nil
		}
	}
	pg, err := c.flights.do(ctx, key, func(ctx context.Context) (paginate.Page[T], error) {
		if use == useStore {
			if pg, ok := c.lookup(ctx, key); ok {
				return pg, nil
			}
		}
		pg, err := c.p.Paginate(ctx, req)
		if err != nil {
			return paginate.Page[T]{}, err
		}
		if use != useStore {
			return pg, nil
		}
		if b, err := json.Marshal(pg); err == nil {
			c.health.set(ctx, c.cfg.Store, key, b, c.cfg.TTL)
		}
		return pg, nil
	})
	if err != nil {
		return paginate.Page[T]{}, err
	}
	// Callers that shared one fetch get their own item slices.
	pg.Items = slices.Clone(pg.Items)
	return pg, nil
}

func (c *Pages[T]) lookup(ctx context.Context, key string) (paginate.Page[T], bool) {
	b, ok := c.health.get(ctx, c.cfg.Store, key)
	if !ok {
		return paginate.Page[T]{}, false
	}
	var pg paginate.Page[T]
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&pg); err != nil {
		return paginate.Page[T]{}, false
	}
	if pg.Items == nil {
		pg.Items = []T{}
	}
	return pg, true
}

// requestKey writes a request canonically: filters in a sorted order,
// since they all must hold, and everything else as given. Two requests
// with the same key get the same page.
func requestKey(req paginate.Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "page=%d;per=%d;after=%q;before=%q;", req.Page, req.PerPage, req.After, req.Before)
	if req.Sort == nil {
		b.WriteString("sort=default;")
	} else {
		b.WriteString("sort=")
		for _, k := range req.Sort {
			fmt.Fprintf(&b, "%q:%d,", k.Field, k.Dir)
		}
		b.WriteByte(';')
	}
	if req.Fields == nil {
		b.WriteString("fields=all;")
	} else {
		fmt.Fprintf(&b, "fields=%q;", req.Fields)
	}
	var fk value.FiltersKey
	for _, f := range req.Filters {
		fk.Add(f.Field, int(f.Op), f.Values)
	}
	b.WriteString(fk.String())
	// The relations included and their fields, in a canonical order.
	in := slices.SortedFunc(slices.Values(req.Include), func(a, b paginate.Include) int { return strings.Compare(a.Relation, b.Relation) })
	for _, x := range in {
		if x.Fields == nil {
			fmt.Fprintf(&b, "include=%q:all;", x.Relation)
		} else {
			fmt.Fprintf(&b, "include=%q:%q;", x.Relation, x.Fields)
		}
	}
	return b.String()
}
