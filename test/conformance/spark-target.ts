import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import { openWarehouse } from "../../src/warehouse/sql-warehouse.js";
import type { Warehouse } from "../../src/warehouse/index.js";
import type { WarehouseObserver } from "../../src/warehouse/warehouse.js";
import { openHiveSession } from "./hive-session.js";

/** Spark's only catalog: three-level names are exercised as on Unity Catalog. */
export const CATALOG = "spark_catalog";

/** A warehouse on the suite's Spark through the Databricks dialect; `statements` records the SQL sent. */
export async function openSparkWarehouse(statements: string[] = [], observer: WarehouseObserver = {}): Promise<Warehouse> {
  const port = inject("sparkPort");
  const dialect = databricksDialect({
    catalog: CATALOG,
    maxRetries: 5,
    retryDelayMs: 200,
    observer,
    openSession: async () => {
      const session = await openHiveSession(port);
      return { run: (sql, params) => (statements.push(sql), session.run(sql, params)), close: () => session.close() };
    },
  });
  return openWarehouse(dialect);
}

/** A fresh schema prefix per test: Spark keeps running, each test works on schemas of its own. */
export function uniquePrefix(): string {
  return `c${randomBytes(4).toString("hex")}`;
}
