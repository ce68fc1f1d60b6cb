package hostile

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
	"github.com/go-paginate/paginate/internal/dataset"
	"github.com/go-paginate/paginate/internal/itemsapi"
)

const (
	loadRows    = 2000
	loadClients = 50
	// loadRequests is how many requests each client makes; a feed walk
	// of several pages counts as one.
	loadRequests = 24
	// loadTime bounds the run: clients stop early when it is up.
	loadTime = 90 * time.Second
	// heapSlack is how much more live heap the server may hold after the
	// load than before it, once both are measured after a forced GC.
	heapSlack = 4 << 20
)

var loadSorts = []string{"", "-created_at", "price", "-price,name", "category,-created_at", "name", "id"}

// TestLoad serves the example API on 127.0.0.1 over SQLite to 50
// concurrent clients making a fixed number of mixed requests — offset
// pages, cursor walks of the feed, and bad input — and checks that none
// gets a 5xx or a transport error, that every page is well-formed, and
// that afterwards the heap is back near where it started and every
// goroutine the load started has ended.
func TestLoad(t *testing.T) {
	e := openEnv(t, "sqlite", loadRows)
	a := newAPI(t, e, apiConfig{})
	totals := map[string]int64{"": loadRows}
	for _, c := range dataset.Categories {
		totals[c] = int64(len(expected(loadRows, category(c))))
	}

	// Baseline: the database and the API exist; no server, no client.
	ignore := goleak.IgnoreCurrent()
	srv := httptest.NewServer(a.mux)
	tr := &http.Transport{MaxIdleConnsPerHost: loadClients}
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	lc := &loadClient{base: srv.URL, c: hc, totals: totals}

	// Warm up the caches every request shape fills, then measure.
	for i := range 2 * len(loadSorts) {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		if err := lc.offsetPage(rng); err != nil {
			t.Fatalf("warm-up: %v", err)
		}
		if err := lc.walk(rng); err != nil {
			t.Fatalf("warm-up: %v", err)
		}
	}
	before := liveHeap()

	ctx, cancel := context.WithTimeout(context.Background(), loadTime)
	defer cancel()
	done, errs := apitest.RunClients(ctx, loadClients, loadRequests, 42, func(rng *rand.Rand) error {
		switch n := rng.IntN(10); {
		case n < 4:
			return lc.offsetPage(rng)
		case n < 7:
			return lc.walk(rng)
		default:
			return lc.bad(rng)
		}
	})
	for _, err := range errs {
		t.Error(err)
	}
	t.Logf("%d requests by %d clients; %d HTTP round trips", done, loadClients, lc.trips.Load())
	if ctx.Err() != nil {
		t.Logf("stopped by the %v time bound", loadTime)
	}

	tr.CloseIdleConnections()
	srv.Close()
	after := liveHeap()
	t.Logf("live heap %d KiB before the load, %d KiB after", before>>10, after>>10)
	if after > before+heapSlack {
		t.Errorf("live heap grew from %d KiB to %d KiB, more than %d KiB", before>>10, after>>10, heapSlack>>10)
	}
	goleak.VerifyNone(t, ignore)
}

// liveHeap returns the bytes of live heap after forced collections.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

type loadClient struct {
	base   string
	c      *http.Client
	totals map[string]int64 // rows per category filter ("" for none)
	trips  atomic.Int64
}

// get asks for path?query: any answer but a 5xx comes back.
func (lc *loadClient) get(path, query string) (response, error) {
	lc.trips.Add(1)
	r, err := apitest.Get[itemsapi.Item](lc.c, lc.base+path+"?"+query)
	if err == nil && r.Status >= 500 {
		err = fmt.Errorf("GET %s?%s: %d %s", path, query, r.Status, r.Body)
	}
	return r, err
}

// offsetPage asks for a random offset page and checks it.
func (lc *loadClient) offsetPage(rng *rand.Rand) error {
	cat := ""
	if rng.IntN(2) == 0 {
		cat = dataset.Categories[rng.IntN(len(dataset.Categories))]
	}
	perPage := 5 + rng.IntN(46)
	page := 1 + rng.IntN(20)
	q := fmt.Sprintf("page=%d&per_page=%d", page, perPage)
	if s := loadSorts[rng.IntN(len(loadSorts))]; s != "" {
		q += "&sort=" + s
	}
	if cat != "" {
		q += "&category=" + cat
	}
	if rng.IntN(4) == 0 {
		q += "&fields=id,name"
	}
	r, err := lc.get(items, q)
	if err != nil {
		return err
	}
	if r.Status != http.StatusOK {
		return fmt.Errorf("GET %s?%s: %d %.200s", items, q, r.Status, r.Body)
	}
	env := r.Page
	total := lc.totals[cat]
	pages := int((total + int64(perPage) - 1) / int64(perPage))
	wantItems := max(0, min(perPage, int(total)-(page-1)*perPage))
	switch {
	case env.Total == nil || *env.Total != total:
		return fmt.Errorf("GET %s?%s: total %v, want %d", items, q, env.Total, total)
	case env.Pages == nil || *env.Pages != pages:
		return fmt.Errorf("GET %s?%s: pages %v, want %d", items, q, env.Pages, pages)
	case env.Page == nil || *env.Page != page || env.PerPage != perPage:
		return fmt.Errorf("GET %s?%s: page %v per_page %d", items, q, env.Page, env.PerPage)
	case len(env.Items) != wantItems:
		return fmt.Errorf("GET %s?%s: %d items, want %d", items, q, len(env.Items), wantItems)
	case env.HasNext != (page < pages) || env.HasPrev != (page > 1):
		return fmt.Errorf("GET %s?%s: has_next %v has_prev %v", items, q, env.HasNext, env.HasPrev)
	}
	for _, it := range env.Items {
		if cat != "" && !strings.Contains(q, "fields=") && it.Category != cat {
			return fmt.Errorf("GET %s?%s: item %d of category %q", items, q, it.ID, it.Category)
		}
		if it.ID < 1 || it.ID > loadRows {
			return fmt.Errorf("GET %s?%s: item id %d", items, q, it.ID)
		}
	}
	return nil
}

// walk follows the feed for a few pages and checks that no row comes
// twice and the cursors match has_next and has_prev.
func (lc *loadClient) walk(rng *rand.Rand) error {
	q := fmt.Sprintf("per_page=%d", 10+rng.IntN(41))
	if s := loadSorts[rng.IntN(len(loadSorts))]; s != "" {
		q += "&sort=" + s
	}
	seen := map[int64]bool{}
	after := ""
	for n := range 1 + rng.IntN(5) {
		query := q
		if after != "" {
			query += "&after=" + after
		}
		r, err := lc.get(feed, query)
		if err != nil {
			return err
		}
		if r.Status != http.StatusOK {
			return fmt.Errorf("GET %s?%s: %d %.200s", feed, query, r.Status, r.Body)
		}
		env := r.Page
		if env.HasNext != (env.NextCursor != nil) || env.HasPrev != (env.PrevCursor != nil) || env.HasPrev != (n > 0) {
			return fmt.Errorf("GET %s?%s: page %d: cursors do not match has_next/has_prev", feed, query, n)
		}
		if len(env.Items) > env.PerPage || env.Total != nil {
			return fmt.Errorf("GET %s?%s: %d items on a page of %d, total %v", feed, query, len(env.Items), env.PerPage, env.Total)
		}
		for _, it := range env.Items {
			if seen[it.ID] {
				return fmt.Errorf("GET %s?%s: row %d twice in one walk", feed, query, it.ID)
			}
			seen[it.ID] = true
		}
		if !env.HasNext {
			return nil
		}
		after = *env.NextCursor
	}
	return nil
}

var loadBad = []string{
	"page=0", "page=-1", "page=9223372036854775808", "per_page=abc", "sort=password",
	"sort=name;DROP%20TABLE%20items", "fields=secret", "category=%00", "price[gte]=x",
	"created_at[lt]=yesterday", "nope=1", "page=1&page=2", "price%5Blike%5D=1",
	"category=" + strings.Repeat("x", 9000),
}

// bad sends bad input and checks the problem answer.
func (lc *loadClient) bad(rng *rand.Rand) error {
	path, q := items, loadBad[rng.IntN(len(loadBad))]
	if rng.IntN(3) == 0 {
		path, q = feed, "after=not-a-cursor"
	}
	r, err := lc.get(path, q)
	if err != nil {
		return err
	}
	if r.Status != http.StatusBadRequest || r.Header.Get("Content-Type") != httpadapter.ProblemContentType || len(r.Problem.InvalidParams) == 0 {
		return fmt.Errorf("GET %s?%.100s: %d %.200s, want a 400 problem naming the parameter", path, q, r.Status, r.Body)
	}
	return nil
}
