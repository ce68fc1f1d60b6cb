package hostile

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/apitest"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
)

var (
	walkSeeds = flag.Int("hostile.seeds", 4, "how many seeded runs of the concurrent-writes walk per database")
	walkSeed  = flag.Uint64("hostile.seed", 0, "run the concurrent-writes walk with this seed only")
)

// walkRows is the size of the table walked under concurrent writes.
const walkRows = 10_000

// walkSorts are the orders walked: one direction throughout, which the
// SQL backend serves with a row-value comparison on SQLite and
// PostgreSQL, and mixed directions, which it expands into ORs.
var walkSorts = []string{"-created_at", "price", "category,-price", "-price,created_at"}

// TestKeysetWalkUnderWrites is a property test, over seeded random runs:
// while one goroutine walks the table forward with cursors and another
// backward, writers insert and delete rows whose sort keys lie before,
// at and after the walkers' positions. Each walk must finish without an
// error, return rows in strict sort order, never return a row twice,
// never return a row that never existed, and return every row that
// existed for the whole walk. Reproduce a failure with -hostile.seed.
func TestKeysetWalkUnderWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("walks 10,000 rows several times")
	}
	seeds := make([]uint64, 0, *walkSeeds)
	if *walkSeed != 0 {
		seeds = append(seeds, *walkSeed)
	} else {
		for i := range *walkSeeds {
			seeds = append(seeds, uint64(i+1))
		}
	}
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			e := openEnv(t, dbName, walkRows)
			a := newAPI(t, e, apiConfig{keyset: paginate.KeysetConfig{MaxPerPage: 200}})
			for _, seed := range seeds {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					walkUnderWrites(t, e, a, seed)
				})
			}
		})
	}
}

// walker is one goroutine's walk: the pages it saw, in the order it saw
// them, and its latest row for the writers to aim at.
type walker struct {
	backward bool
	end      string // where a backward walk starts
	pages    [][]itemsapi.Item
	err      error
	last     atomic.Pointer[itemsapi.Item]
	mu       sync.Mutex
	seen     []itemsapi.Item // a sample of the rows seen so far
}

func (w *walker) saw(items []itemsapi.Item) {
	w.pages = append(w.pages, items)
	if len(items) == 0 {
		return
	}
	edge := items[len(items)-1]
	if w.backward {
		edge = items[0]
	}
	w.last.Store(&edge)
	w.mu.Lock()
	w.seen = append(w.seen, items[0], items[len(items)/2], items[len(items)-1])
	w.mu.Unlock()
}

// order returns the walk's rows in sort order.
func (w *walker) order() []itemsapi.Item {
	var out []itemsapi.Item
	if w.backward {
		for i := len(w.pages) - 1; i >= 0; i-- {
			out = append(out, w.pages[i]...)
		}
		return out
	}
	for _, p := range w.pages {
		out = append(out, p...)
	}
	return out
}

// writeLog is what the writers did.
type writeLog struct {
	mu       sync.Mutex
	inserted map[int64]bool
	deleted  map[int64]bool
	ops      atomic.Int64
	byRegion [3]int
	writing  atomic.Int32 // writers still running
}

// walkUnderWrites runs one seeded walk forward and one backward while two
// writers change the table, and checks both walks.
func walkUnderWrites(t *testing.T, e *env, a *api, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	sortParam := walkSorts[(seed-1)%uint64(len(walkSorts))]
	sortKeys, err := a.keyset.Schema().ParseSort(sortParam)
	if err != nil {
		t.Fatal(err)
	}
	perPage := 50 + rng.IntN(151)
	t.Logf("sort=%s per_page=%d", sortParam, perPage)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var initial []int64
	if err := e.plain.SelectContext(ctx, &initial, "SELECT id FROM "+e.table); err != nil {
		t.Fatal(err)
	}
	req := paginate.Request{Sort: sortKeys, PerPage: perPage}
	fwd, back := &walker{}, &walker{backward: true}
	back.end = endCursor(t, a, req)
	wl := &writeLog{inserted: map[int64]bool{}, deleted: map[int64]bool{}}
	stop := make(chan struct{})
	var writers sync.WaitGroup
	var nextID atomic.Int64
	nextID.Store(1_000_000 * int64(seed))
	for w := range 2 {
		writers.Add(1)
		wrng := rand.New(rand.NewPCG(seed, uint64(w)))
		wl.writing.Add(1)
		go func() {
			defer writers.Done()
			defer wl.writing.Add(-1)
			write(ctx, t, e, wrng, []*walker{fwd, back}, initial, wl, &nextID, stop)
		}()
	}
	var walkers sync.WaitGroup
	for _, w := range []*walker{fwd, back} {
		walkers.Add(1)
		go func() {
			defer walkers.Done()
			w.walk(ctx, a.keyset, req, wl)
		}()
	}
	walkers.Wait()
	close(stop)
	writers.Wait()
	t.Logf("%d writes (before %d, at %d, after the position %d); %d pages forward, %d backward",
		wl.ops.Load(), wl.byRegion[0], wl.byRegion[1], wl.byRegion[2], len(fwd.pages), len(back.pages))

	for _, w := range []*walker{fwd, back} {
		w.check(t, sortKeys, initial, wl)
	}
	if wl.ops.Load() < int64(len(fwd.pages)) {
		t.Errorf("only %d writes for %d pages: the walk was not under writes", wl.ops.Load(), len(fwd.pages))
	}
	for r, n := range wl.byRegion {
		if n == 0 {
			t.Errorf("no write in region %d: the run does not cover it", r)
		}
	}
}

// walk pages through the table from its start, or from w.end backward,
// until there is no next (or previous) page. After each page it waits for
// at least one write, so that every page boundary sees the table change
// under it.
func (w *walker) walk(ctx context.Context, k *paginate.Keyset[itemsapi.Item], req paginate.Request, wl *writeLog) {
	if w.backward {
		req.Before = w.end
	}
	for {
		before := wl.ops.Load()
		page, err := k.Paginate(ctx, req)
		if err != nil {
			w.err = err
			return
		}
		w.saw(page.Items)
		if w.backward {
			if !page.HasPrev {
				return
			}
			req.Before = page.PrevCursor
		} else {
			if !page.HasNext {
				return
			}
			req.After = page.NextCursor
		}
		for wl.ops.Load() == before && wl.writing.Load() > 0 && ctx.Err() == nil {
			time.Sleep(100 * time.Microsecond)
		}
	}
}

// check checks the walk: it ended without an error, in strict sort order,
// with no row twice, no row that never existed, and every row that
// existed throughout.
func (w *walker) check(t *testing.T, sortKeys []paginate.SortKey, initial []int64, wl *writeLog) {
	t.Helper()
	name := "forward"
	if w.backward {
		name = "backward"
	}
	if w.err != nil {
		t.Errorf("%s walk failed: %v", name, w.err)
		return
	}
	existed := map[int64]bool{}
	for _, id := range initial {
		existed[id] = true
	}
	rows := w.order()
	count := map[int64]int{}
	for _, it := range rows {
		count[it.ID]++
		if !existed[it.ID] && !wl.inserted[it.ID] {
			t.Errorf("%s walk returned row %d, which never existed", name, it.ID)
		}
	}
	for id, n := range count {
		if n > 1 {
			t.Errorf("%s walk returned row %d %d times", name, id, n)
		}
	}
	missing := 0
	for _, id := range initial {
		if !wl.deleted[id] && count[id] == 0 {
			if missing++; missing <= 5 {
				t.Errorf("%s walk missed row %d, which existed throughout", name, id)
			}
		}
	}
	if missing > 5 {
		t.Errorf("%s walk missed %d rows in all", name, missing)
	}
	for i := 1; i < len(rows); i++ {
		if apitest.Compare(sortKeys, rows[i-1], rows[i]) >= 0 {
			t.Errorf("%s walk out of order at %d: %+v then %+v", name, i, rows[i-1], rows[i])
			break
		}
	}
}

// write inserts and deletes rows until stop is closed: each write picks a
// walker and a region relative to its position — before it (rows it has
// passed), at it (the very row its cursor holds, or a new row tied with it
// on every sort column), or after it (rows it has yet to reach).
func write(ctx context.Context, t *testing.T, e *env, rng *rand.Rand, ws []*walker, initial []int64, wl *writeLog, nextID *atomic.Int64, stop chan struct{}) {
	insert := e.plain.Rebind("INSERT INTO " + e.table + " (id, name, category, price, created_at, discount) VALUES (?, ?, ?, ?, ?, NULL)")
	del := e.plain.Rebind("DELETE FROM " + e.table + " WHERE id = ?")
	for {
		select {
		case <-stop:
			return
		default:
		}
		w := ws[rng.IntN(len(ws))]
		last := w.last.Load()
		region := rng.IntN(3)
		var ref itemsapi.Item
		switch {
		case last == nil || region == 2:
			region = 2
			ref = apitest.Item(initial[rng.IntN(len(initial))])
		case region == 1:
			ref = *last
		default:
			w.mu.Lock()
			ref = w.seen[rng.IntN(len(w.seen))]
			w.mu.Unlock()
		}
		var err error
		if rng.IntN(2) == 0 {
			id := nextID.Add(1)
			it := ref
			switch rng.IntN(4) {
			case 0: // tied with ref on every sort column but the key
			case 1:
				it.CreatedAt = it.CreatedAt.Add(time.Duration(rng.IntN(5)-2) * time.Minute)
			case 2:
				it.Price += int64(rng.IntN(3)-1) * 100
			case 3:
				it.Category = dataset.Categories[rng.IntN(len(dataset.Categories))]
			}
			_, err = e.plain.ExecContext(ctx, insert, id, it.Name, it.Category, it.Price, it.CreatedAt.UTC())
			if err == nil {
				wl.mu.Lock()
				wl.inserted[id] = true
				wl.mu.Unlock()
			}
		} else {
			wl.mu.Lock()
			wl.deleted[ref.ID] = true // marked first: a walk may miss it from now on
			wl.mu.Unlock()
			_, err = e.plain.ExecContext(ctx, del, ref.ID)
		}
		if err != nil {
			if ctx.Err() == nil {
				t.Errorf("write: %v", err)
			}
			return
		}
		wl.mu.Lock()
		wl.byRegion[region]++
		wl.mu.Unlock()
		wl.ops.Add(1)
	}
}

// endCursor returns a cursor for the end of the table under req's sort
// and filters, from which a backward walk starts: the cursor of the last
// row, found by walking forward, then the page after it, which is empty
// and hands out the end.
func endCursor(t *testing.T, a *api, req paginate.Request) string {
	t.Helper()
	ctx := context.Background()
	r := req
	r.PerPage = 200
	var lastPage paginate.Page[itemsapi.Item]
	var after string
	for {
		page, err := a.keyset.Paginate(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if !page.HasNext {
			lastPage = page
			break
		}
		after, r.After = page.NextCursor, page.NextCursor
	}
	// A cursor at the last row: the next cursor of the last page less its
	// last row, then the one-row page after that, whose prev cursor
	// points at that row.
	n := len(lastPage.Items)
	if n == 0 || after == "" {
		t.Fatal("the table is too small to find its end")
	}
	r.After = after
	if n > 1 {
		r.PerPage = n - 1
		page, err := a.keyset.Paginate(ctx, r)
		if err != nil || !page.HasNext {
			t.Fatalf("page before the last row: %v", err)
		}
		r.After = page.NextCursor
	}
	r.PerPage = 1
	page, err := a.keyset.Paginate(ctx, r)
	if err != nil || len(page.Items) != 1 || page.HasNext || page.PrevCursor == "" {
		t.Fatalf("the last row's page: %+v, %v", page, err)
	}
	r.After = page.PrevCursor
	page, err = a.keyset.Paginate(ctx, r)
	if err != nil || len(page.Items) != 0 || page.PrevCursor == "" {
		t.Fatalf("the page after the last row: %+v, %v", page, err)
	}
	return page.PrevCursor
}
