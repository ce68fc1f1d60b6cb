package sql_test

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
)

// seed returns the seed of a randomized test, logged so that a failure can
// be reproduced by pinning it.
func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	t.Logf("seed %d", s)
	return s
}

func ids(items []item) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

var sortable = []string{"name", "cat", "price", "created", "flag", "amount", "label"}

// randomSort returns a sort parameter of one to three fields in random
// directions, sometimes ending with the key.
func randomSort(rng *rand.Rand) string {
	perm := rng.Perm(len(sortable))
	n := 1 + rng.IntN(3)
	parts := make([]string, 0, n+1)
	for _, i := range perm[:n] {
		p := sortable[i]
		if rng.IntN(2) == 0 {
			p = "-" + p
		}
		parts = append(parts, p)
	}
	if rng.IntN(4) == 0 {
		if rng.IntN(2) == 0 {
			parts = append(parts, "-id")
		} else {
			parts = append(parts, "id")
		}
	}
	return strings.Join(parts, ",")
}

// TestModel checks Fetch against the database's own ORDER BY of the whole
// table: for random sorts over nullable, duplicated, unicode, float, time
// and joined columns, a page after every row's position holds exactly the
// rows that follow it, with their sort values; first pages with offsets
// hold the rows at that offset, read plainly and by a deferred join.
func TestModel(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *sqlx.DB) {
		s := seed(t)
		rng := rand.New(rand.NewPCG(s, 1))
		f := newFixture(t, db, rng, 120)
		b := f.backend(t, f.from())
		deferred := backendWith(t, f, f.from(), 1)
		ctx := context.Background()
		for range 8 {
			sortParam := randomSort(rng)
			sort := f.orders(t, sortParam)
			want := f.reference(t, sort, "")
			for p := -1; p < len(want.ids); p++ {
				q := paginate.Query{Sort: sort, Limit: 1 + rng.IntN(7), Keys: true}
				start := 0
				if p >= 0 {
					q.After = want.keys[p]
					start = p + 1
					if rng.IntN(5) == 0 {
						q.Offset = int64(rng.IntN(6))
						start += int(q.Offset)
					}
				} else {
					q.Offset = int64(rng.IntN(len(want.ids) + 2))
					start = int(q.Offset)
				}
				be := b
				if q.After == nil && rng.IntN(2) == 0 {
					be = deferred
				}
				res, err := be.Fetch(ctx, q)
				if err != nil {
					t.Fatalf("seed %d, sort %s, position %d: %v", s, sortParam, p, err)
				}
				end := min(start+q.Limit, len(want.ids))
				start = min(start, end)
				if diff := cmp.Diff(want.ids[start:end], ids(res.Items)); diff != "" {
					t.Fatalf("seed %d, sort %s, after %v (position %d), offset %d: ids (-want +got):\n%s", s, sortParam, q.After, p, q.Offset, diff)
				}
				gotKeys := make([][]any, len(res.Keys))
				for i, k := range res.Keys {
					gotKeys[i] = canonKeys(t, sort, k)
				}
				if diff := cmp.Diff(want.keys[start:end], gotKeys, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
					t.Fatalf("seed %d, sort %s, position %d: keys (-want +got):\n%s", s, sortParam, p, diff)
				}
			}
		}
	})
}
