import { WarehouseError, type RetryTable, type WarehouseErrorKind } from "../warehouse-error.js";

/**
 * DuckDB's rule per kind. Nothing sends a DuckDB statement again: there is no retry loop as on
 * Databricks (embedded, nothing breaks in transit, and a file held elsewhere does not free up in the
 * moments a retry would wait). The table only marks a failure transient (`warehouse_transient`): a
 * file another process holds ("locked") or a write conflict fails this run's database, and the next
 * run tries again (the worker's next tick; its /readyz probes until the file opens). Every other kind
 * would fail the same way again.
 */
export const DUCKDB_RETRY: RetryTable = {
  conflict: "always",
  refused: "never",
  broken: "never",
  timeout: "never",
  permission: "never",
  syntax: "never",
  data: "never",
  missing_table: "never",
  locked: "always",
  too_large: "never",
  other: "never",
};

/**
 * DuckDB names the type of every error at the head of its message (`Catalog Error: …`, `IO Error: …`);
 * @duckdb/node-api carries nothing else, so the type (and, for IO errors, the lock message) decides.
 */
const RULES: readonly { kind: WarehouseErrorKind; test: RegExp }[] = [
  { kind: "locked", test: /Could not set lock on file|Conflicting lock is held/i },
  { kind: "conflict", test: /^TransactionContext Error:.*[Cc]onflict/ },
  { kind: "missing_table", test: /^Catalog Error: (Table|Schema) with name .* does not exist/ },
  { kind: "permission", test: /^Permission Error:|Permission denied/ },
  { kind: "syntax", test: /^(Parser|Binder|Catalog|Not implemented) Error:/ },
  { kind: "data", test: /^(Conversion|Invalid Input|Out of Range|Constraint|Mismatch Type) Error:/ },
];

/** What a DuckDB call threw, as a WarehouseError; `where` says what was being done (opening the file, staging rows). */
export function toDuckDbError(error: unknown, where?: string): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const kind = RULES.find((rule) => rule.test.test(message))?.kind ?? "other";
  return new WarehouseError(kind, where ? `${where}: ${message}` : message, { retry: DUCKDB_RETRY[kind], cause: error });
}
