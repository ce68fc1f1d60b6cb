package paginate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-paginate/paginate"
)

// cursorsOf returns the cursors of the first two pages of p under sort.
func cursorsOf(t *testing.T, p paginate.Paginator[item], sort []paginate.SortKey) []string {
	t.Helper()
	ctx := context.Background()
	first, err := p.Paginate(ctx, paginate.Request{Sort: sort, PerPage: 4})
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.Paginate(ctx, paginate.Request{Sort: sort, PerPage: 4, After: first.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	return []string{first.NextCursor, second.PrevCursor, second.NextCursor}
}

// TestKeysetCursorsAreStable checks that the same page of the same data
// has the same cursors on every request when cursors do not expire, so
// that its body and ETag do not change, however far apart the requests.
func TestKeysetCursorsAreStable(t *testing.T) {
	b := memory(t, numbered(20))
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sort := []paginate.SortKey{{Field: "price", Dir: paginate.Desc}}
	var want []string
	for _, at := range []time.Time{t0, t0.Add(1500 * time.Millisecond), t0.Add(48 * time.Hour)} {
		p := keyset(t, b, paginate.KeysetConfig{Now: func() time.Time { return at }})
		got := cursorsOf(t, p, sort)
		if want == nil {
			want = got
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("at %v, cursor %d is %q; at %v it was %q", at, i, got[i], t0, want[i])
			}
		}
	}
}

// TestKeysetCursorExpiryStep checks that with MaxAge set, cursors issued
// within one step (MaxAge/10) are the same, and that expiry is accurate to
// the step: a cursor is refused no later than MaxAge after it was issued,
// and not before MaxAge minus one step.
func TestKeysetCursorExpiryStep(t *testing.T) {
	b := memory(t, numbered(20))
	const maxAge = 10 * time.Minute // a step of one minute
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *paginate.Keyset[item] {
		return keyset(t, b, paginate.KeysetConfig{MaxAge: maxAge, Now: func() time.Time { return t0.Add(d) }})
	}
	sort := []paginate.SortKey{{Field: "name"}}
	early, late, next := cursorsOf(t, at(0), sort), cursorsOf(t, at(59*time.Second), sort), cursorsOf(t, at(61*time.Second), sort)
	if strings.Join(early, " ") != strings.Join(late, " ") {
		t.Errorf("cursors issued 59 s apart within one step differ:\n%q\n%q", early, late)
	}
	if early[0] == next[0] {
		t.Errorf("cursors issued in the next step are the same: %q", early[0])
	}

	// A cursor issued at 12:00:59 carries 12:00:00.
	issued := cursorsOf(t, at(59*time.Second), sort)[0]
	for _, tc := range []struct {
		now time.Duration // since t0
		ok  bool
	}{
		{maxAge - time.Minute + 59*time.Second, true}, // MaxAge minus one step after it was issued, at the earliest
		{maxAge, true},
		{maxAge + time.Second, false},
		{maxAge + 59*time.Second, false}, // exactly MaxAge after it was issued
	} {
		_, err := at(tc.now).Paginate(context.Background(), paginate.Request{Sort: sort, PerPage: 4, After: issued})
		if tc.ok && err != nil {
			t.Errorf("at t0+%v: %v", tc.now, err)
		}
		if !tc.ok && !errors.Is(err, paginate.ErrInvalidCursor) {
			t.Errorf("at t0+%v: err = %v, want an expired cursor", tc.now, err)
		}
	}
}

// TestKeysetCursorTooLong checks that a page whose cursor would be longer
// than MaxCursorLen fails with an error that says so, instead of handing
// out a cursor the paginator would refuse.
func TestKeysetCursorTooLong(t *testing.T) {
	items := numbered(3)
	for i := range items {
		items[i].Name = strings.Repeat("n", 2000)
	}
	p := keyset(t, memory(t, items), paginate.KeysetConfig{PerPage: 1})
	_, err := p.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "name"}}})
	if err == nil || !strings.Contains(err.Error(), "MaxCursorLen") {
		t.Fatalf("err = %v, want an error naming MaxCursorLen", err)
	}
	long := keyset(t, memory(t, items), paginate.KeysetConfig{PerPage: 1, MaxCursorLen: 4096})
	first, err := long.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "name"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := long.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "name"}}, After: first.NextCursor}); err != nil {
		t.Errorf("its own long cursor: %v", err)
	}
}

// nullKeys is a backend that returns NULL as one row's value of a sort
// field, as a database does when a nullable column is declared without
// Nullable.
type nullKeys struct {
	*paginate.Memory[item]
	row int // the row of each page whose value becomes NULL
}

func (b nullKeys) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[item], error) {
	res, err := b.Memory.Fetch(ctx, q)
	if err == nil && len(res.Keys) > b.row {
		res.Keys[b.row][0] = nil
	}
	return res, err
}

// TestKeysetNullKeyInNonNullField checks that a NULL key value in a field
// that is not Nullable fails the page, whichever row of the page it is in,
// rather than becoming a position the backend would compare past.
func TestKeysetNullKeyInNonNullField(t *testing.T) {
	for _, row := range []int{0, 2, 4} { // first, middle, last of a page of 5
		p := keyset(t, nullKeys{memory(t, numbered(12)), row}, paginate.KeysetConfig{PerPage: 5})
		_, err := p.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "price"}}})
		if err == nil || !strings.Contains(err.Error(), `NULL for field "price"`) {
			t.Errorf("NULL price in row %d: err = %v, want an error naming the field", row, err)
		}
	}
	// In a nullable field, NULL is a position like any other.
	p := keyset(t, nullKeys{memory(t, numbered(12)), 2}, paginate.KeysetConfig{PerPage: 5})
	if _, err := p.Paginate(context.Background(), paginate.Request{Sort: []paginate.SortKey{{Field: "disc"}}}); err != nil {
		t.Errorf("NULL in a nullable field: %v", err)
	}
}

// TestKeysetLastCursorPerStep checks the end cursor a paginator keeps per
// sort: with MaxAge set, one paginator answers with the end cursor a new
// paginator makes at that time, the same within a step and a new one in
// the next step, with filters and without, in the default sort and
// another.
func TestKeysetLastCursorPerStep(t *testing.T) {
	b := memory(t, numbered(20))
	const maxAge = 10 * time.Minute // a step of one minute
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var now time.Duration
	p := keyset(t, b, paginate.KeysetConfig{MaxAge: maxAge, Now: func() time.Time { return t0.Add(now) }})
	reqs := []paginate.Request{
		{},
		{Sort: []paginate.SortKey{{Field: "name", Dir: paginate.Desc}}},
		{Filters: []paginate.Filter{{Field: "price", Op: paginate.Gte, Values: []any{"3"}}}},
	}
	seen := map[string]time.Duration{}
	for _, now = range []time.Duration{0, 30 * time.Second, 59 * time.Second, 61 * time.Second, 5 * time.Minute, 5*time.Minute + 1} {
		fresh := keyset(t, b, paginate.KeysetConfig{MaxAge: maxAge, Now: func() time.Time { return t0.Add(now) }})
		for i, req := range reqs {
			page, err := p.Paginate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.LastCursor(req)
			if err != nil {
				t.Fatal(err)
			}
			if page.LastCursor != want {
				t.Errorf("request %d at t0+%v: LastCursor %q, a new paginator's %q", i, now, page.LastCursor, want)
			}
			if got, err := p.LastCursor(req); err != nil || got != want {
				t.Errorf("request %d at t0+%v: LastCursor(req) = %q, %v; want %q", i, now, got, err, want)
			}
			step := now.Truncate(time.Minute)
			if at, ok := seen[want]; ok && at != step {
				t.Errorf("request %d: the end cursor of step t0+%v came back at t0+%v", i, at, now)
			}
			seen[want] = step
		}
	}
	if len(seen) != 3*len(reqs) {
		t.Errorf("%d distinct end cursors over 3 steps of %d requests, want %d", len(seen), len(reqs), 3*len(reqs))
	}
}
