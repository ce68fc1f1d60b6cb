package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/apitest"
	"github.com/go-paginate/paginate/internal/testdb"
)

func TestCountFlag(t *testing.T) {
	const rows = 50
	want := apitest.IDs(apitest.Sorted(apitest.Items(rows), "-created_at")[7:14])
	for _, mode := range []string{"exact", "none", "cached", "capped", "estimated", "redis"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-rows", "50", "-count", mode}
			if mode == "redis" {
				args = []string{"-rows", "50", "-count", "cached", "-redis", testdb.Env(t, testdb.RedisEnv)}
			}
			s := start(t, args...)
			for range 2 { // the second request may be answered from a cache
				env, res := s.fetch(t, "/api/items?per_page=7&page=2")
				if res.Status != http.StatusOK {
					t.Fatalf("status %d", res.Status)
				}
				if diff := gocmp.Diff(want, apitest.IDs(env.Items)); diff != "" {
					t.Errorf("items (-want +got):\n%s", diff)
				}
				if !env.HasNext || !env.HasPrev {
					t.Errorf("has_next %v, has_prev %v; want both", env.HasNext, env.HasPrev)
				}
				if mode == "none" {
					if env.Total != nil || env.Pages != nil || res.Header.Get("X-Total-Count") != "" {
						t.Errorf("-count none reported a total: %+v", env)
					}
					continue
				}
				if env.Total == nil || *env.Total != rows || env.Pages == nil || *env.Pages != 8 {
					t.Errorf("total %v, pages %v; want %d and 8", env.Total, env.Pages, rows)
				}
			}
		})
	}
}

func TestCountFlagErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-count", "guess"},
		{"-redis", "127.0.0.1:6379"},
	} {
		if _, err := parseFlags(args, os.Stderr); err == nil {
			t.Errorf("parseFlags %v: no error", args)
		}
	}
}

// TestNotModified checks that both routes answer a conditional GET. The
// feed's page holds all 30 rows, so it carries no cursor: the test does
// not depend on what a cursor encodes of the time it was issued, which
// the server's clock moves on between two requests. (httpadapter's
// TestETagOverTime checks pages with cursors, under a clock it drives.)
func TestNotModified(t *testing.T) {
	s := start(t, "-rows", "30")
	for _, path := range []string{"/api/items?per_page=5", "/api/items/feed?per_page=50"} {
		env, res := s.fetch(t, path)
		etag := res.Header.Get("ETag")
		if res.Status != http.StatusOK || etag == "" {
			t.Fatalf("GET %s: status %d, ETag %q", path, res.Status, etag)
		}
		if env.NextCursor != nil || env.PrevCursor != nil || len(env.Items) == 0 {
			t.Fatalf("GET %s: %d items, next cursor %v, prev cursor %v; the test needs a page without cursors", path, len(env.Items), env.NextCursor, env.PrevCursor)
		}
		for _, tc := range []struct {
			ifNoneMatch string
			want        int
		}{
			{etag, http.StatusNotModified},
			{`"something else"`, http.StatusOK},
		} {
			req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
			req.Header.Set("If-None-Match", tc.ifNoneMatch)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("GET %s with If-None-Match %s: status %d, want %d", path, tc.ifNoneMatch, res.StatusCode, tc.want)
			}
		}
	}
}

// countingDB counts the COUNTs it is asked for.
type countingDB struct{ n atomic.Int64 }

func (c *countingDB) Count(context.Context, paginate.Query) (int64, error) {
	c.n.Add(1)
	return 42, nil
}

// The items are public, so -count cached shares counts between requests
// that carry no scope, in process and in Redis.
func TestCachedCountsShared(t *testing.T) {
	table := fmt.Sprintf("items_shared_%d", time.Now().UnixNano())
	for _, redisAddr := range []string{"", testdb.Env(t, testdb.RedisEnv)} {
		name := "in process"
		if redisAddr != "" {
			name = "redis"
		}
		t.Run(name, func(t *testing.T) {
			counts, release, err := countStrategy(config{count: "cached", redis: redisAddr}, table, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			db := &countingDB{}
			for range 3 {
				tot, err := counts.CountTotal(context.Background(), db, paginate.Query{})
				if err != nil || tot.N != 42 {
					t.Fatalf("total %d, err %v", tot.N, err)
				}
			}
			if n := db.n.Load(); n != 1 {
				t.Errorf("3 requests ran %d counts, want 1", n)
			}
		})
	}
}

func TestRedisOptions(t *testing.T) {
	if o := redisOptions("127.0.0.1:6379"); !o.ContextTimeoutEnabled || o.Addr != "127.0.0.1:6379" {
		t.Errorf("Addr %q, ContextTimeoutEnabled %t: want the address, and ContextTimeoutEnabled, which the cache's deadlines need", o.Addr, o.ContextTimeoutEnabled)
	}
}

// Counts cached in Redis belong to the dataset they were counted on: a
// restart with other -rows, on the same -db file or another, within the
// cache's TTL reports the new dataset's total, never the old one's.
func TestCachedCountsFollowTheDataset(t *testing.T) {
	redisAddr := testdb.Env(t, testdb.RedisEnv)
	db := filepath.Join(t.TempDir(), "items.db")
	for _, boot := range []struct {
		rows int64
		db   string
	}{
		{50, db},
		{30, db}, // the same file, seeded again
		{50, ""}, // a fresh file with the first boot's rows
		{20, ""},
	} {
		args := []string{"-rows", strconv.FormatInt(boot.rows, 10), "-count", "cached", "-redis", redisAddr}
		if boot.db != "" {
			args = append(args, "-db", boot.db)
		}
		s := start(t, args...)
		for range 2 { // the second request is answered from Redis
			env, res := s.fetch(t, "/api/items?per_page=5")
			if res.Status != http.StatusOK {
				t.Fatalf("%v: status %d", args, res.Status)
			}
			if env.Total == nil || *env.Total != boot.rows || len(env.Items) != 5 {
				t.Errorf("%v: total %s and %d items, want %d and 5", args, orNone(env.Total), len(env.Items), boot.rows)
			}
			if got := res.Header.Get("X-Total-Count"); got != strconv.FormatInt(boot.rows, 10) {
				t.Errorf("%v: X-Total-Count %q, want %d", args, got, boot.rows)
			}
		}
		if err := s.stop(); err != nil {
			t.Fatalf("%v: run returned %v", args, err)
		}
	}
}

// orNone prints a total, or says there is none.
func orNone(total *int64) string {
	if total == nil {
		return "none"
	}
	return strconv.FormatInt(*total, 10)
}
