package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// sample is every measurement of one benchmark, in nanoseconds per
// operation.
type sample struct {
	name string // without the "Benchmark" prefix and the -GOMAXPROCS suffix
	ns   []float64
}

// procsSuffix is the -GOMAXPROCS suffix go test appends to a name.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// trimName drops the "Benchmark" prefix and the -GOMAXPROCS suffix.
func trimName(s string) string {
	return procsSuffix.ReplaceAllString(strings.TrimPrefix(s, "Benchmark"), "")
}

// parse reads go test -bench output, or benchstat's text output, and
// returns the samples of metric (a go test unit such as "ns/op" or
// "cpu-ns/op"; benchstat writes it in seconds, "sec/op") in the order their
// names first appear. Lines that are neither are ignored, so a whole log
// can be piped in.
func parse(r io.Reader, metric string) ([]sample, error) {
	statUnit := strings.Replace(metric, "ns/op", "sec/op", 1)
	var out []sample
	index := map[string]int{}
	add := func(name string, ns float64) {
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, sample{name: name})
		}
		out[i].ns = append(out[i].ns, ns)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	var cols []column  // benchstat: the current table's columns
	timeTable := false // benchstat: inside a table of sec/op
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			timeTable = false
			continue
		}
		if strings.HasPrefix(fields[0], "Benchmark") {
			if name, ns, ok := goTestLine(fields, metric); ok {
				add(name, ns)
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "│") {
			// A benchstat header: the column names, then the units.
			if strings.Contains(line, "/op") {
				timeTable = slices.Contains(strings.Fields(strings.ReplaceAll(line, "│", " ")), statUnit)
			} else {
				cols = headerColumns(line)
			}
			continue
		}
		if !timeTable || fields[0] == "geomean" {
			continue
		}
		name := trimName(fields[0])
		for j, c := range benchstatCenters(line) {
			if len(cols) <= 1 {
				if j == 0 {
					add(name, c.ns)
				}
			} else if i := columnAt(cols, c.pos); i >= 0 {
				add(name+"/col="+cols[i].name, c.ns)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return out, nil
}

// column is one column of a benchstat table: its name and where it
// starts and ends, in runes from the start of the line.
type column struct {
	name       string
	start, end int
}

// headerColumns returns the columns of a benchstat header row such as
// "      │ prepared │ sqlx │ library │".
func headerColumns(line string) []column {
	var cols []column
	var cur []rune
	start := -1
	for i, r := range []rune(line) {
		if r != '│' {
			if start >= 0 {
				cur = append(cur, r)
			}
			continue
		}
		if start >= 0 {
			cols = append(cols, column{name: strings.TrimSpace(string(cur)), start: start, end: i})
		}
		start, cur = i, cur[:0]
	}
	return cols
}

// columnAt returns the index of the column holding rune position pos, or
// -1.
func columnAt(cols []column, pos int) int {
	for i, c := range cols {
		if pos > c.start && pos < c.end {
			return i
		}
	}
	return -1
}

// center is one value of a benchstat row and where it starts.
type center struct {
	ns  float64
	pos int // in runes
}

// benchstatCenters returns the center of each column of a benchstat row,
// after its name: every time followed by "±".
func benchstatCenters(line string) []center {
	type token struct {
		text string
		pos  int
	}
	var toks []token
	start := -1
	rs := []rune(line)
	for i := 0; i <= len(rs); i++ {
		if i == len(rs) || rs[i] == ' ' || rs[i] == '\t' {
			if start >= 0 {
				toks = append(toks, token{string(rs[start:i]), start})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	var out []center
	for i := 1; i+1 < len(toks); i++ {
		if toks[i+1].text != "±" {
			continue
		}
		if ns, ok := parseSeconds(toks[i].text); ok {
			out = append(out, center{ns, toks[i].pos})
		}
	}
	return out
}

// goTestLine parses "BenchmarkX-2  1000  1234 ns/op  56 B/op  7 allocs/op".
func goTestLine(f []string, metric string) (string, float64, bool) {
	if len(f) < 4 {
		return "", 0, false
	}
	if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
		return "", 0, false
	}
	for i := 2; i+1 < len(f); i += 2 {
		if f[i+1] == metric {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return "", 0, false
			}
			return trimName(f[0]), v, true
		}
	}
	return "", 0, false
}

// siScale maps benchstat's SI prefixes to a factor from seconds to
// nanoseconds.
var siScale = map[string]float64{"": 1e9, "m": 1e6, "µ": 1e3, "u": 1e3, "n": 1, "p": 1e-3}

// parseSeconds parses benchstat's "42.1µ" (seconds with an SI prefix) into
// nanoseconds.
func parseSeconds(s string) (float64, bool) {
	s = strings.TrimSuffix(s, "s")
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	scale, ok := siScale[s[len(num):]]
	if !ok || num == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	return v * scale, true
}

// median returns the median of xs, which must not be empty.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
