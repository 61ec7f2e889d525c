/**
 * What a failed statement means, from the error the driver (or the test client) threw: whether the
 * statement certainly did not run (safe to send again), may have run (safe only when the statement is
 * idempotent), or will fail the same way again.
 */
export type FailureKind =
  /** A Delta write conflict (SQLSTATE 2D521, DELTA_CONCURRENT_*): the statement did not commit. */
  | "conflict"
  /** The warehouse refused or could not be reached (429/503, connection refused, DNS): it did not run. */
  | "unavailable"
  /** The connection broke or timed out while the statement ran: it may have committed. */
  | "interrupted"
  /** The table or schema does not exist. */
  | "not_found"
  /** Syntax, permission, type or authentication errors: the same statement fails again. */
  | "terminal";

export interface Failure {
  readonly kind: FailureKind;
  /** The most useful message the error carries (the server's display message where there is one). */
  readonly message: string;
}

const CONFLICT = /DELTA_CONCURRENT_|DELTA_METADATA_CHANGED|DELTA_PROTOCOL_CHANGED|Concurrent(Append|DeleteRead|DeleteDelete|Transaction)Exception|MetadataChangedException|ProtocolChangedException/;
const NOT_FOUND = /\b(TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND|DELTA_TABLE_NOT_FOUND|NO_SUCH_CATALOG_EXCEPTION)\b/;
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const INTERRUPTED_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET"]);
const UNAVAILABLE_TEXT = /\b(TEMPORARILY_UNAVAILABLE|SERVICE_UNAVAILABLE|Too Many Requests|RESOURCE_EXHAUSTED)\b/;
/**
 * The SQL driver's own retries give up only on calls it may repeat (polling, fetching), i.e. after
 * the statement was accepted: whatever the status in the text, the statement may have run.
 */
const DRIVER_GAVE_UP = /Max retry count exceeded|Retry timeout exceeded/;
const INTERRUPTED_TEXT = /socket hang up|premature close/i;
/** The driver's end states of an operation that the server stopped (STATEMENT_TIMEOUT, a cancel). */
const STOPPED_STATES = new Set(["TIMEOUT", "CANCELED", "CLOSED"]);

export function classifyFailure(error: unknown): Failure {
  const message = bestMessage(error);
  const e = (error ?? {}) as { code?: unknown; errorCode?: unknown; statusCode?: unknown; cause?: unknown; response?: { sqlState?: unknown } };
  const codes = [e.code, (e.cause as { code?: unknown } | undefined)?.code].filter((c): c is string => typeof c === "string");
  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  if (e.response?.sqlState === "2D521" || CONFLICT.test(message)) return { kind: "conflict", message };
  if (NOT_FOUND.test(message) || e.response?.sqlState === "42P01") return { kind: "not_found", message };
  // A statement the server stopped (its STATEMENT_TIMEOUT) would run as long again.
  if (typeof e.errorCode === "string" && STOPPED_STATES.has(e.errorCode)) return { kind: "terminal", message };
  if (DRIVER_GAVE_UP.test(message)) return { kind: "interrupted", message };
  if (status === 429 || status === 503 || codes.some((c) => UNAVAILABLE_CODES.has(c)) || UNAVAILABLE_TEXT.test(message)) return { kind: "unavailable", message };
  if ((status !== undefined && status >= 500 && status !== 501) || codes.some((c) => INTERRUPTED_CODES.has(c)) || INTERRUPTED_TEXT.test(message)) return { kind: "interrupted", message };
  return { kind: "terminal", message };
}

/** Statements that leave the tables as they are when sent twice (each of ours but plain INSERT). */
export function isIdempotent(sql: string): boolean {
  return /^\s*(SELECT|WITH|MERGE|UPDATE|DELETE|CREATE|ALTER|DESCRIBE|SHOW|INSERT\s+OVERWRITE)\b/i.test(sql);
}

/** Whether a statement that failed so may be sent again. */
export function mayRetry(failure: Failure, sql: string): boolean {
  if (failure.kind === "conflict" || failure.kind === "unavailable") return true;
  return failure.kind === "interrupted" && isIdempotent(sql);
}

function bestMessage(error: unknown): string {
  if (error === null || typeof error !== "object") return String(error);
  const e = error as { message?: unknown; response?: { displayMessage?: unknown; errorMessage?: unknown } };
  const display = e.response?.displayMessage ?? e.response?.errorMessage;
  const text = typeof display === "string" && display !== "" ? display : typeof e.message === "string" ? e.message : String(error);
  // Server messages can carry a JVM stack trace after the first lines.
  return text.split("\n").filter((line) => !/^\s+at /.test(line)).slice(0, 6).join("\n").trim();
}
