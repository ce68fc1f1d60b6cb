package hostile

import (
	"context"
	"slices"
	"testing"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
)

// TestOffsetDriftsUnderWrites shows why cursors exist. Under one fixed
// pattern of writes — a row deleted from a page already read, then a row
// inserted before the reading position — an offset walk skips a row that
// existed throughout and returns another twice, while a keyset walk under
// the very same writes returns every row exactly once.
func TestOffsetDriftsUnderWrites(t *testing.T) {
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			for _, mode := range []string{"offset", "keyset"} {
				t.Run(mode, func(t *testing.T) {
					e := openEnv(t, dbName, 200)
					a := newAPI(t, e, apiConfig{})
					got := driftWalk(t, e, a, mode)
					var want []int64 // row 5 is read before it is deleted
					for id := int64(1); id <= 60; id++ {
						want = append(want, id)
					}
					switch mode {
					case "offset":
						// Page 2 starts one row late (21 is skipped) and
						// page 3 one row early (41 comes again).
						if slices.Contains(got, 21) {
							t.Errorf("offset walk returned row 21; the deletion should have made it skip it: %v", got)
						}
						if n := count(got, 41); n != 2 {
							t.Errorf("offset walk returned row 41 %d times, want 2: %v", n, got)
						}
						if len(got) != 60 {
							t.Errorf("offset walk returned %d rows, want 60 (one skipped, one twice)", len(got))
						}
					case "keyset":
						if !slices.Equal(got, want) {
							t.Errorf("keyset walk returned %v, want %v", got, want)
						}
					}
				})
			}
		})
	}
}

// driftWalk reads three pages of 20 rows sorted by id, deleting row 5
// after the first page and inserting row 0 after the second, and returns
// the ids it read (row 0, inserted behind the walk, is left out).
func driftWalk(t *testing.T, e *env, a *api, mode string) []int64 {
	t.Helper()
	ctx := context.Background()
	req := paginate.Request{Sort: []paginate.SortKey{{Field: "id"}}, PerPage: 20}
	var p paginate.Paginator[itemsapi.Item] = a.keyset
	if mode == "offset" {
		p = a.offset
		req.Page = 1
	}
	var got []int64
	for n := 1; n <= 3; n++ {
		page, err := p.Paginate(ctx, req)
		if err != nil {
			t.Fatalf("page %d: %v", n, err)
		}
		for _, it := range page.Items {
			if it.ID != 0 {
				got = append(got, it.ID)
			}
		}
		switch n {
		case 1:
			if _, err := e.plain.ExecContext(ctx, e.plain.Rebind("DELETE FROM "+e.table+" WHERE id = ?"), 5); err != nil {
				t.Fatal(err)
			}
		case 2:
			r := dataset0()
			if _, err := e.plain.ExecContext(ctx, e.plain.Rebind("INSERT INTO "+e.table+" (id, name, category, price, created_at) VALUES (?, ?, ?, ?, ?)"),
				r.ID, r.Name, r.Category, r.Price, r.CreatedAt); err != nil {
				t.Fatal(err)
			}
		}
		if mode == "offset" {
			req.Page = page.NextPage
		} else {
			req.After = page.NextCursor
		}
	}
	return got
}

// dataset0 is a row with id 0, sorting before every other by id.
func dataset0() itemsapi.Item {
	r := itemsapi.Item{ID: 0, Name: "Zero Row", Category: "books", Price: 99}
	r.CreatedAt = dataset.Row(1).CreatedAt
	return r
}

func count(ids []int64, id int64) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}
