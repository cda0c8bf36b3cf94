package report

import (
	"html/template"
	"io"

	"github.com/backstop-net/backstop/internal/change"
	"github.com/backstop-net/backstop/internal/policy"
	"github.com/backstop-net/backstop/internal/verdict"
)

// The HTML report is one file a reviewer can open from a CI artifact, offline:
// CSS, script and the SVG are inline, nothing is fetched, fonts are the
// system's. Every value from the Report goes through html/template, so a
// config value cannot inject markup. The page opens on the After view (what
// the change does); the Before/After buttons switch one class on the root
// element and CSS does the rest, so the drawing is the same SVG either way.

type htmlFinding struct {
	policy.Finding
	Tag         string
	MoreObjects int
	MoreCauses  int
	Objects     []string
	Causes      []change.Item
}

type htmlData struct {
	R         *verdict.Report
	Verdict   string
	VClass    string
	Summary   string
	Findings  []htmlFinding
	Groups    []deviceGroup
	Touched   []verdict.Unmodelled
	Untouched int
	Topo      svgDrawing
	Lost      int // links lost
	LostSites []string
	LostPeers int
}

var htmlFuncs = template.FuncMap{
	"change": itemChange,
	"mark":   opMark,
	"dash":   orDash,
	"sev":    severityTag,
	"lower": func(s policy.Severity) string {
		return cssIdent(string(s))
	},
}

var htmlTmpl = template.Must(template.New("report").Funcs(htmlFuncs).Parse(htmlSource))

func writeHTML(w io.Writer, r *verdict.Report) error {
	d := htmlData{R: r, Verdict: verdictName(r), VClass: cssIdent(verdictName(r)), Summary: summaryLine(r),
		Groups: groupByDevice(r.Diff), Topo: drawTopology(r.Topology)}
	d.Touched, d.Untouched = changedUnmodelled(r)
	for _, f := range r.Findings {
		hf := htmlFinding{Finding: f, Tag: severityTag(f.Severity), Objects: f.Objects, Causes: f.Causes}
		if len(hf.Objects) > 3*maxList {
			hf.MoreObjects = len(hf.Objects) - 3*maxList
			hf.Objects = hf.Objects[:3*maxList]
		}
		if len(hf.Causes) > maxCauses {
			hf.MoreCauses = len(hf.Causes) - maxCauses
			hf.Causes = hf.Causes[:maxCauses]
		}
		d.Findings = append(d.Findings, hf)
	}
	for _, l := range r.Topology.Links {
		if l.Before && !l.After {
			d.Lost++
		}
	}
	seen := map[string]bool{}
	for _, a := range r.Topology.Anycast {
		if a.Before && !a.After && !seen[a.Site] {
			seen[a.Site] = true
			d.LostSites = append(d.LostSites, a.Site)
		}
	}
	for _, p := range r.Topology.External {
		if len(p.Lost) > 0 {
			d.LostPeers++
		}
	}
	return htmlTmpl.Execute(w, d)
}

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>backstop {{.Verdict}}: {{.Summary}}</title>
<style>
:root { --block:#b3261e; --warn:#b26a00; --pass:#1e7b34; --grey:#8a8f98; --ink:#1d2127; --muted:#5b6270; --line:#d8dce3; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--ink); background:var(--bg); }
main { max-width:1360px; margin:0 auto; padding:0 20px 40px; }
code, pre, .mono { font-family: ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace; font-size:12.5px; }
.banner { color:#fff; padding:12px 24px; }
.banner.block { background:var(--block); } .banner.warn { background:var(--warn); } .banner.pass { background:var(--pass); } .banner.unknown { background:#444; }
.banner h1 { margin:0 0 4px; font-size:28px; letter-spacing:.5px; }
.banner .sum { font-size:16px; opacity:.95; }
.headline { font-size:15px; font-weight:600; margin:12px 0 6px; }
.counts { display:flex; gap:8px; flex-wrap:wrap; margin:8px 0; }
.counts div { background:#fff; border:1px solid var(--line); border-radius:8px; padding:4px 12px; }
.counts b { font-size:17px; margin-right:6px; }
section { background:#fff; border:1px solid var(--line); border-radius:10px; padding:10px 16px; margin:12px 0; }
h2 { font-size:18px; margin:0 0 10px; }
.finding { border-left:5px solid var(--grey); padding:8px 12px; margin:10px 0; background:#fafbfc; }
.finding.block { border-color:var(--block); } .finding.warn { border-color:var(--warn); }
.tag { display:inline-block; font-weight:700; font-size:12px; padding:1px 8px; border-radius:10px; color:#fff; background:var(--grey); }
.tag.block { background:var(--block); } .tag.warn { background:var(--warn); }
.ba { display:grid; grid-template-columns: 5em 1fr; gap:2px 10px; margin:6px 0; }
.ba span:nth-child(odd) { color:var(--muted); }
table { border-collapse:collapse; width:100%; }
td, th { text-align:left; padding:3px 8px; border-bottom:1px solid #eef0f3; vertical-align:top; }
th { color:var(--muted); font-weight:600; }
details > summary { cursor:pointer; color:var(--muted); margin:4px 0; }
.op-add { color:var(--pass); } .op-delete { color:var(--block); } .op-change { color:var(--warn); }
.toggle { display:flex; gap:6px; align-items:center; margin-bottom:8px; }
.toggle button { font:inherit; padding:4px 14px; border:1px solid var(--line); background:#fff; border-radius:6px; cursor:pointer; }
.view-before .toggle .b-before, .view-after .toggle .b-after { background:var(--ink); color:#fff; border-color:var(--ink); }
.legend { display:flex; gap:18px; flex-wrap:wrap; color:var(--muted); font-size:12.5px; margin-top:6px; }
.legend svg { vertical-align:middle; }
svg.topo { width:100%; height:620px; background:#fcfcfd; border:1px solid var(--line); border-radius:8px; }
svg text { font-family: system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif; }
.site rect.box { fill:#f1f4f8; stroke:#b9c1cc; stroke-width:1.2; }
.site text.label { font-size:14px; font-weight:700; fill:#3b4350; paint-order:stroke; stroke:#fcfcfd; stroke-width:4px; }
.view-after .site.anycast-lost rect.box { stroke:var(--block); stroke-width:2.5; fill:#fdf0ef; }
.view-after .site.anycast-lost text.label { fill:var(--block); }
.link { stroke:var(--grey); stroke-width:2; fill:none; }
.link.backbone { stroke-width:3; }
.link.down-before.down-after { stroke:#c9ccd2; stroke-dasharray:2 4; }
.view-before .link.lost { stroke:var(--grey); }
.view-after .link.lost { stroke:var(--block); stroke-dasharray:8 6; stroke-width:3; }
.view-before .link.gained { stroke:#c9ccd2; stroke-dasharray:2 4; }
.view-after .link.gained { stroke:var(--pass); }
.node rect { fill:#fff; stroke:#59616e; stroke-width:1.2; }
.node.changed rect { stroke:#c26a00; stroke-width:2.2; }
.node text { font-size:11.5px; text-anchor:middle; fill:var(--ink); }
.anycast rect { fill:#e7f5ea; stroke:var(--pass); }
.anycast text { font-size:10.5px; text-anchor:middle; fill:#174f24; font-weight:600; }
.view-after .anycast.no-ann-after rect, .view-before .anycast.no-ann-before rect { fill:#fbe3e1; stroke:var(--block); stroke-width:2; }
.view-after .anycast.no-ann-after text, .view-before .anycast.no-ann-before text { fill:var(--block); }
.session { stroke:#aab0ba; stroke-width:1.2; stroke-dasharray:3 3; }
.view-after .session.session-down { stroke:var(--block); }
.view-after .session.lost-prefixes { stroke:var(--block); stroke-width:1.8; }
.peer rect { fill:#fff; stroke:#7d8591; stroke-dasharray:4 2; }
.peer text { font-size:11px; text-anchor:middle; fill:var(--ink); }
.peer text.sub { font-size:10px; fill:var(--muted); }
.view-after .peer.lost-prefixes rect { fill:#fbe3e1; stroke:var(--block); stroke-width:2; stroke-dasharray:none; }
.view-after .peer.lost-prefixes text.sub { fill:var(--block); font-weight:700; }
.view-before .only-after, .view-after .only-before { display:none; }
footer { color:var(--muted); font-size:12.5px; margin-top:20px; }
</style>
</head>
<body>
<div id="backstop" class="view-after">
<header class="banner {{.VClass}}" id="verdict">
<h1>{{.Verdict}}</h1>
<div class="sum">{{.Summary}}</div>
</header>
<main>
{{with .R.Headline}}<p class="headline">{{.}}</p>{{end}}
<div class="counts">
<div><b>{{.R.Summary.DevicesChanged}}</b>devices changed</div>
<div><b>{{.R.Summary.LeavesChanged}}</b>leaves changed</div>
<div><b>{{.R.Summary.Block}}</b>blocking findings</div>
<div><b>{{.R.Summary.Warn}}</b>warning findings</div>
<div><b>{{.R.Summary.ChecksRun}}</b>checks run</div>
<div><b>{{.Lost}}</b>links lost</div>
<div><b>{{len .LostSites}}</b>anycast sites withdrawn</div>
<div><b>{{.LostPeers}}</b>peers losing critical prefixes</div>
</div>

<section id="topology">
<h2>Backbone</h2>
{{if .Topo.Empty}}<p>No topology in this report.</p>{{else}}
<div class="toggle"><span>View:</span>
<button type="button" class="b-before" onclick="backstopView('before')">Before</button>
<button type="button" class="b-after" onclick="backstopView('after')">After</button>
<span class="only-before">the running network</span><span class="only-after">the network with the change applied{{with .LostSites}}; withdrawn anycast sites: {{range $i, $s := .}}{{if $i}}, {{end}}<b>{{$s}}</b>{{end}}{{end}}</span>
</div>
<svg class="topo" xmlns="http://www.w3.org/2000/svg" viewBox="{{.Topo.ViewBox}}" width="{{.Topo.Width}}" height="{{.Topo.Height}}" role="img" aria-label="backbone topology before and after the change">
<g class="sites">{{range .Topo.Sites}}
<g class="{{.Class}}" data-site="{{.Name}}"><title>site {{.Name}}{{if .LostAnycast}}: {{.LostAnycast}} anycast announcement(s) withdrawn after the change{{end}}</title>
<rect class="box" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="14" ry="14"/>
</g>{{end}}
</g>
<g class="links">{{range .Topo.Links}}
<line class="{{.Class}}" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"><title>{{.Title}}</title></line>{{end}}
</g>
<g class="sessions">{{range .Topo.Sessions}}
<line class="{{.Class}}" x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}"><title>{{.Title}}</title></line>{{end}}
</g>
<g class="site-labels">{{range .Topo.Sites}}
<g class="{{.Class}}"><text class="label" x="{{.LX}}" y="{{.LY}}">{{.Name}}{{if .LostAnycast}}<tspan class="only-after"> — anycast withdrawn</tspan>{{end}}</text></g>{{end}}
</g>
<g class="nodes">{{range .Topo.Nodes}}
<g class="{{.Class}}" data-device="{{.Name}}"><title>{{.Title}}</title>
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="5" ry="5"/>
<text x="{{.TX}}" y="{{.TY}}">{{.Name}}</text>
</g>{{end}}
</g>
<g class="anycasts">{{range .Topo.Sites}}{{range .Anycast}}
<g class="{{.Class}}" data-device="{{.Device}}"><title>{{.Title}}</title>
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="9" ry="9"/>
<text x="{{.TX}}" y="{{.TY}}"><tspan class="only-before">{{.Service}} {{.Before}}</tspan><tspan class="only-after">{{.Service}} {{.After}}</tspan></text>
</g>{{end}}{{end}}
</g>
<g class="peers">{{range .Topo.Peers}}
<g class="{{.Class}}" data-peer="{{.Name}}"><title>{{.Title}}</title>
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="6" ry="6"/>
<text x="{{.TX}}" y="{{.TY1}}">{{.Name}}</text>
<text class="sub" x="{{.TX}}" y="{{.TY2}}">{{if .Lost}}<tspan class="only-before">{{.Role}}</tspan><tspan class="only-after">{{.Lost}}</tspan>{{else}}{{.Role}}{{end}}</text>
</g>{{end}}
</g>
</svg>
<div class="legend">
<span><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" stroke="#8a8f98" stroke-width="3"/></svg> link up</span>
<span><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" stroke="#b3261e" stroke-width="3" stroke-dasharray="8 6"/></svg> link lost by the change</span>
<span><svg width="34" height="10"><line x1="0" y1="5" x2="34" y2="5" stroke="#c9ccd2" stroke-width="2" stroke-dasharray="2 4"/></svg> link down</span>
<span><svg width="20" height="12"><rect x="1" y="1" width="18" height="10" rx="2" fill="#fff" stroke="#c26a00" stroke-width="2"/></svg> router whose config changes</span>
<span><svg width="30" height="12"><rect x="1" y="1" width="28" height="10" rx="5" fill="#fbe3e1" stroke="#b3261e" stroke-width="2"/></svg> anycast site withdrawn</span>
<span><svg width="30" height="12"><rect x="1" y="1" width="28" height="10" rx="3" fill="#fbe3e1" stroke="#b3261e" stroke-width="2"/></svg> external peer losing critical prefixes</span>
</div>
{{end}}
</section>

{{if .R.Story}}<section id="story"><h2>What would happen</h2><ul>{{range .R.Story}}<li>{{.}}</li>{{end}}</ul></section>{{end}}

<section id="findings">
<h2>Findings</h2>
{{if not .Findings}}<p>None: all {{.R.Summary.ChecksRun}} checks passed.</p>{{end}}
{{range .Findings}}<div class="finding {{lower .Severity}}">
<div><span class="tag {{lower .Severity}}">{{.Tag}}</span> <code>{{.Invariant}}</code> <span class="mono">({{.Kind}})</span></div>
<p><b>{{.Summary}}</b></p>
<div class="ba"><span>before</span><span>{{dash .Before}}</span><span>after</span><span>{{dash .After}}</span></div>
{{if .Objects}}<details><summary>{{len .Finding.Objects}} objects</summary><ul>{{range .Objects}}<li>{{.}}</li>{{end}}{{if .MoreObjects}}<li>({{.MoreObjects}} more)</li>{{end}}</ul></details>{{end}}
{{if .Evidence}}<details open><summary>evidence</summary><ul>{{range .Evidence}}<li>{{.}}</li>{{end}}</ul></details>{{end}}
{{if .Causes}}<details><summary>caused by {{len .Finding.Causes}} changed leaves</summary><table class="mono">{{range .Causes}}<tr><td>{{.Device}}</td><td>{{.Object}}</td><td>{{change .}}</td></tr>{{end}}{{if .MoreCauses}}<tr><td colspan="3">({{.MoreCauses}} more)</td></tr>{{end}}</table></details>{{end}}
</div>{{end}}
</section>

<section id="diff">
<h2>Change</h2>
{{if not .Groups}}<p>Nothing changes.</p>{{end}}
{{range .Groups}}<details{{if le (len .Items) 20}} open{{end}}><summary><b>{{.Device}}</b> ({{len .Items}})</summary>
<table class="mono">{{range .Items}}<tr><td class="op-{{.Op}}">{{mark .Op}}</td><td>{{.Object}}</td><td>{{change .}}</td><td>{{with .File}}{{.}}{{end}}{{if .Line}}:{{.Line}}{{end}}</td></tr>{{end}}</table>
</details>{{end}}
</section>

{{if .Touched}}<section id="unmodelled"><h2>Unmodelled config touched by the change</h2>
<p>backstop did not simulate these paths; review them by hand.</p>
<table class="mono"><tr><th>device</th><th>path</th><th>why not simulated</th></tr>{{range .Touched}}<tr><td>{{.Device}}</td><td>{{.Path}}</td><td>{{.Reason}}</td></tr>{{end}}</table>
</section>{{end}}
{{if .R.Notes}}<section id="notes"><h2>Notes</h2><ul>{{range .R.Notes}}<li>{{.}}</li>{{end}}</ul></section>{{end}}

<footer>
backstop {{dash .R.Backstop}} · report schema {{dash .R.SchemaVersion}} · fail on {{dash .R.FailOn}} · exit code {{.R.ExitCode}}{{if .Untouched}} · {{.Untouched}} unmodelled paths not touched by the change (see backstop.json){{end}}<br>
running <code>{{dash .R.Inputs.Running}}</code> <code>{{dash .R.Inputs.RunningDigest}}</code> ·
candidate <code>{{dash .R.Inputs.Candidate}}</code> <code>{{dash .R.Inputs.CandidateDigest}}</code> ·
policy <code>{{dash .R.Inputs.Policy}}</code> <code>{{dash .R.Inputs.PolicyDigest}}</code>
</footer>
</main>
</div>
<script>
function backstopView(v) {
  document.getElementById("backstop").className = "view-" + v;
}
</script>
</body>
</html>
`
