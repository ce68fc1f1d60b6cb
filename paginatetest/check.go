package paginatetest

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/go-paginate/paginate"
)

// spec is one request shape: what a walk or a run of offset pages asks.
type spec struct {
	sort    []paginate.SortKey // nil: the default sort
	filters []paginate.Filter
	fields  []string // nil: all
	include []paginate.Include
	perPage int
}

func (s spec) request() paginate.Request {
	return paginate.Request{Sort: s.sort, Filters: s.filters, Fields: s.fields, Include: s.include, PerPage: s.perPage}
}

// String writes the spec as query parameters, for failure messages.
func (s spec) String() string {
	var b strings.Builder
	b.WriteString("sort=")
	if s.sort == nil {
		b.WriteString(DefaultSort + "(default)")
	} else {
		b.WriteString(formatSort(s.sort))
	}
	for _, f := range s.filters {
		b.WriteString(" " + formatFilter(f))
	}
	if s.fields != nil {
		b.WriteString(" fields=" + strings.Join(s.fields, ","))
	}
	fmt.Fprintf(&b, " per_page=%d", s.perPage)
	return b.String()
}

func formatSort(keys []paginate.SortKey) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k.Field
		if k.Dir == paginate.Desc {
			parts[i] = "-" + k.Field
		}
	}
	return strings.Join(parts, ",")
}

func formatFilter(f paginate.Filter) string {
	vals := make([]string, len(f.Values))
	for i, v := range f.Values {
		vals[i] = formatValue(v)
	}
	return f.Param() + "=" + strings.Join(vals, ",")
}

func formatValue(v any) string {
	switch x := v.(type) {
	case []byte:
		return "0x" + hex.EncodeToString(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// mustSort parses a sort parameter of the dataset's schema; "" is the
// default sort (nil).
func mustSort(v string) []paginate.SortKey {
	if v == "" {
		return nil
	}
	keys, err := Schema().ParseSort(v)
	if err != nil {
		panic("paginatetest: " + err.Error())
	}
	return keys
}

// cmpOptions compare pages: nil and empty slices alike, but for an
// item's has-many rows, which must be empty and never nil; times with
// Equal and decimals by value (both through their Equal methods).
var cmpOptions = []cmp.Option{cmp.FilterPath(func(p cmp.Path) bool {
	t := p.Last().Type()
	return t != reflect.TypeFor[[]Review]() && t != reflect.TypeFor[[]*Review]()
}, cmpopts.EquateEmpty())}

// item is what the suite's pages hold: a row of a dataset, which
// compares itself with another and has an id.
type item[T any] interface {
	equal(T) bool
	id() int64
}

// view is a page of rows of the main dataset.
type view = pageView[Row]

// pageView is a Page with its cursors reduced to whether they are set: two
// backends may write the same position differently (a decimal's scale),
// and cursors are checked by following them.
type pageView[T any] struct {
	Items                        []T
	Page, PerPage                int
	Total                        int64
	Pages                        int
	Counted, Capped, Estimated   bool
	HasNext, HasPrev             bool
	NextPage, PrevPage           int
	HasNextCursor, HasPrevCursor bool
}

// meta is a view's metadata, all of it but the items.
type meta struct {
	page, perPage                int
	total                        int64
	pages                        int
	counted, capped, estimated   bool
	hasNext, hasPrev             bool
	nextPage, prevPage           int
	hasNextCursor, hasPrevCursor bool
}

func (v pageView[T]) meta() meta {
	return meta{v.Page, v.PerPage, v.Total, v.Pages, v.Counted, v.Capped, v.Estimated,
		v.HasNext, v.HasPrev, v.NextPage, v.PrevPage, v.HasNextCursor, v.HasPrevCursor}
}

func viewOf[T any](p paginate.Page[T]) pageView[T] {
	return pageView[T]{
		Items: p.Items, Page: p.Page, PerPage: p.PerPage, Total: p.Total, Pages: p.Pages,
		Counted: p.Counted, Capped: p.TotalCapped, Estimated: p.TotalEstimated,
		HasNext: p.HasNext, HasPrev: p.HasPrev, NextPage: p.NextPage, PrevPage: p.PrevPage,
		HasNextCursor: p.NextCursor != "", HasPrevCursor: p.PrevCursor != "",
	}
}

// pageDiff returns "" when got is the page want describes, else a
// description of the difference with the row ids of both and a go-cmp
// diff. Equal pages are recognised first by [view.equal], because go-cmp
// spends its time on reflection and the suite compares thousands of
// pages; go-cmp has the last word.
func pageDiff[T item[T]](want pageView[T], got paginate.Page[T]) string {
	g := viewOf(got)
	if equalViews(want, g) {
		return ""
	}
	d := cmp.Diff(want, g, cmpOptions...)
	if d == "" {
		return ""
	}
	return fmt.Sprintf("want ids %v, got ids %v; (-want +got):\n%s", ids(want.Items), ids(g.Items), d)
}

// equalViews reports whether v and w are equal as go-cmp with cmpOptions
// compares them.
func equalViews[T item[T]](v, w pageView[T]) bool {
	return v.meta() == w.meta() && slices.EqualFunc(v.Items, w.Items, T.equal)
}

// equal reports whether r and s are equal as go-cmp with cmpOptions
// compares them.
func (r Row) equal(s Row) bool {
	return r.ID == s.ID && r.Name == s.Name && r.Category == s.Category &&
		equalPtr(r.Score, s.Score) && r.Price == s.Price && r.Amount.Equal(s.Amount) &&
		r.CreatedAt.Equal(s.CreatedAt) && bytes.Equal(r.Tag, s.Tag) && r.Active == s.Active &&
		equalPtr(r.Note, s.Note)
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (r Row) id() int64 { return r.ID }

func ids[T item[T]](rows []T) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.id()
	}
	return out
}

// chunk returns rows[from:to], clamped to rows.
func chunk[T any](rows []T, from, to int) []T {
	from, to = max(0, min(from, len(rows))), max(0, min(to, len(rows)))
	return rows[from:to]
}

// maxWalk bounds a walk, so that a backend whose cursors loop fails
// instead of hanging.
func maxWalk(n, perPage int) int { return n/perPage + 3 }

// checkKeyset walks p forward from the first page to the end, then
// backward from the last page to the start, and checks every page against
// ref, the reference order of all the rows s selects. Forward pages are
// ref in chunks of s.perPage from the start; backward pages are chunks
// that end where the page after them begins. Turning forward again from
// the first backward page must give the last page again.
func checkKeyset[T item[T]](ctx context.Context, p paginate.Paginator[T], ref []T, s spec) error {
	n, pp := len(ref), s.perPage
	req := s.request()
	var last paginate.Page[T]
	lastStart := 0
	for i := 0; ; i++ {
		if i >= maxWalk(n, pp) {
			return fmt.Errorf("forward walk: still going after %d pages of %d rows", i, n)
		}
		pg, err := p.Paginate(ctx, req)
		if err != nil {
			return fmt.Errorf("forward page %d: %w", i+1, err)
		}
		from := i * pp
		want := pageView[T]{
			Items: chunk(ref, from, from+pp), PerPage: pp,
			HasNext: from+pp < n, HasPrev: i > 0,
		}
		want.HasNextCursor, want.HasPrevCursor = want.HasNext, want.HasPrev
		if d := pageDiff(want, pg); d != "" {
			return fmt.Errorf("forward page %d (rows %d to %d of %d): %s", i+1, from+1, min(from+pp, n), n, d)
		}
		last, lastStart = pg, from
		if !pg.HasNext {
			break
		}
		req.After, req.Before = pg.NextCursor, ""
	}
	// Back from the last page to the start.
	pg, end := last, lastStart
	for i := 0; pg.HasPrev; i++ {
		if i >= maxWalk(n, pp) {
			return fmt.Errorf("backward walk: still going after %d pages of %d rows", i, n)
		}
		req.After, req.Before = "", pg.PrevCursor
		var err error
		if pg, err = p.Paginate(ctx, req); err != nil {
			return fmt.Errorf("backward page %d (from the last): %w", i+1, err)
		}
		want := pageView[T]{
			Items: chunk(ref, end-pp, end), PerPage: pp,
			HasNext: true, HasPrev: end-pp > 0,
		}
		want.HasNextCursor, want.HasPrevCursor = want.HasNext, want.HasPrev
		if d := pageDiff(want, pg); d != "" {
			return fmt.Errorf("backward page %d (rows %d to %d of %d): %s", i+1, max(end-pp, 0)+1, end, n, d)
		}
		if i == 0 {
			// Turning forward again gives the page the backward walk
			// started from.
			turn := req
			turn.After, turn.Before = pg.NextCursor, ""
			again, err := p.Paginate(ctx, turn)
			if err != nil {
				return fmt.Errorf("forward again from backward page 1: %w", err)
			}
			want := pageView[T]{Items: chunk(ref, end, end+pp), PerPage: pp, HasNext: end+pp < n, HasPrev: true}
			want.HasNextCursor, want.HasPrevCursor = want.HasNext, want.HasPrev
			if d := pageDiff(want, again); d != "" {
				return fmt.Errorf("forward again from backward page 1 (rows %d to %d of %d): %s", end+1, min(end+pp, n), n, d)
			}
		}
		end -= pp
	}
	return nil
}

// checkOffset asks p for the pages s selects (all of them, or only those
// in pages when it is not nil), then two pages past the end, and checks
// every field of each against ref, the reference order of all the rows s
// selects.
func checkOffset[T item[T]](ctx context.Context, p paginate.Paginator[T], ref []T, s spec, pages []int) error {
	n, pp := len(ref), s.perPage
	last := (n + pp - 1) / pp
	if pages == nil {
		for k := 1; k <= last; k++ {
			pages = append(pages, k)
		}
	}
	pages = append(pages, max(last, 1)+1, last+7)
	req := s.request()
	for _, k := range pages {
		req.Page = k
		pg, err := p.Paginate(ctx, req)
		if err != nil {
			return fmt.Errorf("page %d of %d: %w", k, last, err)
		}
		want := pageView[T]{
			Page: k, PerPage: pp, Total: int64(n), Pages: last, Counted: true,
			Items: chunk(ref, (k-1)*pp, k*pp),
		}
		if k <= last || k == 1 {
			want.HasNext, want.HasPrev = k < last, k > 1
		} else { // past the end: turn back to the last page
			want.HasPrev = last > 0
		}
		if want.HasNext {
			want.NextPage = k + 1
		}
		if want.HasPrev {
			want.PrevPage = min(k-1, last)
		}
		if d := pageDiff(want, pg); d != "" {
			return fmt.Errorf("page %d of %d: %s", k, last, d)
		}
	}
	return nil
}

// wantInvalidCursor checks that err is an ErrInvalidCursor.
func wantInvalidCursor(err error) error {
	switch {
	case err == nil:
		return errors.New("no error; want one wrapping paginate.ErrInvalidCursor")
	case !errors.Is(err, paginate.ErrInvalidCursor):
		return fmt.Errorf("error %q does not wrap paginate.ErrInvalidCursor", err)
	}
	return nil
}

// project returns r with only the fields named kept, or r itself when
// fields is nil. It is the suite's own projection, so that the
// reference's is checked too.
func project(r Row, fields []string) Row {
	if fields == nil {
		return r
	}
	var out Row
	for _, f := range fields {
		switch f {
		case "id":
			out.ID = r.ID
		case "name":
			out.Name = r.Name
		case "category":
			out.Category = r.Category
		case "score":
			out.Score = r.Score
		case "price":
			out.Price = r.Price
		case "amount":
			out.Amount = r.Amount
		case "created_at":
			out.CreatedAt = r.CreatedAt
		case "tag":
			out.Tag = r.Tag
		case "active":
			out.Active = r.Active
		case "note":
			out.Note = r.Note
		default:
			panic("paginatetest: unknown field " + f)
		}
	}
	return out
}
