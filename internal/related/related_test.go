package related

import (
	"reflect"
	"strings"
	"testing"
)

type row struct{ N int }

type item struct {
	One     *row
	Many    []row
	Ptrs    []*row `json:"ptrs"`
	Value   row
	Numbers []int
}

func TestFind(t *testing.T) {
	it := reflect.TypeFor[item]()
	for _, c := range []struct {
		name string
		many bool
		want string // "" for none
	}{
		{"one", false, ""},
		{"many", true, ""},
		{"ptrs", true, ""},
		{"value", false, "must be a pointer to a struct"},
		{"one", true, "must be a slice of structs"},
		{"many", false, "must be a pointer to a struct"},
		{"numbers", true, "must be a slice of structs"},
		{"missing", false, "has no field"},
	} {
		h, err := Find(it, c.name, c.many)
		switch {
		case c.want == "" && (err != nil || h.Elem != reflect.TypeFor[row]()):
			t.Errorf("Find(%q, %v) = %v, %v", c.name, c.many, h.Elem, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("Find(%q, %v): error %v, want one containing %q", c.name, c.many, err, c.want)
		}
	}
}

func TestSet(t *testing.T) {
	var it item
	v := reflect.ValueOf(&it).Elem()
	one, _ := Find(v.Type(), "one", false)
	many, _ := Find(v.Type(), "many", true)
	ptrs, _ := Find(v.Type(), "ptrs", true)
	rows := reflect.ValueOf([]row{{1}, {2}})

	one.SetOne(v, rows.Index(1))
	many.SetMany(v, rows)
	ptrs.SetMany(v, rows)
	if it.One == nil || it.One.N != 2 || len(it.Many) != 2 || it.Many[1].N != 2 || len(it.Ptrs) != 2 || it.Ptrs[0].N != 1 {
		t.Fatalf("set: %+v", it)
	}
	rows.Index(1).Set(reflect.ValueOf(row{9}))
	if it.One.N != 2 {
		t.Error("SetOne stored the row itself, not a copy")
	}

	one.SetOne(v, reflect.Value{})
	many.SetMany(v, reflect.Value{})
	ptrs.SetMany(v, reflect.ValueOf([]row{}))
	if it.One != nil || it.Many == nil || len(it.Many) != 0 || it.Ptrs == nil || len(it.Ptrs) != 0 {
		t.Errorf("none: %+v; want a nil row and empty, non-nil slices", it)
	}
}
