import { DEFAULT_TABLE_PROPERTIES, type DatabricksSettings } from "../../config/index.js";
import type { Dialect } from "../dialect.js";
import type { TableSpec } from "../table-spec.js";
import type { WarehouseObserver } from "../warehouse.js";
import { createDatabricksDriver, type StatementSession } from "./databricks-driver.js";
import { databricksTypeName, qualifyDatabricks, quoteDatabricks, stringLiteral } from "./databricks-sql.js";

/** How the dialect reaches an engine that speaks Databricks SQL: the SQL warehouse, or a test server. */
export type SessionOpener = () => Promise<StatementSession>;

export interface DatabricksDialectOptions {
  readonly catalog: string | undefined;
  /** Delta table properties of CREATE TABLE (DATABRICKS_TABLE_PROPERTIES). */
  readonly tableProperties?: Readonly<Record<string, string>>;
  readonly maxRetries: number;
  readonly openSession: SessionOpener;
  /** Backoff of the first retry (doubles each time); tests shorten it. */
  readonly retryDelayMs?: number;
  readonly observer?: WarehouseObserver;
}

/**
 * Databricks: Delta tables in Unity Catalog through a SQL warehouse. No multi-statement
 * transactions: a batch's statements run in order, each idempotent, and the watermark moves after
 * the last. A batch's rows travel as ONE JSON string parameter expanded by `from_json` (a statement
 * takes at most 256 parameters and 16 MiB of text).
 */
export function databricksDialect(options: DatabricksDialectOptions): Dialect {
  const qualify = (...parts: string[]) => qualifyDatabricks(options.catalog, ...parts);
  const properties = Object.entries(options.tableProperties ?? DEFAULT_TABLE_PROPERTIES)
    .map(([k, v]) => `${stringLiteral(k)} = ${stringLiteral(v)}`)
    .join(", ");
  return {
    capabilities: { transactions: false, leases: true },
    quoteIdentifier: quoteDatabricks,
    qualify: (schema, table) => qualify(schema, table),
    qualifySchema: (schema) => qualify(schema),
    typeName: databricksTypeName,
    createTableSuffix: () => ` USING DELTA${properties ? ` TBLPROPERTIES (${properties})` : ""}`,
    addColumns: (table: TableSpec, columns) => [
      `ALTER TABLE ${qualify(table.schema, table.name)} ADD COLUMNS (${columns.map((c) => `${quoteDatabricks(c.name)} ${databricksTypeName(c.type)}`).join(", ")})`,
    ],
    createDriver: async () =>
      createDatabricksDriver(await options.openSession(), {
        qualify,
        maxRetries: options.maxRetries,
        retryDelayMs: options.retryDelayMs ?? 1_000,
        observer: options.observer ?? {},
      }),
    functions: {
      // array_size is NULL for NULL (size() is -1 unless ANSI mode).
      arrayLength: (expr) => `array_size(${expr})`,
      explode: (expr) => `explode(${expr})`,
      // split() takes a regular expression: the separator is quoted as a literal pattern.
      split: (expr, separator) => `split(${expr}, ${stringLiteral(`\\Q${separator}\\E`)})`,
      now: () => "current_timestamp()",
      toText: (expr) => `CAST(${expr} AS STRING)`,
      joinAgg: (expr, separator) => `array_join(collect_list(${expr}), ${stringLiteral(separator)})`,
      param: (name) => `:${name}`,
    },
  };
}

/** The production dialect: the SQL warehouse of the settings, through @databricks/sql. */
export function databricksWarehouseDialect(settings: DatabricksSettings, observer: WarehouseObserver = {}): Dialect {
  return databricksDialect({
    catalog: settings.catalog,
    tableProperties: settings.tableProperties,
    maxRetries: settings.maxRetries,
    observer,
    openSession: async () => (await import("./databricks-session.js")).openDatabricksSession(settings),
  });
}
