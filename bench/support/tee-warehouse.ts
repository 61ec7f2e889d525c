import type { Dialect, TableSpec, Warehouse } from "../../src/warehouse/index.js";
import type { RecordedCatalog } from "./statement-counts.js";

/** The session's methods that answer at once (SQL text), not through the engine. */
const SYNC_METHODS = new Set<PropertyKey>(["tableName", "quote"]);

/**
 * One warehouse made of two: `real` (a scratch DuckDB file) holds the state and gives every answer,
 * and `shadow` (the Databricks dialect over a recording driver) is sent the same calls, so that the
 * statements Databricks would be sent for them are recorded. A recording driver answers no rows, so
 * the shadow alone would make every run a full sync; with the real answers the engine takes the path
 * it takes on a warehouse that holds the data, and the shadow's statements are that path's. The
 * shadow's tables exist once created: `catalog` keeps what its `ensureTables` was given, with the
 * shadow dialect's type names, for its recording driver to DESCRIBE. Capabilities are the shadow's
 * (Databricks takes leases and has no transactions); the real warehouse runs the lease statements too.
 */
export function teeWarehouse(real: Warehouse, shadow: Warehouse, shadowDialect: Pick<Dialect, "typeName">, catalog: RecordedCatalog): Warehouse {
  const remember = (tables: readonly TableSpec[]) => {
    for (const t of tables)
      catalog.set(
        `${t.schema}.${t.name}`,
        t.columns.map((c) => ({ name: c.name, type: shadowDialect.typeName(c.type) })),
      );
  };
  const warehouse = tee(real, shadow, remember);
  return new Proxy(warehouse, {
    get: (target, prop) => {
      if (prop === "capabilities") return shadow.capabilities;
      if (prop === "sql") return tee(real.sql, shadow.sql, remember);
      return Reflect.get(target, prop) as unknown;
    },
  });
}

/** Every async method of `real` called on `shadow` too, after it and with the same arguments; the real answer returned. */
function tee<T extends object>(real: T, shadow: T, remember: (tables: readonly TableSpec[]) => void): T {
  return new Proxy(real, {
    get: (target, prop) => {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function" || SYNC_METHODS.has(prop)) return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const answer: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        await (Reflect.get(shadow, prop) as (...a: unknown[]) => Promise<unknown>).apply(shadow, args);
        if (prop === "ensureTables") remember(args[0] as readonly TableSpec[]);
        return answer;
      };
    },
  });
}
