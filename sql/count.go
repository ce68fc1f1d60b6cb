package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-paginate/paginate"
)

// compileCount compiles a count of a query's filters, of kind
// kindCount, kindCountAtMost or kindEstimate. A plain base is counted in
// place, SELECT COUNT(*) FROM ... WHERE ...; a base with DISTINCT, GROUP
// BY or HAVING is counted over a subquery that selects every schema field,
// so that the count is of the rows a page would hold. A capped count
// counts over a subquery with a bound LIMIT, and an estimate is the
// planner's row estimate of the subquery itself. The base's suffixes are
// left out: they belong to the page query.
func (c *common) compileCount(q *paginate.Query, k shapeKind) (*shape, error) {
	where, err := c.filters(q)
	if err != nil {
		return nil, err
	}
	var stmt fragment
	if c.base.wrap || k == kindCountAtMost || k == kindEstimate {
		list := "1"
		if c.base.wrap {
			cols := make([]string, len(c.fields))
			for i, f := range c.fields {
				cols[i] = f.ColumnName() + " AS " + c.dialect.quote(f.Name)
			}
			list = strings.Join(cols, ", ")
		}
		var tail fragment
		if k == kindCountAtMost {
			// The cap is written into the SQL, as a page's size is: given
			// a bound LIMIT, PostgreSQL's generic plan reads every
			// matching index entry into a bitmap before it counts the
			// first row.
			tail = fragment{sql: " LIMIT " + strconv.Itoa(q.Limit)}
		}
		stmt = c.base.selectOver(list, where, tail, false)
		if k != kindEstimate {
			stmt = fragment{sql: "SELECT COUNT(*) FROM (" + stmt.sql + ") AS t", args: stmt.args}
		}
	} else {
		stmt = c.base.selectOver("COUNT(*)", where, fragment{}, false)
	}
	plan, err := stmt.plan(c.dialect)
	if err != nil {
		return nil, err
	}
	return &shape{stmts: []stmtPlan{plan}, maxArgs: len(plan.args)}, nil
}

// Count returns how many rows match q.Filters, ignoring its sort, position,
// fields and limits.
func (b *Backend[T]) Count(ctx context.Context, q paginate.Query) (int64, error) {
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return 0, err
	}
	n, err := b.count(ctx, kindCount, &q, 0)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: count: %w", b.c.timeoutErr(err))
	}
	return n, nil
}

// CountAtMost returns how many rows match q.Filters, or limit when at
// least limit rows do, counting over a subquery limited to limit rows so
// that the database stops there. It implements [paginate.AtMostCounter].
func (b *Backend[T]) CountAtMost(ctx context.Context, q paginate.Query, limit int64) (int64, error) {
	if limit <= 0 {
		return 0, nil
	}
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return 0, err
	}
	// The limit is written into the SQL, and so is part of the shape; q's
	// own Limit is not used by a count.
	limit = min(limit, math.MaxInt)
	q.Limit = int(limit)
	n, err := b.count(ctx, kindCountAtMost, &q, limit)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: count: %w", b.c.timeoutErr(err))
	}
	return n, nil
}

func (b *Backend[T]) count(ctx context.Context, k shapeKind, q *paginate.Query, limit int64) (int64, error) {
	s, err := b.c.lookup(k, q)
	if err != nil {
		return 0, err
	}
	p := &s.stmts[0]
	args := b.c.bindArgs(make([]any, 0, s.maxArgs), p, q, limit, 0)
	rows, e, err := b.query(ctx, p.sql, args)
	if err != nil {
		return 0, err
	}
	defer e.release()
	defer rows.Close()
	var n int64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	return n, err
}

// EstimateCount returns the planner's estimate of how many rows match
// q.Filters: the row estimate of EXPLAIN on PostgreSQL, where it comes
// from the table statistics ANALYZE keeps. On SQLite and MySQL/MariaDB it
// returns an error wrapping errors.ErrUnsupported. It implements
// [paginate.Estimator].
func (b *Backend[T]) EstimateCount(ctx context.Context, q paginate.Query) (int64, error) {
	if b.c.dialect != PostgreSQL {
		return 0, fmt.Errorf("paginate/sql: estimate: %w on %s", errors.ErrUnsupported, b.c.dialect)
	}
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return 0, err
	}
	s, err := b.c.lookup(kindEstimate, &q)
	if err != nil {
		return 0, err
	}
	p := &s.stmts[0]
	args := b.c.bindArgs(nil, p, &q, 0, 0)
	plan, err := b.explain(ctx, p.sql, args)
	if err != nil {
		return 0, fmt.Errorf("paginate/sql: estimate: %w", err)
	}
	var doc []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan.Raw), &doc); err != nil || len(doc) == 0 {
		return 0, fmt.Errorf("paginate/sql: estimate: reading plan: %v", err)
	}
	return int64(doc[0].Plan.Rows), nil
}
