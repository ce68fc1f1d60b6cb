package hostile

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
	"github.com/go-paginate/paginate/internal/testdb"
	pagesql "github.com/go-paginate/paginate/sql"
)

// costRowsEnv names the environment variable that runs TestCost on the
// benchmark dataset of that many rows (SQLite's cached file and
// PostgreSQL's shared table) and holds every served page to costLimit of
// server time. Without it TestCost runs on a small table of each database
// and checks the policy alone: each page is served or refused as the
// shape check says.
const costRowsEnv = "PAGINATE_COST_ROWS"

const (
	// costSmallRows is the table size without costRowsEnv.
	costSmallRows = 20_000
	// costLimit is the most server time a served page may take on the
	// benchmark dataset.
	costLimit = 100 * time.Millisecond
	// costMaxOffset is the API's offset depth limit, and costPerPage its
	// largest page: the deep offset page is page costMaxOffset/costPerPage+1.
	costMaxOffset = 10_000
	costPerPage   = 100
)

// TestCost is the hostile-cost suite. With the shape policy on, as the
// example runs, every documented order of the API, in both directions,
// with every documented filter combination (itemsapi.Shapes), on both
// endpoints, with filter values that match nearly every row and with
// values that match none, asks for its first page and a deep page (the
// deepest offset page allowed; on the feed the page after the first, the
// last page and the page before it). Each is answered either with a page,
// in under 100 ms of server time (Server-Timing's total) when run on the
// benchmark dataset, or with a 400 naming the sort or a filter; never
// anything else, never a 503. The verdicts come from the database's
// plans, so each database has its own split. The times are those of a
// warm cache: right after the table was written, PostgreSQL reads the
// deepest offset pages (10,000 rows scattered over the table) from disk,
// which took up to 204 ms.
//
//	PAGINATE_COST_ROWS=1000000 PAGINATE_POSTGRES_DSN=... go test -run TestCost -v ./internal/hostile
func TestCost(t *testing.T) {
	rows, timed := costRows(t)
	names := databases
	if timed {
		names = []string{"sqlite", "postgres"}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			db, table := costDatabase(t, name, rows, timed)
			a, err := itemsapi.New(db, table, itemsapi.Config{
				CursorKey:        apiKey,
				CheckShapes:      true,
				Count:            paginate.CappedCount{Max: 10_000},
				StatementTimeout: time.Second,
				Offset:           paginate.OffsetConfig{MaxOffset: costMaxOffset},
				Adapter: httpadapter.Config{
					Cost:   httpadapter.CostConfig{Budget: time.Second, ServerTiming: true},
					Writer: httpadapter.WriterConfig{Logger: discard},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			start := time.Now()
			verdicts, err := a.ShapeReport(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d shapes checked in %v", len(verdicts), time.Since(start).Round(time.Millisecond))
			srv := httptest.NewServer(a.Handler())
			t.Cleanup(srv.Close)
			c := &costClient{t: t, base: srv.URL, c: srv.Client(), keyset: a.Keyset(), timed: timed}
			for _, v := range verdicts {
				for _, empty := range []bool{false, true} {
					c.shape(v, empty)
				}
			}
			c.summary()
		})
	}
}

// costRows returns the row count and whether pages are timed.
func costRows(t *testing.T) (int, bool) {
	s := os.Getenv(costRowsEnv)
	if s == "" {
		return costSmallRows, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1000 {
		t.Fatalf("%s=%q: want a row count of at least 1000", costRowsEnv, s)
	}
	return n, true
}

// costDatabase returns the database name with an items table of rows
// rows: on the benchmark dataset when timed, else a fresh table.
func costDatabase(t *testing.T, name string, rows int, timed bool) (*sqlx.DB, string) {
	t.Helper()
	if !timed {
		e := openEnv(t, name, rows)
		e.db.SetMaxOpenConns(4)
		return e.db, e.table
	}
	ctx := context.Background()
	switch name {
	case "sqlite":
		path, err := dataset.CachePath(rows)
		if err != nil {
			t.Fatal(err)
		}
		db, err := dataset.Cached(ctx, path, rows)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetMaxOpenConns(4)
		return db, "items"
	case "postgres":
		db := testdb.Postgres(t)
		start := time.Now()
		table, seeded, err := dataset.Shared(ctx, db, rows)
		if err != nil {
			t.Fatal(err)
		}
		if seeded {
			t.Logf("seeded %s in %v", table, time.Since(start).Round(time.Second))
		}
		db.SetMaxOpenConns(10)
		return db, table
	}
	t.Fatalf("no benchmark dataset on %s", name)
	return nil, ""
}

// costClient asks for the pages of each shape and keeps what it saw.
type costClient struct {
	t      *testing.T
	base   string
	c      *http.Client
	keyset *paginate.Keyset[itemsapi.Item]
	timed  bool

	served, refused int
	times           []costTime
}

type costTime struct {
	d   time.Duration
	url string
}

// shape asks for the pages of the verdict's shape with filter values
// that match nearly every row, or none.
func (c *costClient) shape(v pagesql.ShapeVerdict, empty bool) {
	sh := v.Shape
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(costPerPage))
	q.Set("sort", sh.SortParam())
	req := paginate.Request{PerPage: costPerPage}
	for _, k := range strings.Split(sh.SortParam(), ",") {
		if d, ok := strings.CutPrefix(k, "-"); ok {
			req.Sort = append(req.Sort, paginate.SortKey{Field: d, Dir: paginate.Desc})
		} else {
			req.Sort = append(req.Sort, paginate.SortKey{Field: k})
		}
	}
	for _, f := range sh.Filters {
		val := costValue(f, empty)
		q.Set(f.Param(), val)
		vals := []any{val}
		if f.Op == paginate.In {
			vals = nil
			for _, x := range strings.Split(val, ",") {
				vals = append(vals, x)
			}
		}
		req.Filters = append(req.Filters, paginate.Filter{Field: f.Field, Op: f.Op, Values: vals})
	}
	if !sh.Keyset {
		c.get(v, "/api/items", q, "page", "1")
		c.get(v, "/api/items", q, "page", strconv.Itoa(costMaxOffset/costPerPage+1))
		return
	}
	first := c.get(v, "/api/items/feed", q)
	if first.NextCursor != nil {
		c.get(v, "/api/items/feed", q, "after", *first.NextCursor)
	}
	last, err := c.keyset.LastCursor(req)
	if err != nil {
		if !v.Served {
			return // refused before any cursor
		}
		c.t.Fatalf("%v: LastCursor: %v", sh, err)
	}
	end := c.get(v, "/api/items/feed", q, "before", last)
	if end.PrevCursor != nil {
		c.get(v, "/api/items/feed", q, "before", *end.PrevCursor)
	}
}

// costValue is a filter's value: one that matches nearly every row, or
// none.
func costValue(f paginate.FilterShape, empty bool) string {
	switch f.Field + "[" + f.Op.String() + "]" {
	case "category[eq]", "category[ne]":
		if empty {
			return "none"
		}
		return "books"
	case "category[in]":
		if empty {
			return "none,nothing"
		}
		return "books,toys"
	case "price[gte]":
		if empty {
			return "100" // prices end in 99
		}
		return "99"
	case "price[lt]":
		if empty {
			return "199"
		}
		return "100000"
	case "created_at[gte]":
		return "2000-01-01T00:00:00Z"
	case "created_at[lt]":
		if empty {
			return "2000-01-02T00:00:00Z"
		}
		return "2100-01-01T00:00:00Z"
	}
	return "0"
}

// get asks for path?q with the extra parameter pairs, checks the answer
// against the verdict and returns the page, if any.
func (c *costClient) get(v pagesql.ShapeVerdict, path string, q url.Values, extra ...string) envelope {
	c.t.Helper()
	qq := url.Values{}
	for k, vs := range q {
		qq[k] = vs
	}
	for i := 0; i+1 < len(extra); i += 2 {
		qq.Set(extra[i], extra[i+1])
	}
	u := path + "?" + qq.Encode()
	res, err := c.c.Get(c.base + u)
	if err != nil {
		c.t.Fatalf("GET %s: %v", u, err)
	}
	r := readResponse(c.t, res)
	switch {
	case v.Served && r.status == http.StatusOK:
		c.served++
		d := serverTime(c.t, r.header.Get("Server-Timing"))
		c.times = append(c.times, costTime{d, u})
		if c.timed && d >= costLimit {
			c.t.Errorf("GET %s: %v of server time (%s), over %v", u, d, r.header.Get("Server-Timing"), costLimit)
		}
		return r.page
	case !v.Served && r.status == http.StatusBadRequest:
		c.refused++
		allowed := []string{"sort"}
		for _, f := range v.Shape.Filters {
			allowed = append(allowed, f.Param())
		}
		for _, p := range r.problem.InvalidParams {
			if !slices.Contains(allowed, p.Name) {
				c.t.Errorf("GET %s: 400 names %q, want sort or one of the filters: %s", u, p.Name, r.body)
			}
		}
		if len(r.problem.InvalidParams) == 0 {
			c.t.Errorf("GET %s: 400 without invalid_params: %s", u, r.body)
		}
	default:
		c.t.Errorf("GET %s: %d for a shape the check says is served=%v: %.300s", u, r.status, v.Served, r.body)
	}
	return envelope{}
}

// serverTime reads the total of a Server-Timing header.
func serverTime(t *testing.T, h string) time.Duration {
	t.Helper()
	for _, m := range strings.Split(h, ", ") {
		if v, ok := strings.CutPrefix(m, "total;dur="); ok {
			ms, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("Server-Timing %q: %v", h, err)
			}
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	t.Fatalf("Server-Timing %q has no total", h)
	return 0
}

// summary logs how many pages were served and refused, and the server
// times of the served ones.
func (c *costClient) summary() {
	slices.SortFunc(c.times, func(a, b costTime) int { return int(a.d - b.d) })
	n := len(c.times)
	if n == 0 {
		c.t.Fatal("no page was served")
	}
	pct := func(p float64) time.Duration { return c.times[min(n-1, int(float64(n)*p))].d }
	c.t.Logf("%d pages served, %d refused with a 400; server time of the served: median %v, p90 %v, p99 %v, max %v",
		c.served, c.refused, pct(0.5), pct(0.9), pct(0.99), c.times[n-1].d)
	for _, ct := range c.times[max(0, n-3):] {
		c.t.Logf("  %v  %s", ct.d, ct.url)
	}
}
