/**
 * Whole-copy checks against the sandbox: every silver table row by row and column by column (the
 * independent oracle of test/support/oracle.ts), bronze without duplicate versions, watermarks that
 * never pass uncommitted data, and a DuckDB file that still opens. Each check counts what it compared
 * and returns its mismatches as readable lines, so that a failure shows them all.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Sandbox } from "../../../src/sandbox/index.js";
import { queryFile } from "../../support/duckdb-file.js";
import { expectedRow, mappingColumns, silverSelect } from "../../support/oracle.js";
import { count } from "./suite.js";

/** Equal as the warehouse holds it: numbers by value (so -0 is 0), lists item by item. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "bigint") return sameValue(Number(a), b);
  if (typeof b === "bigint") return sameValue(a, Number(b));
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b || (a === null && b === undefined) || (a === undefined && b === null);
}

function show(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v)) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Compares every silver table of the mapping with the sandbox's pages (trashed pages must be marked deleted). */
export async function compareSilver(sandbox: Sandbox, dbPath: string, mappingFile: string, keys?: readonly string[]): Promise<string[]> {
  const columns = mappingColumns(mappingFile);
  const users = new Map(sandbox.store.users().map((u) => [u.id as string, u as Record<string, any>]));
  const mismatches: string[] = [];
  let rows = 0;
  let values = 0;
  for (const key of keys ?? Object.keys(columns)) {
    const pages = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }) as Record<string, any>[];
    const expected = new Map(pages.map((p) => [p.id as string, expectedRow(p, columns[key]!, users)]));
    const actual = await queryFile(dbPath, silverSelect(`ppm_silver.${key}`, columns[key]!));
    const seen = new Set<string>();
    for (const row of actual) {
      const id = String(row.page_id);
      seen.add(id);
      const want = expected.get(id);
      if (!want) {
        mismatches.push(`${key}: silver has ${id}, which is not in the sandbox`);
        continue;
      }
      rows += 1;
      for (const [column, value] of Object.entries(want)) {
        values += 1;
        if (!sameValue(row[column], value)) mismatches.push(`${key} ${id}.${column}: silver ${show(row[column])}, source ${show(value)}`);
      }
    }
    for (const id of expected.keys()) if (!seen.has(id)) mismatches.push(`${key}: page ${id} is missing from silver`);
  }
  count({ rowsCompared: rows, valuesCompared: values, mismatches: mismatches.length });
  return mismatches;
}

/** Bronze versions stored more than once, and silver pages held in more than one row, per table. */
export async function duplicates(dbPath: string, keys: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  let duplicated = 0;
  for (const key of keys) {
    const [row] = await queryFile(
      dbPath,
      `SELECT (SELECT count(*) - count(DISTINCT (page_id, _row_hash)) FROM ppm_bronze.notion_${key}) AS bronze, (SELECT count(*) - count(DISTINCT page_id) FROM ppm_silver.${key}) AS silver`,
    );
    const bronze = Number(row!.bronze);
    const silver = Number(row!.silver);
    duplicated += bronze + silver;
    if (bronze > 0) out.push(`${key}: ${bronze} duplicate bronze versions`);
    if (silver > 0) out.push(`${key}: ${silver} pages held twice in silver`);
  }
  count({ duplicateVersions: duplicated });
  return out;
}

/**
 * The watermark never passes uncommitted data: every live page edited strictly before a database's
 * watermark must be in silver at that version or a newer one (pages of the watermark's own minute may
 * still be in flight; the inclusive bound re-reads them). Call it before the restart, with the
 * sandbox unchanged since the killed run started.
 */
export async function watermarkProblems(sandbox: Sandbox, dbPath: string, watermarkDir: string, keys: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) {
    const file = join(watermarkDir, `${key}.json`);
    if (!existsSync(file)) continue;
    const watermark = (JSON.parse(readFileSync(file, "utf8")) as { lastEditedTime: string }).lastEditedTime;
    const committed = new Map(
      (await queryFile(dbPath, `SELECT page_id, epoch_ms(last_edited_time) AS t FROM ppm_silver.${key}`).catch(() => [])).map((r) => [
        String(r.page_id),
        Number(r.t),
      ]),
    );
    for (const page of sandbox.store.listPages(sandbox.databases[key]!.dataSourceId) as { id: string; last_edited_time: string }[]) {
      const edited = Date.parse(page.last_edited_time);
      if (edited < Date.parse(watermark) && !((committed.get(page.id) ?? -Infinity) >= edited)) {
        out.push(`${key}: watermark ${watermark} passes page ${page.id} (edited ${page.last_edited_time}), which silver does not hold`);
      }
    }
  }
  return out;
}

/** Databases whose silver holds a committed page newer than their watermark: the state a kill between commit and watermark leaves. */
export async function committedPastWatermark(dbPath: string, watermarkDir: string, keys: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) {
    const file = join(watermarkDir, `${key}.json`);
    if (!existsSync(file)) continue;
    const watermark = Date.parse((JSON.parse(readFileSync(file, "utf8")) as { lastEditedTime: string }).lastEditedTime);
    const [row] = await queryFile(dbPath, `SELECT epoch_ms(max(last_edited_time)) AS t FROM ppm_silver.${key}`).catch(() => [{ t: null }]);
    if (row?.t !== null && Number(row!.t) > watermark) out.push(key);
  }
  return out;
}

/** Opens a copy of the DuckDB file (and its WAL) read-write as the next run would, reads every table, checkpoints. */
export async function duckDbOpens(dbPath: string): Promise<string | undefined> {
  if (!existsSync(dbPath)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "nds-open-"));
  const copy = join(dir, "copy.duckdb");
  copyFileSync(dbPath, copy);
  if (existsSync(`${dbPath}.wal`)) copyFileSync(`${dbPath}.wal`, `${copy}.wal`);
  try {
    const instance = await DuckDBInstance.create(copy);
    try {
      const connection = await instance.connect();
      const tables = (await connection.runAndReadAll("SELECT schema_name, table_name FROM duckdb_tables()")).getRows();
      for (const [schema, table] of tables) await connection.runAndReadAll(`SELECT count(*) FROM "${String(schema)}"."${String(table)}"`);
      await connection.run("CHECKPOINT");
      connection.closeSync();
    } finally {
      instance.closeSync();
    }
    return undefined;
  } catch (error) {
    return `DuckDB file ${dbPath} does not open after the kill: ${(error as Error).message}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
