package value

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// FiltersKey builds the canonical text of a set of filters, for the keys
// of caches and the binding of cursors: two sets have the same text
// exactly when they hold the same filters on the same typed values, in any
// order. Its zero value is an empty set.
//
// The text must not change between releases without a new cursor version:
// a cursor's binding hashes it. Each filter's text is
// fmt.Sprintf("f%q:%d:", field, op) followed by fmt.Sprintf("%T=%#v,", v, v)
// for each value; the canonical kinds are written without fmt, to the
// same text (a test holds the two equal).
type FiltersKey struct {
	text  []byte
	parts []span // each filter's text in text, in the order added
}

// span is one filter's text: text[start:end].
type span struct{ start, end int }

// Add adds one filter: a field name, an operator number and its values.
func (k *FiltersKey) Add(field string, op int, values []any) {
	start := len(k.text)
	k.text = append(k.text, 'f')
	k.text = strconv.AppendQuote(k.text, field)
	k.text = append(k.text, ':')
	k.text = strconv.AppendInt(k.text, int64(op), 10)
	k.text = append(k.text, ':')
	for _, v := range values {
		k.text = appendValue(k.text, v)
		k.text = append(k.text, ',')
	}
	k.parts = append(k.parts, span{start, len(k.text)})
}

// appendValue appends fmt's "%T=%#v" of v to buf.
func appendValue(buf []byte, v any) []byte {
	switch v := v.(type) {
	case string:
		buf = append(buf, "string="...)
		return strconv.AppendQuote(buf, v)
	case int64:
		buf = append(buf, "int64="...)
		return strconv.AppendInt(buf, v, 10)
	case float64:
		buf = append(buf, "float64="...)
		return strconv.AppendFloat(buf, v, 'g', -1, 64)
	case bool:
		buf = append(buf, "bool="...)
		return strconv.AppendBool(buf, v)
	case time.Time:
		buf = append(buf, "time.Time="...)
		return append(buf, v.GoString()...)
	}
	return fmt.Appendf(buf, "%T=%#v", v, v)
}

// String returns the canonical text of the filters added.
func (k *FiltersKey) String() string {
	return string(k.Append(nil))
}

// Append appends the canonical text of the filters added to buf: each
// filter's text and a ';', in the order of their texts.
func (k *FiltersKey) Append(buf []byte) []byte {
	parts := slices.Clone(k.parts)
	slices.SortFunc(parts, func(a, b span) int {
		return bytes.Compare(k.text[a.start:a.end], k.text[b.start:b.end])
	})
	for _, p := range parts {
		buf = append(buf, k.text[p.start:p.end]...)
		buf = append(buf, ';')
	}
	return buf
}
