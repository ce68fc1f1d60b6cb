package value

import (
	"testing"
	"time"
)

func TestMapKey(t *testing.T) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	same := []struct {
		k    Kind
		a, b any
	}{
		{Bytes, []byte{1, 2}, []byte{1, 2}},
		{Decimal, "12.5", "12.50"},
		{Decimal, "-0.0", "0"},
		{Time, at, at.In(time.FixedZone("x", 3600))},
		{Int, int64(3), int64(3)},
		{String, "a", "a"},
	}
	for _, c := range same {
		if MapKey(c.k, c.a) != MapKey(c.k, c.b) {
			t.Errorf("%s: %v and %v have different keys", c.k, c.a, c.b)
		}
	}
	differ := []struct {
		k    Kind
		a, b any
	}{
		{Bytes, []byte{1, 2}, []byte{1, 2, 0}},
		{String, "12.5", "12.50"},
		{Decimal, "12.5", "12.51"},
		{Time, at, at.Add(time.Nanosecond)},
		{Bytes, []byte("a"), "a"},
	}
	for _, c := range differ {
		if MapKey(c.k, c.a) == MapKey(c.k, c.b) {
			t.Errorf("%s: %v and %v have the same key", c.k, c.a, c.b)
		}
	}
}
