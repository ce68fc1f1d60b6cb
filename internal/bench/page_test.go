package bench

import (
	"context"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/dataset"
)

// impl is one way to fetch a page, named for a benchmark's impl= part.
type impl struct {
	name  string
	fetch func(ctx context.Context) ([]dataset.Item, error)
}

// BenchmarkPage measures one page of 20 items, newest first (ORDER BY
// created_at DESC, id DESC), at each depth: by OFFSET and by keyset
// position, hand-written (prepared once: impl=prepared; as text through
// sqlx: impl=sqlx) and through the library's paginator on the SQL backend
// (impl=library). The implementations of one depth run one after another
// in the same process on the same table, and each is checked to return
// the same page before it is timed.
//
// The library's offset paginator here counts nothing (NoCount), so that it
// does the same work as the hand-written page; BenchmarkCount measures
// counting.
func BenchmarkPage(b *testing.B) {
	ctx := context.Background()
	for _, dbc := range databases {
		b.Run("db="+dbc.name, func(b *testing.B) {
			d := dbc.open(b)
			f := floorOf(b, d)
			l := libraryOf(b, d)
			b.Run("strategy=offset", func(b *testing.B) {
				for _, depth := range depths {
					b.Run(depthName(depth), func(b *testing.B) {
						off := d.offset(depth)
						req := paginate.Request{Page: off/perPage + 1}
						runImpls(b, d, f, off, []impl{
							{"prepared", func(ctx context.Context) ([]dataset.Item, error) { return f.offsetPage(ctx, true, off) }},
							{"sqlx", func(ctx context.Context) ([]dataset.Item, error) { return f.offsetPage(ctx, false, off) }},
							{"library", func(ctx context.Context) ([]dataset.Item, error) {
								p, err := l.offset.Paginate(ctx, req)
								return p.Items, err
							}},
						})
					})
				}
			})
			b.Run("strategy=keyset", func(b *testing.B) {
				for _, depth := range depths {
					b.Run(depthName(depth), func(b *testing.B) {
						off := d.offset(depth)
						var after *position
						if off > 0 {
							p, err := f.positionAt(ctx, off-1)
							if err != nil {
								b.Fatal(err)
							}
							after = &p
						}
						cursor, err := l.after(ctx, off)
						if err != nil {
							b.Fatal(err)
						}
						req := paginate.Request{After: cursor}
						runImpls(b, d, f, off, []impl{
							{"prepared", func(ctx context.Context) ([]dataset.Item, error) { return f.keysetPage(ctx, true, after) }},
							{"sqlx", func(ctx context.Context) ([]dataset.Item, error) { return f.keysetPage(ctx, false, after) }},
							{"library", func(ctx context.Context) ([]dataset.Item, error) {
								p, err := l.keyset.Paginate(ctx, req)
								return p.Items, err
							}},
						})
					})
				}
			})
		})
	}
}

// runImpls checks that every implementation returns the page at offset,
// then times each in its own sub-benchmark.
func runImpls(b *testing.B, d *database, f *floor, offset int, impls []impl) {
	b.Helper()
	ctx := context.Background()
	at, err := f.positionAt(ctx, offset)
	if err != nil {
		b.Fatal(err)
	}
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			items, err := im.fetch(ctx)
			if err != nil {
				b.Fatal(err)
			}
			// Hand-written pages hold the extra row that tells whether a
			// next page exists; the library's do not.
			checkPage(b, d, offset, items, at.ID, im.name == "library")
			loop(b, func() error {
				_, err := im.fetch(ctx)
				return err
			})
		})
	}
}
