import { describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import { Batcher, batchLimits, type PendingPage } from "../../src/pipeline/batcher.js";
import { silverRowOf } from "../../src/pipeline/write-batch.js";
import { createTransformer, EMPTY_DIRECTORY } from "../../src/transform/index.js";
import { DATABRICKS_MAX_BATCH_BYTES, databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import type { StatementSession } from "../../src/warehouse/databricks/databricks-driver.js";
import { duckDbDialect } from "../../src/warehouse/duckdb/duckdb-dialect.js";
import { bronzeTable, openWarehouse, quarantineTable, silverTable } from "../../src/warehouse/index.js";
import { page, v } from "../support/notion-values.js";

/**
 * Batches sized for the engine: on Databricks by the bytes one statement may carry (rows are no
 * limit there), on DuckDB by what is fast for it; the mapping's settings win where they are set.
 * The batches are written through the real Databricks warehouse over a session that records what
 * each statement carried.
 */
const COLUMNS = "  columns:\n    - { notion_property: T, column_name: title, column_type: STRING }\n";
const mapping = (settings = "") => parseMapping(`${settings}t:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n${COLUMNS}`, "t.yaml", {});
const plain = mapping();
const database = plain.databases[0]!;
const transformer = createTransformer(database, "null", EMPTY_DIRECTORY);
const databricks = databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.reject(new Error("no session")) });

function pending(i: number, titleBytes: number): PendingPage {
  const id = `5a7f0000-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const p = page({ T: v.title("x".repeat(titleBytes)) }, { id, last_edited_time: "2026-08-02T11:07:00.000Z" });
  return { page: p, result: transformer.transform(p) };
}

/** Adds the pages in order and writes a batch whenever the batcher says it is full, and the rest at the end. */
function batchesOf(batcher: Batcher, pages: readonly PendingPage[]): PendingPage[][] {
  const batches: PendingPage[][] = [];
  for (const p of pages) if (batcher.add(p)) batches.push(batcher.take());
  if (batcher.size > 0) batches.push(batcher.take());
  return batches;
}

/** Writes each batch through the Databricks warehouse; returns the bytes of each bronze MERGE's rows parameter. */
async function bronzeStatementBytes(batches: readonly PendingPage[][]): Promise<number[]> {
  const bytes: number[] = [];
  const session: StatementSession = {
    async run(sql, params) {
      if (sql.startsWith("MERGE INTO `main`.`ppm_bronze`")) bytes.push(Buffer.byteLength(String(params.nds_rows)));
      return [];
    },
    async close() {},
  };
  const warehouse = await openWarehouse(databricksDialect({ catalog: "main", maxRetries: 0, openSession: async () => session }));
  const stamp = { at: "2026-08-02T12:00:00.000Z", runId: "r1", databaseKey: "t", action: "nulled" };
  for (const batch of batches) {
    await warehouse.writeBatch({
      bronze: { table: bronzeTable(database, plain.settings), rows: batch.map((p) => ({ ...p.result.bronze, _ingested_at: stamp.at, _run_id: "r1" })) },
      silver: { table: silverTable(database, plain.settings), rows: batch.map((p) => silverRowOf(p.result.silver!, stamp)) },
      quarantine: { table: quarantineTable(plain.settings), rows: [] },
    });
  }
  await warehouse.close();
  return bytes;
}

describe("batch sizing per engine", () => {
  it("on Databricks a batch is bounded by the bytes one statement may carry, not by 500 rows; DuckDB keeps 500 rows", () => {
    expect(batchLimits(plain.settings, databricks.capabilities)).toEqual({ maxRows: expect.any(Number), maxBytes: DATABRICKS_MAX_BATCH_BYTES });
    expect(batchLimits(plain.settings, databricks.capabilities).maxRows).toBeGreaterThanOrEqual(10_000);
    expect(DATABRICKS_MAX_BATCH_BYTES).toBeLessThanOrEqual(15 * 2 ** 20);
    const duck = duckDbDialect({ path: ":memory:", memoryLimit: "64MB", threads: 1 });
    expect(batchLimits(plain.settings, duck.capabilities).maxRows).toBe(500);
  });

  it("takes the mapping's batch_size and batch_max_bytes over the engine's own", () => {
    const set = mapping("settings:\n  batch_size: 100\n  batch_max_bytes: 65536\n").settings;
    expect(batchLimits(set, databricks.capabilities)).toEqual({ maxRows: 100, maxBytes: 65_536 });
    expect(batchLimits(mapping("settings:\n  batch_size: 100\n").settings, databricks.capabilities)).toEqual({
      maxRows: 100,
      maxBytes: DATABRICKS_MAX_BATCH_BYTES,
    });
  });

  it("writes many small rows as one statement per table on Databricks", async () => {
    const pages = Array.from({ length: 3_000 }, (_, i) => pending(i, 100));
    const batches = batchesOf(new Batcher(batchLimits(plain.settings, databricks.capabilities)), pages);
    expect(batches.map((b) => b.length)).toEqual([3_000]);
    const bytes = await bronzeStatementBytes(batches);
    expect(bytes).toHaveLength(1);
    expect(bytes[0]!).toBeLessThanOrEqual(DATABRICKS_MAX_BATCH_BYTES);
  });

  it("closes a batch before a page would carry its statement past the byte bound", async () => {
    // About 0.9 MB of statement each (the title is in the page twice): four fit in 4 MiB, a fifth would not.
    const pages = Array.from({ length: 10 }, (_, i) => pending(i, 450 * 1024));
    const batches = batchesOf(new Batcher(batchLimits(plain.settings, databricks.capabilities)), pages);
    expect(batches.flat().map((p) => p.page.id)).toEqual(pages.map((p) => p.page.id));
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    const bytes = await bronzeStatementBytes(batches);
    expect(bytes).toHaveLength(3);
    for (const b of bytes) expect(b).toBeLessThanOrEqual(DATABRICKS_MAX_BATCH_BYTES);
  });

  it("sends a page larger than the bound alone", async () => {
    const pages = [pending(1, 100), pending(2, 100), pending(3, DATABRICKS_MAX_BATCH_BYTES + 1024), pending(4, 100)];
    const batches = batchesOf(new Batcher(batchLimits(plain.settings, databricks.capabilities)), pages);
    expect(batches.map((b) => b.map((p) => p.page.id.slice(-1)))).toEqual([["1", "2"], ["3"], ["4"]]);
    const bytes = await bronzeStatementBytes(batches);
    expect(bytes[1]!).toBeGreaterThan(DATABRICKS_MAX_BATCH_BYTES);
  });
});
