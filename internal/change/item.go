package change

// Item is one changed leaf (or a whole list entry added or removed) on one
// device. Later stages cite Items as the causes of their findings.
type Item struct {
	Device string `json:"device"`
	Path   string `json:"path"`   // gNMI path with keys, e.g. /interfaces/interface[name=et-0/0/1]/config/enabled
	Object string `json:"object"` // what an engineer calls it: "interface et-0/0/1", "bgp neighbor 10.0.0.1"
	Leaf   string `json:"leaf"`   // the attribute within the object: "enabled"
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	Op     string `json:"op"` // add, delete or change
	// Where the changed leaf is in the candidate file, when the candidate came
	// from files (for SARIF); 0 when unknown.
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// ChangeSet is the whole change: every Item, sorted by device then path.
type ChangeSet struct {
	Items   []Item   `json:"items"`
	Devices []string `json:"devices"` // devices whose config changed, sorted
}
