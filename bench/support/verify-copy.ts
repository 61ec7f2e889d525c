import type { AppConfig } from "../../src/config/index.js";
import { bronzeTable, createWarehouse, silverTable, type Warehouse } from "../../src/warehouse/index.js";

/** What a database's copy must hold after a sync: the sandbox's page ids, live and trashed, and each page's last edit. */
export interface ExpectedPages {
  readonly databaseKey: string;
  readonly live: readonly string[];
  readonly trashed: readonly string[];
  /** Every page's (live and trashed) last_edited_time in the sandbox, epoch milliseconds. */
  readonly lastEditedMs: ReadonlyMap<string, number>;
}

/** Raised when a scenario lost or duplicated rows: the benchmark exits non-zero, naming the scenario. */
export class CopyMismatchError extends Error {
  override readonly name = "CopyMismatchError";
}

/**
 * Checks the warehouse against the sandbox after a scenario: silver has exactly one row per page
 * (no duplicate page ids), its live rows are exactly the sandbox's live pages and its deleted rows
 * its trashed pages, each row's last_edited_time is its sandbox page's (so an update that was counted
 * but never landed is caught), every silver row has a bronze version, and bronze holds no version
 * twice. The copy is the benchmark's scratch DuckDB file (epoch_ms is DuckDB's).
 */
export async function verifyCopy(scenario: string, config: AppConfig, expected: readonly ExpectedPages[]): Promise<void> {
  const warehouse = await createWarehouse(config.warehouse);
  try {
    const problems: string[] = [];
    for (const pages of expected) problems.push(...(await checkDatabase(warehouse, config, pages)));
    if (problems.length > 0) throw new CopyMismatchError(`${scenario}: the copy is wrong: ${problems.join("; ")}`);
  } finally {
    await warehouse.close();
  }
}

async function checkDatabase(warehouse: Warehouse, config: AppConfig, expected: ExpectedPages): Promise<string[]> {
  const database = config.mapping.databases.find((d) => d.key === expected.databaseKey);
  if (!database) return [`${expected.databaseKey}: not in the mapping`];
  const silver = warehouse.sql.tableName(silverTable(database, config.mapping.settings));
  const bronze = warehouse.sql.tableName(bronzeTable(database, config.mapping.settings));
  const key = expected.databaseKey;
  const problems: string[] = [];
  const [counts] = await warehouse.sql.query(
    `SELECT count(*) AS n, count(DISTINCT page_id) AS ids, (SELECT count(*) - count(DISTINCT (page_id, _row_hash)) FROM ${bronze}) AS bronze_duplicates, ` +
      `(SELECT count(*) FROM ${silver} s WHERE NOT EXISTS (SELECT 1 FROM ${bronze} b WHERE b.page_id = s.page_id)) AS without_bronze FROM ${silver}`,
  );
  const n = Number(counts?.n);
  if (n !== Number(counts?.ids)) problems.push(`${key}: ${n - Number(counts?.ids)} duplicate page ids in silver`);
  if (Number(counts?.bronze_duplicates) !== 0) problems.push(`${key}: ${String(counts?.bronze_duplicates)} duplicate versions in bronze`);
  if (Number(counts?.without_bronze) !== 0) problems.push(`${key}: ${String(counts?.without_bronze)} silver rows without a bronze version`);
  const rows = await warehouse.sql.query(`SELECT page_id, _is_deleted AS deleted, epoch_ms(last_edited_time) AS edited_ms FROM ${silver}`);
  const trashed = new Set(expected.trashed);
  const liveRows: string[] = [];
  const deletedRows: string[] = [];
  const stale: string[] = [];
  for (const row of rows) {
    const id = String(row.page_id);
    (row.deleted === true ? deletedRows : liveRows).push(id);
    const want = expected.lastEditedMs.get(id);
    const got = row.edited_ms === null || row.edited_ms === undefined ? undefined : Number(row.edited_ms);
    // Rows of pages the sandbox does not have are reported by compare() below.
    if (want !== undefined && got !== want)
      stale.push(
        `${id}: silver ${got === undefined ? "null" : new Date(got).toISOString()}, sandbox ${new Date(want).toISOString()}${trashed.has(id) ? " (trashed)" : ""}`,
      );
  }
  problems.push(...compare(key, "live", expected.live, liveRows));
  problems.push(...compare(key, "trashed", expected.trashed, deletedRows));
  if (stale.length > 0) problems.push(`${key}: ${stale.length} silver rows whose last_edited_time is not the sandbox page's (e.g. ${stale[0]})`);
  return problems;
}

function compare(key: string, what: string, expected: readonly string[], got: readonly string[]): string[] {
  const have = new Set(got);
  const want = new Set(expected);
  const missing = expected.filter((id) => !have.has(id));
  const extra = got.filter((id) => !want.has(id));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`${key}: ${missing.length} ${what} pages missing from silver (e.g. ${missing[0]})`);
  if (extra.length > 0) problems.push(`${key}: ${extra.length} silver rows ${what} that are not ${what} in the sandbox (e.g. ${extra[0]})`);
  return problems;
}
