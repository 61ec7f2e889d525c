import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createEventBus } from "../../src/observability/events.js";
import type { WebhookSubscription } from "../../src/sandbox/index.js";
import { startWorker, type Worker } from "../../src/worker/worker.js";
import { queryFile } from "../support/duckdb-file.js";
import { mappingColumns } from "../support/oracle.js";
import { expectSilverEqualsSandbox } from "../support/silver-check.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { until } from "../support/worker-process.js";

/**
 * Issue 18's end-to-end acceptance: the worker with webhooks on, the sandbox subscribed to it (the
 * handshake stores the token, as with Notion). 100 edits of distinct pages across four databases, in
 * waves; every edit must be committed no later than by the first run of its database that started after
 * its event was delivered (exact, from the run ids in silver, not a timing), and silver must equal the sandbox.
 * One programs edit's event is dropped: only a tick of the schedule can and does catch it.
 */
const DEBOUNCE_MS = 1_000;
let fixture: SyncFixture | undefined;
let worker: Worker | undefined;
let subscription: WebhookSubscription | undefined;

afterEach(async () => {
  subscription?.close();
  await worker?.stop();
  await fixture?.close();
});

// Properties no rollup or formula of another page reads: a page's silver row is written only by the run that read its edit.
const EDITS: Record<string, (i: number) => Record<string, unknown>> = {
  budget_lines: (i) => ({ Approved: { checkbox: i % 2 === 0 } }),
  milestones: (i) => ({ Done: { checkbox: i % 2 === 0 } }),
  risks: (i) => ({ Mitigation: { rich_text: [{ text: { content: `plan ${i}` } }] } }),
  projects: (i) => ({ Spent: { number: 1000 + i } }),
};

interface Run {
  runId: string;
  databases: readonly string[];
  startedAt: number;
  finishedAt?: number;
}

describe("webhooks end to end: the sandbox's events drive the worker", () => {
  it("commits each of 100 edits in the first run after its event, and the schedule catches an edit whose event was lost", async () => {
    fixture = await syncFixture({ seed: 4 });
    const events = createEventBus();
    const runs = new Map<string, Run>();
    events.on("run:start", (e) => runs.set(e.runId, { runId: e.runId, databases: e.databases, startedAt: Date.now() }));
    events.on("run:done", (e) => (runs.get(e.runId)!.finishedAt = Date.now()));
    // No tick while the events are measured (its runs would commit edits too); the safety net gets its own worker below.
    const hooks = { PORT: "0", NOTION_WEBHOOKS: "on", NOTION_WEBHOOK_DEBOUNCE: `${DEBOUNCE_MS}ms` };
    const config = fixture.config({ ...hooks, SYNC_SCHEDULE: "0 0 1 1 *" });
    worker = await startWorker({ config, logger: pino({ level: "silent" }), events });
    await until("the first full sync", async () => ([...runs.values()].some((r) => r.finishedAt) ? true : undefined), 120_000);
    const { sandbox } = fixture;
    const programsPage = sandbox.store.pageIds(sandbox.databases.programs!.dataSourceId)[0]!;
    subscription = await sandbox.webhooks.subscribe({ url: `http://127.0.0.1:${worker.port}/webhooks/notion`, drop: (e) => e.entity.id === programsPage });

    const edits: { key: string; pageId: string; at: number }[] = [];
    const keys = Object.keys(EDITS);
    const pools = Object.fromEntries(keys.map((k) => [k, sandbox.store.pageIds(sandbox.databases[k]!.dataSourceId)]));
    for (let wave = 0; wave < 10; wave += 1) {
      for (let i = 0; i < 10; i += 1) {
        const n = wave * 10 + i;
        const key = keys[n % keys.length]!;
        const pageId = pools[key]![Math.floor(n / keys.length)]!;
        sandbox.store.updatePage(pageId, EDITS[key]!(n));
        edits.push({ key, pageId, at: Date.now() });
      }
      await new Promise((r) => setTimeout(r, 700));
    }
    await subscription.idle();

    // Every edit committed.
    // Which run wrote each page's silver row: one read of the file per look (every second), as an outside tool would.
    const silverRuns = async () => {
      const sql = [...keys, "programs"].map((k) => `SELECT page_id, _run_id FROM ppm_silver.${k}`).join(" UNION ALL ");
      return new Map((await queryFile(fixture!.duckdbPath, sql)).map((r) => [r.page_id as string, r._run_id as string]));
    };
    // The run whose commit holds the edit: it finished after the edit (it may have started before, and read after).
    const committed = (written: Map<string, string>, pageId: string, after: number) => {
      const run = runs.get(written.get(pageId) ?? "");
      return run?.finishedAt && run.finishedAt >= after ? run : undefined;
    };
    const all = async () => {
      const written = await silverRuns();
      return edits.every((e) => committed(written, e.pageId, e.at)) ? written : undefined;
    };
    const written = await until("every edit committed", all, 120_000, 1_000);
    // The same worker's configuration with a tick every 2 s, once the event runs are over (a dependent refresh of
    // theirs could read programs too): an edit whose event is lost is caught by a tick.
    await until("no run in flight", async () => ([...runs.values()].every((r) => r.finishedAt) ? true : undefined));
    await worker.stop();
    worker = await startWorker({
      config: fixture.config({ ...hooks, SYNC_SCHEDULE: "*/2 * * * * *", SYNC_ON_START: "false" }),
      logger: pino({ level: "silent" }),
      events,
    });
    sandbox.store.updatePage(programsPage, { Strategic: { checkbox: true } });
    const droppedAt = Date.now();
    await subscription.idle();
    const tick = await until("the dropped edit caught by the schedule", async () => committed(await silverRuns(), programsPage, droppedAt), 90_000, 1_000);
    expect(tick.databases).toHaveLength(5);
    expect(subscription.dropped).toHaveLength(1);

    const delivered = new Map(subscription.deliveries.filter((d) => d.status === 200).map((d) => [d.event.entity.id, d.at]));
    const latencies: number[] = [];
    for (const edit of edits) {
      const run = committed(written, edit.pageId, edit.at)!;
      const deliveredAt = delivered.get(edit.pageId)!;
      // No later than the first run of its database that started after its event arrived.
      const first = [...runs.values()]
        .filter((r) => r.databases.includes(edit.key) && r.startedAt >= deliveredAt)
        .sort((a, b) => a.startedAt - b.startedAt)[0]!;
      expect(run.startedAt, `${edit.key} ${edit.pageId}: committed by ${run.runId}, first run after its event ${first.runId}`).toBeLessThanOrEqual(
        first.startedAt,
      );
      // By an event's run: those never include programs, which had no event; a tick syncs every database.
      expect(run.databases, `${edit.key} ${edit.pageId}: committed by an event's run`).not.toContain("programs");
      latencies.push(run.finishedAt! - edit.at);
    }
    for (const key of [...keys, "programs"])
      await expectSilverEqualsSandbox(sandbox, fixture.duckdbPath, key, mappingColumns("config/notion_mapping.yaml")[key]!);
    latencies.sort((a, b) => a - b);
    console.info(
      `webhooks e2e: 100 edits, edit → committed p50 ${latencies[49]} ms, p95 ${latencies[94]} ms, max ${latencies[99]} ms (debounce ${DEBOUNCE_MS} ms)`,
    );
  }, 300_000);
});
