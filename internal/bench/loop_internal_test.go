package bench

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInterleaved checks interleaved's accounting on two approaches whose
// allocations are known: each approach's metrics are its own, whichever
// blocks ran around it.
func TestInterleaved(t *testing.T) {
	var keep [][]byte
	alloc := func(n int) func() error {
		return func() error {
			keep = keep[:0]
			for range n {
				keep = append(keep, make([]byte, 64))
			}
			return nil
		}
	}
	calls := map[string]int{}
	counted := func(name string, op func() error) approach {
		return approach{name, func() error { calls[name]++; return op() }}
	}
	as := []approach{counted("one", alloc(1)), counted("three", alloc(3))}
	res := testing.Benchmark(func(b *testing.B) { interleaved(b, as, time.Millisecond) })
	if res.N == 0 {
		t.Fatal("no round ran")
	}
	for _, tt := range []struct {
		name   string
		allocs float64
	}{{"one", 1}, {"three", 3}} {
		if got := res.Extra[tt.name+":allocs/op"]; got < tt.allocs || got > tt.allocs+0.05 {
			t.Errorf("%s:allocs/op = %v, want %v", tt.name, got, tt.allocs)
		}
		if got, want := res.Extra[tt.name+":B/op"], 64*tt.allocs; got < want || got > want+8 {
			t.Errorf("%s:B/op = %v, want %v", tt.name, got, want)
		}
		if res.Extra[tt.name+":ns/op"] <= 0 {
			t.Errorf("%s:ns/op = %v, want a time", tt.name, res.Extra[tt.name+":ns/op"])
		}
		// Every round runs a block of each approach: more calls than
		// rounds, beyond the calibration's.
		if calls[tt.name] < res.N {
			t.Errorf("%s ran %d times in %d rounds", tt.name, calls[tt.name], res.N)
		}
	}
	if _, ok := cpuTime(); ok && res.Extra["one:cpu-ns/op"] <= 0 {
		t.Errorf("one:cpu-ns/op = %v, want a time", res.Extra["one:cpu-ns/op"])
	}
}

func TestBlockSize(t *testing.T) {
	n, err := blockSize(func() error { time.Sleep(100 * time.Microsecond); return nil }, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	// Operations of at least 100µs each: at most 100 fit in 10ms.
	if n < 1 || n > 100 {
		t.Errorf("blockSize = %d, want 1 to 100", n)
	}
	failing := errors.New("no rows")
	if _, err := blockSize(func() error { return failing }, time.Millisecond); !errors.Is(err, failing) {
		t.Errorf("blockSize of a failing op: %v", err)
	}
}

func TestOpsIn(t *testing.T) {
	for _, tt := range []struct {
		d, elapsed time.Duration
		n, want    int
	}{
		{50 * time.Millisecond, 5 * time.Millisecond, 40, 400}, // 125µs each
		{50 * time.Millisecond, 5 * time.Millisecond, 1, 10},
		{50 * time.Millisecond, 120 * time.Millisecond, 1, 1}, // longer than a block: one
		{time.Millisecond, 100 * time.Microsecond, 1000, 10_000},
	} {
		if got := opsIn(tt.d, tt.elapsed, tt.n); got != tt.want {
			t.Errorf("opsIn(%v, %v, %d) = %d, want %d", tt.d, tt.elapsed, tt.n, got, tt.want)
		}
	}
}

// TestRoundOrder checks the order of interleaved's rounds: without sets,
// the rows of rotatedRow's design; with sets, each round a permutation in
// which a set's approaches run next to each other, over a cycle each set
// at each place among the sets and each approach at each place within its
// set equally often.
func TestRoundOrder(t *testing.T) {
	flat := []approach{{name: "floor"}, {name: "library"}, {name: "sqlx"}}
	idx := []int{0, 1, 2}
	for r := range 6 {
		if got, want := roundOrder(sets(flat), r), rotatedRow(idx, r); !slices.Equal(got, want) {
			t.Errorf("round %d: %v, want rotatedRow's %v", r, got, want)
		}
	}
	var as []approach
	for _, set := range []string{"depth=0", "depth=10000", "depth=last"} {
		for _, name := range []string{"floor", "library"} {
			as = append(as, approach{name: set + "/" + name})
		}
	}
	setOf := func(i int) string { return as[i].name[:strings.LastIndex(as[i].name, "/")] }
	setAt := map[[2]string]int{}  // {set, place among the sets}
	nameAt := map[[2]string]int{} // {approach, place within its set}
	const rounds = 6              // a cycle: 2·3 rows over the sets, 2 over each set
	for r := range rounds {
		got := roundOrder(sets(as), r)
		if sorted := slices.Sorted(slices.Values(got)); !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5}) {
			t.Fatalf("round %d: %v is not a permutation", r, got)
		}
		for k := 0; k < len(got); k += 2 {
			if setOf(got[k]) != setOf(got[k+1]) {
				t.Fatalf("round %d: %v splits a set", r, got)
			}
			setAt[[2]string{setOf(got[k]), strconv.Itoa(k / 2)}]++
			nameAt[[2]string{as[got[k]].name, "0"}]++
			nameAt[[2]string{as[got[k+1]].name, "1"}]++
		}
	}
	for key, n := range setAt {
		if n != rounds/3 {
			t.Errorf("set %s at place %s %d times in %d rounds, want %d", key[0], key[1], n, rounds, rounds/3)
		}
	}
	for key, n := range nameAt {
		if n != rounds/2 {
			t.Errorf("%s at place %s in its set %d times in %d rounds, want %d", key[0], key[1], n, rounds, rounds/2)
		}
	}
	if len(setAt) != 9 || len(nameAt) != 12 {
		t.Errorf("places seen: %d of sets, %d within sets; want 9 and 12", len(setAt), len(nameAt))
	}
}
