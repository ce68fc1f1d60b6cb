package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// report is the command's markdown output.
type report struct {
	meta      []string // bullet points about the run
	passes    []passInfo
	summaries []summary
	spans     []depthSpan // each approach's last page ÷ its first
	base      string      // the approach the ratios divide by
	impl      string      // the approach of the summary table
}

func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("## Interleaved run\n\n")
	for _, m := range r.meta {
		b.WriteString("- " + m + "\n")
	}
	keys := r.keys()
	fmt.Fprintf(&b, "\n### %s ÷ %s\n\n", r.impl, r.base)
	fmt.Fprintf(&b, "Ratios are taken within each pass, then summarized over the passes: median, and range (min–max). Δ allocs is allocs/op of %s minus %s, within a pass (median).\n\n", r.impl, r.base)
	r.summaryTable(&b, keys)
	fmt.Fprintf(&b, "\n### Every approach\n\n")
	r.fullTable(&b, keys)
	if len(r.spans) > 0 {
		fmt.Fprintf(&b, "\n### depth=%s ÷ depth=%s\n\n", lastDepth, firstDepth)
		fmt.Fprintf(&b, "Each approach's time at depth %s ÷ its own time at depth %s, taken within each pass, then summarized over the passes: median, and range (min–max).\n\n", lastDepth, firstDepth)
		r.spanTable(&b, keys)
	}
	if len(r.passes) > 0 {
		b.WriteString("\n### Passes\n\n")
		r.passTable(&b)
	}
	return b.String()
}

// keys returns the keys of the groups' parts, in order of first
// appearance: the table's leading columns.
func (r *report) keys() []string {
	var keys []string
	seen := map[string]bool{}
	for _, s := range r.summaries {
		for _, p := range parts(s.group) {
			if !seen[p.key] {
				seen[p.key] = true
				keys = append(keys, p.key)
			}
		}
	}
	return keys
}

// cells returns group's values for keys, "" where it has none.
func cells(group string, keys []string) []string {
	ps := parts(group)
	out := make([]string, len(keys))
	for i, k := range keys {
		for _, p := range ps {
			if p.key == k {
				out[i] = p.value
			}
		}
	}
	return out
}

func row(b *strings.Builder, cols []string) {
	b.WriteString("| " + strings.Join(cols, " | ") + " |\n")
}

func header(b *strings.Builder, cols []string) {
	row(b, cols)
	seps := make([]string, len(cols))
	for i := range seps {
		seps[i] = "---"
	}
	row(b, seps)
}

func (r *report) summaryTable(b *strings.Builder, keys []string) {
	header(b, append(append([]string(nil), keys...), "time", r.base, r.impl, r.impl+" ÷ "+r.base, "range", "Δ allocs"))
	base := map[string]summary{}
	for _, s := range r.summaries {
		if s.impl == r.base {
			base[s.group] = s
		}
	}
	for _, s := range r.summaries {
		bs, ok := base[s.group]
		if s.impl != r.impl || !ok {
			continue
		}
		row(b, append(cells(s.group, keys), metricName(s.metric), formatNs(bs.value.median), formatNs(s.value.median),
			"**"+formatRatio(s.ratio.median)+"**", formatRange(s.ratio), formatDelta(s.dAllocs)))
	}
}

func (r *report) fullTable(b *strings.Builder, keys []string) {
	header(b, append(append([]string(nil), keys...), "impl", "time", "median", "÷ "+r.base, "range", "allocs/op", "Δ allocs", "passes"))
	for _, s := range r.summaries {
		ratio, rng, delta := "1", "", ""
		if s.impl != r.base {
			ratio, rng, delta = formatRatio(s.ratio.median), formatRange(s.ratio), formatDelta(s.dAllocs)
		}
		row(b, append(cells(s.group, keys), s.impl, metricName(s.metric), formatNs(s.value.median),
			ratio, rng, strconv.FormatFloat(s.allocs.median, 'f', 0, 64), delta, strconv.Itoa(s.value.n)))
	}
}

// spanTable writes one row per approach and family of r.spans.
func (r *report) spanTable(b *strings.Builder, keys []string) {
	keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "depth" })
	header(b, append(keys, "impl", "time", "depth="+lastDepth+" ÷ depth="+firstDepth, "range", "passes"))
	for _, s := range r.spans {
		row(b, append(cells(s.family, keys), s.impl, metricName(s.metric), "**"+formatRatio(s.ratio.median)+"**", formatRange(s.ratio), strconv.Itoa(s.ratio.n)))
	}
}

func (r *report) passTable(b *strings.Builder) {
	header(b, []string{"pass", "started (UTC)", "took", "load before (1, 5, 15 min)", "load after", "first group"})
	for _, p := range r.passes {
		row(b, []string{strconv.Itoa(p.index + 1), p.start.UTC().Format("2006-01-02 15:04:05"),
			p.duration.Round(time.Second).String(), p.loadBefore, p.loadAfter, p.first})
	}
}

// metricName names a metric for a table: CPU or wall time.
func metricName(m string) string {
	switch m {
	case cpuMetric:
		return "CPU"
	case wallMetric:
		return "wall"
	}
	return m
}

// formatNs formats nanoseconds with three significant digits and a unit.
func formatNs(ns float64) string {
	v, unit := ns, "ns"
	for _, u := range []string{"µs", "ms", "s"} {
		if v < 999.5 { // 999.5 would print as 1000
			break
		}
		v, unit = v/1000, u
	}
	prec := 0
	switch {
	case v < 10:
		prec = 2
	case v < 100:
		prec = 1
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + unit
}

// formatRatio formats a ratio as "1.23×", or "n/a" when there was none.
func formatRatio(x float64) string {
	if x == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(x, 'f', 2, 64) + "×"
}

// formatRange formats a spread's range as "1.10–1.35×".
func formatRange(s spread) string {
	if s.n == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(s.min, 'f', 2, 64) + "–" + formatRatio(s.max)
}

// formatDelta formats a median difference of allocations as "+19" or
// "-3".
func formatDelta(s spread) string {
	if s.n == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f", s.median)
}
