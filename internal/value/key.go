package value

import (
	"fmt"
	"slices"
	"strings"
)

// FiltersKey builds the canonical text of a set of filters, for the keys
// of caches and the binding of cursors: two sets have the same text
// exactly when they hold the same filters on the same typed values, in any
// order. Its zero value is an empty set.
//
// The text must not change between releases without a new cursor version:
// a cursor's binding hashes it.
type FiltersKey struct {
	parts []string
}

// Add adds one filter: a field name, an operator number and its values.
func (k *FiltersKey) Add(field string, op int, values []any) {
	var b strings.Builder
	fmt.Fprintf(&b, "f%q:%d:", field, op)
	for _, v := range values {
		fmt.Fprintf(&b, "%T=%#v,", v, v)
	}
	k.parts = append(k.parts, b.String())
}

// String returns the canonical text of the filters added.
func (k *FiltersKey) String() string {
	return string(k.Append(nil))
}

// Append appends the canonical text of the filters added to buf.
func (k *FiltersKey) Append(buf []byte) []byte {
	parts := slices.Clone(k.parts)
	slices.Sort(parts)
	for _, p := range parts {
		buf = append(buf, p...)
		buf = append(buf, ';')
	}
	return buf
}
