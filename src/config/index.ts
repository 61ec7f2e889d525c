export type { AppConfig, DatabricksSettings, DuckDbSettings, NotionSettings, WarehouseSettings, WorkerSettings } from "./app-config.js";
export { formatColumnType, parseColumnType, type ColumnType } from "./column-type.js";
export { ConfigError, formatIssue, type ConfigIssue } from "./config-error.js";
export { loadConfig, loadStateConfig, processEnvironment, type LoadConfigOptions } from "./load-config.js";
export { loadMapping, parseMapping, readDatabaseKeys } from "./load-mapping.js";
export { RESERVED_COLUMNS, type ColumnConfig, type ColumnRules, type DatabaseConfig, type Mapping } from "./mapping.js";
export type { Extract, Settings } from "./mapping-schema.js";
export { parseNotionId } from "./notion-id.js";
export { Secret } from "./secret.js";
