package hostile

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
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
			c := serve(t, newAPI(t, e, apiConfig{}))
			// A first page of each endpoint, not counted: the statements a
			// backend runs once, before its first page (reading the
			// database's catalog, say), are not a page's.
			for _, path := range []string{items, feed} {
				if res := c.get(path, "per_page=1&include=seller,reviews"); res.status != http.StatusOK {
					t.Fatalf("GET %s: %d %.300s", path, res.status, res.body)
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
						res := c.get(path, q)
						stmts := e.log.take()
						if res.status != http.StatusOK || len(res.page.Items) != perPage {
							t.Fatalf("GET %s?%s: %d, %d items: %.300s", path, q, res.status, len(res.page.Items), res.body)
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
			c := serve(t, newAPI(t, e, apiConfig{}))
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
				u, err := url.Parse(*res.page.Links["last"])
				if err != nil {
					t.Fatal(err)
				}
				last := u.Query()
				last.Del("fields") // check adds it
				res = ic.check(t, c, last.Encode())
				for pages := 0; res.page.PrevCursor != nil; pages++ {
					if pages > includeRows {
						t.Fatal("the backward walk does not end")
					}
					res = ic.check(t, c, tc.query+"&before="+*res.page.PrevCursor)
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
	res := c.get(ic.path, q)
	if res.status != http.StatusOK || len(res.page.Items) == 0 {
		t.Fatalf("GET %s?%s: %d, %d items: %.300s", ic.path, q, res.status, len(res.page.Items), res.body)
	}
	ids := res.page.Items
	if ic.fields != nil && !slices.Contains(ic.fields, "id") {
		ids = c.get(ic.path, query+"&fields=id").page.Items
		if len(ids) != len(res.page.Items) {
			t.Fatalf("GET %s?%s&fields=id: %d items, want %d", ic.path, query, len(ids), len(res.page.Items))
		}
	}
	var raw struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(res.body, &raw); err != nil {
		t.Fatal(err)
	}
	fields := ic.fields
	if fields == nil {
		fields = itemKeys
	}
	for i, it := range raw.Items {
		want := slices.Clone(fields)
		if ic.seller != nil {
			want = append(want, "seller")
		}
		if ic.revs != nil {
			want = append(want, "reviews")
		}
		slices.Sort(want)
		if d := gocmp.Diff(want, sortedKeys(it)); d != "" {
			t.Fatalf("GET %s?%s: item %d keys (-want +got):\n%s", ic.path, q, i, d)
		}
		id := ids[i].ID
		if ic.seller != nil {
			checkSeller(t, it["seller"], dataset.Row(id).SellerID, ic.seller)
		}
		if ic.revs != nil {
			checkReviews(t, it["reviews"], id, ic.revs)
		}
	}
	return res
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// checkSeller checks an item's seller member: null without a seller, else
// the seller's row with exactly the keys asked for.
func checkSeller(t *testing.T, raw json.RawMessage, sellerID *int64, keys []string) {
	t.Helper()
	if sellerID == nil {
		if string(raw) != "null" {
			t.Errorf("an item without a seller has seller %s, want null", raw)
		}
		return
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(raw, &got); err != nil || got == nil {
		t.Fatalf("seller %s: %v", raw, err)
	}
	want := dataset.SellerRow(*sellerID)
	full := map[string]any{"id": want.ID, "name": want.Name, "country": want.Country}
	checkObject(t, "seller", got, full, keys)
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
	want := dataset.Reviews(itemID)
	slices.SortFunc(want, func(a, b dataset.Review) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	want = want[:min(len(want), itemsapi.ReviewLimit)]
	if len(got) != len(want) {
		t.Fatalf("item %d: %d reviews, want %d: %s", itemID, len(got), len(want), raw)
	}
	for i, r := range want {
		full := map[string]any{"id": r.ID, "item_id": r.ItemID, "rating": r.Rating, "body": r.Body, "created_at": r.CreatedAt}
		checkObject(t, fmt.Sprintf("item %d review %d", itemID, i), got[i], full, keys)
	}
}

// checkObject checks that got has exactly keys, each holding full's
// value.
func checkObject(t *testing.T, what string, got map[string]json.RawMessage, full map[string]any, keys []string) {
	t.Helper()
	want := slices.Sorted(slices.Values(keys))
	if d := gocmp.Diff(want, sortedKeys(got)); d != "" {
		t.Fatalf("%s keys (-want +got):\n%s", what, d)
	}
	for _, k := range keys {
		w, err := json.Marshal(full[k])
		if err != nil {
			t.Fatal(err)
		}
		if string(w) != string(got[k]) {
			t.Errorf("%s %s = %s, want %s", what, k, got[k], w)
		}
	}
}
