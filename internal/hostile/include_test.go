package hostile

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/apitest"
)

// includeRows is the size of the items table the include tests run on.
const includeRows = 300

// TestIncludeStatementCount counts the statements the example API runs
// for a page on each database, with the real driver observed through a
// connection wrapper (see openCapturing): whatever the page size, a page
// runs its own statements (the count and the page, or the page) and one
// more per included relation, never one per item.
func TestIncludeStatementCount(t *testing.T) {
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			e := openRelatedEnv(t, dbName, includeRows)
			c := serve(t, newAPI(t, e, apiConfig{}).mux)
			// A first page of each endpoint, not counted: the statements a
			// backend runs once, before its first page (reading the
			// database's catalog, say), are not a page's.
			for _, path := range []string{items, feed} {
				if res := c.Get(path + "?per_page=1&include=seller,reviews"); res.Status != http.StatusOK {
					t.Fatalf("GET %s: %d %.300s", path, res.Status, res.Body)
				}
			}
			for _, path := range []string{items, feed} {
				own := 2 // COUNT(*) and the page
				if path == feed {
					own = 1
				}
				for _, include := range []string{"", "seller", "reviews", "seller,reviews"} {
					relations := 0
					if include != "" {
						relations = strings.Count(include, ",") + 1
					}
					counts := map[int]int{}
					for _, perPage := range []int{5, 50} {
						q := "per_page=" + strconv.Itoa(perPage)
						if include != "" {
							q += "&include=" + include
						}
						e.log.take()
						res := c.Get(path + "?" + q)
						stmts := e.log.take()
						if res.Status != http.StatusOK || len(res.Page.Items) != perPage {
							t.Fatalf("GET %s?%s: %d, %d items: %.300s", path, q, res.Status, len(res.Page.Items), res.Body)
						}
						counts[perPage] = len(stmts)
						if len(stmts) != own+relations {
							var texts []string
							for _, s := range stmts {
								texts = append(texts, s.SQL)
							}
							t.Errorf("GET %s?%s ran %d statements, want %d:\n%s", path, q, len(stmts), own+relations, strings.Join(texts, "\n"))
						}
					}
					t.Logf("%s %s include=%q: %d statements at per_page 5, %d at per_page 50", dbName, path, include, counts[5], counts[50])
				}
			}
		})
	}
}

// TestIncludeRows checks the related rows the example API embeds, in
// both modes, forward and backward, with filters and sparse fields, on
// each database, against the dataset's own functions: the seller of
// SellerRow or null, the newest ReviewLimit of Reviews (ties by the
// higher id) or [], and exactly the keys asked for.
func TestIncludeRows(t *testing.T) {
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			e := openRelatedEnv(t, dbName, includeRows)
			c := serve(t, newAPI(t, e, apiConfig{}).mux)
			cases := []struct {
				path, query  string
				fields       []string // the fields parameter; nil: none
				seller, revs []string // the related rows' keys; nil: not included
			}{
				{items, "include=seller,reviews&per_page=40", nil, sellerKeys, reviewKeys},
				{items, "include=seller&per_page=10&page=2&category=books", nil, sellerKeys, nil},
				{items, "include=reviews&fields[reviews]=created_at,rating&per_page=30&sort=price", []string{"name"}, nil, []string{"created_at", "rating"}},
				{feed, "include=reviews,seller&fields[seller]=country&per_page=20&sort=-name", nil, []string{"country"}, reviewKeys},
				{feed, "include=seller&per_page=33&category[in]=toys,music", []string{"price", "id"}, sellerKeys, nil},
				{feed, "include=reviews&per_page=9&sort=created_at", []string{"category"}, nil, reviewKeys},
			}
			for _, tc := range cases {
				ic := included{path: tc.path, fields: tc.fields, seller: tc.seller, revs: tc.revs}
				res := ic.check(t, c, tc.query)
				if tc.path != feed {
					continue
				}
				// Back from the last page, through prev cursors.
				u, err := url.Parse(*res.Page.Links["last"])
				if err != nil {
					t.Fatal(err)
				}
				last := u.Query()
				last.Del("fields") // check adds it
				res = ic.check(t, c, last.Encode())
				for pages := 0; res.Page.PrevCursor != nil; pages++ {
					if pages > includeRows {
						t.Fatal("the backward walk does not end")
					}
					res = ic.check(t, c, tc.query+"&before="+*res.Page.PrevCursor)
				}
			}
		})
	}
}

// included is what the pages of one request shape hold: the items'
// fields, and the keys of the related rows (nil: not included).
type included struct {
	path         string
	fields       []string
	seller, revs []string
}

var (
	itemKeys   = []string{"category", "created_at", "id", "name", "price", "seller_id"}
	sellerKeys = []string{"country", "id", "name"}
	reviewKeys = []string{"body", "created_at", "id", "item_id", "rating"}
)

// check gets path?query with the fields parameter and checks the items'
// keys and related rows. Where the fields leave the id out, the ids come
// from the same page asked for with fields=id.
func (ic included) check(t *testing.T, c client, query string) response {
	t.Helper()
	q := query
	if ic.fields != nil {
		q += "&fields=" + strings.Join(ic.fields, ",")
	}
	res := c.Get(ic.path + "?" + q)
	if res.Status != http.StatusOK || len(res.Page.Items) == 0 {
		t.Fatalf("GET %s?%s: %d, %d items: %.300s", ic.path, q, res.Status, len(res.Page.Items), res.Body)
	}
	ids := res.Page.Items
	if ic.fields != nil && !slices.Contains(ic.fields, "id") {
		ids = c.Get(ic.path + "?" + query + "&fields=id").Page.Items
		if len(ids) != len(res.Page.Items) {
			t.Fatalf("GET %s?%s&fields=id: %d items, want %d", ic.path, query, len(ids), len(res.Page.Items))
		}
	}
	fields := ic.fields
	if fields == nil {
		fields = itemKeys
	}
	for i, it := range res.RawItems(t) {
		want := slices.Clone(fields)
		if ic.seller != nil {
			want = append(want, "seller")
		}
		if ic.revs != nil {
			want = append(want, "reviews")
		}
		slices.Sort(want)
		if d := gocmp.Diff(want, apitest.SortedKeys(it)); d != "" {
			t.Fatalf("GET %s?%s: item %d keys (-want +got):\n%s", ic.path, q, i, d)
		}
		id := ids[i].ID
		if ic.seller != nil {
			checkSeller(t, it["seller"], id, ic.seller)
		}
		if ic.revs != nil {
			checkReviews(t, it["reviews"], id, ic.revs)
		}
	}
	return res
}

// checkSeller checks an item's seller member: null without a seller, else
// the seller's row with exactly the keys asked for.
func checkSeller(t *testing.T, raw json.RawMessage, itemID int64, keys []string) {
	t.Helper()
	want := apitest.Seller(apitest.Item(itemID))
	if want == nil {
		if string(raw) != "null" {
			t.Errorf("an item without a seller has seller %s, want null", raw)
		}
		return
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil || got == nil {
		t.Fatalf("seller %s: %v", raw, err)
	}
	checkObject(t, "seller", got, want, keys)
}

// checkReviews checks an item's reviews member: its newest reviews,
// ties broken by the higher id, at most itemsapi.ReviewLimit, [] when
// none, each with exactly the keys asked for.
func checkReviews(t *testing.T, raw json.RawMessage, itemID int64, keys []string) {
	t.Helper()
	var got []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil || got == nil {
		t.Fatalf("reviews %s: %v (want an array, never null)", raw, err)
	}
	want := apitest.Reviews(itemID)
	if len(got) != len(want) {
		t.Fatalf("item %d: %d reviews, want %d: %s", itemID, len(got), len(want), raw)
	}
	for i, r := range want {
		checkObject(t, fmt.Sprintf("item %d review %d", itemID, i), got[i], r, keys)
	}
}

// checkObject checks that got has exactly keys, each holding the JSON of
// want's member of that name.
func checkObject(t *testing.T, what string, got map[string]json.RawMessage, want any, keys []string) {
	t.Helper()
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]json.RawMessage
	if err := json.Unmarshal(b, &full); err != nil {
		t.Fatal(err)
	}
	if d := gocmp.Diff(slices.Sorted(slices.Values(keys)), apitest.SortedKeys(got)); d != "" {
		t.Fatalf("%s keys (-want +got):\n%s", what, d)
	}
	for _, k := range keys {
		if string(full[k]) != string(got[k]) {
			t.Errorf("%s %s = %s, want %s", what, k, got[k], full[k])
		}
	}
}
