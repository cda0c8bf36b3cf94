package bench

// Generator writes the OpenConfig input of one benchmark size: a running
// snapshot folder and a candidate change against it, exactly the files a user
// hands to `backstop check`. The benchmark then measures the real path from
// those files; it never builds the network model directly.
type Generator interface {
	// Generate writes a snapshot of about routers routers under dir and
	// returns where the running folder and the candidate are.
	Generate(dir string, routers int) (Generated, error)
}

// Generated names what a Generator wrote.
type Generated struct {
	Running   string // snapshot folder: inventory.yaml, configs/<device>.json, environment.yaml
	Candidate string // folder of per-device candidate JSON files (check --candidate)
	Change    string // one line saying what the candidate changes
	Generator string // which generator wrote it, for the table's header
}
