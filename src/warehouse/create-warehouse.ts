import type { WarehouseSettings } from "../config/index.js";
import type { Dialect } from "./dialect.js";
import { openWarehouse } from "./sql-warehouse.js";
import type { Warehouse } from "./warehouse.js";

/**
 * The registry of dialects: the one place that maps a configured engine to its dialect. Each
 * engine's module (and its driver package) is loaded only when chosen.
 */
const DIALECTS: Record<WarehouseSettings["kind"], (settings: WarehouseSettings) => Promise<Dialect>> = {
  duckdb: async (settings) => (await import("./duckdb/duckdb-dialect.js")).duckDbDialect(settings),
};

export async function createWarehouse(settings: WarehouseSettings): Promise<Warehouse> {
  return openWarehouse(await DIALECTS[settings.kind](settings));
}
