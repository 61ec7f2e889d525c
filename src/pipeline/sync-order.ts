import type { DatabaseConfig } from "../config/index.js";
import { errorCodeOf } from "../errors.js";
import { resolveDataSource } from "../notion/index.js";
import { dependentLink } from "./dependent-links.js";
import { lookPlan } from "./quiet-look.js";
import type { RunContext } from "./run-context.js";

/**
 * The order a run syncs its databases in: each after the databases its rollups and formulas read, so
 * that a database read in full sees its sources' new values and needs no dependent refresh (a first
 * sync would otherwise read its dependents twice). Mapping order otherwise; databases in a cycle keep
 * it. The data sources are resolved first (each sync needs its own anyway, and reuses it); a database
 * whose data source cannot be resolved keeps its place and fails in its own sync, with its own error.
 * When the local state says every database is read incrementally, the order does not matter (the
 * dependent refresh covers rollups) and nothing is resolved: a quiet run asks only its queries.
 */
export async function syncOrder(ctx: RunContext, selected: readonly DatabaseConfig[]): Promise<DatabaseConfig[]> {
  if (!ctx.dryRun && !(await someReadInFull(ctx, selected))) return [...selected];
  for (const database of selected) {
    if (ctx.signal.aborted) return [...selected];
    const counter = { count: 0 };
    try {
      ctx.schemas.set(database.key, await resolveDataSource(ctx.gateway, database, counter));
    } catch (error) {
      // Left for the database's own sync, which reports it; nothing answers at the base URL: no use asking again for the others.
      if (errorCodeOf(error) === "notion_unreachable") break;
    } finally {
      ctx.prefetchedRequests.set(database.key, counter.count);
    }
  }
  return dependencyOrder(ctx, selected);
}

/** Whether, as far as the local state tells, some database of the run may be read in full (an unreadable state: it may). */
async function someReadInFull(ctx: RunContext, selected: readonly DatabaseConfig[]): Promise<boolean> {
  for (const database of selected) {
    const file = await ctx.watermarks.get(database.key).catch(() => undefined);
    if (!lookPlan(ctx, database, file)) return true;
  }
  return false;
}

/** A stable topological order: a database is placed once every database it depends on (and that comes before it in a cycle-free way) is. */
function dependencyOrder(ctx: RunContext, selected: readonly DatabaseConfig[]): DatabaseConfig[] {
  const mapped = (database: DatabaseConfig) => {
    const schema = ctx.schemas.get(database.key);
    return schema ? { database, schema, knownIds: {} } : undefined;
  };
  const dependsOn = new Map<string, Set<string>>();
  for (const a of selected) {
    const dependent = mapped(a);
    const sources = new Set<string>();
    for (const b of selected) {
      const source = mapped(b);
      if (dependent && source && b.key !== a.key && dependentLink(source, dependent)) sources.add(b.key);
    }
    dependsOn.set(a.key, sources);
  }
  const placed: DatabaseConfig[] = [];
  const pending = [...selected];
  while (pending.length > 0) {
    const ready = pending.findIndex((d) => [...dependsOn.get(d.key)!].every((key) => placed.some((p) => p.key === key) || !pending.some((q) => q.key === key)));
    // A cycle: the first remaining database (mapping order) goes next.
    const [next] = pending.splice(ready === -1 ? 0 : ready, 1);
    placed.push(next!);
    if (ready === -1) dependsOn.set(next!.key, new Set());
  }
  return placed;
}
