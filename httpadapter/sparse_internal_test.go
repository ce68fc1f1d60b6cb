package httpadapter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/go-paginate/paginate"
)

// typesBuilt counts the struct types e has built: each is kept in its
// caches.
func (e *itemEncoder) typesBuilt() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := len(e.types)
	for _, t := range e.single {
		if t != nil {
			n++
		}
	}
	return n
}

type wide struct {
	A int     `json:"a"`
	B string  `json:"b,omitempty"`
	C float64 `json:"c"`
	D bool    `json:"d,string"`
	E []int   `json:"e"`
	F *string `json:"f"`
	G string  `json:"g"`
	H int64   `json:"h,omitzero"`
	I uint8   `json:"i"`
	J string  `json:"j"`
}

// Requesting more distinct field sets than the type cache holds still
// gives the right objects, and stops building struct types.
func TestSparseFieldSetsBeyondTheCache(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	var fs []paginate.Field
	for i, n := range names {
		fs = append(fs, paginate.Field{Name: n, Type: paginate.String, Key: i == 0, Sortable: i == 0})
	}
	s, err := paginate.NewSchema(fs, "a")
	if err != nil {
		t.Fatal(err)
	}
	f := "<f>"
	data := []wide{
		{A: 1, B: "x<y", C: 1.5, D: true, E: []int{1, 2}, F: &f, G: "g", H: 7, I: 8, J: "j"},
		{A: 2},
	}
	for _, ptr := range []bool{false, true} {
		var items any = data
		typ := reflect.TypeFor[wide]()
		if ptr {
			items = []*wide{&data[0], nil, &data[1]}
			typ = reflect.TypeFor[*wide]()
		}
		e, err := newItemEncoder(typ, s)
		if err != nil {
			t.Fatal(err)
		}
		pb := &pageBuffer{}
		pb.enc = json.NewEncoder(&pb.buf)
		full, err := json.Marshal(items)
		if err != nil {
			t.Fatal(err)
		}
		var whole []map[string]json.RawMessage
		if err := json.Unmarshal(full, &whole); err != nil {
			t.Fatal(err)
		}
		var atCap int
		sets := 1 << len(names)
		for set := 1; set < sets; set++ {
			var fields []string
			// Ask in reverse order: the keys still come out in declaration order.
			for i := len(names) - 1; i >= 0; i-- {
				if set&(1<<i) != 0 {
					fields = append(fields, names[i])
				}
			}
			var want bytes.Buffer
			want.WriteByte('[')
			for n, m := range whole {
				if n > 0 {
					want.WriteByte(',')
				}
				if m == nil {
					want.WriteString("null")
					continue
				}
				want.WriteByte('{')
				first := true
				for i, name := range names {
					if raw, ok := m[name]; ok && set&(1<<i) != 0 {
						if !first {
							want.WriteByte(',')
						}
						first = false
						fmt.Fprintf(&want, "%q:%s", name, raw)
					}
				}
				want.WriteByte('}')
			}
			want.WriteByte(']')
			pb.buf.Reset()
			if err := e.encode(pb, items, fields, nil); err != nil {
				t.Fatal(err)
			}
			if got := pb.buf.String(); got != want.String() {
				t.Fatalf("ptr %v, fields %v:\n got %s\nwant %s", ptr, fields, got, want.String())
			}
			if set == maxSparseTypes+1 {
				atCap = e.typesBuilt()
			}
		}
		if built := e.typesBuilt(); built > maxSparseTypes+len(names) {
			t.Errorf("ptr %v: %d struct types built for %d field sets", ptr, built, sets-1)
		}
		if grown := e.typesBuilt() - atCap; grown > len(names) {
			t.Errorf("ptr %v: %d more struct types built past the cache's cap", ptr, grown)
		}
		// The cached field sets still take the fast path.
		pb.buf.Reset()
		if err := e.encode(pb, items, []string{"a"}, nil); err != nil {
			t.Fatal(err)
		}
	}
}
