package bench

import (
	"flag"
	"runtime"
	"strings"
	"testing"
	"time"
)

// interleave, when positive, has each group's approaches timed together,
// in alternating blocks of about this long (see interleaved), instead of
// one after another. internal/cmd/benchpair sets it with its own
// -interleave flag.
var interleave = flag.Duration("interleave", 0, "time the approaches of each group together, in alternating blocks of about this long, on one line (impl=interleaved); 0 times each in a sub-benchmark of its own")

// implInterleaved names a group's one sub-benchmark under -interleave.
const implInterleaved = "interleaved"

// approach is one way of doing a group's operation (a page, a count, a
// request), named as its impl= part.
type approach struct {
	name string
	op   func() error
}

// timeApproaches times each approach of a group: each in a sub-benchmark
// of its own, impl=<name>, in the order -rotate picks; or, under
// -interleave, all of them in one sub-benchmark, impl=interleaved.
func timeApproaches(b *testing.B, as []approach) {
	b.Helper()
	if *interleave > 0 {
		b.Run("impl="+implInterleaved, func(b *testing.B) { interleaved(b, as, *interleave) })
		return
	}
	for _, a := range rotated(as) {
		b.Run("impl="+a.name, func(b *testing.B) { loop(b, a.op) })
	}
}

// loop times fn with b.Loop and reports, besides ns/op, the process's CPU
// time per operation as cpu-ns/op. On a busy machine wall time includes
// waiting for a CPU, and CPU time does not, so comparing cpu-ns/op is
// steadier there. For SQLite, which runs in the process, it is the whole
// cost of a page; for PostgreSQL it leaves out the server's work.
func loop(b *testing.B, fn func() error) {
	b.Helper()
	b.ReportAllocs()
	start, ok := cpuTime()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	if end, ok2 := cpuTime(); ok && ok2 && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// tally is what interleaved measured of one approach, over its blocks.
type tally struct {
	ops           int64
	wall, cpu     time.Duration
	bytes, allocs uint64
}

// interleaved times the approaches in rounds, one per iteration of
// b.Loop: a round runs a block of each approach, in an order that
// changes from round to round (roundOrder, starting at row -rotate). A
// block is a fixed number of operations, found before the first round so
// that it lasts about block. Within a round the approaches run
// milliseconds apart, so load that comes and goes over seconds falls on
// each of them alike, where one approach's second-long run after
// another's can meet another load.
//
// Each approach's wall time, CPU time (of the process, as loop reports
// it), bytes and allocations per operation, over all its blocks, are
// reported as metrics named by the approach and the unit: floor:ns/op,
// floor:cpu-ns/op, floor:B/op, floor:allocs/op; internal/cmd/benchpair
// reads them as that approach's results. The garbage collector's work
// lands on the block that is running: a collection starts in the block
// whose allocation reaches the heap's goal, which is an approach's share
// of the round's allocations, and its marking, short on these small
// heaps, may run on into the next block.
func interleaved(b *testing.B, as []approach, block time.Duration) {
	b.Helper()
	size := make([]int, len(as)) // operations per block
	for i, a := range as {
		n, err := blockSize(a.op, block)
		if err != nil {
			b.Fatalf("%s: %v", a.name, err)
		}
		size[i] = n
	}
	ts := make([]tally, len(as))
	bySet := sets(as)
	var before, after runtime.MemStats
	cpuOK := true
	for round := 0; b.Loop(); round++ {
		for _, i := range roundOrder(bySet, *rotate+round) {
			runtime.ReadMemStats(&before)
			c0, ok0 := cpuTime()
			w0 := time.Now()
			for range size[i] {
				if err := as[i].op(); err != nil {
					b.Fatalf("%s: %v", as[i].name, err)
				}
			}
			wall := time.Since(w0)
			c1, ok1 := cpuTime()
			runtime.ReadMemStats(&after)
			t := &ts[i]
			t.ops += int64(size[i])
			t.wall += wall
			t.cpu += c1 - c0
			cpuOK = cpuOK && ok0 && ok1
			t.bytes += after.TotalAlloc - before.TotalAlloc
			t.allocs += after.Mallocs - before.Mallocs
		}
	}
	for i, a := range as {
		t := ts[i]
		n := float64(t.ops)
		b.ReportMetric(float64(t.wall)/n, a.name+":ns/op")
		if cpuOK {
			b.ReportMetric(float64(t.cpu)/n, a.name+":cpu-ns/op")
		}
		b.ReportMetric(float64(t.bytes)/n, a.name+":B/op")
		b.ReportMetric(float64(t.allocs)/n, a.name+":allocs/op")
	}
}

// sets groups the approaches, as indexes into as, by the set their names
// give ("depth=0/floor": the part before the last slash; none for a name
// without one), the sets in the order of their first approach.
func sets(as []approach) [][]int {
	var out [][]int
	at := map[string]int{}
	for i, a := range as {
		set := a.name[:max(strings.LastIndex(a.name, "/"), 0)]
		j, ok := at[set]
		if !ok {
			j = len(out)
			at[set] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], i)
	}
	return out
}

// roundOrder returns the order, as indexes into the approaches, in which
// round r of interleaved runs them, given their sets: the sets in the
// order of row r of rotatedRow's design over the sets, the approaches of
// each set, next to each other, in the order of row r of a design over
// its own. With one set that is row r of the design over the approaches;
// with a set per depth, the approaches of one depth run within their
// set's blocks of each other, and every depth within one round.
func roundOrder(sets [][]int, r int) []int {
	var order []int
	for _, set := range rotatedRow(sets, r) {
		order = append(order, rotatedRow(set, r)...)
	}
	return order
}

// blockSize returns how many calls of op take about d: it calls op until
// a tenth of d has passed, at least once, and scales the count (opsIn).
func blockSize(op func() error, d time.Duration) (int, error) {
	n := 0
	start := time.Now()
	for n == 0 || time.Since(start) < d/10 {
		if err := op(); err != nil {
			return 0, err
		}
		n++
	}
	return opsIn(d, time.Since(start), n), nil
}

// opsIn returns how many operations fit in d when n of them took
// elapsed: at least one.
func opsIn(d, elapsed time.Duration, n int) int {
	per := elapsed / time.Duration(n)
	return max(1, int(d/max(per, 1)))
}
