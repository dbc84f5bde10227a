package jirasim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Query is a parsed JQL query: an optional restriction and an ordering.
type Query struct {
	Where   Expr    // nil when the query has no restriction (only ORDER BY, or nothing)
	OrderBy []Order // empty when the query has no ORDER BY
}

// Order is one ORDER BY key.
type Order struct {
	Field string // as written
	Desc  bool
	field *fieldDef
}

// Expr is a node of a JQL restriction: *Clause, *And, *Or or *Not.
type Expr interface {
	String() string
	expr()
}

// And holds when every term holds.
type And struct{ Terms []Expr }

// Or holds when any term holds.
type Or struct{ Terms []Expr }

// Not negates X.
type Not struct{ X Expr }

// Clause is one `field operator operand` term.
type Clause struct {
	Field  string  // as written (error messages echo it)
	Op     string  // "=", "!=", ">", ">=", "<", "<=", "~", "!~", "in", "not in", "is", "is not"
	Values []Value // one value; a list for in / not in; one EMPTY value for is / is not
	List   bool    // the operand was a parenthesised list
	field  *fieldDef
}

// Value is one operand: a literal (quoted or not), EMPTY, or a function call.
type Value struct {
	Text  string   // the literal, escapes resolved
	Empty bool     // EMPTY or NULL, unquoted
	Func  string   // function name for a call such as currentUser(); Text is then empty
	Args  []string // the call's arguments
}

func (*And) expr()    {}
func (*Or) expr()     {}
func (*Not) expr()    {}
func (*Clause) expr() {}

func (a *And) String() string { return joinTerms(a.Terms, " AND ", precAnd) }
func (o *Or) String() string  { return joinTerms(o.Terms, " OR ", precOr) }
func (n *Not) String() string { return "NOT " + paren(n.X, precNot) }

// Binding strength, for parentheses in String: NOT binds tightest.
const (
	precOr = iota + 1
	precAnd
	precNot
)

func prec(e Expr) int {
	switch e.(type) {
	case *Or:
		return precOr
	case *And:
		return precAnd
	}
	return precNot
}

func joinTerms(terms []Expr, sep string, p int) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = paren(t, p)
	}
	return strings.Join(parts, sep)
}

// paren wraps e when it binds more loosely than the place it is printed
// in, so that String round-trips through ParseJQL with the same meaning.
func paren(e Expr, p int) string {
	if prec(e) < p {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func (c *Clause) String() string {
	var b strings.Builder
	b.WriteString(quoteIfNeeded(c.Field))
	b.WriteString(" ")
	b.WriteString(strings.ToUpper(c.Op))
	b.WriteString(" ")
	if c.List {
		b.WriteString("(")
		for i, v := range c.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(v.String())
		}
		b.WriteString(")")
	} else if len(c.Values) > 0 {
		b.WriteString(c.Values[0].String())
	}
	return b.String()
}

func (v Value) String() string {
	switch {
	case v.Empty:
		return "EMPTY"
	case v.Func != "":
		args := make([]string, len(v.Args))
		for i, a := range v.Args {
			args[i] = quote(a)
		}
		return v.Func + "(" + strings.Join(args, ", ") + ")"
	}
	return quote(v.Text)
}

// String renders the query canonically: every value double-quoted, every
// operator and keyword upper case. Parsing the result gives the same query.
func (q Query) String() string {
	var parts []string
	if q.Where != nil {
		parts = append(parts, q.Where.String())
	}
	if len(q.OrderBy) > 0 {
		keys := make([]string, len(q.OrderBy))
		for i, o := range q.OrderBy {
			dir := "ASC"
			if o.Desc {
				dir = "DESC"
			}
			keys[i] = quoteIfNeeded(o.Field) + " " + dir
		}
		parts = append(parts, "ORDER BY "+strings.Join(keys, ", "))
	}
	return strings.Join(parts, " ")
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

var plainField = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func quoteIfNeeded(field string) string {
	if plainField.MatchString(field) || customRef.MatchString(field) {
		return field
	}
	return quote(field)
}

// JQLError is a query Jira refuses. Message is Jira's wording: syntax
// errors start with "Error in the JQL Query:" and end with the position.
type JQLError struct {
	Message string
}

func (e *JQLError) Error() string { return e.Message }

// fieldKind decides which operators a field takes and how it matches.
type fieldKind int

const (
	kindText fieldKind = iota + 1
	kindKey
	kindProject
	kindLabels
	kindStatus
	kindStatusCategory
	kindResolution
	kindUser
	kindDate
	kindPriority
	kindType
	kindComponent
	kindCustom
)

type fieldDef struct {
	id       string // canonical field id, as in /field and issue JSON
	kind     fieldKind
	sortable bool
}

// jqlFields are the searchable fields, by lower-case JQL name.
var jqlFields = buildFields()

func buildFields() map[string]*fieldDef {
	defs := []struct {
		names    []string
		id       string
		kind     fieldKind
		sortable bool
	}{
		{[]string{"project"}, "project", kindProject, true},
		{[]string{"key", "issue", "issuekey", "id"}, "issuekey", kindKey, true},
		{[]string{"labels", "label"}, "labels", kindLabels, false},
		{[]string{"status"}, "status", kindStatus, true},
		{[]string{"statuscategory"}, "statusCategory", kindStatusCategory, true},
		{[]string{"resolution"}, "resolution", kindResolution, true},
		{[]string{"assignee"}, "assignee", kindUser, true},
		{[]string{"reporter"}, "reporter", kindUser, true},
		{[]string{"created", "createddate"}, "created", kindDate, true},
		{[]string{"updated", "updateddate"}, "updated", kindDate, true},
		{[]string{"resolved", "resolutiondate"}, "resolutiondate", kindDate, true},
		{[]string{"due", "duedate"}, "duedate", kindDate, true},
		{[]string{"priority"}, "priority", kindPriority, true},
		{[]string{"type", "issuetype"}, "issuetype", kindType, true},
		{[]string{"component"}, "components", kindComponent, true},
		{[]string{"summary"}, "summary", kindText, true},
		{[]string{"description"}, "description", kindText, false},
		{[]string{"comment"}, "comment", kindText, false},
		{[]string{"text"}, "text", kindText, false},
	}
	m := map[string]*fieldDef{}
	for _, d := range defs {
		def := &fieldDef{id: d.id, kind: d.kind, sortable: d.sortable}
		for _, n := range d.names {
			m[n] = def
		}
	}
	return m
}

// customRef is a custom field reference: cf[10010] or customfield_10010.
var customRef = regexp.MustCompile(`^(?i:cf\[(\d+)\]|customfield_(\d+))$`)

func lookupField(name string) *fieldDef {
	if d := jqlFields[strings.ToLower(name)]; d != nil {
		return d
	}
	if m := customRef.FindStringSubmatch(name); m != nil {
		return &fieldDef{id: "customfield_" + m[1] + m[2], kind: kindCustom, sortable: true}
	}
	return nil
}

// allowedOps lists each kind's operators, as Jira's field validators do.
func allowedOps(k fieldKind) []string {
	eq := []string{"=", "!=", "in", "not in", "is", "is not"}
	ord := []string{">", ">=", "<", "<="}
	switch k {
	case kindText:
		return []string{"~", "!~", "is", "is not"}
	case kindKey:
		return append([]string{"=", "!=", "in", "not in"}, ord...)
	case kindDate, kindPriority:
		return append(eq, ord...)
	case kindCustom:
		return append(eq, "~", "!~")
	}
	return eq
}

// ParseJQL parses the subset of JQL the simulator understands (see the
// package documentation) and checks fields, operators, issue keys and date
// values the way Jira does before it searches. Values never become syntax:
// a quoted value is one value whatever it contains.
func ParseJQL(jql string) (Query, error) {
	toks, err := lex(jql)
	if err != nil {
		return Query{}, err
	}
	p := &parser{src: jql, toks: toks}
	return p.query()
}

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tString
	tLParen
	tRParen
	tComma
	tOp
	tAnd // && (AND as a word is a tWord)
	tOr  // ||
	tNot // !
)

type token struct {
	kind tokKind
	text string // escapes resolved
	raw  string // as written
	pos  int    // byte offset
}

// reserved are the characters Jira refuses in unquoted values.
const reserved = "+.,;?|*/%^$#@[]"

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			toks = append(toks, token{kind: tEOF, raw: "EOF", pos: i})
			return toks, nil
		}
		start := i
		c := src[i]
		two := ""
		if i+1 < len(src) {
			two = src[i : i+2]
		}
		switch {
		case c == '(':
			toks = append(toks, token{kind: tLParen, text: "(", raw: "(", pos: i})
			i++
		case c == ')':
			toks = append(toks, token{kind: tRParen, text: ")", raw: ")", pos: i})
			i++
		case c == ',':
			toks = append(toks, token{kind: tComma, text: ",", raw: ",", pos: i})
			i++
		case two == "!=" || two == "<=" || two == ">=" || two == "!~":
			toks = append(toks, token{kind: tOp, text: two, raw: two, pos: i})
			i += 2
		case c == '=' || c == '<' || c == '>' || c == '~':
			toks = append(toks, token{kind: tOp, text: string(c), raw: string(c), pos: i})
			i++
		case two == "&&":
			toks = append(toks, token{kind: tAnd, text: "&&", raw: "&&", pos: i})
			i += 2
		case two == "||":
			toks = append(toks, token{kind: tOr, text: "||", raw: "||", pos: i})
			i += 2
		case c == '!':
			toks = append(toks, token{kind: tNot, text: "!", raw: "!", pos: i})
			i++
		case c == '"' || c == '\'':
			text, end, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: text, raw: src[start:end], pos: start})
			i = end
		default:
			text, end, err := lexWord(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tWord, text: text, raw: src[start:end], pos: start})
			i = end
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// lexString reads a quoted string starting at src[i] (the quote).
func lexString(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == q:
			return b.String(), j + 1, nil
		case c == '\\':
			r, n, err := unescape(src, j)
			if err != nil {
				return "", 0, err
			}
			b.WriteString(r)
			j += n
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, syntaxError(src, i, fmt.Sprintf("The quoted string '%s' has not been completed.", src[i+1:]))
}

// lexWord reads an unquoted word; backslash escapes work there too.
func lexWord(src string, i int) (string, int, error) {
	start := i
	// A custom field reference keeps its brackets: cf[10010].
	if m := cfPrefix.FindString(src[i:]); m != "" {
		return m, i + len(m), nil
	}
	var b strings.Builder
	for i < len(src) {
		c := src[i]
		if isSpace(c) || strings.IndexByte(`=!<>~(),"'&`, c) >= 0 || (c == '|' && i+1 < len(src) && src[i+1] == '|') {
			break
		}
		if c == '\\' {
			r, n, err := unescape(src, i)
			if err != nil {
				return "", 0, err
			}
			b.WriteString(r)
			i += n
			continue
		}
		if strings.IndexByte(reserved, c) >= 0 {
			return "", 0, syntaxError(src, i, fmt.Sprintf(
				"The character '%c' is a reserved JQL character. You must enclose it in a string or use the escape '\\u%04x' instead.", c, c))
		}
		r, n := utf8.DecodeRuneInString(src[i:])
		b.WriteRune(r)
		i += n
	}
	if i == start { // a lone '&' or '|'
		return "", 0, syntaxError(src, i, fmt.Sprintf(
			"The character '%c' is a reserved JQL character. You must enclose it in a string or use the escape '\\u%04x' instead.", src[i], src[i]))
	}
	return b.String(), i, nil
}

var cfPrefix = regexp.MustCompile(`^(?i:cf)\[\d+\]`)

// unescape reads the escape sequence at src[i] (a backslash) and returns
// its text and length.
func unescape(src string, i int) (string, int, error) {
	if i+1 >= len(src) {
		return "", 0, syntaxError(src, i, "The escape sequence '\\' at the end of the query is illegal.")
	}
	switch c := src[i+1]; c {
	case '"', '\'', '\\', ' ':
		return string(c), 2, nil
	case 'n':
		return "\n", 2, nil
	case 'r':
		return "\r", 2, nil
	case 't':
		return "\t", 2, nil
	case 'u':
		if i+6 <= len(src) {
			if n, err := strconv.ParseUint(src[i+2:i+6], 16, 16); err == nil {
				return string(rune(n)), 6, nil
			}
		}
	}
	end := min(i+2, len(src))
	return "", 0, syntaxError(src, i, fmt.Sprintf("The escape sequence '%s' is illegal.", src[i:end]))
}

// syntaxError words a parse error as Jira does, with a 1-based position.
func syntaxError(src string, pos int, msg string) *JQLError {
	line, col := 1, 1
	for _, r := range src[:min(pos, len(src))] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &JQLError{Message: fmt.Sprintf("Error in the JQL Query: %s (line %d, character %d)", msg, line, col)}
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isWord(t token, kw string) bool {
	return t.kind == tWord && strings.EqualFold(t.raw, kw)
}

func (p *parser) errAt(t token, msg string) *JQLError { return syntaxError(p.src, t.pos, msg) }

func (p *parser) query() (Query, error) {
	var q Query
	if t := p.peek(); t.kind != tEOF && !p.isWord(t, "order") {
		where, err := p.or()
		if err != nil {
			return Query{}, err
		}
		q.Where = where
	}
	t := p.peek()
	if p.isWord(t, "order") {
		p.next()
		if by := p.next(); !p.isWord(by, "by") {
			return Query{}, p.errAt(by, fmt.Sprintf("Expecting 'BY' but got '%s'.", by.raw))
		}
		for {
			ft := p.next()
			if ft.kind != tWord && ft.kind != tString || isKeyword(ft) {
				return Query{}, p.errAt(ft, fmt.Sprintf("Expecting a field name but got '%s'. You must surround '%s' in quotation marks to use it as a field name.", ft.raw, ft.raw))
			}
			def := lookupField(ft.text)
			if def == nil {
				return Query{}, &JQLError{Message: fmt.Sprintf("Field '%s' does not exist or you do not have permission to view it.", ft.text)}
			}
			if !def.sortable {
				return Query{}, &JQLError{Message: fmt.Sprintf("Field '%s' does not support sorting.", ft.text)}
			}
			o := Order{Field: ft.text, field: def}
			if d := p.peek(); p.isWord(d, "asc") || p.isWord(d, "desc") {
				p.next()
				o.Desc = strings.EqualFold(d.raw, "desc")
			}
			q.OrderBy = append(q.OrderBy, o)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
		t = p.peek()
	}
	if t.kind != tEOF {
		if q.OrderBy != nil {
			return Query{}, p.errAt(t, fmt.Sprintf("Expecting ',' but got '%s'.", t.raw))
		}
		return Query{}, p.errAt(t, fmt.Sprintf("Expecting either 'OR' or 'AND' but got '%s'.", t.raw))
	}
	return q, nil
}

func isKeyword(t token) bool {
	if t.kind != tWord {
		return false
	}
	switch strings.ToLower(t.raw) {
	case "and", "or", "not", "in", "is", "order", "by":
		return true
	}
	return false
}

func (p *parser) or() (Expr, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for t := p.peek(); t.kind == tOr || p.isWord(t, "or"); t = p.peek() {
		p.next()
		e, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &Or{Terms: terms}, nil
}

func (p *parser) and() (Expr, error) {
	first, err := p.not()
	if err != nil {
		return nil, err
	}
	terms := []Expr{first}
	for t := p.peek(); t.kind == tAnd || p.isWord(t, "and"); t = p.peek() {
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		terms = append(terms, e)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return &And{Terms: terms}, nil
}

func (p *parser) not() (Expr, error) {
	t := p.peek()
	switch {
	case t.kind == tNot || p.isWord(t, "not"):
		p.next()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	case t.kind == tLParen:
		p.next()
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errAt(c, fmt.Sprintf("Expecting ')' but got '%s'.", c.raw))
		}
		return x, nil
	}
	return p.clause()
}

const validOps = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."

func (p *parser) clause() (Expr, error) {
	ft := p.next()
	if (ft.kind != tWord && ft.kind != tString) || isKeyword(ft) {
		return nil, p.errAt(ft, fmt.Sprintf("Expecting a field name but got '%s'. You must surround '%s' in quotation marks to use it as a field name.", ft.raw, ft.raw))
	}
	c := &Clause{Field: ft.text}
	ot := p.next()
	switch {
	case ot.kind == tOp:
		c.Op = ot.text
	case p.isWord(ot, "in"):
		c.Op = "in"
	case p.isWord(ot, "is"):
		c.Op = "is"
		if p.isWord(p.peek(), "not") {
			p.next()
			c.Op = "is not"
		}
	case p.isWord(ot, "not"):
		if in := p.next(); !p.isWord(in, "in") {
			return nil, p.errAt(in, fmt.Sprintf("Expecting 'IN' but got '%s'.", in.raw))
		}
		c.Op = "not in"
	default:
		return nil, p.errAt(ot, fmt.Sprintf("Expecting operator but got '%s'. %s", ot.raw, validOps))
	}
	switch c.Op {
	case "is", "is not":
		vt := p.next()
		if !p.isWord(vt, "empty") && !p.isWord(vt, "null") {
			return nil, p.errAt(vt, fmt.Sprintf("Expecting 'EMPTY' or 'NULL' but got '%s'.", vt.raw))
		}
		c.Values = []Value{{Empty: true}}
	case "in", "not in":
		lt := p.next()
		if lt.kind != tLParen {
			return nil, p.errAt(lt, fmt.Sprintf("Expecting '(' but got '%s'.", lt.raw))
		}
		c.List = true
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			c.Values = append(c.Values, v)
			sep := p.next()
			if sep.kind == tRParen {
				break
			}
			if sep.kind != tComma {
				return nil, p.errAt(sep, fmt.Sprintf("Expecting ')' but got '%s'.", sep.raw))
			}
		}
	default:
		if p.peek().kind == tLParen {
			return nil, &JQLError{Message: fmt.Sprintf("The operator '%s' does not support a list of values for field '%s'.", c.Op, c.Field)}
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		c.Values = []Value{v}
	}
	if err := checkClause(c); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) value() (Value, error) {
	t := p.next()
	switch {
	case t.kind == tString:
		return Value{Text: t.text}, nil
	case t.kind == tWord && !isKeyword(t):
		if p.isWord(t, "empty") || p.isWord(t, "null") {
			return Value{Empty: true}, nil
		}
		if p.peek().kind != tLParen {
			return Value{Text: t.text}, nil
		}
		p.next()
		v := Value{Func: t.text}
		if p.peek().kind == tRParen {
			p.next()
			return v, nil
		}
		for {
			a := p.next()
			if a.kind != tWord && a.kind != tString {
				return Value{}, p.errAt(a, fmt.Sprintf("Expecting a function argument but got '%s'.", a.raw))
			}
			v.Args = append(v.Args, a.text)
			sep := p.next()
			if sep.kind == tRParen {
				return v, nil
			}
			if sep.kind != tComma {
				return Value{}, p.errAt(sep, fmt.Sprintf("Expecting ')' but got '%s'.", sep.raw))
			}
		}
	}
	return Value{}, p.errAt(t, fmt.Sprintf("Expecting either a value, list or function but got '%s'. You must surround '%s' in quotation marks to use it as a value.", t.raw, t.raw))
}

// checkClause does Jira's field validation: the field exists, takes the
// operator, and its literal values are well formed.
func checkClause(c *Clause) error {
	def := lookupField(c.Field)
	if def == nil {
		return &JQLError{Message: fmt.Sprintf("Field '%s' does not exist or you do not have permission to view it.", c.Field)}
	}
	c.field = def
	ok := false
	for _, op := range allowedOps(def.kind) {
		if op == c.Op {
			ok = true
		}
	}
	if !ok {
		return &JQLError{Message: fmt.Sprintf("The operator '%s' is not supported by the '%s' field.", strings.ToUpper(c.Op), c.Field)}
	}
	for _, v := range c.Values {
		if v.Func != "" {
			if err := checkFunc(c, v); err != nil {
				return err
			}
			continue
		}
		if v.Empty {
			continue
		}
		switch def.kind {
		case kindKey:
			if !keyRE.MatchString(v.Text) && !idRE.MatchString(v.Text) {
				return &JQLError{Message: fmt.Sprintf("The issue key '%s' for field '%s' is invalid.", v.Text, c.Field)}
			}
		case kindDate:
			if _, _, ok := parseJQLDate(v.Text); !ok {
				return &JQLError{Message: fmt.Sprintf("Date value '%s' for field '%s' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.", v.Text, c.Field)}
			}
		}
	}
	return nil
}

// jqlFuncs are the functions the simulator evaluates, by lower-case name,
// with the kinds of field each applies to.
var jqlFuncs = map[string][]fieldKind{
	"currentuser": {kindUser},
	"now":         {kindDate},
	"startofday":  {kindDate},
	"endofday":    {kindDate},
}

func checkFunc(c *Clause, v Value) error {
	kinds, ok := jqlFuncs[strings.ToLower(v.Func)]
	if !ok {
		return &JQLError{Message: fmt.Sprintf("Unable to find JQL function '%s(%s)'.", v.Func, strings.Join(v.Args, ", "))}
	}
	for _, k := range kinds {
		if k == c.field.kind {
			for _, a := range v.Args {
				if _, ok := parsePeriod(a); !ok {
					return &JQLError{Message: fmt.Sprintf("Function '%s' expects a period such as '-1d' but got '%s'.", v.Func, a)}
				}
			}
			return nil
		}
	}
	return &JQLError{Message: fmt.Sprintf("The function '%s' is not supported by the '%s' field.", v.Func, c.Field)}
}

var (
	keyRE    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*-[0-9]+$`)
	idRE     = regexp.MustCompile(`^[0-9]+$`)
	periodRE = regexp.MustCompile(`^\s*([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$`)
	periodPt = regexp.MustCompile(`(\d+)\s*([wdhm])`)
)

// dateLayouts are the absolute date forms JQL accepts; the bool says
// whether the form has a time of day.
var dateLayouts = []struct {
	layout string
	clock  bool
}{
	{"2006/01/02 15:04", true},
	{"2006-01-02 15:04", true},
	{"2006/01/02", false},
	{"2006-01-02", false},
}

// parseJQLDate reads an absolute date (in UTC here; the caller moves it
// into the server's zone) or a period relative to now.
func parseJQLDate(s string) (abs time.Time, rel time.Duration, ok bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l.layout, s); err == nil {
			return t, 0, true
		}
	}
	if d, ok := parsePeriod(s); ok {
		return time.Time{}, d, true
	}
	return time.Time{}, 0, false
}

// parsePeriod reads Jira's period format: "-5d", "4w 2d", "1h", "30m".
func parsePeriod(s string) (time.Duration, bool) {
	m := periodRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	var d time.Duration
	for _, part := range periodPt.FindAllStringSubmatch(m[2], -1) {
		n, err := strconv.Atoi(part[1])
		if err != nil {
			return 0, false
		}
		unit := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute}[part[2]]
		d += time.Duration(n) * unit
	}
	if m[1] == "-" {
		d = -d
	}
	return d, true
}
