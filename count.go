package paginate

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Counting strategies. On a large table the COUNT behind Page.Total and
// Page.Pages can cost more than the page itself, so an [Offset] paginator
// counts as its [OffsetConfig].Count says:
//
//   - [ExactCount], the default, counts every matching row on every request.
//   - [NoCount] never counts: Page.Counted is false, and HasNext comes from
//     the extra row every page fetch asks for (per_page+1), never from a
//     page count.
//   - [CappedCount] counts at most Max+1 rows and past that reports Total
//     Max with TotalCapped set.
//   - [EstimatedCount] asks the backend for its planner's estimate and
//     reports it with TotalEstimated set, counting exactly when the
//     estimate is small or the backend has none.
//
// The package cache caches the totals of any of these, per query and per
// caller scope, with a TTL.

// Counter is the part of a backend that counts; every [Backend] is one.
type Counter interface {
	// Count returns how many rows match q.Filters.
	Count(ctx context.Context, q Query) (int64, error)
}

// AtMostCounter is an optional backend interface for [CappedCount]: a
// count that stops after limit rows, such as COUNT(*) over a LIMITed
// subquery, so the database never reads past the cap.
type AtMostCounter interface {
	// CountAtMost returns how many rows match q.Filters, or limit when
	// at least limit rows match.
	CountAtMost(ctx context.Context, q Query, limit int64) (int64, error)
}

// Estimator is an optional backend interface for [EstimatedCount]: the
// number of rows the database's planner expects q.Filters to match. A
// backend that has no estimate for q returns an error wrapping
// errors.ErrUnsupported, and the row count is counted exactly instead.
type Estimator interface {
	// EstimateCount returns the planner's estimate of how many rows
	// match q.Filters.
	EstimateCount(ctx context.Context, q Query) (int64, error)
}

// Total is what a [CountStrategy] learned about how many rows match a
// query. Its zero value means "not counted".
type Total struct {
	// N is the number of matching rows when Known: exact, a lower bound
	// when Capped, or the database's estimate when Estimated.
	N int64
	// Known reports whether N means anything. A strategy that does not
	// count returns a Total that is not Known.
	Known bool
	// Capped reports that counting stopped at N: at least N rows match.
	Capped bool
	// Estimated reports that N is an estimate.
	Estimated bool
}

// Exact reports whether t is a known, exact count.
func (t Total) Exact() bool { return t.Known && !t.Capped && !t.Estimated }

// CountStrategy decides how an [Offset] paginator learns the number of
// matching rows. [ExactCount], [NoCount], [CappedCount] and
// [EstimatedCount] implement it; the package cache wraps any of them in a
// cache.
type CountStrategy interface {
	// CountTotal returns what the strategy knows about how many rows
	// match q.Filters, using c, the paginator's backend. Strategies look
	// for the optional interfaces [AtMostCounter] and [Estimator] on c
	// with a type assertion.
	CountTotal(ctx context.Context, c Counter, q Query) (Total, error)
}

// validator is implemented by the package's strategies whose settings
// NewOffset checks.
type validator interface {
	validate() error
}

// ExactCount counts every matching row on every request. It is the
// strategy an [OffsetConfig] with a nil Count uses.
type ExactCount struct{}

// CountTotal returns c.Count's exact total.
func (ExactCount) CountTotal(ctx context.Context, c Counter, q Query) (Total, error) {
	n, err := c.Count(ctx, q)
	if err != nil {
		return Total{}, err
	}
	return Total{N: n, Known: true}, nil
}

// String returns "exact".
func (ExactCount) String() string { return "exact" }

// NoCount never counts. Pages report no Total and no Pages (Counted is
// false); HasNext comes from the extra row each page fetch asks for, and a
// page past the end is found when its fetch returns no rows.
type NoCount struct{}

// CountTotal returns a Total that is not Known, without calling c.
func (NoCount) CountTotal(context.Context, Counter, Query) (Total, error) {
	return Total{}, nil
}

// String returns "none".
func (NoCount) String() string { return "none" }

// DefaultCountCap is the cap of a [CappedCount] whose Max is zero.
const DefaultCountCap = 10_000

// CappedCount counts at most Max+1 rows: when more than Max rows match,
// the total is reported as Max with TotalCapped set, so a client learns
// "more than Max" without the database reading every row.
//
// With a backend that implements [AtMostCounter] the database stops
// counting at Max+1 rows. Any other backend counts every row and the cap
// is applied to the result: the response has the same shape, but the
// database does the full count's work.
type CappedCount struct {
	// Max is the largest total reported exactly. If zero,
	// DefaultCountCap.
	Max int64
}

func (s CappedCount) validate() error {
	if s.Max < 0 {
		return errors.New("paginate: CappedCount.Max must not be negative")
	}
	return nil
}

// CountTotal counts up to Max+1 rows.
func (s CappedCount) CountTotal(ctx context.Context, c Counter, q Query) (Total, error) {
	limit := s.Max
	if limit == 0 {
		limit = DefaultCountCap
	}
	var (
		n   int64
		err error
	)
	if ac, ok := c.(AtMostCounter); ok && limit < math.MaxInt64 {
		n, err = ac.CountAtMost(ctx, q, limit+1)
	} else {
		n, err = c.Count(ctx, q)
	}
	if err != nil {
		return Total{}, err
	}
	if n > limit {
		return Total{N: limit, Known: true, Capped: true}, nil
	}
	return Total{N: n, Known: true}, nil
}

// String returns "capped".
func (CappedCount) String() string { return "capped" }

// DefaultEstimateThreshold is the Threshold of an [EstimatedCount] whose
// Threshold is zero.
const DefaultEstimateThreshold = 10_000

// EstimatedCount reports the database planner's estimate of the number of
// matching rows, with TotalEstimated set, when the backend implements
// [Estimator] and the estimate is at least Threshold. Otherwise — no
// estimator, an estimator that returns errors.ErrUnsupported (SQLite has
// no estimate), a negative estimate (a PostgreSQL table that was never
// analysed), or an estimate under Threshold — it counts exactly, since a
// small count is cheap and an estimate of a small number is often far
// off.
type EstimatedCount struct {
	// Threshold is the smallest estimate reported as an estimate. If
	// zero, DefaultEstimateThreshold.
	Threshold int64
}

func (s EstimatedCount) validate() error {
	if s.Threshold < 0 {
		return errors.New("paginate: EstimatedCount.Threshold must not be negative")
	}
	return nil
}

// CountTotal estimates, or counts when an estimate is not worth having.
func (s EstimatedCount) CountTotal(ctx context.Context, c Counter, q Query) (Total, error) {
	threshold := s.Threshold
	if threshold == 0 {
		threshold = DefaultEstimateThreshold
	}
	if e, ok := c.(Estimator); ok {
		n, err := e.EstimateCount(ctx, q)
		switch {
		case errors.Is(err, errors.ErrUnsupported):
		case err != nil:
			return Total{}, fmt.Errorf("estimate: %w", err)
		case n >= threshold:
			return Total{N: n, Known: true, Estimated: true}, nil
		}
	}
	return ExactCount{}.CountTotal(ctx, c, q)
}

// String returns "estimated".
func (EstimatedCount) String() string { return "estimated" }
