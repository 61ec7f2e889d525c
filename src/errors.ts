/**
 * The one error base of notion-delta-sync. Every error the library throws on purpose is a
 * `SyncError` with a literal `name`, a closed `code`, whether retrying can help (`transient`),
 * the ids support needs (`context`) and the original `cause`. Messages say what happened, the
 * bad value, and what to do next. Secrets never enter a message or a context.
 */
export type ErrorCode =
  | "config_invalid"
  | "usage"
  | "notion_unauthorized"
  | "notion_forbidden"
  | "notion_not_found"
  | "notion_bad_request"
  | "notion_rate_limited"
  | "notion_unavailable"
  | "notion_timeout"
  | "notion_network"
  /** The base URL refuses connections or does not resolve: nothing answers there, whatever the token. */
  | "notion_unreachable"
  | "notion_bad_response"
  | "notion_query_limit"
  | "schema_drift"
  | "warehouse_transient"
  | "warehouse_terminal"
  | "lock_held"
  /** Another process (another host) holds the database's lease in the warehouse. */
  | "lease_held"
  | "backoff"
  | "state_invalid"
  | "state_io"
  | "shutdown"
  /** Not thrown on purpose: a bug. */
  | "internal";

export interface ErrorContext {
  readonly databaseKey?: string;
  readonly runId?: string;
  readonly table?: string;
  readonly notionRequestId?: string;
  readonly file?: string;
}

export class SyncError extends Error {
  override readonly name: string = "SyncError";
  readonly code: ErrorCode;
  readonly transient: boolean;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: { transient?: boolean; context?: ErrorContext; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.transient = options.transient ?? false;
    this.context = options.context ?? {};
  }
}

export function isSyncError(error: unknown): error is SyncError {
  return error instanceof SyncError;
}

/** The closed code of any thrown value: its own for a SyncError, `internal` for anything else. */
export function errorCodeOf(error: unknown): ErrorCode {
  return isSyncError(error) ? error.code : "internal";
}

/** A short, single-line description of any thrown value, for logs and run records. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
