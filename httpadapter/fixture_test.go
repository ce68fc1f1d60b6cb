package httpadapter_test

import (
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
	"github.com/go-paginate/paginate/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Item is the test item: five fields, as in the example server.
type Item struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Category  string    `json:"category"`
	Price     int64     `json:"price"`
	CreatedAt time.Time `json:"created_at"`
}

func day(d, h int) time.Time { return time.Date(2024, 1, d, h, 0, 0, 0, time.UTC) }

// items are hand-written so that golden files can be written by hand.
var items = []Item{
	{1, "Lamp", "home", 1999, day(1, 10)},
	{2, "Mug", "home", 599, day(2, 10)},
	{3, "Kite", "toys", 1299, day(2, 10)},
	{4, "Tent", "outdoors", 15999, day(3, 8)},
	{5, "Book", "books", 1299, day(4, 12)},
}

func newSchema(tb testing.TB) *paginate.Schema {
	tb.Helper()
	cmpOps := []paginate.Op{paginate.Eq, paginate.Lt, paginate.Lte, paginate.Gt, paginate.Gte}
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true},
		{Name: "name", Type: paginate.String, Sortable: true},
		{Name: "category", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.In}},
		{Name: "price", Type: paginate.Int, Sortable: true, Ops: cmpOps},
		{Name: "created_at", Type: paginate.Time, Sortable: true, Ops: cmpOps},
	}, "-created_at")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// fixedNow makes cursors deterministic.
func fixedNow() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

func memory(tb testing.TB, s *paginate.Schema, data []Item) *paginate.Memory[Item] {
	tb.Helper()
	m, err := paginate.NewMemory(data, s, paginate.MemoryConfig[Item]{})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// offsetHandler serves items by page number.
func offsetHandler(tb testing.TB, ocfg paginate.OffsetConfig, cfg httpadapter.Config) http.Handler {
	tb.Helper()
	s := newSchema(tb)
	p, err := paginate.NewOffset(memory(tb, s, items), s, ocfg)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := httpadapter.Handler(p, s, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// newKeyset pages data by cursor, with cursors that depend only on the
// position, the sort and the filters.
func newKeyset(tb testing.TB, data []Item) *paginate.Keyset[Item] {
	tb.Helper()
	s := newSchema(tb)
	p, err := paginate.NewKeyset(memory(tb, s, data), s, paginate.KeysetConfig{Keys: [][]byte{testKey}, Now: fixedNow})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// cursorHandler serves items by cursor.
func cursorHandler(tb testing.TB, data []Item, cfg httpadapter.Config) http.Handler {
	tb.Helper()
	h, err := httpadapter.Handler(newKeyset(tb, data), nil, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// lastCursor is the cursor of the last page of the order and filters the
// raw query asks for, as the paginator of cursorHandler makes it.
func lastCursor(tb testing.TB, rawQuery string) string {
	tb.Helper()
	k := newKeyset(tb, items)
	p, err := httpadapter.NewParser(k.Schema(), httpadapter.ParserConfig{Mode: httpadapter.CursorMode})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := k.LastCursor(parse(tb, p, rawQuery).Request())
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// parse parses a raw query string with p, failing the test on an error.
func parse(tb testing.TB, p *httpadapter.Parser, raw string) *httpadapter.ParsedQuery {
	tb.Helper()
	q, err := p.ParseQuery(raw)
	if err != nil {
		tb.Fatalf("ParseQuery(%q): %v", raw, err)
	}
	return q
}

// get runs one GET through h.
func get(tb testing.TB, h http.Handler, target string) *http.Response {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Result()
}

func readBody(tb testing.TB, res *http.Response) []byte {
	tb.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// decode decodes a JSON body into a generic value.
func decode(tb testing.TB, body []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, body)
	}
	return m
}

// checkGolden compares got with testdata/name, or rewrites it with
// -update.
func checkGolden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	golden.File(tb, filepath.Join("testdata", name), got, *update, "go test ./httpadapter -update")
}
