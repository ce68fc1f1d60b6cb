// Command benchpair measures the approaches of internal/bench against each
// other in interleaved passes and reports their ratios paired within a
// pass, as a markdown table for docs/benchmarks.md:
//
//	go run ./internal/cmd/benchpair -passes 7 -out pair.md -raw pair.txt
//
// It builds the benchmark test binary once (go test -c), then runs it:
//
//  1. once with -test.benchtime 1x, which runs every selected benchmark's
//     row check (every approach at every depth must return the same rows)
//     and lists the groups to time: a group is a benchmark name without
//     its impl= part, such as Page/db=sqlite/strategy=keyset/depth=0;
//  2. in passes, -passes of them: in each pass every group once, one run
//     of the binary per group (-test.count 1) timing all its approaches one
//     after another. The groups' order rotates between passes, each pass
//     starting at another point of the list, and the approaches' order
//     within a group is the row of a balanced design that the pass number
//     picks (the binary's -rotate flag), so that no approach always runs
//     first, last or right after the same neighbour.
//
// A busy machine slows a whole pass or a stretch of it, and the approaches
// of one group run within seconds of each other, so dividing each approach
// by the base approach (-base, the floor) within a pass cancels most of
// the load. With -interleave d, each run times its group's approaches
// together, in alternating blocks of about d (the binary's -interleave
// flag), so that they run milliseconds apart and load that changes from
// one second to the next falls on each alike; -benchtime is then the time
// of all of them together. Under it internal/bench's keyset pages are
// timed every depth in one run, on one line whose approaches are named
// for their depth (depth=0/floor:ns/op): benchpair reads it as the groups
// of those depths, so that each depth's ratios, and the last page's time
// ÷ the first's, are paired within rounds of blocks. For each group the
// report gives each approach's median over the passes, the median and the
// range (min–max) of its paired ratios to the base, and its allocations
// per operation minus the base's.
// SQLite groups are judged on CPU time (cpu-ns/op: the process's CPU time,
// which is the whole cost of an in-process database and is not charged for
// waiting for a CPU), the others on wall time (ns/op), unless -metric says
// otherwise. The machine's load (/proc/loadavg) before and after each pass
// is in the report.
//
// The environment passes through to the binary: PAGINATE_BENCH_ROWS sets
// the table's rows, PAGINATE_POSTGRES_DSN and PAGINATE_MYSQL_DSN add
// PostgreSQL and MariaDB/MySQL.
//
// Flags:
//
//	-bench regexp   benchmarks to run, as go test -bench (default "Page|HTTP")
//	-passes n       passes (default 7)
//	-benchtime d    -test.benchtime of each timed run (default 1s)
//	-interleave d   time each group's approaches together, in alternating
//	                blocks of about d (default: one after another)
//	-timeout d      -test.timeout of each run of the binary (default 1h)
//	-base name      the approach others are divided by (default floor)
//	-impl name      the approach of the summary table (default library)
//	-metric unit    auto (default), ns/op or cpu-ns/op
//	-pkg path       the benchmark package (default ./internal/bench)
//	-out file       the markdown report (default standard output)
//	-raw file       every result line of the passes, as go test printed
//	                them, for benchstat and internal/cmd/benchplot
//	-pool files     comma-separated -raw files of earlier runs: no runs; the
//	                report pairs and summarizes all their passes together
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchpair:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	options
	pkg, out, raw string
	pool          []string // -raw files of earlier runs to report together
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("benchpair", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bench, "bench", "Page|HTTP", "benchmarks to run, as go test -bench")
	fs.IntVar(&c.passes, "passes", 7, "number of passes")
	fs.StringVar(&c.benchtime, "benchtime", "1s", "-test.benchtime of each timed run")
	fs.StringVar(&c.interleave, "interleave", "", "time each group's approaches together, in alternating blocks of this duration (the binary's -interleave); empty: one after another")
	fs.StringVar(&c.timeout, "timeout", "1h", "-test.timeout of each run of the binary")
	fs.StringVar(&c.base, "base", "floor", "the approach (impl=) others are divided by")
	fs.StringVar(&c.impl, "impl", "library", "the approach (impl=) of the summary table")
	fs.StringVar(&c.metric, "metric", "auto", "auto (cpu-ns/op for SQLite, ns/op otherwise), ns/op or cpu-ns/op")
	fs.StringVar(&c.pkg, "pkg", "./internal/bench", "the benchmark package")
	fs.StringVar(&c.out, "out", "", "markdown report (default standard output)")
	fs.StringVar(&c.raw, "raw", "", "file for every result line of the passes, for benchstat and benchplot")
	pool := fs.String("pool", "", "comma-separated -raw files of earlier runs: report their passes together instead of running any")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *pool != "" {
		c.pool = strings.Split(*pool, ",")
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "benchpair: unexpected arguments %q\n", fs.Args())
		return c, errUsage
	}
	if c.passes < 1 {
		fmt.Fprintln(stderr, "benchpair: -passes must be at least 1")
		return c, errUsage
	}
	if c.interleave != "" {
		if d, err := time.ParseDuration(c.interleave); err != nil || d <= 0 {
			fmt.Fprintf(stderr, "benchpair: -interleave %q: want a positive duration, such as 50ms\n", c.interleave)
			return c, errUsage
		}
	}
	if !slices.Contains([]string{"auto", wallMetric, cpuMetric}, c.metric) {
		fmt.Fprintf(stderr, "benchpair: -metric %q: want auto, %s or %s\n", c.metric, wallMetric, cpuMetric)
		return c, errUsage
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if c.pool != nil {
		col, n, err := poolFiles(c.pool, c.metric)
		if err != nil {
			return err
		}
		return writeReport(poolReport(col, n, c.pool, c.options), c.out, stdout)
	}
	start := time.Now()
	tmp, err := os.MkdirTemp("", "benchpair")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, dir, err := build(ctx, c.pkg, tmp, stderr)
	if err != nil {
		return err
	}
	var raw io.Writer
	if c.raw != "" {
		f, err := os.Create(c.raw)
		if err != nil {
			return err
		}
		defer f.Close()
		raw = f
	}
	s := &session{opts: c.options, run: binaryRunner(bin, dir), load: loadAvg, now: time.Now, log: stderr, raw: raw}
	md, err := s.measure(ctx, args)
	if err != nil {
		return err
	}
	md = strings.Replace(md, "{took}", time.Since(start).Round(time.Second).String(), 1)
	return writeReport(md, c.out, stdout)
}

// writeReport writes md to the file out, or to stdout when out is empty.
func writeReport(md, out string, stdout io.Writer) error {
	if out == "" {
		_, err := io.WriteString(stdout, md)
		return err
	}
	return os.WriteFile(out, []byte(md), 0o644)
}

// build compiles pkg's test binary into dir tmp, and returns its path and
// the package's directory, where it runs.
func build(ctx context.Context, pkg, tmp string, stderr io.Writer) (bin, dir string, err error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", pkg).Output()
	if err != nil {
		return "", "", fmt.Errorf("go list %s: %w", pkg, err)
	}
	dir = strings.TrimSpace(string(out))
	bin = filepath.Join(tmp, "bench.test")
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, pkg)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("go test -c %s: %w", pkg, err)
	}
	return bin, dir, nil
}

// measure runs the first run and the passes and returns the report, with
// "{took}" standing for the whole run's duration.
func (s *session) measure(ctx context.Context, args []string) (string, error) {
	runs, want, first, err := s.discover(ctx)
	if err != nil {
		return "", err
	}
	if s.raw != nil {
		for _, h := range first.header {
			if _, err := fmt.Fprintln(s.raw, h); err != nil {
				return "", err
			}
		}
	}
	c := newCollection(s.opts.metric)
	infos, err := s.passes(ctx, runs, want, c)
	if err != nil {
		return "", err
	}
	r := report{meta: s.meta(args, first), passes: infos, summaries: c.summarize(s.opts.base), spans: c.depthSpans(), base: s.opts.base, impl: s.opts.impl}
	return r.markdown(), nil
}

// meta describes the run: the command, the machine, the databases.
func (s *session) meta(args []string, first output) []string {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if strings.ContainsAny(a, " |*?()[]$^\\'\"") {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	rows := os.Getenv("PAGINATE_BENCH_ROWS")
	if rows == "" {
		rows = "unset (the package's default)"
	}
	var services []string
	for _, env := range []string{"PAGINATE_POSTGRES_DSN", "PAGINATE_MYSQL_DSN"} {
		if os.Getenv(env) != "" {
			services = append(services, env)
		}
	}
	m := []string{
		"command: `" + strings.TrimSpace("go run ./internal/cmd/benchpair "+strings.Join(quoted, " ")) + "`",
		s.runsNote(),
		fmt.Sprintf("%s, GOMAXPROCS %d; %s", runtime.Version(), runtime.GOMAXPROCS(0), strings.Join(first.header, "; ")),
		"PAGINATE_BENCH_ROWS " + rows + "; servers: " + orNone(services),
	}
	if len(first.notes) > 0 {
		m = append(m, "databases: "+strings.Join(dedupe(first.notes), "; "))
	}
	return append(m, timeNote(s.opts.metric))
}

// runsNote says how many passes there were and how each run timed its
// group's approaches.
func (s *session) runsNote() string {
	if s.opts.interleave != "" {
		return fmt.Sprintf("%d passes; in each run the group's approaches interleaved in blocks of about %s, -test.benchtime %s for all of them together; took {took}", s.opts.passes, s.opts.interleave, s.opts.benchtime)
	}
	return fmt.Sprintf("%d passes, -test.benchtime %s per approach; took {took}", s.opts.passes, s.opts.benchtime)
}

// timeNote says which time the report's groups are judged on.
func timeNote(metric string) string {
	if metric == "auto" {
		return "time: CPU time (cpu-ns/op) for SQLite, wall time (ns/op) for the database servers"
	}
	return "time: " + metric + " for every group"
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
