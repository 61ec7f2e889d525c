import type { DatabaseConfig } from "../config/index.js";
import type { DataSourceSchema } from "../notion/index.js";
import type { Watermark } from "../state/index.js";
import type { RunContext } from "./run-context.js";
import type { AgreedState } from "./run-state.js";
import { reconcileDue } from "./sync-plan.js";

/** What a database's plan is made from, beyond the watermark: the data source to read and what the mapping newly reads. */

/**
 * The mapped database with the data source its state names, when the sync will be incremental with
 * the same mapping (no `GET database`); a full read, a changed mapping or a due reconcile resolves it again.
 */
export function knownSource(ctx: RunContext, database: DatabaseConfig, state: AgreedState): DatabaseConfig {
  const previous = state.previous;
  const settings = ctx.config.mapping.settings;
  if (
    ctx.full ||
    !previous ||
    state.fullReason ||
    previous.mappingHash !== database.mappingHash ||
    reconcileDue(previous, settings.reconcileEveryMs, ctx.now())
  )
    return database;
  return { ...database, dataSourceId: database.dataSourceId ?? previous.dataSourceId };
}

/** Mapped rollups and formulas (by their name now) that the previous watermark's mapping did not read. */
export function newlyMappedComputed(ids: Readonly<Record<string, string>>, previous: Watermark | undefined, schema: DataSourceSchema): string[] {
  if (!previous) return [];
  const before = new Set(Object.values(previous.propertyIds));
  const typeOf = new Map([...schema.properties].map(([name, p]) => [p.id, { name, type: p.type }]));
  return Object.values(ids)
    .filter((id) => !before.has(id))
    .map((id) => typeOf.get(id))
    .filter((p): p is { name: string; type: string } => p !== undefined && (p.type === "rollup" || p.type === "formula"))
    .map((p) => `"${p.name}"`);
}
