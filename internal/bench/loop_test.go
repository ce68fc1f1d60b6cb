package bench

import "testing"

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
