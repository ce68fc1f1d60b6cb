package paginatetest_test

import (
	"context"
	"fmt"

	"github.com/go-paginate/paginate"
	"github.com/go-paginate/paginate/paginatetest"
)

// A harness stores the rows it is given in a fresh data source and
// returns a backend over them. In a test, Run takes it with the
// *testing.T:
//
//	func TestConformance(t *testing.T) {
//		paginatetest.Run(t, harness)
//	}
//
// This example builds the in-memory backend's harness and calls it once
// with the fixed dataset, as Run does before it pages through it.
func ExampleHarness() {
	harness := paginatetest.Harness{
		New: func(_ context.Context, schema *paginate.Schema, rows []paginatetest.Row) (paginate.Backend[paginatetest.Row], error) {
			// An SQL harness would create a uniquely named table here,
			// insert rows, register the table's DROP with t.Cleanup and
			// return a backend over it.
			return paginate.NewMemory(rows, schema, paginate.MemoryConfig[paginatetest.Row]{})
		},
	}
	ctx := context.Background()
	backend, err := harness.New(ctx, paginatetest.Schema(), paginatetest.Dataset())
	if err != nil {
		panic(err)
	}
	n, err := backend.Count(ctx, paginate.Query{})
	fmt.Println(n == int64(len(paginatetest.Dataset())), err)
	// Output: true <nil>
}
