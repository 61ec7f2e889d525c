import { createHash } from "node:crypto";

/**
 * The page's only style sheet, inline. The Content-Security-Policy allows exactly this text (by its
 * hash) and no other style: no `style=""` attribute may be written, SVG uses presentation attributes.
 * Narrow screens get each table row as a card, labelled by its cells' `data-label`.
 */
export const CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0}
h2{font-size:16px;margin:18px 0 8px}
section>h2:first-child{margin-top:0}
h3{font-size:13px;font-weight:600;color:#57606a;margin:4px 0}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:14px 16px;margin:0 0 16px}
header.top{display:flex;flex-wrap:wrap;gap:8px 20px;align-items:center;margin:0 0 12px}
.state{font-weight:700;letter-spacing:.04em;padding:4px 12px;border-radius:999px;color:#fff}
.state.ok{background:#1f883d}.state.stale{background:#b35900}.state.failing{background:#cf222e}
.facts{display:flex;flex-wrap:wrap;gap:6px 24px;margin:0;padding:0;list-style:none}
.facts b{font-weight:600}
.reasons{margin:8px 0 0;padding-left:20px;color:#5b2a00}
.muted{color:#656d76}
.note{background:#fff8c5;border:1px solid #eed888;border-radius:6px;padding:6px 10px;margin:0 0 10px}
.note.bad{background:#ffebe9;border-color:#f5b5b0}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
th{font-size:12px;color:#57606a;font-weight:600;white-space:nowrap}
th.num{text-align:right}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;background:#eaeef2;color:#24292f;white-space:nowrap}
.badge.success,.badge.ok{background:#dafbe1;color:#116329}
.badge.failed,.badge.critical{background:#ffebe9;color:#a40e26}
.badge.skipped,.badge.medium,.badge.stale{background:#fff8c5;color:#7d4e00}
.badge.high{background:#ffe2cc;color:#953800}
.err{color:#a40e26;overflow-wrap:anywhere;margin:2px 0}
.fix{color:#0b4f9c;margin:2px 0}
.wrap{overflow-wrap:anywhere}
.score{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 16px;margin:0 0 8px}
.score b{font-size:32px}
svg.chart{width:100%;max-width:760px;height:auto;display:block;font-size:11px}
svg .grid{stroke:#eceef1}svg .axis{fill:#656d76}
svg .line{fill:none;stroke:#0969da;stroke-width:2;vector-effect:non-scaling-stroke}
svg .pt{fill:#0969da}
svg .pt.dense{r:1.5}
svg .threshold{stroke:#cf222e;stroke-dasharray:6 4;stroke-width:1.5;vector-effect:non-scaling-stroke}
svg .tlabel{fill:#cf222e}
a{color:#0969da}
footer{color:#656d76;font-size:12px;margin:8px 0 24px}
@media (max-width:720px){
main{padding:10px}
table.cards thead{display:none}
table.cards tr{display:block;border:1px solid #dde1e7;border-radius:6px;margin:0 0 10px;padding:4px 8px}
table.cards td{display:flex;gap:12px;justify-content:space-between;border:0;padding:3px 0;text-align:right}
table.cards td::before{content:attr(data-label);font-weight:600;color:#57606a;text-align:left}
table.cards td.long{display:block;text-align:left}
table.cards td.long::before{display:block}
svg.chart{font-size:22px}
svg .pt{r:4}
svg .pt.dense{r:2}
}
`;

/** The CSP source that allows the style sheet above and nothing else. */
export const STYLE_HASH = `'sha256-${createHash("sha256").update(CSS).digest("base64")}'`;

/**
 * The page's Content-Security-Policy: nothing may load or run (no script at all, no external request);
 * the one style sheet by its hash; the favicon is an empty data: URL so the browser asks for none.
 */
export const CONTROL_ROOM_CSP = `default-src 'none'; style-src ${STYLE_HASH}; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
