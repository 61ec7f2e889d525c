import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TABLE_PROPERTIES, parseMapping, type Settings } from "../../src/config/index.js";

import { bronzeTable, quarantineTable, silverTable, type Row, type TableSpec, type Warehouse } from "../../src/warehouse/index.js";
import { openSparkWarehouse, uniquePrefix } from "./spark-target.js";

/** What only Delta shows: table properties, the history of MERGEs, and concurrent writers. */
let settings: Settings;
let silver: TableSpec;
let bronze: TableSpec;
let quarantine: TableSpec;
let warehouse: Warehouse;

const row = (id: string, hash: string, edited = "2026-01-01T00:00:00.000Z"): Row => ({
  page_id: id,
  amount: "1.50",
  created_time: "2026-01-01T00:00:00.000Z",
  last_edited_time: edited,
  url: `u/${id}`,
  _is_deleted: false,
  _deleted_at: null,
  _row_hash: hash,
  _synced_at: "2026-01-02T00:00:00.000Z",
  _run_id: "r",
});
const version = (id: string, hash: string): Row => ({
  page_id: id,
  last_edited_time: "2026-01-01T00:00:00.000Z",
  page_json: "{}",
  _row_hash: hash,
  _ingested_at: "2026-01-02T00:00:00.000Z",
  _run_id: "r",
});
const batch = (rows: Row[]) => ({
  bronze: { table: bronze, rows: rows.map((r) => version(String(r.page_id), String(r._row_hash))) },
  silver: { table: silver, rows },
  quarantine: { table: quarantine, rows: [] },
});
const history = async (w: Warehouse, table: TableSpec) =>
  (await w.sql.query(`DESCRIBE HISTORY ${w.sql.tableName(table)}`)) as { version: number; operation: string; operationMetrics: Record<string, string> }[];

beforeEach(async () => {
  const prefix = uniquePrefix();
  const mapping = parseMapping(
    `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\n` +
      `t:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: A, column_name: amount, column_type: "DECIMAL(18,2)" }\n`,
    "t.yaml",
    {},
  );
  settings = mapping.settings;
  silver = silverTable(mapping.databases[0]!, settings);
  bronze = bronzeTable(mapping.databases[0]!, settings);
  quarantine = quarantineTable(settings);
  warehouse = await openSparkWarehouse();
  await warehouse.ensureTables([bronze, silver, quarantine]);
});

afterEach(async () => {
  await warehouse.close();
});

describe("Delta tables written through the Databricks dialect", () => {
  it("are Delta tables with the dialect's table properties, on a schema created fresh", async () => {
    const extended = await warehouse.sql.query(`DESCRIBE TABLE EXTENDED ${warehouse.sql.tableName(silver)}`);
    expect(extended.find((r) => r.col_name === "Provider")?.data_type).toBe("delta");
    const properties = Object.fromEntries((await warehouse.sql.query(`SHOW TBLPROPERTIES ${warehouse.sql.tableName(silver)}`)).map((r) => [r.key, r.value]));
    for (const [key, value] of Object.entries(DEFAULT_TABLE_PROPERTIES)) expect(properties[key], key).toBe(value);
  });

  it("re-MERGEs a batch without changing a row: Delta commits no new version", async () => {
    const rows = [row("p1", "h1"), row("p2", "h2")];
    const before = await history(warehouse, silver);
    expect(await warehouse.writeBatch(batch(rows))).toEqual({ bronzeInserted: 2, silverUpserted: 2 });
    const after = await history(warehouse, silver);
    expect(after).toHaveLength(before.length + 1);
    const merge = after.find((h) => h.version === Math.max(...after.map((x) => x.version)))!;
    expect([merge.operation, merge.operationMetrics.numTargetRowsInserted, merge.operationMetrics.numTargetRowsUpdated]).toEqual(["MERGE", "2", "0"]);
    const table = await warehouse.sql.query(`SELECT page_id, _row_hash FROM ${warehouse.sql.tableName(silver)} ORDER BY page_id`);
    const bronzeVersions = (await history(warehouse, bronze)).length;

    expect(await warehouse.writeBatch(batch(rows))).toEqual({ bronzeInserted: 0, silverUpserted: 0 });
    expect(await history(warehouse, silver)).toHaveLength(after.length);
    expect(await history(warehouse, bronze)).toHaveLength(bronzeVersions);
    expect(await warehouse.sql.query(`SELECT page_id, _row_hash FROM ${warehouse.sql.tableName(silver)} ORDER BY page_id`)).toEqual(table);
    // A changed row is one more MERGE, updating exactly it.
    expect(await warehouse.writeBatch(batch([row("p1", "h1b", "2026-01-01T00:01:00.000Z"), row("p2", "h2")]))).toEqual({
      bronzeInserted: 1,
      silverUpserted: 1,
    });
    const last = await history(warehouse, silver);
    const update = last.find((h) => h.version === Math.max(...last.map((x) => x.version)))!;
    expect([last.length, update.operation, update.operationMetrics.numTargetRowsUpdated, update.operationMetrics.numTargetRowsInserted]).toEqual([
      after.length + 1,
      "MERGE",
      "1",
      "0",
    ]);
  });

  it("lets two writers MERGE into one table at once: the conflict is retried and no row is lost", async () => {
    const retries: string[] = [];
    const writers = [
      await openSparkWarehouse([], { retry: (i) => retries.push(i.kind) }),
      await openSparkWarehouse([], { retry: (i) => retries.push(i.kind) }),
    ];
    try {
      // Several rounds, so that the two statements overlap at least once on a busy machine.
      for (let round = 0; round < 3 && retries.length === 0; round += 1) {
        const a = Array.from({ length: 50 }, (_, i) => row(`a${round}-${i}`, `ha${round}`));
        const b = Array.from({ length: 50 }, (_, i) => row(`b${round}-${i}`, `hb${round}`));
        const results = await Promise.all([writers[0]!.writeBatch(batch(a)), writers[1]!.writeBatch(batch(b))]);
        expect(results).toEqual([
          { bronzeInserted: 50, silverUpserted: 50 },
          { bronzeInserted: 50, silverUpserted: 50 },
        ]);
      }
      expect(retries.length).toBeGreaterThan(0);
      expect(new Set(retries)).toEqual(new Set(["conflict"]));
      const [counts] = await warehouse.sql.query(`SELECT count(*) AS n, count(DISTINCT page_id) AS ids FROM ${warehouse.sql.tableName(silver)}`);
      const rounds = (await warehouse.sql.query(`SELECT DISTINCT _row_hash FROM ${warehouse.sql.tableName(silver)}`)).length / 2;
      expect([Number(counts?.n), Number(counts?.ids)]).toEqual([100 * rounds, 100 * rounds]);
    } finally {
      await Promise.all(writers.map((w) => w.close()));
    }
  });
});
