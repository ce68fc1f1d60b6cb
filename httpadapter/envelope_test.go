package httpadapter_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

// cursorRE matches a cursor in an envelope, in its own member or in a
// link's URL, to stand it in for a golden file (cursors are opaque and
// checked by following them instead).
var cursorRE = regexp.MustCompile(`"(next_cursor|prev_cursor)":"[^"]+"|(after|before)=[A-Za-z0-9_-]+`)

// standIn replaces each cursor in body by CURSOR.
func standIn(body []byte) []byte {
	return cursorRE.ReplaceAllFunc(body, func(m []byte) []byte {
		if k, _, ok := bytes.Cut(m, []byte("=")); ok {
			return append(k, "=CURSOR"...)
		}
		k, _, _ := bytes.Cut(m, []byte(":"))
		return append(k, `:"CURSOR"`...)
	})
}

func TestGoldenEnvelopes(t *testing.T) {
	off := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{})
	cur := cursorHandler(t, items, httpadapter.Config{})
	for _, tc := range []struct {
		golden, target string
		h              http.Handler
	}{
		{"offset_page2.golden", "/items?sort=id&per_page=2&page=2", off},
		{"offset_fields.golden", "/items?sort=-price&per_page=3&fields=price,name", off},
		{"offset_past_end.golden", "/items?page=9&per_page=2", off},
		{"cursor_first.golden", "/feed?sort=id&per_page=2", cur},
		{"cursor_filtered.golden", "/feed?category[in]=home,toys&sort=price&per_page=2", cur},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			res := get(t, tc.h, tc.target)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d", res.StatusCode)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			body := readBody(t, res)
			golden(t, tc.golden, standIn(body))
		})
	}
}

// envelopeKeys returns the keys of a JSON object, sorted.
func envelopeKeys(tb testing.TB, body []byte) []string {
	tb.Helper()
	m := decode(tb, body)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestEnvelopeKeys checks which keys appear in each mode, with defaults and
// renamed, and that total/pages appear only when counted and the flags only
// when true.
func TestEnvelopeKeys(t *testing.T) {
	s := newSchema(t)
	write := func(t *testing.T, cfg httpadapter.Config, page paginate.Page[Item]) (*http.Response, []byte) {
		t.Helper()
		if cfg.Parser.Mode == 0 {
			cfg.Parser.Mode = httpadapter.OffsetMode
		}
		p, err := httpadapter.NewParser(s, cfg.Parser)
		if err != nil {
			t.Fatal(err)
		}
		w, err := httpadapter.NewWriter[Item](p, cfg.Writer)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/x?sort=id", nil)
		w.WritePage(rec, r, parse(t, p, r.URL.RawQuery), page)
		res := rec.Result()
		return res, readBody(t, res)
	}
	cursorMode := httpadapter.ParserConfig{Mode: httpadapter.CursorMode}
	counted := paginate.Page[Item]{Items: items[:1], Page: 2, PerPage: 1, Total: 5, Pages: 5, Counted: true, HasNext: true, HasPrev: true, NextPage: 3, PrevPage: 1}
	capped := counted
	capped.TotalCapped = true
	estimated := counted
	estimated.TotalEstimated = true
	uncounted := paginate.Page[Item]{Items: items[:1], Page: 2, PerPage: 1, HasNext: true, HasPrev: true, NextPage: 3, PrevPage: 1}
	cursor := paginate.Page[Item]{Items: items[:1], PerPage: 1, HasNext: true, NextCursor: "abc", LastCursor: "end"}

	for _, tc := range []struct {
		name        string
		cfg         httpadapter.Config
		page        paginate.Page[Item]
		keys        []string
		totalHeader string
		rels        []string
	}{
		{"offset counted", httpadapter.Config{}, counted,
			[]string{"has_next", "has_prev", "items", "links", "next_page", "page", "pages", "per_page", "prev_page", "total"}, "5", []string{"first", "prev", "next", "last"}},
		{"offset capped", httpadapter.Config{}, capped,
			[]string{"has_next", "has_prev", "items", "links", "next_page", "page", "pages", "per_page", "prev_page", "total", "total_capped"}, "", []string{"first", "prev", "next"}},
		{"offset estimated", httpadapter.Config{}, estimated,
			[]string{"has_next", "has_prev", "items", "links", "next_page", "page", "pages", "per_page", "prev_page", "total", "total_estimated"}, "", []string{"first", "prev", "next"}},
		{"offset uncounted", httpadapter.Config{}, uncounted,
			[]string{"has_next", "has_prev", "items", "links", "next_page", "page", "per_page", "prev_page"}, "", []string{"first", "prev", "next"}},
		{"cursor", httpadapter.Config{Parser: cursorMode}, cursor,
			[]string{"has_next", "has_prev", "items", "links", "next_cursor", "per_page", "prev_cursor"}, "", []string{"first", "next", "last"}},
		{"cursor counted", httpadapter.Config{Parser: cursorMode}, paginate.Page[Item]{Items: items[:1], PerPage: 1, Total: 1, Pages: 1, Counted: true},
			[]string{"has_next", "has_prev", "items", "links", "next_cursor", "pages", "per_page", "prev_cursor", "total"}, "1", []string{"first"}},
		{"renamed", httpadapter.Config{Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{
			Items: "data", Total: "count", Page: "p", PerPage: "size", Pages: "page_count",
			HasNext: "more", HasPrev: "-", TotalCapped: "capped"}}}, capped,
			[]string{"capped", "count", "data", "links", "more", "next_page", "p", "page_count", "prev_page", "size"}, "", []string{"first", "prev", "next"}},
		{"renamed cursor", httpadapter.Config{Parser: cursorMode, Writer: httpadapter.WriterConfig{Keys: httpadapter.Keys{
			NextCursor: "next", PrevCursor: "prev", TotalEstimated: "approx"}}}, func() paginate.Page[Item] {
			p := cursor
			p.Counted, p.Total, p.TotalEstimated = true, 9, true
			return p
		}(),
			[]string{"approx", "has_next", "has_prev", "items", "links", "next", "pages", "per_page", "prev", "total"}, "", []string{"first", "next", "last"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := write(t, tc.cfg, tc.page)
			if diff := cmp.Diff(tc.keys, envelopeKeys(t, body)); diff != "" {
				t.Errorf("keys (-want +got):\n%s\n%s", diff, body)
			}
			if got := res.Header.Get("X-Total-Count"); got != tc.totalHeader {
				t.Errorf("X-Total-Count = %q, want %q", got, tc.totalHeader)
			}
			if diff := cmp.Diff(tc.rels, rels(res.Header.Get("Link"))); diff != "" {
				t.Errorf("Link rels (-want +got):\n%s", diff)
			}
		})
	}

	// Values: cursors are strings or null; flags are true.
	_, body := write(t, httpadapter.Config{Parser: cursorMode}, cursor)
	m := decode(t, body)
	if m["next_cursor"] != "abc" || m["prev_cursor"] != nil || m["has_next"] != true || m["has_prev"] != false || m["per_page"] != 1.0 {
		t.Errorf("cursor envelope values wrong: %s", body)
	}
	_, body = write(t, httpadapter.Config{}, capped)
	m = decode(t, body)
	if m["total_capped"] != true || m["total"] != 5.0 || m["pages"] != 5.0 || m["page"] != 2.0 {
		t.Errorf("capped envelope values wrong: %s", body)
	}
}

// rels lists the rel values of a Link header in order.
func rels(link string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`rel="([a-z]+)"`).FindAllStringSubmatch(link, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestBadConfig(t *testing.T) {
	s := newSchema(t)
	offset := httpadapter.OffsetMode
	for name, cfg := range map[string]httpadapter.ParserConfig{
		"no mode":             {},
		"unknown mode":        {Mode: httpadapter.Mode(7)},
		"duplicate param":     {Mode: offset, Params: httpadapter.Params{Page: "sort"}},
		"bad param name":      {Mode: offset, Params: httpadapter.Params{PerPage: "per page"}},
		"ignored std param":   {Mode: offset, Ignore: []string{"page"}},
		"negative max filter": {Mode: offset, MaxFilters: -1},
	} {
		if _, err := httpadapter.NewParser(s, cfg); err == nil {
			t.Errorf("%s: NewParser accepted %+v", name, cfg)
		}
	}
	if _, err := httpadapter.NewParser(nil, httpadapter.ParserConfig{Mode: offset}); err == nil {
		t.Error("NewParser accepted a nil schema")
	}
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: offset})
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]httpadapter.WriterConfig{
		"duplicate key":      {Keys: httpadapter.Keys{Total: "items"}},
		"items left out":     {Keys: httpadapter.Keys{Items: "-"}},
		"base url with path": {BaseURL: "https://api.example.com/v1"},
		"base url no scheme": {BaseURL: "api.example.com"},
	} {
		if _, err := httpadapter.NewWriter[Item](p, cfg); err == nil {
			t.Errorf("%s: NewWriter accepted %+v", name, cfg)
		}
	}
	if _, err := httpadapter.NewWriter[Item](nil, httpadapter.WriterConfig{}); err == nil {
		t.Error("NewWriter accepted a nil parser")
	}
}

// TestWriterFieldRule: the struct field behind each declared field is
// found by the module's one rule (internal/structfield), and an item type
// that breaks it is refused when the writer is built, naming the field,
// rather than leaving the field out of sparse items.
func TestWriterFieldRule(t *testing.T) {
	s := newSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	type base struct {
		ID       int64
		Name     string
		Category string
		Price    int64
	}
	check := func(t *testing.T, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewWriter: %v, want an error containing %q", err, want)
		}
	}
	t.Run("hidden by json:-", func(t *testing.T) {
		type Row struct {
			base
			CreatedAt time.Time `db:"created_at" json:"-"`
		}
		_, err := httpadapter.NewWriter[Row](p, httpadapter.WriterConfig{})
		check(t, err, `no field for "created_at"`)
	})
	t.Run("Go name without underscore", func(t *testing.T) {
		type Row struct {
			base
			CreatedAt time.Time // backs "createdat", not "created_at"
		}
		_, err := httpadapter.NewWriter[Row](p, httpadapter.WriterConfig{})
		check(t, err, `no field for "created_at"`)
	})
	t.Run("two at the same depth", func(t *testing.T) {
		type Row struct {
			base
			Created time.Time `db:"created_at"`
			Made    time.Time `db:"created_at"`
		}
		_, err := httpadapter.NewWriter[Row](p, httpadapter.WriterConfig{})
		check(t, err, "two fields for \"created_at\"")
	})
	t.Run("not written by encoding/json", func(t *testing.T) {
		type inner struct {
			Created time.Time `db:"created_at" json:"label"`
		}
		type Row struct {
			base
			inner
			Label string `json:"label"` // hides inner.Created from encoding/json
		}
		_, err := httpadapter.NewWriter[*Row](p, httpadapter.WriterConfig{})
		check(t, err, `encoding/json does not write it`)
	})
	t.Run("db tag first, then json tag, then Go name", func(t *testing.T) {
		type Row struct {
			base
			Label   string    `json:"name"` // the json tag beats Name's Go name
			When    time.Time `db:"created_at" json:"when"`
			Created time.Time `json:"created_at"` // the db tag wins
		}
		w, err := httpadapter.NewWriter[Row](p, httpadapter.WriterConfig{})
		if err != nil {
			t.Fatal(err)
		}
		row := Row{base: base{ID: 1, Name: "go name", Category: "c", Price: 2}, Label: "tagged", When: day(1, 0), Created: day(2, 0)}
		b, err := w.AppendItems(nil, []Row{row}, paginate.Request{Fields: []string{"created_at", "name", "category"}})
		want := `[{"Category":"c","name":"tagged","when":"2024-01-01T00:00:00Z"}]`
		if err != nil || string(b) != want {
			t.Errorf("AppendItems = %s, %v; want %s", b, err, want)
		}
	})
}

// TestSparseItems checks that fields limits each item to the requested
// keys for struct, pointer, embedded and map items, with encoding/json's
// rules intact, through WritePage and through AppendItems.
func TestSparseItems(t *testing.T) {
	s := newSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	// envelopeItems writes a page through WritePage and returns its items.
	envelopeItems := func(t *testing.T, write func(rec *httptest.ResponseRecorder, r *http.Request, q *httpadapter.ParsedQuery), query string) []any {
		t.Helper()
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/x?"+query, nil)
		write(rec, r, parse(t, p, r.URL.RawQuery))
		var env struct{ Items []any }
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		return env.Items
	}
	// appended decodes what AppendItems wrote.
	appended := func(t *testing.T, b []byte, err error) []any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%v: %s", err, b)
		}
		return out
	}

	t.Run("pointers", func(t *testing.T) {
		w, _ := httpadapter.NewWriter[*Item](p, httpadapter.WriterConfig{})
		page := paginate.Page[*Item]{Items: []*Item{&items[0], nil}}
		want := []any{map[string]any{"id": 1.0, "price": 1999.0}, nil}
		got := envelopeItems(t, func(rec *httptest.ResponseRecorder, r *http.Request, q *httpadapter.ParsedQuery) {
			w.WritePage(rec, r, q, page)
		}, "fields=price,id")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("WritePage (-want +got):\n%s", diff)
		}
		b, err := w.AppendItems(nil, page.Items, paginate.Request{Fields: []string{"price", "id"}})
		if diff := cmp.Diff(want, appended(t, b, err)); diff != "" {
			t.Errorf("AppendItems (-want +got):\n%s", diff)
		}
	})

	t.Run("tags and embedding", func(t *testing.T) {
		type Meta struct {
			CreatedAt string `db:"created_at" json:"createdAt"`
		}
		type Row struct {
			Meta
			ID       int64  `db:"id" json:"id,string"`
			Label    string `db:"name" json:"label,omitempty"`
			Price    int64
			Category string `json:"kind"`
			Hidden   string `json:"-"`
			secret   string
		}
		w, err := httpadapter.NewWriter[Row](p, httpadapter.WriterConfig{})
		if err != nil {
			t.Fatal(err)
		}
		rows := []Row{{Meta{"yesterday"}, 7, "", 5, "toys", "h", "x"}}
		got := envelopeItems(t, func(rec *httptest.ResponseRecorder, r *http.Request, q *httpadapter.ParsedQuery) {
			w.WritePage(rec, r, q, paginate.Page[Row]{Items: rows})
		}, "fields=created_at,name,price,id")
		// id keeps its string option, name its omitempty, price its Go
		// name, created_at is found by db tag inside the embedded struct;
		// category, not asked for, stays out.
		want := []any{map[string]any{"createdAt": "yesterday", "id": "7", "Price": 5.0}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		// Without fields the item is encoding/json's own.
		wantFull, _ := json.Marshal(rows)
		b, err := w.AppendItems(nil, rows, paginate.Request{})
		if err != nil || string(b) != string(wantFull) {
			t.Errorf("whole items: %s, %v; json.Marshal gives %s", b, err, wantFull)
		}
	})

	t.Run("maps", func(t *testing.T) {
		w, _ := httpadapter.NewWriter[map[string]any](p, httpadapter.WriterConfig{})
		rows := []map[string]any{{"id": 1, "name": "a", "price": 2}, {"name": "b"}, nil}
		want := []any{map[string]any{"id": 1.0, "price": 2.0}, map[string]any{}, nil}
		got := envelopeItems(t, func(rec *httptest.ResponseRecorder, r *http.Request, q *httpadapter.ParsedQuery) {
			w.WritePage(rec, r, q, paginate.Page[map[string]any]{Items: rows})
		}, "fields=price,id")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("key order follows the struct", func(t *testing.T) {
		w, _ := httpadapter.NewWriter[Item](p, httpadapter.WriterConfig{})
		b, err := w.AppendItems([]byte("x"), items[:1], paginate.Request{Fields: []string{"created_at", "id"}})
		if want := `x[{"id":1,"created_at":"2024-01-01T10:00:00Z"}]`; err != nil || string(b) != want {
			t.Errorf("AppendItems = %s, %v; want %s", b, err, want)
		}
	})
}

// TestItemEncodingError: an item that cannot be encoded gives a clean 500
// with no partial envelope.
func TestItemEncodingError(t *testing.T) {
	s := newSchema(t)
	p, _ := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	w, _ := httpadapter.NewWriter[map[string]any](p, httpadapter.WriterConfig{Logger: discardLogger()})
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	w.WritePage(rec, r, parse(t, p, ""), paginate.Page[map[string]any]{Items: []map[string]any{{"f": func() {}}}})
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "items") {
		t.Errorf("status %d, body %s", rec.Code, rec.Body)
	}
}

// A query another parser made is refused: its links would be wrong.
func TestWritePageNeedsItsParsersQuery(t *testing.T) {
	s := newSchema(t)
	p, _ := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	other, _ := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode, Params: httpadapter.Params{Page: "p"}})
	w, _ := httpadapter.NewWriter[Item](p, httpadapter.WriterConfig{Logger: discardLogger()})
	for name, q := range map[string]*httpadapter.ParsedQuery{"nil": nil, "another parser's": parse(t, other, "p=2")} {
		rec := httptest.NewRecorder()
		w.WritePage(rec, httptest.NewRequest(http.MethodGet, "/x?p=2", nil), q, paginate.Page[Item]{Items: items[:1], Page: 2})
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s query: status %d, want 500", name, rec.Code)
		}
	}
}

func TestHead(t *testing.T) {
	h := offsetHandler(t, paginate.OffsetConfig{}, httpadapter.Config{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/items", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("X-Total-Count") != "5" {
		t.Errorf("HEAD: status %d, body %q, headers %v", rec.Code, rec.Body, rec.Header())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/items", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
}

// BenchmarkWritePage measures writing a 20-item page, whole and with a
// sparse fieldset.
func BenchmarkWritePage(b *testing.B) {
	s := newSchema(b)
	p, _ := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	w, _ := httpadapter.NewWriter[Item](p, httpadapter.WriterConfig{})
	page := paginate.Page[Item]{Page: 3, PerPage: 20, Total: 1000, Pages: 50, Counted: true, HasNext: true, HasPrev: true, NextPage: 4, PrevPage: 2}
	for i := range 20 {
		page.Items = append(page.Items, items[i%len(items)])
	}
	for _, bc := range []struct{ name, query string }{
		{"all", "page=3&per_page=20&sort=-price"},
		{"fields", "page=3&per_page=20&sort=-price&fields=id,name"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/items?"+bc.query, nil)
			q := parse(b, p, bc.query)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				w.WritePage(rec, r, q, page)
			}
		})
	}
}
