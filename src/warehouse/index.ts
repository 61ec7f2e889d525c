export { createWarehouse, probeBatchSize, probeWarehouse, warehouseFix, warehouseStateMark } from "./create-warehouse.js";
export type { StateMark } from "./engine.js";
export type { BatchLimits, Dialect, DialectCapabilities, Driver, SqlFunctions, StagedRows } from "./dialect.js";
export { openWarehouse } from "./sql-warehouse.js";
export { cellText } from "./statements.js";
export {
  bronzeTable,
  quarantineTable,
  leasesTable,
  seenPagesTable,
  silverTable,
  syncRunRow,
  syncRunsTable,
  SYNC_RUN_COLUMNS,
  watermarksTable,
} from "./sync-tables.js";
export type { ColumnSpec, Row, TableSpec } from "./table-spec.js";
export type { BatchResult, BatchWrite, CurrentVersion, LeaseClaim, LeaseHolder, SqlSession, TypeChange, Warehouse } from "./warehouse.js";
export { isWarehouseError, WarehouseError, type WarehouseErrorKind } from "./warehouse-error.js";
