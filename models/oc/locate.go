package oc

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/openconfig/ygot/ygot"
)

// LineOfPath finds the line of a gNMI path ("/a/b[k=v]/c") in RFC 7951 JSON:
// members are matched with or without their module prefix, list entries by
// their key values, then the exact position is found by the strict scanner.
// 0 when the path is not in the file (a value the compiler derived, or an
// unparsable file): never a wrong line.
func LineOfPath(raw []byte, path string) int {
	p, err := ygot.StringToStructuredPath(path)
	if err != nil || len(p.GetElem()) == 0 {
		return 0
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var cur any
	if dec.Decode(&cur) != nil {
		return 0
	}
	var steps []step
	for _, e := range p.GetElem() {
		obj, ok := cur.(map[string]any)
		if !ok {
			return 0
		}
		member, found := "", false
		for k := range obj {
			if stripModule(k) == e.GetName() {
				member, found = k, true
				break
			}
		}
		if !found {
			return 0
		}
		steps = append(steps, step{member: member})
		cur = obj[member]
		if len(e.GetKey()) == 0 {
			continue
		}
		arr, ok := cur.([]any)
		if !ok {
			return 0
		}
		idx := -1
		for i, it := range arr {
			if entryHasKeys(it, e.GetKey()) {
				idx = i
				break
			}
		}
		if idx < 0 {
			return 0
		}
		steps = append(steps, step{idx: idx, isIdx: true})
		cur = arr[idx]
	}
	return lineOf(raw, locate(raw, steps))
}

func entryHasKeys(entry any, keys map[string]string) bool {
	m, ok := entry.(map[string]any)
	if !ok {
		return false
	}
	for name, want := range keys {
		has := false
		for k, v := range m {
			if stripModule(k) == name {
				has = stripModule(fmt.Sprint(v)) == stripModule(want)
				break
			}
		}
		if !has {
			return false
		}
	}
	return true
}
