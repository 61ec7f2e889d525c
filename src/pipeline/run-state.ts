import type { AppConfig } from "../config/index.js";
import type { Logger } from "pino";
import { watermarkOfRow, watermarkRow, type Watermark, type WatermarkStore } from "../state/index.js";
import { silverTable, watermarksTable, type Warehouse } from "../warehouse/index.js";

/**
 * State travels with the data: each database's watermark is held in the warehouse
 * (`ppm_meta.watermarks`, written with the batch it describes) and in `watermarks/<key>.json` (the
 * local copy). A database syncs incrementally only when both exist and agree; when they differ the
 * older wins; a missing one (a new, emptied or replaced warehouse, a deleted local copy, a dropped
 * silver table) means a full sync, with its reason, decided before anything is written.
 */
export interface AgreedState {
  /** The watermark to read from (the older of the two where they differ). */
  readonly previous: Watermark | undefined;
  /** Why the database must be read in full although a watermark exists somewhere. */
  readonly fullReason?: string;
}

export function agreedWatermark(file: Watermark | undefined, stored: Watermark | undefined, silverExisted: boolean): AgreedState {
  const known = file ?? stored;
  if (!known) return { previous: undefined };
  if (!silverExisted) return { previous: known, fullReason: "its silver table does not exist (a new, emptied or replaced warehouse, or a dropped table)" };
  if (!stored) return { previous: known, fullReason: "the warehouse holds no watermark for it (a new, emptied or replaced warehouse)" };
  if (!file) return { previous: stored, fullReason: `the local watermark file is missing (the warehouse holds one at ${stored.lastEditedTime})` };
  const older = Date.parse(file.lastEditedTime) <= Date.parse(stored.lastEditedTime) ? file : stored;
  return { previous: older };
}

/**
 * The warehouse's watermarks, read once when a run opens it. An existing warehouse from before
 * watermarks travelled with the data (silver tables, no watermarks table) takes the files' values
 * once, so that an upgrade does not resync everything.
 */
export async function loadStoredWatermarks(warehouse: Warehouse, config: AppConfig, files: WatermarkStore, logger: Logger): Promise<Map<string, Watermark>> {
  const settings = config.mapping.settings;
  const table = watermarksTable(settings);
  const existed = await warehouse.tableExists(table);
  await warehouse.ensureTables([table]);
  const stored = new Map<string, Watermark>();
  if (!existed) {
    const silverTables = await Promise.all(config.mapping.databases.map((d) => warehouse.tableExists(silverTable(d, settings))));
    if (!silverTables.some(Boolean)) return stored;
    const adopted = (await files.list()).filter((w) => config.mapping.databases.some((d) => d.key === w.databaseKey));
    await warehouse.upsertRows(table, adopted.map(watermarkRow));
    for (const watermark of adopted) stored.set(watermark.databaseKey, watermark);
    logger.info(
      { databases: adopted.map((w) => w.databaseKey) },
      "adopted the watermark files into the warehouse (first run with watermarks in the warehouse)",
    );
    return stored;
  }
  const where = `the watermark row of ${settings.schemas.meta}.watermarks`;
  for (const row of await warehouse.readRows(table)) {
    const watermark = watermarkOfRow(row, `${where} for "${String(row.database_key)}"`);
    stored.set(watermark.databaseKey, watermark);
  }
  return stored;
}
