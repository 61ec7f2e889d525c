import { tcli, type T } from "./tcli.js";

/**
 * Statuses and errors as a Databricks SQL warehouse words them for the driver. A failed statement
 * carries the SQLSTATE in `sqlState` and the error class in brackets at the head of
 * `displayMessage` (the driver's OperationStateError message); `errorMessage` and `diagnosticInfo`
 * keep the server's whole text with its stack, as Spark's Thrift server writes it on Databricks too
 * ("org.apache.hive.service.cli.HiveSQLException: Error running query: [CLASS] …").
 */
export const status = {
  ok: () => new tcli.TStatus({ statusCode: tcli.TStatusCode.SUCCESS_STATUS }),
  error: (message: string, sqlState?: string) =>
    new tcli.TStatus({
      statusCode: tcli.TStatusCode.ERROR_STATUS,
      errorMessage: message,
      displayMessage: displayMessage(message),
      ...(sqlState ? { sqlState } : {}),
    }),
  invalidHandle: (message: string) => new tcli.TStatus({ statusCode: tcli.TStatusCode.INVALID_HANDLE_STATUS, errorMessage: message, displayMessage: message }),
};

/** A Spark status that failed, with the warehouse's display message added. */
export function failedStatus(spark: T.TStatus): T.TStatus {
  return new tcli.TStatus({ ...spark, displayMessage: displayMessage(spark.errorMessage ?? "") });
}

/** The status of a statement that ended in error. */
export function operationFailed(serverMessage: string, sqlState: string | undefined): T.TGetOperationStatusResp {
  return new tcli.TGetOperationStatusResp({
    status: status.ok(),
    operationState: tcli.TOperationState.ERROR_STATE,
    errorMessage: serverMessage,
    displayMessage: displayMessage(serverMessage),
    diagnosticInfo: serverMessage,
    ...(sqlState ? { sqlState } : {}),
    // No hasResultSet, as Spark answers: with false the driver skips waiting and reads no error (fetchAll answers []).
  });
}

/**
 * The message a person reads: without the server's exception prefix, the repeated error class and
 * exception name, the query plan and the stack; ending after `SQLSTATE: xxxxx` (and the position).
 */
export function displayMessage(serverMessage: string): string {
  let text = serverMessage.replace(/^org\.apache\.hive\.service\.cli\.HiveSQLException: /, "").replace(/^Error running query: /, "");
  text = text.replace(/^(\[[A-Z0-9_.]+\]) [\w.$]+(?:Exception|Error): \1 /, "$1 ");
  const end = /SQLSTATE: \w{5}(; line \d+ pos \d+)?/.exec(text);
  return (end ? text.slice(0, end.index + end[0].length) : text.split("\n\tat ")[0]!).trim();
}

/** Session settings this warehouse can honour (Spark runs in UTC with ANSI mode), and the catalog. */
const SETTINGS: Readonly<Record<string, (value: string) => boolean>> = {
  TIMEZONE: (v) => /^(UTC|Etc\/UTC|Z)$/i.test(v),
  ANSI_MODE: (v) => v.toLowerCase() === "true",
  STATEMENT_TIMEOUT: (v) => /^\d+$/.test(v),
};
export const CATALOG = "spark_catalog";

/** Why this warehouse refuses to open the session asked for, as an error status; undefined if none. */
export function sessionConfigurationProblem(req: T.TOpenSessionReq): T.TStatus | undefined {
  for (const [key, value] of Object.entries(req.configuration ?? {})) {
    const accepts = SETTINGS[key];
    if (!accepts) return status.error(`[CONFIG_NOT_AVAILABLE] Configuration ${key} is not available. SQLSTATE: 42K0I`, "42K0I");
    if (!accepts(value)) return status.error(`local warehouse: ${key}=${value} is not supported (Spark runs with TIMEZONE=UTC and ANSI_MODE=true)`);
  }
  const catalog = req.initialNamespace?.catalogName;
  if (catalog && catalog !== CATALOG) return status.error(`[NO_SUCH_CATALOG_EXCEPTION] Catalog '${catalog}' was not found. SQLSTATE: 42704`, "42704");
  return undefined;
}
