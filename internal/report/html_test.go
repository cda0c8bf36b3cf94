package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/backstop-net/backstop/internal/policy"
)

var chromiumFlag = flag.String("chromium", "", "chromium binary for the browser test (default: chromium or chromium-browser in PATH, /usr/bin/chromium)")

// TestHTMLSelfContained: nothing in the page is fetched from anywhere.
func TestHTMLSelfContained(t *testing.T) {
	for _, name := range fixtureNames() {
		var b bytes.Buffer
		if err := Write(&b, "html", loadFixture(t, name)); err != nil {
			t.Fatal(err)
		}
		h := b.String()
		for _, re := range []string{`<script[^>]+src=`, `<link[^>]+href=`, `@import`, `url\(`, `<img[^>]+src="?https?:`, `@font-face`, `<iframe`} {
			if regexp.MustCompile(re).MatchString(h) {
				t.Errorf("%s: html matches %s: the report must not fetch anything", name, re)
			}
		}
		// The only absolute URL allowed is the SVG namespace.
		for _, u := range regexp.MustCompile(`https?://[^"'\s<)]+`).FindAllString(h, -1) {
			if u != "http://www.w3.org/2000/svg" {
				t.Errorf("%s: external URL %s", name, u)
			}
		}
		if strings.Count(h, "<script>") != 1 {
			t.Errorf("%s: want exactly one inline script (the toggle)", name)
		}
	}
}

// TestHTMLTopology checks the drawing of the 2021 report without a browser:
// every site and router is drawn, every backbone link is marked lost, the
// four DNS sites and the transit peers are marked.
func TestHTMLTopology(t *testing.T) {
	r := loadFixture(t, "block-2021")
	d := drawTopology(r.Topology)
	if len(d.Sites) != 8 || len(d.Nodes) != len(r.Topology.Devices) || len(d.Links) != len(r.Topology.Links) {
		t.Fatalf("%d sites, %d nodes, %d links", len(d.Sites), len(d.Nodes), len(d.Links))
	}
	lost := 0
	for _, l := range d.Links {
		if strings.Contains(l.Class, " lost") {
			lost++
		}
	}
	if lost != len(r.Topology.Links) {
		t.Errorf("%d lost links drawn, want all %d", lost, len(r.Topology.Links))
	}
	withdrawn := map[string]bool{}
	for _, s := range d.Sites {
		if strings.Contains(s.Class, "anycast-lost") {
			withdrawn[s.Name] = true
		}
	}
	for _, s := range []string{"ams", "fra", "iad", "sin"} {
		if !withdrawn[s] {
			t.Errorf("site %s not marked as withdrawing anycast", s)
		}
	}
	if len(withdrawn) != 4 {
		t.Errorf("withdrawn sites %v", withdrawn)
	}
	peers := 0
	for _, p := range d.Peers {
		if strings.Contains(p.Class, "lost-prefixes") {
			peers++
		}
	}
	if peers != 7 {
		t.Errorf("%d peers marked as losing critical prefixes, want 7", peers)
	}
	// No two site boxes overlap.
	for i := range d.Sites {
		for j := i + 1; j < len(d.Sites); j++ {
			if overlap(d.Sites[i], d.Sites[j]) {
				t.Errorf("sites %s and %s overlap", d.Sites[i].Name, d.Sites[j].Name)
			}
		}
	}
	// The WARN drain loses exactly one link.
	lost = 0
	for _, l := range drawTopology(loadFixture(t, "warn-drain-one-link").Topology).Links {
		if strings.Contains(l.Class, " lost") {
			lost++
		}
	}
	if lost != 1 {
		t.Errorf("warn: %d lost links drawn, want 1", lost)
	}
}

func overlap(a, b svgSite) bool {
	f := func(s string) float64 {
		var v float64
		_, _ = fmt.Sscan(s, &v)
		return v
	}
	ax, ay, aw, ah := f(a.X), f(a.Y), f(a.W), f(a.H)
	bx, by, bw, bh := f(b.X), f(b.Y), f(b.W), f(b.H)
	return ax < bx+bw && bx < ax+aw && ay < by+bh && by < ay+ah
}

// TestHTMLEscapes: a config value cannot inject markup or script.
func TestHTMLEscapes(t *testing.T) {
	r := loadFixture(t, "block-2021")
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	r.Headline = evil
	r.Findings[0].Summary = evil
	r.Diff[0].After = evil
	r.Topology.Devices[0].Name = evil
	r.Topology.Anycast[0].Site = evil
	r.Findings = append(r.Findings, policy.Finding{Invariant: evil, Kind: evil, Severity: policy.Warn})
	var b bytes.Buffer
	if err := Write(&b, "html", r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	if strings.Contains(h, "<img src=x") || strings.Count(h, "<script>") != 1 {
		t.Error("a value from the report reached the page as markup")
	}
}

// TestBrowser renders the 2021 report in headless chromium: the DOM the
// browser builds holds the verdict and every isolated DNS site, and the
// screenshot is a real image. With -update it also rewrites
// docs/report-2021.png (or set BACKSTOP_UPDATE_SCREENSHOT=1).
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("chromium not found (install with .ci/install-report-deps.sh: apt-get install -y chromium); the HTML is still checked by the other tests")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	dir := t.TempDir()
	r := loadFixture(t, "block-2021")
	page := filepath.Join(dir, "backstop.html")
	var b bytes.Buffer
	if err := Write(&b, "html", r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(page)
	url := "file://" + abs
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars"}
	run := func(args ...string) []byte {
		t.Helper()
		// A fresh profile per run: chromium locks its user data dir.
		prof, err := os.MkdirTemp(dir, "profile")
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(chromium, append(append(base, "--user-data-dir="+prof), args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", chromium, args, err, stderr.String())
		}
		return out
	}

	dom := string(run("--dump-dom", url))
	if !strings.Contains(dom, `id="verdict"`) || !strings.Contains(dom, "<h1>BLOCK</h1>") {
		t.Errorf("the rendered DOM has no BLOCK verdict banner")
	}
	for _, a := range r.Topology.Anycast {
		lost := regexp.MustCompile(`class="[^"]*\banycast-lost\b[^"]*" data-site="` + regexp.QuoteMeta(a.Site) + `"`)
		if a.Before && !a.After && !lost.MatchString(dom) {
			t.Errorf("isolated site %s is not marked anycast-lost in the rendered DOM", a.Site)
		}
	}
	if !strings.Contains(dom, `class="site anycast-lost"`) || !strings.Contains(dom, "<svg") {
		t.Error("the rendered DOM has no topology with withdrawn sites")
	}

	shot := filepath.Join(dir, "report.png")
	run("--screenshot="+shot, "--window-size=1400,1000", url)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if len(png) < 20000 || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is %d bytes, not a real rendering", len(png))
	}
	if *update || os.Getenv("BACKSTOP_UPDATE_SCREENSHOT") != "" {
		if err := os.WriteFile("../../docs/report-2021.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("wrote docs/report-2021.png")
	}
}

func findChromium() string {
	if *chromiumFlag != "" {
		return *chromiumFlag
	}
	for _, n := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}
