package paginate

import (
	"context"
	"iter"
)

// Walk returns an iterator over every item of every page p serves for req,
// from the page req names to the last. It follows NextCursor when the
// pages have cursors and NextPage otherwise. It yields the first error,
// including the context's, and stops; breaking out of the loop stops it
// too.
//
// A keyset walk sees every row that exists for the whole walk exactly once,
// even while rows are inserted and deleted; an offset walk can skip or
// repeat rows under concurrent writes.
func Walk[T any](ctx context.Context, p Paginator[T], req Request) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			page, err := p.Paginate(ctx, req)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			switch {
			case !page.HasNext:
				return
			case page.NextCursor != "":
				req.After, req.Before, req.Page = page.NextCursor, "", 0
			case page.NextPage > 0:
				req.Page = page.NextPage
			default:
				return
			}
		}
	}
}
