import type { Dialect } from "../dialect.js";
import type { TableSpec } from "../table-spec.js";
import { createDuckDbDriver, type DuckDbOptions } from "./duckdb-driver.js";
import { duckDbTypeName as typeName, qualifyDuckDb, quoteDuckDb } from "./duckdb-sql.js";

/**
 * The embedded warehouse: one DuckDB file, the same schema and table names as on Databricks.
 * TIMESTAMP columns hold UTC wall time (DuckDB's TIMESTAMP has no zone; the engine writes UTC only).
 */
export function duckDbDialect(options: DuckDbOptions): Dialect {
  return {
    // Each batch is a staging append and MERGEs in one transaction, which cost little: 500 rows keeps
    // memory low (the batch, the read-ahead and the appender's buffers scale with it) at full speed.
    capabilities: { transactions: true, leases: false, batch: { maxRows: 500, maxBytes: 8 * 2 ** 20 } },
    quoteIdentifier: quoteDuckDb,
    qualify: (schema, table) => qualifyDuckDb(schema, table),
    qualifySchema: (schema) => qualifyDuckDb(schema),
    typeName,
    createTableSuffix: () => "",
    // DuckDB has no ADD COLUMNS (plural): one statement per column.
    addColumns: (table: TableSpec, columns) =>
      columns.map((c) => `ALTER TABLE ${qualifyDuckDb(table.schema, table.name)} ADD COLUMN IF NOT EXISTS ${quoteDuckDb(c.name)} ${typeName(c.type)}`),
    createDriver: () => createDuckDbDriver(options),
    functions: {
      arrayLength: (expr) => `len(${expr})`,
      explode: (expr) => `unnest(${expr})`,
      split: (expr, separator) => `string_split(${expr}, '${separator.replace(/'/g, "''")}')`,
      now: () => "now()",
      toText: (expr) => `CAST(${expr} AS VARCHAR)`,
      joinAgg: (expr, separator) => `string_agg(${expr}, '${separator.replace(/'/g, "''")}')`,
      param: (name) => `$${name}`,
    },
  };
}
