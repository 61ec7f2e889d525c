import type { DatabricksSettings } from "../../config/index.js";
import { probeTables, type WarehouseEngine } from "../engine.js";
import { databricksWarehouseDialect } from "./databricks-dialect.js";

/** A Databricks SQL warehouse; the probe only reads. */
export const databricksEngine: WarehouseEngine<DatabricksSettings> = {
  dialect: (settings, { observer }) => databricksWarehouseDialect(settings, observer),
  probe: (settings, tables) => probeTables(databricksWarehouseDialect(settings), tables),
  fixHint: () =>
    "check DATABRICKS_HOST and DATABRICKS_HTTP_PATH (the warehouse's Connection details), the token or OAuth secret, and that the SQL warehouse is running",
};
