package structfield

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// find returns the Go selector and JSON key of the field that backs
// name (column column) in T, or the error.
func find[T any](t *testing.T, name, column string) (string, string, error) {
	t.Helper()
	s, err := Of(reflect.TypeFor[T]())
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.Find(name, column)
	if err != nil {
		return "", "", err
	}
	return candidate{Field: f}.path(reflect.TypeFor[T]()), f.JSONKey, nil
}

type match struct{ Path, Key string }

func check[T any](t *testing.T, name, column string, want match) {
	t.Helper()
	path, key, err := find[T](t, name, column)
	if err != nil {
		t.Errorf("%v: %q: %v", reflect.TypeFor[T](), name, err)
		return
	}
	if diff := cmp.Diff(want, match{path, key}); diff != "" {
		t.Errorf("%v: %q (-want +got):\n%s", reflect.TypeFor[T](), name, diff)
	}
}

// Only json tags, as an API's types often have.
type jsonOnly struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at,omitempty"`
	Title     string    `json:"title"`
}

// Only db tags, as sqlx's types have.
type dbOnly struct {
	ID        int64     `db:"id"`
	CreatedAt time.Time `db:"created_at"`
	Title     string    `db:"title"`
}

func TestJSONOnlyAndDBOnlyBothMap(t *testing.T) {
	check[jsonOnly](t, "id", "", match{"ID", "id"})
	check[jsonOnly](t, "created_at", "", match{"CreatedAt", "created_at"})
	check[jsonOnly](t, "title", "", match{"Title", "title"})
	check[dbOnly](t, "id", "", match{"ID", "ID"})
	check[dbOnly](t, "created_at", "", match{"CreatedAt", "CreatedAt"})
	// A declared field whose Column differs from its Name.
	check[dbOnly](t, "created", "created_at", match{"CreatedAt", "CreatedAt"})
	check[dbOnly](t, "title", "b.title", match{"Title", "Title"})
}

type steps struct {
	A string `db:"x"`
	B string `json:"x"`
	X string
	C string `json:"c" db:"cc"`
	D string `db:"author"`
	E string `db:"name"`
}

func TestStepOrder(t *testing.T) {
	check[steps](t, "x", "", match{"A", "A"})               // db tag before json tag and name
	check[steps](t, "c", "", match{"C", "c"})               // json tag
	check[steps](t, "cc", "", match{"C", "c"})              // db tag
	check[steps](t, "author", "a.name", match{"D", "D"})    // a qualified column matches only by name
	check[steps](t, "author_name", "name", match{"E", "E"}) // a plain column matches
}

type Base struct {
	ID        int64 `db:"id"`
	CreatedAt time.Time
}

type Audit struct {
	By string `json:"by"`
}

type hidden struct {
	Secret string `json:"secret"`
}

type embeds struct {
	Base
	*Audit
	hidden
	Title   string `json:"title"`
	ID      int64  `json:"-"`     // excluded: Base.ID backs "id"
	Skipped string `db:"-"`       // excluded
	Named   Audit  `json:"named"` // a named struct field, not promoted
	private string // unexported: backs nothing
}

func TestEmbedded(t *testing.T) {
	_ = embeds{private: "unexported"}
	check[embeds](t, "id", "", match{"Base.ID", "ID"})
	check[embeds](t, "createdat", "", match{"Base.CreatedAt", "CreatedAt"})
	check[embeds](t, "by", "", match{"Audit.By", "by"})
	check[embeds](t, "secret", "", match{"hidden.Secret", "secret"})
	check[embeds](t, "named", "", match{"Named", "named"})
	for _, name := range []string{"skipped", "private", "base", "audit"} {
		if _, _, err := find[embeds](t, name, ""); err == nil {
			t.Errorf("%q found a field", name)
		}
	}
}

type Left struct {
	Name string `db:"name"`
}

type Right struct {
	Name string `db:"name"`
}

type (
	Up   struct{ Note string }
	Down struct{ Note string }
)

type ambiguous struct {
	Left
	Right
	Up
	Down
}

type shadowed struct {
	Left
	Name string `db:"name"`
}

func TestAmbiguity(t *testing.T) {
	for _, name := range []string{"name", "note"} {
		_, _, err := find[ambiguous](t, name, "")
		if err == nil || !strings.Contains(err.Error(), "two fields") {
			t.Errorf("%q: err = %v, want an error naming the two fields", name, err)
		}
	}
	// The shallower field wins, as in encoding/json.
	check[shadowed](t, "name", "", match{"Name", "Name"})
}

type Node struct {
	*Node
	Value int `json:"value"`
}

func TestRecursiveEmbedding(t *testing.T) {
	check[Node](t, "value", "", match{"Value", "value"})
}

func TestValueAndSettable(t *testing.T) {
	s, err := Of(reflect.TypeFor[embeds]())
	if err != nil {
		t.Fatal(err)
	}
	by, err := s.Find("by", "")
	if err != nil {
		t.Fatal(err)
	}
	var e embeds
	if _, ok := by.Value(reflect.ValueOf(e)); ok {
		t.Error("Value through a nil embedded pointer reported a field")
	}
	by.Settable(reflect.ValueOf(&e).Elem()).SetString("me")
	if e.Audit == nil || e.By != "me" {
		t.Fatalf("Settable did not allocate the embedded pointer: %+v", e)
	}
	if v, ok := by.Value(reflect.ValueOf(e)); !ok || v.String() != "me" {
		t.Errorf("Value = %v, %v; want me", v, ok)
	}
}

func TestOfRejectsNonStructs(t *testing.T) {
	for _, typ := range []reflect.Type{nil, reflect.TypeFor[int](), reflect.TypeFor[*dbOnly]()} {
		if _, err := Of(typ); err == nil {
			t.Errorf("Of(%v) accepted it", typ)
		}
	}
}

func TestInterface(t *testing.T) {
	n := 3
	var np *int
	cases := []struct {
		name string
		v    reflect.Value
		want any
	}{
		{"invalid", reflect.Value{}, nil},
		{"nil pointer", reflect.ValueOf(np), nil},
		{"pointer", reflect.ValueOf(&n), 3},
		{"pointer to pointer", reflect.ValueOf(ptrTo(&n)), 3},
		{"value", reflect.ValueOf("x"), "x"},
		{"valuer", reflect.ValueOf(sql.NullString{String: "y", Valid: true}), "y"},
		{"null valuer", reflect.ValueOf(sql.NullInt64{}), nil},
	}
	for _, c := range cases {
		got, err := Interface(c.v)
		if err != nil || got != c.want {
			t.Errorf("%s: Interface = %#v, %v; want %#v", c.name, got, err, c.want)
		}
	}
}

func ptrTo[V any](v V) *V { return &v }
