import { ConfigError, type ConfigIssue } from "./config-error.js";
import type { AppConfig, NotionSettings, WarehouseSettings } from "./app-config.js";
import { envSchema, SECRET_VARIABLES, type EnvValues } from "./env-schema.js";
import { loadMapping } from "./load-mapping.js";
import { proxyFor, proxyIssue, type ProxySettings } from "./proxy.js";
import { Secret } from "./secret.js";

export interface LoadConfigOptions {
  /** The environment; the CLI passes `process.env`, tests pass their own. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Fail without NOTION_TOKEN (every command that talks to Notion). */
  readonly requireToken: boolean;
  /** Accept unset database id variables (commands that only read the warehouse). */
  readonly databaseIdsOptional?: boolean;
  /** Only these databases' id variables are required (a sync of some databases); unset: all of them. */
  readonly databases?: readonly string[];
  /** Overrides from flags, applied last. */
  readonly overrides?: { readonly mappingPath?: string; readonly duckdbPath?: string; readonly watermarkDir?: string };
}

/**
 * Builds the frozen AppConfig: defaults → mapping YAML → environment → flags. Environment and
 * mapping problems are collected together into one ConfigError.
 */
export function loadConfig(options: LoadConfigOptions): AppConfig {
  const issues: ConfigIssue[] = [];
  const parsed = envSchema.safeParse(options.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? "");
      const shown = (SECRET_VARIABLES as readonly string[]).includes(variable) ? "" : ` (got ${JSON.stringify(options.env[variable])})`;
      issues.push({ source: "environment", path: variable, message: `${issue.message}${shown}` });
    }
  }
  if (options.requireToken && !options.env.NOTION_TOKEN) {
    issues.push({
      source: "environment",
      path: "NOTION_TOKEN",
      message: "is not set: create an internal integration at notion.so/my-integrations and export its token",
    });
  }
  issues.push(...warehouseIssues(options.env));
  // The mapping is checked even when the environment is wrong: every problem is reported at once.
  const mappingPath =
    options.overrides?.mappingPath ?? (parsed.success ? parsed.data.MAPPING_PATH : (options.env.MAPPING_PATH ?? "config/notion_mapping.yaml"));
  let mapping;
  try {
    mapping = loadMapping(mappingPath, options.env, {
      idsOptional: options.databaseIdsOptional ?? false,
      ...(options.databases ? { idsFor: options.databases } : {}),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
  }
  if (issues.length > 0 || !mapping || !parsed.success) throw new ConfigError(issues);
  const env = parsed.data;
  return Object.freeze({
    mapping,
    notion: notionSettings(env),
    warehouse: warehouseSettings(env, options.overrides?.duckdbPath),
    watermarkDir: options.overrides?.watermarkDir ?? env.WATERMARK_DIR,
    lockStaleAfterMs: env.LOCK_STALE_AFTER_S * 1000,
    worker: Object.freeze({
      port: env.PORT,
      schedule: env.SYNC_SCHEDULE,
      runOnStart: env.SYNC_ON_START,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      readinessCheckIntervalMs: env.READINESS_CHECK_INTERVAL,
      webhooks: Object.freeze({
        enabled: env.NOTION_WEBHOOKS,
        verificationToken: env.NOTION_WEBHOOK_VERIFICATION_TOKEN ? new Secret(env.NOTION_WEBHOOK_VERIFICATION_TOKEN) : undefined,
        debounceMs: env.NOTION_WEBHOOK_DEBOUNCE,
      }),
    }),
    log: Object.freeze({ level: env.LOG_LEVEL, format: env.LOG_FORMAT }),
  });
}

function notionSettings(env: EnvValues): NotionSettings {
  return Object.freeze({
    token: env.NOTION_TOKEN ? new Secret(env.NOTION_TOKEN) : undefined,
    baseUrl: env.NOTION_BASE_URL,
    rps: env.NOTION_RPS,
    burst: env.NOTION_BURST ?? Math.max(1, Math.floor(env.NOTION_RPS)),
    timeoutMs: env.NOTION_TIMEOUT_MS,
    maxRetries: env.NOTION_MAX_RETRIES,
    ...notionProxy(env.NOTION_BASE_URL ?? "https://api.notion.com"),
  });
}

/** The proxy to Notion as to the workspace; undici, which carries Notion's requests, speaks no SOCKS4. */
function notionProxy(baseUrl: string): { proxy?: ProxySettings } {
  const proxy = proxyFor(baseUrl);
  if (proxy?.protocol === "socks4" || proxy?.protocol === "socks4a")
    throw proxyIssue(`has the scheme ${proxy.protocol}, which Notion's requests cannot use: use http, https or socks5`);
  return proxy ? { proxy } : {};
}

/**
 * The Notion settings (token required) and the mapping's path, without reading the mapping: for
 * `mapping init`, which writes it. Only the Notion variables and MAPPING_PATH are checked.
 */
export function loadNotionConfig(env: LoadConfigOptions["env"]): { readonly notion: NotionSettings; readonly mappingPath: string } {
  const relevant = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith("NOTION_") || name === "MAPPING_PATH"));
  const parsed = envSchema.safeParse(relevant);
  const issues: ConfigIssue[] = (parsed.success ? [] : parsed.error.issues).map((issue) => ({
    source: "environment",
    path: String(issue.path[0] ?? ""),
    message: issue.message,
  }));
  if (!env.NOTION_TOKEN)
    issues.push({
      source: "environment",
      path: "NOTION_TOKEN",
      message: "is not set: create an internal integration at notion.so/my-integrations and export its token",
    });
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);
  return { notion: notionSettings(parsed.data), mappingPath: parsed.data.MAPPING_PATH };
}

/**
 * What WAREHOUSE=databricks needs and the schema alone cannot say: the variables that go together.
 * Read from the raw environment, so these are reported with every other problem at once.
 */
function warehouseIssues(env: Readonly<Record<string, string | undefined>>): ConfigIssue[] {
  if (env.WAREHOUSE !== "databricks") return [];
  const issue = (path: string, message: string): ConfigIssue => ({ source: "environment", path, message });
  const issues: ConfigIssue[] = [];
  if (!env.DATABRICKS_HOST)
    issues.push(issue("DATABRICKS_HOST", "is not set: WAREHOUSE=databricks needs the workspace host (e.g. adb-123.4.azuredatabricks.net)"));
  if (!env.DATABRICKS_HTTP_PATH)
    issues.push(issue("DATABRICKS_HTTP_PATH", "is not set: WAREHOUSE=databricks needs the SQL warehouse's HTTP path (its Connection details tab)"));
  if (env.DATABRICKS_TOKEN && (env.DATABRICKS_CLIENT_ID || env.DATABRICKS_CLIENT_SECRET)) {
    issues.push(
      issue(
        "DATABRICKS_TOKEN",
        "is set together with DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET: choose one way to sign in (a personal access token, or OAuth machine-to-machine)",
      ),
    );
  } else if (!env.DATABRICKS_TOKEN) {
    if (!env.DATABRICKS_CLIENT_ID && !env.DATABRICKS_CLIENT_SECRET) {
      issues.push(
        issue(
          "DATABRICKS_TOKEN",
          "is not set, nor DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET: WAREHOUSE=databricks needs a personal access token or a service principal's OAuth secret",
        ),
      );
    } else if (!env.DATABRICKS_CLIENT_ID) {
      issues.push(
        issue("DATABRICKS_CLIENT_ID", "is not set: OAuth machine-to-machine needs the service principal's application id with DATABRICKS_CLIENT_SECRET"),
      );
    } else if (!env.DATABRICKS_CLIENT_SECRET) {
      issues.push(issue("DATABRICKS_CLIENT_SECRET", "is not set: OAuth machine-to-machine needs the secret of the service principal DATABRICKS_CLIENT_ID"));
    }
  }
  return issues;
}

function warehouseSettings(env: EnvValues, duckdbPath: string | undefined): WarehouseSettings {
  if (env.WAREHOUSE === "duckdb")
    return Object.freeze({
      kind: "duckdb",
      path: duckdbPath ?? env.DUCKDB_PATH,
      memoryLimit: env.DUCKDB_MEMORY_LIMIT,
      threads: env.DUCKDB_THREADS,
      rowGroupSize: env.DUCKDB_ROW_GROUP_SIZE,
    });
  // warehouseIssues has made sure these are set.
  const auth = env.DATABRICKS_TOKEN
    ? Object.freeze({ kind: "token" as const, token: new Secret(env.DATABRICKS_TOKEN) })
    : Object.freeze({ kind: "oauth-m2m" as const, clientId: env.DATABRICKS_CLIENT_ID!, clientSecret: new Secret(env.DATABRICKS_CLIENT_SECRET!) });
  return Object.freeze({
    kind: "databricks",
    host: env.DATABRICKS_HOST!,
    httpPath: env.DATABRICKS_HTTP_PATH!,
    catalog: env.DATABRICKS_CATALOG,
    auth,
    tableProperties: env.DATABRICKS_TABLE_PROPERTIES === undefined ? DEFAULT_TABLE_PROPERTIES : parseProperties(env.DATABRICKS_TABLE_PROPERTIES),
    statementTimeoutSeconds: env.DATABRICKS_STATEMENT_TIMEOUT_S,
    connectTimeoutMs: env.DATABRICKS_CONNECT_TIMEOUT_MS,
    startupTimeoutMs: env.DATABRICKS_STARTUP_TIMEOUT_MS,
    proxy: proxyFor(`https://${env.DATABRICKS_HOST!}`),
    maxRetries: env.DATABRICKS_MAX_RETRIES,
  });
}

/**
 * Delta table properties by default, only those that change behaviour: the change data feed (consumers
 * of silver read what changed) and deletion vectors (an update rewrites no whole file). Optimized writes
 * and auto compaction are always on for MERGE into Unity Catalog managed tables, so their
 * `delta.autoOptimize.*` properties add nothing there, and a serverless warehouse may refuse them
 * (DELTA_UNKNOWN_CONFIGURATION): they are opt-in through DATABRICKS_TABLE_PROPERTIES, which replaces this list.
 */
export const DEFAULT_TABLE_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({
  "delta.enableChangeDataFeed": "true",
  "delta.enableDeletionVectors": "true",
});

function parseProperties(text: string): Readonly<Record<string, string>> {
  const pairs = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => p.split("=").map((x) => x.trim()) as [string, string]);
  return Object.freeze(Object.fromEntries(pairs));
}

/** The environment of this process: the one place `process.env` is read. */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
