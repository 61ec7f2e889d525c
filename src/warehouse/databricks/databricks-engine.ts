import type { DatabricksSettings } from "../../config/index.js";
import { probeTables, type WarehouseEngine } from "../engine.js";
import { databricksWarehouseDialect } from "./databricks-dialect.js";

/** A Databricks SQL warehouse; the probe only reads. */
export const databricksEngine: WarehouseEngine<DatabricksSettings> = {
  dialect: (settings, { observer }) => databricksWarehouseDialect(settings, observer),
  // Without DATABRICKS_CATALOG the tables go to the session's default catalog: verify names it.
  probe: (settings, tables) =>
    probeTables(databricksWarehouseDialect(settings), tables, settings.catalog ? {} : { defaultCatalogSql: "SELECT current_catalog() AS catalog" }),
  fixHint: () =>
    "check DATABRICKS_HOST and DATABRICKS_HTTP_PATH (the warehouse's Connection details), the token or OAuth secret, and that the SQL warehouse is running",
  // Where the tables are, never how to sign in: a day's trust, renewed by every run that writes.
  stateMark: (settings) => Promise.resolve({ mark: `databricks:${settings.host}${settings.httpPath}:${settings.catalog ?? ""}`, trustMs: 24 * 3_600_000 }),
};
