import { DEFAULT_TABLE_PROPERTIES, type DatabricksSettings } from "../../config/index.js";
import type { Dialect } from "../dialect.js";
import type { TableSpec } from "../table-spec.js";
import type { WarehouseObserver } from "../warehouse.js";
import { createDatabricksDriver, type StatementSession } from "./databricks-driver.js";
import { databricksTypeName, qualifyDatabricks, quoteDatabricks, stringLiteral } from "./databricks-sql.js";

/**
 * The most one batch carries in a statement: 4 MiB of rows as JSON (the bronze MERGE's one string
 * parameter, page JSON included). Every statement costs seconds on a SQL warehouse, so a batch is as
 * large as one statement may safely be, and rows are no limit (`DATABRICKS_MAX_BATCH_ROWS`).
 * Evidence: Databricks documents 16 MiB of statement text (Statement Execution API) and no limit for
 * one Thrift parameter; users report ExecuteStatement failures around 1–2 MB of one request body
 * (databricks-sql-python#592); dlt caps a Databricks query at 2 MiB. 4 MiB is a quarter of the
 * documented ceiling, far below the driver's own refusal at 15 MiB (`databricks-driver.ts`), and
 * small enough to upload well within the socket timeout. It has not been tried on a real workspace:
 * issue 22 measures it and splits a batch the warehouse finds too large. The one number to change.
 */
export const DATABRICKS_MAX_BATCH_BYTES = 4 * 2 ** 20;
/** Rows in one JSON parameter cost nothing per row: the bytes bound a batch, this only caps a pathological one. */
export const DATABRICKS_MAX_BATCH_ROWS = 50_000;

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
    capabilities: { transactions: false, leases: true, batch: { maxRows: DATABRICKS_MAX_BATCH_ROWS, maxBytes: DATABRICKS_MAX_BATCH_BYTES } },
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
    openSession: async () => (await import("./databricks-session.js")).openDatabricksSession(settings, observer),
  });
}
