import type { DBSQLClient } from "@databricks/sql";
import type { DatabricksSettings, ProxySettings } from "../../config/index.js";
import type { StatementSession } from "./databricks-driver.js";
import { WarehouseError } from "../warehouse-error.js";
import type { WarehouseObserver } from "../warehouse.js";
import { toDatabricksError } from "./databricks-errors.js";
import { openWhenStarted } from "./databricks-startup.js";

/**
 * A session on a Databricks SQL warehouse through @databricks/sql (loaded only here, so the package
 * is needed only with WAREHOUSE=databricks). One session serves a whole run. The session runs in UTC
 * with ANSI mode and a STATEMENT_TIMEOUT; each try to open it is bounded by DATABRICKS_CONNECT_TIMEOUT_MS,
 * and a warehouse that is starting is waited for up to DATABRICKS_STARTUP_TIMEOUT_MS (observer.waiting).
 * The driver's own log lines are dropped: they are not needed and must never carry a secret.
 */
export async function openDatabricksSession(settings: DatabricksSettings, observer: WarehouseObserver = {}): Promise<StatementSession> {
  const module = await import("@databricks/sql");
  const Client = module.DBSQLClient ?? (module as unknown as { default: typeof module }).default.DBSQLClient;
  const { client, session } = await openWhenStarted(() => openOnce(new Client({ logger: { log: () => undefined } }), settings), {
    budgetMs: settings.startupTimeoutMs,
    onWait: (wait) => observer.waiting?.(wait),
  });
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

type Session = Awaited<ReturnType<DBSQLClient["openSession"]>>;

/** One try at a session; a failure closes the client and is a WarehouseError that says where and what to check. */
async function openOnce(client: DBSQLClient, settings: DatabricksSettings): Promise<{ client: DBSQLClient; session: Session }> {
  const auth = signIn(settings.auth);
  try {
    const [host = settings.host, port] = settings.host.split(":");
    await client.connect({
      host,
      ...(port ? { port: Number(port) } : {}),
      path: settings.httpPath,
      ...auth,
      ...(settings.proxy ? { proxy: driverProxy(settings.proxy) } : {}),
      telemetryEnabled: false,
      // Each HTTP request is short (statements run asynchronously and are polled): no socket outlives it.
      socketTimeout: settings.connectTimeoutMs,
      retryMaxAttempts: 3,
      userAgentEntry: "notion-delta-sync",
    });
    const session = await withDeadline(
      client.openSession({
        ...(settings.catalog ? { initialCatalog: settings.catalog } : {}),
        configuration: { STATEMENT_TIMEOUT: String(settings.statementTimeoutSeconds), TIMEZONE: "UTC", ANSI_MODE: "true" },
      }),
      settings.connectTimeoutMs,
      `no answer within ${settings.connectTimeoutMs} ms (DATABRICKS_CONNECT_TIMEOUT_MS)`,
    );
    await refuseUnboundParameters(session);
    return { client, session };
  } catch (error) {
    await client.close().catch(() => undefined);
    const failure = toDatabricksError(error);
    throw failure.restate(
      `cannot open a session on the Databricks SQL warehouse at ${settings.host}${settings.httpPath}: ${failure.message}${hint(failure, settings.auth)}`,
    );
  }
}

/**
 * The driver's sign-in options. OAuth M2M is a Databricks OAuth secret on every cloud, asked of the
 * workspace's own token endpoint: on an Azure host the driver would otherwise go to Microsoft Entra
 * (login.microsoftonline.com/organizations), which refuses a Databricks secret. An Entra-managed
 * service principal gets a Databricks OAuth secret too; the driver's own Entra flow is not offered:
 * it asks Entra for `offline_access` besides `<resource>/.default`, and Entra's client-credentials
 * grant takes only the latter.
 */
function signIn(auth: DatabricksSettings["auth"]) {
  if (auth.kind === "token") return { token: auth.token.reveal() };
  return {
    authType: "databricks-oauth" as const,
    oauthClientId: auth.clientId,
    oauthClientSecret: auth.clientSecret.reveal(),
    useDatabricksOAuthInAzure: true,
  };
}

/** The proxy as the driver takes it, its password revealed only here, on the way out. */
function driverProxy(proxy: ProxySettings) {
  const { auth, ...where } = proxy;
  return { ...where, ...(auth ? { auth: { username: auth.username, password: auth.password.reveal() } } : {}) };
}

/** SPARK_CLI_SERVICE_PROTOCOL_V8 (TCLIService): the first protocol that binds named parameters. */
const PROTOCOL_V8 = 42_248;
/** SPARK_CLI_SERVICE_PROTOCOL_V1; below it, HiveServer2's own (HIVE_CLI_SERVICE_PROTOCOL_V1 is 0). */
const PROTOCOL_SPARK_V1 = 42_241;

const protocolName = (protocol: number) =>
  protocol >= PROTOCOL_SPARK_V1 ? `protocol V${protocol - PROTOCOL_SPARK_V1 + 1}` : `HiveServer2's protocol V${protocol + 1}`;

/**
 * Below protocol V8 the driver drops named parameters without a word, and every statement that has
 * one fails later with UNBOUND_SQL_PARAMETER: the session is refused up front instead. The driver
 * keeps the server's version on its session backend, which it does not expose; when that changes,
 * the check is skipped and the statements' own errors still say it.
 */
async function refuseUnboundParameters(session: Session): Promise<void> {
  const protocol = (session as unknown as { backend?: { serverProtocolVersion?: unknown } }).backend?.serverProtocolVersion;
  if (typeof protocol !== "number" || protocol >= PROTOCOL_V8) return;
  await session.close().catch(() => undefined);
  throw new WarehouseError(
    "other",
    `the server speaks ${protocolName(protocol)} of the SQL service, which cannot bind named parameters (V8 or later is needed: a Databricks SQL warehouse, not an older cluster endpoint)`,
    { retry: "never" },
  );
}

/** What to check, from the failure's kind (toDatabricksError read the status, SQLSTATE and socket code). */
function hint(failure: WarehouseError, auth: DatabricksSettings["auth"]): string {
  if (failure.kind === "permission") return ` (check ${credentialsOf(auth)}; and the principal's CAN USE permission on the warehouse)`;
  if (failure.kind === "refused") return " (check DATABRICKS_HOST, and that the SQL warehouse is running)";
  // No kind stands for a path the server does not know: a 404 answer is "other".
  if (failure.kind === "other" && (failure.cause as { statusCode?: unknown } | undefined)?.statusCode === 404) return " (check DATABRICKS_HTTP_PATH)";
  return "";
}

function credentialsOf(auth: DatabricksSettings["auth"]): string {
  if (auth.kind === "token") return "DATABRICKS_TOKEN";
  return "DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET: an OAuth secret Databricks made for the service principal, not a Microsoft Entra client secret";
}

function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(message), { code: "ETIMEDOUT" })), ms);
    timer.unref();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
