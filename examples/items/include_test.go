package main

import (
	"strconv"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/apitest"
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
		if res.Status != 200 || len(env.Items) != 30 {
			t.Fatalf("GET %s: %d, %d items", path, res.Status, len(env.Items))
		}
		raw := res.RawItems(t)
		for i, it := range env.Items {
			if diff := gocmp.Diff(apitest.Seller(apitest.Item(it.ID)), it.Seller); diff != "" {
				t.Errorf("GET %s: item %d's seller (-want +got):\n%s", path, it.ID, diff)
			}
			if string(raw[i]["reviews"]) == "null" {
				t.Errorf("GET %s: item %d's reviews are null, want a list", path, it.ID)
			}
			if diff := gocmp.Diff(apitest.Reviews(it.ID), it.Reviews); diff != "" {
				t.Errorf("GET %s: item %d's reviews (-want +got):\n%s", path, it.ID, diff)
			}
		}
	}
	_, res := s.fetch(t, "/api/items?per_page=5")
	for _, it := range res.RawItems(t) {
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
	checkInclude(t, startOn(t, "postgres", "-rows", "200"))
}

func TestIncludeMariaDB(t *testing.T) {
	checkInclude(t, startOn(t, "mysql", "-rows", "200"))
}
