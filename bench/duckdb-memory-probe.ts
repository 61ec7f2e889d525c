/**
 * The memory investigation's probe: the engine's own DuckDB warehouse (openWarehouse + writeBatch,
 * the same staging and MERGE statements as a sync) fed synthetic budget-line batches, with no
 * Notion, sandbox or transform in the process. Prints RSS and DuckDB's own accounting
 * (duckdb_memory()) every `--every` batches, so what grows can be told apart from what is cached.
 *
 *   npx tsx bench/duckdb-memory-probe.ts --batches 200 --json-bytes 2000 [--memory-limit 64MB] [--row-group-size 4096] [--reconcile] [--set "SET x = y"]...
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, type ColumnType } from "../src/config/index.js";
import { bronzeTable, openWarehouse, quarantineTable, seenPagesTable, silverTable, type Row, type Warehouse } from "../src/warehouse/index.js";
import { duckDbDialect } from "../src/warehouse/duckdb/duckdb-dialect.js";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "200" },
    "batch-size": { type: "string", default: "500" },
    "json-bytes": { type: "string", default: "2000" },
    every: { type: "string", default: "20" },
    // The engine's defaults (DUCKDB_MEMORY_LIMIT, DUCKDB_ROW_GROUP_SIZE); --row-group-size 122880 is DuckDB's own.
    "memory-limit": { type: "string", default: "64MB" },
    threads: { type: "string", default: "2" },
    "row-group-size": { type: "string", default: "4096" },
    set: { type: "string", multiple: true, default: [] },
    /** As a full sync does: every batch's ids into the seen table, and the reconcile's MERGE at the end. */
    reconcile: { type: "boolean", default: false },
  },
});
const batches = Number(values.batches);
const batchSize = Number(values["batch-size"]);
const jsonBytes = Number(values["json-bytes"]);

const config = loadConfig({ env: { MAPPING_PATH: "config/notion_mapping.yaml" }, requireToken: false, databaseIdsOptional: true });
const database = config.mapping.databases.find((d) => d.key === "budget_lines")!;
const settings = config.mapping.settings;
const tables = {
  bronze: bronzeTable(database, settings),
  silver: silverTable(database, settings),
  quarantine: quarantineTable(settings),
  seen: seenPagesTable(settings),
};

const dir = mkdtempSync(join(tmpdir(), "nds-probe-"));
const warehouse = await openWarehouse(
  duckDbDialect({
    path: join(dir, "w.duckdb"),
    memoryLimit: values["memory-limit"],
    threads: Number(values.threads),
    rowGroupSize: Number(values["row-group-size"]),
  }),
);
for (const statement of values.set) await warehouse.sql.execute(statement);
await warehouse.ensureTables([tables.bronze, tables.silver, tables.quarantine, tables.seen]);

// Page JSON is repetitive (property names, types) with unique values: a quarter random, the rest a fixed text.
const filler = '{"type":"rich_text","annotations":{}}'.repeat(Math.ceil((jsonBytes * 0.75) / 37)).slice(0, Math.floor(jsonBytes * 0.75));
const noise = () => randomBytes(Math.floor(jsonBytes / 8)).toString("hex");
const started = performance.now();
report(0);
for (let b = 0; b < batches; b += 1) {
  const ids = Array.from({ length: batchSize }, (_, i) => `page-${String(b * batchSize + i).padStart(8, "0")}`);
  await warehouse.currentVersions(tables.silver, ids);
  const edited = new Date(Date.UTC(2026, 0, 1) + b * 60_000).toISOString();
  const bronze: Row[] = ids.map((id) => ({
    page_id: id,
    last_edited_time: edited,
    page_json: `{"id":"${id}","pad":"${filler}","v":"${noise()}"}`,
    _row_hash: `h-${id}`,
    _ingested_at: edited,
    _run_id: "probe",
  }));
  const silver: Row[] = ids.map((id) => silverRow(id, edited));
  await warehouse.writeBatch({
    bronze: { table: tables.bronze, rows: bronze },
    silver: { table: tables.silver, rows: silver },
    quarantine: { table: tables.quarantine, rows: [] },
  });
  if (values.reconcile)
    await warehouse.insertRows(
      tables.seen,
      ids.map((id) => ({ run_id: "probe", database_key: database.key, page_id: id })),
    );
  if ((b + 1) % Number(values.every) === 0) await reportWith(warehouse, b + 1);
}
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const phases: Record<string, number> = { batches: peakMb() };
if (values.reconcile) {
  await warehouse.markUnseen(tables.silver, tables.seen, { runId: "probe", databaseKey: database.key, at: new Date().toISOString() });
  phases.reconcile = peakMb();
}
await warehouse.close();
phases.close = peakMb();
process.stdout.write(`${JSON.stringify({ peakRssMbAfter: phases })}\n`);
rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({ done: true, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);

function silverRow(id: string, edited: string): Row {
  const row: Record<string, Row[string]> = {};
  for (const column of tables.silver.columns) row[column.name] = sample(column.type, id);
  return { ...row, page_id: id, last_edited_time: edited, _is_deleted: false, _deleted_at: null, _row_hash: `h-${id}`, _run_id: "probe" };
}

function sample(type: ColumnType, id: string): Row[string] {
  const pick: Record<ColumnType["kind"], Row[string]> = {
    string: `value of ${id}`,
    int: 7,
    bigint: 7,
    double: 1.5,
    decimal: "123.45",
    boolean: true,
    date: "2026-01-02",
    timestamp: "2026-01-02T03:04:05.000Z",
    array_string: [id, "b"],
  };
  return pick[type.kind];
}

function report(batch: number, duckdb?: Record<string, number>): void {
  const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  process.stdout.write(
    `${JSON.stringify({ batch, rows: batch * batchSize, seconds: Number(((performance.now() - started) / 1000).toFixed(1)), rssMb, heapMb, ...duckdb })}\n`,
  );
}

async function reportWith(w: Warehouse, batch: number): Promise<void> {
  const rows = await w.sql.query(
    "SELECT tag, memory_usage_bytes AS bytes, temporary_storage_bytes AS temp FROM duckdb_memory() WHERE memory_usage_bytes > 0 OR temporary_storage_bytes > 0",
  );
  const duckdb: Record<string, number> = {};
  for (const r of rows) duckdb[`duck_${String(r.tag).toLowerCase()}_mb`] = Math.round(Number(r.bytes) / 2 ** 20);
  report(batch, duckdb);
}
