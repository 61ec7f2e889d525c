import { count, relative } from "./format.js";
import { html, type Html } from "./html.js";
import { PROBLEMS_SHOWN, TREND_DAYS, type Problem, type WarehouseView } from "./queries.js";
import { trendChart } from "./render-chart.js";
import { WAREHOUSE_READ_INTERVAL_MS } from "../warehouse-reads.js";
import type { ControlRoomView } from "./view.js";

/** The data-quality section: the score against the threshold, its 7-day trend, the worst current problems. */
export function qualitySection(view: ControlRoomView): Html {
  const data = view.warehouse.value;
  const score = view.dqScore;
  const verdict = score === null ? "no check yet" : score >= view.threshold ? "at or above the threshold" : "below the threshold: the runbook's P3";
  const counts = data?.problemCounts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const bySeverity = ["critical", "high", "medium", "low"].filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return html`<section id="quality">
    <h2>Data quality</h2>
    <div class="score">
      <b id="dq-score">${score ?? "—"}</b><span>threshold ${view.threshold} · ${verdict}</span>${
        data?.problems
          ? html`<span id="problem-count"
              >${count(total)} current problem${total === 1 ? "" : "s"}${bySeverity.length > 0 ? `: ${bySeverity.join(", ")}` : ""}</span
            >`
          : ""
      }
    </div>
    ${warehouseNote(view)} ${data ? trend(data.trend, view) : ""} ${data?.problems ? problemsTable(data.problems, total, view) : ""}
  </section>`;
}

function trend(points: WarehouseView["trend"], view: ControlRoomView): Html {
  if (points === null) return html`<p class="muted">No data-quality check has run yet (npm run dq, or the worker after a sync).</p>`;
  return html`<h3>Score over the last ${TREND_DAYS} days (hourly means of the checks)</h3>
    ${trendChart(points, view.threshold, view.now)}`;
}

function problemsTable(problems: readonly Problem[], total: number, view: ControlRoomView): Html {
  if (problems.length === 0) return html`<p>No current problem.</p>`;
  return html`<h2>Worst current problems</h2>
    <table id="problems" class="cards">
      <thead>
        <tr>
          <th>Severity</th>
          <th>Database</th>
          <th>Column</th>
          <th>Rule</th>
          <th>Problem</th>
          <th>Page</th>
        </tr>
      </thead>
      <tbody>
        ${problems.map(
          (p) =>
            html`<tr data-database="${p.databaseKey}" data-column="${p.columnName}" data-rule="${p.rule}" data-page-id="${p.pageId}">
              <td data-label="Severity"><span class="badge ${p.severity}">${p.severity}</span></td>
              <td data-label="Database">${p.databaseKey}</td>
              <td data-label="Column">${p.columnName ?? "—"}</td>
              <td data-label="Rule">${p.rule}</td>
              <td data-label="Problem" class="long wrap">${p.message}</td>
              <td data-label="Page">${pageLink(p.pageId)}</td>
            </tr> `,
        )}
      </tbody>
    </table>
    ${total > problems.length ? html`<p class="muted">The ${PROBLEMS_SHOWN} worst of ${count(total)}; all of them: <code>SELECT * FROM ${view.tables.issues} ORDER BY severity DESC</code></p>` : ""}`;
}

/** A Notion page id as a link to the page in Notion (which resolves an id to the page, whatever its title). */
function pageLink(pageId: string | null): Html | string {
  if (pageId === null) return "—";
  if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(pageId)) return pageId;
  return html`<a href="https://www.notion.so/${pageId.replace(/-/g, "")}" target="_blank" rel="noopener noreferrer" title="${pageId}"
    >${pageId.slice(0, 8)}…</a
  >`;
}

/** Where the warehouse's part of the page comes from, and what is wrong with it when something is. */
export function warehouseNote(view: ControlRoomView): Html {
  const w = view.warehouse;
  const read = w.readAt === undefined ? undefined : relative(new Date(w.readAt), view.now);
  if (w.value === undefined) {
    if (w.error !== undefined)
      return html`<p class="note bad" id="warehouse-note">
        The warehouse did not answer: <span class="wrap">${w.error}</span>. The trend, the problems and the stored runs appear once it does; the runs below are
        this worker's own.
      </p>`;
    return html`<p class="note" id="warehouse-note">Reading the warehouse… the next reload shows the trend, the problems and the stored runs.</p>`;
  }
  if (w.error !== undefined)
    return html`<p class="note bad" id="warehouse-note">
      The warehouse did not answer at the last read: <span class="wrap">${w.error}</span>. Showing what was read ${read}.
    </p>`;
  const old = w.readAt !== undefined && view.now.getTime() - w.readAt >= WAREHOUSE_READ_INTERVAL_MS;
  return html`<p class="muted" id="warehouse-note">
    Trend, problems and stored runs read from the warehouse
    ${read}${w.reading ? " (reading again…)" : ""}${old ? "; read again when the worker next uses it (this page never wakes the warehouse)" : ""}.
  </p>`;
}
