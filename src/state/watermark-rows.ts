import type { Row } from "../warehouse/index.js";
import { parseWatermark, type Watermark } from "./watermark-store.js";

/** A watermark as a row of `ppm_meta.watermarks`: the readable columns, and the whole record as JSON. */
export function watermarkRow(watermark: Watermark): Row {
  return {
    database_key: watermark.databaseKey,
    last_edited_time: watermark.lastEditedTime,
    run_id: watermark.runId,
    data_source_id: watermark.dataSourceId,
    mapping_hash: watermark.mappingHash,
    watermark_json: JSON.stringify(watermark),
    updated_at: watermark.updatedAt,
  };
}

/** The watermark a row holds, checked like a file's; where it is unreadable, `where` is named. */
export function watermarkOfRow(row: Record<string, unknown>, where: string): Watermark {
  const json = typeof row.watermark_json === "string" ? row.watermark_json : "";
  const key = typeof row.database_key === "string" ? row.database_key : "";
  return parseWatermark(json, key, where);
}
