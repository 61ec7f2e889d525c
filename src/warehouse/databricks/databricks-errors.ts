import { WarehouseError, type RetryTable, type WarehouseErrorKind } from "../warehouse-error.js";

/** Databricks' retry rule per kind: what did not run is sent again; what may have run, only if idempotent. */
export const DATABRICKS_RETRY: RetryTable = {
  conflict: "always",
  refused: "always",
  broken: "if_idempotent",
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
 * What the SQL driver (or the test client) threw, as a WarehouseError. Read in this order: the
 * server's SQLSTATE and error class, the driver's operation state, the HTTP status, the socket's
 * error code; the message text only where the driver carries nothing else.
 */
const RULES: readonly { kind: WarehouseErrorKind; test: (e: Facts) => boolean }[] = [
  {
    kind: "conflict",
    test: (e) =>
      e.sqlState === "2D521" ||
      /DELTA_CONCURRENT_|DELTA_METADATA_CHANGED|DELTA_PROTOCOL_CHANGED|Concurrent(Append|DeleteRead|DeleteDelete|Transaction)Exception|MetadataChangedException|ProtocolChangedException/.test(
        e.message,
      ),
  },
  // Databricks documents no limit for one request; its front end answers 413 for a body over what it takes.
  { kind: "too_large", test: (e) => e.status === 413 || /\b(REQUEST_TOO_LARGE|Request Entity Too Large)\b/i.test(e.message) },
  {
    kind: "missing_table",
    test: (e) => e.sqlState === "42P01" || /\b(TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND|DELTA_TABLE_NOT_FOUND|NO_SUCH_CATALOG_EXCEPTION)\b/.test(e.message),
  },
  // A statement the server stopped (its STATEMENT_TIMEOUT, a cancel) would run as long again.
  { kind: "timeout", test: (e) => e.operationState !== undefined && ["TIMEOUT", "CANCELED", "CLOSED"].includes(e.operationState) },
  // The driver's own retries give up only on calls it may repeat (polling, fetching), i.e. after the statement was accepted.
  { kind: "broken", test: (e) => /Max retry count exceeded|Retry timeout exceeded/.test(e.message) },
  {
    kind: "refused",
    test: (e) =>
      e.status === 429 ||
      e.status === 503 ||
      e.codes.some((c) => REFUSED_CODES.has(c)) ||
      /\b(TEMPORARILY_UNAVAILABLE|SERVICE_UNAVAILABLE|Too Many Requests|RESOURCE_EXHAUSTED)\b/.test(e.message),
  },
  {
    kind: "permission",
    test: (e) =>
      e.status === 401 ||
      e.status === 403 ||
      e.sqlState === "42501" ||
      // OAuth's refusals (RFC 6749 error codes, as openid-client words them).
      /\b(INSUFFICIENT_PERMISSIONS|PERMISSION_DENIED|UNAUTHORIZED|invalid_client|unauthorized_client|invalid_grant|invalid_scope)\b/.test(e.message),
  },
  {
    kind: "broken",
    test: (e) =>
      (e.status !== undefined && e.status >= 500 && e.status !== 501) ||
      e.codes.some((c) => BROKEN_CODES.has(c)) ||
      // The driver's own request timeout ("Request timed out"): the statement may have been received.
      /socket hang up|premature close|Request timed out/i.test(e.message),
  },
  { kind: "data", test: (e) => e.sqlState?.startsWith("22") === true || e.sqlState?.startsWith("23") === true },
  { kind: "syntax", test: (e) => e.sqlState?.startsWith("42") === true || /\b(PARSE_SYNTAX_ERROR|UNRESOLVED_COLUMN|UNRESOLVED_ROUTINE)\b/.test(e.message) },
];
const REFUSED_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const BROKEN_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET"]);

interface Facts {
  readonly message: string;
  readonly sqlState: string | undefined;
  readonly operationState: string | undefined;
  readonly status: number | undefined;
  readonly codes: readonly string[];
}

export function toDatabricksError(error: unknown): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const facts = factsOf(error);
  const kind = RULES.find((rule) => rule.test(facts))?.kind ?? "other";
  return new WarehouseError(kind, facts.message, { retry: DATABRICKS_RETRY[kind], cause: error });
}

function factsOf(error: unknown): Facts {
  const e = (error ?? {}) as { code?: unknown; errorCode?: unknown; statusCode?: unknown; cause?: unknown; response?: { sqlState?: unknown } };
  const sqlState = e.response?.sqlState;
  const message = bestMessage(error);
  return {
    message,
    // A statement refused when submitted comes as the driver's StatusError, which keeps the server's
    // message but not its SQLSTATE: a warehouse's message ends with it ("… SQLSTATE: 42P01").
    sqlState: typeof sqlState === "string" && sqlState !== "" ? sqlState : /\bSQLSTATE: ([0-9A-Z]{5})\b/.exec(message)?.[1],
    operationState: typeof e.errorCode === "string" ? e.errorCode : undefined,
    status: typeof e.statusCode === "number" ? e.statusCode : undefined,
    codes: [e.code, (e.cause as { code?: unknown } | undefined)?.code].filter((c): c is string => typeof c === "string"),
  };
}

function bestMessage(error: unknown): string {
  if (error === null || typeof error !== "object") return typeof error === "string" ? error : (JSON.stringify(error) ?? "undefined");
  const e = error as { message?: unknown; response?: { displayMessage?: unknown; errorMessage?: unknown } };
  const display = e.response?.displayMessage ?? e.response?.errorMessage;
  const text = typeof display === "string" && display !== "" ? display : typeof e.message === "string" ? e.message : JSON.stringify(error);
  // Server messages can carry a JVM stack trace after the first lines.
  return text
    .split("\n")
    .filter((line) => !/^\s+at /.test(line))
    .slice(0, 6)
    .join("\n")
    .trim();
}
