package main

import (
	"cmp"
	"errors"
	"fmt"
	"html"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// point is one depth of a line: the median and range of its runs.
type point struct {
	x           int // index into chart.depths
	med, lo, hi float64
	runs        int
}

// line is one benchmark name with the depth taken out.
type line struct {
	key    string   // the name without its depth part
	parts  []string // the key's parts
	label  string
	color  string
	dash   string
	points []point
}

// chart is a line chart of time against depth.
type chart struct {
	title  string
	yLabel string
	depths []string // depth labels, in axis order
	lines  []*line
	runs   int // most runs behind a point
}

// depthPart reports the index of name's depth=... part.
func depthPart(parts []string) int {
	for i, p := range parts {
		if strings.HasPrefix(p, "depth=") {
			return i
		}
	}
	return -1
}

// newChart builds the chart of the samples that have a depth part and
// match re (all when re is nil).
func newChart(samples []sample, re *regexp.Regexp, title string) (*chart, error) {
	c := &chart{title: title, yLabel: "time per page"}
	byKey := map[string]*line{}
	depthIdx := map[string]int{}
	for _, s := range samples {
		if re != nil && !re.MatchString(s.name) {
			continue
		}
		parts := strings.Split(s.name, "/")
		di := depthPart(parts)
		if di < 0 || len(s.ns) == 0 {
			continue
		}
		depth := strings.TrimPrefix(parts[di], "depth=")
		x, ok := depthIdx[depth]
		if !ok {
			x = len(c.depths)
			depthIdx[depth] = x
			c.depths = append(c.depths, depth)
		}
		rest := slices.Delete(slices.Clone(parts), di, di+1)
		key := strings.Join(rest, "/")
		l, ok := byKey[key]
		if !ok {
			l = &line{key: key, parts: rest}
			byKey[key] = l
			c.lines = append(c.lines, l)
		}
		lo, hi := slices.Min(s.ns), slices.Max(s.ns)
		l.points = append(l.points, point{x: x, med: median(s.ns), lo: lo, hi: hi, runs: len(s.ns)})
		c.runs = max(c.runs, len(s.ns))
	}
	if len(c.lines) == 0 {
		return nil, errors.New("no benchmark with a depth=N part in its name matched")
	}
	// Order depths: numbers ascending, then the rest (such as "last") in
	// the order they appeared.
	order := slices.Clone(c.depths)
	slices.SortStableFunc(order, func(a, b string) int {
		na, ea := strconv.ParseFloat(a, 64)
		nb, eb := strconv.ParseFloat(b, 64)
		switch {
		case ea == nil && eb == nil:
			return cmp.Compare(na, nb)
		case ea == nil:
			return -1
		case eb == nil:
			return 1
		}
		return 0
	})
	remap := make([]int, len(c.depths))
	for i, d := range c.depths {
		remap[i] = slices.Index(order, d)
	}
	c.depths = order
	for _, l := range c.lines {
		for i := range l.points {
			l.points[i].x = remap[l.points[i].x]
		}
		slices.SortFunc(l.points, func(a, b point) int { return a.x - b.x })
	}
	c.style()
	return c, nil
}

var (
	palette = []string{"#1b7837", "#2166ac", "#b2182b", "#e08214", "#762a83", "#35978f", "#8c510a", "#4d4d4d"}
	dashes  = []string{"", "7 4", "2 3", "10 3 2 3"}
)

// style labels the lines with the parts of their names that differ, and
// gives them colors and dash patterns: with two or more differing parts
// the last one picks the color and the first the dash, so that (say) each
// implementation has a color and each strategy a dash; with one, each
// line has its own color.
func (c *chart) style() {
	var varying []int
	for i := range c.lines[0].parts {
		for _, l := range c.lines[1:] {
			if i >= len(l.parts) || l.parts[i] != c.lines[0].parts[i] {
				varying = append(varying, i)
				break
			}
		}
	}
	value := func(l *line, i int) string {
		if i >= len(l.parts) {
			return ""
		}
		p := l.parts[i]
		if _, v, ok := strings.Cut(p, "="); ok {
			return v
		}
		return p
	}
	colors, dashOf := map[string]int{}, map[string]int{}
	for n, l := range c.lines {
		var vals []string
		for _, i := range varying {
			vals = append(vals, value(l, i))
		}
		l.label = strings.Join(vals, " · ")
		if l.label == "" {
			l.label = l.key
		}
		switch {
		case len(varying) >= 2:
			cv, dv := value(l, varying[len(varying)-1]), value(l, varying[0])
			if _, ok := colors[cv]; !ok {
				colors[cv] = len(colors)
			}
			if _, ok := dashOf[dv]; !ok {
				dashOf[dv] = len(dashOf)
			}
			l.color = palette[colors[cv]%len(palette)]
			l.dash = dashes[dashOf[dv]%len(dashes)]
		default:
			l.color = palette[n%len(palette)]
		}
	}
}

// Layout, in SVG user units.
const (
	width        = 900
	height       = 500
	marginLeft   = 80
	marginRight  = 250
	marginTop    = 64
	marginBottom = 64
	plotW        = width - marginLeft - marginRight
	plotH        = height - marginTop - marginBottom
)

// yRange returns the decades the y axis spans, as powers of ten.
func (c *chart) yRange() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, l := range c.lines {
		for _, p := range l.points {
			lo, hi = math.Min(lo, p.lo), math.Max(hi, p.hi)
		}
	}
	lo, hi = math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// svg renders the chart.
func (c *chart) svg() string {
	var b strings.Builder
	ylo, yhi := c.yRange()
	yOf := func(ns float64) float64 {
		return marginTop + plotH*(1-(math.Log10(ns)-ylo)/(yhi-ylo))
	}
	xOf := func(i int) float64 {
		if len(c.depths) == 1 {
			return marginLeft + plotW/2
		}
		return marginLeft + 30 + float64(i)*(plotW-60)/float64(len(c.depths)-1)
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="13">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(c.title))
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="28" font-size="18" font-weight="600" fill="#222">%s</text>`+"\n", marginLeft, esc(c.title))
	sub := "median per page"
	if c.runs > 1 {
		sub = fmt.Sprintf("median of %d runs; bars show the range", c.runs)
	}
	fmt.Fprintf(&b, `<text x="%d" y="48" fill="#666">%s; log scale</text>`+"\n", marginLeft, esc(sub))

	// Grid: a labelled line per decade, lighter lines at 2 and 5.
	for e := ylo; e <= yhi; e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if math.Log10(v) > yhi+1e-9 {
				break
			}
			y := yOf(v)
			stroke, w := "#e4e4e4", 1.0
			if m == 1 {
				stroke = "#c8c8c8"
			}
			fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="%g"/>`+"\n", marginLeft, y, marginLeft+plotW, y, stroke, w)
			if m == 1 || yhi-ylo <= 2 {
				fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" fill="#444">%s</text>`+"\n", marginLeft-8, y+4, formatNs(v))
			}
		}
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", marginLeft, marginTop, plotW, plotH)
	for i, d := range c.depths {
		x := xOf(i)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"/>`+"\n", x, marginTop+plotH, x, marginTop+plotH+5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%s</text>`+"\n", x, marginTop+plotH+20, esc(formatDepth(d)))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" fill="#222">rows skipped before the page (depth)</text>`+"\n", marginLeft+plotW/2, height-16)
	fmt.Fprintf(&b, `<text transform="translate(20 %d) rotate(-90)" text-anchor="middle" fill="#222">%s</text>`+"\n", marginTop+plotH/2, esc(c.yLabel))

	for _, l := range c.lines {
		fmt.Fprintf(&b, `<g class="line" data-key="%s">`+"\n", esc(l.key))
		var pts []string
		for _, p := range l.points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(p.x), yOf(p.med)))
		}
		dash := ""
		if l.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, l.dash)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", strings.Join(pts, " "), l.color, dash)
		for _, p := range l.points {
			x := xOf(p.x)
			if p.runs > 1 && p.hi > p.lo {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" opacity="0.6"/>`+"\n", x, yOf(p.lo), x, yOf(p.hi), l.color)
			}
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s, depth %s: %s</title></circle>`+"\n",
				x, yOf(p.med), l.color, esc(l.label), esc(c.depths[p.x]), formatNs(p.med))
		}
		b.WriteString("</g>\n")
	}

	// Legend.
	lx, ly := marginLeft+plotW+24, marginTop+8
	for i, l := range c.lines {
		y := ly + i*24
		dash := ""
		if l.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, l.dash)
		}
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", lx, y, lx+32, y, l.color, dash)
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3.5" fill="%s"/>`+"\n", lx+16, y, l.color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#222">%s</text>`+"\n", lx+42, y+4, esc(l.label))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// formatNs writes a duration in nanoseconds with a readable unit.
func formatNs(ns float64) string {
	unit, v := "ns", ns
	switch {
	case ns >= 1e9:
		unit, v = "s", ns/1e9
	case ns >= 1e6:
		unit, v = "ms", ns/1e6
	case ns >= 1e3:
		unit, v = "µs", ns/1e3
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " " + unit
}

// formatDepth writes 10000 as 10k and 1000000 as 1M.
func formatDepth(d string) string {
	n, err := strconv.Atoi(d)
	if err != nil {
		return d
	}
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n >= 1000 && n%1000 == 0:
		return strconv.Itoa(n/1000) + "k"
	}
	return d
}

func esc(s string) string { return html.EscapeString(s) }
