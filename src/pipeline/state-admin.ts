import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { fileWatermarkStore, watermarkOfRow, type Watermark } from "../state/index.js";
import { createWarehouse, watermarksTable, type SqlSession, type Warehouse } from "../warehouse/index.js";

/**
 * `npm run watermarks`: each database's watermark as the local file and the warehouse hold it, and
 * the reset that forgets both (the runbook's "clear watermarks": the next sync is a full resync).
 * The local copy alone is enough for a reset to take effect (a database whose file is missing is read
 * in full), so a warehouse that cannot be opened makes a reset warn, not fail.
 */
export interface WatermarkState {
  readonly databaseKey: string;
  readonly file: Watermark | null;
  /** The warehouse's copy; undefined when the warehouse could not be read (see `warehouseError`). */
  readonly warehouse: Watermark | null | undefined;
  /** Both exist and differ: the next sync reads from the older. One missing: the next sync is full. */
  readonly agree: boolean;
}

export interface StateReport {
  readonly databases: readonly WatermarkState[];
  readonly warehouseError?: string;
}

export async function showWatermarks(config: AppConfig, keys: readonly string[]): Promise<StateReport> {
  const files = fileWatermarkStore(config.watermarkDir);
  const stored = await readStored(config, true);
  const databases: WatermarkState[] = [];
  for (const key of keys) {
    const file = (await files.get(key)) ?? null;
    const warehouse = stored.watermarks ? (stored.watermarks.get(key) ?? null) : undefined;
    const agree =
      warehouse === undefined ||
      (file === null && warehouse === null) ||
      (file !== null && warehouse !== null && file.lastEditedTime === warehouse.lastEditedTime && file.mappingHash === warehouse.mappingHash);
    databases.push({ databaseKey: key, file, warehouse, agree });
  }
  return { databases, ...(stored.error ? { warehouseError: stored.error } : {}) };
}

/** Forgets both copies; returns for each database whether it had one, and the warehouse's error if it could not be reached. */
export async function resetWatermarks(
  config: AppConfig,
  keys: readonly string[],
): Promise<{ readonly existed: ReadonlyMap<string, boolean>; readonly warehouseError?: string }> {
  const files = fileWatermarkStore(config.watermarkDir);
  const existed = new Map<string, boolean>();
  for (const key of keys) existed.set(key, await files.reset(key));
  try {
    const warehouse = await createWarehouse(config.warehouse);
    try {
      const table = watermarksTable(config.mapping.settings);
      if (await warehouse.tableExists(table)) {
        const stored = new Set((await warehouse.readRows(table)).map((r) => String(r.database_key)));
        await warehouse.deleteRows(table, "database_key", keys);
        for (const key of keys) if (stored.has(key)) existed.set(key, true);
      }
    } finally {
      await warehouse.close();
    }
    return { existed };
  } catch (error) {
    return { existed, warehouseError: describeError(error) };
  }
}

async function readStored(config: AppConfig, readOnly: boolean): Promise<{ watermarks?: Map<string, Watermark>; error?: string }> {
  let warehouse: Warehouse | undefined;
  try {
    warehouse = await createWarehouse(config.warehouse, {}, { readOnly });
    const table = watermarksTable(config.mapping.settings);
    const watermarks = new Map<string, Watermark>();
    if (!(await warehouse.tableExists(table))) return { watermarks };
    for (const row of await warehouse.readRows(table)) {
      const watermark = watermarkOfRow(row, `the watermark row of ${table.schema}.${table.name} for "${String(row.database_key)}"`);
      watermarks.set(watermark.databaseKey, watermark);
    }
    return { watermarks };
  } catch (error) {
    return { error: describeError(error) };
  } finally {
    await warehouse?.close();
  }
}

/**
 * The databases whose local watermark and the warehouse's differ, read on an open session (the
 * worker's start): each as a sentence saying what the next sync will do about it.
 */
export async function watermarkMismatches(session: SqlSession, config: AppConfig): Promise<string[]> {
  const table = watermarksTable(config.mapping.settings);
  if (!(await session.tableExists(table))) return [];
  const rows = await session.query(`SELECT ${session.quote("database_key")}, ${session.quote("watermark_json")} FROM ${session.tableName(table)}`);
  const stored = new Map(rows.map((r) => [String(r.database_key), watermarkOfRow(r, `the watermark row of ${table.schema}.${table.name}`)]));
  const files = fileWatermarkStore(config.watermarkDir);
  const out: string[] = [];
  for (const { key } of config.mapping.databases) {
    const file = await files.get(key).catch(() => undefined);
    const held = stored.get(key);
    if (!file && !held) continue;
    if (file && held && file.lastEditedTime === held.lastEditedTime && file.mappingHash === held.mappingHash) continue;
    const at = (w: Watermark | undefined) => w?.lastEditedTime ?? "none";
    out.push(
      `${key}: the local watermark (${at(file)}) and the warehouse's (${at(held)}) differ; its next sync reads ${file && held ? "from the older" : "in full"}`,
    );
  }
  return out;
}
