package paginate

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/go-paginate/paginate/internal/cursor"
	"github.com/go-paginate/paginate/internal/value"
)

// EdgesRequest asks [Keyset.Edges] for a run of consecutive rows, each
// with its own cursor.
type EdgesRequest struct {
	// Request gives the sort, filters and fields, how many rows to return
	// (PerPage, as for Paginate), and the cursors. Unlike Paginate's,
	// After and Before may both be set; see [Keyset.Edges].
	Request
	// Last takes the rows nearest Before (or the last rows of the order,
	// when Before is empty), fetched backward from it, instead of the rows
	// nearest After (or the first rows).
	Last bool
	// Count, when not nil, counts the rows that match the filters into
	// Edges.Total. If nil, nothing is counted.
	Count CountStrategy
}

// Edges is a run of consecutive rows of one order, each with its cursor:
// what [Keyset.Edges] returns.
type Edges[T any] struct {
	// Items are the rows, in sort order.
	Items []T
	// Cursors holds one cursor per item: Cursors[i] holds the position of
	// Items[i], and works as the After or Before of any request with the
	// same sort and filters, here or in Paginate.
	Cursors []string
	// More reports that the window between the cursors holds more rows
	// than were returned: rows lie after the last item (before the first,
	// with Last) and before the far cursor's row.
	More bool
	// Behind reports that a row lies at or before After's position (with
	// Last, at or after Before's), on the near side of the window; false
	// when that cursor is not set.
	Behind bool
	// Total is the number of rows that match the filters, when the
	// request's Count asked for it.
	Total Total
}

// Edges returns a run of at most req.PerPage consecutive rows of req's
// order and filters, with a cursor for each row, for APIs that give every
// item its own cursor, as GraphQL's Relay connections do.
//
// The rows lie in the window between the cursors. The near cursor, After
// (or Before, with req.Last), is a position, as for Paginate: the rows
// start strictly after it (end strictly before it), whether or not its
// row still exists. The far cursor, Before (or After, with req.Last),
// ends the window at its row if that row is among the rows fetched, as
// the Relay specification's ApplyCursorsToEdges does; a far cursor whose
// row has been deleted, or lies on the near side of the near cursor, ends
// nothing. A start or end cursor (Page.LastCursor) is a position before
// the first or after the last row on either side.
//
// Edges fetches PerPage+1 rows. When the near cursor is set it also asks
// the backend for one row on its other side, to tell Behind exactly, and
// it counts when req.Count asks. Invalid requests fail with a
// *RequestError naming "after", "before", "sort", "fields", "per_page" or
// a filter's parameter.
func (p *Keyset[T]) Edges(ctx context.Context, req EdgesRequest) (Edges[T], error) {
	r, far, err := p.validateEdges(req)
	if err != nil {
		return Edges[T]{}, err
	}
	t := TimingsFrom(ctx)
	if err := p.allowShape(ctx, t, &r.plan); err != nil {
		return Edges[T]{}, err
	}
	var out Edges[T]
	if req.Count != nil {
		start := t.start()
		out.Total, err = p.count(ctx, r, req.Count)
		t.add(phaseCount, start)
		if err != nil {
			return Edges[T]{}, err
		}
	}
	now := p.issueTime()
	start := t.start()
	items, vals, err := p.edgeRows(ctx, r)
	if err == nil && r.from != cursor.Start && !(r.from == cursor.End && r.backward) {
		out.Behind, err = p.behind(ctx, r, vals)
	}
	t.add(phaseFetch, start)
	if err != nil {
		return Edges[T]{}, err
	}
	n := p.stop(r, far, vals)
	items, vals = items[:n], vals[:n]
	out.More = len(items) > r.perPage
	if out.More {
		items, vals = items[:r.perPage], vals[:r.perPage]
	}
	if r.backward {
		items, vals = slices.Clone(items), slices.Clone(vals)
		slices.Reverse(items)
		slices.Reverse(vals)
	}
	if items == nil {
		items = []T{}
	}
	// The related rows of the items, a step of its own.
	if err := relate(ctx, p.b, items, r.includes); err != nil {
		return Edges[T]{}, err
	}
	out.Items = items
	if out.Cursors, err = p.signPositions(now, r.bind, vals); err != nil {
		return Edges[T]{}, err
	}
	return out, nil
}

// edgeRows fetches up to PerPage+1 rows from r's position in r's
// direction, and returns them in that order with their positions,
// normalized.
func (p *Keyset[T]) edgeRows(ctx context.Context, r keysetRequest) ([]T, [][]any, error) {
	// Nothing lies after the end or before the start: no fetch.
	if (r.from == cursor.End && !r.backward) || (r.from == cursor.Start && r.backward) {
		return nil, nil, nil
	}
	items, keys, err := p.rows(ctx, r, r.perPage+1)
	if err != nil {
		return nil, nil, err
	}
	if err := checkKeys(keys, r.sort); err != nil {
		return nil, nil, err
	}
	// The positions share one backing array.
	n := len(r.sort)
	vals, flat := make([][]any, len(keys)), make([]any, len(keys)*n)
	for i, k := range keys {
		vals[i] = flat[i*n : (i+1)*n : (i+1)*n]
		if err := normalizeKeys(vals[i], k, r.sort); err != nil {
			return nil, nil, err
		}
	}
	return items, vals, nil
}

// farCursor is the far cursor of an edges request, decoded.
type farCursor struct {
	kind cursor.Kind // 0 when not set
	pos  []any
}

// validateEdges checks req and decodes its cursors: the near one into the
// request's position, the far one into the returned farCursor.
func (p *Keyset[T]) validateEdges(req EdgesRequest) (keysetRequest, farCursor, error) {
	var errs requestErrors
	r := p.prepare(req.Request, &errs)
	nearParam, near, farParam, farText := "after", req.After, "before", req.Before
	if req.Last {
		nearParam, near, farParam, farText = "before", req.Before, "after", req.After
		r.backward = true
		r.from = cursor.End
	}
	if near != "" {
		r.from, r.pos = p.position(nearParam, near, r, &errs)
	}
	var far farCursor
	if farText != "" {
		far.kind, far.pos = p.position(farParam, farText, r, &errs)
	}
	if v, ok := req.Count.(validator); ok {
		if err := v.validate(); err != nil {
			return r, far, err
		}
	}
	return r, far, errs.err()
}

// stop returns how many of the rows fetched (vals, in fetch order) lie
// before the far cursor: the index of the far cursor's row, if it is
// among them; none when the far cursor is the start (end, fetching
// backward), on the near side of every row; all of them otherwise.
func (p *Keyset[T]) stop(r keysetRequest, far farCursor, vals [][]any) int {
	switch {
	case far.kind == cursor.Start && !r.backward, far.kind == cursor.End && r.backward:
		return 0
	case far.kind != cursor.Position:
		return len(vals)
	}
	for i, row := range vals {
		if samePosition(row, far.pos, r.sort) {
			return i
		}
	}
	return len(vals)
}

// samePosition reports whether two positions of one sort, each value
// canonical or nil, are the same.
func samePosition(a, b []any, sort []Order) bool {
	for i, o := range sort {
		switch {
		case a[i] == nil || b[i] == nil:
			if a[i] != b[i] {
				return false
			}
		default:
			if c, err := value.Compare(o.Field.Type.kind(), a[i], b[i]); err != nil || c != 0 {
				return false
			}
		}
	}
	return true
}

// behind reports whether a row lies on the other side of r's position:
// before the first row fetched (vals[0], the row nearest the position),
// or, when none was fetched, anywhere.
func (p *Keyset[T]) behind(ctx context.Context, r keysetRequest, vals [][]any) (bool, error) {
	probe := r
	probe.pos = nil
	if len(vals) > 0 {
		probe.pos, probe.backward = vals[0], !r.backward
	}
	probe.fields = []Field{p.schema.Key()}
	items, _, err := p.rows(ctx, probe, 1)
	return len(items) > 0, err
}

// count counts the rows matching r's filters with strategy s.
func (p *Keyset[T]) count(ctx context.Context, r keysetRequest, s CountStrategy) (Total, error) {
	q := Query{Fields: r.fields, Filters: r.filters, Sort: r.sort, Limit: r.perPage + 1}
	total, err := s.CountTotal(ctx, p.b, q)
	switch {
	case err != nil:
		return Total{}, fmt.Errorf("paginate: count: %w", err)
	case total.Known && total.N < 0:
		return Total{}, fmt.Errorf("paginate: count: %v returned %d rows", s, total.N)
	}
	return total, nil
}

// signPositions returns a cursor for each position of vals, as sign
// would, signed in one batch.
func (p *Keyset[T]) signPositions(now time.Time, bind [8]byte, vals [][]any) ([]string, error) {
	cs := make([]cursor.Cursor, len(vals))
	for i, v := range vals {
		cs[i] = cursor.Cursor{Kind: cursor.Position, Binding: bind, Values: v}
		if p.step > 0 {
			cs[i].IssuedAt = now.Truncate(p.step)
		}
	}
	out, err := p.codec.EncodeAll(cs)
	if err != nil {
		return nil, fmt.Errorf("paginate: encode cursor: %w", err)
	}
	for _, s := range out {
		if len(s) > p.cfg.MaxCursorLen {
			return nil, fmt.Errorf("paginate: a cursor for this page would be %d bytes, longer than MaxCursorLen (%d): raise MaxCursorLen or sort on shorter values", len(s), p.cfg.MaxCursorLen)
		}
	}
	return out, nil
}
