package paginatetest_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/paginatetest"
)

// In a test, Run takes the *testing.T:
//
//	func TestConformance(t *testing.T) {
//		paginatetest.Run(t, harness)
//	}
//
// This example runs the suite against the in-memory backend outside a
// test, through a minimal stand-in for *testing.T that counts subtests and
// prints failures.
func ExampleRun() {
	harness := paginatetest.Harness{
		New: func(_ context.Context, schema *paginate.Schema, rows []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
			// An SQL harness would create a uniquely named table here,
			// insert rows, register the table's DROP with t.Cleanup and
			// return a backend over it.
			return paginate.NewMemory(rows, schema, paginate.MemoryConfig[paginatetest.Row]{})
		},
		Seed:  1, // fixed, so that the example's output is
		Cases: 20,
	}
	r := &runner{out: os.Stdout}
	paginatetest.Run(r, harness)
	fmt.Println("failed:", r.failed)
	// Output: failed: false
}

// runner implements paginatetest.TB[*runner]: it runs subtests in turn
// and writes failures to out. With stop set, the first failure ends the
// run: every later subtest is skipped.
type runner struct {
	name   string
	failed bool
	out    io.Writer
	stop   *bool
}

type fatal struct{}

func (r *runner) Helper()             {}
func (r *runner) Logf(string, ...any) {}

func (r *runner) Errorf(f string, a ...any) {
	r.failed = true
	fmt.Fprintf(r.out, r.name+": "+f+"\n", a...)
	if r.stop != nil {
		*r.stop = true
		panic(fatal{})
	}
}

func (r *runner) Fatalf(f string, a ...any) {
	r.Errorf(f, a...)
	panic(fatal{})
}

func (r *runner) Run(name string, f func(*runner)) bool {
	if r.stop != nil && *r.stop {
		return false
	}
	sub := &runner{name: r.name + "/" + name, out: r.out, stop: r.stop}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(fatal); !ok {
					panic(v)
				}
			}
		}()
		f(sub)
	}()
	r.failed = r.failed || sub.failed
	return !sub.failed
}
