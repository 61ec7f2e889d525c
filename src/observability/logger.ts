import pino, { type Logger } from "pino";
import { prettyLine } from "./pretty-log.js";

/**
 * The pino logger, always on stderr (stdout is for results and `--json`): JSON lines, or readable
 * lines (`pretty-log.ts`). `auto` (LOG_FORMAT unset) is readable on a terminal and JSON otherwise, for
 * log collectors. Colours only on a terminal, never into a file. Known secret fields are redacted; the
 * Secret type prints as `[redacted]` anyway.
 */
export type LogFormat = "json" | "pretty" | "auto";

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
  "NOTION_WEBHOOK_VERIFICATION_TOKEN",
  "*.NOTION_WEBHOOK_VERIFICATION_TOKEN",
  "verification_token",
  "*.verification_token",
];

export interface LoggerOptions {
  readonly level: string;
  readonly format: LogFormat;
  /** Where JSON lines go instead of stderr (tests, benchmarks). */
  readonly destination?: pino.DestinationStream;
  /** Whether stderr is a terminal (default: asked of the process). */
  readonly terminal?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { service: "notion-delta-sync" } };
  if (options.destination) return pino(base, options.destination);
  const stderr = pino.destination({ dest: 2, sync: true });
  const terminal = options.terminal ?? process.stderr.isTTY === true;
  if (options.format === "json" || (options.format === "auto" && !terminal)) return pino(base, stderr);
  return pino(base, { write: (line: string) => stderr.write(prettyLine(line, terminal)) });
}
