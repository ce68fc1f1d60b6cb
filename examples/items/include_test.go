package main

import (
	"cmp"
	"slices"
	"strconv"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
)

// checkInclude asks s for pages with the items' sellers and reviews, by
// number and by cursor, and checks every item's related rows against the
// dataset: its seller or null, its three newest reviews (ties broken by
// the higher id) or an empty list; and that without include the items
// hold neither key.
func checkInclude(t *testing.T, s *server) {
	t.Helper()
	for _, path := range []string{"/api/items?per_page=30&page=2&include=seller,reviews", "/api/items/feed?per_page=30&sort=price&include=reviews,seller"} {
		env, res := s.fetch(t, path)
		if res.StatusCode != 200 || len(env.Items) != 30 {
			t.Fatalf("GET %s: %d, %d items", path, res.StatusCode, len(env.Items))
		}
		for i, it := range env.Items {
			row := dataset.Row(it.ID)
			var want *itemsapi.Seller
			if row.SellerID != nil {
				s := dataset.SellerRow(*row.SellerID)
				want = &itemsapi.Seller{ID: s.ID, Name: s.Name, Country: s.Country}
			}
			if diff := gocmp.Diff(want, it.Seller); diff != "" {
				t.Errorf("GET %s: item %d's seller (-want +got):\n%s", path, it.ID, diff)
			}
			if string(env.raw[i]["reviews"]) == "null" {
				t.Errorf("GET %s: item %d's reviews are null, want a list", path, it.ID)
			}
			reviews := dataset.Reviews(it.ID)
			slices.SortFunc(reviews, func(a, b dataset.Review) int {
				return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
			})
			wantReviews := []itemsapi.Review{}
			for _, r := range reviews[:min(len(reviews), itemsapi.ReviewLimit)] {
				wantReviews = append(wantReviews, itemsapi.Review{ID: r.ID, ItemID: r.ItemID, Rating: r.Rating, Body: r.Body, CreatedAt: r.CreatedAt})
			}
			if diff := gocmp.Diff(wantReviews, it.Reviews); diff != "" {
				t.Errorf("GET %s: item %d's reviews (-want +got):\n%s", path, it.ID, diff)
			}
		}
	}
	env, _ := s.fetch(t, "/api/items?per_page=5")
	for _, it := range env.raw {
		if _, ok := it["seller"]; ok {
			t.Errorf("an item without include has a seller key: %s", it["seller"])
		}
		if _, ok := it["reviews"]; ok {
			t.Errorf("an item without include has a reviews key: %s", it["reviews"])
		}
	}
}

func TestInclude(t *testing.T) {
	s := start(t, "-rows", strconv.Itoa(testRows))
	checkInclude(t, s)
}

func TestIncludePostgres(t *testing.T) {
	db := testdb.Postgres(t) // skips without PAGINATE_POSTGRES_DSN
	table := testdb.Name("items")
	dropTables(t, db, table)
	checkInclude(t, start(t, "-driver", "postgres", "-dsn", testdb.Env(t, testdb.PostgresEnv), "-table", table, "-rows", "200"))
}

func TestIncludeMariaDB(t *testing.T) {
	db := testdb.MySQL(t) // skips without PAGINATE_MYSQL_DSN
	table := testdb.Name("items")
	dropTables(t, db, table)
	checkInclude(t, start(t, "-driver", "mysql", "-dsn", testdb.Env(t, testdb.MySQLEnv), "-table", table, "-rows", "200"))
}
