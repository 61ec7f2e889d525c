import type { Mapping } from "./mapping.js";
import type { ProxySettings } from "./proxy.js";
import type { Secret } from "./secret.js";

/** Everything the Notion edge needs; `token` prints as `[redacted]`. */
export interface NotionSettings {
  readonly token: Secret | undefined;
  readonly baseUrl: string | undefined;
  /** Average requests per second for all databases of the token. */
  readonly rps: number;
  /** Requests that may go out at once after an idle period (token-bucket capacity). */
  readonly burst: number;
  readonly timeoutMs: number;
  /** Retries of one request on transient errors before the database fails. */
  readonly maxRetries: number;
  /** The proxy to Notion (HTTPS_PROXY, unless NO_PROXY names its host); absent: direct. */
  readonly proxy?: ProxySettings;
}

export type WarehouseSettings = DuckDbSettings | DatabricksSettings;

export interface DuckDbSettings {
  readonly kind: "duckdb";
  readonly path: string;
  readonly memoryLimit: string;
  readonly threads: number;
  /** Rows per row group (the file is ATTACHed with it); unset: DuckDB's 122,880. */
  readonly rowGroupSize?: number;
}

/** A Databricks SQL warehouse; the secrets print as `[redacted]`. */
export interface DatabricksSettings {
  readonly kind: "databricks";
  readonly host: string;
  readonly httpPath: string;
  /** Unity Catalog catalog; undefined: the workspace default, names are `schema.table`. */
  readonly catalog: string | undefined;
  readonly auth: { readonly kind: "token"; readonly token: Secret } | { readonly kind: "oauth-m2m"; readonly clientId: string; readonly clientSecret: Secret };
  /** Delta table properties of CREATE TABLE. */
  readonly tableProperties: Readonly<Record<string, string>>;
  readonly statementTimeoutSeconds: number;
  readonly connectTimeoutMs: number;
  /** The proxy to the workspace (HTTPS_PROXY, unless NO_PROXY names the host); undefined: direct. */
  readonly proxy: ProxySettings | undefined;
  /** How long opening a session waits for a warehouse that is starting (DATABRICKS_STARTUP_TIMEOUT_MS). */
  readonly startupTimeoutMs: number;
  readonly maxRetries: number;
}

/** The worker service (`npm start`). */
export interface WorkerSettings {
  readonly port: number;
  /** node-cron expression, evaluated in UTC. */
  readonly schedule: string;
  readonly runOnStart: boolean;
  /** How long a stop waits for the batch in flight before the process is forced out. */
  readonly shutdownTimeoutMs: number;
  /** How long readiness goes on a failed contact with the warehouse before a probe may check it again (READINESS_CHECK_INTERVAL). */
  readonly readinessCheckIntervalMs: number;
  readonly webhooks: WebhookSettings;
}

/** Notion webhooks (NOTION_WEBHOOKS): events that start targeted syncs between the ticks. */
export interface WebhookSettings {
  readonly enabled: boolean;
  /** NOTION_WEBHOOK_VERIFICATION_TOKEN; unset: the token the subscription's handshake stored. */
  readonly verificationToken: Secret | undefined;
  /** How long events are gathered before their databases are synced (NOTION_WEBHOOK_DEBOUNCE). */
  readonly debounceMs: number;
}

/** The whole configuration: defaults, then the YAML mapping, then the environment, then flags. Frozen. */
export interface AppConfig {
  readonly mapping: Mapping;
  readonly notion: NotionSettings;
  readonly warehouse: WarehouseSettings;
  readonly watermarkDir: string;
  /** A run lock whose holder cannot be checked (another host, an earlier life of PID 1) is taken over once its heartbeat is this old. */
  readonly lockStaleAfterMs: number;
  readonly worker: WorkerSettings;
  /** `auto`: readable on a terminal, JSON lines otherwise. */
  readonly log: { readonly level: string; readonly format: "json" | "pretty" | "auto" };
}
