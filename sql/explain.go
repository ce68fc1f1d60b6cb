package sql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/go-paginate/paginate"
)

// Plan is the database's plan for one statement a page runs.
type Plan struct {
	// SQL is the statement, exactly as Fetch runs it.
	SQL string
	// Raw is the plan as the database wrote it: the EXPLAIN QUERY PLAN
	// lines on SQLite, JSON on PostgreSQL and MySQL/MariaDB.
	Raw string
	// Sorted reports that the database sorts the rows itself (SQLite's
	// temporary B-tree for ORDER BY or GROUP BY, PostgreSQL's Sort node,
	// MySQL's filesort) instead of reading them in index order: every
	// matching row is read before the first is returned.
	Sorted bool
	// FullScan reports that a table is read in full rather than through an
	// index.
	FullScan bool
	// Seek reports that the first table is entered through an index
	// condition (a range or lookup), so a keyset page starts at its
	// position instead of walking the index from the top.
	Seek bool
	// After reports that the statement reads from a position (a keyset
	// page after the first), where Seek matters.
	After bool
	// GroupSorted reports that the database reads rows in the order of
	// the leading sort keys and sorts each group of rows sharing them
	// (PostgreSQL's Incremental Sort): every row of the first group is
	// read before the first is returned.
	GroupSorted bool
	// Table is the first table the statement reads, as the plan names it.
	Table string
	// IndexCond is the condition the first table is entered through, as
	// the database writes it: the constraint of SQLite's SEARCH line
	// ("category=? AND created_at<?"), PostgreSQL's Index Cond, and the
	// key parts MySQL/MariaDB use for a range or lookup
	// ("category,created_at"). It is empty when the table is read from its
	// start.
	IndexCond string
	// Notes are the plan steps behind the flags, in words.
	Notes []string
}

// Indexed reports whether the statement is served from an index: no sort
// and no full scan.
func (p Plan) Indexed() bool { return !p.Sorted && !p.FullScan }

// Report is what [Backend.Explain] found for a page: one plan per
// statement. A page has one statement, except a keyset page on a nullable
// sort column, whose value range and NULL block are separate statements.
type Report struct {
	Dialect Dialect
	Plans   []Plan
}

// Indexed reports whether every statement is served from an index.
func (r Report) Indexed() bool {
	for _, p := range r.Plans {
		if !p.Indexed() {
			return false
		}
	}
	return true
}

// Seek reports whether every statement enters its first table through an
// index condition.
func (r Report) Seek() bool {
	for _, p := range r.Plans {
		if !p.Seek {
			return false
		}
	}
	return len(r.Plans) > 0
}

// String summarizes the report, one line per statement.
func (r Report) String() string {
	var b strings.Builder
	for i, p := range r.Plans {
		if i > 0 {
			b.WriteByte('\n')
		}
		state := "indexed"
		if !p.Indexed() {
			state = "NOT indexed"
		}
		if p.Seek {
			state += ", seeks"
		}
		fmt.Fprintf(&b, "%s: %s", state, p.SQL)
		if len(p.Notes) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(p.Notes, "; "))
		}
	}
	return b.String()
}

// Explain runs the dialect's EXPLAIN (EXPLAIN QUERY PLAN on SQLite,
// EXPLAIN (FORMAT JSON) on PostgreSQL, EXPLAIN FORMAT=JSON on
// MySQL/MariaDB) on the statements Fetch runs for q, with q's values bound,
// and reports whether the page is served from an index. Planners choose
// by table statistics, so explain against representative data.
func (b *Backend[T]) Explain(ctx context.Context, q paginate.Query) (Report, error) {
	r := Report{Dialect: b.c.dialect}
	if len(q.Sort) == 0 || q.Limit <= 0 {
		return r, errors.New("paginate/sql: explain: the query needs a sort and a positive limit")
	}
	if err := b.c.ready(ctx, b.db, &q); err != nil {
		return r, err
	}
	k, err := b.pageKind(ctx, &q)
	if err != nil {
		return r, err
	}
	s, err := b.c.lookup(k, &q)
	if err != nil {
		return r, err
	}
	for i := range s.stmts {
		p := &s.stmts[i]
		args := b.c.bindArgs(nil, p, &q, int64(q.Limit), q.Offset)
		plan, err := b.explain(ctx, b.c.untimed(p.sql), args)
		if err != nil {
			return r, fmt.Errorf("paginate/sql: explain: %w", err)
		}
		plan.After = q.After != nil
		r.Plans = append(r.Plans, plan)
	}
	return r, nil
}

func (b *Backend[T]) explain(ctx context.Context, query string, args []any) (Plan, error) {
	p := Plan{SQL: query}
	rows, err := b.db.QueryContext(ctx, b.c.dialect.explainPrefix()+query, args...)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	if b.c.dialect == SQLite {
		var lines []string
		for rows.Next() {
			var id, parent, unused int64
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return p, err
			}
			lines = append(lines, detail)
		}
		if err := rows.Err(); err != nil {
			return p, err
		}
		p.Raw = strings.Join(lines, "\n")
		sqlitePlan(&p, lines)
		return p, nil
	}
	var raw []byte
	for rows.Next() {
		var s []byte
		if err := rows.Scan(&s); err != nil {
			return p, err
		}
		raw = append(raw, s...)
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	p.Raw = string(raw)
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return p, fmt.Errorf("reading plan: %w", err)
	}
	if b.c.dialect == PostgreSQL {
		postgresPlan(&p, doc)
	} else {
		mysqlPlan(&p, doc)
	}
	return p, nil
}

// sqlitePlan reads EXPLAIN QUERY PLAN lines such as "SEARCH i USING INDEX
// ix (a>?)", "SCAN i USING INDEX ix", "SCAN i" and "USE TEMP B-TREE FOR
// ORDER BY".
func sqlitePlan(p *Plan, lines []string) {
	first := true
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "USE TEMP B-TREE FOR") && (strings.Contains(l, "ORDER BY") || strings.Contains(l, "GROUP BY")):
			p.Sorted = true
			p.Notes = append(p.Notes, l)
		case strings.HasPrefix(l, "SEARCH "):
			if first {
				p.Seek = !strings.Contains(l, "SUBQUERY")
				p.Table, p.IndexCond = sqliteSearch(l)
			}
			first = false
		case strings.HasPrefix(l, "SCAN "):
			if strings.HasPrefix(l, "SCAN CONSTANT ROW") {
				continue
			}
			switch {
			case first:
				p.Table, _ = sqliteSearch(l)
				// The outer table read from its start: in the order of an
				// index, or of the rowid when ORDER BY is the rowid (else a
				// temporary B-tree sorts, flagged above).
				p.Notes = append(p.Notes, l+" (from the top)")
			case !strings.Contains(l, " USING "):
				p.FullScan = true
				p.Notes = append(p.Notes, l+" (full scan for each outer row)")
			}
			first = false
		}
	}
}

// sqliteSearch returns the table of a SEARCH or SCAN line and the
// constraint in its last parentheses: "SEARCH items USING INDEX ix
// (category=? AND created_at<?)" gives "items" and "category=? AND
// created_at<?".
func sqliteSearch(l string) (table, cond string) {
	f := strings.Fields(l)
	if len(f) > 1 {
		table = f[1]
	}
	if strings.HasSuffix(l, ")") && strings.Contains(l, " USING ") {
		depth := 0
		for i := len(l) - 1; i >= 0; i-- {
			switch l[i] {
			case ')':
				depth++
			case '(':
				depth--
				if depth == 0 {
					return table, l[i+1 : len(l)-1]
				}
			}
		}
	}
	return table, ""
}

// postgresPlan walks the plan tree of EXPLAIN (FORMAT JSON).
func postgresPlan(p *Plan, doc any) {
	first := true
	var walk func(n map[string]any)
	walk = func(n map[string]any) {
		typ, _ := n["Node Type"].(string)
		rel, _ := n["Relation Name"].(string)
		switch typ {
		case "Sort":
			p.Sorted = true
			p.Notes = append(p.Notes, fmt.Sprintf("Sort on %v", n["Sort Key"]))
		case "Incremental Sort":
			p.GroupSorted = true
			p.Notes = append(p.Notes, fmt.Sprintf("Incremental Sort on %v", n["Sort Key"]))
		case "Seq Scan":
			p.FullScan = true
			p.Notes = append(p.Notes, "Seq Scan on "+rel)
			if first {
				p.Table = rel
			}
			first = false
		case "Index Scan", "Index Only Scan", "Bitmap Heap Scan":
			if first {
				text, cond := n["Index Cond"].(string)
				if typ == "Bitmap Heap Scan" {
					text, cond = n["Recheck Cond"].(string)
				}
				p.Seek = cond
				p.Table, p.IndexCond = rel, text
				if !cond {
					p.Notes = append(p.Notes, typ+" on "+rel+" (from the top)")
				}
			}
			first = false
		}
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				if m, ok := k.(map[string]any); ok {
					walk(m)
				}
			}
		}
	}
	if list, ok := doc.([]any); ok {
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				if root, ok := m["Plan"].(map[string]any); ok {
					walk(root)
				}
			}
		}
	}
}

// mysqlPlan walks the JSON of EXPLAIN FORMAT=JSON, as MariaDB and MySQL
// write it: table objects with an access_type, and filesort or
// using_filesort where rows are sorted.
func mysqlPlan(p *Plan, doc any) {
	first := true
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if _, ok := x["filesort"]; ok {
				p.Sorted = true
				p.Notes = append(p.Notes, "filesort")
			}
			if x["using_filesort"] == true {
				p.Sorted = true
				p.Notes = append(p.Notes, "using filesort")
			}
			if t, ok := x["table_name"].(string); ok {
				access, _ := x["access_type"].(string)
				if access == "ALL" {
					p.FullScan = true
					p.Notes = append(p.Notes, "full scan of "+t)
				}
				if first {
					p.Table = t
					switch access {
					case "range", "ref", "eq_ref", "const", "system", "ref_or_null":
						p.Seek = true
						p.IndexCond = mysqlKeyParts(x["used_key_parts"])
					default:
						p.Notes = append(p.Notes, "access "+access+" on "+t+" (from the top)")
					}
				}
				first = false
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k])
			}
		}
	}
	walk(doc)
}

// mysqlKeyParts joins the key parts MySQL/MariaDB use for an access.
func mysqlKeyParts(v any) string {
	parts, _ := v.([]any)
	names := make([]string, 0, len(parts))
	for _, x := range parts {
		if s, ok := x.(string); ok {
			names = append(names, s)
		}
	}
	return strings.Join(names, ",")
}

// CheckSort explains the pages of a sort, written as a sort parameter
// ("-created_at,name") and completed by the schema's key as the keyset
// paginator completes it: the first page of 20 rows (21 fetched, as the
// paginator fetches them), and a page after the position of the first row
// (when the table has one). The report holds the plans
// of both.
func (b *Backend[T]) CheckSort(ctx context.Context, sort string) (Report, error) {
	orders, err := b.c.orders(sort)
	if err != nil {
		return Report{Dialect: b.c.dialect}, err
	}
	q := paginate.Query{Sort: orders, Limit: 21, Keys: true}
	r, err := b.Explain(ctx, q)
	if err != nil {
		return r, err
	}
	first, err := b.Fetch(ctx, paginate.Query{Sort: orders, Limit: 1, Keys: true})
	if err != nil {
		return r, fmt.Errorf("paginate/sql: check sort: %w", err)
	}
	if len(first.Keys) == 0 {
		return r, nil
	}
	q.After = make([]any, len(orders))
	for i, v := range first.Keys[0] {
		if bs, ok := v.([]byte); ok && orders[i].Field.Type != paginate.Bytes {
			v = string(bs)
		}
		q.After[i] = v
	}
	r2, err := b.Explain(ctx, q)
	if err != nil {
		return r, err
	}
	r.Plans = append(r.Plans, r2.Plans...)
	return r, nil
}

// WarnUnindexed checks each sort with [Backend.CheckSort] and logs a
// warning through logger for every statement not served from an index, or
// that starts a keyset page by walking the index from the top instead of
// seeking to the position, with the statement and plan. It is meant to run once at startup;
// it returns the first error that kept a check from running.
func (b *Backend[T]) WarnUnindexed(ctx context.Context, logger *slog.Logger, sorts ...string) error {
	for _, s := range sorts {
		r, err := b.CheckSort(ctx, s)
		if err != nil {
			return err
		}
		for _, p := range r.Plans {
			if p.Indexed() && (p.Seek || !p.After) {
				continue
			}
			logger.WarnContext(ctx, "paginate/sql: sort is not served by an index",
				slog.String("sort", s), slog.String("sql", p.SQL),
				slog.String("notes", strings.Join(p.Notes, "; ")), slog.String("plan", p.Raw))
		}
	}
	return nil
}

// orders completes a sort parameter into the keyset paginator's total
// order: fields up to the key, then the key in the last field's direction.
func (c *common) orders(sort string) ([]paginate.Order, error) {
	keys, err := c.schema.ParseSort(sort)
	if err != nil {
		return nil, err
	}
	return c.schema.Order(keys)
}
