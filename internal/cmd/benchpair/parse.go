package main

import (
	"bufio"
	"regexp"
	"strconv"
	"strings"
)

// result is one line of go test -bench output: a benchmark's name and its
// metrics by unit ("ns/op", "cpu-ns/op", "allocs/op", ...).
type result struct {
	name    string // without "Benchmark" and the -GOMAXPROCS suffix
	metrics map[string]float64
	units   []string // the metrics' units, in the order the line gives them
	text    string   // the line as go test printed it
	// run is the group of the benchmark that printed the result, which
	// benchPattern(run) runs again: the result's own group, or the group
	// of the interleaved line it came from (see expand).
	run string
}

// procsSuffix is the -GOMAXPROCS suffix go test appends to a name when
// GOMAXPROCS is not 1. No benchmark of internal/bench has a name ending
// in a dash and digits of its own.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseResult parses "BenchmarkX/a=b-2  1000  1234 ns/op  56 B/op ...".
func parseResult(s string) (result, bool) {
	f := strings.Fields(s)
	if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return result{}, false
	}
	if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
		return result{}, false
	}
	r := result{
		name:    procsSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), ""),
		metrics: make(map[string]float64, (len(f)-2)/2),
		text:    strings.TrimRight(s, " \t"),
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return result{}, false
		}
		r.metrics[f[i+1]] = v
		r.units = append(r.units, f[i+1])
	}
	return r, true
}

// interleavedImpl is the approach named by a line that carries every
// approach of its group, timed together: internal/bench's -interleave.
const interleavedImpl = "interleaved"

// expand returns the results r stands for: r itself, or, for an
// interleaved line, one result per approach its units name ("floor:ns/op"
// is the floor's ns/op), in the order the line names them first. An
// approach named with more elements ("depth=0/floor") is a result of the
// group those elements extend: Page/db=sqlite/strategy=keyset/depth=0,
// impl=floor. The interleaved line's own metrics, without an approach, are
// per round of all the approaches and are dropped.
func expand(r result) []result {
	group, impl, ok := splitImpl(r.name)
	r.run = group
	if !ok || impl != interleavedImpl {
		return []result{r}
	}
	var out []result
	at := map[string]int{}
	for _, u := range r.units {
		name, unit, found := strings.Cut(u, ":")
		if !found {
			continue
		}
		i, seen := at[name]
		if !seen {
			i = len(out)
			at[name] = i
			g := group
			if j := strings.LastIndex(name, "/"); j >= 0 {
				g, name = group+"/"+name[:j], name[j+1:]
			}
			out = append(out, result{name: g + "/impl=" + name, metrics: map[string]float64{}, text: r.text, run: group})
		}
		out[i].metrics[unit] = r.metrics[u]
		out[i].units = append(out[i].units, unit)
	}
	return out
}

// output is what one run of the test binary printed, sorted.
type output struct {
	results []result // an interleaved line's expanded (see expand)
	lines   []string // the result lines, as printed
	header  []string // "goos: linux", "cpu: ...", in order
	notes   []string // "database version: ..." lines logged with -test.v
}

// headerKeys are the configuration lines go test prints before results.
var headerKeys = []string{"goos:", "goarch:", "pkg:", "cpu:"}

// parseOutput sorts the lines of a run's output; anything else is ignored.
func parseOutput(s string) output {
	var o output
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if r, ok := parseResult(line); ok {
			o.results = append(o.results, expand(r)...)
			o.lines = append(o.lines, r.text)
			continue
		}
		for _, k := range headerKeys {
			if strings.HasPrefix(line, k) {
				o.header = append(o.header, line)
			}
		}
		if _, note, ok := strings.Cut(line, "database version: "); ok {
			o.notes = append(o.notes, note)
		}
	}
	return o
}

// splitImpl splits a benchmark name into its group (the name without its
// impl= element) and the approach the impl= element names.
func splitImpl(name string) (group, impl string, ok bool) {
	elems := strings.Split(name, "/")
	for i, e := range elems {
		if v, found := strings.CutPrefix(e, "impl="); found {
			rest := append(append([]string(nil), elems[:i]...), elems[i+1:]...)
			return strings.Join(rest, "/"), v, true
		}
	}
	return "", "", false
}

// benchPattern returns the -test.bench pattern that runs exactly the
// benchmarks of group, every approach included: each element of the name
// anchored at both ends, one per level, as testing matches them.
func benchPattern(group string) string {
	elems := strings.Split(group, "/")
	for i, e := range elems {
		if i == 0 {
			e = "Benchmark" + e
		}
		elems[i] = "^" + regexp.QuoteMeta(e) + "$"
	}
	return strings.Join(elems, "/")
}

// part is one element of a group's name: "db=sqlite" is {"db", "sqlite"};
// the first element, the benchmark's name, has the key "benchmark".
type part struct{ key, value string }

// parts splits a group's name into its parts.
func parts(group string) []part {
	elems := strings.Split(group, "/")
	ps := make([]part, len(elems))
	for i, e := range elems {
		if i == 0 {
			ps[i] = part{"benchmark", e}
		} else if k, v, ok := strings.Cut(e, "="); ok {
			ps[i] = part{k, v}
		} else {
			ps[i] = part{e, e}
		}
	}
	return ps
}
