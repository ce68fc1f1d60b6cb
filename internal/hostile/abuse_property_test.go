package hostile

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/go-paginate/paginate/httpadapter"
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
			c := serve(t, newAPI(t, e, apiConfig{}))
			first := c.get(feed, "per_page=5")
			if first.page.NextCursor == nil {
				t.Fatal("no cursor from the feed")
			}
			cursor := *first.page.NextCursor
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
				status, header, body, err := rawGet(c.c, c.srv.URL+path, query)
				statuses[status]++
				stmts := e.log.take()
				if err != nil {
					rt.Fatalf("GET %s?%s: %v", path, query, err)
				}
				if sql, ok := mentions(stmts, marker); ok {
					rt.Fatalf("GET %s?%s: a client value reached the SQL text:\n%s", path, query, sql)
				}
				switch status {
				case http.StatusBadRequest:
					var p httpadapter.Problem
					if header.Get("Content-Type") != httpadapter.ProblemContentType || json.Unmarshal(body, &p) != nil || len(p.InvalidParams) == 0 {
						rt.Fatalf("GET %s?%s: 400 without a problem naming a parameter: %s", path, query, body)
					}
					if len(stmts) > 0 {
						rt.Fatalf("GET %s?%s: bad input ran SQL: %s", path, query, stmts[0].SQL)
					}
				case http.StatusOK:
					var env envelope
					if err := json.Unmarshal(body, &env); err != nil {
						rt.Fatalf("GET %s?%s: 200 with a body that is not an envelope: %v", path, query, err)
					}
					if env.PerPage < 1 || env.PerPage > 100 || len(env.Items) > env.PerPage {
						rt.Fatalf("GET %s?%s: %d items, per_page %d", path, query, len(env.Items), env.PerPage)
					}
				default:
					rt.Fatalf("GET %s?%s: status %d: %s", path, query, status, body)
				}
			})
			t.Logf("statuses: %v", statuses)
			if statuses[http.StatusOK] == 0 || statuses[http.StatusBadRequest] == 0 {
				t.Errorf("the generated queries were all good or all bad: %v", statuses)
			}
			if ok := c.get(items, "per_page=3"); ok.status != http.StatusOK {
				t.Fatalf("a normal request after the property run got %d", ok.status)
			}
		})
	}
}

func rawGet(c *http.Client, u, rawQuery string) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.URL.RawQuery = rawQuery
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body, err
}
