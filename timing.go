package paginate

import (
	"context"
	"time"
)

// Timings records how long the phases of a page took. A caller that wants
// them puts one in the context it passes to Paginate with [WithTimings],
// and reads it when Paginate returns; the paginators add each phase's
// duration to it. Without
// one in the context nothing is timed, and it costs a paginator one
// context lookup per page.
//
// A Timings belongs to one request at a time: the phases of a page run one
// after another, and nothing synchronizes them. Walk adds every page's
// phases to the same Timings.
type Timings struct {
	// Shape is the time spent asking the paginator's [ShapePolicy] about
	// the request's shape: a cache lookup, or the database's plan the
	// first time a shape is seen.
	Shape time.Duration
	// Count is the time spent counting the matching rows (the count
	// strategy, cache lookups included).
	Count time.Duration
	// Fetch is the time spent fetching the page's rows.
	Fetch time.Duration
	// Related is the time spent loading the rows of the relations the
	// request includes ([Relater]).
	Related time.Duration
}

// timingsKey is the context key of a *Timings.
type timingsKey struct{}

// WithTimings returns a copy of ctx that carries t: the paginators called
// with it add the durations of their phases to t.
func WithTimings(ctx context.Context, t *Timings) context.Context {
	return context.WithValue(ctx, timingsKey{}, t)
}

// TimingsFrom returns the Timings ctx carries, or nil.
func TimingsFrom(ctx context.Context) *Timings {
	t, _ := ctx.Value(timingsKey{}).(*Timings)
	return t
}

// start returns the time a phase starts, or the zero time when t is nil
// and nothing is timed.
func (t *Timings) start() time.Time {
	if t == nil {
		return time.Time{}
	}
	return time.Now()
}

// phase is one of the phases a paginator times.
type phase uint8

const (
	phaseShape phase = iota
	phaseCount
	phaseFetch
	phaseRelated
)

// add adds the time since start to phase ph of t, when t is not nil.
func (t *Timings) add(ph phase, start time.Time) {
	if t == nil {
		return
	}
	d := time.Since(start)
	switch ph {
	case phaseShape:
		t.Shape += d
	case phaseCount:
		t.Count += d
	case phaseFetch:
		t.Fetch += d
	case phaseRelated:
		t.Related += d
	}
}
