package paginate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-paginate/paginate/internal/value"
)

// fmtBinding is the binding as releases before the sort shape cache
// computed it, with fmt on every request. A cursor's binding must not
// change without a new cursor version, so the cached binding is checked
// against it.
func fmtBinding(sort []Order, filters []Condition) [8]byte {
	var b strings.Builder
	for _, o := range sort {
		fmt.Fprintf(&b, "s%q:%d:%d;", o.Field.Name, o.Field.Type, o.Dir)
	}
	var fk value.FiltersKey
	for _, c := range filters {
		fk.Add(c.Field.Name, int(c.Op), c.Values)
	}
	b.WriteString(fk.String())
	sum := sha256.Sum256([]byte(b.String()))
	var out [8]byte
	copy(out[:], sum[:])
	return out
}

func shapeSchema(t *testing.T) *Schema {
	t.Helper()
	s, err := NewSchema([]Field{
		{Name: "id", Type: Int, Key: true},
		{Name: "name", Type: String, Sortable: true, Ops: []Op{Eq, In, Prefix}},
		{Name: "price", Type: Float, Sortable: true, Nullable: true, Ops: []Op{Lt, IsNull}},
		{Name: "created_at", Type: Time, Sortable: true, Ops: []Op{Gte}},
		{Name: "amount", Type: Decimal, Sortable: true},
		{Name: "_b", Type: Bytes, Sortable: true},
		{Name: "ok", Type: Bool, Sortable: true},
	}, "-created_at")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSortShapeBinding checks that the binding of a cached sort shape,
// with and without filters, is the one releases before the cache
// computed, so that cursors issued before an upgrade stay valid; one
// binding is also pinned as bytes.
func TestSortShapeBinding(t *testing.T) {
	s := shapeSchema(t)
	shapes, err := newSortShapes(s)
	if err != nil {
		t.Fatal(err)
	}
	sortable := []string{"id", "name", "price", "created_at", "amount", "_b", "ok"}
	when := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	filterSets := [][]Condition{
		nil,
		{{Field: s.fields[1], Op: Eq, Values: []any{"a \"quoted\" é\x01"}}},
		{{Field: s.fields[1], Op: In, Values: []any{"x", "y"}}, {Field: s.fields[2], Op: Lt, Values: []any{1.5}}},
		{{Field: s.fields[3], Op: Gte, Values: []any{when}}, {Field: s.fields[2], Op: IsNull, Values: []any{true}}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n := 1 + rng.IntN(4)
		var keys []SortKey
		for _, i := range rng.Perm(len(sortable))[:n] {
			keys = append(keys, SortKey{Field: sortable[i], Dir: Direction(rng.IntN(2))})
		}
		sh, reason := shapes.get(s, keys)
		if reason != "" {
			t.Fatalf("sort %v: %s", keys, reason)
		}
		want, _ := s.order(keys)
		if fmt.Sprint(sh.orders) != fmt.Sprint(want) {
			t.Fatalf("sort %v: orders %v, want %v", keys, sh.orders, want)
		}
		for i, o := range sh.reversed {
			if o.Field.Name != want[i].Field.Name || o.Dir != want[i].Dir.Reverse() {
				t.Fatalf("sort %v: reversed %v", keys, sh.reversed)
			}
		}
		for _, fs := range filterSets {
			if got, want := sh.binding(fs), fmtBinding(sh.orders, fs); got != want {
				t.Fatalf("sort %v, filters %v: binding %x, want %x", keys, fs, got, want)
			}
		}
	}
	if got := len(shapes.m); got > maxSortShapes {
		t.Errorf("%d sorts kept, at most %d wanted", got, maxSortShapes)
	}
	def, _ := shapes.get(s, nil)
	if got := hex.EncodeToString(def.bind[:]); got != "75910e8021ee5c7e" {
		t.Errorf("binding of the default sort (-created_at, -id) is %s, want 75910e8021ee5c7e", got)
	}
}

// TestSortShapesConcurrent requests many sorts from many goroutines (run
// it with -race): every answer is the sort asked for.
func TestSortShapesConcurrent(t *testing.T) {
	s := shapeSchema(t)
	shapes, err := newSortShapes(s)
	if err != nil {
		t.Fatal(err)
	}
	sortable := []string{"name", "price", "created_at", "amount", "_b", "ok"}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 2000 {
				keys := []SortKey{{Field: sortable[rng.IntN(len(sortable))], Dir: Direction(rng.IntN(2))}, {Field: "id"}}
				sh, reason := shapes.get(s, keys)
				if reason != "" || !sameKeys(sh.keys, keys) || sh.orders[0].Field.Name != keys[0].Field {
					t.Errorf("sort %v: got %+v, %q", keys, sh, reason)
					return
				}
			}
		})
	}
	wg.Wait()
}
