package hostile

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
)

// statement is one statement a database was asked to run: its SQL text
// and the arguments bound to it.
type statement struct {
	SQL  string
	Args []any
}

// sqlLog records every statement run through a capturing handle.
type sqlLog struct {
	mu    sync.Mutex
	stmts []statement
}

func (l *sqlLog) add(query string, args []driver.NamedValue) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	l.mu.Lock()
	l.stmts = append(l.stmts, statement{SQL: query, Args: vals})
	l.mu.Unlock()
}

// take returns the statements recorded since the last take and forgets
// them.
func (l *sqlLog) take() []statement {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.stmts
	l.stmts = nil
	return out
}

// openCapturing opens the database driverName/dsn names through a wrapper
// that records every statement run on it, and returns it as an sqlx
// handle under the real driver's name, so that the SQL backend picks the
// right dialect. The wrapper sits between database/sql and the real
// driver's connections: it records the text and the arguments database/sql
// hands the driver, which the drivers used here send to the server as they
// are (go-sql-driver/mysql would splice arguments into the text itself
// only with interpolateParams=true, which these tests do not set).
func openCapturing(tb testing.TB, driverName, dsn string) (*sqlx.DB, *sqlLog) {
	tb.Helper()
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	drv := probe.Driver()
	probe.Close()
	c := &captureConnector{drv: drv, dsn: dsn, log: &sqlLog{}}
	if dc, ok := drv.(driver.DriverContext); ok {
		if c.inner, err = dc.OpenConnector(dsn); err != nil {
			tb.Fatal(err)
		}
	}
	db := sqlx.NewDb(sql.OpenDB(c), driverName)
	tb.Cleanup(func() { db.Close() })
	return db, c.log
}

type captureConnector struct {
	drv   driver.Driver
	inner driver.Connector // nil when the driver has no DriverContext
	dsn   string
	log   *sqlLog
}

func (c *captureConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var conn driver.Conn
	var err error
	if c.inner != nil {
		conn, err = c.inner.Connect(ctx)
	} else {
		conn, err = c.drv.Open(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	return &captureConn{Conn: conn, log: c.log}, nil
}

func (c *captureConnector) Driver() driver.Driver { return c.drv }

// captureConn passes every call to the real connection, recording the
// statements.
type captureConn struct {
	driver.Conn
	log *sqlLog
}

var (
	_ driver.ConnPrepareContext = (*captureConn)(nil)
	_ driver.ConnBeginTx        = (*captureConn)(nil)
	_ driver.QueryerContext     = (*captureConn)(nil)
	_ driver.ExecerContext      = (*captureConn)(nil)
	_ driver.Pinger             = (*captureConn)(nil)
	_ driver.SessionResetter    = (*captureConn)(nil)
	_ driver.Validator          = (*captureConn)(nil)
	_ driver.NamedValueChecker  = (*captureConn)(nil)
)

func (c *captureConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *captureConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &captureStmt{Stmt: st, conn: c.Conn, query: query, log: c.log}, nil
}

func (c *captureConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//lint:ignore SA1019 the fallback database/sql itself uses
	return c.Conn.Begin()
}

func (c *captureConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.log.add(query, args)
	return q.QueryContext(ctx, query, args)
}

func (c *captureConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	c.log.add(query, args)
	return e.ExecContext(ctx, query, args)
}

func (c *captureConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *captureConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *captureConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *captureConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// captureStmt records each execution of a prepared statement with its
// arguments.
type captureStmt struct {
	driver.Stmt
	conn  driver.Conn
	query string
	log   *sqlLog
}

var (
	_ driver.StmtQueryContext  = (*captureStmt)(nil)
	_ driver.StmtExecContext   = (*captureStmt)(nil)
	_ driver.NamedValueChecker = (*captureStmt)(nil)
)

func (s *captureStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.log.add(s.query, args)
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	//lint:ignore SA1019 the fallback for drivers without contexts
	return s.Stmt.Query(values(args))
}

func (s *captureStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.log.add(s.query, args)
	if e, ok := s.Stmt.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	//lint:ignore SA1019 the fallback for drivers without contexts
	return s.Stmt.Exec(values(args))
}

// CheckNamedValue asks the statement, then the connection, as
// database/sql would have asked them without the wrapper.
func (s *captureStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	if n, ok := s.conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}

// mentions reports whether any statement's SQL text contains needle,
// ignoring case.
func mentions(stmts []statement, needle string) (string, bool) {
	n := strings.ToLower(needle)
	for _, s := range stmts {
		if strings.Contains(strings.ToLower(s.SQL), n) {
			return s.SQL, true
		}
	}
	return "", false
}

// bound reports whether any statement carries an argument containing
// needle.
func bound(stmts []statement, needle string) bool {
	for _, s := range stmts {
		for _, a := range s.Args {
			switch v := a.(type) {
			case string:
				if strings.Contains(v, needle) {
					return true
				}
			case []byte:
				if strings.Contains(string(v), needle) {
					return true
				}
			}
		}
	}
	return false
}
