package oc

import "testing"

func TestLineOfPath(t *testing.T) {
	doc := []byte(`{
  "openconfig-network-instance:network-instances": {
    "network-instance": [
      {
        "protocols": {
          "protocol": [
            {"name": "BGP", "identifier": "openconfig-policy-types:BGP"},
            {
              "isis": {
                "interfaces": {
                  "interface": [
                    {
                      "levels": {"level": [{"config": {"metric": 10}, "level-number": 2}]},
                      "interface-id": "et-0/0/0"
                    },
                    {
                      "levels": {"level": [{"config": {"metric": 20}, "level-number": 2}]},
                      "interface-id": "et-0/0/1"
                    }
                  ]
                }
              },
              "identifier": "openconfig-policy-types:ISIS",
              "name": "ISIS"
            }
          ]
        },
        "name": "DEFAULT"
      }
    ]
  }
}`)
	base := "/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=ISIS][name=ISIS]/isis/interfaces/interface"
	cases := []struct {
		path string
		line int
	}{
		// keys written after the subtree: the entry is found by its keys
		{base + "[interface-id=et-0/0/0]/levels/level[level-number=2]/config/metric", 13},
		{base + "[interface-id=et-0/0/1]/levels/level[level-number=2]/config/metric", 17},
		{base + "[interface-id=et-0/0/2]/levels/level[level-number=2]/config/metric", 0},
		{"/network-instances/network-instance[name=DEFAULT]/protocols/protocol[identifier=BGP][name=BGP]", 7},
		{"/nowhere", 0},
	}
	for _, tc := range cases {
		if got := LineOfPath(doc, tc.path); got != tc.line {
			t.Errorf("%s: line %d, want %d", tc.path, got, tc.line)
		}
	}
}
