import { watermarkRow, type Watermark } from "../state/index.js";
import { watermarksTable } from "../warehouse/index.js";
import type { RunContext } from "./run-context.js";

/**
 * A database's recent window (`recent-pages.ts`) says which version of a page silver holds. A writer
 * other than the database's own read (the dependent refresh) may put another version of the same
 * minute there, and an answer equal to the recorded one would then be taken for what silver holds: an
 * edit undone within its minute is exactly that (seen in the reliability suite). So before such a
 * write, the pages whose recorded version is kept by its answer's hash (read before its minute had
 * settled) leave the window, in the warehouse's copy of the watermark first, then in the local one;
 * they are compared with silver instead. Settled versions stay: an equal last_edited_time then proves
 * the same page, whoever wrote it. The run's copy of the warehouse's watermarks follows, for a sync of
 * that database later in the same run.
 */
export async function forgetRecent(ctx: RunContext, databaseKey: string, pageIds: readonly string[]): Promise<void> {
  const { warehouse, storedWatermarks } = ctx;
  if (!warehouse) return;
  const file = await ctx.watermarks.get(databaseKey);
  // A record of this run is in both copies (the warehouse's written first); else the warehouse holds what the run opened with.
  const stored = file?.runId === ctx.runId ? file : storedWatermarks?.get(databaseKey);
  const updatedAt = ctx.now().toISOString();
  const storedNext = without(stored, pageIds, updatedAt);
  const fileNext = file === stored ? storedNext : without(file, pageIds, updatedAt);
  if (storedNext) {
    await warehouse.upsertRows(watermarksTable(ctx.config.mapping.settings), [watermarkRow(storedNext)]);
    storedWatermarks?.set(databaseKey, storedNext);
  }
  if (fileNext) await ctx.watermarks.put(fileNext);
}

/** The watermark without those pages' hash-kept versions; undefined when it holds none of them. */
function without(watermark: Watermark | undefined, pageIds: readonly string[], updatedAt: string): Watermark | undefined {
  const recent = watermark?.recent;
  if (!watermark || !recent) return undefined;
  const dropped = new Set(pageIds.filter((id) => recent[id]?.answerHash !== undefined));
  if (dropped.size === 0) return undefined;
  const { recent: _recent, ...rest } = watermark;
  const kept = Object.entries(recent).filter(([id]) => !dropped.has(id));
  return { ...rest, ...(kept.length > 0 ? { recent: Object.fromEntries(kept) } : {}), updatedAt };
}
