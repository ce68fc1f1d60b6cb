// Command benchplot draws page latency against depth from benchmark
// output as an SVG line chart, so that anyone can redraw the charts in
// docs/ from their own run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./internal/bench > bench.txt
//	go run ./internal/cmd/benchplot -in bench.txt -match 'Page/db=sqlite/' -out docs/benchmarks.svg
//
// It reads go test -bench output (several runs of a benchmark are reduced
// to their median, and their range is drawn as a bar) or benchstat's text
// output (the center of each column). It plots the benchmarks whose names
// hold a depth=N part (depth=last is drawn after the deepest number): one
// line per benchmark name with the depth taken out, labelled with the
// name's parts that differ between lines. The y axis is logarithmic.
//
// Flags:
//
//	-in file      input (default standard input)
//	-out file     output (default standard output)
//	-match regexp plot only benchmarks whose names match
//	-title text   chart title
//	-metric unit  the go test unit to plot (default ns/op), such as
//	              cpu-ns/op; benchstat tables of its seconds form
//	              (sec/op, cpu-sec/op) are read
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

func main() {
	in := flag.String("in", "", "benchmark output to read (default standard input)")
	out := flag.String("out", "", "SVG file to write (default standard output)")
	match := flag.String("match", "", "plot only benchmarks whose names match this regular expression")
	title := flag.String("title", "Page latency against depth", "chart title")
	metric := flag.String("metric", "ns/op", `the go test unit to plot, such as "ns/op" or "cpu-ns/op"`)
	flag.Parse()
	if err := run(*in, *out, *match, *title, *metric); err != nil {
		fmt.Fprintln(os.Stderr, "benchplot:", err)
		os.Exit(1)
	}
}

func run(in, out, match, title, metric string) error {
	var re *regexp.Regexp
	if match != "" {
		var err error
		if re, err = regexp.Compile(match); err != nil {
			return fmt.Errorf("-match: %w", err)
		}
	}
	var r io.Reader = os.Stdin
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	samples, err := parse(r, metric)
	if err != nil {
		return err
	}
	c, err := newChart(samples, re, title)
	if err != nil {
		return err
	}
	if strings.HasPrefix(metric, "cpu-") {
		c.yLabel = "CPU time per page"
	}
	svg := c.svg()
	if out == "" {
		_, err = os.Stdout.WriteString(svg)
		return err
	}
	return os.WriteFile(out, []byte(svg), 0o644)
}
