package relay_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/Masterminds/squirrel"
	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/internal/testdb"
	"github.com/go-paginate/paginate/relay"
	pagesql "github.com/go-paginate/paginate/sql"
)

// letter is a row of the tests' tables: the letters A to E, in id order,
// as in graphql-relay-js's connectionFromArray tests.
type letter struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

var abcde = []string{"A", "B", "C", "D", "E"}

func letterSchema(tb testing.TB) *paginate.Schema {
	tb.Helper()
	s, err := paginate.NewSchema([]paginate.Field{
		{Name: "id", Type: paginate.Int, Key: true, Sortable: true, Ops: []paginate.Op{paginate.Gt, paginate.Lt}},
		{Name: "name", Type: paginate.String, Sortable: true, Ops: []paginate.Op{paginate.Eq, paginate.Ne, paginate.In}},
	}, "id")
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

var testKey = []byte("relay tests: a signing key of at least 32 bytes")

// rowsOf returns the rows of the named letters: A is id 1, E is id 5.
func rowsOf(names []string) []letter {
	rows := make([]letter, 0, len(names))
	for _, n := range names {
		rows = append(rows, letter{ID: int64(n[0]-'A') + 1, Name: n})
	}
	return rows
}

// store builds backends over the letters, one per set of rows.
type store interface {
	backend(t *testing.T, schema *paginate.Schema, names []string) paginate.Backend[letter]
}

// memoryStore builds Memory backends.
type memoryStore struct{}

func (memoryStore) backend(t *testing.T, schema *paginate.Schema, names []string) paginate.Backend[letter] {
	t.Helper()
	m, err := paginate.NewMemory(rowsOf(names), schema, paginate.MemoryConfig[letter]{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sqlStore builds SQL backends, one table per set of rows, kept for the
// test that opened db.
type sqlStore struct {
	owner  *testing.T // the test the tables live as long as
	db     *sqlx.DB
	mu     sync.Mutex
	tables map[string]string // names joined → table
}

func (s *sqlStore) backend(t *testing.T, schema *paginate.Schema, names []string) paginate.Backend[letter] {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.Join(names, "")
	table, ok := s.tables[key]
	if !ok {
		table = testdb.Name("relay_letters")
		s.db.MustExec(`CREATE TABLE ` + table + ` (id BIGINT PRIMARY KEY, name VARCHAR(8) NOT NULL)`)
		testdb.DropTable(s.owner, s.db, table)
		for _, r := range rowsOf(names) {
			s.db.MustExec(s.db.Rebind(`INSERT INTO `+table+` (id, name) VALUES (?, ?)`), r.ID, r.Name)
		}
		s.tables[key] = table
	}
	b, err := pagesql.New[letter](s.db, squirrel.Select().From(table), pagesql.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// onBackends runs f on Memory and on the SQL backend over SQLite,
// PostgreSQL and MariaDB (those two when their DSNs are set).
func onBackends(t *testing.T, f func(t *testing.T, s store)) {
	t.Run("memory", func(t *testing.T) { f(t, memoryStore{}) })
	for _, b := range testdb.Backends {
		t.Run(b.Name, func(t *testing.T) {
			f(t, &sqlStore{owner: t, db: b.Open(t), tables: map[string]string{}})
		})
	}
}

func newKeyset(t *testing.T, b paginate.Backend[letter], schema *paginate.Schema, cfg paginate.KeysetConfig) *paginate.Keyset[letter] {
	t.Helper()
	cfg.Keys = [][]byte{testKey}
	k, err := paginate.NewKeyset(b, schema, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// cursors are the cursors of the five letters' positions, plus "start"
// (before A) and "end" (after E), taken from a connection over all five
// letters and from the paginator's own pages.
type cursors map[string]string

func (c cursors) p(name string) *string {
	s, ok := c[name]
	if !ok {
		panic("no cursor " + name)
	}
	return &s
}

func cursorsOf(t *testing.T, k *paginate.Keyset[letter]) cursors {
	t.Helper()
	ctx := context.Background()
	all, err := relay.Paginate(ctx, k, relay.Args{First: new(5)})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Edges) != 5 {
		t.Fatalf("first: 5 returned %d edges", len(all.Edges))
	}
	c := cursors{}
	for _, e := range all.Edges {
		c[e.Node.Name] = e.Cursor
	}
	// Nothing lies before A: that empty page's next cursor is the start.
	before, err := k.Paginate(ctx, paginate.Request{Before: c["A"]})
	if err != nil {
		t.Fatal(err)
	}
	c["start"], c["end"] = before.NextCursor, before.LastCursor
	if c["start"] == "" || c["end"] == "" {
		t.Fatalf("no start or end cursor in %+v", before)
	}
	return c
}

// relayCase is one case of the connection tests. Where graphql-relay-js's
// connectionFromArray test of the same name expects something else, diff
// says what and why.
type relayCase struct {
	name    string
	args    func(c cursors) relay.Args
	without []string // letters deleted after the cursors were taken
	cfg     paginate.KeysetConfig
	want    []string // the nodes' names
	next    bool     // hasNextPage
	prev    bool     // hasPreviousPage
	errs    []string // the parameters an error names, when one is expected
	errIs   error
	diff    string
}

// relayCases follow graphql-relay-js's connectionFromArray tests
// (src/connection/__tests__/arrayConnection-test.ts), then add ours. Their
// cursors are offsets into the array and their hasPreviousPage (with
// first) and hasNextPage (with last) are always false; ours are keyset
// positions with exact page info.
var relayCases = []relayCase{
	// basic slicing
	{name: "returns all elements without filters", args: func(cursors) relay.Args { return relay.Args{} },
		want: abcde},
	{name: "respects a smaller first", args: func(cursors) relay.Args { return relay.Args{First: new(2)} },
		want: []string{"A", "B"}, next: true},
	{name: "respects an overly large first", args: func(cursors) relay.Args { return relay.Args{First: new(10)} },
		want: abcde},
	{name: "respects a smaller last", args: func(cursors) relay.Args { return relay.Args{Last: new(2)} },
		want: []string{"D", "E"}, prev: true},
	{name: "respects an overly large last", args: func(cursors) relay.Args { return relay.Args{Last: new(10)} },
		want: abcde},

	// pagination
	{name: "respects first and after", args: func(c cursors) relay.Args { return relay.Args{First: new(2), After: c.p("B")} },
		want: []string{"C", "D"}, next: true, prev: true,
		diff: "hasPreviousPage is true: A and B lie at or before after"},
	{name: "respects first and after with long first", args: func(c cursors) relay.Args { return relay.Args{First: new(10), After: c.p("B")} },
		want: []string{"C", "D", "E"}, prev: true,
		diff: "hasPreviousPage is true: A and B lie at or before after"},
	{name: "respects last and before", args: func(c cursors) relay.Args { return relay.Args{Last: new(2), Before: c.p("D")} },
		want: []string{"B", "C"}, prev: true, next: true,
		diff: "hasNextPage is true: D and E lie at or after before"},
	{name: "respects last and before with long last", args: func(c cursors) relay.Args { return relay.Args{Last: new(10), Before: c.p("D")} },
		want: []string{"A", "B", "C"}, next: true,
		diff: "hasNextPage is true: D and E lie at or after before"},
	{name: "respects first and after and before, too few", args: func(c cursors) relay.Args {
		return relay.Args{First: new(2), After: c.p("A"), Before: c.p("E")}
	}, want: []string{"B", "C"}, next: true, prev: true, diff: "hasPreviousPage is true: A lies at after"},
	{name: "respects first and after and before, too many", args: func(c cursors) relay.Args {
		return relay.Args{First: new(4), After: c.p("A"), Before: c.p("E")}
	}, want: []string{"B", "C", "D"}, prev: true, diff: "hasPreviousPage is true: A lies at after"},
	{name: "respects first and after and before, exactly right", args: func(c cursors) relay.Args {
		return relay.Args{First: new(3), After: c.p("A"), Before: c.p("E")}
	}, want: []string{"B", "C", "D"}, prev: true, diff: "hasPreviousPage is true: A lies at after"},
	{name: "respects last and after and before, too few", args: func(c cursors) relay.Args {
		return relay.Args{Last: new(2), After: c.p("A"), Before: c.p("E")}
	}, want: []string{"C", "D"}, prev: true, next: true, diff: "hasNextPage is true: E lies at before"},
	{name: "respects last and after and before, too many", args: func(c cursors) relay.Args {
		return relay.Args{Last: new(4), After: c.p("A"), Before: c.p("E")}
	}, want: []string{"B", "C", "D"}, next: true, diff: "hasNextPage is true: E lies at before"},
	{name: "respects last and after and before, exactly right", args: func(c cursors) relay.Args {
		return relay.Args{Last: new(3), After: c.p("A"), Before: c.p("E")}
	}, want: []string{"B", "C", "D"}, next: true, diff: "hasNextPage is true: E lies at before"},

	// cursor edge cases
	{name: "throws an error if first < 0", args: func(cursors) relay.Args { return relay.Args{First: new(-1)} },
		errs: []string{"first"}, errIs: paginate.ErrInvalidPerPage},
	{name: "throws an error if last < 0", args: func(cursors) relay.Args { return relay.Args{Last: new(-1)} },
		errs: []string{"last"}, errIs: paginate.ErrInvalidPerPage},
	{name: "returns all elements if cursors are invalid", args: func(cursors) relay.Args {
		return relay.Args{After: new("invalid"), Before: new("invalid")}
	}, errs: []string{"after", "before"}, errIs: paginate.ErrInvalidCursor,
		diff: "an invalid cursor is an error naming the argument, not ignored"},
	{name: "returns all elements if cursors are on the outside: before the end", args: func(c cursors) relay.Args {
		return relay.Args{Before: c.p("end")}
	}, want: abcde},
	{name: "returns all elements if cursors are on the outside: after the start", args: func(c cursors) relay.Args {
		return relay.Args{After: c.p("start")}
	}, want: abcde},
	{name: "returns all elements if cursors are on the outside: before the start", args: func(c cursors) relay.Args {
		return relay.Args{Before: c.p("start")}
	}, want: []string{}, diff: "the start is a position: nothing lies before it"},
	{name: "returns all elements if cursors are on the outside: after the end", args: func(c cursors) relay.Args {
		return relay.Args{After: c.p("end")}
	}, want: []string{}, prev: true,
		diff: "the end is a position: nothing lies after it, and every row before it"},
	{name: "returns no elements if cursors cross", args: func(c cursors) relay.Args {
		return relay.Args{Before: c.p("C"), After: c.p("E")}
	}, want: []string{}, prev: true, diff: "hasPreviousPage is true: A to E lie at or before after"},

	// ours
	{name: "crossed cursors with rows after after", args: func(c cursors) relay.Args {
		return relay.Args{After: c.p("D"), Before: c.p("B")}
	}, want: []string{"E"}, prev: true,
		diff: "as ApplyCursorsToEdges says: before's edge is not among the edges after D, so it removes nothing; an array's offsets would give none"},
	{name: "first 0", args: func(cursors) relay.Args { return relay.Args{First: new(0)} },
		want: []string{}, next: true},
	{name: "first 0 after the last edge", args: func(c cursors) relay.Args { return relay.Args{First: new(0), After: c.p("E")} },
		want: []string{}, prev: true},
	{name: "last 0", args: func(cursors) relay.Args { return relay.Args{Last: new(0)} },
		want: []string{}, prev: true},
	{name: "last 0 before the first edge", args: func(c cursors) relay.Args { return relay.Args{Last: new(0), Before: c.p("A")} },
		want: []string{}, next: true},
	{name: "after the last edge", args: func(c cursors) relay.Args { return relay.Args{First: new(2), After: c.p("E")} },
		want: []string{}, prev: true},
	{name: "before the first edge", args: func(c cursors) relay.Args { return relay.Args{Last: new(2), Before: c.p("A")} },
		want: []string{}, next: true},
	{name: "first with before only", args: func(c cursors) relay.Args { return relay.Args{First: new(2), Before: c.p("C")} },
		want: []string{"A", "B"}},
	{name: "first with before only, too many", args: func(c cursors) relay.Args { return relay.Args{First: new(1), Before: c.p("C")} },
		want: []string{"A"}, next: true},
	{name: "last with after only", args: func(c cursors) relay.Args { return relay.Args{Last: new(2), After: c.p("C")} },
		want: []string{"D", "E"}},
	{name: "last with after only, too many", args: func(c cursors) relay.Args { return relay.Args{Last: new(1), After: c.p("C")} },
		want: []string{"E"}, prev: true},
	{name: "adjacent cursors", args: func(c cursors) relay.Args { return relay.Args{First: new(2), After: c.p("B"), Before: c.p("C")} },
		want: []string{}, prev: true},
	{name: "first and last", args: func(cursors) relay.Args { return relay.Args{First: new(2), Last: new(2)} },
		errs: []string{"last"}, errIs: paginate.ErrInvalidPerPage},
	{name: "first above the maximum is clamped", args: func(cursors) relay.Args { return relay.Args{First: new(10)} },
		cfg: paginate.KeysetConfig{MaxPerPage: 3}, want: []string{"A", "B", "C"}, next: true},
	{name: "last above the maximum is clamped", args: func(cursors) relay.Args { return relay.Args{Last: new(10)} },
		cfg: paginate.KeysetConfig{MaxPerPage: 3}, want: []string{"C", "D", "E"}, prev: true},
	{name: "first above the maximum is rejected", args: func(cursors) relay.Args { return relay.Args{First: new(10)} },
		cfg: paginate.KeysetConfig{MaxPerPage: 3, RejectOverMax: true}, errs: []string{"first"}, errIs: paginate.ErrInvalidPerPage},
	{name: "neither first nor last takes the default size", args: func(cursors) relay.Args { return relay.Args{} },
		cfg: paginate.KeysetConfig{PerPage: 2}, want: []string{"A", "B"}, next: true},
	{name: "the after row was deleted", args: func(c cursors) relay.Args { return relay.Args{First: new(2), After: c.p("C")} },
		without: []string{"C"}, want: []string{"D", "E"}, prev: true,
		diff: "after holds a position: the rows after it, though its edge is gone"},
	{name: "the before row was deleted", args: func(c cursors) relay.Args { return relay.Args{Last: new(2), Before: c.p("C")} },
		without: []string{"C"}, want: []string{"A", "B"}, next: true},
	{name: "every row at or before after was deleted", args: func(c cursors) relay.Args { return relay.Args{First: new(2), After: c.p("B")} },
		without: []string{"A", "B"}, want: []string{"C", "D"}, next: true},
	{name: "every row at or after before was deleted", args: func(c cursors) relay.Args { return relay.Args{Last: new(2), Before: c.p("D")} },
		without: []string{"D", "E"}, want: []string{"B", "C"}, prev: true},
	{name: "the far cursor's row was deleted", args: func(c cursors) relay.Args {
		return relay.Args{First: new(5), After: c.p("A"), Before: c.p("D")}
	}, without: []string{"D"}, want: []string{"B", "C", "E"}, prev: true,
		diff: "as ApplyCursorsToEdges says: before's edge is gone, so it removes nothing"},
	{name: "empty", args: func(cursors) relay.Args { return relay.Args{First: new(2)} },
		without: abcde, want: []string{}},
	{name: "empty, last", args: func(cursors) relay.Args { return relay.Args{Last: new(2)} },
		without: abcde, want: []string{}},
	{name: "empty, after a deleted row", args: func(c cursors) relay.Args { return relay.Args{First: new(2), After: c.p("C")} },
		without: abcde, want: []string{}},
	{name: "empty, before a deleted row", args: func(c cursors) relay.Args { return relay.Args{Last: new(2), Before: c.p("C")} },
		without: abcde, want: []string{}},
}

// TestConnectionCases runs relayCases on every backend.
func TestConnectionCases(t *testing.T) {
	onBackends(t, func(t *testing.T, s store) {
		schema := letterSchema(t)
		full := s.backend(t, schema, abcde)
		c := cursorsOf(t, newKeyset(t, full, schema, paginate.KeysetConfig{}))
		for _, tc := range relayCases {
			t.Run(tc.name, func(t *testing.T) {
				b := full
				if tc.without != nil {
					b = s.backend(t, schema, slices.DeleteFunc(slices.Clone(abcde), func(n string) bool { return slices.Contains(tc.without, n) }))
				}
				k := newKeyset(t, b, schema, tc.cfg)
				got, err := relay.Paginate(context.Background(), k, tc.args(c))
				if tc.errs != nil {
					checkError(t, err, tc.errIs, tc.errs...)
					return
				}
				if err != nil {
					t.Fatalf("%v (%s)", err, tc.diff)
				}
				checkConnection(t, got, c, tc.want, tc.next, tc.prev)
			})
		}
	})
}

// checkConnection checks a connection's nodes, page info and cursors:
// each edge's cursor is the cursor of its letter's position, and the
// start and end cursors are the first and last edges'.
func checkConnection(t *testing.T, got relay.Connection[letter], c cursors, want []string, next, prev bool) {
	t.Helper()
	names := make([]string, len(got.Edges))
	for i, e := range got.Edges {
		names[i] = e.Node.Name
		if e.Cursor != c[e.Node.Name] {
			t.Errorf("edge %s has cursor %q, want %q", e.Node.Name, e.Cursor, c[e.Node.Name])
		}
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	if got.PageInfo.HasNextPage != next || got.PageInfo.HasPreviousPage != prev {
		t.Errorf("hasNextPage %v, hasPreviousPage %v; want %v, %v", got.PageInfo.HasNextPage, got.PageInfo.HasPreviousPage, next, prev)
	}
	var start, end *string
	if len(want) > 0 {
		start, end = new(c[want[0]]), new(c[want[len(want)-1]])
	}
	if diff := cmp.Diff(start, got.PageInfo.StartCursor); diff != "" {
		t.Errorf("startCursor (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(end, got.PageInfo.EndCursor); diff != "" {
		t.Errorf("endCursor (-want +got):\n%s", diff)
	}
	if got.Edges == nil {
		t.Error("Edges is nil, want empty")
	}
	if got.TotalCount.Known {
		t.Errorf("TotalCount %+v counted without being asked", got.TotalCount)
	}
}

// checkError checks that err is a *paginate.RequestError naming exactly
// params, each a *paginate.ParamError wrapping sentinel.
func checkError(t *testing.T, err, sentinel error, params ...string) {
	t.Helper()
	var re *paginate.RequestError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want a *paginate.RequestError", err, err)
	}
	var got []string
	for _, p := range re.Params {
		got = append(got, p.Param)
		if !errors.Is(p, sentinel) {
			t.Errorf("parameter %s: %v does not wrap %v", p.Param, p, sentinel)
		}
		if p.Reason == "" {
			t.Errorf("parameter %s has no reason", p.Param)
		}
	}
	if diff := cmp.Diff(params, got); diff != "" {
		t.Errorf("parameters named (-want +got):\n%s\n%v", diff, err)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(%v, %v) is false", err, sentinel)
	}
}

// TestEveryEdgeCursor checks that every edge's cursor works as after and
// as before, on every backend: the edge after it and the edge before it.
func TestEveryEdgeCursor(t *testing.T) {
	onBackends(t, func(t *testing.T, s store) {
		schema := letterSchema(t)
		k := newKeyset(t, s.backend(t, schema, abcde), schema, paginate.KeysetConfig{})
		c := cursorsOf(t, k)
		ctx := context.Background()
		for i, n := range abcde {
			got, err := relay.Paginate(ctx, k, relay.Args{First: new(1), After: c.p(n)})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			if i+1 < len(abcde) {
				want = []string{abcde[i+1]}
			}
			checkNames(t, "first: 1, after: "+n, got, want)
			got, err = relay.Paginate(ctx, k, relay.Args{Last: new(1), Before: c.p(n)})
			if err != nil {
				t.Fatal(err)
			}
			want = nil
			if i > 0 {
				want = []string{abcde[i-1]}
			}
			checkNames(t, "last: 1, before: "+n, got, want)
		}
	})
}

func checkNames(t *testing.T, what string, got relay.Connection[letter], want []string) {
	t.Helper()
	var names []string
	for _, e := range got.Edges {
		names = append(names, e.Node.Name)
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("%s: nodes (-want +got):\n%s", what, diff)
	}
}

// TestWalks walks every row forward by first/after and backward by
// last/before, page sizes 1 to 6, on every backend, under a filter and
// both sort directions: each walk sees every matching row once, in order,
// and the page info agrees with where the walk is.
func TestWalks(t *testing.T) {
	onBackends(t, func(t *testing.T, s store) {
		schema := letterSchema(t)
		k := newKeyset(t, s.backend(t, schema, abcde), schema, paginate.KeysetConfig{})
		ctx := context.Background()
		for _, order := range []struct {
			sort   []paginate.SortKey
			filter []paginate.Filter
			want   []string
		}{
			{nil, nil, abcde},
			{[]paginate.SortKey{{Field: "name", Dir: paginate.Desc}}, nil, []string{"E", "D", "C", "B", "A"}},
			{nil, []paginate.Filter{{Field: "name", Op: paginate.Ne, Values: []any{"C"}}}, []string{"A", "B", "D", "E"}},
		} {
			for size := 1; size <= 6; size++ {
				name := fmt.Sprintf("%v %v by %d", order.sort, order.filter, size)
				fwd := walk(t, ctx, k, relay.Args{First: new(size), Sort: order.sort, Filters: order.filter}, false)
				if diff := cmp.Diff(order.want, fwd); diff != "" {
					t.Errorf("%s forward (-want +got):\n%s", name, diff)
				}
				back := walk(t, ctx, k, relay.Args{Last: new(size), Sort: order.sort, Filters: order.filter}, true)
				if diff := cmp.Diff(order.want, back); diff != "" {
					t.Errorf("%s backward (-want +got):\n%s", name, diff)
				}
			}
		}
	})
}

// walk follows a connection to its end and returns the names seen, in
// order. It checks that hasPreviousPage (forward; hasNextPage backward)
// is false on the first page and true on the others.
func walk(t *testing.T, ctx context.Context, k *paginate.Keyset[letter], args relay.Args, backward bool) []string {
	t.Helper()
	var seen []string
	for page := 0; page < 10; page++ {
		c, err := relay.Paginate(ctx, k, args)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range c.Edges {
			names = append(names, e.Node.Name)
		}
		behind, more, cur := c.PageInfo.HasPreviousPage, c.PageInfo.HasNextPage, c.PageInfo.EndCursor
		if backward {
			behind, more, cur = c.PageInfo.HasNextPage, c.PageInfo.HasPreviousPage, c.PageInfo.StartCursor
			seen = append(names, seen...)
			args.Before = cur
		} else {
			seen = append(seen, names...)
			args.After = cur
		}
		if behind != (page > 0) {
			t.Errorf("page %d: the page info says rows lie behind it: %v", page, behind)
		}
		if !more {
			return seen
		}
	}
	t.Fatal("the walk did not end")
	return nil
}
