import pino, { type Logger } from "pino";

/**
 * The pino logger: JSON lines on stderr (stdout is for `--json` results), or pretty lines with
 * LOG_FORMAT=pretty. Known secret fields are redacted; the Secret type prints as `[redacted]` anyway.
 */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "auth",
  "*.auth",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "NOTION_TOKEN",
  "*.NOTION_TOKEN",
  "DATABRICKS_TOKEN",
  "*.DATABRICKS_TOKEN",
  "DATABRICKS_CLIENT_SECRET",
  "*.DATABRICKS_CLIENT_SECRET",
];

export function createLogger(options: { level: string; format: "json" | "pretty"; destination?: pino.DestinationStream }): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "notion-delta-sync" } };
  if (options.destination) return pino(base, options.destination);
  if (options.format === "pretty") {
    return pino({ ...base, transport: { target: "pino-pretty", options: { destination: 2, colorize: true, translateTime: "SYS:standard" } } });
  }
  return pino(base, pino.destination({ dest: 2, sync: true }));
}
