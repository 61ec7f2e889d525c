import type { DBSQLClient } from "@databricks/sql";
import type { DatabricksSettings } from "../../config/index.js";
import type { StatementSession } from "./databricks-driver.js";
import type { WarehouseError } from "../warehouse-error.js";
import { toDatabricksError } from "./databricks-errors.js";

/**
 * A session on a Databricks SQL warehouse through @databricks/sql (loaded only here, so the package
 * is needed only with WAREHOUSE=databricks). One session serves a whole run. The session runs in UTC
 * with ANSI mode and a STATEMENT_TIMEOUT; opening it is bounded by DATABRICKS_CONNECT_TIMEOUT_MS.
 * The driver's own log lines are dropped: they are not needed and must never carry a secret.
 */
export async function openDatabricksSession(settings: DatabricksSettings): Promise<StatementSession> {
  const module = await import("@databricks/sql");
  const Client = module.DBSQLClient ?? (module as unknown as { default: typeof module }).default.DBSQLClient;
  const client = new Client({ logger: { log: () => undefined } });
  const auth =
    settings.auth.kind === "token"
      ? { token: settings.auth.token.reveal() }
      : { authType: "databricks-oauth" as const, oauthClientId: settings.auth.clientId, oauthClientSecret: settings.auth.clientSecret.reveal() };
  const where = `the Databricks SQL warehouse at ${settings.host}${settings.httpPath}`;
  let session: Awaited<ReturnType<DBSQLClient["openSession"]>>;
  try {
    const [host = settings.host, port] = settings.host.split(":");
    await client.connect({
      host,
      ...(port ? { port: Number(port) } : {}),
      path: settings.httpPath,
      ...auth,
      telemetryEnabled: false,
      // Each HTTP request is short (statements run asynchronously and are polled): no socket outlives it.
      socketTimeout: settings.connectTimeoutMs,
      retryMaxAttempts: 3,
      userAgentEntry: "notion-delta-sync",
    });
    session = await withDeadline(
      client.openSession({
        ...(settings.catalog ? { initialCatalog: settings.catalog } : {}),
        configuration: { STATEMENT_TIMEOUT: String(settings.statementTimeoutSeconds), TIMEZONE: "UTC", ANSI_MODE: "true" },
      }),
      settings.connectTimeoutMs,
      `no answer within ${settings.connectTimeoutMs} ms (DATABRICKS_CONNECT_TIMEOUT_MS)`,
    );
  } catch (error) {
    await client.close().catch(() => undefined);
    const failure = toDatabricksError(error);
    throw failure.restate(`cannot open a session on ${where}: ${failure.message}${hint(failure)}`);
  }
  return {
    async run(sql, params) {
      const operation = await session.executeStatement(sql, { namedParameters: params as Record<string, string | number | boolean | null> });
      try {
        return (await operation.fetchAll()) as Record<string, unknown>[];
      } finally {
        await operation.close().catch(() => undefined);
      }
    },
    async close() {
      await session.close().catch(() => undefined);
      await client.close();
    },
  };
}

/** What to check, from the failure's kind (toDatabricksError read the status, SQLSTATE and socket code). */
function hint(failure: WarehouseError): string {
  if (failure.kind === "permission")
    return " (check DATABRICKS_TOKEN, or DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET, and the principal's CAN USE permission on the warehouse)";
  if (failure.kind === "refused") return " (check DATABRICKS_HOST, and that the SQL warehouse is running)";
  // No kind stands for a path the server does not know: a 404 answer is "other".
  if (failure.kind === "other" && (failure.cause as { statusCode?: unknown } | undefined)?.statusCode === 404) return " (check DATABRICKS_HTTP_PATH)";
  return "";
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { code: "ETIMEDOUT" })), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
