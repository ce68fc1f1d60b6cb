package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/go-paginate/paginate"
)

// impl is one way to fetch a page, named for a benchmark's impl= part.
type impl struct {
	name  string
	fetch func(ctx context.Context) (page, error)
}

// BenchmarkPage measures one page of 20 items, newest first (ORDER BY
// created_at DESC, id DESC), at each depth, by OFFSET and by keyset
// position: on the floor (impl=floor: database/sql, prepared once, literal
// LIMIT 21, rows.Scan), through sqlx (impl=sqlx-prepared: prepared once,
// bound LIMIT; impl=sqlx: text on every call) and through the library's
// paginator on the SQL backend (impl=library). Every approach fetches 21
// rows and returns 20. For OFFSET pages, impl=library reads a deep page
// by a deferred join (pagesql.Config.DeferredJoinOffset at its default),
// and impl=library-plain is the same paginator with deferred joins off,
// reading every OFFSET as the floor does.
//
// Before any is timed, every approach's page at the depth is checked
// against the page's ids read by a separate query, and each row against
// dataset.Row. The approaches of one depth are then timed one after
// another in the same process on the same table, in the order -rotate
// says; under -interleave, the approaches of every depth of the keyset
// strategy are timed together (timeDepths).
//
// The library's offset paginator here counts nothing (NoCount), so that it
// does the same work as the hand-written page; BenchmarkCount measures
// counting.
func BenchmarkPage(b *testing.B) {
	for _, dbc := range databases {
		b.Run("db="+dbc.name, func(b *testing.B) {
			d := dbc.open(b)
			b.Run("strategy=offset", func(b *testing.B) {
				timeEachDepth(b, d, func(off int) ([]impl, error) { return offsetImpls(d, off), nil })
			})
			b.Run("strategy=keyset", func(b *testing.B) {
				timeDepths(b, d, func(off int) ([]impl, error) { return keysetImpls(d, off) })
			})
		})
	}
}

// timeEachDepth checks and times the approaches implsAt returns for the
// offset of each depth, each depth in a sub-benchmark of its own,
// depth=<d>, whose approaches are timed as timeApproaches says.
func timeEachDepth(b *testing.B, d *database, implsAt func(offset int) ([]impl, error)) {
	b.Helper()
	for _, depth := range depths {
		b.Run(depthName(depth), func(b *testing.B) {
			impls, err := implsAt(d.offset(depth))
			if err != nil {
				b.Fatal(err)
			}
			timeApproaches(b, checkedApproaches(b, d, d.offset(depth), impls))
		})
	}
}

// timeDepths is timeEachDepth, except under -interleave: then the
// approaches of every depth are timed together, in one sub-benchmark,
// impl=interleaved, each named for its depth as well ("depth=0/floor"),
// so that an approach's last page and its first are timed in the same
// rounds, as an approach and the floor are. Keyset pages are timed so,
// whose last page the issue holds to 1.10× the first; offset pages, whose
// deep pages take up to half a second, would leave a run a few long
// rounds, and are timed each depth on its own.
func timeDepths(b *testing.B, d *database, implsAt func(offset int) ([]impl, error)) {
	b.Helper()
	if *interleave == 0 {
		timeEachDepth(b, d, implsAt)
		return
	}
	var as []approach
	for _, depth := range depths {
		impls, err := implsAt(d.offset(depth))
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range checkedApproaches(b, d, d.offset(depth), impls) {
			a.name = depthName(depth) + "/" + a.name
			as = append(as, a)
		}
	}
	timeApproaches(b, as)
}

// offsetImpls returns every approach's OFFSET page at offset.
func offsetImpls(d *database, off int) []impl {
	var impls []impl
	for _, h := range handWritten(d) {
		impls = append(impls, impl{h.name, func(ctx context.Context) (page, error) { return h.src.offsetPage(ctx, perPage, off) }})
	}
	req := paginate.Request{Page: off/perPage + 1}
	return append(impls, impl{implLibrary, func(ctx context.Context) (page, error) {
		p, err := d.lib.offset.Paginate(ctx, req)
		return page{p.Items, p.HasNext}, err
	}}, impl{implLibraryPlain, func(ctx context.Context) (page, error) {
		p, err := d.lib.plainOffset.Paginate(ctx, req)
		return page{p.Items, p.HasNext}, err
	}})
}

// keysetImpls returns every approach's keyset page that starts at offset:
// the hand-written ones after the position of the row before it, the
// library's with a real cursor for it, reached by walking there.
func keysetImpls(d *database, off int) ([]impl, error) {
	ctx := context.Background()
	var after *position
	if off > 0 {
		p, err := d.positionAt(ctx, off-1)
		if err != nil {
			return nil, err
		}
		after = &p
	}
	cursor, err := d.lib.after(ctx, off)
	if err != nil {
		return nil, err
	}
	var impls []impl
	for _, h := range handWritten(d) {
		impls = append(impls, impl{h.name, func(ctx context.Context) (page, error) { return h.src.keysetPage(ctx, perPage, after) }})
	}
	req := paginate.Request{After: cursor}
	return append(impls, impl{implLibrary, func(ctx context.Context) (page, error) {
		p, err := d.lib.keyset.Paginate(ctx, req)
		return page{p.Items, p.HasNext}, err
	}}), nil
}

// checkedApproaches checks that every approach returns the page at
// offset, and returns them as approaches to time.
func checkedApproaches(b *testing.B, d *database, offset int, impls []impl) []approach {
	b.Helper()
	ctx := context.Background()
	if err := checkImpls(ctx, d, offset, impls); err != nil {
		b.Fatal(err)
	}
	as := make([]approach, len(impls))
	for i, im := range impls {
		as[i] = approach{im.name, func() error {
			_, err := im.fetch(ctx)
			return err
		}}
	}
	return as
}

// checkImpls returns an error unless every approach's page at offset has
// the reference page's rows, in order, and says whether a next page
// exists as the reference does.
func checkImpls(ctx context.Context, d *database, offset int, impls []impl) error {
	want, more, err := d.referenceIDs(ctx, offset)
	if err != nil {
		return fmt.Errorf("reference page at offset %d: %w", offset, err)
	}
	for _, im := range impls {
		p, err := im.fetch(ctx)
		if err != nil {
			return fmt.Errorf("%s at offset %d: %w", im.name, offset, err)
		}
		if err := checkItems(p.items, want); err != nil {
			return fmt.Errorf("%s at offset %d on %s: %w", im.name, offset, d.name, err)
		}
		if p.hasNext != more {
			return fmt.Errorf("%s at offset %d on %s: has next %v, want %v", im.name, offset, d.name, p.hasNext, more)
		}
	}
	return nil
}
