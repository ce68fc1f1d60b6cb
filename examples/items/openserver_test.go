package main

import (
	"context"
	"testing"
	"time"

	"github.com/go-paginate/paginate/internal/testdb"
)

// TestOpenServerStatementTimeout checks that on PostgreSQL the pool the
// example serves from carries the page budget as its connections'
// statement_timeout, and that the pool it seeds from carries the
// server's own.
func TestOpenServerStatementTimeout(t *testing.T) {
	dsn := testdb.Env(t, testdb.PostgresEnv)
	var serverDefault string
	if err := testdb.Postgres(t).QueryRowContext(context.Background(), "SHOW statement_timeout").Scan(&serverDefault); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		limit time.Duration
		want  string
	}{
		{1500 * time.Millisecond, "1500ms"},
		{0, serverDefault}, // as a pool opened from the DSN alone has it
	} {
		db, err := openServer(config{driver: "postgres", dsn: dsn}, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = db.QueryRowContext(context.Background(), "SHOW statement_timeout").Scan(&got)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("limit %v: statement_timeout is %q, want %q", tc.limit, got, tc.want)
		}
	}
}
