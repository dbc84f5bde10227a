package postmortem

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

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
	var root yaml.Node
	if err := yaml.Unmarshal(src[open:end], &root); err != nil {
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
