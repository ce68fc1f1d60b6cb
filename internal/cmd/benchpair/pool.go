package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// poolFiles reads the -raw files of earlier runs and returns their
// passes as one collection, so that the report pairs and summarizes the
// passes of several runs together. In each file the k-th result of one
// benchmark name belongs to its k-th pass, as the passes wrote them; the
// passes of later files are numbered after those of earlier ones.
func poolFiles(paths []string, metric string) (*collection, int, error) {
	c := newCollection(metric)
	offset := 0
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, 0, err
		}
		n, err := poolRaw(c, f, offset)
		f.Close()
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", p, err)
		}
		if n == 0 {
			return nil, 0, fmt.Errorf("%s: no benchmark results", p)
		}
		offset += n
	}
	return c, offset, nil
}

// poolRaw adds the results read from r to c, its passes numbered from
// offset, and returns how many passes it held: the most results of any
// one benchmark.
func poolRaw(c *collection, r io.Reader, offset int) (int, error) {
	seen := map[string]int{}
	passes := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, ok := parseResult(sc.Text())
		if !ok {
			continue
		}
		for _, res := range expand(line) {
			k := seen[res.name]
			seen[res.name] = k + 1
			passes = max(passes, k+1)
			if err := c.add(offset+k, res); err != nil {
				return 0, err
			}
		}
	}
	return passes, sc.Err()
}

// poolReport is the report of the passes pooled from paths.
func poolReport(c *collection, passes int, paths []string, o options) string {
	m := []string{
		"pooled from " + strings.Join(paths, ", ") + fmt.Sprintf(": %d passes in all; each file's passes as its run made them", passes),
		timeNote(o.metric),
	}
	r := report{meta: m, summaries: c.summarize(o.base), spans: c.depthSpans(), base: o.base, impl: o.impl}
	return r.markdown()
}
