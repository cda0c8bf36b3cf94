package oc

// Strict RFC 7951 decoding. encoding/json accepts things a config gate must
// not: a duplicate member ("last one wins" — so a reviewer reading the first
// "enabled": true approves a file whose effective value is false), and invalid
// UTF-8 (silently turned into U+FFFD, so two different byte strings become the
// same interface name). This file is a one-pass scanner that builds the
// generic tree (map[string]any, []any, json.Number, string, bool, nil) and
// refuses both, with the line and the path of the offence. It is faster than
// encoding/json's Decoder (no reflection), so strictness costs no speed.

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// InputError is a config that is not acceptable input: malformed or
// ambiguous JSON, or a value the schema or the protocol rules out. Line is
// 1-based (0 when unknown); Path is the gNMI-style path of the offending
// node ("" when the error is not inside one).
type InputError struct {
	Line int
	Path string
	Msg  string
}

func (e *InputError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxDepth bounds nesting: OpenConfig trees are under 30 levels deep, and an
// unbounded recursion on hostile input would exhaust the stack (a crash, not
// an answer).
const maxDepth = 200

type scanner struct {
	data  []byte
	pos   int
	depth int
	// stack of the containers being built, for error paths.
	stack []scanFrame
	// names interns member names: a config repeats a few dozen names
	// ("config", "name", ...) hundreds of thousands of times.
	names map[string]string
}

type scanFrame struct {
	name string         // member name under which this container sits ("" for root / array items)
	obj  map[string]any // the object being built (nil for arrays)
	idx  int            // for array items: the index
	arr  bool
}

// decodeStrict parses one JSON value (an object at the top) strictly.
func decodeStrict(data []byte) (any, error) {
	s := &scanner{data: data}
	if !utf8.Valid(data) {
		return nil, s.utf8Error()
	}
	s.skipSpace()
	v, err := s.value()
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.pos < len(s.data) {
		return nil, s.errf("malformed JSON: trailing data after the top-level value")
	}
	return v, nil
}

func (s *scanner) line(off int) int {
	if off > len(s.data) {
		off = len(s.data)
	}
	n := 1
	for _, c := range s.data[:off] {
		if c == '\n' {
			n++
		}
	}
	return n
}

func (s *scanner) errf(format string, args ...any) error {
	return &InputError{Line: s.line(s.pos), Path: s.path(), Msg: fmt.Sprintf(format, args...)}
}

// path renders the containers being built as a gNMI-style path. List
// entries show the key members already read (keys come first in every
// emitter we know), else their index.
func (s *scanner) path() string {
	var b strings.Builder
	for i, f := range s.stack {
		if f.name != "" {
			b.WriteByte('/')
			b.WriteString(stripModule(f.name))
		}
		if !f.arr && i > 0 && s.stack[i-1].arr {
			// f is an entry of the list the array frame above names.
			var cfg map[string]any
			if i+1 < len(s.stack) && s.stack[i+1].name == "config" {
				cfg = s.stack[i+1].obj // still being read
			}
			b.WriteString(entryLabel(f.obj, cfg, s.stack[i-1].idx))
		}
	}
	return b.String()
}

// entryLabel names a list entry by its likely key members, else its index.
func entryLabel(obj, cfg map[string]any, idx int) string {
	// Emitters that sort members put "config" before the key member; the
	// key is repeated inside config (OpenConfig style), so look there too.
	if c, ok := obj["config"].(map[string]any); ok {
		cfg = c
	}
	for _, k := range []string{"name", "identifier", "index", "ip", "neighbor-address", "peer-group-name", "afi-safi-name", "prefix", "interface-id", "level-number"} {
		for _, m := range []map[string]any{obj, cfg} {
			if v, ok := m[k]; ok {
				switch v.(type) {
				case string, json.Number, bool:
					return fmt.Sprintf("[%s=%v]", k, v)
				}
			}
		}
	}
	return fmt.Sprintf("[#%d]", idx+1)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) value() (any, error) {
	if s.pos >= len(s.data) {
		return nil, s.errf("malformed JSON: unexpected end of input")
	}
	switch c := s.data[s.pos]; {
	case c == '{':
		return s.object("")
	case c == '[':
		return s.array("")
	case c == '"':
		return s.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return true, s.literal("true")
	case c == 'f':
		return false, s.literal("false")
	case c == 'n':
		return nil, s.literal("null")
	default:
		return nil, s.errf("malformed JSON: unexpected character %q", rune(c))
	}
}

func (s *scanner) literal(lit string) error {
	if len(s.data)-s.pos < len(lit) || string(s.data[s.pos:s.pos+len(lit)]) != lit {
		return s.errf("malformed JSON: invalid literal")
	}
	s.pos += len(lit)
	return nil
}

func (s *scanner) enter(f scanFrame) error {
	s.depth++
	if s.depth > maxDepth {
		return s.errf("malformed JSON: nested deeper than %d levels", maxDepth)
	}
	s.stack = append(s.stack, f)
	return nil
}

func (s *scanner) leave() {
	s.depth--
	s.stack = s.stack[:len(s.stack)-1]
}

// memberValue is the value being parsed for member name: containers record
// their name in the frame stack.
func (s *scanner) memberValue(name string) (any, error) {
	if s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '{':
			return s.object(name)
		case '[':
			return s.array(name)
		}
	}
	return s.value()
}

func (s *scanner) object(name string) (any, error) {
	obj := map[string]any{}
	if err := s.enter(scanFrame{name: name, obj: obj}); err != nil {
		return nil, err
	}
	s.pos++ // '{'
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == '}' {
		s.pos++
		s.leave()
		return obj, nil
	}
	for {
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != '"' {
			return nil, s.errf("malformed JSON: expected a member name")
		}
		keyPos := s.pos
		k, err := s.name()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[k]; dup {
			s.pos = keyPos
			return nil, s.errf("duplicate member %q: JSON parsers disagree on which one wins, so the file is ambiguous", k)
		}
		s.skipSpace()
		if s.pos >= len(s.data) || s.data[s.pos] != ':' {
			return nil, s.errf("malformed JSON: expected ':' after member name %q", k)
		}
		s.pos++
		s.skipSpace()
		v, err := s.memberValue(k)
		if err != nil {
			return nil, err
		}
		obj[k] = v
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, s.errf("malformed JSON: unexpected end of input in an object")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			continue
		case '}':
			s.pos++
			s.leave()
			return obj, nil
		default:
			return nil, s.errf("malformed JSON: expected ',' or '}' in an object")
		}
	}
}

func (s *scanner) array(name string) (any, error) {
	arr := []any{}
	if err := s.enter(scanFrame{name: name, arr: true}); err != nil {
		return nil, err
	}
	s.pos++ // '['
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == ']' {
		s.pos++
		s.leave()
		return arr, nil
	}
	for {
		s.skipSpace()
		s.stack[len(s.stack)-1].idx = len(arr)
		v, err := s.memberValue("")
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		s.skipSpace()
		if s.pos >= len(s.data) {
			return nil, s.errf("malformed JSON: unexpected end of input in an array")
		}
		switch s.data[s.pos] {
		case ',':
			s.pos++
			continue
		case ']':
			s.pos++
			s.leave()
			return arr, nil
		default:
			return nil, s.errf("malformed JSON: expected ',' or ']' in an array")
		}
	}
}

// name is str for a member name, interned. Names with escapes or control
// characters take str's path, so its checks and messages are unchanged.
func (s *scanner) name() (string, error) {
	d := s.data
	for i := s.pos + 1; i < len(d); i++ {
		c := d[i]
		if c == '"' {
			raw := d[s.pos+1 : i]
			if k, ok := s.names[string(raw)]; ok {
				s.pos = i + 1
				return k, nil
			}
			if s.names == nil {
				s.names = make(map[string]string)
			}
			k := string(raw)
			s.names[k] = k
			s.pos = i + 1
			return k, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	return s.str()
}

func (s *scanner) str() (string, error) {
	start := s.pos
	s.pos++ // '"'
	escaped := false
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			raw := s.data[start:s.pos]
			if !escaped {
				return string(raw[1 : len(raw)-1]), nil
			}
			var out string
			if err := json.Unmarshal(raw, &out); err != nil {
				s.pos = start
				return "", s.errf("malformed JSON: invalid string escape")
			}
			if !utf8.ValidString(out) || strings.ContainsRune(out, utf8.RuneError) {
				// A lone surrogate escape (\ud800) decodes to U+FFFD: refuse
				// it like raw invalid UTF-8.
				s.pos = start
				return "", s.errf("invalid UTF-8 (an unpaired \\u surrogate escape) in a string")
			}
			return out, nil
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return "", s.errf("malformed JSON: control character in a string")
		default:
			s.pos++
		}
	}
	s.pos = start
	return "", s.errf("malformed JSON: unterminated string")
}

func (s *scanner) number() (any, error) {
	start := s.pos
	d := s.data
	i := s.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case digits() == 0:
		return nil, s.errf("malformed JSON: invalid number")
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return nil, s.errf("malformed JSON: invalid number")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, s.errf("malformed JSON: invalid number")
		}
	}
	s.pos = i
	return json.Number(d[start:i]), nil
}

// utf8Error locates the first invalid UTF-8 byte: line and, when it is
// inside a string, the path of the member holding it (found by scanning the
// valid prefix, which is cheap and only happens on the error path).
func (s *scanner) utf8Error() error {
	off := 0
	for off < len(s.data) {
		r, n := utf8.DecodeRune(s.data[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	path := ""
	// Parse a copy truncated at the bad byte; the error raised at the end
	// of input carries the path of the container that held it.
	p := &scanner{data: s.data[:off]}
	p.skipSpace()
	if _, err := p.value(); err != nil {
		if ie, ok := err.(*InputError); ok {
			path = ie.Path
		}
	}
	return &InputError{Line: s.line(off), Path: path, Msg: fmt.Sprintf("invalid UTF-8 (byte 0x%02x at offset %d)", s.data[off], off)}
}

// step is one move from a JSON value to a child: a member (by the name as
// written) or an array item.
type step struct {
	member string
	idx    int
	isIdx  bool
}

// locate returns the byte offset of the node reached by steps in data (the
// member name for a member, the value for an array item), or -1. It runs
// only when reporting an error, so it re-scans instead of making the fast
// path record offsets.
func locate(data []byte, steps []step) int {
	s := &scanner{data: data}
	s.skipSpace()
	at := s.pos
	for _, st := range steps {
		s.skipSpace()
		if s.pos >= len(data) {
			return -1
		}
		if st.isIdx {
			if data[s.pos] != '[' {
				return -1
			}
			s.pos++
			for i := 0; i < st.idx; i++ {
				s.skipSpace()
				if _, err := s.value(); err != nil {
					return -1
				}
				s.skipSpace()
				if s.pos >= len(data) || data[s.pos] != ',' {
					return -1
				}
				s.pos++
			}
			s.skipSpace()
			at = s.pos
			continue
		}
		if data[s.pos] != '{' {
			return -1
		}
		s.pos++
		for {
			s.skipSpace()
			keyPos := s.pos
			k, err := s.str()
			if err != nil {
				return -1
			}
			s.skipSpace()
			if s.pos >= len(data) || data[s.pos] != ':' {
				return -1
			}
			s.pos++
			s.skipSpace()
			if k == st.member {
				at = keyPos
				break
			}
			if _, err := s.value(); err != nil {
				return -1
			}
			s.skipSpace()
			if s.pos >= len(data) || data[s.pos] != ',' {
				return -1
			}
			s.pos++
		}
	}
	return at
}

// lineOf is the 1-based line of offset off in data (0 when off < 0).
func lineOf(data []byte, off int) int {
	if off < 0 {
		return 0
	}
	return (&scanner{data: data}).line(off)
}
