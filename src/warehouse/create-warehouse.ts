import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { WarehouseSettings } from "../config/index.js";
import { SyncError } from "../errors.js";
import { writableOrCreatable } from "../state/writable.js";
import type { TableSpec } from "./table-spec.js";
import type { Dialect } from "./dialect.js";
import { openWarehouse } from "./sql-warehouse.js";
import type { Warehouse, WarehouseObserver } from "./warehouse.js";

/**
 * The registry of dialects: the one place that maps a configured engine to its dialect. Each
 * engine's module (and its driver package) is loaded only when chosen.
 */
async function dialectOf(settings: WarehouseSettings, readOnly = false, observer: WarehouseObserver = {}): Promise<Dialect> {
  switch (settings.kind) {
    case "duckdb":
      return (await import("./duckdb/duckdb-dialect.js")).duckDbDialect({ ...settings, readOnly });
    case "databricks":
      return (await import("./databricks/databricks-dialect.js")).databricksWarehouseDialect(settings, observer);
  }
}

/** What to check when the warehouse of these settings cannot be reached or opened. */
export function warehouseFix(settings: WarehouseSettings): string {
  switch (settings.kind) {
    case "duckdb":
      return "check DUCKDB_PATH (a writable place, not open in another process)";
    case "databricks":
      return "check DATABRICKS_HOST and DATABRICKS_HTTP_PATH (the warehouse's Connection details), the token or OAuth secret, and that the SQL warehouse is running";
  }
}

export async function createWarehouse(settings: WarehouseSettings, observer: WarehouseObserver = {}): Promise<Warehouse> {
  return openWarehouse(await dialectOf(settings, false, observer));
}

/**
 * What `verify` may know about the warehouse without changing it: whether it answers, and which of
 * the given tables are missing. A DuckDB file that does not exist yet is checked for a writable place
 * and reported as to be created; an existing one is opened read-only.
 */
export async function probeWarehouse(settings: WarehouseSettings, tables: readonly Pick<TableSpec, "schema" | "name">[]): Promise<{ missing: string[]; created: boolean }> {
  if (settings.kind === "duckdb" && settings.path !== ":memory:" && !existsSync(settings.path)) {
    const dir = writableOrCreatable(dirname(settings.path));
    if (!dir.ok) throw new SyncError("warehouse_terminal", `cannot create the DuckDB file ${settings.path}: ${dir.reason}`);
    return { missing: tables.map((t) => `${t.schema}.${t.name}`), created: false };
  }
  // DuckDB opens the file read-only; on Databricks the probe only reads.
  const warehouse = await openWarehouse(await dialectOf(settings, true));
  try {
    await warehouse.query("SELECT 1 AS ok");
    const missing: string[] = [];
    for (const table of tables) if (!(await warehouse.tableExists(table))) missing.push(`${table.schema}.${table.name}`);
    return { missing, created: true };
  } finally {
    await warehouse.close();
  }
}
