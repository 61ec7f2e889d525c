import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countingDialect, emptyCounts, type StatementCounts } from "../../bench/support/statement-counts.js";
import type { AppConfig } from "../../src/config/index.js";
import { createEventBus } from "../../src/observability/events.js";
import { runSync } from "../../src/pipeline/index.js";
import { WarehouseAccess } from "../../src/worker/warehouse-access.js";
import { WorkerStatus } from "../../src/worker/status.js";
import { duckDbDialect } from "../../src/warehouse/duckdb/duckdb-dialect.js";
import { openWarehouse } from "../../src/warehouse/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/**
 * Quiet is free: a run that finds nothing new in Notion opens no warehouse session and sends no
 * statement, asks only its two queries per database, and its run records reach `sync_runs` with
 * the next run that writes. The warehouse is the real DuckDB file, behind a driver that counts.
 */
const logger = pino({ level: "silent" });
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
// Notion's clock and the engine's: pages stamped by the sandbox at `clock`, read by runs at `clock`.
let clock = Date.UTC(2026, 6, 2, 10, 0, 20);
let fixture: SyncFixture;
let counts: StatementCounts;
let sessions: number;
/** Runs when a run opens its warehouse (a cold warehouse takes minutes: what happens meanwhile). */
let onOpen: (() => void) | undefined;

beforeEach(async () => {
  clock = Date.UTC(2026, 6, 2, 10, 0, 20);
  onOpen = undefined;
  fixture = await syncFixture({ seed: 17, now: () => clock });
});
afterEach(() => fixture.close());

async function sync(config: AppConfig = fixture.config()) {
  counts = emptyCounts();
  sessions = 0;
  const open = (settings: AppConfig["warehouse"]) => {
    if (settings.kind !== "duckdb") throw new Error("the test writes a DuckDB file");
    sessions += 1;
    onOpen?.();
    return openWarehouse(countingDialect(duckDbDialect({ ...settings, readOnly: false }), counts));
  };
  return runSync({ config, logger, now: () => new Date(clock), openWarehouse: open });
}

const actual = async (page: string) =>
  (await queryFile(fixture.duckdbPath, `SELECT actual_amount FROM ppm_silver.budget_lines WHERE page_id = '${page}'`)).map((r) => Number(r.actual_amount));
const statements = () => counts.writes + counts.runRecords + counts.reads + counts.ddl + counts.transactions + counts.stages;
const runRows = async (runId: string) =>
  queryFile(fixture.duckdbPath, `SELECT database_key, status, started_at, pages_read FROM ppm_meta.sync_runs WHERE run_id = '${runId}' ORDER BY database_key`);

describe("a quiet run", () => {
  it("opens no warehouse, sends no statement and asks two queries per database; its records land with the next run that writes", async () => {
    const first = await sync();
    expect(first.ok).toBe(true);
    expect(sessions).toBe(1);

    clock += 30 * 60_000;
    const quiet = await sync();
    expect(quiet.ok).toBe(true);
    expect([sessions, statements()]).toEqual([0, 0]);
    // The live and the trash query: no schema request, no completion of the lookback window's pages.
    expect(quiet.summaries.map((s) => [s.databaseKey, s.status, s.notionRequests, s.rowsUpserted])).toEqual(
      quiet.summaries.map((s) => [s.databaseKey, "success", 2, 0]),
    );
    expect(quiet.summaries.reduce((n, s) => n + s.pagesRead, 0)).toBeGreaterThan(0);
    expect(await runRows(quiet.runId)).toEqual([]);
    expect(existsSync(join(fixture.dir, "wm", "pending-sync-runs.jsonl"))).toBe(true);
    // A worker starting now counts the quiet run at once (its KPIs load sync_runs, then what is kept).
    const status = new WorkerStatus(KEYS);
    await new WarehouseAccess(fixture.config(), status, createEventBus(), logger, () => clock).probe();
    const kpis = status.toJson(clock);
    expect(KEYS.map((k) => kpis.databases[k]!.last_success_at)).toEqual(KEYS.map(() => new Date(clock).toISOString()));

    clock += 30 * 60_000;
    const budget = fixture.sandbox.databases.budget_lines!.dataSourceId;
    fixture.sandbox.store.updatePage(fixture.sandbox.store.pageIds(budget)[0]!, { Actual: { number: 4242 } });
    const writing = await sync();
    expect(writing.ok).toBe(true);
    expect(sessions).toBe(1);
    expect(writing.summaries.find((s) => s.databaseKey === "budget_lines")!.rowsUpserted).toBe(1);
    // The quiet run's records, with their own times, written by the run that opened the warehouse.
    const rows = await runRows(quiet.runId);
    expect(rows.map((r) => [r.database_key, r.status, Number(r.pages_read)])).toEqual(
      [...quiet.summaries].sort((a, b) => a.databaseKey.localeCompare(b.databaseKey)).map((s) => [s.databaseKey, "success", s.pagesRead]),
    );
    expect(rows.every((r) => new Date(String(r.started_at)).getTime() === Date.UTC(2026, 6, 2, 10, 30, 20))).toBe(true);
    expect(existsSync(join(fixture.dir, "wm", "pending-sync-runs.jsonl"))).toBe(false);
  });

  it("still sees a second edit in the minute of a version it read (Notion stamps to the minute)", async () => {
    expect((await sync()).ok).toBe(true);
    const budget = fixture.sandbox.databases.budget_lines!.dataSourceId;
    const page = fixture.sandbox.store.pageIds(budget)[0]!;
    clock = Date.UTC(2026, 6, 2, 11, 0, 5);
    fixture.sandbox.store.updatePage(page, { Actual: { number: 1 } });
    clock = Date.UTC(2026, 6, 2, 11, 0, 15);
    expect((await sync()).summaries.find((s) => s.databaseKey === "budget_lines")!.rowsUpserted).toBe(1);
    // Edited again in the same minute: the same last_edited_time, another value.
    clock = Date.UTC(2026, 6, 2, 11, 0, 40);
    fixture.sandbox.store.updatePage(page, { Actual: { number: 2 } });
    clock = Date.UTC(2026, 6, 2, 11, 0, 50);
    const again = await sync();
    expect(again.summaries.find((s) => s.databaseKey === "budget_lines")!.rowsUpserted).toBe(1);
    const rows = await queryFile(fixture.duckdbPath, `SELECT actual_amount, last_edited_time FROM ppm_silver.budget_lines WHERE page_id = '${page}'`);
    expect(rows.map((r) => [Number(r.actual_amount), new Date(String(r.last_edited_time)).toISOString()])).toEqual([[2, "2026-07-02T11:00:00.000Z"]]);
    // Read long after its minute: the version is settled, and the next run is quiet.
    clock = Date.UTC(2026, 6, 2, 11, 30, 0);
    const quiet = await sync();
    expect([quiet.ok, sessions, statements()]).toEqual([true, 0, 0]);
  });

  it("opens the warehouse when its file changed since the run that last checked it (a dropped table is read in full)", async () => {
    expect((await sync()).ok).toBe(true);
    const instance = await DuckDBInstance.create(fixture.duckdbPath);
    const connection = await instance.connect();
    await connection.run("DROP TABLE ppm_silver.risks");
    connection.closeSync();
    instance.closeSync();
    clock += 30 * 60_000;
    const after = await sync();
    expect(sessions).toBe(1);
    expect(after.summaries.find((s) => s.databaseKey === "risks")!.mode).toBe("full");
  });

  it("judges a version by Notion's clock when it answered, not when the sync used the answer (a second edit while the warehouse opened)", async () => {
    expect((await sync()).ok).toBe(true);
    const page = fixture.sandbox.store.pageIds(fixture.sandbox.databases.budget_lines!.dataSourceId)[0]!;
    clock = Date.UTC(2026, 6, 2, 11, 0, 5);
    fixture.sandbox.store.updatePage(page, { Actual: { number: 1 } });
    clock = Date.UTC(2026, 6, 2, 11, 0, 15);
    onOpen = () => {
      onOpen = undefined;
      clock = Date.UTC(2026, 6, 2, 11, 0, 40);
      fixture.sandbox.store.updatePage(page, { Actual: { number: 2 } });
      clock = Date.UTC(2026, 6, 2, 11, 12, 0);
    };
    for (const at of [Date.UTC(2026, 6, 2, 11, 0, 15), Date.UTC(2026, 6, 2, 11, 30), Date.UTC(2026, 6, 2, 12, 0)]) {
      clock = Math.max(clock, at);
      expect((await sync()).ok).toBe(true);
    }
    expect(await actual(page)).toEqual([2]);
  });

  it("checks the warehouse again after a run whose sync failed there (a restored backup), and after the schemas moved", async () => {
    expect((await sync()).ok).toBe(true);
    const backup = join(fixture.dir, "backup.duckdb");
    copyFileSync(fixture.duckdbPath, backup);
    const budget = fixture.sandbox.databases.budget_lines!.dataSourceId;
    const page = fixture.sandbox.store.pageIds(budget)[0]!;
    clock += 30 * 60_000;
    fixture.sandbox.store.updatePage(page, { Actual: { number: 777 } });
    clock += 30 * 60_000;
    expect((await sync()).ok).toBe(true);
    copyFileSync(backup, fixture.duckdbPath);
    clock += 30 * 60_000;
    fixture.sandbox.faults.inject({ method: "POST", path: new RegExp(`${budget}/query`), status: 400, times: 50 });
    expect((await sync()).summaries.find((s) => s.databaseKey === "budget_lines")!.status).toBe("failed");
    fixture.sandbox.faults.clear();
    clock += 30 * 60_000;
    expect((await sync()).ok).toBe(true);
    expect(await actual(page)).toEqual([777]);
    // Another silver schema: its tables are created by the next run, quiet or not.
    const mapping = join(fixture.dir, "mapping.yaml");
    writeFileSync(mapping, readFileSync("config/notion_mapping.yaml", "utf8").replace("settings:\n", "settings:\n  schemas:\n    silver: silver2\n"));
    clock += 30 * 60_000;
    expect((await sync(fixture.config({ MAPPING_PATH: mapping }))).ok).toBe(true);
    const tables = await queryFile(fixture.duckdbPath, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'silver2'");
    expect(tables).toHaveLength(5);
  });
});
