package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A statement whose client gives up should stop on the server too, or a
// few expensive requests keep the database busy long after their
// clients have gone. pgx answers a done context by sending PostgreSQL a
// cancel request, and go-sqlite3 interrupts the statement, so on those
// the context's deadline stops the statement. go-sql-driver/mysql only
// closes the connection, and MySQL and MariaDB notice a closed connection
// only when they next write to it, which a query that sorts or scans
// without returning rows does not do for a long time. So on MySQL and
// MariaDB a statement carries its own time limit, Config.StatementTimeout:
//
//	/*M! SET STATEMENT max_statement_time=0.5 FOR */ SELECT /*+ MAX_EXECUTION_TIME(500) */ ...
//
// MariaDB runs the text of a /*M! comment and ignores the optimizer hint;
// MySQL ignores the comment and obeys the hint (which it applies to
// SELECT statements that start with SELECT).
//
// pgx's cancel request does not always stop a statement either: one that
// reaches PostgreSQL before the statement starts (a request whose
// deadline passes right after it got a connection from a busy pool) is
// ignored, and the statement then runs to its end. PostgreSQL has no
// per-statement limit a query can carry, so there the limit is the
// connection's statement_timeout, which the application sets where it
// opens the pool; the backend recognizes the error of a statement it
// stopped.

// setStatementTimeout sets the time limit the statements of c carry.
func (c *common) setStatementTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("paginate/sql: Config.StatementTimeout must not be negative")
	}
	c.statementTimeout = d
	if d == 0 || c.dialect != MySQL {
		return nil
	}
	ms := max(d.Milliseconds(), 1)
	c.timeoutPrefix = "/*M! SET STATEMENT max_statement_time=" + strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " FOR */ "
	c.timeoutHint = "/*+ MAX_EXECUTION_TIME(" + strconv.FormatInt(ms, 10) + ") */ "
	return nil
}

// limitTime makes the statements of s carry the time limit.
func (c *common) limitTime(s *shape) {
	for i := range s.stmts {
		s.stmts[i].sql = c.timed(s.stmts[i].sql)
	}
}

// timed returns query with the time limit, if it has one: the MariaDB
// prefix, and the MySQL hint after a leading SELECT.
func (c *common) timed(query string) string {
	if c.timeoutPrefix == "" {
		return query
	}
	if len(query) >= 7 && strings.EqualFold(query[:7], "SELECT ") {
		query = query[:7] + c.timeoutHint + query[7:]
	}
	return c.timeoutPrefix + query
}

// untimed returns query without the time limit, for EXPLAIN.
func (c *common) untimed(query string) string {
	if c.timeoutPrefix == "" {
		return query
	}
	query = strings.TrimPrefix(query, c.timeoutPrefix)
	return strings.Replace(query, c.timeoutHint, "", 1)
}

// StatementTimeoutError reports a statement that the server stopped
// because it ran longer than its time limit: Config.StatementTimeout on
// MySQL and MariaDB, the connection's statement_timeout on PostgreSQL.
// errors.Is reports it as [context.DeadlineExceeded] too: like a deadline
// that passed in the client, the page took too long (httpadapter answers
// 503).
type StatementTimeoutError struct {
	// Timeout is Config.StatementTimeout: the statement's time limit on
	// MySQL and MariaDB, and on PostgreSQL what the application said the
	// connections' statement_timeout is (zero if it did not say).
	Timeout time.Duration
	// Err is the database's error.
	Err error
}

// Error says that the statement ran past its time limit.
func (e *StatementTimeoutError) Error() string {
	return "statement stopped by the server after its time limit of " + e.Timeout.String() + ": " + e.Err.Error()
}

// Unwrap returns the database's error.
func (e *StatementTimeoutError) Unwrap() error { return e.Err }

// Is reports whether target is context.DeadlineExceeded.
func (e *StatementTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// timeoutErr returns err as a *StatementTimeoutError when it is the
// server stopping a statement at its time limit. The driver's error is
// recognized by its text (MariaDB's error 1969, MySQL's 3024, PostgreSQL's
// 57014 for a statement_timeout, in English, the default of lc_messages),
// since the package imports no driver.
func (c *common) timeoutErr(err error) error {
	if err == nil || c.timeoutPrefix == "" && c.dialect != PostgreSQL {
		return err
	}
	msg := err.Error()
	if strings.Contains(msg, "max_statement_time exceeded") || strings.Contains(msg, "maximum statement execution time exceeded") ||
		strings.Contains(msg, "canceling statement due to statement timeout") {
		return &StatementTimeoutError{Timeout: c.statementTimeout, Err: err}
	}
	return err
}
