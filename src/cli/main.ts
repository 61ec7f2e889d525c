#!/usr/bin/env node
import { EXIT, UsageError, reportFailure } from "./cli-support.js";
import { demoCommand } from "./demo-command.js";
import { dqCommand } from "./dq-command.js";
import type { Lifecycle } from "./lifecycle.js";
import { mappingCommand } from "./mapping-command.js";
import { rebuildCommand } from "./rebuild-command.js";
import { sqlCommand } from "./sql-command.js";
import { startCommand } from "./start-command.js";
import { syncCommand } from "./sync-command.js";
import { verifyCommand } from "./verify-command.js";
import { watermarksCommand } from "./watermarks-command.js";

const HELP = `Usage: notion-delta-sync <command> [options]

Commands:
  sync         one sync run (see: sync --help)
  watermarks   show or reset watermarks (see: watermarks --help)
  rebuild      silver re-derived from bronze, no Notion (see: rebuild --help)
  verify       preflight of config, Notion access and the warehouse (see: verify --help)
  dq           data-quality checks (see: dq --help)
  mapping      write a mapping draft from Notion, or diff the mapping against Notion (see: mapping --help)
  sql          a query on the warehouse, printed as a table, JSON or CSV (see: sql --help)
  start        the worker: schedule + status endpoints (see: start --help)
  demo         sandbox → sync → edits → incremental sync → report (see: demo --help)`;

/** Milliseconds a stuck shutdown may take before the process is forced out (the worker owns its own deadline). */
const DEFAULT_DEADLINE_MS = 30_000;
/** Commands that stop themselves: a second signal or their own deadline is theirs to handle. */
const OWN_SHUTDOWN = new Set(["start"]);

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const controller = new AbortController();
  const force = new AbortController();
  const lifecycle: Lifecycle = { signal: controller.signal, forced: force.signal };
  const ownShutdown = OWN_SHUTDOWN.has(command ?? "");
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: stopping now\n`);
      force.abort();
      if (!ownShutdown) process.exit(EXIT.failed);
      return;
    }
    process.stderr.write(`${signal}: finishing the batch in flight, then stopping (send again to force)\n`);
    signalled = true;
    controller.abort();
    if (ownShutdown) return;
    setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${DEFAULT_DEADLINE_MS} ms: exiting now\n`);
      process.exit(EXIT.failed);
    }, DEFAULT_DEADLINE_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A closed terminal or a supervisor's reload: stop as cleanly as on SIGTERM, never die without a word.
  process.on("SIGHUP", onSignal);
  switch (command) {
    case "sync":
      return syncCommand(args, controller.signal);
    case "watermarks":
      return watermarksCommand(args);
    case "rebuild":
      return rebuildCommand(args, controller.signal);
    case "demo":
      return demoCommand(args);
    case "start":
      return startCommand(args, lifecycle);
    case "dq":
      return dqCommand(args);
    case "verify":
      return verifyCommand(args);
    case "sql":
      return sqlCommand(args);
    case "mapping":
      return mappingCommand(args);
    case undefined:
    case "--help":
    case "-h":
    case "help":
      // Asked for: a result, on stdout; no command at all: a usage error, on stderr.
      (command === undefined ? process.stderr : process.stdout).write(`${HELP}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * Exit watchdog: if a handle keeps the process alive after the command is done, leave anyway. A
 * command stopped by a signal that failed to stop cleanly (the worker's forced stop) leaves at once.
 */
function finish(code: number): void {
  process.exitCode = code;
  if (code !== EXIT.ok && signalled) process.exit(code);
  setTimeout(() => process.exit(code), 5_000).unref();
}

let signalled = false;
main(process.argv.slice(2)).then(finish, (error: unknown) => finish(reportFailure(error)));
