import { readFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countingDialect, emptyCounts, recordingDialect, type RecordedCatalog, type StatementCounts } from "../../bench/support/statement-counts.js";
import { teeWarehouse } from "../../bench/support/tee-warehouse.js";
import type { AppConfig } from "../../src/config/index.js";
import { createEventBus } from "../../src/observability/events.js";
import { runSync } from "../../src/pipeline/index.js";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import { createWarehouse, openWarehouse } from "../../src/warehouse/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { expectedRow, mappingColumns, silverSelect } from "../support/oracle.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/**
 * On an engine without transactions (Databricks) every statement is a round trip of seconds, and a
 * batch's state is a statement of its own: the watermark is written at most once a minute and with
 * the read's last batch, and a full pass's seen ids travel in statements as large as one may carry,
 * not one per batch. The engine is the real DuckDB file for the answers, teed with the Databricks
 * dialect over a recording driver whose statements are counted (bench/support/tee-warehouse.ts).
 */
const logger = pino({ level: "silent" });
const columns = mappingColumns("config/notion_mapping.yaml");
const KEYS = Object.keys(columns);
const BATCH = 25;
let clock = Date.UTC(2026, 6, 2, 10, 0, 20);
let fixture: SyncFixture;
let counts: StatementCounts;
const catalog: RecordedCatalog = new Map();

beforeEach(async () => {
  clock = Date.UTC(2026, 6, 2, 10, 0, 20);
  catalog.clear();
  fixture = await syncFixture({ seed: 22, now: () => clock });
});
afterEach(() => fixture.close());

/** The fixture's config with small batches, so a database takes many. */
function config(): AppConfig {
  const base = fixture.config();
  return { ...base, mapping: { ...base.mapping, settings: { ...base.mapping.settings, batch_size: BATCH } } };
}

/** A full sync in which each committed batch takes `secondsPerBatch` of the run's clock; batches per database returned. */
async function fullSync(secondsPerBatch: number, signal?: AbortSignal, onBatch?: () => void) {
  counts = emptyCounts();
  const events = createEventBus();
  const batches = new Map<string, number>();
  events.on("batch:loaded", ({ databaseKey }) => {
    batches.set(databaseKey, (batches.get(databaseKey) ?? 0) + 1);
    clock += secondsPerBatch * 1_000;
    onBatch?.();
  });
  const open: typeof createWarehouse = async (settings, observer) => {
    const real = await createWarehouse(settings, observer);
    const databricks = databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.reject(new Error("recording only")) });
    const shadow = await openWarehouse(countingDialect(recordingDialect(databricks, catalog), counts));
    return teeWarehouse(real, shadow, databricks, catalog);
  };
  const result = await runSync(
    { config: config(), logger, events, now: () => new Date(clock), openWarehouse: open },
    { full: true, ...(signal ? { signal } : {}) },
  );
  return { result, batches };
}

const writesTo = (table: string) => Object.entries(counts.writesByTable).reduce((n, [t, c]) => n + (t.endsWith(`\`${table}\``) ? c : 0), 0);
const normalize = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));

async function expectSilverEqualsSandbox(key: string): Promise<void> {
  const { sandbox } = fixture;
  const users = new Map(sandbox.store.users().map((u) => [u.id as string, u as Record<string, any>]));
  const pages = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }) as Record<string, any>[];
  const expected = pages.map((p) => expectedRow(p, columns[key]!, users)).sort((a, b) => String(a.page_id).localeCompare(String(b.page_id)));
  const actual = (await queryFile(fixture.duckdbPath, silverSelect(`ppm_silver.${key}`, columns[key]!))).map(normalize);
  expect(actual.map((r) => r.page_id)).toEqual(expected.map((r) => r.page_id));
  for (let i = 0; i < expected.length; i += 1) expect(actual[i], `${key} row ${String(expected[i]!.page_id)}`).toEqual(expected[i]);
}

describe("state writes on an engine without transactions", () => {
  it("writes the watermark at most once a minute and with the last batch, and the seen ids in one statement per database", async () => {
    const { result, batches } = await fullSync(20);
    expect(result.ok).toBe(true);
    const total = [...batches.values()].reduce((a, b) => a + b, 0);
    expect(batches.get("budget_lines")).toBeGreaterThanOrEqual(10);
    // Data: one bronze and one silver MERGE per batch, as before (and the reconcile's UPDATE of silver).
    expect(writesTo("notion_budget_lines")).toBe(batches.get("budget_lines"));
    expect(writesTo("budget_lines")).toBe(batches.get("budget_lines")! + 1);
    // State: a batch takes 20 s, so at most one in three carries the watermark, plus each read's last
    // batch and the reconcile's record (every database's full pass reads to its end here).
    const allowed = [...batches.values()].reduce((n, b) => n + Math.ceil(b / 3) + 2, 0);
    expect(writesTo("watermarks")).toBeLessThanOrEqual(allowed);
    expect(writesTo("watermarks")).toBeLessThan(total);
    // The seen ids of a database fit in one statement: one INSERT each, and the reconcile's DELETE.
    expect(writesTo("seen_pages")).toBe(2 * KEYS.length);
    // What was written is the whole source, and both copies of the state name the last page read.
    for (const key of KEYS) await expectSilverEqualsSandbox(key);
    const stored = await queryFile(fixture.duckdbPath, "SELECT database_key, last_edited_time FROM ppm_meta.watermarks ORDER BY database_key");
    expect(stored.map((r) => r.database_key)).toEqual([...KEYS].sort());
    for (const row of stored) {
      const key = String(row.database_key);
      const local = JSON.parse(readFileSync(join(fixture.dir, "wm", `${key}.json`), "utf8")) as { lastEditedTime: string };
      const newest = fixture.sandbox.store
        .listPages(fixture.sandbox.databases[key]!.dataSourceId, { includeTrashed: false })
        .reduce((max, p) => (String(p.last_edited_time) > max ? String(p.last_edited_time) : max), "");
      expect(new Date(String(row.last_edited_time)).toISOString(), key).toBe(newest);
      expect(local.lastEditedTime, key).toBe(newest);
    }
  });

  it("a full pass stopped part-way leaves a watermark no later than what it committed; the next run makes the copy whole", async () => {
    const stop = new AbortController();
    let seen = 0;
    const first = await fullSync(20, stop.signal, () => {
      seen += 1;
      if (seen === 12) stop.abort();
    });
    expect(first.result.ok).toBe(false);
    // Every watermark the warehouse holds is covered by silver: no silver row is missing below it.
    const behind = await queryFile(
      fixture.duckdbPath,
      `SELECT w.database_key, w.last_edited_time, (SELECT max(last_edited_time) FROM ppm_silver.budget_lines) AS newest FROM ppm_meta.watermarks w WHERE w.database_key = 'budget_lines'`,
    );
    for (const row of behind) expect(String(row.last_edited_time) <= String(row.newest)).toBe(true);
    const second = await fullSync(20);
    expect(second.result.ok).toBe(true);
    for (const key of KEYS) await expectSilverEqualsSandbox(key);
  });
});
