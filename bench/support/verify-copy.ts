import type { AppConfig } from "../../src/config/index.js";
import { bronzeTable, createWarehouse, silverTable, type Warehouse } from "../../src/warehouse/index.js";

/** What a database's copy must hold after a sync: the sandbox's page ids, live and trashed. */
export interface ExpectedPages {
  readonly databaseKey: string;
  readonly live: readonly string[];
  readonly trashed: readonly string[];
}

/** Raised when a scenario lost or duplicated rows: the benchmark exits non-zero, naming the scenario. */
export class CopyMismatchError extends Error {
  override readonly name = "CopyMismatchError";
}

/**
 * Checks the warehouse against the sandbox after a scenario: silver has exactly one row per page
 * (no duplicate page ids), its live rows are exactly the sandbox's live pages and its deleted rows
 * its trashed pages, every silver row has a bronze version, and bronze holds no version twice.
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
  const silver = warehouse.tableName(silverTable(database, config.mapping.settings));
  const bronze = warehouse.tableName(bronzeTable(database, config.mapping.settings));
  const key = expected.databaseKey;
  const problems: string[] = [];
  const [counts] = await warehouse.query(
    `SELECT count(*) AS n, count(DISTINCT page_id) AS ids, (SELECT count(*) - count(DISTINCT (page_id, _row_hash)) FROM ${bronze}) AS bronze_duplicates, ` +
      `(SELECT count(*) FROM ${silver} s WHERE NOT EXISTS (SELECT 1 FROM ${bronze} b WHERE b.page_id = s.page_id)) AS without_bronze FROM ${silver}`,
  );
  const n = Number(counts?.n);
  if (n !== Number(counts?.ids)) problems.push(`${key}: ${n - Number(counts?.ids)} duplicate page ids in silver`);
  if (Number(counts?.bronze_duplicates) !== 0) problems.push(`${key}: ${String(counts?.bronze_duplicates)} duplicate versions in bronze`);
  if (Number(counts?.without_bronze) !== 0) problems.push(`${key}: ${String(counts?.without_bronze)} silver rows without a bronze version`);
  const rows = await warehouse.query(`SELECT page_id, _is_deleted AS deleted FROM ${silver}`);
  problems.push(...compare(key, "live", expected.live, rows.filter((r) => r.deleted !== true).map((r) => String(r.page_id))));
  problems.push(...compare(key, "trashed", expected.trashed, rows.filter((r) => r.deleted === true).map((r) => String(r.page_id))));
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
