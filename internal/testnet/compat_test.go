package testnet_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/fault"
	"github.com/backstop-net/backstop/internal/policy"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/snapshot"
)

// TestChangeJSONWithInternalChange: internal/change, the engine that applies
// SetRequests for `backstop check --change`, turns every change.json into
// exactly the committed candidate files.
func TestChangeJSONWithInternalChange(t *testing.T) {
	running, err := snapshot.Load(filepath.Join(root, "testdata/backbone"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(root, "testdata/scenarios/*"))
	for _, dir := range dirs {
		reqs, err := change.LoadSetRequests(filepath.Join(dir, "change.json"), "")
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		c1, err := change.ApplySetRequests(running, reqs)
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		c2, err := snapshot.LoadCandidate(running, filepath.Join(dir, "candidate"))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range c1.Names() {
			if !bytes.Equal(c1.Devices[n].Raw, c2.Devices[n].Raw) {
				t.Errorf("%s: %s differs", dir, n)
			}
		}
	}
}

// TestBadFixtures: each fixture under testdata/bad fails as its README says.
func TestBadFixtures(t *testing.T) {
	bad := filepath.Join(root, "testdata/bad")
	running, err := snapshot.Load(filepath.Join(root, "testdata/backbone"))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, err error, want string) {
		t.Helper()
		if err == nil || fault.KindOf(err) != fault.BadInput || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want a bad-input error containing %q", name, err, want)
		}
	}
	_, err = snapshot.LoadCandidate(running, filepath.Join(bad, "bad-json/candidate"))
	check("bad-json", err, "bb1.ams.json: line 8: /interfaces/interface[name=et-0/0/0]/config: malformed JSON")
	_, err = snapshot.LoadCandidate(running, filepath.Join(bad, "unknown-device/candidate"))
	check("unknown-device", err, `device "ghost" is not in the inventory`)
	_, err = snapshot.Load(filepath.Join(bad, "bad-prefix"))
	check("bad-prefix", err, "129.134.30.0/33")
	_, err = policy.Load(filepath.Join(bad, "bad-policy.yaml"))
	if err == nil || !strings.Contains(err.Error(), `unknown kind "anycast_everywhere"`) {
		t.Errorf("bad-policy.yaml: got %v", err)
	}
	_, err = policy.Load(filepath.Join(bad, "bad-policy-key.yaml"))
	if err == nil || !strings.Contains(err.Error(), "min_site") {
		t.Errorf("bad-policy-key.yaml: got %v", err)
	}
}

const root = "../.."
