import { SyncError, type ErrorContext } from "../errors.js";

/**
 * What a failed warehouse statement means, whatever the engine. Each engine translates its driver's
 * errors into a kind once, where it catches them, and says in a table per kind whether sending the
 * statement again can help; retry code and callers look only at that.
 */
export type WarehouseErrorKind =
  /** A concurrent write won (a Delta conflict): nothing committed. */
  | "conflict"
  /** Refused or unreachable (429/503, connection refused, DNS): the statement did not run. */
  | "refused"
  /** The connection broke while the statement ran: it may have committed. */
  | "broken"
  /** The statement ran out of its time (STATEMENT_TIMEOUT, a cancel): it would run as long again. */
  | "timeout"
  /** Not allowed: authentication or a missing grant. */
  | "permission"
  /** The statement is wrong for this warehouse (syntax, unknown column or function). */
  | "syntax"
  /** A value the engine refused (conversion, range, constraint). */
  | "data"
  /** The table or schema does not exist. */
  | "missing_table"
  /** Another process holds the warehouse (a DuckDB file open elsewhere). */
  | "locked"
  /** More than one statement may carry (HTTP 413, or the driver's own bound): the same would fail again, its rows in two would not. */
  | "too_large"
  | "other";

/** When a statement that failed so may be sent again: it did not run, it may have run, or it would fail again. */
export type RetryRule = "always" | "if_idempotent" | "never";

/** An engine's retry rule per kind: its terminal/transient split, as data. */
export type RetryTable = Readonly<Record<WarehouseErrorKind, RetryRule>>;

export class WarehouseError extends SyncError {
  override readonly name = "WarehouseError";
  readonly kind: WarehouseErrorKind;
  readonly retry: RetryRule;

  constructor(kind: WarehouseErrorKind, message: string, options: { retry: RetryRule; cause?: unknown; context?: ErrorContext }) {
    super(options.retry === "never" ? "warehouse_terminal" : "warehouse_transient", message, {
      transient: options.retry !== "never",
      cause: options.cause,
      context: options.context,
    });
    this.kind = kind;
    this.retry = options.retry;
  }

  /** The same failure told again with more said about it (what the statement was for, where). */
  restate(message: string, context: ErrorContext = this.context): WarehouseError {
    return new WarehouseError(this.kind, message, { retry: this.retry, cause: this.cause ?? this, context });
  }
}

export function isWarehouseError(error: unknown): error is WarehouseError {
  return error instanceof WarehouseError;
}

/** Statements that leave the tables as they are when sent twice (every one of ours but a plain INSERT). */
export function isIdempotent(sql: string): boolean {
  return /^\s*(SELECT|WITH|MERGE|UPDATE|DELETE|CREATE|ALTER|DESCRIBE|SHOW|INSERT\s+OVERWRITE)\b/i.test(sql);
}

/** Whether a statement that failed with this error may be sent again. */
export function mayRetry(error: WarehouseError, sql: string): boolean {
  return error.retry === "always" || (error.retry === "if_idempotent" && isIdempotent(sql));
}
