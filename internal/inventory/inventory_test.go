package inventory

import (
	"os"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"devices:\n  - name: a\n  - name: a\n":               `line 3: device "a" listed twice (first at line 2)`,
		"devices:\n  - role: backbone\n":                     "line 2: device without a name",
		"devices:\n  - name: a\n    colour: red\n":           "colour",
		"devices:\n  - name: a\nlinks:\n  - {a: a, b: zz}\n": `unknown device "zz"`,
	}
	for in, want := range cases {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	seed, _ := os.ReadFile("../../testdata/backbone/inventory.yaml")
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := Parse(b)
		if err == nil && inv == nil {
			t.Fatal("nil inventory without error")
		}
	})
}

// The README's copy-paste inventory parses as documented.
func TestREADMEInventoryExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "A minimal `inventory.yaml`")
	_, rest, ok2 := strings.Cut(rest, "```yaml\n")
	block, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README has no inventory example")
	}
	t.Setenv("BACKSTOP_PASSWORD", "secret")
	inv, err := Parse([]byte(block))
	if err != nil {
		t.Fatalf("README inventory: %v", err)
	}
	if len(inv.Devices) != 2 || inv.Devices[1].Name != "edge1.fra" {
		t.Fatalf("devices: %+v", inv.Devices)
	}
}
