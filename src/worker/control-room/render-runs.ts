import { count, duration, relative, utc } from "./format.js";
import { html, type Html } from "./html.js";
import type { RunRecord } from "./queries.js";
import type { RunGroup } from "./recent-runs.js";
import type { ControlRoomView } from "./view.js";

/** The last runs, newest first: one row per run with its databases' outcome, and each failure's error. */
export function runsSection(view: ControlRoomView): Html {
  return html`<section id="runs-section">
    <h2>Last ${view.runs.length === 1 ? "run" : `${view.runs.length} runs`}</h2>
    ${view.runs.length === 0 ? html`<p class="muted">No run recorded yet.</p>` : runsTable(view.runs, view.now)}
    <p class="muted">History: <code>SELECT * FROM ${view.tables.runs} ORDER BY finished_at DESC</code></p>
  </section>`;
}

function runsTable(runs: readonly RunGroup[], now: Date): Html {
  return html`<table id="runs" class="cards">
    <thead>
      <tr>
        <th>Finished</th>
        <th>Run</th>
        <th>Mode</th>
        <th>Result</th>
        <th class="num">Pages</th>
        <th class="num">Rows</th>
        <th class="num">Quarantined</th>
        <th class="num">Requests</th>
        <th class="num">Took</th>
      </tr>
    </thead>
    <tbody>
      ${runs.map((run) => runRow(run, now))}
    </tbody>
  </table>`;
}

function runRow(run: RunGroup, now: Date): Html {
  const sum = (pick: (r: RunRecord) => number) => count(run.records.reduce((n, r) => n + pick(r), 0));
  const failed = run.records.filter((r) => r.status === "failed");
  const modes = [...new Set(run.records.map((r) => r.mode).filter((m) => m !== null))].join(", ");
  const finished = run.finishedAt;
  return html`<tr data-run-id="${run.runId}">
    <td data-label="Finished">${finished ? html`<span title="${utc(finished)}">${relative(finished, now)}</span>` : "—"}</td>
    <td data-label="Run" class="wrap">${run.runId}</td>
    <td data-label="Mode">${modes || "—"}</td>
    <td data-label="Result" class="long">
      ${outcome(run.records)}${failed.map((r) => html`<p class="err">${r.databaseKey ?? "run"}: ${r.error ?? r.errorCode ?? "failed"}</p>`)}
    </td>
    <td data-label="Pages" class="num">${sum((r) => r.pagesRead)}</td>
    <td data-label="Rows" class="num">${sum((r) => r.rowsUpserted)}</td>
    <td data-label="Quarantined" class="num">${sum((r) => r.rowsQuarantined)}</td>
    <td data-label="Requests" class="num">${sum((r) => r.notionRequests)}</td>
    <td data-label="Took" class="num">${run.startedAt && finished ? duration(run.startedAt, finished) : "—"}</td>
  </tr> `;
}

/** `failed` when any database failed, else `success`; with how many databases ended each way. */
function outcome(records: readonly RunRecord[]): Html {
  const by = new Map<string, number>();
  for (const r of records) if (r.databaseKey !== null) by.set(r.status, (by.get(r.status) ?? 0) + 1);
  const status = records.some((r) => r.status === "failed") ? "failed" : "success";
  const parts = [...by].map(([s, n]) => `${n} ${s}`).join(" · ");
  return html`<span class="badge ${status}">${status}</span> ${parts ? html`<span class="muted">${parts}</span>` : ""}`;
}
