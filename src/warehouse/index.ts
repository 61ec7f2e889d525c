export { createWarehouse, probeWarehouse, warehouseFix } from "./create-warehouse.js";
export type { Dialect, DialectCapabilities, Driver, SqlFunctions, StagedRows } from "./dialect.js";
export { openWarehouse } from "./sql-warehouse.js";
export { bronzeTable, quarantineTable, seenPagesTable, silverTable, syncRunsTable, type ColumnSpec, type Row, type TableSpec } from "./table-spec.js";
export type { BatchResult, BatchWrite, CurrentVersion, Warehouse } from "./warehouse.js";
export { isWarehouseError, WarehouseError, type WarehouseErrorKind } from "./warehouse-error.js";
