package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate/internal/dataset"
)

// The floor: the SQL a person writes by hand for the feed sorted newest
// first, run through sqlx, either as text on every call (what most code
// does) or through a statement prepared once. Pages fetch perPage+1 rows,
// as the library does, so the extra row tells whether a next page exists.

const columns = "id, name, category, price, created_at, discount"

// floor holds the hand-written statements for one table.
type floor struct {
	db                    *sqlx.DB
	offsetSQL, firstSQL   string
	keysetSQL, countSQL   string
	offsetStmt, firstStmt *sqlx.Stmt
	keysetStmt, countStmt *sqlx.Stmt
	positionSQL           string
}

func newFloor(ctx context.Context, d *database) (*floor, error) {
	order := " ORDER BY created_at DESC, id DESC"
	f := &floor{
		db:          d.db,
		offsetSQL:   d.db.Rebind("SELECT " + columns + " FROM " + d.table + order + " LIMIT ? OFFSET ?"),
		firstSQL:    d.db.Rebind("SELECT " + columns + " FROM " + d.table + order + " LIMIT ?"),
		keysetSQL:   d.db.Rebind("SELECT " + columns + " FROM " + d.table + " WHERE (created_at, id) < (?, ?)" + order + " LIMIT ?"),
		countSQL:    "SELECT COUNT(*) FROM " + d.table,
		positionSQL: d.db.Rebind("SELECT created_at, id FROM " + d.table + order + " LIMIT 1 OFFSET ?"),
	}
	for _, p := range []struct {
		stmt **sqlx.Stmt
		sql  string
	}{
		{&f.offsetStmt, f.offsetSQL},
		{&f.firstStmt, f.firstSQL},
		{&f.keysetStmt, f.keysetSQL},
		{&f.countStmt, f.countSQL},
	} {
		st, err := d.db.PreparexContext(ctx, p.sql)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.stmt = st
	}
	return f, nil
}

// position is the sort key of one row: the keyset position a page starts
// after.
type position struct {
	CreatedAt time.Time `db:"created_at"`
	ID        int64     `db:"id"`
}

// positionAt returns the sort key of the row offset rows from the start
// (0-based), looked up once, outside any timed loop.
func (f *floor) positionAt(ctx context.Context, offset int) (position, error) {
	var p position
	err := f.db.QueryRowxContext(ctx, f.positionSQL, offset).StructScan(&p)
	p.CreatedAt = p.CreatedAt.UTC()
	return p, err
}

// offsetPage runs the hand-written OFFSET page.
func (f *floor) offsetPage(ctx context.Context, prepared bool, offset int) ([]dataset.Item, error) {
	var items []dataset.Item
	var err error
	if prepared {
		err = f.offsetStmt.SelectContext(ctx, &items, perPage+1, offset)
	} else {
		err = sqlx.SelectContext(ctx, f.db, &items, f.offsetSQL, perPage+1, offset)
	}
	return items, err
}

// keysetPage runs the hand-written keyset page after p, or the first page
// when p is nil.
func (f *floor) keysetPage(ctx context.Context, prepared bool, p *position) ([]dataset.Item, error) {
	var items []dataset.Item
	var err error
	switch {
	case p == nil && prepared:
		err = f.firstStmt.SelectContext(ctx, &items, perPage+1)
	case p == nil:
		err = sqlx.SelectContext(ctx, f.db, &items, f.firstSQL, perPage+1)
	case prepared:
		err = f.keysetStmt.SelectContext(ctx, &items, p.CreatedAt, p.ID, perPage+1)
	default:
		err = sqlx.SelectContext(ctx, f.db, &items, f.keysetSQL, p.CreatedAt, p.ID, perPage+1)
	}
	return items, err
}

// count runs the hand-written full-table COUNT.
func (f *floor) count(ctx context.Context, prepared bool) (int64, error) {
	var n int64
	var err error
	if prepared {
		err = f.countStmt.GetContext(ctx, &n)
	} else {
		err = sqlx.GetContext(ctx, f.db, &n, f.countSQL)
	}
	return n, err
}

var (
	floorsMu sync.Mutex
	floors   = map[string]*floor{}
)

// floorOf returns the hand-written statements of d, prepared once per
// process.
func floorOf(tb testing.TB, d *database) *floor {
	tb.Helper()
	floorsMu.Lock()
	defer floorsMu.Unlock()
	if f, ok := floors[d.name]; ok {
		return f
	}
	f, err := newFloor(context.Background(), d)
	if err != nil {
		tb.Fatalf("%s: %v", d.name, err)
	}
	floors[d.name] = f
	return f
}

// checkPage fails the benchmark unless items is the page at offset: the
// right first row and perPage rows (perPage+1 with the extra row), or
// fewer on the last page.
func checkPage(tb testing.TB, d *database, offset int, items []dataset.Item, firstID int64, trimmed bool) {
	tb.Helper()
	n := perPage + 1
	if trimmed {
		n = perPage
	}
	want := min(n, d.rows-offset)
	if len(items) != want {
		tb.Fatalf("page at offset %d: %d rows, want %d", offset, len(items), want)
	}
	if items[0].ID != firstID {
		tb.Fatalf("page at offset %d starts at id %d, want %d", offset, items[0].ID, firstID)
	}
}
