import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createEventBus } from "../../src/observability/events.js";
import { runSync } from "../../src/pipeline/index.js";
import { startWorker, type Worker } from "../../src/worker/worker.js";
import { countingWarehouse, type CountingWarehouse } from "../support/counting-warehouse.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { until } from "../support/worker-process.js";

/**
 * Probes cost nothing (issue 17, architecture invariant 14): /healthz never touches the warehouse and
 * /readyz answers from the last contact: a warehouse that answered is never woken by a probe, and one
 * that failed is checked again at most once per READINESS_CHECK_INTERVAL. Real worker, real embedded warehouse, real HTTP; the clock is injected and
 * sessions are counted at the warehouse factory.
 */
const MINUTE = 60_000;
const logger = pino({ level: "silent" });
let fixture: SyncFixture | undefined;
let worker: Worker | undefined;
let warehouse: CountingWarehouse;
let clock: number;

afterEach(async () => {
  await worker?.stop();
  await fixture?.close();
  // Nothing the worker opened is left open.
  expect(warehouse.live).toBe(0);
  worker = undefined;
  fixture = undefined;
});

async function start(env: Record<string, string> = {}, events = createEventBus(), before?: (fixture: SyncFixture) => Promise<void>): Promise<Worker> {
  fixture = await syncFixture({ seed: 4 });
  await before?.(fixture);
  warehouse = countingWarehouse();
  clock = Date.parse("2026-12-02T09:00:00Z");
  const config = fixture.config({ PORT: "0", SYNC_SCHEDULE: "0 0 1 1 *", SYNC_ON_START: "false", ...env });
  worker = await startWorker({ config, logger, events, now: () => clock, openWarehouse: warehouse.open });
  return worker;
}

/** A worker whose start cannot open the warehouse: its first contact failed. */
async function startRefused(env: Record<string, string> = {}): Promise<Worker> {
  fixture = await syncFixture({ seed: 4 });
  warehouse = countingWarehouse();
  warehouse.refuse = "connection refused (warehouse stopped)";
  clock = Date.parse("2026-12-02T09:00:00Z");
  const config = fixture.config({ PORT: "0", SYNC_SCHEDULE: "0 0 1 1 *", SYNC_ON_START: "false", ...env });
  worker = await startWorker({ config, logger, now: () => clock, openWarehouse: warehouse.open });
  return worker;
}

async function get(path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${worker!.port}${path}`);
  return { status: response.status, body: await response.text() };
}

describe("the worker's probes and the warehouse", () => {
  it("/readyz polled 100 times, every 10 s for 1000 s, opens at most one warehouse session; /healthz none", async () => {
    await start();
    // The start is a contact: it loads the KPIs.
    const atStart = warehouse.opened;
    expect(atStart).toBe(1);
    for (let poll = 0; poll < 100; poll += 1) {
      clock += 10_000;
      expect((await get("/healthz")).status).toBe(200);
      expect((await get("/readyz")).status).toBe(200);
    }
    expect(warehouse.opened - atStart).toBeLessThanOrEqual(1);
  });

  it("never wakes a warehouse that answered: a day of probes after a successful contact opens no session", async () => {
    await start();
    const atStart = warehouse.opened;
    for (let poll = 0; poll < 144; poll += 1) {
      clock += 10 * MINUTE;
      expect((await get("/readyz")).status).toBe(200);
    }
    expect(warehouse.opened - atStart).toBe(0);
  });

  it("after a failed contact: 503 until the interval has passed, without touching the warehouse in between; then one check, and ready", async () => {
    await startRefused();
    const failed = await get("/readyz");
    expect(failed.status).toBe(503);
    expect(failed.body).toContain("warehouse not reachable");
    expect(failed.body).toContain("connection refused (warehouse stopped)");
    const afterFailure = warehouse.opened;
    // The warehouse answers again, but readiness goes on the last contact until the interval has passed.
    warehouse.refuse = undefined;
    for (let minute = 1; minute < 15; minute += 1) {
      clock += MINUTE;
      expect((await get("/readyz")).status).toBe(503);
    }
    expect(warehouse.opened).toBe(afterFailure);
    clock += MINUTE;
    for (let poll = 0; poll < 5; poll += 1) expect((await get("/readyz")).status).toBe(200);
    expect(warehouse.opened - afterFailure).toBe(1);
  });

  it("follows READINESS_CHECK_INTERVAL", async () => {
    await startRefused({ READINESS_CHECK_INTERVAL: "2m" });
    warehouse.refuse = undefined;
    const afterFailure = warehouse.opened;
    clock += 2 * MINUTE - 1;
    expect((await get("/readyz")).status).toBe(503);
    expect(warehouse.opened - afterFailure).toBe(0);
    clock += 1;
    expect((await get("/readyz")).status).toBe(200);
    expect(warehouse.opened - afterFailure).toBe(1);
  });

  it("a failed start is a failed contact: 503 at once, with no session opened for the probe", async () => {
    await startRefused();
    const atStart = warehouse.opened;
    warehouse.refuse = undefined;
    clock += 5_000;
    expect((await get("/readyz")).status).toBe(503);
    expect(warehouse.opened).toBe(atStart);
  });

  it("a scheduled run that cannot open the warehouse is a failed contact: 503 at once, before the interval has passed", async () => {
    const events = createEventBus();
    let failedRuns = 0;
    events.on("run:done", (e) => (failedRuns += e.errorCode === "warehouse_transient" || e.errorCode === "warehouse_terminal" ? 1 : 0));
    // Synced before, so that the start loads the run records and no run probes first; then an edit for the run to write.
    await start({ SYNC_SCHEDULE: "* * * * * *" }, events, async (f) => {
      expect((await runSync({ config: f.config(), logger })).ok).toBe(true);
      f.sandbox.store.updatePage(f.sandbox.store.pageIds(f.sandbox.databases.projects!.dataSourceId)[0]!, { Budget: { number: 7_777_777 } });
    });
    expect((await get("/readyz")).status).toBe(200);
    warehouse.refuse = "connection refused by the run's warehouse";
    await until("a run that could not open the warehouse", async () => failedRuns > 0, 10_000, 20);
    // (a run starting meanwhile answers ready while it is in flight: the answer is looked for over a few polls)
    const answer = await until("not ready", async () => ((await get("/readyz")).status === 503 ? get("/readyz") : undefined), 3_000, 20);
    expect(answer.status).toBe(503);
    expect(answer.body).toContain("connection refused by the run's warehouse");
    warehouse.refuse = undefined;
  });
});
