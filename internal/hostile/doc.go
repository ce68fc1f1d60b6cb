// Package hostile holds the tests that treat a pagination endpoint as the
// internet does: injection and abuse through the HTTP layer, walks under
// concurrent writes, load, and cancellation, on SQLite always and on
// PostgreSQL and MariaDB/MySQL when PAGINATE_POSTGRES_DSN and
// PAGINATE_MYSQL_DSN are set. The endpoint under test is the example
// server's API, internal/itemsapi; what a page of it must hold comes from
// internal/apitest, which the example's own tests share. It has no API of
// its own; everything is in its _test.go files. See SECURITY.md and docs/consistency.md for
// what the tests establish.
package hostile
