package paginate

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// OffsetConfig configures an [Offset] paginator. Its zero value is usable:
// 10 items per page, at most 100, no depth limit, lenient past the end.
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
}

// Offset serves pages by number. Build it with [NewOffset]; it is safe for
// concurrent use.
type Offset[T any] struct {
	b      Backend[T]
	schema *Schema
	cfg    OffsetConfig
	sizes  sizes
}

var _ Paginator[struct{}] = (*Offset[struct{}])(nil)

// NewOffset returns an offset paginator over b for the fields schema
// declares.
func NewOffset[T any](b Backend[T], schema *Schema, cfg OffsetConfig) (*Offset[T], error) {
	if b == nil || schema == nil {
		return nil, errors.New("paginate: NewOffset needs a backend and a schema")
	}
	if cfg.MaxOffset < 0 {
		return nil, errors.New("paginate: MaxOffset must not be negative")
	}
	sz, err := newSizes(cfg.PerPage, cfg.MaxPerPage, cfg.RejectOverMax)
	if err != nil {
		return nil, err
	}
	cfg.PerPage, cfg.MaxPerPage = sz.perPage, sz.maxPerPage
	return &Offset[T]{b: b, schema: schema, cfg: cfg, sizes: sz}, nil
}

// Config returns the paginator's configuration with defaults filled in.
func (p *Offset[T]) Config() OffsetConfig { return p.cfg }

// Schema returns the schema requests are checked against.
func (p *Offset[T]) Schema() *Schema { return p.schema }

// Paginate returns page req.Page. It counts the matching rows first, so a
// page past the end costs no fetch; such a page is empty, with PrevPage
// naming the last page, or fails with ErrPageOutOfRange when Strict.
func (p *Offset[T]) Paginate(ctx context.Context, req Request) (Page[T], error) {
	var errs requestErrors
	pl := compile(p.schema, p.sizes, req, &errs)
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
	total, err := p.b.Count(ctx, q)
	if err != nil {
		return Page[T]{}, fmt.Errorf("paginate: count: %w", err)
	}
	out.Total, out.Counted = total, true
	out.Pages = pages(total, pl.perPage)
	if page > 1 && offset >= total {
		if p.cfg.Strict {
			return Page[T]{}, &RequestError{Params: []*ParamError{{
				Param:  "page",
				Reason: fmt.Sprintf("page %d is past the last page (%d)", page, out.Pages),
				Err:    ErrPageOutOfRange,
			}}}
		}
		out.Items = []T{}
		out.HasPrev = out.Pages > 0
		out.PrevPage = out.Pages
		return out, nil
	}
	res, err := p.b.Fetch(ctx, q)
	if err != nil {
		return Page[T]{}, fmt.Errorf("paginate: fetch: %w", err)
	}
	items := res.Items
	if len(items) > pl.perPage {
		items = items[:pl.perPage]
	}
	if items == nil {
		items = []T{}
	}
	out.Items = items
	out.HasNext = page < out.Pages
	out.HasPrev = page > 1
	if out.HasNext {
		out.NextPage = page + 1
	}
	if out.HasPrev {
		out.PrevPage = page - 1
	}
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
