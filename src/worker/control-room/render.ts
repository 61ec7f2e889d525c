import { count, relative, span, utc } from "./format.js";
import { Html, html } from "./html.js";
import { qualitySection } from "./render-quality.js";
import { runsSection } from "./render-runs.js";
import { CSS } from "./style.js";
import type { ControlRoomView, DatabaseView } from "./view.js";

/**
 * The Control Room page: one HTML document with its style inline and no script, which reloads
 * itself. Sections: the overall state and its reasons, one row per database, data quality, the last
 * runs. Every value passes through the escaping `html` tag.
 */
/** Outside the templates, which prettier formats: the style's text must stay exactly what the CSP's hash allows. */
const STYLE = new Html(`<style>${CSS}</style>`);

export function renderPage(view: ControlRoomView): string {
  const state = view.state.toUpperCase();
  return `<!doctype html>\n${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta http-equiv="refresh" content="${view.refreshSeconds}" />
        <title>${state} · Control Room · notion-delta-sync</title>
        <link rel="icon" href="data:," />
        ${STYLE}
      </head>
      <body>
        <main>
          ${summary(view)} ${databasesSection(view)} ${qualitySection(view)} ${runsSection(view)}
          <footer>
            Generated ${utc(view.now)} by the worker; reloads every ${view.refreshSeconds} s. The same figures as JSON: <a href="/api/kpis">/api/kpis</a> ·
            <a href="/metrics">/metrics</a>.
          </footer>
        </main>
      </body>
    </html>`.text
  }\n`;
}

function summary(view: ControlRoomView): Html {
  const next = view.nextRunAt;
  return html`<header class="top">
      <h1>Control Room</h1>
      <span id="state" class="state ${view.state}">${view.state.toUpperCase()}</span><span class="muted">notion-delta-sync</span>
    </header>
    <section id="summary">
      <ul class="facts">
        <li>
          Freshness <b id="freshness">${view.freshnessMinutes === null ? "—" : span(view.freshnessMinutes)}</b>
          <span class="muted">(oldest database; limit ${view.limitMinutes} min)</span>
        </li>
        <li>Last run <b>${view.lastRunAt ? relative(view.lastRunAt, view.now) : "none yet"}</b></li>
        <li>Next run <b>${next ? relative(next, view.now) : "not scheduled"}</b>${next ? html` <span class="muted">(${utc(next)})</span>` : ""}</li>
        <li>Run in progress <b id="running">${view.running ? "yes" : "no"}</b></li>
        <li>DQ score <b>${view.dqScore ?? "—"}</b> <span class="muted">(threshold ${view.threshold})</span></li>
      </ul>
      ${
        view.reasons.length > 0
          ? html`<ul class="reasons" id="reasons">
              ${view.reasons.map((r) => html`<li class="wrap">${r}</li>`)}
            </ul>`
          : ""
      }
    </section>`;
}

function databasesSection(view: ControlRoomView): Html {
  return html`<section>
    <h2>Databases</h2>
    <table id="databases" class="cards">
      <thead>
        <tr>
          <th>Database</th>
          <th>Freshness</th>
          <th>Last sync</th>
          <th class="num">Pages</th>
          <th class="num">Rows</th>
          <th class="num">Failures in a row</th>
          <th>Watermark</th>
        </tr>
      </thead>
      <tbody>
        ${view.databases.map((d) => databaseRow(d, view.now))}
      </tbody>
    </table>
    <p class="muted">
      Pages and rows: the last sync of each database (pages read from Notion, silver rows written). The watermark is where its next incremental read starts.
    </p>
  </section>`;
}

function databaseRow(d: DatabaseView, now: Date): Html {
  const freshness = d.freshnessMinutes === null ? "never synced" : span(d.freshnessMinutes);
  return html`<tr data-key="${d.key}">
    <td data-label="Database"><b>${d.key}</b></td>
    <td data-label="Freshness">
      ${d.stale ? html`<span class="badge stale">${freshness}</span>` : freshness}${
        d.lastSuccessAt ? html`<div class="muted" title="${utc(d.lastSuccessAt)}">success ${relative(d.lastSuccessAt, now)}</div>` : ""
      }
    </td>
    <td data-label="Last sync" class="long">
      ${d.lastStatus ? html`<span class="badge ${d.lastStatus}">${d.lastStatus}</span>` : html`<span class="muted">no sync yet</span>`}${
        d.lastRunAt ? html` <span class="muted" title="${utc(d.lastRunAt)}">${relative(d.lastRunAt, now)}</span>` : ""
      }${d.error && d.lastStatus !== "success" ? html`<p class="err">${d.error}</p>` : ""}${d.fix ? html`<p class="fix">Fix: ${d.fix}</p>` : ""}
    </td>
    <td data-label="Pages" class="num">${count(d.pages)}</td>
    <td data-label="Rows" class="num">${count(d.rows)}</td>
    <td data-label="Failures in a row" class="num">
      ${d.consecutiveFailures}${
        d.backoffTicks > 0 ? html`<div class="muted">backing off: ${d.backoffTicks} more tick${d.backoffTicks === 1 ? "" : "s"}</div>` : ""
      }
    </td>
    <td data-label="Watermark">${d.watermark ? html`<span title="${d.watermark}">${utc(new Date(d.watermark))}</span>` : "—"}</td>
  </tr> `;
}
