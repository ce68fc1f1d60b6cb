package bench

import (
	"errors"
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
