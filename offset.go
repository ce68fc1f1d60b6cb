package paginate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// OffsetConfig configures an [Offset] paginator. Its zero value is usable:
// 10 items per page, at most 100, no depth limit, lenient past the end,
// an exact count on every request.
type OffsetConfig struct {
	// PerPage is the page size when a request names none. If zero, 10
	// (or MaxPerPage, when that is smaller).
	PerPage int
	// MaxPerPage is the largest page size. If zero, 100.
	MaxPerPage int
	// RejectOverMax rejects a per_page above MaxPerPage with
	// ErrInvalidPerPage instead of clamping it to MaxPerPage.
	RejectOverMax bool
	// MaxOffset is the most rows a page may skip: deeper pages fail with
	// ErrInvalidPage, so a client cannot make the database skip a million
	// rows on every request. If zero, unlimited.
	MaxOffset int64
	// Strict answers a page past the last one with ErrPageOutOfRange
	// instead of an empty page.
	Strict bool
	// Count is how the matching rows are counted: [ExactCount],
	// [NoCount], [CappedCount], [EstimatedCount], or a cached strategy
	// from the package cache. If nil, ExactCount.
	Count CountStrategy
}

// Offset serves pages by number. Build it with [NewOffset]; it is safe for
// concurrent use.
type Offset[T any] struct {
	b      Backend[T]
	schema *Schema
	cfg    OffsetConfig
	sizes  sizes
	prec   time.Duration // the backend's time precision; 0 for nanoseconds
}

var _ Paginator[struct{}] = (*Offset[struct{}])(nil)

// NewOffset returns an offset paginator over b for the fields schema
// declares.
func NewOffset[T any](b Backend[T], schema *Schema, cfg OffsetConfig) (*Offset[T], error) {
	if b == nil || schema == nil {
		return nil, errors.New("paginate: NewOffset needs a backend and a schema")
	}
	if err := checkBackendSchema(b, schema); err != nil {
		return nil, err
	}
	if cfg.MaxOffset < 0 {
		return nil, errors.New("paginate: MaxOffset must not be negative")
	}
	if cfg.Count == nil {
		cfg.Count = ExactCount{}
	}
	if v, ok := cfg.Count.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	sz, err := newSizes(cfg.PerPage, cfg.MaxPerPage, cfg.RejectOverMax)
	if err != nil {
		return nil, err
	}
	cfg.PerPage, cfg.MaxPerPage = sz.perPage, sz.maxPerPage
	return &Offset[T]{b: b, schema: schema, cfg: cfg, sizes: sz, prec: timePrecision(b)}, nil
}

// Config returns the paginator's configuration with defaults filled in.
func (p *Offset[T]) Config() OffsetConfig { return p.cfg }

// Schema returns the schema requests are checked against.
func (p *Offset[T]) Schema() *Schema { return p.schema }

// Paginate returns page req.Page, counting the matching rows as
// Config().Count says.
//
// With an exact count (the default) the count comes first, so a page past
// the end costs no fetch; such a page is empty, with PrevPage naming the
// last page, or fails with ErrPageOutOfRange when Strict, and HasNext
// compares the page with Pages.
//
// With any other strategy — no count, a capped count or an estimate —
// HasNext comes from the extra row every fetch asks for (per_page+1), and
// a page past the end is one whose fetch finds no rows (only page 1 may be
// empty and in range): it is empty, with PrevPage the page before it and
// the capped or estimated total as counted, or fails with
// ErrPageOutOfRange when Strict. A capped or estimated total is replaced
// by the exact one when a non-empty page (or page 1) turns out to be the
// last: its offset plus its items.
func (p *Offset[T]) Paginate(ctx context.Context, req Request) (Page[T], error) {
	var errs requestErrors
	pl := compile(p.schema, p.sizes, p.prec, req, &errs)
	if req.After != "" {
		errs.add("after", ErrInvalidCursor, fmt.Errorf("%w: this endpoint pages by number", ErrInvalidCursor))
	}
	if req.Before != "" {
		errs.add("before", ErrInvalidCursor, fmt.Errorf("%w: this endpoint pages by number", ErrInvalidCursor))
	}
	page := req.Page
	var offset int64
	switch {
	case page < 0:
		errs.add("page", ErrInvalidPage, fmt.Errorf("%w: must be a positive integer", ErrInvalidPage))
	case page == 0:
		page = 1
	}
	if page > 0 && pl.perPage > 0 {
		if int64(page-1) > math.MaxInt64/int64(pl.perPage) {
			errs.add("page", ErrInvalidPage, fmt.Errorf("%w: too large", ErrInvalidPage))
		} else {
			offset = int64(page-1) * int64(pl.perPage)
			if p.cfg.MaxOffset > 0 && offset > p.cfg.MaxOffset {
				deepest := p.cfg.MaxOffset/int64(pl.perPage) + 1
				errs.add("page", ErrInvalidPage, fmt.Errorf("%w: deeper than the maximum page %d for per_page %d", ErrInvalidPage, deepest, pl.perPage))
			}
		}
	}
	if err := errs.err(); err != nil {
		return Page[T]{}, err
	}

	q := Query{Fields: pl.fields, Filters: pl.filters, Sort: pl.sort, Offset: offset, Limit: pl.perPage + 1}
	out := Page[T]{Page: page, PerPage: pl.perPage}
	total, err := p.cfg.Count.CountTotal(ctx, p.b, q)
	if err != nil {
		return Page[T]{}, fmt.Errorf("paginate: count: %w", err)
	}
	exact := total.Exact()
	if total.Known {
		out.setTotal(total)
	}
	if exact && page > 1 && offset >= total.N {
		return p.pastEnd(out, out.Pages, true)
	}
	res, err := p.b.Fetch(ctx, q)
	if err != nil {
		return Page[T]{}, fmt.Errorf("paginate: fetch: %w", err)
	}
	items := res.Items
	more := len(items) > pl.perPage
	if more {
		items = items[:pl.perPage]
	}
	if items == nil {
		items = []T{}
	}
	if !exact {
		if page > 1 && len(items) == 0 {
			return p.pastEnd(out, page-1, false)
		}
		if total.Known && !more {
			// The last page: now the total is known exactly.
			out.setTotal(Total{N: offset + int64(len(items)), Known: true})
		}
	}
	out.Items = items
	if exact {
		out.HasNext = page < out.Pages
	} else {
		out.HasNext = more
	}
	out.HasPrev = page > 1
	if out.HasNext {
		out.NextPage = page + 1
	}
	if out.HasPrev {
		out.PrevPage = page - 1
	}
	return out, nil
}

// setTotal fills in the page's count.
func (pg *Page[T]) setTotal(t Total) {
	pg.Total, pg.Counted = t.N, true
	pg.TotalCapped, pg.TotalEstimated = t.Capped, t.Estimated
	pg.Pages = pages(t.N, pg.PerPage)
}

// pastEnd answers a page past the last one: an empty page whose PrevPage
// is prev, or ErrPageOutOfRange when Strict. exact says whether out.Pages
// is the exact number of pages.
func (p *Offset[T]) pastEnd(out Page[T], prev int, exact bool) (Page[T], error) {
	if p.cfg.Strict {
		reason := fmt.Sprintf("page %d is past the last page", out.Page)
		if exact {
			reason = fmt.Sprintf("page %d is past the last page (%d)", out.Page, out.Pages)
		}
		return Page[T]{}, &RequestError{Params: []*ParamError{{
			Param:  "page",
			Reason: reason,
			Err:    ErrPageOutOfRange,
		}}}
	}
	out.Items = []T{}
	out.HasPrev = prev > 0
	out.PrevPage = prev
	return out, nil
}

// pages returns how many pages of size perPage hold total rows.
func pages(total int64, perPage int) int {
	n := (total + int64(perPage) - 1) / int64(perPage)
	if n > math.MaxInt {
		return math.MaxInt
	}
	return int(n)
}
