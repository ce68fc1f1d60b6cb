package hostile

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
	"github.com/go-paginate/paginate/internal/itemsapi"
)

// propNames are parameter names a generated query draws from: the API's
// own, filters with every operator, and malformed or unknown ones.
var propNames = []string{
	"page", "per_page", "after", "before", "sort", "fields",
	"category", "category[ne]", "category[in]", "category[lt]",
	"price", "price[gte]", "price[lt]", "price[in]",
	"created_at[lte]", "created_at[gt]", "name", "id", "discount",
	"price[[gte]]", "price[gte", "[gte]", "", "sort[eq]", "page[]",
}

// propValues are values a generated query draws from, besides arbitrary
// strings; every text value a database could be handed carries marker.
var propValues = []string{
	"1", "0", "-1", "2", "100", "101", "9223372036854775807", "9223372036854775808",
	"books", "toys,home", "books," + marker, marker + "' OR '1'='1", marker + "\"; DROP TABLE items; --",
	marker + "/**/", marker + "\\", marker + "%", marker + "_", marker + "日本", "\x00" + marker,
	"-price,name", "name;" + marker, "id,name", "*", "2024-01-01", "2024-01-01T00:00:00Z",
	"2024-01-01' OR 1=1", "1e9", "NaN", "0x1F",
}

// TestAbuseProperty generates query strings from hostile names and
// values, valid and not, percent-encoded or not where the wire allows it,
// and checks the same property as TestAbuse on each: a 400 problem naming
// parameters, with no SQL run, or a well-formed page, with no client value
// in any SQL text.
func TestAbuseProperty(t *testing.T) {
	for _, dbName := range databases {
		t.Run(dbName, func(t *testing.T) {
			e := openEnv(t, dbName, abuseRows)
			c := serve(t, newAPI(t, e, apiConfig{}).mux)
			first := c.Get(feed + "?per_page=5")
			if first.Page.NextCursor == nil {
				t.Fatal("no cursor from the feed")
			}
			cursor := *first.Page.NextCursor
			statuses := map[int]int{}
			rapid.Check(t, func(rt *rapid.T) {
				path := rapid.SampledFrom([]string{items, feed}).Draw(rt, "path")
				n := rapid.IntRange(0, 6).Draw(rt, "params")
				parts := make([]string, 0, n)
				for i := range n {
					name := rapid.SampledFrom(propNames).Draw(rt, "name")
					var val string
					switch rapid.IntRange(0, 3).Draw(rt, "kind") {
					case 0, 1:
						val = rapid.SampledFrom(propValues).Draw(rt, "value")
					case 2:
						val = marker + rapid.String().Draw(rt, "text")
					case 3:
						val = cursor
						if rapid.Bool().Draw(rt, "tamper") {
							j := rapid.IntRange(0, len(cursor)-1).Draw(rt, "at")
							val = cursor[:j] + marker[:1] + cursor[j+1:]
						}
					}
					if i == 0 && rapid.Bool().Draw(rt, "as cursor") {
						name = "after"
					}
					parts = append(parts, url.QueryEscape(name)+"="+url.QueryEscape(val))
				}
				query := strings.Join(parts, "&")

				e.log.take()
				res, err := apitest.Get[itemsapi.Item](c.HTTP, c.Base+path+"?"+query)
				statuses[res.Status]++
				stmts := e.log.take()
				if err != nil {
					rt.Fatalf("GET %s?%s: %v", path, query, err)
				}
				if sql, ok := mentions(stmts, marker); ok {
					rt.Fatalf("GET %s?%s: a client value reached the SQL text:\n%s", path, query, sql)
				}
				switch res.Status {
				case http.StatusBadRequest:
					if res.Header.Get("Content-Type") != httpadapter.ProblemContentType || len(res.Problem.InvalidParams) == 0 {
						rt.Fatalf("GET %s?%s: 400 without a problem naming a parameter: %s", path, query, res.Body)
					}
					if len(stmts) > 0 {
						rt.Fatalf("GET %s?%s: bad input ran SQL: %s", path, query, stmts[0].SQL)
					}
				case http.StatusOK:
					if pg := res.Page; pg.PerPage < 1 || pg.PerPage > 100 || len(pg.Items) > pg.PerPage {
						rt.Fatalf("GET %s?%s: %d items, per_page %d", path, query, len(pg.Items), pg.PerPage)
					}
				default:
					rt.Fatalf("GET %s?%s: status %d: %s", path, query, res.Status, res.Body)
				}
			})
			t.Logf("statuses: %v", statuses)
			if statuses[http.StatusOK] == 0 || statuses[http.StatusBadRequest] == 0 {
				t.Errorf("the generated queries were all good or all bad: %v", statuses)
			}
			if ok := c.Get(items + "?per_page=3"); ok.Status != http.StatusOK {
				t.Fatalf("a normal request after the property run got %d", ok.Status)
			}
		})
	}
}
