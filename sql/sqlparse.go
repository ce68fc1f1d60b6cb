package sql

import (
	"strings"
)

// The catalog check needs to know which table a field's column belongs
// to. Field.Column and the base query's FROM and JOIN clauses are
// application text; this file reads the simple forms of them (table
// names, aliases, qualified columns, the kind of each join) and gives up,
// leaving the field to the checks that need no table, on anything else.

// sqlToken is one token of SQL text.
type sqlToken struct {
	text   string // as written
	ident  string // for an identifier: its name, unquoted
	quoted bool   // a quoted identifier
	kind   tokenKind
}

type tokenKind uint8

const (
	tokWord   tokenKind = iota + 1 // a bare word: keyword or identifier
	tokQuoted                      // a quoted identifier
	tokString                      // a string literal
	tokNumber
	tokPunct // one character: ( ) , . ; and operators
)

// tokenize splits SQL text into tokens. It reports false for text it
// cannot split (an unterminated quote).
func tokenize(s string) ([]sqlToken, bool) {
	var out []sqlToken
	for i := 0; i < len(s); {
		c := s[i]
		j := i + 1
		t := sqlToken{kind: tokPunct}
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case isIdentStart(c):
			for j < len(s) && isIdentPart(s[j]) {
				j++
			}
			t = sqlToken{ident: s[i:j], kind: tokWord}
		case c >= '0' && c <= '9':
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			t.kind = tokNumber
		case c == '"' || c == '`' || c == '[' || c == '\'':
			var ok bool
			if t, j, ok = quotedToken(s, i); !ok {
				return nil, false
			}
		}
		t.text = s[i:j]
		out = append(out, t)
		i = j
	}
	return out, true
}

// quotedToken reads the quoted identifier or string literal starting at
// s[i], a doubled quote standing for one, and returns it and the index
// after it.
func quotedToken(s string, i int) (sqlToken, int, bool) {
	end := s[i]
	if end == '[' {
		end = ']'
	}
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != end {
			b.WriteByte(s[j])
			continue
		}
		if end != ']' && j+1 < len(s) && s[j+1] == end { // a doubled quote
			b.WriteByte(end)
			j++
			continue
		}
		if s[i] == '\'' {
			return sqlToken{kind: tokString}, j + 1, true
		}
		return sqlToken{ident: b.String(), quoted: true, kind: tokQuoted}, j + 1, true
	}
	return sqlToken{}, len(s), false
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

func (t sqlToken) isIdent() bool { return t.kind == tokWord || t.kind == tokQuoted }

// is reports whether t is the keyword kw (upper case).
func (t sqlToken) is(kw string) bool { return t.kind == tokWord && strings.EqualFold(t.text, kw) }

// colRef is a column reference: an optional qualifier (a table name or
// alias) and the column's name.
type colRef struct {
	qual   sqlToken // zero when unqualified
	name   sqlToken
	schema sqlToken // a schema before the table, rarely written
}

// parseColRef reads text as a column reference, [schema.][table.]column,
// each part bare or quoted. It reports false for anything else (an
// expression).
func parseColRef(text string) (colRef, bool) {
	toks, ok := tokenize(text)
	if !ok || len(toks) == 0 || len(toks) > 5 || len(toks)%2 == 0 {
		return colRef{}, false
	}
	var parts []sqlToken
	for i, t := range toks {
		if i%2 == 1 {
			if t.text != "." {
				return colRef{}, false
			}
			continue
		}
		if !t.isName() {
			return colRef{}, false
		}
		parts = append(parts, t)
	}
	r := colRef{name: parts[len(parts)-1]}
	if len(parts) >= 2 {
		r.qual = parts[len(parts)-2]
	}
	if len(parts) == 3 {
		r.schema = parts[0]
	}
	return r, true
}

// tableRef is one table of the base query's FROM clause.
type tableRef struct {
	schema sqlToken // zero when unqualified
	name   sqlToken // zero for a subquery or function
	alias  sqlToken // zero when none
	// outer reports that the table's rows may be missing from a joined
	// row (the inner side of a LEFT, RIGHT or FULL join), so its columns
	// may be NULL whatever the catalog says.
	outer bool
	// joinKind is how it was joined, for messages: "LEFT JOIN" and so on.
	joinKind string
}

// label is how the table is named in messages.
func (t tableRef) label() string {
	s := t.name.text
	if t.schema.kind != 0 {
		s = t.schema.text + "." + s
	}
	if t.alias.kind != 0 {
		s += " " + t.alias.text
	}
	return s
}

// joinWords are the words that start or qualify a join.
var joinWords = map[string]bool{"JOIN": true, "LEFT": true, "RIGHT": true, "FULL": true, "INNER": true, "CROSS": true, "NATURAL": true, "OUTER": true, "STRAIGHT_JOIN": true}

// keywords are words that cannot be a table alias or a column name here.
var keywords = map[string]bool{"ON": true, "USING": true, "WHERE": true, "GROUP": true, "ORDER": true, "LIMIT": true, "HAVING": true,
	"WINDOW": true, "AS": true, "USE": true, "FORCE": true, "IGNORE": true, "INDEXED": true, "NOT": true, "TABLESAMPLE": true,
	"LATERAL": true, "ONLY": true, "SELECT": true, "FROM": true, "AND": true, "OR": true, "NULL": true, "CASE": true, "WHEN": true,
	"THEN": true, "ELSE": true, "END": true, "IS": true, "IN": true, "LIKE": true, "BETWEEN": true, "CAST": true, "DISTINCT": true,
	"TRUE": true, "FALSE": true, "UNION": true, "VALUES": true, "WITH": true}

func isKeyword(w string) bool {
	u := strings.ToUpper(w)
	return keywords[u] || joinWords[u]
}

// parseFrom reads the FROM clause's text, joins included, into its
// tables. It reports false when it meets a form it does not read (a table
// function, index hints, LATERAL): the caller then resolves no column
// through the catalog rather than resolve one wrongly.
func parseFrom(text string) ([]tableRef, bool) {
	toks, ok := tokenize(text)
	if !ok || len(toks) == 0 {
		return nil, false
	}
	var refs []tableRef
	i := 0
	kind := "FROM"
	for {
		ref, next, ok := parseTableRef(toks, i)
		if !ok {
			return nil, false
		}
		ref.joinKind = kind
		refs = addJoined(refs, ref)
		i = skipJoinCondition(toks, next)
		if i >= len(toks) {
			return refs, true
		}
		if kind, i, ok = joinKind(toks, i); !ok {
			return nil, false
		}
	}
}

// addJoined appends a table to those before it, marking the tables whose
// rows an outer join may leave out.
func addJoined(refs []tableRef, ref tableRef) []tableRef {
	left := strings.HasPrefix(ref.joinKind, "LEFT") || strings.HasPrefix(ref.joinKind, "FULL")
	right := strings.HasPrefix(ref.joinKind, "RIGHT") || strings.HasPrefix(ref.joinKind, "FULL")
	ref.outer = left
	if right {
		for j := range refs {
			refs[j].outer = true
		}
	}
	return append(refs, ref)
}

// skipJoinCondition skips an ON condition or USING list from toks[i] up to
// the next join, and returns the index there.
func skipJoinCondition(toks []sqlToken, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		t := toks[i]
		if depth == 0 && (t.text == "," || t.kind == tokWord && joinWords[strings.ToUpper(t.text)]) {
			break
		}
		switch t.text {
		case "(":
			depth++
		case ")":
			depth--
		}
	}
	return i
}

// joinKind reads a comma or the words of a join ("LEFT OUTER JOIN") at
// toks[i], and returns the kind, NATURAL dropped, and the index after it.
func joinKind(toks []sqlToken, i int) (string, int, bool) {
	if toks[i].text == "," {
		return "CROSS JOIN", i + 1, true
	}
	var words []string
	for i < len(toks) && toks[i].kind == tokWord && joinWords[strings.ToUpper(toks[i].text)] {
		w := strings.ToUpper(toks[i].text)
		i++
		words = append(words, w)
		if w == "JOIN" || w == "STRAIGHT_JOIN" {
			return strings.TrimPrefix(strings.Join(words, " "), "NATURAL "), i, true
		}
	}
	return "", i, false
}

// parseTableRef reads "name [AS] alias", "schema.name [AS] alias" or
// "(subquery) [AS] alias" at toks[i].
func parseTableRef(toks []sqlToken, i int) (tableRef, int, bool) {
	var ref tableRef
	if i >= len(toks) {
		return ref, i, false
	}
	switch {
	case toks[i].text == "(":
		if i = skipParens(toks, i); i < 0 {
			return ref, i, false
		}
	case toks[i].isName():
		ref.name = toks[i]
		i++
		if i+1 < len(toks) && toks[i].text == "." && toks[i+1].isIdent() {
			ref.schema, ref.name = ref.name, toks[i+1]
			i += 2
		}
		if i < len(toks) && toks[i].text == "(" {
			return ref, i, false // a table function
		}
	default:
		return ref, i, false
	}
	if i < len(toks) && toks[i].is("AS") {
		i++
		if i >= len(toks) || !toks[i].isIdent() {
			return ref, i, false
		}
	}
	if i < len(toks) && toks[i].isName() {
		ref.alias = toks[i]
		i++
	}
	if i < len(toks) {
		t := toks[i]
		if !(t.text == "," || t.kind == tokWord && (joinWords[strings.ToUpper(t.text)] || t.is("ON") || t.is("USING"))) {
			return ref, i, false // index hints, TABLESAMPLE and the like
		}
	}
	return ref, i, true
}

// isName reports whether t names a table, alias or column: an identifier
// that is not a keyword.
func (t sqlToken) isName() bool {
	return t.isIdent() && !(t.kind == tokWord && isKeyword(t.text))
}

// skipParens returns the index after the parenthesized tokens starting at
// toks[i], or -1 when they are not closed.
func skipParens(toks []sqlToken, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// isNotNullCondition reports whether a WHERE part's text is "col IS NOT
// NULL", optionally parenthesized, and returns the column reference.
func isNotNullCondition(text string) (colRef, bool) {
	toks, ok := tokenize(text)
	for ok && len(toks) >= 2 && toks[0].text == "(" && toks[len(toks)-1].text == ")" {
		toks = toks[1 : len(toks)-1]
	}
	n := len(toks)
	if !ok || n < 4 || !toks[n-3].is("IS") || !toks[n-2].is("NOT") || !toks[n-1].is("NULL") {
		return colRef{}, false
	}
	var b strings.Builder
	for _, t := range toks[:n-3] {
		b.WriteString(t.text)
	}
	return parseColRef(b.String())
}
