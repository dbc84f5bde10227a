package postmortem

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

var reYAMLLine = regexp.MustCompile(`line (\d+)`)

// frontMatter reads YAML front matter starting at start and returns the
// offset where the Markdown body begins.
func (w *walker) frontMatter(start int) (int, error) {
	src := w.src
	if !bytes.HasPrefix(src[start:], []byte("---\n")) && !bytes.HasPrefix(src[start:], []byte("---\r\n")) {
		return start, nil
	}
	open := bytes.IndexByte(src[start:], '\n') + start + 1
	i := open
	end, body := -1, -1
	for i < len(src) {
		j := bytes.IndexByte(src[i:], '\n')
		next := len(src)
		if j >= 0 {
			next = i + j + 1
		}
		l := strings.TrimRight(string(src[i:next]), " \t\r\n")
		if l == "---" || l == "..." {
			end, body = i, next
			break
		}
		i = next
	}
	if end < 0 {
		return 0, &ParseError{Path: w.d.Path, Line: w.li.line(start), Msg: "front matter opened with --- is never closed: add a line with --- after the last key"}
	}
	// The plain form most documents use is read by hand; anything else by
	// the YAML parser, which costs more than the rest of the document.
	root, simple := simpleYAML(src[open:end])
	var err error
	if !simple {
		err = yaml.Unmarshal(src[open:end], &root)
	}
	if err != nil {
		line := w.li.line(open)
		msg := err.Error()
		if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line += n - 1
		}
		msg = strings.TrimPrefix(msg, "yaml: ")
		msg = reYAMLLine.ReplaceAllString(msg, "")
		msg = strings.TrimLeft(msg, " :")
		return 0, &ParseError{Path: w.d.Path, Line: line, Msg: fmt.Sprintf("front matter is not valid YAML (%s): fix the YAML between the --- lines", msg)}
	}
	if len(root.Content) == 0 {
		return body, nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return 0, &ParseError{Path: w.d.Path, Line: w.li.line(open) + m.Line - 1, Msg: "front matter must be a YAML mapping of keys (status: final, date: ...)"}
	}
	base := w.li.line(open) - 1
	for k := 0; k+1 < len(m.Content); k += 2 {
		key, val := m.Content[k], m.Content[k+1]
		f, ok := metaKey(key.Value)
		if !ok {
			switch key.Value {
			case "started_at", "detected_at", "responded_at", "resolved_at":
				f, ok = key.Value, true
			}
		}
		if !ok {
			continue
		}
		mv := metaVal{line: base + val.Line, fm: true}
		switch val.Kind {
		case yaml.ScalarNode:
			mv.val = strings.TrimSpace(val.Value)
		case yaml.SequenceNode:
			for _, c := range val.Content {
				if c.Kind == yaml.ScalarNode && strings.TrimSpace(c.Value) != "" {
					mv.list = append(mv.list, strings.TrimSpace(c.Value))
				}
			}
			mv.val = strings.Join(mv.list, ", ")
		default:
			w.warn(mv.line, fmt.Sprintf("front matter key %q should be a value or a list", key.Value))
			continue
		}
		if mv.val == "" {
			continue
		}
		if _, dup := w.meta[f]; !dup {
			w.meta[f] = mv
		}
	}
	return body, nil
}

// simpleYAML reads the front matter most postmortems have, the way the
// YAML parser does but many times faster: "key: value" lines (a value
// plain, quoted without escapes, or a flow sequence [a, b] of plain
// words), a "key:" line followed by "- item" lines, and blank lines. ok is
// false for anything else (comments, multi-line values, nesting,
// escapes, tabs, characters YAML refuses, ...): the YAML parser reads
// that. The nodes hold what frontMatter reads: kind, value, items, line.
func simpleYAML(b []byte) (root yaml.Node, ok bool) {
	if !utf8.Valid(b) || !yamlPlainText(b) {
		return root, false
	}
	lines := strings.Split(string(b), "\n")
	// The nodes come from one array sized for two a line (a key and its
	// value), not one allocation each; a flow sequence's items may need
	// another.
	chunk := make([]yaml.Node, 0, 2*len(lines)+1)
	node := func(n yaml.Node) *yaml.Node {
		if len(chunk) == cap(chunk) {
			chunk = make([]yaml.Node, 0, 8)
		}
		chunk = append(chunk, n)
		return &chunk[len(chunk)-1]
	}
	m := node(yaml.Node{Kind: yaml.MappingNode})
	var seq *yaml.Node // the block sequence being read, under the last key
	seqIndent := -1
	for i, ln := range lines {
		lineNo := i + 1
		if strings.TrimLeft(ln, " ") == "" {
			continue // blank
		}
		indent := len(ln) - len(strings.TrimLeft(ln, " "))
		if t := ln[indent:]; strings.HasPrefix(t, "- ") || t == "-" {
			// An item of the block sequence under the last key.
			if seq == nil || seqIndent >= 0 && indent != seqIndent {
				return root, false
			}
			item := strings.TrimSpace(t[1:])
			if !yamlPlain(item, false) {
				return root, false
			}
			if seqIndent < 0 {
				seqIndent, seq.Line = indent, lineNo
				seq.Kind = yaml.SequenceNode
			}
			seq.Content = append(seq.Content, node(yaml.Node{Kind: yaml.ScalarNode, Value: item, Line: lineNo}))
			continue
		}
		if indent > 0 {
			return root, false // a continuation line or a nested mapping
		}
		seq, seqIndent = nil, -1
		colon := strings.IndexByte(ln, ':')
		if colon <= 0 || !yamlKey(ln[:colon]) {
			return root, false
		}
		rest := ln[colon+1:]
		key := node(yaml.Node{Kind: yaml.ScalarNode, Value: ln[:colon], Line: lineNo})
		val := node(yaml.Node{Kind: yaml.ScalarNode, Line: lineNo})
		switch v := strings.TrimSpace(rest); {
		case v == "":
			seq = val // "key:" and maybe a block sequence below
		case rest[0] != ' ':
			return root, false
		case v[0] == '"' || v[0] == '\'':
			q := v[:1]
			if len(v) < 2 || !strings.HasSuffix(v, q) || strings.Contains(v[1:len(v)-1], q) || strings.Contains(v, "\\") {
				return root, false
			}
			val.Value = v[1 : len(v)-1]
		case v[0] == '[':
			if !strings.HasSuffix(v, "]") {
				return root, false
			}
			val.Kind = yaml.SequenceNode
			if inner := strings.TrimSpace(v[1 : len(v)-1]); inner != "" {
				for _, item := range strings.Split(inner, ",") {
					if item = strings.TrimSpace(item); !yamlPlain(item, true) {
						return root, false
					}
					val.Content = append(val.Content, node(yaml.Node{Kind: yaml.ScalarNode, Value: item, Line: lineNo}))
				}
			}
		default:
			if !yamlPlain(v, false) {
				return root, false
			}
			val.Value = v
		}
		m.Content = append(m.Content, key, val)
	}
	if len(m.Content) > 0 {
		root.Kind, root.Content = yaml.DocumentNode, []*yaml.Node{m}
	}
	return root, true
}

// yamlPlainText reports text whose every character YAML reads as the
// same plain character: no tab, no control character, nothing YAML
// refuses or reads as a line break (NEL, LS, PS), no byte order mark.
func yamlPlainText(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < ' ' && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfeff || r >= 0xfffe && r <= 0xffff {
			return false
		}
		i += n
	}
	return true
}

// yamlKey reports a key of letters, digits, '_', '-' and '.', with single
// spaces inside.
func yamlKey(k string) bool {
	if k == "" || k[0] == '-' || k[0] == '.' || k[len(k)-1] == ' ' || strings.Contains(k, "  ") {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !isAlnum(c) && c != '_' && c != '-' && c != '.' && c != ' ' {
			return false
		}
	}
	return true
}

// yamlPlain reports a plain scalar YAML reads as the text itself: not
// starting with an indicator, without ": " or " #" and not ending in
// ':'; in a flow sequence, without ",[]{}:" either.
func yamlPlain(s string, flow bool) bool {
	if s == "" || strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", s[0]) >= 0 ||
		strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	return !flow || !strings.ContainsAny(s, ",[]{}:")
}
