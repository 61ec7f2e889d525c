import { loadConfig, processEnvironment } from "../config/index.js";
import { createEventBus } from "../observability/events.js";
import { createLogger } from "../observability/logger.js";
import { subscribeLogger } from "../observability/log-subscriber.js";
import { startWorker } from "../worker/worker.js";
import { EXIT, UsageError, parseFlags, printHelp } from "./cli-support.js";
import { aborted, type Lifecycle } from "./lifecycle.js";

export const START_HELP = `Usage: npm start

The worker: syncs on SYNC_SCHEDULE (cron, UTC; default every 30 minutes), once at start unless
SYNC_ON_START=false, and serves GET /healthz, /readyz, /metrics and /api/kpis on PORT (default 8080)
until SIGTERM/SIGINT/SIGHUP. /readyz answers from the last contact with the warehouse; it opens a session
itself only after a failed one, at most once per READINESS_CHECK_INTERVAL (default 15m). The first signal lets the batch in flight finish (SHUTDOWN_TIMEOUT_MS, default
30 s) and exits 0; a second signal or the deadline exits 1.`;

export async function startCommand(args: readonly string[], lifecycle: Lifecycle): Promise<number> {
  const { values, positionals } = parseFlags(args, { help: { type: "boolean", short: "h" } }, true);
  if (values.help) {
    printHelp(START_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals.join(" ")}`);
  const config = loadConfig({ env: processEnvironment(), requireToken: true });
  const logger = createLogger(config.log);
  const events = createEventBus((error, event) => logger.error({ err: error, event }, "event listener failed"));
  subscribeLogger(events, logger);
  const worker = await startWorker({ config, logger, events });
  process.stderr.write(`worker listening on :${worker.port}, schedule "${config.worker.schedule}" (UTC)\n`);
  await aborted(lifecycle.signal);
  logger.info("shutdown requested: finishing the batch in flight");
  // Graceful first; forceful after SHUTDOWN_TIMEOUT_MS or on a second signal.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((resolve) => (timer = setTimeout(() => resolve("deadline"), config.worker.shutdownTimeoutMs)));
  const outcome = await Promise.race([worker.stop().then(() => "stopped" as const), deadline, aborted(lifecycle.forced).then(() => "forced" as const)]);
  clearTimeout(timer);
  if (outcome === "stopped") return EXIT.ok;
  if (outcome === "deadline") process.stderr.write(`shutdown took longer than ${config.worker.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting now\n`);
  await worker.kill();
  return EXIT.failed;
}
