import { SyncError } from "../errors.js";
import type { Watermark } from "../state/index.js";
import type { NotionPage, TransformedPage } from "../transform/types.js";

/**
 * Times from Notion are checked against this machine's clock (plus a tolerance): one page stamped in
 * the future would otherwise move the watermark past every edit to come, and silver, which only
 * accepts newer versions, would keep that page's future version for good.
 */

/**
 * A page stamped later than now + tolerance: its result with the silver row held back and a
 * `future_time` violation (bronze still keeps the version), or undefined for a page in time.
 */
export function holdBackFuture(page: NotionPage, result: TransformedPage, now: Date, toleranceMs: number): TransformedPage | undefined {
  const limit = now.getTime() + toleranceMs;
  const field = Date.parse(page.last_edited_time) > limit ? "last_edited_time" : Date.parse(page.created_time) > limit ? "created_time" : undefined;
  if (!field) return undefined;
  const value = page[field];
  const message = `${field} ${value} is later than this machine's clock (${now.toISOString()}) allows; held back from silver and the watermark until the times agree`;
  return { bronze: result.bronze, silver: undefined, violations: [{ pageId: page.id, column: field, rule: "future_time", value, message }] };
}

/**
 * Refuses a watermark (its time, its last full read, or where its trash pass resumes) in the future:
 * it would skip every edit until then. A `--full` run ignores the watermark and writes a new one.
 */
export function checkWatermarkTimes(watermark: Watermark | undefined, file: string, now: Date, toleranceMs: number): void {
  if (!watermark) return;
  const limit = now.getTime() + toleranceMs;
  for (const [field, value] of [
    ["lastEditedTime", watermark.lastEditedTime],
    ["lastFullAt", watermark.lastFullAt],
    ["trashFrom", watermark.trashFrom],
  ] as const) {
    if (value === undefined || value === null || !(Date.parse(value) > limit)) continue;
    throw new SyncError(
      "state_invalid",
      `watermark file ${file} has ${field} ${value}, later than now (${now.toISOString()}): edits before then would be skipped; run \`npm run watermarks -- reset --database ${watermark.databaseKey}\` (or sync it with --full) to resync "${watermark.databaseKey}" in full`,
      { context: { databaseKey: watermark.databaseKey, file } },
    );
  }
}
