package httpadapter_test

// FuzzHandlerQuery feeds arbitrary query strings to the parser and to a
// whole handler, in offset and in cursor mode. Property: every input is
// either a valid request, which the paginator then answers with a page or
// a typed error, or a *paginate.RequestError naming each offending
// parameter; over HTTP the answer is 200 with a JSON envelope or 400 with
// a problem+json body, never a 5xx and never a panic.
//
// Fuzz longer than CI does with
//
//	go test -run '^$' -fuzz '^FuzzHandlerQuery$' -fuzztime 10m ./httpadapter
//
// Its seed corpus is in testdata/fuzz/FuzzHandlerQuery; regenerate it with
//
//	go test ./httpadapter -run TestHandlerQueryCorpus -update-fuzz-corpus

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/golden"
)

var (
	fzKey            = []byte("fuzz-key-fuzz-key-fuzz-key-fuzz!")
	updateFuzzCorpus = flag.Bool("update-fuzz-corpus", false, "rewrite the generated seeds in testdata/fuzz")
	fzCorpusWalks    = []string{"per_page=5", "per_page=7&sort=-price", "per_page=4&category[in]=home,toys&sort=note"}
)

type fzItem struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Price     int64     `json:"price"`
	Weight    float64   `json:"weight"`
	CreatedAt time.Time `json:"created_at"`
	Note      *string   `json:"note"`
}

func fzItems() []fzItem {
	out := make([]fzItem, 33)
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = fzItem{
			ID:        int64(i + 1),
			Name:      []string{"Lamp", "Mug", "Kite", "Zoë", "O'Brien"}[i%5],
			Category:  []string{"home", "toys", "books"}[i%3],
			Price:     int64(100 + i%7*100),
			Weight:    float64(i%4) / 2,
			CreatedAt: epoch.Add(time.Duration(i/3) * time.Hour),
		}
		if i%2 == 0 {
			n := "n" + string(rune('a'+i%3))
			out[i].Note = &n
		}
	}
	return out
}

type fzServer struct {
	parser  [2]*httpadapter.Parser
	pag     [2]paginate.Paginator[fzItem]
	handler [2]http.Handler
}

func newFzServer(tb testing.TB) *fzServer {
	tb.Helper()
	all := []paginate.Op{paginate.Eq, paginate.Ne, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte, paginate.In}
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Ops: all},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.In}},
		{Name: "category", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.In}},
		{Name: "price", Type: paginate.Int, Sortable: true, Ops: all},
		{Name: "weight", Type: paginate.Float, Sortable: true, Ops: []paginate.Op{paginate.Lt, paginate.Gte}},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Ops: []paginate.Op{paginate.Lt, paginate.Gte}},
		{Name: "note", Type: paginate.String, Sortable: true, Nullable: true, Ops: []paginate.Op{paginate.Eq}},
	}, "-created_at")
	if err != nil {
		tb.Fatal(err)
	}
	m, err := paginate.NewMemory(fzItems(), s, paginate.MemoryConfig[fzItem]{})
	if err != nil {
		tb.Fatal(err)
	}
	off, err := paginate.NewOffset(m, s, paginate.OffsetConfig{MaxPerPage: 25, MaxOffset: 1000})
	if err != nil {
		tb.Fatal(err)
	}
	ks, err := paginate.NewKeyset(m, s, paginate.KeysetConfig{Keys: [][]byte{fzKey}, MaxPerPage: 25, RejectOverMax: true,
		Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		tb.Fatal(err)
	}
	srv := &fzServer{pag: [2]paginate.Paginator[fzItem]{off, ks}}
	for i, mode := range []httpadapter.Mode{httpadapter.OffsetMode, httpadapter.CursorMode} {
		cfg := httpadapter.ParserConfig{Mode: mode, MaxFilters: 4, MaxQueryLen: 512, Ignore: []string{"callback"}}
		if srv.parser[i], err = httpadapter.NewParser(s, cfg); err != nil {
			tb.Fatal(err)
		}
		if srv.handler[i], err = httpadapter.Handler(srv.pag[i], s, httpadapter.Config{Parser: cfg}); err != nil {
			tb.Fatal(err)
		}
	}
	return srv
}

var fzSentinels = []error{
	paginate.ErrInvalidPage, paginate.ErrInvalidPerPage, paginate.ErrInvalidCursor,
	paginate.ErrInvalidSort, paginate.ErrInvalidField, paginate.ErrInvalidFilter,
	httpadapter.ErrQueryTooLong,
}

func checkParamErrors(t *testing.T, raw string, err error) {
	t.Helper()
	var re *paginate.RequestError
	if !errors.As(err, &re) {
		t.Fatalf("ParseQuery(%q): error %v (%T) is not a *paginate.RequestError", raw, err, err)
	}
	if len(re.Params) == 0 {
		t.Fatalf("ParseQuery(%q): RequestError names no parameter", raw)
	}
	for _, pe := range re.Params {
		if pe.Param == "" && hasEmptyName(raw) {
			// "=1" names the parameter "", as the client wrote it.
		} else if pe.Param == "" || !utf8.ValidString(pe.Param) || strings.IndexByte(pe.Param, 0) >= 0 || len(pe.Param) > 80 {
			t.Fatalf("ParseQuery(%q): parameter name %q is empty, not clean text or too long", raw, pe.Param)
		}
		if pe.Reason == "" || !utf8.ValidString(pe.Reason) || len(pe.Reason) > 512 {
			t.Fatalf("ParseQuery(%q): reason %q is empty, not UTF-8 or too long", raw, pe.Reason)
		}
		known := false
		for _, s := range fzSentinels {
			known = known || errors.Is(pe, s)
		}
		if !known {
			t.Fatalf("ParseQuery(%q): %v unwraps to no known sentinel", raw, pe)
		}
	}
}

// hasEmptyName reports whether a query string has a parameter whose name
// is empty once decoded and stripped of NUL bytes, which an error cannot
// echo back.
func hasEmptyName(raw string) bool {
	for seg := range strings.SplitSeq(raw, "&") {
		if seg == "" {
			continue
		}
		k, _, _ := strings.Cut(seg, "=")
		if d, err := url.QueryUnescape(k); err == nil {
			k = d
		}
		if strings.ReplaceAll(k, "\x00", "") == "" {
			return true
		}
	}
	return false
}

// fzBadQueries are real hostile query strings. TestHandlerQueryCorpus
// writes them, with real cursors, into the committed seed corpus.
var fzBadQueries = []string{
	"",
	"page=2&per_page=5",
	"per_page=25",
	"per_page=26",
	"per_page=0",
	"per_page=-1",
	"page=9223372036854775808",
	"page=-9223372036854775809",
	"page=1e3",
	"page=0x10",
	"page=%2B1",
	"page=1&page=2",
	"sort=-price,name",
	"sort=name;DROP%20TABLE%20items",
	"sort=price%27%20OR%201%3D1--",
	"sort=note,-weight",
	"fields=id,name",
	"fields=id,id",
	"fields=password",
	"category=home",
	"category[in]=home,toys,books",
	"category[ne]=%27%3B--",
	"name=Zo%C3%AB",
	"name=O%27Brien",
	"name=%00",
	"name=%FF%FE",
	"name=%zz",
	"%zz=1",
	"price[gte]=100&price[lt]=400",
	"price[gte]=1&price[gte]=2",
	"price[like]=1",
	"price[[gte]]=1",
	"price[gte=1",
	"price]=1",
	"[gte]=1",
	"price[gte][lt]=1",
	"id[in]=" + strings.Repeat("1,", 120) + "1",
	"created_at[gte]=2025-01-01&created_at[lt]=2025-01-02T03:00:00Z",
	"created_at[lt]=2025-13-40",
	"weight[lt]=NaN",
	"weight[gte]=1e400",
	"note=na",
	"a=1&b=2&c=3&d=4&e=5",
	"id=1&price=1&name=x&category=y&note=z",
	"callback=x&page=2",
	"after=AQ&before=AQ",
	"after=%27%20OR%201%3D1",
	"before=" + strings.Repeat("A", 300),
	"&&&=&=",
	"page",
	"page=",
	"=1",
	"page=1;per_page=2",
	"page=%E2%80%AE1",
	"se%00rt=id",
	strings.Repeat("p[", 60) + "=1",
	strings.Repeat("x", 513),
}

func FuzzHandlerQuery(f *testing.F) {
	for _, q := range []string{"", "page=2&per_page=5", "sort=-price,name&fields=id,name", "category[in]=home,toys"} {
		f.Add(q, false)
		f.Add(q, true)
	}
	srv := newFzServer(f)
	f.Fuzz(func(t *testing.T, raw string, cursor bool) {
		i := 0
		if cursor {
			i = 1
		}
		q, err := srv.parser[i].ParseQuery(raw)
		if err != nil {
			checkParamErrors(t, raw, err)
		} else {
			checkParsed(t, srv.pag[i], raw, q.Request(), cursor)
		}
		// The same query through the whole handler.
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/items", RawQuery: raw}, Host: "example.test",
			Header: http.Header{}, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
		rec := httptest.NewRecorder()
		srv.handler[i].ServeHTTP(rec, r.WithContext(context.Background()))
		checkResponse(t, raw, rec)
	})
}

// checkParsed checks a request parsed from raw, and the paginator's
// answer to it: a page, or a *paginate.RequestError.
func checkParsed(t *testing.T, p paginate.Paginator[fzItem], raw string, req paginate.Request, cursor bool) {
	t.Helper()
	if req.Page < 0 || req.PerPage < 0 || len(req.Filters) > 4 {
		t.Fatalf("ParseQuery(%q) = %+v: out of range", raw, req)
	}
	if cursor && req.Page != 0 || !cursor && (req.After != "" || req.Before != "") {
		t.Fatalf("ParseQuery(%q) = %+v: parameters of the other mode", raw, req)
	}
	page, err := p.Paginate(context.Background(), req)
	if err != nil {
		var re *paginate.RequestError
		if !errors.As(err, &re) {
			t.Fatalf("Paginate(%+v) from %q: %v is not a *paginate.RequestError", req, raw, err)
		}
	} else if len(page.Items) > page.PerPage || page.PerPage > 25 {
		t.Fatalf("Paginate(%+v) from %q: %d items on a page of %d", req, raw, len(page.Items), page.PerPage)
	}
}

// checkResponse checks the handler's answer to raw: 200 with a JSON
// envelope, or 400 with a problem naming each offending parameter.
func checkResponse(t *testing.T, raw string, rec *httptest.ResponseRecorder) {
	t.Helper()
	body := rec.Body.Bytes()
	switch rec.Code {
	case http.StatusOK:
		var env map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("%q: 200 with a body that is not a JSON object: %v\n%s", raw, err, body)
		}
		if _, ok := env["items"]; !ok {
			t.Fatalf("%q: 200 without items: %s", raw, body)
		}
	case http.StatusBadRequest:
		if ct := rec.Header().Get("Content-Type"); ct != httpadapter.ProblemContentType {
			t.Fatalf("%q: 400 with Content-Type %q", raw, ct)
		}
		var prob httpadapter.Problem
		if err := json.Unmarshal(body, &prob); err != nil {
			t.Fatalf("%q: 400 body is not a problem: %v\n%s", raw, err, body)
		}
		if prob.Status != 400 || len(prob.InvalidParams) == 0 {
			t.Fatalf("%q: problem names no parameter: %s", raw, body)
		}
		for _, ip := range prob.InvalidParams {
			if (ip.Name == "" && !hasEmptyName(raw)) || ip.Reason == "" {
				t.Fatalf("%q: invalid_params entry without a name or reason: %s", raw, body)
			}
		}
	default:
		t.Fatalf("%q: status %d, want 200 or 400\n%s", raw, rec.Code, body)
	}
}

// TestHandlerQueryCorpus checks that the committed seed corpus of
// FuzzHandlerQuery is current: the hostile queries of fzBadQueries in both
// modes, and real cursors the handler hands out, each with the query it
// belongs to, replayed under another sort, and sent to the offset
// endpoint. With -update-fuzz-corpus it rewrites them.
func TestHandlerQueryCorpus(t *testing.T) {
	srv := newFzServer(t)
	files := map[string]string{}
	entry := func(name, q string, cursor bool) {
		files[name] = fmt.Sprintf("go test fuzz v1\nstring(%q)\nbool(%v)\n", q, cursor)
	}
	for i, q := range fzBadQueries {
		entry(fmt.Sprintf("bad-%02d-offset", i), q, false)
		entry(fmt.Sprintf("bad-%02d-cursor", i), q, true)
	}
	n := 0
	for _, walk := range fzCorpusWalks {
		q := walk
		for range 3 {
			rec := httptest.NewRecorder()
			srv.handler[1].ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/items?"+q, nil))
			var env struct {
				NextCursor *string `json:"next_cursor"`
				PrevCursor *string `json:"prev_cursor"`
			}
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &env) != nil {
				t.Fatalf("GET ?%s: %d %s", q, rec.Code, rec.Body)
			}
			if env.PrevCursor != nil {
				entry(fmt.Sprintf("real-%02d-before", n), walk+"&before="+*env.PrevCursor, true)
			}
			if env.NextCursor == nil {
				break
			}
			c := *env.NextCursor
			entry(fmt.Sprintf("real-%02d-after", n), walk+"&after="+c, true)
			entry(fmt.Sprintf("real-%02d-replayed", n), "sort=name&after="+c, true)
			entry(fmt.Sprintf("real-%02d-offset", n), "after="+c, false)
			n++
			q = walk + "&after=" + c
		}
	}
	if n == 0 {
		t.Fatal("the handler handed out no cursor")
	}
	for name, want := range files {
		golden.File(t, filepath.Join("testdata", "fuzz", "FuzzHandlerQuery", name), []byte(want), *updateFuzzCorpus,
			"go test ./httpadapter -run TestHandlerQueryCorpus -update-fuzz-corpus")
	}
}
