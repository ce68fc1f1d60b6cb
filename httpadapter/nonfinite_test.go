package httpadapter_test

import (
	"encoding/json"
	"math"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/httpadapter"
)

// Reading holds floats of every shape the envelope handles.
type Reading struct {
	ID    int64    `json:"id"`
	Value float64  `json:"value"`
	Low   float32  `json:"low"`
	Peak  *float64 `json:"peak"`
	Ratio float64  `json:"ratio,string"`
	Skip  float64  `json:"skip,omitempty"`
	Note  string   `json:"note"`
}

func ptr(x float64) *float64 { return &x }

var readings = []Reading{
	{ID: 1, Value: math.NaN(), Low: float32(math.Inf(1)), Peak: ptr(math.Inf(-1)), Ratio: 0.5, Note: "a"},
	{ID: 2, Value: 1.5, Low: 0.1, Ratio: math.Inf(1), Skip: 2, Note: "b"},
	{ID: 3, Value: math.Inf(-1), Low: float32(math.NaN()), Peak: ptr(math.NaN()), Ratio: math.NaN(), Note: "c"},
	{ID: 4, Value: 2.25, Low: -3, Peak: ptr(1e21), Ratio: 1e-7, Note: "d"},
}

// The items' JSON, written by hand: non-finite floats are strings, finite
// ones as encoding/json writes them (0.1 as a float32, the string option
// quoting, omitempty omitting).
const (
	readingsJSON = `[` +
		`{"id":1,"value":"NaN","low":"Infinity","peak":"-Infinity","ratio":"0.5","note":"a"},` +
		`{"id":2,"value":1.5,"low":0.1,"peak":null,"ratio":"Infinity","skip":2,"note":"b"},` +
		`{"id":3,"value":"-Infinity","low":"NaN","peak":"NaN","ratio":"NaN","note":"c"},` +
		`{"id":4,"value":2.25,"low":-3,"peak":1e+21,"ratio":"1e-7","note":"d"}]`
	readingsSparseJSON = `[` +
		`{"id":1,"value":"NaN","peak":"-Infinity","ratio":"0.5"},` +
		`{"id":2,"value":1.5,"peak":null,"ratio":"Infinity"},` +
		`{"id":3,"value":"-Infinity","peak":"NaN","ratio":"NaN"},` +
		`{"id":4,"value":2.25,"peak":1e+21,"ratio":"1e-7"}]`
)

func readingSchema(tb testing.TB) *paginate.Schema {
	tb.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "value", Type: paginate.Float},
		{Name: "low", Type: paginate.Float},
		{Name: "peak", Type: paginate.Float, Nullable: true, Ops: []paginate.Op{paginate.IsNull}},
		{Name: "ratio", Type: paginate.Float},
		{Name: "skip", Type: paginate.Float},
		{Name: "note", Type: paginate.String, Ops: []paginate.Op{paginate.Prefix, paginate.Contains}},
	}, "id")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// readingsMemory holds the readings. Its own copies of the floats, which
// no sort or filter here uses, are stand-ins: what is tested is how the
// envelope writes the items it is given.
func readingsMemory(tb testing.TB, s *paginate.Schema) *paginate.Memory[Reading] {
	tb.Helper()
	m, err := paginate.NewMemory(readings, s, paginate.MemoryConfig[Reading]{
		Value: func(r Reading, f paginate.Field) any {
			switch f.Name {
			case "id":
				return r.ID
			case "note":
				return r.Note
			}
			return 0.0
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestNonFiniteFloats: items holding NaN and infinities are written with
// them as strings, in both modes, whole and with fields, where
// encoding/json alone would fail and the page would be a 500.
func TestNonFiniteFloats(t *testing.T) {
	if _, err := json.Marshal(readings); err == nil {
		t.Fatal("encoding/json writes NaN now; this test no longer tests anything")
	}
	s := readingSchema(t)
	m := readingsMemory(t, s)
	off, err := paginate.NewOffset(m, s, paginate.OffsetConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := paginate.NewKeyset(m, s, paginate.KeysetConfig{Keys: [][]byte{testKey}, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]http.Handler{}
	for name, p := range map[string]paginate.Paginator[Reading]{"offset": off, "cursor": ks} {
		if handlers[name], err = httpadapter.Handler(p, nil, httpadapter.Config{}); err != nil {
			t.Fatal(err)
		}
	}
	for _, mode := range []string{"offset", "cursor"} {
		for _, tc := range []struct{ name, query, want string }{
			{"whole", "per_page=10", readingsJSON},
			{"fields", "per_page=10&fields=ratio,peak,id,value", readingsSparseJSON},
		} {
			t.Run(mode+" "+tc.name, func(t *testing.T) {
				res := get(t, handlers[mode], "/readings?"+tc.query)
				body := readBody(t, res)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %s", res.StatusCode, body)
				}
				var env struct{ Items json.RawMessage }
				if err := json.Unmarshal(body, &env); err != nil {
					t.Fatalf("the body is not JSON: %v\n%s", err, body)
				}
				if diff := cmp.Diff(tc.want, string(env.Items)); diff != "" {
					t.Errorf("items (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// The pages without a non-finite float are encoding/json's own, and the
// finite items of a page with one are written as encoding/json writes
// them alone.
func TestNonFiniteFallbackMatchesEncodingJSON(t *testing.T) {
	s := readingSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.OffsetMode})
	if err != nil {
		t.Fatal(err)
	}
	w, err := httpadapter.NewWriter[*Reading](p, httpadapter.WriterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	finite := []*Reading{&readings[3], nil}
	want, err := json.Marshal(finite)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.AppendItems(nil, finite, paginate.Request{})
	if err != nil || string(got) != string(want) {
		t.Errorf("finite items: %s, %v; want %s", got, err, want)
	}
	mixed := []*Reading{&readings[0], nil, &readings[3]}
	got, err = w.AppendItems(nil, mixed, paginate.Request{})
	if err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(got, &items); err != nil || len(items) != 3 {
		t.Fatalf("%s: %v", got, err)
	}
	one, _ := json.Marshal(&readings[3])
	if string(items[1]) != "null" || string(items[2]) != string(one) {
		t.Errorf("items %s and %s; want null and %s", items[1], items[2], one)
	}
}

// Map items: a NaN or infinite value, or a pointer to one, is a string.
func TestNonFiniteMapItems(t *testing.T) {
	s := readingSchema(t)
	p, err := httpadapter.NewParser(s, httpadapter.ParserConfig{Mode: httpadapter.CursorMode})
	if err != nil {
		t.Fatal(err)
	}
	w, err := httpadapter.NewWriter[map[string]any](p, httpadapter.WriterConfig{})
	if err != nil {
		t.Fatal(err)
	}
	rows := []map[string]any{
		{"id": 1, "value": math.NaN(), "low": float32(math.Inf(1)), "peak": ptr(math.Inf(-1)), "note": "x"},
		{"id": 2, "value": 0.5, "peak": (*float64)(nil)},
		nil,
	}
	for _, tc := range []struct {
		fields []string
		want   string
	}{
		{nil, `[{"id":1,"low":"Infinity","note":"x","peak":"-Infinity","value":"NaN"},{"id":2,"peak":null,"value":0.5},null]`},
		{[]string{"value", "peak"}, `[{"peak":"-Infinity","value":"NaN"},{"peak":null,"value":0.5},null]`},
	} {
		got, err := w.AppendItems(nil, rows, paginate.Request{Fields: tc.fields})
		if err != nil || string(got) != tc.want {
			t.Errorf("fields %v: %s, %v; want %s", tc.fields, got, err, tc.want)
		}
	}
}
