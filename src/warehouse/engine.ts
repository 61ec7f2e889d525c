import type { Dialect } from "./dialect.js";
import { openWarehouse } from "./sql-warehouse.js";
import type { TableSpec } from "./table-spec.js";
import type { WarehouseObserver } from "./warehouse.js";

/**
 * What an engine brings besides its dialect: how `verify` probes it without changing anything, and
 * what a person should check when it cannot be reached. Each engine folder exports one; the registry
 * in `create-warehouse.ts` is the only place that maps a configured engine to it.
 */
export interface WarehouseEngine<S> {
  /** The dialect of these settings; `readOnly` opens nothing for writing (the probe). */
  dialect(settings: S, options: { readonly readOnly: boolean; readonly observer: WarehouseObserver }): Dialect;
  probe(settings: S, tables: readonly Pick<TableSpec, "schema" | "name">[]): Promise<ProbeResult>;
  /** What to check when the warehouse of these settings cannot be reached or opened. */
  fixHint(settings: S): string;
  /** What this machine tells of the warehouse without a session (see `StateMark`); undefined: nothing. */
  stateMark(settings: S): Promise<StateMark | undefined>;
}

/**
 * A quiet run (nothing new in Notion) opens no warehouse, trusting the last run that checked it. The
 * trust lasts while `mark` is what that run left and for at most `trustMs`: DuckDB's mark is its
 * file's identity, size and modification time, so anything done to it since (a dropped table, a
 * restored or new file) is seen without opening it; a remote warehouse's mark says only where it is,
 * so its check is trusted for a day and renewed by every run that writes.
 */
export interface StateMark {
  readonly mark: string;
  readonly trustMs: number;
}

export interface ProbeResult {
  /** The tables (`schema.table`) that do not exist yet; the first sync creates them. */
  readonly missing: string[];
  /** False when the warehouse does not exist yet and will be created by the first sync. */
  readonly created: boolean;
  /** The catalog the tables go to when none is configured (the session's default), where the engine has catalogs. */
  readonly defaultCatalog?: string;
}

/** The usual probe: open read-only, answer `SELECT 1`, and look for each table. */
export async function probeTables(
  dialect: Dialect,
  tables: readonly Pick<TableSpec, "schema" | "name">[],
  options: { readonly defaultCatalogSql?: string } = {},
): Promise<ProbeResult> {
  const warehouse = await openWarehouse(dialect);
  try {
    const [answer] = await warehouse.sql.query(options.defaultCatalogSql ?? "SELECT 1 AS ok");
    const missing: string[] = [];
    for (const table of tables) if (!(await warehouse.tableExists(table))) missing.push(`${table.schema}.${table.name}`);
    const catalog = answer?.catalog;
    return { missing, created: true, ...(typeof catalog === "string" ? { defaultCatalog: catalog } : {}) };
  } finally {
    await warehouse.close();
  }
}
