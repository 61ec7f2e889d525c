/**
 * A full sync in its own process, for the memory figure: runs the library's runSync with the
 * environment it is given and prints one JSON line with its peak RSS and counts.
 */
import { loadConfig, processEnvironment } from "../src/config/index.js";
import { createLogger } from "../src/observability/logger.js";
import { runSync } from "../src/pipeline/index.js";

const config = loadConfig({ env: processEnvironment(), requireToken: true });
const logger = createLogger({ level: "warn", format: "json" });
const started = performance.now();
const result = await runSync({ config, logger }, { full: true, databases: processEnvironment().BENCH_DATABASES?.split(",") });
const pages = result.summaries.reduce((n, s) => n + s.pagesRead, 0);
const requests = result.summaries.reduce((n, s) => n + s.notionRequests, 0);
process.stdout.write(`${JSON.stringify({ ok: result.ok, pages, requests, seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
