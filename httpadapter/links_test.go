package httpadapter_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/apitest"
)

// headerLinks returns the target of each rel in a Link header, as written.
func headerLinks(t *testing.T, v string) map[string]any {
	t.Helper()
	targets, err := apitest.ParseLinks(v)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{"first": nil, "prev": nil, "next": nil, "last": nil}
	for rel, target := range targets {
		out[rel] = target
	}
	return out
}

// bodyLinks returns the envelope's links object.
func bodyLinks(t *testing.T, body []byte, key string) map[string]any {
	t.Helper()
	links, ok := decode(t, body)[key].(map[string]any)
	if !ok {
		t.Fatalf("no %s object in %s", key, body)
	}
	return links
}

// The body's links are the Link header's URLs, with null for each
// relation the header lacks, in both modes and whatever the client's
// other parameters hold.
func TestBodyLinks(t *testing.T) {
	cfg := httpadapter.Config{Parser: httpadapter.ParserConfig{Ignore: []string{"tag"}}}
	offset := offsetHandler(t, paginate.OffsetConfig{PerPage: 2}, cfg)
	uncounted := offsetHandler(t, paginate.OffsetConfig{PerPage: 2, Count: paginate.NoCount{}}, cfg)
	cursor := cursorHandler(t, items, cfg)
	hostile := rawEscape(`a>;rel="next",<https://evil.example/?x=&<script>"\`)
	for _, tc := range []struct {
		name, target string
		h            http.Handler
		rels         int
	}{
		{"offset first", "/items", offset, 3},
		{"offset middle", "/items?page=2&sort=-price&tag=" + hostile, offset, 4},
		{"offset past the end", "/items?page=9", offset, 3},
		{"offset uncounted", "/items?page=2", uncounted, 3},
		{"cursor first", "/feed?per_page=2&sort=price&tag=" + hostile, cursor, 3},
		{"cursor one page", "/feed?per_page=10", cursor, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, tc.h, tc.target)
			body := readBody(t, res)
			want := headerLinks(t, res.Header.Get("Link"))
			got := bodyLinks(t, body, "links")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("links (-header +body):\n%s", diff)
			}
			n := 0
			for _, u := range got {
				if u != nil {
					n++
				}
			}
			if n != tc.rels {
				t.Errorf("%d links, want %d: %v", n, tc.rels, got)
			}
			// The URLs are written without HTML escaping, so the body
			// reads as the header does.
			if strings.Contains(string(body), `\u0026`) {
				t.Errorf("body escapes &: %s", body)
			}
		})
	}

	// Following the last link of a cursor page, and the links there.
	first := get(t, cursor, "/feed?per_page=2&sort=price")
	last := bodyLinks(t, readBody(t, first), "links")["last"].(string)
	res := get(t, cursor, strings.TrimPrefix(last, "http://example.com"))
	body := readBody(t, res)
	var env struct {
		HasNext    bool    `json:"has_next"`
		HasPrev    bool    `json:"has_prev"`
		NextCursor *string `json:"next_cursor"`
		Items      []Item
		Links      map[string]*string
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	// Sorted by price, then id: Mug 599, Kite 1299, Book 1299, Lamp 1999,
	// Tent 15999; the last two are Lamp and Tent.
	if len(env.Items) != 2 || env.Items[0].ID != 1 || env.Items[1].ID != 4 {
		t.Errorf("last page items %+v, want Lamp and Tent", env.Items)
	}
	if env.HasNext || env.NextCursor != nil || env.Links["next"] != nil || !env.HasPrev || env.Links["prev"] == nil {
		t.Errorf("last page: has_next %v, next_cursor %v, has_prev %v, links %v", env.HasNext, env.NextCursor, env.HasPrev, env.Links)
	}
	if env.Links["last"] == nil || *env.Links["last"] != last {
		t.Errorf("the last page's last link %v, want %s", env.Links["last"], last)
	}
}

// The links key can be renamed or left out.
func TestLinksKey(t *testing.T) {
	renamed := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{Links: "_links"}}})
	body := readBody(t, get(t, renamed, "/items?per_page=2"))
	if got := bodyLinks(t, body, "_links")["next"]; got != "http://example.com/items?per_page=2&page=2" {
		t.Errorf("_links.next = %v", got)
	}
	if _, ok := decode(t, body)["links"]; ok {
		t.Errorf("renamed envelope still has links: %s", body)
	}
	out := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{Links: "-"}}})
	res := get(t, out, "/items?per_page=2")
	body = readBody(t, res)
	if _, ok := decode(t, body)["links"]; ok {
		t.Errorf("links left out, but the envelope has them: %s", body)
	}
	if res.Header.Get("Link") == "" {
		t.Error("leaving the links out of the body removed the Link header")
	}
	s := newSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := httpadapter.NewWriter[Item](p, httpadapter.WriterConfig{Keys: httpadapter.Keys{Links: "items"}}); err == nil {
		t.Error("NewWriter accepted links and items under one key")
	}
}

// ExposeHeaders lists Link and X-Total-Count in
// Access-Control-Expose-Headers for requests with an Origin, after what a
// CORS middleware set, and says Vary: Origin on every page.
func TestExposeHeaders(t *testing.T) {
	on := httpadapter.Config{Writer: httpadapter.WriterConfig{ExposeHeaders: true}}
	// cors stands for an application's CORS middleware, which sets its
	// headers before calling the handler.
	cors := func(expose string, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Origin") != "" {
				w.Header().Set("Access-Control-Allow-Origin", "*")
				if expose != "" {
					w.Header().Set("Access-Control-Expose-Headers", expose)
				}
				w.Header().Add("Vary", "Origin")
			}
			next.ServeHTTP(w, r)
		})
	}
	for _, tc := range []struct {
		name   string
		h      http.Handler
		origin string
		expose []string
		vary   []string
	}{
		{"off", offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{}), "https://app.example", nil, nil},
		{"no origin", offsetHandler(t, paginate.OffsetConfig{}, on), "", nil, []string{"Origin"}},
		{"origin", offsetHandler(t, paginate.OffsetConfig{}, on), "https://app.example", []string{"Link", "X-Total-Count"}, []string{"Origin"}},
		{"cursor mode", cursorHandler(t, items, on), "null", []string{"Link", "X-Total-Count"}, []string{"Origin"}},
		{"after a CORS middleware", cors("ETag, link", offsetHandler(t, paginate.OffsetConfig{}, on)), "https://app.example",
			[]string{"ETag, link", "X-Total-Count"}, []string{"Origin"}},
		{"after a CORS middleware exposing nothing", cors("", offsetHandler(t, paginate.OffsetConfig{}, on)), "https://app.example",
			[]string{"Link", "X-Total-Count"}, []string{"Origin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/items?per_page=2", nil)
			if tc.origin != "" {
				r.Header.Set("Origin", tc.origin)
			}
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, r)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if diff := cmp.Diff(tc.expose, rec.Header().Values("Access-Control-Expose-Headers")); diff != "" {
				t.Errorf("Access-Control-Expose-Headers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.vary, rec.Header().Values("Vary")); diff != "" {
				t.Errorf("Vary (-want +got):\n%s", diff)
			}
		})
	}

	// A 304 from Conditional keeps them; a problem has nothing to expose
	// and no Link.
	h := httpadapter.Conditional(httpadapter.ConditionalConfig{Vary: []string{}})(offsetHandler(t, paginate.OffsetConfig{}, on))
	r := httptest.NewRequest(http.MethodGet, "/items", nil)
	r.Header.Set("Origin", "https://app.example")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	r.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusNotModified || rec.Header().Get("Access-Control-Expose-Headers") != "Link" || rec.Header().Get("Vary") != "Origin" {
		t.Errorf("304: %d %v", rec.Code, rec.Header())
	}
	r = httptest.NewRequest(http.MethodGet, "/items?page=0", nil)
	r.Header.Set("Origin", "https://app.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusBadRequest || rec.Header().Get("Link") != "" {
		t.Errorf("400: %d %v", rec.Code, rec.Header())
	}
}
