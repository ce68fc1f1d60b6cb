package paginate

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// OffsetConfig configures an [Offset] paginator. Its zero value is usable:
// 10 items per page, at most 100, no depth limit, lenient past the end,
// an exact count on every request.
type OffsetConfig struct {
	// PerPage is the page size when a request names none, at most
	// [PerPageLimit]. If zero, 10 (or MaxPerPage, when that is smaller).
	PerPage int
	// MaxPerPage is the largest page size, at most [PerPageLimit]. If
	// zero, 100.
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
	// Shapes, when not nil, decides which request shapes (orders and
	// filter operators) the paginator serves; see [ShapePolicy]. If nil,
	// every valid request is served.
	Shapes ShapePolicy
}

// Offset serves pages by number. Build it with [NewOffset]; it is safe for
// concurrent use.
type Offset[T any] struct {
	base
	b   Backend[T]
	cfg OffsetConfig
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
	if cfg.Count == nil {
		cfg.Count = ExactCount{}
	}
	if v, ok := cfg.Count.(validator); ok {
		if err := v.validate(); err != nil {
			return nil, err
		}
	}
	bs, err := newBase(b, schema, cfg.PerPage, cfg.MaxPerPage, cfg.RejectOverMax)
	if err != nil {
		return nil, err
	}
	if err := checkRelater(b, schema); err != nil {
		return nil, err
	}
	cfg.PerPage, cfg.MaxPerPage = bs.sizes.perPage, bs.sizes.maxPerPage
	return &Offset[T]{base: bs, b: b, cfg: cfg}, nil
}

// Config returns the paginator's configuration with defaults filled in.
func (p *Offset[T]) Config() OffsetConfig { return p.cfg }

// Schema returns the schema requests are checked against.
func (p *Offset[T]) Schema() *Schema { return p.schema }

// offsetRequest is a request validated for an offset paginator.
type offsetRequest struct {
	plan
	page   int
	offset int64
}

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
//
// A page so deep that its offset plus per_page+1 would not fit an int64
// fails with ErrInvalidPage.
func (p *Offset[T]) Paginate(ctx context.Context, req Request) (Page[T], error) {
	r, err := p.validate(req)
	if err != nil {
		return Page[T]{}, err
	}
	t := TimingsFrom(ctx)
	if p.cfg.Shapes != nil {
		start := t.start()
		err := p.checkShape(ctx, p.cfg.Shapes, false, &r.plan)
		t.add(phaseShape, start)
		if err != nil {
			return Page[T]{}, err
		}
	}
	q := Query{Fields: r.fields, Filters: r.filters, Sort: r.sort, Offset: r.offset, Limit: r.perPage + 1}
	out := Page[T]{Page: r.page, PerPage: r.perPage}
	start := t.start()
	total, err := p.cfg.Count.CountTotal(ctx, p.b, q)
	if _, none := p.cfg.Count.(NoCount); !none {
		t.add(phaseCount, start)
	}
	switch {
	case err != nil:
		return Page[T]{}, fmt.Errorf("paginate: count: %w", err)
	case total.Known && total.N < 0:
		return Page[T]{}, fmt.Errorf("paginate: count: %v returned %d rows", p.cfg.Count, total.N)
	case total.Known:
		out.setTotal(total)
	}
	if total.Exact() && r.page > 1 && r.offset >= total.N {
		return p.pastEnd(out, out.Pages, true)
	}
	start = t.start()
	res, err := p.b.Fetch(ctx, q)
	t.add(phaseFetch, start)
	if err != nil {
		return Page[T]{}, fmt.Errorf("paginate: fetch: %w", err)
	}
	page, err := p.finish(out, r, total, res.Items)
	if err != nil {
		return Page[T]{}, err
	}
	// The related rows of the page's items, a step of its own.
	if err := relate(ctx, p.b, page.Items, r.includes); err != nil {
		return Page[T]{}, err
	}
	return page, nil
}

// validate checks req and works out its page and offset.
func (p *Offset[T]) validate(req Request) (offsetRequest, error) {
	var errs requestErrors
	r := offsetRequest{plan: p.compile(req, &errs), page: req.Page}
	if req.After != "" {
		errs.add("after", ErrInvalidCursor, "this endpoint pages by number")
	}
	if req.Before != "" {
		errs.add("before", ErrInvalidCursor, "this endpoint pages by number")
	}
	switch {
	case r.page < 0:
		errs.add("page", ErrInvalidPage, "must be a positive integer")
	case r.page == 0:
		r.page = 1
	}
	if r.page > 0 && r.perPage > 0 {
		var reason string
		if r.offset, reason = p.offsetOf(r.page, r.perPage); reason != "" {
			errs.add("page", ErrInvalidPage, reason)
		}
	}
	return r, errs.err()
}

// offsetOf returns how many rows come before page, for pages of perPage
// rows, or says why the paginator does not serve that page: its offset
// plus the rows a fetch asks for (perPage+1) must fit an int64, the next
// page's number an int, and the offset must not pass MaxOffset.
func (p *Offset[T]) offsetOf(page, perPage int) (int64, string) {
	pp := int64(perPage)
	deepest := (math.MaxInt64-pp-1)/pp + 1
	if deepest >= math.MaxInt {
		deepest = math.MaxInt - 1
	}
	if int64(page) > deepest {
		return 0, fmt.Sprintf("too large: at most %d for per_page %d", deepest, perPage)
	}
	offset := int64(page-1) * pp
	if p.cfg.MaxOffset > 0 && offset > p.cfg.MaxOffset {
		return 0, fmt.Sprintf("deeper than the maximum page %d for per_page %d", p.cfg.MaxOffset/pp+1, perPage)
	}
	return offset, ""
}

// finish builds the page from the items fetched (up to per_page+1) and
// the total counted.
func (p *Offset[T]) finish(out Page[T], r offsetRequest, total Total, items []T) (Page[T], error) {
	exact := total.Exact()
	more := len(items) > r.perPage
	if more {
		items = items[:r.perPage]
	}
	if items == nil {
		items = []T{}
	}
	if !exact {
		if r.page > 1 && len(items) == 0 {
			return p.pastEnd(out, r.page-1, false)
		}
		if total.Known && !more {
			// The last page: now the total is known exactly.
			out.setTotal(Total{N: r.offset + int64(len(items)), Known: true})
		}
	}
	out.Items = items
	if exact {
		out.HasNext = r.page < out.Pages
	} else {
		out.HasNext = more
	}
	out.HasPrev = r.page > 1
	if out.HasNext {
		out.NextPage = r.page + 1
	}
	if out.HasPrev {
		out.PrevPage = r.page - 1
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
	n := total / int64(perPage)
	if total%int64(perPage) != 0 {
		n++
	}
	if n > math.MaxInt {
		return math.MaxInt
	}
	return int(n)
}
