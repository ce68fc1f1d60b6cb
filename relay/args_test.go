package relay_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/relay"
)

// TestBadCursors checks that malformed, forged, foreign, too long and
// expired cursors are errors naming the argument and wrapping
// paginate.ErrInvalidCursor, in either place and either direction.
func TestBadCursors(t *testing.T) {
	schema := letterSchema(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	b := memoryStore{}.backend(t, schema, abcde)
	k := newKeyset(t, b, schema, paginate.KeysetConfig{MaxAge: time.Hour, Now: clock})
	ctx := context.Background()
	good, err := relay.Paginate(ctx, k, relay.Args{First: new(2)})
	if err != nil {
		t.Fatal(err)
	}
	cur := good.Edges[1].Cursor

	byName, err := relay.Paginate(ctx, k, relay.Args{First: new(2), Sort: []paginate.SortKey{{Field: "name"}}})
	if err != nil {
		t.Fatal(err)
	}
	filtered, err := relay.Paginate(ctx, k, relay.Args{First: new(2), Filters: []paginate.Filter{{Field: "name", Op: paginate.Ne, Values: []any{"E"}}}})
	if err != nil {
		t.Fatal(err)
	}
	otherKey := newKeysetWithKey(t, b, schema, []byte("another key of at least thirty-two bytes"))
	forged, err := relay.Paginate(ctx, otherKey, relay.Args{First: new(2)})
	if err != nil {
		t.Fatal(err)
	}
	tampered := []byte(cur)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == '-' || tampered[len(tampered)/2] == '_' {
		tampered[len(tampered)/2] = 'A'
	}

	later := newKeyset(t, b, schema, paginate.KeysetConfig{MaxAge: time.Hour, Now: func() time.Time { return now.Add(2 * time.Hour) }})
	for _, tc := range []struct {
		name string
		k    *paginate.Keyset[letter]
		cur  string
		args relay.Args // the other arguments
	}{
		{"malformed", k, "not a cursor", relay.Args{}},
		{"tampered", k, string(tampered), relay.Args{}},
		{"signed with another key", k, forged.Edges[0].Cursor, relay.Args{}},
		{"made for another sort", k, byName.Edges[0].Cursor, relay.Args{}},
		{"made for other filters", k, filtered.Edges[0].Cursor, relay.Args{}},
		{"made without the filters", k, cur, relay.Args{Filters: []paginate.Filter{{Field: "name", Op: paginate.Ne, Values: []any{"E"}}}}},
		{"too long", k, strings.Repeat("A", 2000), relay.Args{}},
		{"expired", later, cur, relay.Args{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, param := range []string{"after", "before"} {
				for _, last := range []bool{false, true} {
					args := tc.args
					if last {
						args.Last = new(2)
					} else {
						args.First = new(2)
					}
					if param == "after" {
						args.After = new(tc.cur)
					} else {
						args.Before = new(tc.cur)
					}
					_, err := relay.Paginate(ctx, tc.k, args)
					checkError(t, err, paginate.ErrInvalidCursor, param)
				}
			}
		})
	}
	// The same cursor within its MaxAge works.
	if _, err := relay.Paginate(ctx, k, relay.Args{First: new(2), After: &cur}); err != nil {
		t.Errorf("a fresh cursor: %v", err)
	}
}

func newKeysetWithKey(t *testing.T, b paginate.Backend[letter], schema *paginate.Schema, key []byte) *paginate.Keyset[letter] {
	t.Helper()
	k, err := paginate.NewKeyset(b, schema, paginate.KeysetConfig{Keys: [][]byte{key}})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestArgumentErrors checks that every problem is named at once, and
// that the size arguments are checked before the others.
func TestArgumentErrors(t *testing.T) {
	schema := letterSchema(t)
	k := newKeyset(t, memoryStore{}.backend(t, schema, abcde), schema, paginate.KeysetConfig{MaxPerPage: 3, RejectOverMax: true})
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		args   relay.Args
		params []string
		is     error
	}{
		{"first and last, both negative", relay.Args{First: new(-1), Last: new(-2)}, []string{"first", "last"}, paginate.ErrInvalidPerPage},
		{"last over the maximum", relay.Args{Last: new(4)}, []string{"last"}, paginate.ErrInvalidPerPage},
		{"sizes before cursors", relay.Args{First: new(-1), After: new("bad")}, []string{"first"}, paginate.ErrInvalidPerPage},
		{"both cursors", relay.Args{First: new(1), After: new("bad"), Before: new("bad")}, []string{"after", "before"}, paginate.ErrInvalidCursor},
		{"sort", relay.Args{Sort: []paginate.SortKey{{Field: "nope"}}}, []string{"sort"}, paginate.ErrInvalidSort},
		{"filter", relay.Args{Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{"x"}}}}, []string{"id[gt]"}, paginate.ErrInvalidFilter},
		{"fields", relay.Args{Fields: []string{"nope"}}, []string{"fields"}, paginate.ErrInvalidField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := relay.Paginate(ctx, k, tc.args)
			checkError(t, err, tc.is, tc.params...)
		})
	}
	if _, err := relay.Paginate[letter](ctx, nil, relay.Args{}); err == nil {
		t.Error("a nil paginator: no error")
	}
}

// TestEmptyCursorIsAbsent checks that an empty cursor argument is taken
// as not given, as an empty query parameter is.
func TestEmptyCursorIsAbsent(t *testing.T) {
	schema := letterSchema(t)
	k := newKeyset(t, memoryStore{}.backend(t, schema, abcde), schema, paginate.KeysetConfig{})
	got, err := relay.Paginate(context.Background(), k, relay.Args{First: new(2), After: new(""), Before: new("")})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, `after: ""`, got, []string{"A", "B"})
}

// TestTotalCount checks that the total is counted only when asked, with
// the strategy asked for, under the filters, on every backend.
func TestTotalCount(t *testing.T) {
	onBackends(t, func(t *testing.T, s store) {
		schema := letterSchema(t)
		k := newKeyset(t, s.backend(t, schema, abcde), schema, paginate.KeysetConfig{})
		ctx := context.Background()
		notC := []paginate.Filter{{Field: "name", Op: paginate.Ne, Values: []any{"C"}}}
		for _, tc := range []struct {
			name  string
			args  relay.Args
			total paginate.Total
		}{
			{"not asked", relay.Args{First: new(2)}, paginate.Total{}},
			{"exact", relay.Args{First: new(2), Count: paginate.ExactCount{}}, paginate.Total{N: 5, Known: true}},
			{"exact, filtered", relay.Args{Last: new(1), Filters: notC, Count: paginate.ExactCount{}}, paginate.Total{N: 4, Known: true}},
			{"capped", relay.Args{First: new(1), Count: paginate.CappedCount{Max: 3}}, paginate.Total{N: 3, Known: true, Capped: true}},
			{"none", relay.Args{First: new(1), Count: paginate.NoCount{}}, paginate.Total{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c, err := relay.Paginate(ctx, k, tc.args)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.total, c.TotalCount); diff != "" {
					t.Errorf("TotalCount (-want +got):\n%s", diff)
				}
			})
		}
		if _, err := relay.Paginate(ctx, k, relay.Args{Count: paginate.CappedCount{Max: -1}}); err == nil {
			t.Error("a CappedCount with a negative Max: no error")
		}
	})
}

// TestFields checks that only the fields asked for are filled in.
func TestFields(t *testing.T) {
	onBackends(t, func(t *testing.T, s store) {
		schema := letterSchema(t)
		k := newKeyset(t, s.backend(t, schema, abcde), schema, paginate.KeysetConfig{})
		c, err := relay.Paginate(context.Background(), k, relay.Args{Last: new(2), Fields: []string{"name"}})
		if err != nil {
			t.Fatal(err)
		}
		var got []letter
		for _, e := range c.Edges {
			got = append(got, e.Node)
		}
		if diff := cmp.Diff([]letter{{Name: "D"}, {Name: "E"}}, got); diff != "" {
			t.Errorf("nodes (-want +got):\n%s", diff)
		}
	})
}

// TestPageCursorsInterchange checks that the paginator's page cursors
// work as relay's after and before, and edge cursors in its Paginate.
func TestPageCursorsInterchange(t *testing.T) {
	schema := letterSchema(t)
	k := newKeyset(t, memoryStore{}.backend(t, schema, abcde), schema, paginate.KeysetConfig{})
	ctx := context.Background()
	page, err := k.Paginate(ctx, paginate.Request{PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	c, err := relay.Paginate(ctx, k, relay.Args{First: new(2), After: &page.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "after a page's next cursor", c, []string{"C", "D"})
	c, err = relay.Paginate(ctx, k, relay.Args{Last: new(1), Before: &page.LastCursor})
	if err != nil {
		t.Fatal(err)
	}
	checkNames(t, "before a page's last cursor", c, []string{"E"})
	back, err := k.Paginate(ctx, paginate.Request{PerPage: 5, Before: *c.PageInfo.StartCursor})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, it := range back.Items {
		names = append(names, it.Name)
	}
	if diff := cmp.Diff([]string{"A", "B", "C", "D"}, names); diff != "" {
		t.Errorf("Paginate before an edge's cursor (-want +got):\n%s", diff)
	}
}
