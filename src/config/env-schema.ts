import { validateDetailed } from "node-cron";
import { z } from "zod";

/**
 * The environment variables of the outside contract, with their defaults. Parsed once by
 * `loadConfig`; nothing else in the code base reads `process.env`.
 */
const positiveNumber = z.coerce.number().positive();

export const envSchema = z.object({
  NOTION_TOKEN: z.string().min(1).optional(),
  NOTION_BASE_URL: z.url().optional(),
  NOTION_RPS: positiveNumber.default(3),
  /** Token-bucket capacity of the pacer; Notion allows short bursts above the average rate. */
  NOTION_BURST: z.coerce.number().int().positive().optional(),
  NOTION_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  NOTION_MAX_RETRIES: z.coerce.number().int().min(0).max(50).default(8),
  WAREHOUSE: z.enum(["duckdb", "databricks"]).default("duckdb"),
  DUCKDB_PATH: z.string().min(1).default("data/warehouse.duckdb"),
  /**
   * The embedded warehouse's buffer pool (DuckDB's own default is 80% of the machine's memory). 64MB
   * keeps a 100,000-page full sync under 300 MB; 32MB ran out of memory on 41 projects of 2,440 relation ids each.
   */
  DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, "must be a size such as 64MB or 1GB")
    .default("64MB"),
  DUCKDB_THREADS: z.coerce.number().int().min(1).max(64).default(2),
  /** Rows per row group of the embedded warehouse's tables; DuckDB takes multiples of its vector size, 2048. */
  DUCKDB_ROW_GROUP_SIZE: z.coerce
    .number()
    .int()
    .min(2_048)
    .max(122_880)
    .refine((n) => n % 2_048 === 0, "must be a multiple of 2048 (DuckDB's vector size), e.g. 4096")
    .default(4_096),
  /** The workspace host, with or without `https://` (e.g. `adb-123.4.azuredatabricks.net`). */
  DATABRICKS_HOST: z
    .string()
    .trim()
    .transform((v) => v.replace(/^https?:\/\//i, "").replace(/\/+$/, ""))
    .pipe(z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "must be a host name such as adb-123.4.azuredatabricks.net"))
    .optional(),
  /** The SQL warehouse's HTTP path, from its Connection details (e.g. `/sql/1.0/warehouses/abc123`). */
  DATABRICKS_HTTP_PATH: z
    .string()
    .trim()
    .regex(/^\/\S+$/, "must be the warehouse's HTTP path, starting with / (e.g. /sql/1.0/warehouses/abc123)")
    .optional(),
  DATABRICKS_TOKEN: z.string().min(1).optional(),
  DATABRICKS_CLIENT_ID: z.string().min(1).optional(),
  DATABRICKS_CLIENT_SECRET: z.string().min(1).optional(),
  /** Unity Catalog catalog for every schema; unset: the workspace default (two-level names). */
  DATABRICKS_CATALOG: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a catalog name ([A-Za-z_][A-Za-z0-9_]*)")
    .optional(),
  /** Delta table properties of the tables the worker creates, `key=value,…`; empty for none. */
  DATABRICKS_TABLE_PROPERTIES: z
    .string()
    .regex(
      /^\s*([\w.]+\s*=\s*[\w.-]+\s*(,\s*[\w.]+\s*=\s*[\w.-]+\s*)*)?$/,
      "must be key=value pairs separated by commas (e.g. delta.enableChangeDataFeed=true,delta.enableDeletionVectors=true)",
    )
    .optional(),
  /** Longest a statement may run on the warehouse (its STATEMENT_TIMEOUT), in seconds. */
  DATABRICKS_STATEMENT_TIMEOUT_S: z.coerce.number().int().min(10).max(172_800).default(3_600),
  /** Bound of opening a session and of each HTTP request of the driver, in milliseconds. */
  DATABRICKS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** How long opening a session waits for a warehouse that is starting (503, 429, timeouts), in milliseconds; 0: not at all. */
  DATABRICKS_STARTUP_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(300_000),
  /** Retries of one statement on transient errors (network, 5xx, Delta write conflicts). */
  DATABRICKS_MAX_RETRIES: z.coerce.number().int().min(0).max(20).default(5),
  MAPPING_PATH: z.string().min(1).default("config/notion_mapping.yaml"),
  WATERMARK_DIR: z.string().min(1).default("watermarks"),
  /** Seconds without a heartbeat after which a run lock that cannot be checked otherwise is stale. */
  LOCK_STALE_AFTER_S: z.coerce.number().int().min(2).max(86_400).default(120),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  SYNC_SCHEDULE: z
    .string()
    .default("*/30 * * * *")
    .superRefine((value, ctx) => {
      const result = validateDetailed(value);
      if (!result.valid)
        ctx.addIssue({ code: "custom", message: `is not a valid cron expression: ${result.errors.map((e) => `${e.field}: ${e.message}`).join("; ")}` });
    }),
  SYNC_ON_START: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /**
   * Longest the worker's readiness goes on the last contact with the warehouse before `/readyz` opens a
   * session to check it: `15m`, `90s`, `1h`, or a bare number of minutes. In milliseconds once parsed.
   */
  READINESS_CHECK_INTERVAL: z
    .string()
    .default("15m")
    .transform((value, ctx) => {
      const ms = durationMs(value);
      if (ms === undefined || ms < 1_000 || ms > 86_400_000) {
        ctx.addIssue({ code: "custom", message: "must be a duration from 1s to 24h such as 15m, 90s or 1h (a bare number is minutes)" });
        return z.NEVER;
      }
      return ms;
    }),
  /** `on`: the worker accepts Notion's webhook deliveries at `POST /webhooks/notion`. */
  NOTION_WEBHOOKS: z
    .enum(["on", "off", "true", "false", "1", "0"])
    .default("off")
    .transform((v) => v === "on" || v === "true" || v === "1"),
  /** The webhook subscription's verification token; unset: what the handshake stored in the watermark directory. */
  NOTION_WEBHOOK_VERIFICATION_TOKEN: z.string().min(1).optional(),
  /** How long events are gathered before their databases are synced: `5s`, `500ms`, `1m`. In milliseconds once parsed. */
  NOTION_WEBHOOK_DEBOUNCE: z
    .string()
    .default("5s")
    .transform((value, ctx) => {
      const ms = durationMs(value);
      if (ms === undefined || ms > 600_000) {
        ctx.addIssue({ code: "custom", message: "must be a duration up to 10m such as 5s, 500ms or 1m (a bare number is minutes)" });
        return z.NEVER;
      }
      return ms;
    }),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Unset: readable lines when stderr is a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(["json", "pretty", "auto"]).default("auto"),
});
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `15m`, `90s`, `1h`, `500ms` or a bare number of minutes, in milliseconds; undefined when it is none of these. */
function durationMs(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[(match[2] ?? "m").toLowerCase()] ?? 0);
}

export type EnvValues = z.infer<typeof envSchema>;

/** Variables whose values are secrets: never echoed in an error message. */
export const SECRET_VARIABLES = ["NOTION_TOKEN", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_SECRET", "NOTION_WEBHOOK_VERIFICATION_TOKEN"] as const;
