package paginatetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-paginate/paginate"
)

// testDeleted stores the dataset without some of its rows in a second
// data source and uses cursors from the full one there, as a client does
// whose rows are deleted while it pages: its pages must hold exactly the
// remaining rows after (or before) the position, and a position past the
// last row (or before the first) gives an empty page that can turn back.
func (s *suite) testDeleted(t tester, full *fixture) {
	byID := slices.Clone(full.rows)
	slices.SortFunc(byID, func(a, b Row) int { return cmp.Compare(a.ID, b.ID) })
	n := len(byID)
	gone := map[int64]bool{}
	for _, i := range []int{0, 1, 2, 20, 21, n - 3, n - 2, n - 1} {
		gone[byID[i].ID] = true
	}
	var kept []Row
	for _, r := range full.rows {
		if !gone[r.ID] {
			kept = append(kept, r)
		}
	}
	fx := s.load(t, kept)
	if fx == nil {
		return
	}
	memKeyset, err := newKeyset(fx.mem, s.schema, paginate.KeysetConfig{})
	if err != nil {
		t.Fatalf("reference: %v", err)
		return
	}
	refB, err := fx.reference(spec{sort: mustSort("id")})
	if err != nil {
		t.Fatalf("%v", err)
		return
	}

	// cursorAt returns the full data source's cursor at the row with index
	// i in id order: the NextCursor of a page that ends there.
	cursorAt := func(t tester, i int) string {
		t.Helper()
		pg, err := full.keyset.Paginate(s.ctx, paginate.Request{Sort: mustSort("id"), PerPage: i + 1})
		if err != nil || pg.NextCursor == "" {
			t.Fatalf("cursor at row %d of the full data source: %v (next cursor %q)", i, err, pg.NextCursor)
		}
		return pg.NextCursor
	}
	step := func(t tester, what string, req paginate.Request, want view) (paginate.Page[Row], bool) {
		t.Helper()
		pg, err := fx.keyset.Paginate(s.ctx, req)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return pg, false
		}
		if d := pageDiff(want, pg); d != "" {
			t.Errorf("%s: %s", what, d)
			return pg, false
		}
		return pg, true
	}

	t.run("PastTheEnd", func(t tester) {
		for _, i := range []int{n - 4, n - 2} {
			what := fmt.Sprintf("sort=id after the row %d of %d (%s), whose successors are deleted", i+1, n, map[bool]string{true: "deleted", false: "kept"}[gone[byID[i].ID]])
			pg, ok := step(t, what, paginate.Request{Sort: mustSort("id"), PerPage: 4, After: cursorAt(t, i)},
				view{PerPage: 4, HasPrev: true, HasPrevCursor: true})
			if !ok {
				continue
			}
			step(t, what+", then back", paginate.Request{Sort: mustSort("id"), PerPage: 4, Before: pg.PrevCursor},
				view{Items: refB[len(refB)-4:], PerPage: 4, HasPrev: true, HasPrevCursor: true})
		}
	})
	t.run("BeforeTheStart", func(t tester) {
		for _, i := range []int{3, 1} {
			what := fmt.Sprintf("sort=id before the row %d of %d, whose predecessors are deleted", i+1, n)
			// The PrevCursor of the page that starts at row i.
			first, err := full.keyset.Paginate(s.ctx, paginate.Request{Sort: mustSort("id"), PerPage: i})
			if err != nil {
				t.Fatalf("%v", err)
				return
			}
			second, err := full.keyset.Paginate(s.ctx, paginate.Request{Sort: mustSort("id"), PerPage: i, After: first.NextCursor})
			if err != nil || second.PrevCursor == "" {
				t.Fatalf("second page of the full data source: %v", err)
				return
			}
			pg, ok := step(t, what, paginate.Request{Sort: mustSort("id"), PerPage: 4, Before: second.PrevCursor},
				view{PerPage: 4, HasNext: true, HasNextCursor: true})
			if !ok {
				continue
			}
			step(t, what+", then forward", paginate.Request{Sort: mustSort("id"), PerPage: 4, After: pg.NextCursor},
				view{Items: refB[:4], PerPage: 4, HasNext: true, HasNextCursor: true})
		}
	})

	// Every cursor of full walks, used both ways on the reduced rows,
	// against the reference over the same rows.
	for _, v := range []string{"id", "-score,name", "created_at,-id", "-note,-price"} {
		t.run("sort="+v, func(t tester) {
			sp := spec{sort: mustSort(v), perPage: 4}
			cursors, err := harvest(s.ctx, full.keyset, sp.request())
			if err != nil {
				t.Fatalf("walking the full data source, %s: %v", sp, err)
				return
			}
			failures := 0
			for i, c := range cursors {
				for _, before := range []bool{false, true} {
					req := sp.request()
					dir := "after"
					if before {
						req.Before, dir = c, "before"
					} else {
						req.After = c
					}
					if err := sameKeysetPage(s.ctx, memKeyset, fx.keyset, req); err != nil {
						t.Errorf("%s, %s cursor %d of the full walk: %v", sp, dir, i+1, err)
						failures++
					}
				}
				if failures > 3 {
					t.Errorf("%s: giving up after %d failures", sp, failures)
					return
				}
			}
		})
	}
}

// harvest walks p forward from req and returns every cursor the pages
// carry.
func harvest(ctx context.Context, p *paginate.Keyset[Row], req paginate.Request) ([]string, error) {
	var out []string
	for range maxPerPage {
		pg, err := p.Paginate(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, c := range []string{pg.PrevCursor, pg.NextCursor} {
			if c != "" {
				out = append(out, c)
			}
		}
		if !pg.HasNext {
			return out, nil
		}
		req.After = pg.NextCursor
	}
	return nil, errors.New("walk does not end")
}

// sameKeysetPage asks want and got for req and compares the pages; an
// empty page's cursor is followed one step further on both.
func sameKeysetPage(ctx context.Context, want, got *paginate.Keyset[Row], req paginate.Request) error {
	for step := 0; step < 2; step++ {
		w, err := want.Paginate(ctx, req)
		if err != nil {
			return fmt.Errorf("reference: %w", err)
		}
		g, err := got.Paginate(ctx, req)
		if err != nil {
			return err
		}
		if d := pageDiff(viewOf(w), g); d != "" {
			if step > 0 {
				return fmt.Errorf("the page after an empty page: %s", d)
			}
			return errors.New(d)
		}
		if len(g.Items) > 0 {
			return nil
		}
		switch {
		case g.NextCursor != "":
			req.After, req.Before = g.NextCursor, ""
		case g.PrevCursor != "":
			req.After, req.Before = "", g.PrevCursor
		default:
			return nil
		}
	}
	return nil
}

// testBadCursors checks that cursors a paginator did not issue for the
// request fail with ErrInvalidCursor before any query reaches the backend.
func (s *suite) testBadCursors(t tester, fx *fixture) {
	filters := []paginate.Filter{
		{Field: "category", Op: paginate.In, Values: []any{"alpha", "beta", "gamma"}},
		{Field: "price", Op: paginate.Lt, Values: []any{1e300}},
	}
	sp := spec{sort: mustSort("-score,name"), filters: filters, perPage: 4}
	first, err := fx.keyset.Paginate(s.ctx, sp.request())
	if err != nil || first.NextCursor == "" {
		t.Fatalf("first page %s: %v (next cursor %q)", sp, err, first.NextCursor)
		return
	}
	good := first.NextCursor
	req := sp.request()
	req.After = good
	second, err := fx.keyset.Paginate(s.ctx, req)
	if err != nil || second.PrevCursor == "" {
		t.Fatalf("second page %s: %v", sp, err)
		return
	}
	// Filters in another order are the same filters.
	req.Filters = []paginate.Filter{filters[1], filters[0]}
	if _, err := fx.keyset.Paginate(s.ctx, req); err != nil {
		t.Errorf("%s with its filters reordered: %v; want the cursor accepted", sp, err)
	}

	other, err := newKeyset(fx.backend, s.schema, paginate.KeysetConfig{Keys: [][]byte{otherKey}})
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	foreign, err := other.Paginate(s.ctx, sp.request())
	if err != nil {
		t.Fatalf("%v", err)
		return
	}

	counted := &countingBackend{b: fx.backend}
	p, err := newKeyset(counted, s.schema, paginate.KeysetConfig{})
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	aged, err := newKeyset(counted, s.schema, paginate.KeysetConfig{MaxAge: time.Hour, Now: func() time.Time { return now.Add(2 * time.Hour) }})
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	offset, err := paginate.NewOffset[Row](counted, s.schema, paginate.OffsetConfig{})
	if err != nil {
		t.Fatalf("%v", err)
		return
	}

	flip := func(c string, i int) string {
		b := []byte(c)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	withSort := func(v string) func(*paginate.Request) {
		return func(r *paginate.Request) { r.Sort = mustSort(v) }
	}
	withFilters := func(fs ...paginate.Filter) func(*paginate.Request) {
		return func(r *paginate.Request) { r.Filters = fs }
	}
	cases := []struct {
		name   string
		p      paginate.Paginator[Row]
		after  string
		before string
		change func(*paginate.Request)
	}{
		{name: "forged first byte", after: flip(good, 0)},
		{name: "forged middle byte", after: flip(good, len(good)/2)},
		{name: "forged signature", after: flip(good, len(good)-1)},
		{name: "forged before", before: flip(second.PrevCursor, len(second.PrevCursor)/3)},
		{name: "truncated by one", after: good[:len(good)-1]},
		{name: "truncated by half", after: good[:len(good)/2]},
		{name: "truncated to one byte", after: good[:1]},
		{name: "extended", after: good + "AAAA"},
		{name: "padded", after: good + "=="},
		{name: "not base64", after: "not a cursor!"},
		{name: "too long", after: strings.Repeat("A", 4096)},
		{name: "other key", after: foreign.NextCursor},
		{name: "expired", p: aged, after: good},
		{name: "other sort", after: good, change: withSort("score,name")},
		{name: "other direction", after: good, change: withSort("-score,-name")},
		{name: "shorter sort", after: good, change: withSort("-score")},
		{name: "other field", after: good, change: withSort("-price,name")},
		{name: "default sort", after: good, change: func(r *paginate.Request) { r.Sort = nil }},
		{name: "no filters", after: good, change: withFilters()},
		{name: "fewer filters", after: good, change: withFilters(filters[0])},
		{name: "other filter value", after: good, change: withFilters(filters[0], paginate.Filter{Field: "price", Op: paginate.Lt, Values: []any{1e299}})},
		{name: "other filter operator", after: good, change: withFilters(filters[0], paginate.Filter{Field: "price", Op: paginate.Lte, Values: []any{1e300}})},
		{name: "after and before", after: good, before: second.PrevCursor},
		{name: "cursor on offset pages", p: offset, after: good},
	}
	for _, c := range cases {
		t.run(strings.ReplaceAll(c.name, " ", "_"), func(t tester) {
			r := sp.request()
			r.After, r.Before = c.after, c.before
			if c.change != nil {
				c.change(&r)
			}
			pp := c.p
			if pp == nil {
				pp = p
			}
			before := counted.calls.Load()
			_, err := pp.Paginate(s.ctx, r)
			if err := wantInvalidCursor(err); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			if n := counted.calls.Load() - before; n != 0 {
				t.Errorf("%s: the backend was called %d times; a bad cursor must fail before any query", c.name, n)
			}
		})
	}
}

// testContext checks that a cancelled context's error comes back.
func (s *suite) testContext(t tester, fx *fixture) {
	ctx, cancel := context.WithCancel(s.ctx)
	cancel()
	sp := spec{sort: mustSort("-score,name"), perPage: 4}
	if _, err := fx.offset.Paginate(ctx, sp.request()); !isErr(err, context.Canceled) {
		t.Errorf("offset %s with a cancelled context: got error %v, want context.Canceled", sp, err)
	}
	if _, err := fx.keyset.Paginate(ctx, sp.request()); !isErr(err, context.Canceled) {
		t.Errorf("keyset %s with a cancelled context: got error %v, want context.Canceled", sp, err)
	}
}
