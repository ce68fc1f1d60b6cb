package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// path is a Config path: object keys separated by dots.
type path struct {
	field string // the Config field: "Items", "Next" or "Cursor"
	raw   string
	keys  []string
}

// parsePath splits raw, the value of Config.<field>, into its keys.
func parsePath(field, raw string) (path, error) {
	p := path{field: field, raw: raw, keys: strings.Split(raw, ".")}
	for _, k := range p.keys {
		if k == "" {
			return path{}, fmt.Errorf("client: Config.%s path %q has an empty key", field, raw)
		}
	}
	return p, nil
}

// lookup returns the value at p in top, a decoded JSON object. A missing
// last key is (nil, false, nil); a missing key before it, or a value
// before it that is neither an object nor null, is a *PathError. A null
// before the last key makes the whole path null, as optional chaining
// does: {"links": null} has a null "links.next".
func (p path) lookup(top map[string]json.RawMessage) (json.RawMessage, bool, error) {
	obj := top
	last := len(p.keys) - 1
	for i, k := range p.keys[:last] {
		v, ok := obj[k]
		switch {
		case !ok:
			return nil, false, p.errorf("no key %q", strings.Join(p.keys[:i+1], "."))
		case kind(v) == "null":
			return v, true, nil
		case kind(v) != "object":
			return nil, false, p.errorf("%q is a JSON %s, not an object", strings.Join(p.keys[:i+1], "."), kind(v))
		}
		obj = nil
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil, false, err
		}
	}
	v, ok := obj[p.keys[last]]
	return v, ok, nil
}

func (p path) errorf(format string, args ...any) error {
	return &PathError{Field: p.field, Path: p.raw, Reason: fmt.Sprintf(format, args...)}
}

// kind returns the JSON type of v, which is valid JSON: "object",
// "array", "string", "number", "boolean" or "null".
func kind(v json.RawMessage) string {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return "null"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
