package main

import (
	"net/http"
	"os"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate/internal/testdb"
)

func TestCountFlag(t *testing.T) {
	const rows = 50
	want := ids(sorted(model(rows), "-created_at")[7:14])
	for _, mode := range []string{"exact", "none", "cached", "capped", "estimated", "redis"} {
		t.Run(mode, func(t *testing.T) {
			args := []string{"-rows", "50", "-count", mode}
			if mode == "redis" {
				args = []string{"-rows", "50", "-count", "cached", "-redis", testdb.Env(t, testdb.RedisEnv)}
			}
			s := start(t, args...)
			for range 2 { // the second request may be answered from a cache
				env, res := s.fetch(t, "/api/items?per_page=7&page=2")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %d", res.StatusCode)
				}
				if diff := gocmp.Diff(want, ids(env.Items)); diff != "" {
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

func TestNotModified(t *testing.T) {
	s := start(t, "-rows", "30")
	for _, path := range []string{"/api/items?per_page=5", "/api/items/feed?per_page=5"} {
		res, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		etag := res.Header.Get("ETag")
		if res.StatusCode != http.StatusOK || etag == "" {
			t.Fatalf("GET %s: status %d, ETag %q", path, res.StatusCode, etag)
		}
		req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
		req.Header.Set("If-None-Match", etag)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %s: status %d, want 304", path, etag, res.StatusCode)
		}
		req.Header.Set("If-None-Match", `"something else"`)
		res, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a stale ETag: status %d, want 200", path, res.StatusCode)
		}
	}
}
