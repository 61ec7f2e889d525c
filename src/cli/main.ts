#!/usr/bin/env node
import { EXIT, UsageError, reportFailure } from "./cli-support.js";
import { demoCommand } from "./demo-command.js";
import { syncCommand } from "./sync-command.js";
import { watermarksCommand } from "./watermarks-command.js";

const HELP = `Usage: notion-delta-sync <command> [options]

Commands:
  sync         one sync run (see: sync --help)
  watermarks   show or reset watermarks (see: watermarks --help)
  demo         sandbox → sync → edits → incremental sync → report (see: demo --help)`;

/** Milliseconds a second signal or a stuck shutdown waits before the process is forced out. */
const FORCE_EXIT_MS = 30_000;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(EXIT.failed);
    }
    process.stderr.write(`${signal}: finishing the batch in flight, then stopping (send again to force)\n`);
    controller.abort();
    setTimeout(() => process.exit(EXIT.failed), FORCE_EXIT_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  switch (command) {
    case "sync":
      return syncCommand(args, controller.signal);
    case "watermarks":
      return watermarksCommand(args);
    case "demo":
      return demoCommand(args);
    case undefined:
    case "--help":
    case "-h":
    case "help":
      process.stderr.write(`${HELP}\n`);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Exit watchdog: if a handle keeps the process alive after the command is done, leave anyway. */
function finish(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 5_000).unref();
}

main(process.argv.slice(2)).then(finish, (error: unknown) => finish(reportFailure(error)));
