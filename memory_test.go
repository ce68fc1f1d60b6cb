package paginate_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// TestMemoryStructFields checks that Memory finds struct fields by the
// documented rule: a struct with only json tags, one with only db tags,
// and one with embedded structs, Go names and a Valuer all map.
func TestMemoryStructFields(t *testing.T) {
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true},
		{Name: "created", Column: "created_at", Type: paginate.Time, Sortable: true},
		{Name: "title", Type: paginate.String, Sortable: true, Nullable: true},
	}, "-created")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	want := []int64{3, 2, 1}

	type jsonOnly struct {
		ID        int64     `json:"id"`
		CreatedAt time.Time `json:"created"`
		Title     *string   `json:"title,omitempty"`
	}
	type dbOnly struct {
		ID        int64          `db:"id"`
		CreatedAt time.Time      `db:"created_at"`
		Title     sql.NullString `db:"title"`
	}
	type Base struct {
		ID      int64
		Created time.Time
	}
	type embedded struct {
		Base
		Title string
	}
	title := "x"
	check := func(name string, got []int64, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	check(walkIDs(t, s, []jsonOnly{{1, t0, nil}, {2, t0.Add(1), &title}, {3, t0.Add(2), nil}}, func(r jsonOnly) int64 { return r.ID }))
	check(walkIDs(t, s, []dbOnly{{1, t0, sql.NullString{}}, {2, t0.Add(1), sql.NullString{String: "x", Valid: true}}, {3, t0.Add(2), sql.NullString{}}}, func(r dbOnly) int64 { return r.ID }))
	check(walkIDs(t, s, []embedded{{Base{1, t0}, "a"}, {Base{2, t0.Add(1)}, "b"}, {Base{3, t0.Add(2)}, "c"}}, func(r embedded) int64 { return r.ID }))

	// Sparse fields: the others come back as zero values, also through
	// an embedded struct.
	m, err := paginate.NewMemory([]embedded{{Base{1, t0}, "a"}}, s, paginate.MemoryConfig[embedded]{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Fetch(context.Background(), paginate.Query{Fields: []paginate.Field{mustField(t, s, "created")}, Sort: []paginate.Order{{Field: s.Key()}}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]embedded{{Base: Base{Created: t0}}}, res.Items); diff != "" {
		t.Errorf("sparse item (-want +got):\n%s", diff)
	}

	type missing struct{ ID int64 }
	if _, err := paginate.NewMemory([]missing{}, s, paginate.MemoryConfig[missing]{}); err == nil {
		t.Error("NewMemory accepted a struct with no field for created")
	}
}

func mustField(t *testing.T, s *paginate.Schema, name string) paginate.Field {
	t.Helper()
	f, ok := s.Field(name)
	if !ok {
		t.Fatalf("no field %q", name)
	}
	return f
}

// walkIDs walks Memory over rows in the schema's default order.
func walkIDs[T any](t *testing.T, s *paginate.Schema, rows []T, id func(T) int64) (string, []int64, error) {
	t.Helper()
	name := fmt.Sprintf("rows of %T", *new(T))
	m, err := paginate.NewMemory(rows, s, paginate.MemoryConfig[T]{})
	if err != nil {
		return name, nil, err
	}
	p, err := paginate.NewKeyset(m, s, paginate.KeysetConfig{Keys: [][]byte{testKey}, PerPage: 2})
	if err != nil {
		return name, nil, err
	}
	var got []int64
	for it, err := range paginate.Walk(context.Background(), p, paginate.Request{}) {
		if err != nil {
			return name, nil, err
		}
		got = append(got, id(it))
	}
	return name, got, nil
}
