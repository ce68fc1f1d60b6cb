package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runner runs the benchmark binary with args and returns what it printed
// (standard output and standard error together).
type runner func(ctx context.Context, args []string) (string, error)

// binaryRunner runs the test binary at path in dir.
func binaryRunner(path, dir string) runner {
	return func(ctx context.Context, args []string) (string, error) {
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// options are the command's settings that shape the runs.
type options struct {
	bench     string // -test.bench pattern selecting the benchmarks
	benchtime string // -test.benchtime of each timed run
	// interleave, when not empty, is the block length (a duration) of the
	// binary's -interleave: each timed run then times a group's approaches
	// together, in alternating blocks, on one line.
	interleave string
	timeout    string // -test.timeout of each run of the binary
	passes     int
	metric     string // "auto" or a unit
	base       string // the approach others are divided by
	impl       string // the approach of the summary table
}

// passInfo is what is recorded of one pass besides its measurements.
type passInfo struct {
	index                 int // 0-based
	first                 string
	start                 time.Time
	duration              time.Duration
	loadBefore, loadAfter string
}

// session runs the passes.
type session struct {
	opts options
	run  runner
	load func() string    // the machine's load, as /proc/loadavg says
	now  func() time.Time // the clock
	log  io.Writer        // progress
	raw  io.Writer        // every result line, as go test printed it; may be nil
}

// discover runs every selected benchmark once (-test.benchtime 1x, and
// -interleave as the timed runs have it), which also runs their row
// checks, and returns what the passes run, in the order the binary ran
// them, each with the results it must give (names with impl=), and the
// run's header and notes. One run of the binary times a group; under
// -interleave it may time several, when one line holds the approaches of
// every depth (see expand).
func (s *session) discover(ctx context.Context) ([]string, map[string][]string, output, error) {
	args := []string{"-test.run", "^$", "-test.bench", s.opts.bench, "-test.benchtime", "1x", "-test.v", "-test.timeout", s.opts.timeout}
	if s.opts.interleave != "" {
		// Interleaved, the binary may group its benchmarks otherwise.
		args = append(args, "-interleave", s.opts.interleave)
	}
	text, err := s.run(ctx, args)
	if err != nil {
		return nil, nil, output{}, fmt.Errorf("first run (%s): %w\n%s", strings.Join(args, " "), err, text)
	}
	out := parseOutput(text)
	var groups, runs []string
	impls := map[string][]string{}
	want := map[string][]string{}
	for _, r := range out.results {
		g, impl, ok := splitImpl(r.name)
		if !ok {
			fmt.Fprintf(s.log, "benchpair: %s has no impl= part; not paired\n", r.name)
			continue
		}
		if _, seen := impls[g]; !seen {
			groups = append(groups, g)
		}
		if !slices.Contains(impls[g], impl) {
			impls[g] = append(impls[g], impl)
		}
		if _, seen := want[r.run]; !seen {
			runs = append(runs, r.run)
		}
		if !slices.Contains(want[r.run], r.name) {
			want[r.run] = append(want[r.run], r.name)
		}
	}
	if len(groups) == 0 {
		return nil, nil, out, fmt.Errorf("-bench %q selects no benchmark with an impl= part", s.opts.bench)
	}
	for _, g := range groups {
		if !slices.Contains(impls[g], s.opts.base) {
			return nil, nil, out, fmt.Errorf("%s has no impl=%s to pair with", g, s.opts.base)
		}
	}
	return runs, want, out, nil
}

// passes runs the passes: in each, every run once (a group, or the groups
// of one interleaved line) with all its approaches, in passOrder, the
// approaches rotated by the pass number.
func (s *session) passes(ctx context.Context, runs []string, want map[string][]string, c *collection) ([]passInfo, error) {
	infos := make([]passInfo, 0, s.opts.passes)
	for p := range s.opts.passes {
		order := passOrder(runs, p, s.opts.passes)
		info := passInfo{index: p, first: order[0], start: s.now(), loadBefore: s.load()}
		for i, run := range order {
			fmt.Fprintf(s.log, "pass %d/%d, %d/%d: %s\n", p+1, s.opts.passes, i+1, len(order), run)
			if err := s.runGroup(ctx, p, run, want[run], c); err != nil {
				return infos, err
			}
		}
		info.loadAfter = s.load()
		info.duration = s.now().Sub(info.start)
		infos = append(infos, info)
		fmt.Fprintf(s.log, "pass %d/%d took %v; load %s → %s\n", p+1, s.opts.passes, info.duration.Round(time.Second), info.loadBefore, info.loadAfter)
	}
	return infos, nil
}

// groupArgs returns the binary's arguments that time group in pass.
func (s *session) groupArgs(group string, pass int) []string {
	args := []string{
		"-test.run", "^$", "-test.bench", benchPattern(group),
		"-test.count", "1", "-test.benchtime", s.opts.benchtime, "-test.benchmem",
		"-test.timeout", s.opts.timeout, "-rotate", strconv.Itoa(pass),
	}
	if s.opts.interleave != "" {
		args = append(args, "-interleave", s.opts.interleave)
	}
	return args
}

// runGroup runs group (a run that discover returned) once, timing all
// its approaches, and records the results, which must be want's.
func (s *session) runGroup(ctx context.Context, pass int, group string, want []string, c *collection) error {
	args := s.groupArgs(group, pass)
	text, err := s.run(ctx, args)
	if err != nil {
		return fmt.Errorf("pass %d, %s: %w\n%s", pass+1, group, err, text)
	}
	out := parseOutput(text)
	var got []string
	for _, r := range out.results {
		if _, _, ok := splitImpl(r.name); !ok || r.run != group {
			return fmt.Errorf("pass %d: -test.bench %s ran %s", pass+1, benchPattern(group), r.name)
		}
		if err := c.add(pass, r); err != nil {
			return err
		}
		got = append(got, r.name)
	}
	if s.raw != nil {
		for _, l := range out.lines {
			if _, err := fmt.Fprintln(s.raw, l); err != nil {
				return err
			}
		}
	}
	for _, name := range want {
		if !slices.Contains(got, name) {
			return fmt.Errorf("pass %d, %s: %s did not run\n%s", pass+1, group, name, text)
		}
	}
	return nil
}

// loadAvg returns the 1-, 5- and 15-minute load averages from
// /proc/loadavg, or "n/a" where there is none.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	return loadFields(string(b))
}

// loadFields returns the first three fields of a /proc/loadavg line.
func loadFields(s string) string {
	f := strings.Fields(s)
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

var errUsage = errors.New("usage")
