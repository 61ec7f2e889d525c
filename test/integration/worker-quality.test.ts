import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createEventBus, type DatabaseSummary } from "../../src/observability/events.js";
import { startWorker, type Worker } from "../../src/worker/worker.js";
import { countingWarehouse } from "../support/counting-warehouse.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { until } from "../support/worker-process.js";

/**
 * The data-quality check after a scheduled sync runs only when that sync wrote something (issue 17,
 * part 1); a quiet sync still counts as a success for freshness in /api/kpis and /metrics. Real
 * worker on a real schedule against the sandbox and the embedded warehouse.
 */
const logger = pino({ level: "silent" });
let fixture: SyncFixture | undefined;
let worker: Worker | undefined;

afterEach(async () => {
  await worker?.stop();
  await fixture?.close();
  worker = undefined;
  fixture = undefined;
});

type Seen = { event: "run"; wrote: boolean; contacts: number; summaries: readonly DatabaseSummary[] } | { event: "dq" };
const wrote = (s: DatabaseSummary) => s.rowsUpserted > 0 || s.bronzeVersions > 0 || s.rowsQuarantined > 0;

async function get(path: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${worker!.port}${path}`)).text();
}

describe("the data-quality check after a scheduled sync", () => {
  it("runs after a sync that wrote, not after a quiet one, which still counts for freshness", async () => {
    fixture = await syncFixture({ seed: 4 });
    const events = createEventBus();
    const seen: Seen[] = [];
    // Contacts with the warehouse while a run is in flight: the run's own opening of it (readiness goes on it).
    let contacts = 0;
    events.on("run:start", () => (contacts = 0));
    events.on("warehouse:contact", (e) => (contacts += e.ok ? 1 : 0));
    events.on("run:done", (e) => seen.push({ event: "run", wrote: e.summaries.some(wrote), contacts, summaries: e.summaries }));
    events.on("dq:checked", () => seen.push({ event: "dq" }));
    const runsDone = () => seen.filter((s) => s.event === "run").length;
    const config = fixture.config({ PORT: "0", SYNC_SCHEDULE: "*/2 * * * * *", SYNC_ON_START: "true" });
    worker = await startWorker({ config, logger, events });

    // The first run writes everything; the next finds nothing new.
    const quiet = await until("a quiet run", async () => seen.find((s) => s.event === "run" && !s.wrote), 30_000);
    if (quiet.event !== "run") throw new Error("not a run");
    const [kpis, metrics] = [JSON.parse(await get("/api/kpis")) as { databases: Record<string, { last_success_at: string }> }, await get("/metrics")];
    for (const summary of quiet.summaries) {
      expect(summary.status).toBe("success");
      expect(kpis.databases[summary.databaseKey]?.last_success_at).toBe(summary.finishedAt.toISOString());
      expect(metrics).toContain(`nds_last_success_timestamp_seconds{database="${summary.databaseKey}"} ${summary.finishedAt.getTime() / 1000}`);
    }

    // An edit in Notion: the run that reads it writes, and the check follows it.
    const project = fixture.sandbox.store.pageIds(fixture.sandbox.databases.projects!.dataSourceId)[0]!;
    fixture.sandbox.store.updatePage(project, { Budget: { number: 7_777_777 } });
    const before = runsDone();
    await until("a writing run after the edit", async () => seen.slice(before).some((s) => s.event === "run" && s.wrote) || undefined, 30_000);
    // One more run has begun only when the runner of the last one (its check included) has returned.
    const after = runsDone();
    await until("one more run", async () => runsDone() > after || undefined, 30_000);
    await worker.stop();

    const runs = seen.filter((s) => s.event === "run");
    expect(runs.filter((r) => r.wrote).length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((r) => !r.wrote).length).toBeGreaterThanOrEqual(1);
    for (const run of runs) if (run.event === "run" && run.wrote) expect(run.contacts).toBe(1);
    // After each run but the last (whose check may have been stopped), a check follows exactly when the run wrote.
    seen.forEach((s, i) => {
      if (s.event !== "run" || i === seen.length - 1) return;
      expect(seen[i + 1]?.event === "dq", `run ${i}: wrote ${s.wrote}`).toBe(s.wrote);
    });
  }, 60_000);

  it("a check that failed after a writing sync is owed: the next sync runs it even when quiet", async () => {
    fixture = await syncFixture({ seed: 4 });
    const warehouse = countingWarehouse();
    const events = createEventBus();
    const seen: string[] = [];
    // The first run's check cannot open the warehouse (as when another process holds the file); the next run can.
    events.on("run:done", (e) => {
      seen.push(e.summaries.some(wrote) ? "wrote" : "quiet");
      if (seen.length === 1) warehouse.refuse = "the file is held by another process";
    });
    events.on("warehouse:contact", (e) => !e.ok && (warehouse.refuse = undefined));
    events.on("dq:checked", () => seen.push("dq"));
    const config = fixture.config({ PORT: "0", SYNC_SCHEDULE: "*/2 * * * * *", SYNC_ON_START: "true" });
    worker = await startWorker({ config, logger, events, openWarehouse: warehouse.open });
    await until("three runs", async () => seen.filter((s) => s !== "dq").length >= 3 || undefined, 30_000);
    await worker.stop();
    // No score after the first run (its check failed), one after the quiet second, none after the quiet third.
    expect(seen.slice(0, 4)).toEqual(["wrote", "quiet", "dq", "quiet"]);
    expect(seen[4]).not.toBe("dq");
  }, 60_000);
});
