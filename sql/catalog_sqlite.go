package sql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/go-paginate/paginate"
)

// affinity is an SQLite column's type affinity: how it converts values
// stored in it and values compared with it.
type affinity uint8

const (
	affNone    affinity = iota // BLOB affinity, or an expression's: no conversion
	affText                    // numbers stored or compared become text
	affNumeric                 // text that looks like a number becomes one
	affInteger
	affReal
)

var affinityNames = [...]string{"BLOB (none)", "TEXT", "NUMERIC", "INTEGER", "REAL"}

func (a affinity) String() string { return affinityNames[a] }

// affinityOf applies SQLite's rules (section 3.1 of "Datatypes In SQLite")
// to a declared type.
func affinityOf(decl string) affinity {
	d := strings.ToUpper(decl)
	switch {
	case strings.Contains(d, "INT"):
		return affInteger
	case strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"), strings.Contains(d, "TEXT"):
		return affText
	case d == "" || strings.Contains(d, "BLOB"):
		return affNone
	case strings.Contains(d, "REAL"), strings.Contains(d, "FLOA"), strings.Contains(d, "DOUB"):
		return affReal
	}
	return affNumeric
}

// sqliteTable reads a table's columns with pragma_table_list and
// pragma_table_xinfo. An unqualified name is looked up as SQLite
// resolves it: temp first, then main, then attached databases.
func sqliteTable(ctx context.Context, db sqlx.QueryerContext, t *tableRef) (*tableInfo, error) {
	rows, err := db.QueryContext(ctx, `SELECT schema, type FROM pragma_table_list(?)`, t.name.ident)
	if err != nil {
		return nil, err
	}
	best, kind := "", ""
	rank := func(s string) int {
		switch s {
		case "temp":
			return 0
		case "main":
			return 1
		}
		return 2
	}
	for rows.Next() {
		var schema, typ string
		if err := rows.Scan(&schema, &typ); err != nil {
			rows.Close()
			return nil, err
		}
		switch {
		case t.schema.kind != 0:
			if strings.EqualFold(schema, t.schema.ident) {
				best, kind = schema, typ
			}
		case best == "" || rank(schema) < rank(best):
			best, kind = schema, typ
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if best == "" || (kind != "table" && kind != "view") {
		return nil, nil // unknown, or a virtual table: nothing reliable
	}
	rows, err = db.QueryContext(ctx, `SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?, ?)`, t.name.ident, best)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ti := &tableInfo{view: kind == "view", cols: map[string]columnInfo{}}
	type pkCol struct {
		name, typ string
	}
	var pks []pkCol
	for rows.Next() {
		var name, typ string
		var notNull, pk int
		if err := rows.Scan(&name, &typ, &notNull, &pk); err != nil {
			return nil, err
		}
		ti.cols[strings.ToLower(name)] = columnInfo{typeName: typ, notNull: notNull != 0, affinity: affinityOf(typ)}
		if pk > 0 {
			pks = append(pks, pkCol{name, typ})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// An INTEGER PRIMARY KEY is the rowid, which is never NULL. Other
	// primary keys of rowid tables may hold NULL, by a bug SQLite keeps
	// for compatibility, but applications do not store NULL keys: such a
	// column is left to the check of its stored values.
	for _, pk := range pks {
		ci := ti.cols[strings.ToLower(pk.name)]
		switch {
		case ci.notNull || ti.view:
		case len(pks) == 1 && strings.EqualFold(pk.typ, "INTEGER"):
			ci.notNull = true
		default:
			ci.pkMayBeNull = true
		}
		ti.cols[strings.ToLower(pk.name)] = ci
	}
	return ti, nil
}

// sqliteValues counts a column's stored values by storage class.
type sqliteValues struct {
	integer, real, text, blob, null int64
	notBool                         int64 // integers other than 0 and 1
	minInt, maxInt                  sql.NullInt64
}

func (v sqliteValues) nonNull() int64 { return v.integer + v.real + v.text + v.blob }

// sqliteStoredValues counts the stored values of every field, in one pass
// over the base query's rows.
func (c *common) sqliteStoredValues(ctx context.Context, db sqlx.QueryerContext, facts []*fieldFacts) (map[int]*sqliteValues, error) {
	var list, aggs []string
	var live []*fieldFacts
	for _, ff := range facts {
		if ff.probeErr != nil {
			continue
		}
		x := "x" + strconv.Itoa(len(live))
		list = append(list, ff.f.ColumnName()+" AS "+x)
		for _, class := range []string{"integer", "real", "text", "blob", "null"} {
			aggs = append(aggs, "COALESCE(SUM(typeof("+x+") = '"+class+"'), 0)")
		}
		aggs = append(aggs, "COALESCE(SUM(typeof("+x+") = 'integer' AND "+x+" NOT IN (0, 1)), 0)",
			"MIN(CASE WHEN typeof("+x+") = 'integer' THEN "+x+" END)", "MAX(CASE WHEN typeof("+x+") = 'integer' THEN "+x+" END)")
		live = append(live, ff)
	}
	out := map[int]*sqliteValues{}
	if len(live) == 0 {
		return out, nil
	}
	text, args, err := squirrel.Select(aggs...).FromSelect(c.base.Columns(list...), "t").ToSql()
	if err != nil {
		return nil, err
	}
	dest := make([]any, 0, len(aggs))
	for _, ff := range live {
		v := &sqliteValues{}
		out[ff.idx] = v
		dest = append(dest, &v.integer, &v.real, &v.text, &v.blob, &v.null, &v.notBool, &v.minInt, &v.maxInt)
	}
	if err := db.QueryRowxContext(ctx, text, args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("paginate/sql: check: counting stored values: %w", err)
	}
	return out, nil
}

// sqliteExamples returns up to three stored values of f of the given
// storage classes, as SQL literals.
func (c *common) sqliteExamples(ctx context.Context, db sqlx.QueryerContext, f paginate.Field, classes ...string) string {
	inner := c.base.Columns(f.ColumnName() + " AS x")
	text, args, err := squirrel.Select("quote(x)").FromSelect(inner, "t").Where(squirrel.Eq{"typeof(x)": classes}).Limit(3).ToSql()
	if err != nil {
		return ""
	}
	var ex []string
	if err := sqlx.SelectContext(ctx, db, &ex, text, args...); err != nil {
		return ""
	}
	return strings.Join(ex, ", ")
}

// checkSQLite judges the facts on SQLite, where a column's declared type
// is only an affinity and the stored values decide: it returns the codecs
// of the time fields and the problems found.
func (c *common) checkSQLite(ctx context.Context, db sqlx.QueryerContext, facts []*fieldFacts) ([]valueCodec, []*FieldError, error) {
	values, err := c.sqliteStoredValues(ctx, db, facts)
	if err != nil {
		return nil, nil, err
	}
	codecs := make([]valueCodec, len(facts))
	var problems []*FieldError
	for _, ff := range facts {
		if ff.probeErr != nil {
			problems = append(problems, missingColumn(ff))
			continue
		}
		v := values[ff.idx]
		var p *FieldError
		if ff.f.Type == paginate.Time {
			codecs[ff.idx], p, err = c.sqliteTimeCodec(ctx, db, ff, v)
			if err != nil {
				return nil, nil, err
			}
		} else {
			p = c.judgeSQLiteType(ctx, db, ff, v)
		}
		if p == nil {
			switch {
			case ff.f.Nullable || ff.null == nullNo:
			case ff.null == nullYes:
				p = &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: UndeclaredNull, Found: ff.nullWhy,
					Fix: "declare the field Nullable: true, or make the column NOT NULL"}
				if ff.table != nil && ff.table.outer {
					p.Fix = "declare the field Nullable: true, or join the table with an inner JOIN"
				}
			case v.null > 0:
				p = &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: UndeclaredNull,
					Found: fmt.Sprintf("%d rows of the base query hold NULL in it", v.null),
					Fix:   "declare the field Nullable: true, or wrap the expression in COALESCE"}
			}
		}
		if p != nil {
			problems = append(problems, p)
		}
	}
	return codecs, problems, nil
}

// sqliteDecl describes a column's declared type for messages.
func sqliteDecl(ff *fieldFacts) string {
	if ff.typeName == "" {
		return "the column has no declared type (affinity " + ff.affinity.String() + ")"
	}
	return fmt.Sprintf("the column is declared %s (affinity %s)", ff.typeName, ff.affinity)
}

// judgeSQLiteType reports a field whose declared type the stored values
// or the column's affinity do not fit. A bound filter value meets the
// column's affinity: a TEXT column compares a bound number as text, a
// NUMERIC one turns bound text that looks like a number into a number,
// and numbers sort before all text.
func (c *common) judgeSQLiteType(ctx context.Context, db sqlx.QueryerContext, ff *fieldFacts, v *sqliteValues) *FieldError {
	e := &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: WrongType}
	decl := sqliteDecl(ff)
	bad := func(n int64, what string, classes ...string) *FieldError {
		e.Found = fmt.Sprintf("%s and %d of its %d stored values are %s (such as %s)", decl, n, v.nonNull(), what, c.sqliteExamples(ctx, db, ff.f, classes...))
		return e
	}
	switch ff.f.Type {
	case paginate.Int, paginate.Bool:
		if n := v.real + v.text + v.blob; n > 0 {
			e = bad(n, "not integers", "real", "text", "blob")
			if v.text >= v.real+v.blob {
				e.Fix = "declare Type: paginate.String, or store integers (UPDATE ... SET col = CAST(col AS INTEGER))"
			} else {
				e.Fix = "declare Type: paginate.Float, or store integers"
			}
			return e
		}
		if ff.f.Type == paginate.Bool && v.notBool > 0 {
			e.Found = fmt.Sprintf("%s and %d of its stored values are integers other than 0 and 1, which read as true but sort apart", decl, v.notBool)
			e.Fix = "store only 0 and 1, or declare Type: paginate.Int"
			return e
		}
	case paginate.Float:
		if n := v.text + v.blob; n > 0 {
			e = bad(n, "not numbers", "text", "blob")
			e.Fix = "declare Type: paginate.String, or store numbers"
			return e
		}
	case paginate.Decimal:
		if n := v.text + v.blob; n > 0 {
			e = bad(n, "not numbers", "text", "blob")
			e.Fix = "store numbers in a NUMERIC column, or declare Type: paginate.String"
			return e
		}
		if ff.affinity == affNone || ff.affinity == affText {
			e.Found = decl + ": a decimal filter or position is bound as text, which this column compares with its stored numbers as text"
			e.Fix = "give the column NUMERIC affinity (declare it NUMERIC or DECIMAL), or write Column as CAST(col AS NUMERIC)"
			return e
		}
		return nil
	case paginate.String:
		if n := v.integer + v.real + v.blob; n > 0 {
			e = bad(n, "not text", "integer", "real", "blob")
			e.Fix = "store text (UPDATE ... SET col = CAST(col AS TEXT)), or declare the numbers' type"
			return e
		}
		if ff.affinity != affNone && ff.affinity != affText {
			e.Found = decl + ": a text filter that looks like a number (\"10\") is converted to one and compared as a number, not as text"
			e.Fix = "give the column TEXT affinity, or write Column as CAST(col AS TEXT)"
			return e
		}
		return nil
	case paginate.Bytes:
		if n := v.integer + v.real + v.text; n > 0 {
			e = bad(n, "not blobs", "integer", "real", "text")
			e.Fix = "store blobs, or declare Type: paginate.String for text"
			return e
		}
		return nil
	}
	if ff.affinity == affText {
		e.Found = decl + ": a " + ff.f.Type.String() + " filter or position is converted to text and compared as text"
		e.Fix = "give the column INTEGER, REAL or NUMERIC affinity, or declare Type: paginate.String"
		return e
	}
	return nil
}

// epochMillisAbove is the magnitude above which integer times are read as
// Unix milliseconds: 1e11 seconds is in the year 5138, 1e11 milliseconds
// in 1973.
const epochMillisAbove = 100_000_000_000

// sqliteTimeCodec finds how a time field's column stores its values.
func (c *common) sqliteTimeCodec(ctx context.Context, db sqlx.QueryerContext, ff *fieldFacts, v *sqliteValues) (valueCodec, *FieldError, error) {
	e := &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: TimeStorage}
	switch {
	case v.nonNull() == 0:
		if ff.affinity == affInteger {
			return unixTime{unit: time.Second}, nil, nil
		}
		return c.check.layout, nil, nil
	case v.real > 0 || v.blob > 0:
		e.Found = fmt.Sprintf("%d of its %d stored values are REAL or BLOB (such as %s), which the library does not read as times", v.real+v.blob, v.nonNull(), c.sqliteExamples(ctx, db, ff.f, "real", "blob"))
		e.Fix = "store times as text in one layout (\"2006-01-02 15:04:05\") or as integer Unix seconds"
		return nil, e, nil
	case v.integer > 0 && v.text > 0:
		e.Found = fmt.Sprintf("it stores %d times as integers and %d as text (such as %s), which do not compare with each other", v.integer, v.text, c.sqliteExamples(ctx, db, ff.f, "integer", "text"))
		e.Fix = "store every time in one form: all text in one layout, or all integer Unix seconds"
		return nil, e, nil
	case v.integer > 0:
		if ff.affinity == affText {
			e.Found = sqliteDecl(ff) + ", so a bound time would be compared as text"
			e.Fix = "give the column INTEGER affinity"
			return nil, e, nil
		}
		unit := time.Second
		if v.minInt.Int64 < -epochMillisAbove || v.maxInt.Int64 > epochMillisAbove {
			unit = time.Millisecond
		}
		return unixTime{unit: unit}, nil, nil
	}
	seen, err := c.sqliteTextTimes(ctx, db, ff.f)
	if err != nil {
		return nil, nil, err
	}
	if c.check.layoutSet {
		if !seen.fits(c.check.layout) {
			e.Found = fmt.Sprintf("its stored times are not all in Config.SQLiteTimeLayout, %s: %s", c.check.layout, describeTextTimes(seen))
			e.Fix = "set Config.SQLiteTimeLayout to the layout the column holds, or leave it empty to detect it"
			return nil, e, nil
		}
		return c.check.layout, nil, nil
	}
	l, why := seen.layout()
	if why != "" {
		e.Found = why
		e.Fix = "rewrite the column in one layout whose text sorts as time, in UTC (UPDATE ... SET col = strftime('%Y-%m-%d %H:%M:%f', col)), or store integer Unix seconds"
		return nil, e, nil
	}
	return l, nil, nil
}

// describeTextTimes summarizes the layouts gathered, for messages.
func describeTextTimes(s *textTimes) string {
	l, why := s.layout()
	if why == "" {
		why = "they are " + l.String()
	}
	return why
}

// sqliteTextTimes reads every text value of a time field's column.
func (c *common) sqliteTextTimes(ctx context.Context, db sqlx.QueryerContext, f paginate.Field) (*textTimes, error) {
	inner := c.base.Columns("+(" + f.ColumnName() + ") AS x")
	text, args, err := squirrel.Select("x").FromSelect(inner, "t").Where("typeof(x) = 'text'").ToSql()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("paginate/sql: check: reading the times of field %q: %w", f.Name, err)
	}
	defer rows.Close()
	seen := newTextTimes()
	var s string
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		seen.add(s)
	}
	return seen, rows.Err()
}
