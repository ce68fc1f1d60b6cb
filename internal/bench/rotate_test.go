package bench

import (
	"fmt"
	"testing"
)

// TestRotated checks the orders rotated gives over one cycle of its rows,
// for groups of one to seven approaches: each a permutation, every
// approach at every position equally often, every approach right after
// every other equally often, and row 0 starting with the first approach.
func TestRotated(t *testing.T) {
	defer func(r int) { *rotate = r }(*rotate)
	for n := 1; n <= 7; n++ {
		xs := make([]int, n)
		for i := range xs {
			xs[i] = i
		}
		rows := n
		if n%2 == 1 {
			rows = 2 * n
		}
		at := map[[2]int]int{}    // {approach, position}
		after := map[[2]int]int{} // {approach, the one before it}
		for r := range rows {
			*rotate = r
			got := rotated(xs)
			seen := make([]bool, n)
			for pos, x := range got {
				if x < 0 || x >= n || seen[x] {
					t.Fatalf("n=%d, row %d: %v is not a permutation", n, r, got)
				}
				seen[x] = true
				at[[2]int{x, pos}]++
				if pos > 0 {
					after[[2]int{x, got[pos-1]}]++
				}
			}
			if r == 0 && got[0] != 0 {
				t.Errorf("n=%d: row 0 is %v, want the first approach first", n, got)
			}
			*rotate = r + rows
			if again := rotated(xs); fmt.Sprint(again) != fmt.Sprint(got) {
				t.Errorf("n=%d: row %d is %v, row %d %v: want the rows to repeat", n, r, got, r+rows, again)
			}
		}
		for x := range n {
			for pos := range n {
				if at[[2]int{x, pos}] != rows/n {
					t.Errorf("n=%d: approach %d at position %d %d times, want %d", n, x, pos, at[[2]int{x, pos}], rows/n)
				}
			}
			for y := range n {
				if x != y && after[[2]int{x, y}] != rows/n {
					t.Errorf("n=%d: approach %d right after %d %d times, want %d", n, x, y, after[[2]int{x, y}], rows/n)
				}
			}
		}
	}
}
