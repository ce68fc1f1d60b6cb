package httpadapter

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-paginate/paginate"
)

// CostConfig bounds the time a [Handler] spends on a page and reports
// the time it spent. Its zero value does neither, at no cost.
type CostConfig struct {
	// Budget is the longest a page may take: the request's context gets
	// this deadline before Paginate, so the database statement is canceled
	// when it passes (pgx and go-sqlite3 stop it on the server; on MySQL
	// and MariaDB set the SQL backend's StatementTimeout as well) and the
	// client gets a 503 problem with Retry-After. If zero, the request's
	// context is used as it is.
	Budget time.Duration
	// ServerTiming adds a W3C Server-Timing header to each page and each
	// error the paginator returns: the milliseconds spent checking the
	// request's shape ("shape"), counting ("count"), fetching ("fetch")
	// and loading related rows ("related"), each when it took any time,
	// and in the handler in all ("total", parsing included, writing the
	// body not). Browsers show it among a request's timings. It tells
	// clients how long the database took; leave it off where that is
	// private.
	ServerTiming bool
	// SlowPage, when positive, logs each request that takes at least this
	// long at Warn level to WriterConfig.Logger, with its path, its shape
	// (sort keys and directions, filter fields and operators, never
	// values), the phases' durations and the error, if any. If zero,
	// nothing is logged.
	SlowPage time.Duration
}

// on reports whether the config asks for anything.
func (c *CostConfig) on() bool { return c.Budget > 0 || c.ServerTiming || c.SlowPage > 0 }

// timed reports whether the phases of a page are timed.
func (c *CostConfig) timed() bool { return c.ServerTiming || c.SlowPage > 0 }

// serve parses the request, asks the paginator for the page and writes
// it or the error, within the cost config's budget and with its
// reports.
func (h *handler[T]) serve(w http.ResponseWriter, r *http.Request) {
	if !h.cost.on() {
		q, err := h.parser.Parse(r)
		if err != nil {
			h.w.WriteError(w, r, nil, err)
			return
		}
		page, err := h.p.Paginate(r.Context(), q.Request())
		if err != nil {
			h.w.WriteError(w, r, q, err)
			return
		}
		h.w.WritePage(w, r, q, page)
		return
	}
	start := time.Now()
	q, err := h.parser.Parse(r)
	if err != nil {
		h.w.WriteError(w, r, nil, err)
		return
	}
	ctx := r.Context()
	var t *paginate.Timings
	if h.cost.timed() {
		t = new(paginate.Timings)
		ctx = paginate.WithTimings(ctx, t)
	}
	if h.cost.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.cost.Budget)
		defer cancel()
	}
	page, err := h.p.Paginate(ctx, q.Request())
	total := time.Since(start)
	if h.cost.ServerTiming {
		w.Header().Set("Server-Timing", serverTiming(t, total))
	}
	if err != nil {
		// The budget's deadline is the request's: past it, the answer
		// is a 503.
		h.w.WriteError(w, r.WithContext(ctx), q, err)
	} else {
		h.w.WritePage(w, r, q, page)
	}
	if h.cost.SlowPage > 0 && total >= h.cost.SlowPage {
		h.logSlow(ctx, r, q, t, total, err)
	}
}

// serverTiming returns the Server-Timing header of a page's phases.
func serverTiming(t *paginate.Timings, total time.Duration) string {
	b := make([]byte, 0, 96)
	for _, m := range [...]struct {
		name string
		d    time.Duration
	}{{"shape", t.Shape}, {"count", t.Count}, {"fetch", t.Fetch}, {"related", t.Related}} {
		if m.d > 0 {
			b = appendMetric(b, m.name, m.d)
		}
	}
	return string(appendMetric(b, "total", total))
}

// appendMetric appends a Server-Timing metric with its duration in
// milliseconds.
func appendMetric(b []byte, name string, d time.Duration) []byte {
	if len(b) > 0 {
		b = append(b, ", "...)
	}
	b = append(b, name...)
	b = append(b, ";dur="...)
	return strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

// logSlow logs a slow request with its shape, never its values.
func (h *handler[T]) logSlow(ctx context.Context, r *http.Request, q *ParsedQuery, t *paginate.Timings, total time.Duration, err error) {
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("sort", sortShape(q.Request().Sort)),
		slog.String("filters", filterShape(q.Request().Filters)),
		millis("total_ms", total),
		millis("shape_ms", t.Shape),
		millis("count_ms", t.Count),
		millis("fetch_ms", t.Fetch),
		millis("related_ms", t.Related),
	}
	if err != nil {
		attrs = append(attrs, slog.String("err", err.Error()))
	}
	h.w.logger.LogAttrs(ctx, slog.LevelWarn, "httpadapter: slow page", attrs...)
}

func millis(key string, d time.Duration) slog.Attr {
	return slog.Float64(key, math.Round(float64(d)/float64(time.Microsecond))/1000)
}

// sortShape writes sort keys as a sort parameter, "" for the default.
func sortShape(keys []paginate.SortKey) string {
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		if k.Dir == paginate.Desc {
			b.WriteByte('-')
		}
		b.WriteString(k.Field)
	}
	return b.String()
}

// filterShape writes the filters' fields and operators, without values,
// in a canonical order.
func filterShape(filters []paginate.Filter) string {
	names := make([]string, len(filters))
	for i, f := range filters {
		names[i] = paginate.Filter{Field: f.Field, Op: f.Op}.Param()
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ",")
}
