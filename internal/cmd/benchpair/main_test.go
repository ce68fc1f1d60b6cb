package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseResult(t *testing.T) {
	tests := []struct {
		name string
		line string
		want result
		ok   bool
	}{
		{
			name: "with cpu metric",
			line: "BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=floor-2   \t   28000\t     41000 ns/op\t     39000 cpu-ns/op\t    6472 B/op\t     192 allocs/op",
			want: result{name: "Page/db=sqlite/strategy=keyset/depth=0/impl=floor", metrics: map[string]float64{
				"ns/op": 41000, "cpu-ns/op": 39000, "B/op": 6472, "allocs/op": 192,
			}, units: []string{"ns/op", "cpu-ns/op", "B/op", "allocs/op"}},
			ok: true,
		},
		{
			name: "hyphenated impl and fractional ns",
			line: "BenchmarkHTTP/db=sqlite/strategy=offset/depth=0/impl=sqlx-prepared-16 \t 100 \t 2700000.5 ns/op",
			want: result{name: "HTTP/db=sqlite/strategy=offset/depth=0/impl=sqlx-prepared", metrics: map[string]float64{"ns/op": 2700000.5}, units: []string{"ns/op"}},
			ok:   true,
		},
		{name: "name alone, as -test.v prints it", line: "BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=floor"},
		{name: "no iteration count", line: "BenchmarkPage-2 fast 41000 ns/op"},
		{name: "value not a number", line: "BenchmarkPage-2 10 x ns/op"},
		{name: "odd field count", line: "BenchmarkPage-2 10 41000 ns/op 7"},
		{name: "not a benchmark", line: "PASS"},
		{name: "log line", line: "    setup_test.go:127: database version: sqlite 3.54.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseResult(tt.line)
			if ok != tt.ok {
				t.Fatalf("parseResult(%q) ok = %v, want %v", tt.line, ok, tt.ok)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(result{}), cmpopts.IgnoreFields(result{}, "text")); diff != "" {
				t.Errorf("parseResult (-want +got):\n%s", diff)
			}
		})
	}
}

const firstRun = `goos: linux
goarch: amd64
pkg: github.com/go-paginate/paginate/internal/bench
cpu: AMD EPYC
BenchmarkPage
BenchmarkPage/db=sqlite
    setup_test.go:127: database version: sqlite 3.54.1
BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=floor-2 	1	 50000 ns/op	 48000 cpu-ns/op	 6000 B/op	 190 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=library-2 	1	 60000 ns/op	 58000 cpu-ns/op	 8000 B/op	 210 allocs/op
BenchmarkPage/db=postgres/strategy=offset/depth=last/impl=library-2 	1	 9000000 ns/op	 100000 cpu-ns/op	 6000 B/op	 160 allocs/op
    setup_test.go:208: database version: postgres 15.20
BenchmarkPage/db=postgres/strategy=offset/depth=last/impl=floor-2 	1	 8000000 ns/op	 90000 cpu-ns/op	 6400 B/op	 175 allocs/op
BenchmarkCountStrategy/db=sqlite/count=none-2 	1	 30000 ns/op
PASS
`

func TestParseOutput(t *testing.T) {
	o := parseOutput(firstRun)
	if diff := cmp.Diff([]string{"goos: linux", "goarch: amd64", "pkg: github.com/go-paginate/paginate/internal/bench", "cpu: AMD EPYC"}, o.header); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sqlite 3.54.1", "postgres 15.20"}, o.notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	var names []string
	for _, r := range o.results {
		names = append(names, r.name)
	}
	want := []string{
		"Page/db=sqlite/strategy=keyset/depth=0/impl=floor",
		"Page/db=sqlite/strategy=keyset/depth=0/impl=library",
		"Page/db=postgres/strategy=offset/depth=last/impl=library",
		"Page/db=postgres/strategy=offset/depth=last/impl=floor",
		"CountStrategy/db=sqlite/count=none",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// interleavedLine formats the line internal/bench's -interleave prints for
// group: the round's own metrics, then each approach's, named by it.
func interleavedLine(group string, floorWall, libWall float64) string {
	return fmt.Sprintf("Benchmark%s/impl=interleaved-2 \t 12 \t 90000000 ns/op \t %g floor:ns/op \t 80 floor:cpu-ns/op \t 5000 floor:B/op \t 170 floor:allocs/op \t %g library:ns/op \t 90 library:cpu-ns/op \t 6000 library:B/op \t 175 library:allocs/op \t 7000000 B/op \t 200000 allocs/op", group, floorWall, libWall)
}

func TestExpandInterleaved(t *testing.T) {
	const g = "Page/db=postgres/strategy=keyset/depth=0"
	o := parseOutput("goos: linux\n" + interleavedLine(g, 100, 110) + "\n" + line(g+"/impl=sqlx", 150, 1, 250) + "\nPASS\n")
	got := map[string]map[string]float64{}
	var names []string
	for _, r := range o.results {
		names = append(names, r.name)
		got[r.name] = r.metrics
	}
	want := map[string]map[string]float64{
		g + "/impl=floor":   {"ns/op": 100, "cpu-ns/op": 80, "B/op": 5000, "allocs/op": 170},
		g + "/impl=library": {"ns/op": 110, "cpu-ns/op": 90, "B/op": 6000, "allocs/op": 175},
		g + "/impl=sqlx":    {"ns/op": 150, "cpu-ns/op": 1, "B/op": 5000, "allocs/op": 250},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expanded results (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{g + "/impl=floor", g + "/impl=library", g + "/impl=sqlx"}, names); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if len(o.lines) != 2 || !strings.Contains(o.lines[0], "impl=interleaved") {
		t.Errorf("lines: want the two result lines as printed, got %q", o.lines)
	}
}

func TestSplitImpl(t *testing.T) {
	tests := []struct {
		name, group, impl string
		ok                bool
	}{
		{"Page/db=sqlite/strategy=keyset/depth=0/impl=sqlx-prepared", "Page/db=sqlite/strategy=keyset/depth=0", "sqlx-prepared", true},
		{"Count/db=postgres/impl=floor", "Count/db=postgres", "floor", true},
		{"X/impl=a/depth=3", "X/depth=3", "a", true},
		{"CountStrategy/db=sqlite/count=none", "", "", false},
	}
	for _, tt := range tests {
		g, impl, ok := splitImpl(tt.name)
		if g != tt.group || impl != tt.impl || ok != tt.ok {
			t.Errorf("splitImpl(%q) = %q, %q, %v; want %q, %q, %v", tt.name, g, impl, ok, tt.group, tt.impl, tt.ok)
		}
	}
}

// TestBenchPattern matches the pattern's elements against names level by
// level, as testing does, and checks that a group's pattern selects its
// own benchmarks and no neighbour's.
func TestBenchPattern(t *testing.T) {
	group := "Page/db=sqlite/strategy=keyset/depth=0"
	pat := benchPattern(group)
	if want := `^BenchmarkPage$/^db=sqlite$/^strategy=keyset$/^depth=0$`; pat != want {
		t.Fatalf("benchPattern(%q) = %q, want %q", group, pat, want)
	}
	matches := func(name string) bool {
		elems := strings.Split(pat, "/")
		for i, level := range strings.Split("Benchmark"+name, "/") {
			if i < len(elems) && !regexp.MustCompile(elems[i]).MatchString(level) {
				return false
			}
		}
		return true
	}
	for name, want := range map[string]bool{
		"Page/db=sqlite/strategy=keyset/depth=0/impl=floor":   true,
		"Page/db=sqlite/strategy=keyset/depth=0/impl=library": true,
		"Page/db=sqlite/strategy=keyset/depth=0":              true,
		"Page/db=sqlite/strategy=keyset/depth=00/impl=floor":  false,
		"Page/db=sqlite/strategy=keyset/depth=10000":          false,
		"Page/db=sqlite/strategy=offset/depth=0/impl=floor":   false,
		"Page/db=sqlite2/strategy=keyset/depth=0/impl=floor":  false,
		"PageX/db=sqlite/strategy=keyset/depth=0/impl=floor":  false,
	} {
		if got := matches(name); got != want {
			t.Errorf("pattern %s matches %s: %v, want %v", pat, name, got, want)
		}
	}
	if got := benchPattern("HTTP/db=a.b"); got != `^BenchmarkHTTP$/^db=a\.b$` {
		t.Errorf("benchPattern quotes metacharacters: got %s", got)
	}
}

func TestSpreadOf(t *testing.T) {
	tests := []struct {
		xs   []float64
		want spread
	}{
		{nil, spread{}},
		{[]float64{3}, spread{3, 3, 3, 1}},
		{[]float64{5, 1, 3}, spread{3, 1, 5, 3}},
		{[]float64{4, 1, 3, 10}, spread{3.5, 1, 10, 4}},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.xs)
		got := spreadOf(tt.xs)
		if got != tt.want {
			t.Errorf("spreadOf(%v) = %+v, want %+v", tt.xs, got, tt.want)
		}
		if !slices.Equal(in, tt.xs) {
			t.Errorf("spreadOf reordered its input: %v, was %v", tt.xs, in)
		}
	}
}

// line formats a result line of go test output.
func line(name string, wall, cpu, allocs float64) string {
	return fmt.Sprintf("Benchmark%s-2 \t 100 \t %g ns/op \t %g cpu-ns/op \t 5000 B/op \t %g allocs/op", name, wall, cpu, allocs)
}

func mustAdd(t *testing.T, c *collection, pass int, s string) {
	t.Helper()
	r, ok := parseResult(s)
	if !ok {
		t.Fatalf("not a result: %q", s)
	}
	if err := c.add(pass, r); err != nil {
		t.Fatal(err)
	}
}

// TestSummarizePairs checks that ratios are taken within a pass: the
// median of the paired ratios differs from the ratio of the medians here.
func TestSummarizePairs(t *testing.T) {
	c := newCollection("auto")
	const sq = "Page/db=sqlite/strategy=keyset/depth=0"
	const pg = "Page/db=postgres/strategy=keyset/depth=0"
	// SQLite is judged on cpu-ns/op: floor 10, 20, 40; library 12, 22, 60.
	// Wall times are set to mislead.
	for p, v := range [][2]float64{{10, 12}, {20, 22}, {40, 60}} {
		mustAdd(t, c, p, line(sq+"/impl=library", 999, v[1], 211+float64(p)))
		mustAdd(t, c, p, line(sq+"/impl=floor", 1, v[0], 192))
		mustAdd(t, c, p, line(sq+"/impl=sqlx", 5, 2*v[0], 250))
	}
	// PostgreSQL is judged on ns/op; pass 1 has no library measurement.
	mustAdd(t, c, 0, line(pg+"/impl=floor", 100, 1, 170))
	mustAdd(t, c, 0, line(pg+"/impl=library", 130, 1, 190))
	mustAdd(t, c, 1, line(pg+"/impl=floor", 200, 1, 170))
	mustAdd(t, c, 2, line(pg+"/impl=floor", 300, 1, 170))
	mustAdd(t, c, 2, line(pg+"/impl=library", 450, 1, 190))
	mustAdd(t, c, 0, "BenchmarkCountStrategy/db=sqlite/count=none-2 \t 10 \t 30000 ns/op")

	got := c.summarize("floor")
	want := []summary{
		{group: sq, impl: "floor", metric: cpuMetric, value: spread{20, 10, 40, 3}, allocs: spread{192, 192, 192, 3}},
		{group: sq, impl: "library", metric: cpuMetric, value: spread{22, 12, 60, 3}, allocs: spread{212, 211, 213, 3},
			ratio: spread{1.2, 1.1, 1.5, 3}, dAllocs: spread{20, 19, 21, 3}},
		{group: sq, impl: "sqlx", metric: cpuMetric, value: spread{40, 20, 80, 3}, allocs: spread{250, 250, 250, 3},
			ratio: spread{2, 2, 2, 3}, dAllocs: spread{58, 58, 58, 3}},
		{group: pg, impl: "floor", metric: wallMetric, value: spread{200, 100, 300, 3}, allocs: spread{170, 170, 170, 3}},
		{group: pg, impl: "library", metric: wallMetric, value: spread{290, 130, 450, 2}, allocs: spread{190, 190, 190, 2},
			ratio: spread{1.4, 1.3, 1.5, 2}, dAllocs: spread{20, 20, 20, 2}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(summary{}, spread{}), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("summarize (-want +got):\n%s", diff)
	}
}

func TestCollectionErrors(t *testing.T) {
	c := newCollection("auto")
	r, _ := parseResult("BenchmarkPage/db=sqlite/depth=0/impl=floor-2 \t 10 \t 5 ns/op")
	if err := c.add(0, r); err == nil || !strings.Contains(err.Error(), "no cpu-ns/op") {
		t.Errorf("a SQLite result without cpu-ns/op: err = %v", err)
	}
	c = newCollection(wallMetric)
	if err := c.add(0, r); err != nil {
		t.Fatalf("with -metric ns/op: %v", err)
	}
	if err := c.add(0, r); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("the same result twice in a pass: err = %v", err)
	}
}

func TestPassOrder(t *testing.T) {
	groups := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	var firsts []string
	for p := range 7 {
		o := passOrder(groups, p, 7)
		firsts = append(firsts, o[0])
		// A rotation: every group once, neighbours kept.
		k := slices.Index(groups, o[0])
		if !slices.Equal(o, append(slices.Clone(groups[k:]), groups[:k]...)) {
			t.Errorf("pass %d: %v is not a rotation of %v", p, o, groups)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "e", "f", "h", "i"}, firsts); diff != "" {
		t.Errorf("first groups of the passes (-want +got):\n%s", diff)
	}
	if o := passOrder(groups[:2], 5, 7); !slices.Equal(o, []string{"b", "a"}) {
		t.Errorf("two groups, pass 5 of 7: %v", o)
	}
}

// fakeBinary stands for the test binary: the first run lists two groups
// of two approaches and one benchmark without approaches; a timed run
// answers for the group its -test.bench pattern names, with the floor at
// 100 ns and the library at 100+10·(pass+1) ns (CPU time), in the order
// -rotate says.
type fakeBinary struct {
	calls       [][]string
	interleaved bool   // timed runs print one line a group, as -interleave does
	failGroup   string // a group whose run fails
	dropImpl    string // an approach timed runs leave out
}

var fakeGroups = []string{"Page/db=sqlite/strategy=keyset/depth=0", "Page/db=sqlite/strategy=offset/depth=last"}

// wantInReport reports each of lines that md lacks.
func wantInReport(t *testing.T, md string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(md, l) {
			t.Errorf("report lacks %q:\n%s", l, md)
		}
	}
}

// flagValues returns the values of the flags in a binary's arguments
// that have one.
func flagValues(args []string) map[string]string {
	flags := map[string]string{}
	for i, a := range args {
		if strings.HasPrefix(a, "-") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			flags[a] = args[i+1]
		}
	}
	return flags
}

func (f *fakeBinary) run(_ context.Context, args []string) (string, error) {
	f.calls = append(f.calls, args)
	flags := flagValues(args)
	if flags["-test.benchtime"] == "1x" {
		var b strings.Builder
		b.WriteString("goos: linux\ncpu: fake\n    x_test.go:1: database version: sqlite 9.9\n")
		for _, g := range fakeGroups {
			b.WriteString(line(g+"/impl=floor", 1, 1, 100) + "\n" + line(g+"/impl=library", 1, 1, 120) + "\n")
		}
		b.WriteString("BenchmarkCountStrategy/db=sqlite/count=none-2 \t 1 \t 5 ns/op\n")
		return b.String(), nil
	}
	pass, err := strconv.Atoi(flags["-rotate"])
	if err != nil {
		return "", err
	}
	for _, g := range fakeGroups {
		if flags["-test.bench"] != benchPattern(g) {
			continue
		}
		if g == f.failGroup {
			return "--- FAIL: rows differ", errors.New("exit status 1")
		}
		if f.interleaved {
			if !slices.Contains(args, "-interleave") {
				return "", fmt.Errorf("a timed run without -interleave: %v", args)
			}
			return interleavedLine(g, 100, float64(100+10*(pass+1))) + "\nPASS\n", nil
		}
		lines := []string{line(g+"/impl=floor", 1, 100, 100), line(g+"/impl=library", 1, float64(100+10*(pass+1)), 120)}
		if pass%2 == 1 {
			slices.Reverse(lines)
		}
		var out []string
		for _, l := range lines {
			if f.dropImpl == "" || !strings.Contains(l, "impl="+f.dropImpl+"-") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n") + "\nPASS\n", nil
	}
	return "", fmt.Errorf("no group for %q", flags["-test.bench"])
}

func newFakeSession(f *fakeBinary, raw *bytes.Buffer) *session {
	loads := 0
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &session{
		opts: options{bench: "Page", benchtime: "1s", timeout: "1h", passes: 3, metric: "auto", base: "floor", impl: "library"},
		run:  f.run,
		load: func() string { loads++; return fmt.Sprintf("%d.00 0.50 0.25", loads) },
		now:  func() time.Time { clock = clock.Add(time.Minute); return clock },
		log:  &bytes.Buffer{},
	}
	if raw != nil {
		s.raw = raw
	}
	return s
}

func TestSession(t *testing.T) {
	f := &fakeBinary{}
	var raw bytes.Buffer
	s := newFakeSession(f, &raw)
	md, err := s.measure(context.Background(), []string{"-passes", "3", "-bench", "Page|HTTP"})
	if err != nil {
		t.Fatal(err)
	}
	// One first run, then per pass one run per group, in rotated order.
	var order []string
	for _, c := range f.calls[1:] {
		i := slices.Index(c, "-test.bench")
		order = append(order, c[i+1]+" rotate="+c[slices.Index(c, "-rotate")+1])
		if !slices.Contains(c, "-test.count") || c[slices.Index(c, "-test.count")+1] != "1" {
			t.Errorf("a timed run without -test.count 1: %v", c)
		}
	}
	p0, p1 := benchPattern(fakeGroups[0]), benchPattern(fakeGroups[1])
	wantOrder := []string{p0 + " rotate=0", p1 + " rotate=0", p0 + " rotate=1", p1 + " rotate=1", p1 + " rotate=2", p0 + " rotate=2"}
	if diff := cmp.Diff(wantOrder, order); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
	// library ÷ floor is 1.10, 1.20, 1.30 in the three passes.
	wantInReport(t, md,
		"| Page | sqlite | keyset | 0 | CPU | 100 ns | 120 ns | **1.20×** | 1.10–1.30× | +20 |",
		"| Page | sqlite | offset | last | CPU | 100 ns | 120 ns | **1.20×** | 1.10–1.30× | +20 |",
		"| Page | sqlite | keyset | 0 | library | CPU | 120 ns | 1.20× | 1.10–1.30× | 120 | +20 | 3 |",
		"| Page | sqlite | keyset | 0 | floor | CPU | 100 ns | 1 |  | 100 |  | 3 |",
		"| 1 | 2026-01-02 03:05:05 | 1m0s | 1.00 0.50 0.25 | 2.00 0.50 0.25 | "+fakeGroups[0]+" |",
		"| 3 | 2026-01-02 03:09:05 | 1m0s | 5.00 0.50 0.25 | 6.00 0.50 0.25 | "+fakeGroups[1]+" |",
		"databases: sqlite 9.9",
		"command: `go run ./internal/cmd/benchpair -passes 3 -bench 'Page|HTTP'`",
	)
	rawText := raw.String()
	if !strings.HasPrefix(rawText, "goos: linux\ncpu: fake\n") || strings.Count(rawText, "\nBenchmarkPage/") != 12 {
		t.Errorf("raw output: want the header and 12 result lines, got:\n%s", rawText)
	}
	if strings.Contains(rawText, "CountStrategy") {
		t.Errorf("raw output holds a benchmark that was not paired:\n%s", rawText)
	}
}

// TestSessionInterleaved runs passes whose runs print one interleaved
// line a group: each approach is paired as if it had a line of its own,
// and the raw output keeps the lines as printed.
func TestSessionInterleaved(t *testing.T) {
	f := &fakeBinary{interleaved: true}
	var raw bytes.Buffer
	s := newFakeSession(f, &raw)
	s.opts.interleave = "50ms"
	s.opts.metric = wallMetric
	md, err := s.measure(context.Background(), []string{"-interleave", "50ms"})
	if err != nil {
		t.Fatal(err)
	}
	wantInReport(t, md,
		// library ÷ floor is 1.10, 1.20, 1.30 in the three passes; the
		// allocations differ by 5 in each.
		"| Page | sqlite | keyset | 0 | wall | 100 ns | 120 ns | **1.20×** | 1.10–1.30× | +5 |",
		"interleaved in blocks of about 50ms",
	)
	if n := strings.Count(raw.String(), "impl=interleaved"); n != 6 {
		t.Errorf("raw output: %d interleaved lines, want 6 (two groups, three passes):\n%s", n, raw.String())
	}
	col := newCollection(wallMetric)
	if _, err := poolRaw(col, strings.NewReader(raw.String()), 0); err != nil {
		t.Fatal(err)
	}
	r := report{summaries: col.summarize("floor"), base: "floor", impl: "library"}
	pooled := r.markdown()
	if !strings.Contains(pooled, "**1.20×** | 1.10–1.30×") {
		t.Errorf("pooling the raw output lost the pairs:\n%s", pooled)
	}
}

func TestSessionErrors(t *testing.T) {
	tests := []struct {
		name string
		f    *fakeBinary
		opts func(*options)
		want string
	}{
		{"a run fails", &fakeBinary{failGroup: fakeGroups[1]}, nil, "rows differ"},
		{"an approach is missing", &fakeBinary{dropImpl: "library"}, nil, "impl=library did not run"},
		{"no base", &fakeBinary{}, func(o *options) { o.base = "nothing" }, "no impl=nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeSession(tt.f, nil)
			if tt.opts != nil {
				tt.opts(&s.opts)
			}
			_, err := s.measure(context.Background(), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	for ns, want := range map[float64]string{
		5:          "5.00 ns",
		999.4:      "999 ns",
		999.6:      "1.00 µs",
		41234:      "41.2 µs",
		123456:     "123 µs",
		24_600_000: "24.6 ms",
		1.5e9:      "1.50 s",
	} {
		if got := formatNs(ns); got != want {
			t.Errorf("formatNs(%v) = %q, want %q", ns, got, want)
		}
	}
	if got := formatRange(spread{1.2, 1.104, 1.356, 3}); got != "1.10–1.36×" {
		t.Errorf("formatRange = %q", got)
	}
	if got := formatDelta(spread{-3, -4, -2, 3}); got != "-3" {
		t.Errorf("formatDelta = %q", got)
	}
	if got := formatRange(spread{}); got != "n/a" {
		t.Errorf("formatRange of nothing = %q", got)
	}
}

func TestLoadFields(t *testing.T) {
	if got := loadFields("10.40 6.45 3.23 11/233 24938\n"); got != "10.40 6.45 3.23" {
		t.Errorf("loadFields = %q", got)
	}
	if got := loadFields(""); got != "n/a" {
		t.Errorf("loadFields of nothing = %q", got)
	}
}

func TestParseFlags(t *testing.T) {
	for _, args := range [][]string{{"-passes", "0"}, {"-metric", "B/op"}, {"extra"}, {"-nope"}} {
		var stderr bytes.Buffer
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("parseFlags(%q) succeeded", args)
		}
	}
	c, err := parseFlags([]string{"-passes", "3", "-bench", "Page/db=sqlite"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.passes != 3 || c.bench != "Page/db=sqlite" || c.base != "floor" || c.metric != "auto" {
		t.Errorf("parseFlags: %+v", c)
	}
}

// TestPool pools two runs' raw output: the k-th result of a name in a
// file is that file's pass k, and the second file's passes follow the
// first's, so that every floor is paired with the library of its own pass.
func TestPool(t *testing.T) {
	const pg = "Page/db=postgres/strategy=keyset/depth=0"
	header := "goos: linux\ngoarch: amd64\npkg: github.com/go-paginate/paginate/internal/bench\n"
	// Run A: two passes, ratios 1.1 and 0.9; run B: one pass, ratio 1.3.
	runA := header + strings.Join([]string{
		line(pg+"/impl=floor", 100, 1, 170), line(pg+"/impl=library", 110, 1, 175),
		line(pg+"/impl=library", 90, 1, 175), line(pg+"/impl=floor", 100, 1, 170),
	}, "\n") + "\n"
	runB := header + line(pg+"/impl=library", 260, 1, 176) + "\n" + line(pg+"/impl=floor", 200, 1, 170) + "\n"
	c := newCollection("auto")
	n, err := poolRaw(c, strings.NewReader(runA), 0)
	if err != nil || n != 2 {
		t.Fatalf("run A: %d passes, err %v; want 2", n, err)
	}
	if n, err = poolRaw(c, strings.NewReader(runB), n); err != nil || n != 1 {
		t.Fatalf("run B: %d passes, err %v; want 1", n, err)
	}
	got := c.summarize("floor")
	want := []summary{
		{group: pg, impl: "floor", metric: wallMetric, value: spread{100, 100, 200, 3}, allocs: spread{170, 170, 170, 3}},
		{group: pg, impl: "library", metric: wallMetric, value: spread{110, 90, 260, 3}, allocs: spread{175, 175, 176, 3},
			ratio: spread{1.1, 0.9, 1.3, 3}, dAllocs: spread{5, 5, 6, 3}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(summary{}, spread{}), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("pooled summary (-want +got):\n%s", diff)
	}
	md := poolReport(c, 3, []string{"a.txt", "b.txt"}, options{metric: "auto", base: "floor", impl: "library"})
	wantInReport(t, md, "pooled from a.txt, b.txt: 3 passes in all", "| **1.10×** | 0.90–1.30× |")
	if strings.Contains(md, "### Passes") {
		t.Errorf("a pooled report has no passes of its own to list:\n%s", md)
	}
	dir := t.TempDir()
	if _, _, err := poolFiles([]string{dir + "/missing.txt"}, "auto"); err == nil {
		t.Error("a missing file: no error")
	}
	if err := os.WriteFile(dir+"/empty.txt", []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := poolFiles([]string{dir + "/empty.txt"}, "auto"); err == nil || !strings.Contains(err.Error(), "no benchmark results") {
		t.Errorf("a file without results: err = %v", err)
	}
}

// TestDepthSpans checks that each approach's last page is divided by its
// own first page of the same pass, and that groups measured at only one
// of the two depths, or at none, have no span.
func TestDepthSpans(t *testing.T) {
	c := newCollection("auto")
	const fam = "Page/db=sqlite/strategy=keyset"
	// floor: 10→11 and 20→30 (pass 3 has no last page): 1.1 and 1.5.
	// library: 12→15, 22→22, 60→66: 1.25, 1.0 and 1.1.
	for p, v := range [][4]float64{{10, 11, 12, 15}, {20, 30, 22, 22}, {40, 0, 60, 66}} {
		mustAdd(t, c, p, line(fam+"/depth=0/impl=floor", 1, v[0], 181))
		if v[1] > 0 {
			mustAdd(t, c, p, line(fam+"/depth=last/impl=floor", 1, v[1], 156))
		}
		mustAdd(t, c, p, line(fam+"/depth=0/impl=library", 1, v[2], 185))
		mustAdd(t, c, p, line(fam+"/depth=last/impl=library", 1, v[3], 164))
		mustAdd(t, c, p, line("Page/db=sqlite/strategy=offset/depth=0/impl=floor", 1, 5, 100))
		mustAdd(t, c, p, line("Page/db=sqlite/strategy=offset/depth=10000/impl=floor", 1, 50, 100))
		mustAdd(t, c, p, line("HTTP/db=sqlite/impl=floor", 1, 7, 100))
	}
	got := c.depthSpans()
	want := []depthSpan{
		{family: fam, impl: "floor", metric: cpuMetric, ratio: spread{1.3, 1.1, 1.5, 2}},
		{family: fam, impl: "library", metric: cpuMetric, ratio: spread{1.1, 1.0, 1.25, 3}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(depthSpan{}, spread{}), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
		t.Errorf("depthSpans (-want +got):\n%s", diff)
	}
	r := report{summaries: c.summarize("floor"), spans: got, base: "floor", impl: "library"}
	md := r.markdown()
	wantInReport(t, md,
		"### depth=last ÷ depth=0",
		"| benchmark | db | strategy | impl | time | depth=last ÷ depth=0 | range | passes |",
		"| Page | sqlite | keyset | library | CPU | **1.10×** | 1.00–1.25× | 3 |",
	)
}

// TestSessionInterleavedDepths runs a binary whose interleaved line holds
// the approaches of two depths (internal/bench's BenchmarkPage under
// -interleave): each pass runs it once, and its results are paired as the
// groups of each depth, ÷ floor and last ÷ first, within the pass.
func TestSessionInterleavedDepths(t *testing.T) {
	const run = "Page/db=sqlite/strategy=keyset"
	// In pass p the library takes 110 ns at depth 0 and 110·(1.1+0.1p) ns
	// at the last page, where the floor takes 100 ns at both.
	lineFor := func(p int) string {
		last := 110 * (1.1 + 0.1*float64(p))
		var b strings.Builder
		fmt.Fprintf(&b, "Benchmark%s/impl=interleaved-2 \t 8 \t 90000000 ns/op", run)
		for _, m := range []struct {
			name string
			ns   float64
		}{{"depth=0/floor", 100}, {"depth=0/library", 110}, {"depth=last/floor", 100}, {"depth=last/library", last}} {
			fmt.Fprintf(&b, " \t %g %s:ns/op \t 5 %s:allocs/op", m.ns, m.name, m.name)
		}
		return b.String()
	}
	var timed int
	f := func(_ context.Context, args []string) (string, error) {
		flags := flagValues(args)
		if flags["-interleave"] == "" {
			return "", fmt.Errorf("a run without -interleave: %v", args)
		}
		if flags["-test.benchtime"] == "1x" {
			return lineFor(0) + "\nPASS\n", nil
		}
		if flags["-test.bench"] != benchPattern(run) {
			return "", fmt.Errorf("timed run of %q, want %q", flags["-test.bench"], benchPattern(run))
		}
		timed++
		p, err := strconv.Atoi(flags["-rotate"])
		if err != nil {
			return "", err
		}
		return lineFor(p) + "\nPASS\n", nil
	}
	s := newFakeSession(&fakeBinary{}, nil)
	s.run = f
	s.opts.interleave = "50ms"
	s.opts.metric = wallMetric
	md, err := s.measure(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if timed != 3 {
		t.Errorf("%d timed runs, want 3: one a pass for both depths", timed)
	}
	wantInReport(t, md,
		"| Page | sqlite | keyset | 0 | wall | 100 ns | 110 ns | **1.10×** | 1.10–1.10× | +0 |",
		"| Page | sqlite | keyset | last | wall | 100 ns | 132 ns | **1.32×** | 1.21–1.43× | +0 |",
		"| Page | sqlite | keyset | library | wall | **1.20×** | 1.10–1.30× | 3 |",
	)
}
