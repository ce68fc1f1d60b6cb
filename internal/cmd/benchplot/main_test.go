package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const goTestOutput = `goos: linux
goarch: amd64
pkg: github.com/go-paginate/paginate/internal/bench
BenchmarkPage/db=sqlite/strategy=offset/depth=last/impl=library-2   	      15	  21000000 ns/op	    6792 B/op	     203 allocs/op
BenchmarkPage/db=sqlite/strategy=offset/depth=0/impl=library-2      	   10000	     40000 ns/op	    7080 B/op	     230 allocs/op
BenchmarkPage/db=sqlite/strategy=offset/depth=10000/impl=library-2  	    2000	    400000 ns/op	    7096 B/op	     231 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=library-2      	   10000	     42000 ns/op	    8504 B/op	     247 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=10000/impl=library-2  	   10000	     44000 ns/op	   10049 B/op	     269 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=last/impl=library-2   	   10000	     43000 ns/op	    8937 B/op	     228 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=prepared-2     	   10000	     41000 ns/op	   12072 B/op	     277 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=library-2      	   10000	     46000 ns/op	    8504 B/op	     247 allocs/op
BenchmarkPage/db=sqlite/strategy=keyset/depth=0/impl=library-2      	   10000	     41000 ns/op	    8504 B/op	     247 allocs/op
BenchmarkCount/db=sqlite/impl=library-2                             	     128	   3390687 ns/op	     393 B/op	      10 allocs/op
--- BENCH: BenchmarkSomething
PASS
ok  	github.com/go-paginate/paginate/internal/bench	12.3s
`

const benchstatOutput = `goos: linux
goarch: amd64
cpu: AMD EPYC
                                          │  prepared   │                sqlx                 │               library               │
                                          │   sec/op    │   sec/op     vs base                │   sec/op     vs base                │
Page/db=sqlite/strategy=keyset/depth=0-2    41.00µ ± 2%   45.50µ ± 3%  +10.98% (p=0.002 n=6)   42.00µ ± 1%        ~ (p=0.180 n=6)
Page/db=sqlite/strategy=keyset/depth=last-2 39.00µ ± 2%   44.00µ ± 3%  +12.82% (p=0.002 n=6)   1.500m ± 1%  +3746.15% (p=0.002 n=6)
geomean                                     40.00µ        44.70µ       +11.90%                 250.0µ       +500.00%

                                          │   prepared   │                 sqlx                  │               library                │
                                          │     B/op     │     B/op      vs base                 │     B/op      vs base                │
Page/db=sqlite/strategy=keyset/depth=0-2    11.79Ki ± 0%   11.92Ki ± 0%  +1.09% (p=0.002 n=6)     8.305Ki ± 0%  -29.55% (p=0.002 n=6)
`

func TestParseGoTest(t *testing.T) {
	got, err := parse(strings.NewReader(goTestOutput), "ns/op")
	if err != nil {
		t.Fatal(err)
	}
	want := []sample{
		{"Page/db=sqlite/strategy=offset/depth=last/impl=library", []float64{21000000}},
		{"Page/db=sqlite/strategy=offset/depth=0/impl=library", []float64{40000}},
		{"Page/db=sqlite/strategy=offset/depth=10000/impl=library", []float64{400000}},
		{"Page/db=sqlite/strategy=keyset/depth=0/impl=library", []float64{42000, 46000, 41000}},
		{"Page/db=sqlite/strategy=keyset/depth=10000/impl=library", []float64{44000}},
		{"Page/db=sqlite/strategy=keyset/depth=last/impl=library", []float64{43000}},
		{"Page/db=sqlite/strategy=keyset/depth=0/impl=prepared", []float64{41000}},
		{"Count/db=sqlite/impl=library", []float64{3390687}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}
}

func TestParseBenchstat(t *testing.T) {
	got, err := parse(strings.NewReader(benchstatOutput), "ns/op")
	if err != nil {
		t.Fatal(err)
	}
	want := []sample{
		{"Page/db=sqlite/strategy=keyset/depth=0/col=prepared", []float64{41000}},
		{"Page/db=sqlite/strategy=keyset/depth=0/col=sqlx", []float64{45500}},
		{"Page/db=sqlite/strategy=keyset/depth=0/col=library", []float64{42000}},
		{"Page/db=sqlite/strategy=keyset/depth=last/col=prepared", []float64{39000}},
		{"Page/db=sqlite/strategy=keyset/depth=last/col=sqlx", []float64{44000}},
		{"Page/db=sqlite/strategy=keyset/depth=last/col=library", []float64{1500000}},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(sample{})); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}
}

// benchstatGaps is benchstat -col /impl output where some rows have no
// value in some columns.
const benchstatGaps = `                                              │  handwritten  │                library                │      prepared       │        sqlx         │
                                              │    sec/op     │    sec/op     vs base                 │    sec/op     vs base   │    sec/op     vs base   │
HTTP/strategy=keyset/depth=0-2                   125.1µ ± ∞ ¹   140.1µ ± ∞ ¹        ~ (p=1.000 n=1) ²
HTTP/strategy=keyset/depth=last-2               132.52µ ± ∞ ¹   74.81µ ± ∞ ¹        ~ (p=1.000 n=1) ²
Page/db=sqlite/strategy=keyset/depth=0-2                        43.33µ ± ∞ ¹                            56.61µ ± ∞ ¹          50.25µ ± ∞ ¹
Page/db=sqlite/strategy=keyset/depth=10000-2                    45.40µ ± ∞ ¹                            65.32µ ± ∞ ¹          49.29µ ± ∞ ¹
`

func TestParseBenchstatGaps(t *testing.T) {
	got, err := parse(strings.NewReader(benchstatGaps), "ns/op")
	if err != nil {
		t.Fatal(err)
	}
	want := []sample{
		{"HTTP/strategy=keyset/depth=0/col=handwritten", []float64{125100}},
		{"HTTP/strategy=keyset/depth=0/col=library", []float64{140100}},
		{"HTTP/strategy=keyset/depth=last/col=handwritten", []float64{132520}},
		{"HTTP/strategy=keyset/depth=last/col=library", []float64{74810}},
		{"Page/db=sqlite/strategy=keyset/depth=0/col=library", []float64{43330}},
		{"Page/db=sqlite/strategy=keyset/depth=0/col=prepared", []float64{56610}},
		{"Page/db=sqlite/strategy=keyset/depth=0/col=sqlx", []float64{50250}},
		{"Page/db=sqlite/strategy=keyset/depth=10000/col=library", []float64{45400}},
		{"Page/db=sqlite/strategy=keyset/depth=10000/col=prepared", []float64{65320}},
		{"Page/db=sqlite/strategy=keyset/depth=10000/col=sqlx", []float64{49290}},
	}
	opts := []cmp.Option{cmp.AllowUnexported(sample{}), cmpopts.EquateApprox(1e-9, 0)}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("parse (-want +got):\n%s", diff)
	}
}

func TestChart(t *testing.T) {
	samples, err := parse(strings.NewReader(goTestOutput), "ns/op")
	if err != nil {
		t.Fatal(err)
	}
	c, err := newChart(samples, regexp.MustCompile(`^Page/`), "Depth")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0", "10000", "last"}, c.depths); diff != "" {
		t.Errorf("depth axis (-want +got):\n%s", diff)
	}
	type lineSummary struct {
		Label  string
		Xs     []int
		Median []float64
	}
	var got []lineSummary
	for _, l := range c.lines {
		s := lineSummary{Label: l.label}
		for _, p := range l.points {
			s.Xs = append(s.Xs, p.x)
			s.Median = append(s.Median, p.med)
		}
		got = append(got, s)
	}
	want := []lineSummary{
		{"offset · library", []int{0, 1, 2}, []float64{40000, 400000, 21000000}},
		{"keyset · library", []int{0, 1, 2}, []float64{42000, 44000, 43000}},
		{"keyset · prepared", []int{0}, []float64{41000}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	// Color follows the implementation, dash the strategy.
	if c.lines[0].color != c.lines[1].color || c.lines[1].color == c.lines[2].color {
		t.Errorf("colors %s, %s, %s: want one per implementation", c.lines[0].color, c.lines[1].color, c.lines[2].color)
	}
	if c.lines[0].dash == c.lines[1].dash || c.lines[1].dash != c.lines[2].dash {
		t.Errorf("dashes %q, %q, %q: want one per strategy", c.lines[0].dash, c.lines[1].dash, c.lines[2].dash)
	}

	svg := c.svg()
	for _, s := range []string{
		`<svg xmlns="http://www.w3.org/2000/svg"`,
		`>Depth</text>`,
		`>10k</text>`,
		`>last</text>`,
		`>keyset · prepared</text>`,
		`median of 3 runs; bars show the range`,
		`<title>keyset · library, depth 0: 42 µs</title>`,
		`<title>offset · library, depth last: 21 ms</title>`,
		`>10 µs</text>`,
		`>100 ms</text>`,
	} {
		if !strings.Contains(svg, s) {
			t.Errorf("SVG lacks %q", s)
		}
	}
	if n := strings.Count(svg, "<polyline "); n != 3 {
		t.Errorf("SVG has %d polylines, want 3", n)
	}
	if !strings.HasSuffix(svg, "</svg>\n") {
		t.Error("SVG is not closed")
	}
}

func TestParseMetric(t *testing.T) {
	const out = `BenchmarkPage/depth=0/impl=library-2  	9000	 120000 ns/op	  40000 cpu-ns/op	  8504 B/op	 247 allocs/op
BenchmarkPage/depth=0/impl=library-2  	9000	 130000 ns/op	  41000 cpu-ns/op	  8504 B/op	 247 allocs/op
`
	const stat = `                          │    bench.txt     │
                          │    cpu-sec/op    │
Page/depth=0/impl=library-2   40.50µ ± 1%

                          │    bench.txt     │
                          │      sec/op      │
Page/depth=0/impl=library-2   125.0µ ± 4%
`
	for _, tc := range []struct {
		name, in, metric string
		want             []float64
	}{
		{"go test cpu", out, "cpu-ns/op", []float64{40000, 41000}},
		{"go test wall", out, "ns/op", []float64{120000, 130000}},
		{"benchstat cpu", stat, "cpu-ns/op", []float64{40500}},
		{"benchstat wall", stat, "ns/op", []float64{125000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(strings.NewReader(tc.in), tc.metric)
			if err != nil {
				t.Fatal(err)
			}
			want := []sample{{"Page/depth=0/impl=library", tc.want}}
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(sample{}), cmpopts.EquateApprox(1e-9, 0)); diff != "" {
				t.Errorf("parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChartNoMatch(t *testing.T) {
	samples, err := parse(strings.NewReader(goTestOutput), "ns/op")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newChart(samples, regexp.MustCompile(`^Count/`), "x"); err == nil {
		t.Error("newChart of benchmarks without depth: want an error")
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "bench.txt"), filepath.Join(dir, "chart.svg")
	if err := os.WriteFile(in, []byte(goTestOutput), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out, "strategy=keyset", "Keyset", "ns/op"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	svg := string(b)
	if n := strings.Count(svg, "<polyline "); n != 2 {
		t.Errorf("SVG has %d polylines, want 2 (the keyset lines)", n)
	}
	if strings.Contains(svg, "offset") {
		t.Error("SVG holds offset lines that -match excluded")
	}
	if err := run(in, out, "(", "x", "ns/op"); err == nil {
		t.Error("run with a bad -match: want an error")
	}
}
