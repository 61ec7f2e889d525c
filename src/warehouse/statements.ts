import { describeError, SyncError } from "../errors.js";
import type { Driver, StagedRows } from "./dialect.js";
import type { Row, TableSpec } from "./table-spec.js";
import { isWarehouseError, WarehouseError } from "./warehouse-error.js";

/**
 * How the engine-neutral warehouse sends statements over a driver: every failure is told again with
 * what the statement was for and on which table (its kind and retry rule kept).
 */
export type TableName = Pick<TableSpec, "schema" | "name">;

/** Runs one statement that writes; returns the rows it affected where the engine says. */
export async function run(
  driver: Driver,
  purpose: string,
  sql: string,
  table?: TableSpec,
  params?: Readonly<Record<string, unknown>>,
): Promise<number | undefined> {
  try {
    return await driver.execute(sql, params);
  } catch (error) {
    throw statementFailed(purpose, sql, table, error);
  }
}

/** Runs one statement that reads. */
export async function read(
  driver: Driver,
  purpose: string,
  sql: string,
  table?: TableName,
  params?: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>[]> {
  try {
    return await driver.query(sql, params);
  } catch (error) {
    throw statementFailed(purpose, sql, table, error);
  }
}

/**
 * What a failed statement was for and on which table: the engine's WarehouseError told again with
 * both (its kind and retry rule kept). The SQL's head is shown, never values. An error that already
 * names its table (e.g. DuckDB's staging) passes through.
 */
export function statementFailed(purpose: string, sql: string, table: TableName | undefined, error: unknown): SyncError {
  if (error instanceof SyncError && error.context.table) return error;
  const where = table ? ` on ${table.schema}.${table.name}` : "";
  const failure = isWarehouseError(error) ? error : new WarehouseError("other", describeError(error), { retry: "never", cause: error });
  return failure.restate(
    `warehouse statement failed${where} (${purpose}): ${failure.message} [${sql.slice(0, 120)}${sql.length > 120 ? "…" : ""}]`,
    table ? { table: `${table.schema}.${table.name}` } : {},
  );
}

export function isoOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * Runs `use` over rows staged for one statement, then releases them. When `use` fails inside a
 * transaction the engine may refuse the release too: the original error is the one that matters.
 */
export async function withStaged<T>(driver: Driver, table: TableSpec, rows: readonly Row[], use: (staged: StagedRows) => Promise<T>): Promise<T> {
  const staged = await driver.stage(table, rows);
  let result: T;
  try {
    result = await use(staged);
  } catch (error) {
    // An aborted transaction refuses the release as well; its rollback discards the staged rows anyway.
    await staged.release().catch(() => undefined);
    throw error;
  }
  await staged.release();
  return result;
}

/** A cell of a query's answer as text: strings as they are, numbers, bigints and booleans written out, dates as ISO, anything else as JSON. */
export function cellText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? "";
}
