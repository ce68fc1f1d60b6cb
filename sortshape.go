package paginate

import (
	"crypto/sha256"
	"hash/maphash"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-paginate/paginate/internal/value"
)

// What a paginator derives from a request's sort does not depend on
// anything else in the request: the complete order the backend is asked
// for, the order reversed for pages fetched backward, and the sort's part
// of a cursor's binding. So it is derived once per sort and kept, the
// default sort's at construction and other sorts' in a small bounded
// cache, and a request in a known sort costs a hash and a comparison of
// its keys instead of a validation, an allocation and a SHA-256.

// sortShape is what is derived from one valid sort. It is shared by every
// request in that sort and never modified after it is built.
type sortShape struct {
	keys     []SortKey // the sort as requested, to tell a hit from a collision
	orders   []Order   // the complete order (Schema.Order)
	reversed []Order   // orders with every direction reversed
	text     []byte    // the sort's part of the binding's text
	bind     [8]byte   // the binding of the sort without filters
	// last is the LastCursor of the sort without filters, once signed.
	last atomic.Pointer[signedCursor]
}

// signedCursor is a cursor's text and the issue time it carries.
type signedCursor struct {
	issued time.Time
	text   string
}

// maxSortShapes is how many sorts besides the default a paginator keeps
// derived. A sort beyond them is derived on every request, as it would be
// without a cache, and evicts one kept at random.
const maxSortShapes = 64

// sortShapes keeps the shapes of the sorts a paginator has seen.
type sortShapes struct {
	seed maphash.Seed
	def  *sortShape // the default sort's

	mu sync.RWMutex
	m  map[uint64]*sortShape
}

func newSortShapes(s *Schema) (*sortShapes, error) {
	def, reason := newSortShape(s, s.defaultSort)
	if reason != "" {
		// NewSchema has checked the default sort.
		return nil, &ParamError{Param: "sort", Reason: reason, Err: ErrInvalidSort}
	}
	return &sortShapes{seed: maphash.MakeSeed(), def: def, m: make(map[uint64]*sortShape)}, nil
}

// newSortShape derives the shape of keys, or says what is wrong with them.
func newSortShape(s *Schema, keys []SortKey) (*sortShape, string) {
	orders, reason := s.order(keys)
	if reason != "" {
		return nil, reason
	}
	sh := &sortShape{keys: append([]SortKey(nil), keys...), orders: orders}
	sh.reversed = make([]Order, len(orders))
	for i, o := range orders {
		sh.reversed[i] = Order{Field: o.Field, Dir: o.Dir.Reverse()}
	}
	sh.text = sortText(nil, orders)
	sum := sha256.Sum256(sh.text)
	copy(sh.bind[:], sum[:])
	return sh, ""
}

// get returns the shape of keys (the default sort's when keys is nil), or
// says what is wrong with them.
func (c *sortShapes) get(s *Schema, keys []SortKey) (*sortShape, string) {
	if keys == nil {
		return c.def, ""
	}
	h := c.hash(keys)
	c.mu.RLock()
	sh := c.m[h]
	c.mu.RUnlock()
	if sh != nil && sameKeys(sh.keys, keys) {
		return sh, ""
	}
	sh, reason := newSortShape(s, keys)
	if reason != "" {
		return nil, reason
	}
	c.mu.Lock()
	if len(c.m) >= maxSortShapes {
		for k := range c.m {
			delete(c.m, k) // map iteration picks one at random
			break
		}
	}
	c.m[h] = sh
	c.mu.Unlock()
	return sh, ""
}

// hash hashes a sort's keys.
func (c *sortShapes) hash(keys []SortKey) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	for _, k := range keys {
		h.WriteString(k.Field)
		h.WriteByte(byte(k.Dir))
		h.WriteByte(0) // no field name holds a NUL: names cannot run into each other
	}
	return h.Sum64()
}

func sameKeys(a, b []SortKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// sortText appends the sort's part of a binding's text to buf: for each
// order, s, the field's name quoted as Go quotes it, its type and its
// direction. The text must not change between releases without a new
// cursor version: a cursor's binding hashes it.
func sortText(buf []byte, orders []Order) []byte {
	for _, o := range orders {
		buf = append(buf, 's')
		buf = strconv.AppendQuote(buf, o.Field.Name)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, int64(o.Field.Type), 10)
		buf = append(buf, ':')
		buf = strconv.AppendInt(buf, int64(o.Dir), 10)
		buf = append(buf, ';')
	}
	return buf
}

// binding hashes the sort and filters a cursor belongs to. Filters are
// hashed in a canonical order, so reordering query parameters keeps
// cursors valid.
func (sh *sortShape) binding(filters []Condition) [8]byte {
	if len(filters) == 0 {
		return sh.bind
	}
	var fk value.FiltersKey
	for _, c := range filters {
		fk.Add(c.Field.Name, int(c.Op), c.Values)
	}
	var arr [512]byte
	buf := append(arr[:0], sh.text...)
	buf = fk.Append(buf)
	sum := sha256.Sum256(buf)
	var out [8]byte
	copy(out[:], sum[:])
	return out
}
