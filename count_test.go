package paginate_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/go-paginate/paginate"
)

// calls counts what a paginator asked of a backend.
type calls struct {
	count, atMost, estimate, fetch atomic.Int64
	lastLimit                      atomic.Int64
}

// plainBackend wraps a Memory backend, counting calls, and offers only
// the required Backend methods.
type plainBackend struct {
	m *paginate.Memory[item]
	c *calls
}

func (b plainBackend) Fetch(ctx context.Context, q paginate.Query) (paginate.Result[item], error) {
	b.c.fetch.Add(1)
	return b.m.Fetch(ctx, q)
}

func (b plainBackend) Count(ctx context.Context, q paginate.Query) (int64, error) {
	b.c.count.Add(1)
	return b.m.Count(ctx, q)
}

// atMostBackend adds the Memory backend's CountAtMost.
type atMostBackend struct{ plainBackend }

func (b atMostBackend) CountAtMost(ctx context.Context, q paginate.Query, limit int64) (int64, error) {
	b.c.atMost.Add(1)
	b.c.lastLimit.Store(limit)
	return b.m.CountAtMost(ctx, q, limit)
}

// estimatingBackend estimates like a planner working from statistics:
// the true count rounded up to a multiple of 100, or what estimate says.
type estimatingBackend struct {
	plainBackend
	estimate func(n int64) (int64, error)
}

func (b estimatingBackend) EstimateCount(ctx context.Context, q paginate.Query) (int64, error) {
	b.c.estimate.Add(1)
	n, err := b.m.Count(ctx, q)
	if err != nil {
		return 0, err
	}
	if b.estimate != nil {
		return b.estimate(n)
	}
	return (n + 99) / 100 * 100, nil
}

func newPlain(t testing.TB, n int) (plainBackend, *calls) {
	t.Helper()
	c := new(calls)
	return plainBackend{m: memory(t, numbered(n)), c: c}, c
}

func offsetOver(t testing.TB, b paginate.Backend[item], cfg paginate.OffsetConfig) *paginate.Offset[item] {
	t.Helper()
	p, err := paginate.NewOffset(b, itemSchema(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type pageCase struct {
	name string
	req  paginate.Request
	want pageMeta
}

func runPages(t *testing.T, p paginate.Paginator[item], cases []pageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := p.Paginate(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, meta(page)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoCount(t *testing.T) {
	b, c := newPlain(t, 25)
	p := offsetOver(t, b, paginate.OffsetConfig{Count: paginate.NoCount{}})
	runPages(t, p, []pageCase{
		{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, HasNext: true, NextPage: 2}},
		{"middle", paginate.Request{Page: 2}, pageMeta{IDs: span(11, 20), Page: 2, PerPage: 10, HasNext: true, HasPrev: true, NextPage: 3, PrevPage: 1}},
		{"last", paginate.Request{Page: 3}, pageMeta{IDs: span(21, 25), Page: 3, PerPage: 10, HasPrev: true, PrevPage: 2}},
		// 25 rows in pages of 5: page 4 has a next page, page 5 does not,
		// though no page count says so.
		{"exact fit, next to last", paginate.Request{PerPage: 5, Page: 4}, pageMeta{IDs: span(16, 20), Page: 4, PerPage: 5, HasNext: true, HasPrev: true, NextPage: 5, PrevPage: 3}},
		{"exact fit, last", paginate.Request{PerPage: 5, Page: 5}, pageMeta{IDs: span(21, 25), Page: 5, PerPage: 5, HasPrev: true, PrevPage: 4}},
		{"past the end", paginate.Request{Page: 4}, pageMeta{IDs: []int64{}, Page: 4, PerPage: 10, HasPrev: true, PrevPage: 3}},
		{"far past the end", paginate.Request{Page: 1000}, pageMeta{IDs: []int64{}, Page: 1000, PerPage: 10, HasPrev: true, PrevPage: 999}},
		{"filtered", paginate.Request{Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{int64(20)}}}}, pageMeta{IDs: span(21, 25), Page: 1, PerPage: 10}},
	})
	if n := c.count.Load(); n != 0 {
		t.Errorf("NoCount ran %d counts, want 0", n)
	}

	empty, _ := newPlain(t, 0)
	runPages(t, offsetOver(t, empty, paginate.OffsetConfig{Count: paginate.NoCount{}}), []pageCase{
		{"nothing", paginate.Request{}, pageMeta{IDs: []int64{}, Page: 1, PerPage: 10}},
	})
}

func TestNoCountStrict(t *testing.T) {
	b, _ := newPlain(t, 25)
	p := offsetOver(t, b, paginate.OffsetConfig{Count: paginate.NoCount{}, Strict: true})
	if _, err := p.Paginate(context.Background(), paginate.Request{Page: 3}); err != nil {
		t.Fatalf("last page: %v", err)
	}
	_, err := p.Paginate(context.Background(), paginate.Request{Page: 4})
	if !errors.Is(err, paginate.ErrPageOutOfRange) {
		t.Fatalf("page 4 of 3: err = %v, want ErrPageOutOfRange", err)
	}
	if want := "paginate: invalid request: page: page 4 is past the last page"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}

func TestCappedCount(t *testing.T) {
	b, c := newPlain(t, 25)
	withAtMost := atMostBackend{b}
	for _, tc := range []struct {
		name    string
		backend paginate.Backend[item]
		atMost  bool
	}{
		{"AtMostCounter", withAtMost, true},
		{"count in full", b, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.count.Store(0)
			c.atMost.Store(0)
			p := offsetOver(t, tc.backend, paginate.OffsetConfig{Count: paginate.CappedCount{Max: 20}})
			runPages(t, p, []pageCase{
				{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 2, Total: 20, Counted: true, TotalCapped: true, HasNext: true, NextPage: 2}},
				// Past the cap, HasNext comes from the fetch, not from Pages.
				{"second", paginate.Request{Page: 2}, pageMeta{IDs: span(11, 20), Page: 2, PerPage: 10, Pages: 2, Total: 20, Counted: true, TotalCapped: true, HasNext: true, HasPrev: true, NextPage: 3, PrevPage: 1}},
				// The last page knows the exact total.
				{"last", paginate.Request{Page: 3}, pageMeta{IDs: span(21, 25), Page: 3, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasPrev: true, PrevPage: 2}},
				{"past the end", paginate.Request{Page: 4}, pageMeta{IDs: []int64{}, Page: 4, PerPage: 10, Pages: 2, Total: 20, Counted: true, TotalCapped: true, HasPrev: true, PrevPage: 3}},
				{"under the cap", paginate.Request{Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{int64(10)}}}}, pageMeta{IDs: span(11, 20), Page: 1, PerPage: 10, Pages: 2, Total: 15, Counted: true, HasNext: true, NextPage: 2}},
				{"under the cap, past the end", paginate.Request{Page: 3, Filters: []paginate.Filter{{Field: "id", Op: paginate.Gt, Values: []any{int64(10)}}}}, pageMeta{IDs: []int64{}, Page: 3, PerPage: 10, Pages: 2, Total: 15, Counted: true, HasPrev: true, PrevPage: 2}},
			})
			if tc.atMost {
				if got := c.atMost.Load(); got != 6 || c.count.Load() != 0 {
					t.Errorf("CountAtMost ran %d times and Count %d, want 6 and 0", got, c.count.Load())
				}
				if got := c.lastLimit.Load(); got != 21 {
					t.Errorf("CountAtMost limit = %d, want Max+1 = 21", got)
				}
			} else if got := c.count.Load(); got != 6 {
				t.Errorf("Count ran %d times, want 6", got)
			}
		})
	}

	t.Run("default cap", func(t *testing.T) {
		p := offsetOver(t, withAtMost, paginate.OffsetConfig{Count: paginate.CappedCount{}})
		runPages(t, p, []pageCase{
			{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		})
		if got := c.lastLimit.Load(); got != paginate.DefaultCountCap+1 {
			t.Errorf("CountAtMost limit = %d, want %d", got, paginate.DefaultCountCap+1)
		}
	})
}

func TestEstimatedCount(t *testing.T) {
	b, c := newPlain(t, 25)
	est := estimatingBackend{plainBackend: b}
	counts := func(t *testing.T, wantEstimates, wantCounts int64) {
		t.Helper()
		if e, n := c.estimate.Swap(0), c.count.Swap(0); e != wantEstimates || n != wantCounts {
			t.Errorf("ran %d estimates and %d counts, want %d and %d", e, n, wantEstimates, wantCounts)
		}
	}

	t.Run("estimate", func(t *testing.T) {
		p := offsetOver(t, est, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 50}})
		runPages(t, p, []pageCase{
			{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 10, Total: 100, Counted: true, TotalEstimated: true, HasNext: true, NextPage: 2}},
			{"last", paginate.Request{Page: 3}, pageMeta{IDs: span(21, 25), Page: 3, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasPrev: true, PrevPage: 2}},
			{"past the end", paginate.Request{Page: 5}, pageMeta{IDs: []int64{}, Page: 5, PerPage: 10, Pages: 10, Total: 100, Counted: true, TotalEstimated: true, HasPrev: true, PrevPage: 4}},
		})
		counts(t, 3, 0)
	})
	t.Run("under the threshold", func(t *testing.T) {
		p := offsetOver(t, est, paginate.OffsetConfig{Count: paginate.EstimatedCount{}})
		runPages(t, p, []pageCase{
			{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		})
		counts(t, 1, 1)
	})
	t.Run("no estimator", func(t *testing.T) {
		p := offsetOver(t, b, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 1}})
		runPages(t, p, []pageCase{
			{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		})
		counts(t, 0, 1)
	})
	t.Run("unsupported", func(t *testing.T) {
		unsupported := estimatingBackend{plainBackend: b, estimate: func(int64) (int64, error) {
			return 0, fmt.Errorf("no statistics: %w", errors.ErrUnsupported)
		}}
		p := offsetOver(t, unsupported, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 1}})
		runPages(t, p, []pageCase{
			{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		})
		counts(t, 1, 1)
	})
	t.Run("never analysed", func(t *testing.T) {
		minusOne := estimatingBackend{plainBackend: b, estimate: func(int64) (int64, error) { return -1, nil }}
		p := offsetOver(t, minusOne, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 1}})
		runPages(t, p, []pageCase{
			{"first", paginate.Request{}, pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Pages: 3, Total: 25, Counted: true, HasNext: true, NextPage: 2}},
		})
		counts(t, 1, 1)
	})
	t.Run("estimate fails", func(t *testing.T) {
		boom := errors.New("boom")
		failing := estimatingBackend{plainBackend: b, estimate: func(int64) (int64, error) { return 0, boom }}
		p := offsetOver(t, failing, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: 1}})
		if _, err := p.Paginate(context.Background(), paginate.Request{}); !errors.Is(err, boom) {
			t.Errorf("err = %v, want it to wrap the estimator's error", err)
		}
		counts(t, 1, 0)
	})
}

func TestCountStrategyConfig(t *testing.T) {
	b, _ := newPlain(t, 1)
	p := offsetOver(t, b, paginate.OffsetConfig{})
	if got := p.Config().Count; got != (paginate.ExactCount{}) {
		t.Errorf("default Count = %#v, want ExactCount", got)
	}
	for _, s := range []paginate.CountStrategy{paginate.CappedCount{Max: -1}, paginate.EstimatedCount{Threshold: -1}} {
		if _, err := paginate.NewOffset[item](b, itemSchema(t), paginate.OffsetConfig{Count: s}); err == nil {
			t.Errorf("NewOffset accepted %#v", s)
		}
	}
	names := map[string]paginate.CountStrategy{"exact": paginate.ExactCount{}, "none": paginate.NoCount{}, "capped": paginate.CappedCount{}, "estimated": paginate.EstimatedCount{}}
	for want, s := range names {
		if got := s.(fmt.Stringer).String(); got != want {
			t.Errorf("%T.String() = %q, want %q", s, got, want)
		}
	}
}

func TestCountErrors(t *testing.T) {
	b, _ := newPlain(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, s := range []paginate.CountStrategy{paginate.ExactCount{}, paginate.CappedCount{}, paginate.EstimatedCount{}} {
		p := offsetOver(t, estimatingBackend{plainBackend: b}, paginate.OffsetConfig{Count: s})
		if _, err := p.Paginate(ctx, paginate.Request{}); !errors.Is(err, context.Canceled) {
			t.Errorf("%v: err = %v, want context.Canceled", s, err)
		}
	}
}

// TestCappedCountBoundary counts Max-1, Max and Max+1 matching rows: up
// to Max the total is exact, past it capped at Max, with and without an
// AtMostCounter.
func TestCappedCountBoundary(t *testing.T) {
	const max = 12
	b, c := newPlain(t, 30)
	for _, tc := range []struct {
		name    string
		backend paginate.Backend[item]
	}{
		{"AtMostCounter", atMostBackend{b}},
		{"count in full", b},
	} {
		for _, n := range []int64{max - 1, max, max + 1} {
			t.Run(fmt.Sprintf("%s/%d rows", tc.name, n), func(t *testing.T) {
				c.lastLimit.Store(0)
				// PerPage 5: the page is never the last one, so the
				// total is the count's.
				p := offsetOver(t, tc.backend, paginate.OffsetConfig{PerPage: 5, Count: paginate.CappedCount{Max: max}})
				page, err := p.Paginate(context.Background(), paginate.Request{Filters: []paginate.Filter{{Field: "id", Op: paginate.In, Values: inValues(n)}}})
				if err != nil {
					t.Fatal(err)
				}
				want := pageMeta{IDs: span(1, 5), Page: 1, PerPage: 5, Total: n, Pages: int((n + 4) / 5), Counted: true, HasNext: true, NextPage: 2}
				if n > max {
					want.Total, want.Pages, want.TotalCapped = max, (max+4)/5, true
				}
				if diff := cmp.Diff(want, meta(page)); diff != "" {
					t.Errorf("page (-want +got):\n%s", diff)
				}
				if _, ok := tc.backend.(paginate.AtMostCounter); ok && c.lastLimit.Load() != max+1 {
					t.Errorf("CountAtMost limit %d, want Max+1 = %d", c.lastLimit.Load(), max+1)
				}
			})
		}
	}
}

// inValues returns the ids 1..n as the values of an In filter.
func inValues(n int64) []any {
	vals := make([]any, n)
	for i := range vals {
		vals[i] = int64(i + 1)
	}
	return vals
}

// TestEstimatedCountThreshold gives estimates just below, at and above
// the threshold: from the threshold up the estimate is reported, below it
// the rows are counted.
func TestEstimatedCountThreshold(t *testing.T) {
	const threshold = 500
	b, c := newPlain(t, 25)
	for _, tc := range []struct {
		estimate  int64
		estimated bool
	}{
		{threshold - 1, false},
		{threshold, true},
		{threshold + 1, true},
	} {
		t.Run(fmt.Sprint(tc.estimate), func(t *testing.T) {
			c.estimate.Store(0)
			c.count.Store(0)
			est := estimatingBackend{plainBackend: b, estimate: func(int64) (int64, error) { return tc.estimate, nil }}
			p := offsetOver(t, est, paginate.OffsetConfig{Count: paginate.EstimatedCount{Threshold: threshold}})
			page, err := p.Paginate(context.Background(), paginate.Request{})
			if err != nil {
				t.Fatal(err)
			}
			want := pageMeta{IDs: span(1, 10), Page: 1, PerPage: 10, Total: 25, Pages: 3, Counted: true, HasNext: true, NextPage: 2}
			wantCounts := int64(1)
			if tc.estimated {
				want.Total, want.Pages, want.TotalEstimated = tc.estimate, int((tc.estimate+9)/10), true
				wantCounts = 0
			}
			if diff := cmp.Diff(want, meta(page)); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
			if e, n := c.estimate.Load(), c.count.Load(); e != 1 || n != wantCounts {
				t.Errorf("ran %d estimates and %d counts, want 1 and %d", e, n, wantCounts)
			}
		})
	}
}
