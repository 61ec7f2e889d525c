import type { ColumnType } from "../config/index.js";
import type { Row, TableSpec } from "./table-spec.js";

/**
 * The seam between the engine-neutral warehouse and an engine (kysely's shape): a Dialect is a
 * factory of a Driver plus the SQL pieces and capabilities in which engines differ. The core never
 * asks which engine it talks to; it reads capabilities and calls these functions.
 */
export interface Dialect {
  readonly capabilities: DialectCapabilities;
  /** Quotes one identifier. The only place identifiers are quoted. */
  quoteIdentifier(name: string): string;
  /** `schema.table`, or `catalog.schema.table` where the engine has catalogs. */
  qualify(schema: string, table: string): string;
  /** A schema's name, with the catalog where the engine has one. */
  qualifySchema(schema: string): string;
  /** The engine's name of a column type. */
  typeName(type: ColumnType): string;
  /** The tail of CREATE TABLE (e.g. `USING DELTA TBLPROPERTIES (...)`), or "". */
  createTableSuffix(table: TableSpec): string;
  /** ALTER TABLE statements that add the given columns. */
  addColumns(table: TableSpec, columns: TableSpec["columns"]): string[];
  createDriver(): Promise<Driver>;
  /** SQL fragments of read-only queries (data-quality checks) where engines differ. */
  readonly functions: SqlFunctions;
}

/** Engine-specific SQL fragments, each taking and returning SQL expressions. */
export interface SqlFunctions {
  /** Number of items of an ARRAY<STRING> expression. */
  readonly arrayLength: (expr: string) => string;
  /** A set-returning expression usable in a SELECT list: one row per item of the array. */
  readonly explode: (expr: string) => string;
  /** An ARRAY<STRING> of the parts of a text split on a literal separator. */
  readonly split: (expr: string, separator: string) => string;
  /** The current instant. */
  readonly now: () => string;
  /** An expression cast to text. */
  readonly toText: (expr: string) => string;
  /** Aggregate: the group's values joined with a literal separator. */
  readonly joinAgg: (expr: string, separator: string) => string;
  /** The marker of a named parameter (`$name`, `:name`). */
  readonly param: (name: string) => string;
}

export interface DialectCapabilities {
  /** Several statements can commit or roll back together. */
  readonly transactions: boolean;
  /**
   * Processes on several hosts can write to it at once, so a sync takes a lease per database in the
   * warehouse (Databricks); false where one host holds the data by nature (DuckDB's file and run lock).
   */
  readonly leases: boolean;
  /**
   * The batch the engine takes best when the mapping names no size (`batch_size`, `batch_max_bytes`
   * win where set): rows, and bytes of the rows as one statement carries them. A batch closes before
   * a page would pass `maxBytes`; a page larger than that is written alone.
   */
  readonly batch: BatchLimits;
}

/** How large one warehouse batch may grow (see `DialectCapabilities.batch`). */
export interface BatchLimits {
  readonly maxRows: number;
  readonly maxBytes: number;
}

/** A relation a MERGE can read a batch from (a staging table or an expression), and how to drop it. */
export interface StagedRows {
  readonly source: string;
  /** Parameters the source needs (e.g. the JSON of the rows); empty for a staging table. */
  readonly params: Readonly<Record<string, unknown>>;
  release(): Promise<void>;
}

/** One open connection to the engine. Values travel as parameters or staged rows, never in SQL text. */
export interface Driver {
  /** Runs a statement; returns the rows it affected where the engine says so. */
  execute(sql: string, params?: Readonly<Record<string, unknown>>): Promise<number | undefined>;
  query(sql: string, params?: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>[]>;
  /** Makes rows of `table`'s shape readable by one statement. */
  stage(table: TableSpec, rows: readonly Row[]): Promise<StagedRows>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** The columns a table has now with the engine's type names, or undefined if it does not exist. */
  columnsOf(schema: string, table: string): Promise<{ name: string; type: string }[] | undefined>;
  close(): Promise<void>;
}
