import { queryFile } from "../../test/support/duckdb-file.js";
import { startWorkerProcess, until, type WorkerProcess } from "../../test/support/worker-process.js";
import type { Measurement, Scenario } from "../bench-types.js";
import { benchWorkspace, type BenchWorkspace } from "../support/bench-workspace.js";
import { round } from "../support/figures.js";
import { loadAverage1m } from "../support/machine.js";

const RPS = 3;
const DEBOUNCE_S = 5;
/** The schedule without webhooks: a tick a minute stands in for the 30-minute default (the figures scale with it). */
const TICK_S = 60;
const EDITED = ["budget_lines", "milestones", "risks", "projects"];
const EDIT_EVERY_MS = 1_500;
const NAME = "11. freshness: edit → committed in silver at 3 rps, with and without webhooks";

interface Edit {
  readonly key: string;
  readonly pageId: string;
  readonly at: number;
}

/**
 * 11. Freshness: the real worker (`npm start`'s process) against the sandbox's process at Notion's
 * 3 requests/s, the embedded warehouse, after a full sync. Edits of distinct pages, one every 1.5 s
 * across four databases (properties no rollup reads, so a page's silver row is written only by the run
 * that read its edit); once with webhooks (the sandbox subscribed to the worker, NOTION_WEBHOOK_DEBOUNCE
 * 5 s) and once without (a tick every minute). Measured after the worker stopped, from the warehouse
 * itself: each edited page's silver `_run_id`, that run's `finished_at` for its database in
 * `ppm_meta.sync_runs`, minus the edit's time. Targets: with webhooks p95 ≤ debounce + 10 s; without,
 * the schedule's interval plus the run that commits (p95 ≤ interval + the longest run).
 */
export const freshness: Scenario = {
  name: NAME,
  async run({ quick }) {
    const edits = quick ? 40 : 120;
    const ws = await benchWorkspace({ rps: 0 });
    try {
      const withHooks = await measure(ws, edits, true);
      ws.freshWarehouse();
      const without = await measure(ws, edits, false);
      return [
        {
          name: NAME,
          figures: {
            edits,
            webhooks_p50_seconds: withHooks.p50,
            webhooks_p95_seconds: withHooks.p95,
            webhooks_max_seconds: withHooks.max,
            webhooks_runs: withHooks.runs,
            schedule_p50_seconds: without.p50,
            schedule_p95_seconds: without.p95,
            schedule_max_seconds: without.max,
            schedule_runs: without.runs,
            schedule_longest_run_seconds: without.longestRun,
            load_avg_1m: loadAverage1m(),
          },
          bound: {
            debounce_seconds: DEBOUNCE_S,
            webhooks_p95_target: DEBOUNCE_S + 10,
            tick_seconds: TICK_S,
            schedule_p95_target: round(TICK_S + without.longestRun),
          },
          judge: (f, b) => f.webhooks_p95_seconds! <= b.webhooks_p95_target! && f.schedule_p95_seconds! <= b.schedule_p95_target!,
          notes: `${edits} edits of distinct pages, one every ${EDIT_EVERY_MS / 1000} s over ${EDITED.join(", ")}; the worker at NOTION_RPS ${RPS} against the sandbox limited to ${RPS} rps; webhooks: the sandbox subscribed, debounce ${DEBOUNCE_S} s; schedule: a tick every ${TICK_S} s (the default 30 minutes gives p50 ≈ 15 min, p95 ≈ 29 min); seconds from each edit to the finish of the run that wrote its silver row (ppm_meta.sync_runs.finished_at)`,
        },
      ] satisfies Measurement[];
    } finally {
      await ws.close();
    }
  },
};

async function measure(ws: BenchWorkspace, count: number, webhooks: boolean) {
  await ws.sandbox.setRateLimit(0);
  await ws.sync({ databases: [...EDITED, "programs"], full: true });
  await ws.sandbox.setRateLimit(RPS);
  const env = ws.env({
    NOTION_RPS: String(RPS),
    NOTION_BURST: String(RPS),
    SYNC_ON_START: "false",
    SYNC_SCHEDULE: webhooks ? "*/30 * * * *" : `0 * * * * *`,
    NOTION_WEBHOOKS: webhooks ? "on" : "off",
    NOTION_WEBHOOK_DEBOUNCE: `${DEBOUNCE_S}s`,
    LOG_LEVEL: "warn",
  });
  const worker = await startWorkerProcess(env);
  const edits: Edit[] = [];
  try {
    if (webhooks) await ws.sandbox.subscribe(`http://127.0.0.1:${worker.port}/webhooks/notion`);
    for (let n = 0; n < count; n += 1) {
      const key = EDITED[n % EDITED.length]!;
      edits.push({ key, ...(await ws.sandbox.editPage(key, Math.floor(n / EDITED.length), n)) });
      await new Promise((r) => setTimeout(r, EDIT_EVERY_MS));
    }
    await committed(worker, edits, webhooks);
  } finally {
    if (webhooks) await ws.sandbox.unsubscribe();
    worker.child.kill("SIGTERM");
    await worker.exited;
  }
  return latencies(env.DUCKDB_PATH!, edits);
}

/**
 * Waits for the runs that commit the edits. With webhooks: until the worker counted every event as
 * synced (`nds_webhook_lag_seconds_count`; only a wait, the figures come from the warehouse). With the
 * schedule: until every edited database's last success is past the tick after the last edit.
 */
async function committed(worker: WorkerProcess, edits: readonly Edit[], webhooks: boolean): Promise<void> {
  const tick = Math.ceil(edits.at(-1)!.at / (TICK_S * 1_000)) * TICK_S * 1_000;
  type Kpis = { running: boolean; databases: Record<string, { last_success_at: string | null }> };
  let last = "";
  const done = async () => {
    const kpis = JSON.parse((last = (await worker.get("/api/kpis")).body)) as Kpis;
    if (kpis.running) return false;
    if (!webhooks) return EDITED.every((k) => Date.parse(kpis.databases[k]?.last_success_at ?? "") > tick);
    const synced = /^nds_webhook_lag_seconds_count (\d+)$/m.exec((await worker.get("/metrics")).body);
    return Number(synced?.[1] ?? 0) >= edits.length;
  };
  await until("the edits' runs", done, (TICK_S + 120) * 1_000, 500).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}: ${last}\n${worker.output().slice(-3_000)}`);
  });
}

/** Seconds from each edit to the finish of the run that wrote its page's silver row. */
async function latencies(duckdbPath: string, edits: readonly Edit[]) {
  const rows = await queryFile(
    duckdbPath,
    "SELECT run_id, database_key, epoch_ms(started_at) AS started, epoch_ms(finished_at) AS finished FROM ppm_meta.sync_runs WHERE status = 'success'",
  );
  const finished = new Map(rows.map((r) => [`${String(r.run_id)}/${String(r.database_key)}`, Number(r.finished)]));
  const written = await queryFile(duckdbPath, EDITED.map((k) => `SELECT '${k}' AS key, page_id, _run_id FROM ppm_silver.${k}`).join(" UNION ALL "));
  const runOf = new Map(written.map((r) => [`${String(r.key)}/${String(r.page_id)}`, String(r._run_id)]));
  const seconds: number[] = [];
  for (const edit of edits) {
    const at = finished.get(`${runOf.get(`${edit.key}/${edit.pageId}`)}/${edit.key}`);
    if (at === undefined || at < edit.at) throw new Error(`${NAME}: the edit of ${edit.key} ${edit.pageId} is not in silver`);
    seconds.push((at - edit.at) / 1_000);
  }
  seconds.sort((a, b) => a - b);
  const pick = (q: number) => round(seconds[Math.min(seconds.length - 1, Math.ceil(q * seconds.length) - 1)]!);
  // The runs after the first edit, each from its first database's start to its last one's finish.
  const runs = new Map<string, { started: number; finished: number }>();
  for (const r of rows.filter((row) => Number(row.finished) >= edits[0]!.at)) {
    const run = runs.get(String(r.run_id)) ?? { started: Number(r.started), finished: Number(r.finished) };
    runs.set(String(r.run_id), { started: Math.min(run.started, Number(r.started)), finished: Math.max(run.finished, Number(r.finished)) });
  }
  return {
    p50: pick(0.5),
    p95: pick(0.95),
    max: round(seconds.at(-1)!),
    runs: runs.size,
    longestRun: round(Math.max(0, ...[...runs.values()].map((r) => r.finished - r.started)) / 1_000),
  };
}
