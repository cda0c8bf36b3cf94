package oc

import (
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strings"

	gpb "github.com/openconfig/gnmi/proto/gnmi"
)

// Error messages end up in CI logs and pull-request comments. The binding
// (ygot) echoes whole values in its errors ("with value json_ietf_val:...",
// "failed to unmarshal (*gnmi.TypedValue_StringVal, &{...})"), so a change
// that sets a BGP or IS-IS password and fails to apply would print the
// password. Two layers keep secrets out: every binding message loses its
// value echoes (scrubValues), and every string the request carries under a
// secret-looking leaf is replaced wherever it still appears (RedactSet).

var (
	// "(*gnmi.TypedValue_IntVal, &{12345678})" and friends.
	typedValue = regexp.MustCompile(`\(\*gnmi\.TypedValue_\w+, .*\)`)
	// ygot's pattern and enum checks quote the offending value.
	quotedValue = regexp.MustCompile(`(value|string) "[^"]*"|value [^ ]+ (does not|is not)`)
)

// scrubValues removes the values the binding quotes in its messages.
func scrubValues(msg string) string {
	msg = strings.ReplaceAll(msg, "rpc error: code = Unknown desc = ", "")
	// "with value <anything>" up to the binding's next clause; the value may
	// itself contain "; ", so the cut goes to the last clause separator.
	if i := strings.Index(msg, "with value "); i >= 0 {
		rest := ""
		if j := strings.LastIndex(msg[i:], "; "); j >= 0 {
			rest = msg[i+j:]
		}
		msg = msg[:i] + "with the given value" + rest
	}
	msg = typedValue.ReplaceAllString(msg, "(the given value)")
	return quotedValue.ReplaceAllStringFunc(msg, func(s string) string {
		switch {
		case strings.HasSuffix(s, " does not"):
			return "value does not"
		case strings.HasSuffix(s, " is not"):
			return "value is not"
		case strings.HasPrefix(s, "string"):
			return "string (redacted)"
		}
		return "value (redacted)"
	})
}

// SecretLeaf: leaf names whose values are credentials in OpenConfig and in
// vendor augmentations (auth-password, authentication keys, simple-key,
// keychains, encrypted and shared secrets, SNMP community strings). Errors
// and the change list both use it, so what one hides the other hides too.
func SecretLeaf(name string) bool {
	if i := strings.LastIndex(name, ":"); i >= 0 {
		name = name[i+1:]
	}
	n := strings.ToLower(name)
	for _, w := range []string{"password", "secret", "psk", "crypt", "keychain", "key-chain", "community-string"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "key" || strings.HasSuffix(n, "-key")
}

// Secrets lists the string values req sets under secret-looking leaves.
func Secrets(req *gpb.SetRequest) []string {
	var out []string
	var walk func(name string, v any)
	walk = func(name string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(name, e)
			}
		case string:
			if SecretLeaf(name) && x != "" {
				out = append(out, x)
			}
		case json.Number:
			if SecretLeaf(name) {
				out = append(out, x.String())
			}
		}
	}
	for _, u := range append(append([]*gpb.Update{}, req.GetReplace()...), req.GetUpdate()...) {
		name := ""
		if el := u.GetPath().GetElem(); len(el) > 0 {
			name = el[len(el)-1].GetName()
		}
		val := u.GetVal()
		raw := val.GetJsonIetfVal()
		if raw == nil {
			raw = val.GetJsonVal()
		}
		if raw != nil {
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.UseNumber()
			var v any
			if dec.Decode(&v) == nil {
				walk(name, v)
			} else {
				// An undecodable value may still be echoed: treat it whole as secret.
				out = append(out, string(raw))
			}
			continue
		}
		if SecretLeaf(name) {
			if s := val.GetStringVal(); s != "" {
				out = append(out, s)
			}
			if s := val.GetAsciiVal(); s != "" {
				out = append(out, s)
			}
			if b := val.GetBytesVal(); len(b) > 0 {
				out = append(out, string(b))
			}
			if val.GetIntVal() != 0 || val.GetUintVal() != 0 {
				out = append(out, strings.Trim(strings.SplitN(val.String(), ":", 2)[1], " "))
			}
		}
	}
	// Longest first, so a secret containing another is replaced whole.
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// RedactSet returns err's text with the binding's value echoes removed and
// every secret of the requests replaced by "<redacted>". The chain is not
// kept: a wrapped cause could still print the secret.
func RedactSet(err error, reqs ...*gpb.SetRequest) error {
	if err == nil {
		return nil
	}
	msg := scrubValues(err.Error())
	for _, req := range reqs {
		for _, s := range Secrets(req) {
			if len(s) >= 3 { // shorter strings would redact ordinary words
				msg = strings.ReplaceAll(msg, s, "<redacted>")
			}
		}
	}
	return errors.New(msg)
}
