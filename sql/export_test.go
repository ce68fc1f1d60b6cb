package sql

// SetFromEndOffset sets the smallest offset b's pages are read from the
// end at (fromend.go), which is fromEndOffset otherwise, so that tests
// reach it on small tables. It must be called before b is used.
func SetFromEndOffset[T any](b *Backend[T], n int64) { b.c.fromEndOffset = n }

// ForceFromEnd makes b read every offset page it may read from the end
// (fromend.go) from the end, however deep, without bounding the row
// count, so that tests run the statement on every page. It must be
// called before b is used.
func ForceFromEnd[T any](b *Backend[T]) {
	b.c.fromEndOffset = 1
	b.c.fromEndAlways = true
}
