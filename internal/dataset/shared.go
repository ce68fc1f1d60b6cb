package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// SharedComplete is the table comment that marks a shared table as
// completely seeded.
const SharedComplete = "go-paginate benchmark dataset, complete"

// SharedTable is the name of the shared table of rows rows:
// bench_items_<rows>_v<Version>.
func SharedTable(rows int) string {
	return fmt.Sprintf("bench_items_%d_v%d", rows, Version)
}

// Shared returns the name of the shared items table of rows rows on the
// PostgreSQL or MariaDB/MySQL server db is connected to, seeding it first
// unless its comment says an earlier run completed it; seeded reports
// whether it did. A lock held on the server (an advisory lock on
// PostgreSQL, a named lock on MariaDB/MySQL) keeps runs in other
// processes from seeding the same table at once. The table is kept for
// later runs, and for the benchmarks, which share it by name.
func Shared(ctx context.Context, db *sqlx.DB, rows int) (table string, seeded bool, err error) {
	table = SharedTable(rows)
	d, err := DialectOf(db.DriverName())
	if err != nil {
		return "", false, err
	}
	conn, err := db.Connx(ctx)
	if err != nil {
		return "", false, err
	}
	defer conn.Close()
	var readComment string
	switch d {
	case Postgres:
		const lockID = 0x7061676e // "pagn"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockID); err != nil {
			return "", false, fmt.Errorf("dataset: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockID)
		readComment = "SELECT coalesce(obj_description(to_regclass($1), 'pg_class'), '')"
	case MySQL:
		const lock = "go-paginate benchmark seed"
		var got sql.NullInt64
		if err := conn.QueryRowxContext(ctx, "SELECT GET_LOCK(?, 3600)", lock).Scan(&got); err != nil || got.Int64 != 1 {
			return "", false, fmt.Errorf("dataset: lock: %v %w", got, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK(?)", lock)
		readComment = "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	default:
		return "", false, fmt.Errorf("dataset: shared tables are for PostgreSQL and MySQL, not %s (see Cached)", d)
	}
	var comment string
	if err := conn.QueryRowxContext(ctx, readComment, table).Scan(&comment); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", false, fmt.Errorf("dataset: read comment of %s: %w", table, err)
	}
	if comment == SharedComplete {
		return table, false, nil
	}
	if err := Seed(ctx, db, Options{Table: table, Rows: rows, Dialect: d}); err != nil {
		return "", false, err
	}
	stmts := []string{"COMMENT ON TABLE " + table + " IS '" + SharedComplete + "'"}
	if d == MySQL {
		stmts = []string{"ANALYZE TABLE " + table, "ALTER TABLE " + table + " COMMENT = '" + SharedComplete + "'"}
	}
	for _, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return "", false, fmt.Errorf("dataset: %s: %w", stmt, err)
		}
	}
	return table, true, nil
}
