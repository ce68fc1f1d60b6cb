package bench

import (
	"context"
	"fmt"
	"sync"

	"github.com/Masterminds/squirrel"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/dataset"
	pagesql "github.com/go-paginate/paginate/sql"
)

// signingKey signs the benchmarks' cursors. It is a fixed test key.
var signingKey = []byte("go-paginate benchmark signing key, 32+ bytes")

// newSchema declares the items table's fields as the example server does,
// newest first by default.
func newSchema() (*paginate.Schema, error) {
	return paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq}},
		{Name: "category", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.In}},
		{Name: "price", Type: paginate.Int, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte}},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte}},
		{Name: "discount", Type: paginate.Int, Nullable: true},
	}, "-created_at")
}

// library is the library over one table: the SQL backend and the
// paginators the benchmarks call.
type library struct {
	schema  *paginate.Schema
	backend *pagesql.Backend[dataset.Item]
	offset  *paginate.Offset[dataset.Item] // counts nothing: the page alone
	keyset  *paginate.Keyset[dataset.Item]
	// plain is a backend with deferred joins off, and plainOffset an
	// offset paginator over it: every OFFSET read as the floor reads it.
	plain       *pagesql.Backend[dataset.Item]
	plainOffset *paginate.Offset[dataset.Item]
	// walker shares keyset's keys and sort, so its cursors are valid for
	// keyset; its large pages reach deep positions in a few requests.
	walker *paginate.Keyset[dataset.Item]

	mu      sync.Mutex
	cursors map[int]string // After cursor by offset
}

func newLibrary(d *database) (*library, error) {
	s, err := newSchema()
	if err != nil {
		return nil, err
	}
	b, err := pagesql.New[dataset.Item](d.db, squirrel.Select().From(d.table), pagesql.Config{Schema: s})
	if err != nil {
		return nil, err
	}
	l := &library{schema: s, backend: b, cursors: map[int]string{}}
	if l.offset, err = paginate.NewOffset(b, s, paginate.OffsetConfig{PerPage: perPage, Count: paginate.NoCount{}}); err != nil {
		return nil, err
	}
	if l.plain, err = pagesql.New[dataset.Item](d.db, squirrel.Select().From(d.table), pagesql.Config{Schema: s, DeferredJoinOffset: -1}); err != nil {
		return nil, err
	}
	if l.plainOffset, err = paginate.NewOffset(l.plain, s, paginate.OffsetConfig{PerPage: perPage, Count: paginate.NoCount{}}); err != nil {
		return nil, err
	}
	if l.keyset, err = paginate.NewKeyset(b, s, paginate.KeysetConfig{Keys: [][]byte{signingKey}, PerPage: perPage}); err != nil {
		return nil, err
	}
	if l.walker, err = paginate.NewKeyset(b, s, paginate.KeysetConfig{Keys: [][]byte{signingKey}, PerPage: perPage, MaxPerPage: 10_000}); err != nil {
		return nil, err
	}
	return l, nil
}

// after returns a real cursor for the page that starts offset rows from the
// start ("" for the first page): the NextCursor of a page that ends just
// before it, reached by walking there with large pages. It runs outside
// any timed loop and remembers its answers.
func (l *library) after(ctx context.Context, offset int) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.cursors[offset]; ok {
		return c, nil
	}
	cur, at := "", 0
	for o, c := range l.cursors {
		if o > at && o < offset {
			cur, at = c, o // walk on from the nearest position already reached
		}
	}
	for at < offset {
		n := min(offset-at, l.walker.Config().MaxPerPage)
		p, err := l.walker.Paginate(ctx, paginate.Request{PerPage: n, After: cur})
		if err != nil {
			return "", err
		}
		if len(p.Items) != n || p.NextCursor == "" {
			return "", fmt.Errorf("walking to row %d: a page at row %d held %d rows", offset, at, len(p.Items))
		}
		cur, at = p.NextCursor, at+n
	}
	l.cursors[offset] = cur
	return cur, nil
}
