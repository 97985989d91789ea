/** The GUI's stylesheet, shipped inside the bundle (no external CSS, fonts or CDN). */
export const STYLES = `
:root { font-family: system-ui, sans-serif; color: #1d2430; background: #f5f7fa; }
body { margin: 0; }
header { background: #1d2a44; color: #fff; padding: 10px 20px; display: flex; gap: 20px; align-items: baseline; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header .mode { opacity: .8; font-size: 13px; }
header .refresh { margin-left: auto; font-size: 12px; opacity: .7; }
main { padding: 10px 20px 40px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; background: #fff; min-width: 50%; }
th, td { border: 1px solid #dde3ea; padding: 5px 10px; text-align: left; font-size: 14px; vertical-align: top; }
th { background: #eef2f6; }
td.empty { color: #8894a3; font-style: italic; }
.cards { display: flex; gap: 14px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid #dde3ea; border-radius: 6px; padding: 12px 18px; min-width: 130px; }
.card-value { font-size: 26px; font-weight: 600; } .card-title { color: #5b6675; font-size: 13px; }
.badge { border-radius: 10px; padding: 1px 8px; font-size: 12px; white-space: nowrap; }
.badge.ok { background: #d8f3e0; color: #1c6b37; } .badge.bad { background: #fbdcdc; color: #9b1c1c; }
.badge.warn { background: #fdf0c8; color: #8a5a00; } .badge.off { background: #e6e9ee; color: #5b6675; }
ul.matched { margin: 0; padding-left: 16px; } .muted { color: #8894a3; }
.error { background: #fbdcdc; color: #9b1c1c; padding: 8px 12px; border-radius: 4px; }
figure.graph { background: #fff; border: 1px solid #dde3ea; display: inline-block; margin: 0; padding: 8px; }
.edge { fill: none; stroke-width: 2; } .edge-TrafficRoute { stroke: #2d6cdf; fill: #2d6cdf; } .edge-TrafficPermission { stroke: #2a9d55; fill: #2a9d55; }
path.edge { fill: none; }
.node circle { fill: #8894a3; stroke: #fff; stroke-width: 2; } .node-online circle { fill: #2a9d55; } .node-offline circle { fill: #d64545; }
.node-partially_degraded circle { fill: #e0a800; } .node-external circle { fill: #6c5ce7; }
.node text { font-size: 12px; }
.legend-TrafficRoute { color: #2d6cdf; } .legend-TrafficPermission { color: #2a9d55; }
`;
