package sql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

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

// On SQLite a column's declared type is only an affinity: any column of
// an ordinary table may hold integers, reals, text, blobs and NULL, so
// the stored values are what the check reads. It reads them in one pass
// when they are as expected (every value of the storage class the field's
// type takes, booleans 0 or 1, times in the form of the first rows), and
// counts what is not in a second pass only when the first finds anything.

// timeSample is what the first stored values of a time field say.
type timeSample struct {
	codec valueCodec // their form; nil when they hold none, or no single one
	texts *textTimes
	n     int // values read
}

// sqliteTimeSample reads the first values of a time field.
func (c *common) sqliteTimeSample(ctx context.Context, db sqlx.QueryerContext, f paginate.Field) (timeSample, error) {
	var ts timeSample
	text, args, err := c.fromBase("x", "+("+f.ColumnName()+") AS x", " WHERE x IS NOT NULL LIMIT 256", nil)
	if err != nil {
		return ts, err
	}
	rows, err := db.QueryContext(ctx, text, args...)
	if err != nil {
		return ts, fmt.Errorf("paginate/sql: check: reading the times of field %q: %w", f.Name, err)
	}
	defer rows.Close()
	ts.texts = newTextTimes()
	var small, large, other int
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return ts, err
		}
		ts.n++
		switch x := v.(type) {
		case string:
			ts.texts.add(x)
		case []byte:
			ts.texts.add(string(x))
		case int64:
			if x >= -epochMillisAbove && x <= epochMillisAbove {
				small++
			} else {
				large++
			}
		default:
			other++
		}
	}
	if err := rows.Err(); err != nil {
		return ts, err
	}
	switch {
	case other > 0 || ts.texts.n > 0 && small+large > 0 || small > 0 && large > 0:
	case ts.texts.n > 0 && c.check.layoutSet:
		ts.codec = c.check.layout
	case ts.texts.n > 0:
		if l, why := ts.texts.layout(); why == "" {
			ts.codec = l
		}
	case small > 0:
		ts.codec = unixTime{unit: time.Second}
	case large > 0:
		ts.codec = unixTime{unit: time.Millisecond}
	}
	return ts, nil
}

// badClasses are the storage classes a field's type does not take.
var badClasses = map[paginate.Type]string{
	paginate.Int: "'real', 'text', 'blob'", paginate.Bool: "'real', 'text', 'blob'",
	paginate.Float: "'text', 'blob'", paginate.Decimal: "'text', 'blob'",
	paginate.String: "'integer', 'real', 'blob'", paginate.Bytes: "'integer', 'real', 'text'",
	paginate.Time: "'real', 'blob'",
}

// unexpected returns the condition, with its arguments, that holds for a
// value x of field ff that is not as expected.
func (ff *fieldFacts) unexpected(x string, ts timeSample) (string, []any) {
	conds := []string{"typeof(" + x + ") IN (" + badClasses[ff.f.Type] + ")"}
	var args []any
	switch ff.f.Type {
	case paginate.Bool:
		conds = append(conds, x+" NOT IN (0, 1)")
	case paginate.Time:
		switch cd := ts.codec.(type) {
		case textTime:
			m, margs := cd.sqlMatch(x)
			conds = append(conds, "typeof("+x+") = 'integer'", "typeof("+x+") = 'text' AND NOT ("+m+")")
			args = margs
		case unixTime:
			small := x + " BETWEEN -" + strconv.Itoa(epochMillisAbove) + " AND " + strconv.Itoa(epochMillisAbove)
			if cd.unit == time.Second {
				small = "NOT " + small
			}
			conds = append(conds, "typeof("+x+") = 'text'", "typeof("+x+") = 'integer' AND "+small)
		default:
			conds = append(conds, x+" IS NOT NULL")
		}
	}
	if !ff.f.Nullable && ff.null == nullUnknown {
		conds = append(conds, x+" IS NULL")
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// sqliteValues counts what is not as expected in a field's stored values.
type sqliteValues struct {
	rows, null int64
	bad        int64 // values of a storage class the field's type does not take
	text       int64 // of them, text (Int and Bool fields)
	notBool    int64 // integers other than 0 and 1 (Bool fields)
	// Time fields:
	ints, texts int64
	small       int64 // integers of at most 1e11 in magnitude
	badText     int64 // texts not in the layout of the first rows
}

func (v *sqliteValues) nonNull() int64 { return v.rows - v.null }

// sqliteScan runs the pass over every row: it counts the rows where any
// field's value is not as expected, and, when there are any, counts what
// is unexpected of each field in a second pass.
func (c *common) sqliteScan(ctx context.Context, db sqlx.QueryerContext, facts []*fieldFacts, samples map[int]timeSample) (map[int]*sqliteValues, error) {
	var list, conds []string
	var args []any
	var live []*fieldFacts
	for _, ff := range facts {
		if ff.probeErr != nil {
			continue
		}
		x := "x" + strconv.Itoa(len(list))
		list = append(list, ff.f.ColumnName()+" AS "+x)
		cond, cargs := ff.unexpected(x, samples[ff.idx])
		conds = append(conds, cond)
		args = append(args, cargs...)
		live = append(live, ff)
	}
	out := map[int]*sqliteValues{}
	if len(live) == 0 {
		return out, nil
	}
	for _, ff := range live {
		out[ff.idx] = &sqliteValues{rows: -1} // unknown until counted
	}
	var n int64
	text, innerArgs, err := c.fromBase("COUNT(*)", strings.Join(list, ", "), " WHERE "+strings.Join(conds, " OR "), args)
	if err == nil {
		err = db.QueryRowxContext(ctx, text, innerArgs...).Scan(&n)
	}
	if err != nil {
		return nil, fmt.Errorf("paginate/sql: check: reading stored values: %w", err)
	}
	if n == 0 {
		return out, nil
	}
	// Something is off: count, field by field, what.
	aggs := []string{"COUNT(*)"}
	dest := []any{new(int64)}
	args = args[:0]
	for i, ff := range live {
		v := out[ff.idx]
		x := "x" + strconv.Itoa(i)
		sum := func(cond string, into *int64) {
			aggs = append(aggs, "COALESCE(SUM("+cond+"), 0)")
			dest = append(dest, into)
		}
		sum(x+" IS NULL", &v.null)
		sum("typeof("+x+") IN ("+badClasses[ff.f.Type]+")", &v.bad)
		switch ff.f.Type {
		case paginate.Int, paginate.Bool:
			sum("typeof("+x+") = 'text'", &v.text)
			sum("typeof("+x+") = 'integer' AND "+x+" NOT IN (0, 1)", &v.notBool)
		case paginate.Time:
			sum("typeof("+x+") = 'integer'", &v.ints)
			sum("typeof("+x+") = 'text'", &v.texts)
			sum("typeof("+x+") = 'integer' AND "+x+" BETWEEN -"+strconv.Itoa(epochMillisAbove)+" AND "+strconv.Itoa(epochMillisAbove), &v.small)
			if l, ok := samples[ff.idx].codec.(textTime); ok {
				m, margs := l.sqlMatch(x)
				sum("typeof("+x+") = 'text' AND NOT ("+m+")", &v.badText)
				args = append(args, margs...)
			}
		}
	}
	text, innerArgs, err = c.fromBase(strings.Join(aggs, ", "), strings.Join(list, ", "), "", nil)
	if err == nil {
		// The aggregates' arguments come before the subquery's.
		err = db.QueryRowxContext(ctx, text, append(args, innerArgs...)...).Scan(dest...)
	}
	if err != nil {
		return nil, fmt.Errorf("paginate/sql: check: counting stored values: %w", err)
	}
	for _, v := range out {
		v.rows = *dest[0].(*int64)
	}
	return out, nil
}

// sqliteExamples returns up to three stored values of f of the given
// storage classes, as SQL literals.
func (c *common) sqliteExamples(ctx context.Context, db sqlx.QueryerContext, f paginate.Field, classes ...string) string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(classes)), ", ")
	classArgs := make([]any, len(classes))
	for i, cl := range classes {
		classArgs[i] = cl
	}
	text, args, err := c.fromBase("quote(x)", f.ColumnName()+" AS x", " WHERE typeof(x) IN ("+marks+") LIMIT 3", classArgs)
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
	samples := map[int]timeSample{}
	for _, ff := range facts {
		if ff.probeErr == nil && ff.f.Type == paginate.Time {
			ts, err := c.sqliteTimeSample(ctx, db, ff.f)
			if err != nil {
				return nil, nil, err
			}
			samples[ff.idx] = ts
		}
	}
	values, err := c.sqliteScan(ctx, db, facts, samples)
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
			codecs[ff.idx], p, err = c.sqliteTimeCodec(ctx, db, ff, v, samples[ff.idx])
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
		if n := v.bad; n > 0 {
			e = bad(n, "not integers", "real", "text", "blob")
			if 2*v.text >= v.bad {
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
		if n := v.bad; n > 0 {
			e = bad(n, "not numbers", "text", "blob")
			e.Fix = "declare Type: paginate.String, or store numbers"
			return e
		}
	case paginate.Decimal:
		if n := v.bad; n > 0 {
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
		if n := v.bad; n > 0 {
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
		if n := v.bad; n > 0 {
			e = bad(n, "not blobs", "integer", "real", "text")
			e.Fix = "store blobs, or declare Type: paginate.String for text"
			return e
		}
		return nil
	}
	if ff.affinity == affText {
		e.Found = decl + ": " + withArticle(ff.f.Type) + " filter or position is converted to text and compared as text"
		e.Fix = "give the column INTEGER, REAL or NUMERIC affinity, or declare Type: paginate.String"
		return e
	}
	return nil
}

// epochMillisAbove is the magnitude above which integer times are read as
// Unix milliseconds: 1e11 seconds is in the year 5138, 1e11 milliseconds
// in 1973.
const epochMillisAbove = 100_000_000_000

// sqliteTimeCodec finds how a time field's column stores its values:
// in the form of its first rows when the pass over every row found
// nothing else (v.rows < 0), else from the counts of that pass.
func (c *common) sqliteTimeCodec(ctx context.Context, db sqlx.QueryerContext, ff *fieldFacts, v *sqliteValues, ts timeSample) (valueCodec, *FieldError, error) {
	e := &FieldError{Field: ff.f.Name, Column: ff.f.ColumnName(), Mismatch: TimeStorage}
	switch {
	case v.rows < 0 && ts.codec != nil:
		if _, ok := ts.codec.(unixTime); ok && ff.affinity == affText {
			break // impossible: TEXT affinity stores integers as text
		}
		return ts.codec, nil, nil
	case v.rows < 0 || v.nonNull() == 0:
		if ff.affinity == affInteger {
			return unixTime{unit: time.Second}, nil, nil
		}
		return c.check.layout, nil, nil
	case v.bad > 0:
		e.Found = fmt.Sprintf("%d of its %d stored values are REAL or BLOB (such as %s), which the library does not read as times", v.bad, v.nonNull(), c.sqliteExamples(ctx, db, ff.f, "real", "blob"))
		e.Fix = "store times as text in one layout (\"2006-01-02 15:04:05\") or as integer Unix seconds"
		return nil, e, nil
	case v.ints > 0 && v.texts > 0:
		e.Found = fmt.Sprintf("it stores %d times as integers and %d as text (such as %s), which do not compare with each other", v.ints, v.texts, c.sqliteExamples(ctx, db, ff.f, "integer", "text"))
		e.Fix = "store every time in one form: all text in one layout, or all integer Unix seconds"
		return nil, e, nil
	case v.ints > 0:
		switch v.small {
		case v.ints:
			return unixTime{unit: time.Second}, nil, nil
		case 0:
			return unixTime{unit: time.Millisecond}, nil, nil
		}
		e.Found = fmt.Sprintf("of its %d integer times, %d are at most 1e11 (Unix seconds before the year 5138, or milliseconds before 1973) and %d larger, as if seconds and milliseconds were mixed", v.ints, v.small, v.ints-v.small)
		e.Fix = "store every time in one unit, Unix seconds or milliseconds"
		return nil, e, nil
	}
	if l, ok := ts.codec.(textTime); ok && v.badText == 0 {
		return l, nil, nil
	}
	// The first rows' layout does not fit every row: read them all.
	seen, err := c.sqliteTextTimes(ctx, db, ff.f)
	if err != nil {
		return nil, nil, err
	}
	if c.check.layoutSet {
		e.Found = fmt.Sprintf("its stored times are not all in Config.SQLiteTimeLayout, %s: %s", c.check.layout, describeTextTimes(seen))
		e.Fix = "set Config.SQLiteTimeLayout to the layout the column holds, or leave it empty to detect it"
		return nil, e, nil
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
	text, args, err := c.fromBase("x", "+("+f.ColumnName()+") AS x", " WHERE typeof(x) = 'text'", nil)
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
