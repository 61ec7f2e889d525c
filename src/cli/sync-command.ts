import { loadConfig, processEnvironment } from "../config/index.js";
import { createEventBus, type DatabaseSummary } from "../observability/events.js";
import { createLogger } from "../observability/logger.js";
import { subscribeLogger } from "../observability/log-subscriber.js";
import { runSync } from "../pipeline/index.js";
import { EXIT, UsageError, humanOutput, parseFlags, printHelp, printable } from "./cli-support.js";

export const SYNC_HELP = `Usage: npm run sync -- [--full] [--database KEY ...] [--dry-run] [--json]

One sync run of every database in the mapping (or the named ones), then exit.
  --full            resync from the beginning (ignores watermarks; nothing is duplicated)
  --database KEY    only this database (repeatable)
  --dry-run         read and validate, write nothing
  --json            print the run's result as JSON on stdout
Exit codes: 0 all ok · 1 a database failed (the others still synced) · 2 bad config or usage`;

export async function syncCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      full: { type: "boolean" },
      database: { type: "string", multiple: true },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) {
    printHelp(SYNC_HELP);
    return EXIT.ok;
  }
  // `--database a b` as well as `--database a --database b`.
  if (positionals.length > 0 && !values.database) throw new UsageError(`unexpected argument ${positionals.map((p) => `"${p}"`).join(" ")}`);
  const databases = values.database ? [...values.database, ...positionals] : undefined;
  const config = loadConfig({ env: processEnvironment(), requireToken: true, ...(databases ? { databases } : {}) });
  const logger = createLogger(config.log);
  const events = createEventBus((error, event) => logger.error({ err: error, event }, "event listener failed"));
  subscribeLogger(events, logger);
  const result = await runSync({ config, logger, events }, { full: values.full, databases, dryRun: values["dry-run"], signal });
  const out = humanOutput(values.json ?? false);
  for (const summary of result.summaries) out.write(`${summaryLine(summary, values["dry-run"])}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** One database's line; a dry run says what would have been written, since nothing was. */
export function summaryLine(s: DatabaseSummary, dryRun = false): string {
  const seconds = ((s.finishedAt.getTime() - s.startedAt.getTime()) / 1000).toFixed(1);
  const mark = { success: "✓", skipped: "-", interrupted: "■", failed: "✗" }[s.status];
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
  const written = dryRun
    ? `${n(s.rowsUpserted, "row")} would be upserted, ${s.rowsQuarantined} would be quarantined, nothing written`
    : `${n(s.rowsUpserted, "row")} upserted, ${s.rowsQuarantined} quarantined`;
  const figures = `${s.mode}${dryRun ? " (dry run)" : ""}: ${n(s.pagesRead, "page")} read, ${written}, ${n(s.notionRequests, "request")}, ${seconds}s`;
  return `${mark} ${s.databaseKey.padEnd(14)} ${figures}${s.error ? `\n    ${printable(s.error)}` : ""}`;
}
