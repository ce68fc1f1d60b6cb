package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Metrics read from the benchmarks' output.
const (
	wallMetric   = "ns/op"
	cpuMetric    = "cpu-ns/op"
	allocsMetric = "allocs/op"
)

// metricFor returns the metric a group is judged on: CPU time for SQLite,
// which runs inside the process, so that its CPU time is the page's whole
// cost and is not charged for waiting for a CPU on a busy machine; wall
// time for the database servers, whose work the process's CPU time leaves
// out. choice overrides that unless it is "auto".
func metricFor(group, choice string) string {
	if choice != "auto" {
		return choice
	}
	for _, p := range parts(group) {
		if p.key == "db" && p.value == "sqlite" {
			return cpuMetric
		}
	}
	return wallMetric
}

// measurement is one approach's result in one pass.
type measurement struct {
	value  float64 // in the group's metric, nanoseconds per op
	allocs float64
}

// collection holds every pass's measurements, by group, approach and
// pass.
type collection struct {
	metric string // "auto" or a unit, as for metricFor
	groups []string
	impls  map[string][]string // by group, in order of first appearance
	data   map[string]map[string]map[int]measurement
}

func newCollection(metric string) *collection {
	return &collection{metric: metric, impls: map[string][]string{}, data: map[string]map[string]map[int]measurement{}}
}

// add records r, measured in pass; a result without an impl= part is not
// a comparison and is ignored.
func (c *collection) add(pass int, r result) error {
	group, impl, ok := splitImpl(r.name)
	if !ok {
		return nil
	}
	metric := metricFor(group, c.metric)
	v, ok := r.metrics[metric]
	if !ok {
		return fmt.Errorf("%s: no %s in %q", r.name, metric, r.text)
	}
	if _, ok := c.data[group]; !ok {
		c.groups = append(c.groups, group)
		c.data[group] = map[string]map[int]measurement{}
	}
	if _, ok := c.data[group][impl]; !ok {
		c.impls[group] = append(c.impls[group], impl)
		c.data[group][impl] = map[int]measurement{}
	}
	if _, dup := c.data[group][impl][pass]; dup {
		return fmt.Errorf("%s measured twice in pass %d", r.name, pass+1)
	}
	c.data[group][impl][pass] = measurement{value: v, allocs: r.metrics[allocsMetric]}
	return nil
}

// spread is the median of some values and their range.
type spread struct {
	median, min, max float64
	n                int
}

// spreadOf returns the median and range of xs; n is 0 when xs is empty.
func spreadOf(xs []float64) spread {
	if len(xs) == 0 {
		return spread{}
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return spread{median: m, min: s[0], max: s[len(s)-1], n: len(s)}
}

// summary is one approach in one group, over all passes.
type summary struct {
	group, impl, metric string
	value               spread // the metric, over passes
	allocs              spread
	// ratio is value ÷ the base's value and dAllocs allocs − the base's
	// allocs, each taken within a pass and summarized over the passes
	// that measured both; zero (n = 0) for the base itself or when it is
	// missing.
	ratio, dAllocs spread
}

// summarize summarizes every approach of every group against base.
func (c *collection) summarize(base string) []summary {
	var out []summary
	for _, g := range c.groups {
		baseData := c.data[g][base]
		for _, impl := range c.orderedImpls(g, base) {
			out = append(out, summarizeOne(g, impl, metricFor(g, c.metric), c.data[g][impl], baseData, impl == base))
		}
	}
	return out
}

// orderedImpls returns the approaches of group with base first.
func (c *collection) orderedImpls(group, base string) []string {
	impls := slices.Clone(c.impls[group])
	if i := slices.Index(impls, base); i > 0 {
		impls = slices.Insert(slices.Delete(impls, i, i+1), 0, base)
	}
	return impls
}

func summarizeOne(group, impl, metric string, data, base map[int]measurement, isBase bool) summary {
	passes := make([]int, 0, len(data))
	for p := range data {
		passes = append(passes, p)
	}
	sort.Ints(passes)
	var values, allocs, ratios, dAllocs []float64
	for _, p := range passes {
		m := data[p]
		values = append(values, m.value)
		allocs = append(allocs, m.allocs)
		if b, ok := base[p]; ok && !isBase && b.value > 0 {
			ratios = append(ratios, m.value/b.value)
			dAllocs = append(dAllocs, m.allocs-b.allocs)
		}
	}
	return summary{
		group: group, impl: impl, metric: metric,
		value: spreadOf(values), allocs: spreadOf(allocs),
		ratio: spreadOf(ratios), dAllocs: spreadOf(dAllocs),
	}
}

// passOrder returns the groups in the order pass runs them: rotated so
// that the passes start at points spread evenly over the list.
func passOrder(groups []string, pass, passes int) []string {
	n := len(groups)
	if n == 0 || passes <= 0 {
		return groups
	}
	k := (pass * n / passes) % n
	return append(slices.Clone(groups[k:]), groups[:k]...)
}

// The depths whose ratio the report shows: the last page's and the
// first's, as internal/bench names them.
const (
	firstDepth = "0"
	lastDepth  = "last"
)

// depthSpan is how one approach's time changes from the first depth to the
// last in one family of groups, the groups whose names differ only in
// their depth= part: its value at lastDepth ÷ its value at firstDepth,
// taken within each pass and summarized over the passes that measured
// both.
type depthSpan struct {
	family string // the groups' name without its depth= part
	impl   string
	metric string
	ratio  spread
}

// depthSpans returns every approach's depthSpan, for each family measured
// at both depths, in the order of the groups.
func (c *collection) depthSpans() []depthSpan {
	var out []depthSpan
	for _, g := range c.groups {
		family, ok := atDepth(g, "")
		shallow, _ := atDepth(g, firstDepth)
		deepName, _ := atDepth(g, lastDepth)
		if !ok || g != shallow {
			continue
		}
		deep, ok := c.data[deepName]
		if !ok {
			continue
		}
		for _, impl := range c.impls[g] {
			var ratios []float64
			for p, m := range c.data[g][impl] {
				if d, ok := deep[impl][p]; ok && m.value > 0 {
					ratios = append(ratios, d.value/m.value)
				}
			}
			if len(ratios) > 0 {
				out = append(out, depthSpan{family: family, impl: impl, metric: metricFor(g, c.metric), ratio: spreadOf(ratios)})
			}
		}
	}
	return out
}

// atDepth returns group's name with its depth= element set to depth, or
// left out when depth is ""; false when group has no depth= element.
func atDepth(group, depth string) (string, bool) {
	elems := strings.Split(group, "/")
	for i, e := range elems {
		if strings.HasPrefix(e, "depth=") {
			if depth == "" {
				elems = slices.Delete(elems, i, i+1)
			} else {
				elems[i] = "depth=" + depth
			}
			return strings.Join(elems, "/"), true
		}
	}
	return group, false
}
