import type { Settings } from "../config/index.js";
import type { NotionPage, TransformedPage } from "../transform/types.js";
import type { BatchWrite, Row, TableSpec } from "../warehouse/index.js";
import type { PendingPage } from "./batcher.js";
import type { RunContext } from "./run-context.js";

export interface BatchTables {
  readonly bronze: TableSpec;
  readonly silver: TableSpec;
  readonly quarantine: TableSpec;
}

export interface WrittenBatch {
  readonly rowsUpserted: number;
  readonly bronzeVersions: number;
  readonly rowsQuarantined: number;
}

/**
 * Writes one de-duplicated batch. Pages whose silver row already has the same hash (re-read from
 * the lookback window, or an unchanged page in a --full run) are dropped first, so a run with
 * nothing changed sends no write statement at all. In a dry run nothing is written or read.
 */
export async function writeBatch(
  ctx: RunContext,
  databaseKey: string,
  tables: BatchTables,
  pending: readonly PendingPage[],
  state?: BatchWrite["state"],
): Promise<WrittenBatch> {
  const quarantinedPages = pending.filter((p) => p.result.violations.length > 0).length;
  if (!ctx.warehouse) return { rowsUpserted: pending.filter((p) => p.result.silver).length, bronzeVersions: pending.length, rowsQuarantined: quarantinedPages };

  const current = await ctx.warehouse.currentVersions(
    tables.silver,
    pending.map((p) => p.page.id),
  );
  // A quarantined page has no silver row to compare: its bronze version tells whether it was seen.
  const quarantined = pending.filter((p) => !p.result.silver).map((p) => p.page.id);
  const seen = quarantined.length > 0 ? await ctx.warehouse.bronzeVersions(tables.bronze, quarantined) : new Set<string>();
  const changed = pending.filter((p) => {
    const silver = p.result.silver;
    if (!silver) return !seen.has(`${p.page.id}:${p.result.bronze._row_hash}`);
    const existing = current.get(p.page.id);
    return !existing || existing.rowHash !== silver._row_hash;
  });
  if (changed.length === 0) {
    // Nothing new to write; the state that describes the batch (a moved watermark) still is.
    if (state) await ctx.warehouse.upsertRows(state.table, state.rows);
    return { rowsUpserted: 0, bronzeVersions: 0, rowsQuarantined: 0 };
  }

  const now = ctx.now().toISOString();
  const bronze: Row[] = changed.map(({ result }) => ({ ...result.bronze, _ingested_at: now, _run_id: ctx.runId }));
  const silver: Row[] = [];
  const quarantine: Row[] = [];
  const stamp = { at: now, runId: ctx.runId, databaseKey, action: violationAction(ctx.config.mapping.settings.on_invalid) };
  for (const { page, result } of changed) {
    if (result.silver) silver.push(silverRowOf(result.silver, stamp));
    quarantine.push(...quarantineRowsOf(page, result.violations, stamp));
  }
  const result = await ctx.warehouse.writeBatch({
    bronze: { table: tables.bronze, rows: bronze },
    silver: { table: tables.silver, rows: silver },
    quarantine: { table: tables.quarantine, rows: quarantine },
    ...(state ? { state } : {}),
  });
  const quarantinedChanged = changed.filter((p) => p.result.violations.length > 0).length;
  return { rowsUpserted: result.silverUpserted, bronzeVersions: result.bronzeInserted, rowsQuarantined: quarantinedChanged };
}

/** When and by which run rows are written, and what the policy did to a page's invalid values. */
export interface RowStamp {
  readonly at: string;
  readonly runId: string;
  readonly databaseKey: string;
  readonly action: string;
}

export function violationAction(policy: Settings["on_invalid"]): string {
  return policy === "null" ? "nulled" : "row quarantined";
}

/** A silver row as written: the mapped values and the system columns, stamped. */
export function silverRowOf(silver: NonNullable<TransformedPage["silver"]>, stamp: RowStamp): Row {
  const { values, ...system } = silver;
  return { ...values, ...system, _synced_at: stamp.at, _run_id: stamp.runId };
}

/** One quarantine row per violation of a page. */
export function quarantineRowsOf(page: NotionPage, violations: TransformedPage["violations"], stamp: RowStamp): Row[] {
  return violations.map((v) => ({
    detected_at: stamp.at,
    run_id: stamp.runId,
    database_key: stamp.databaseKey,
    page_id: v.pageId,
    last_edited_time: page.last_edited_time,
    column_name: v.column,
    rule: v.rule,
    value: v.value,
    message: v.message,
    action: stamp.action,
  }));
}
