import type { Measurement, Scenario } from "../bench-types.js";
import { benchWorkspace, type BenchWorkspace } from "../support/bench-workspace.js";
import { rateBound, round } from "../support/figures.js";
import { underLoad } from "../support/load.js";
import { verifyCopy } from "../support/verify-copy.js";

const LATENCY_MS = 300;
const RPS = 3;
const DATABASES = ["budget_lines"];
const NAME = "7. latency tolerance (300 ms per request, 3 rps)";

/**
 * 7. Latency tolerance: 300 ms per request and 3 requests per second (sandbox and engine). Query
 * pages follow each other's cursor, so only pipelining (the next page requested while the last
 * batch is transformed and written) keeps the wall time near the rate bound: the least time the
 * requests can take through the engine's pacer, `(requests − burst) / rps`, plus the last answer's
 * latency. `requests / rps` is shown beside it but is no bound (the first `burst` leave at once).
 * With `--load N` it runs again with N CPU burners spinning.
 */
export const latencyTolerance: Scenario = {
  name: NAME,
  async run({ quick, load }) {
    const lines = quick ? 2_000 : 5_000;
    const ws = await benchWorkspace({ scale: lines, rps: RPS, latencyMs: LATENCY_MS });
    try {
      const results = [await measure(ws, lines, 0)];
      if (load > 0) results.push(await measure(ws, lines, load));
      return results;
    } finally {
      await ws.close();
    }
  },
};

async function measure(ws: BenchWorkspace, lines: number, load: number): Promise<Measurement> {
  ws.freshWarehouse();
  await ws.sandbox.setRateLimit(RPS);
  const env = { NOTION_RPS: String(RPS), NOTION_BURST: String(RPS) };
  const burst = ws.config(env).notion.burst;
  const run = await underLoad(load, () => ws.sync({ databases: DATABASES, full: true, env }));
  await verifyCopy(NAME, ws.config(), await ws.sandbox.expectedPages(DATABASES));
  const { naive, bound } = rateBound(run.requests.total, RPS, burst, LATENCY_MS / 1000);
  const serialSeconds = (run.requests.total * LATENCY_MS) / 1000;
  return {
    name: load > 0 ? `7. latency tolerance under --load ${load} (${load} CPU burners)` : NAME,
    figures: {
      pages: run.pagesRead,
      requests: run.requests.total,
      rate_limited_429: run.requests.rateLimited,
      wall_seconds: round(run.seconds),
      budget_used: round(bound / run.seconds, 3),
      naive_budget_used: round(naive / run.seconds, 3),
    },
    bound: {
      ...(load > 0 ? { cpu_burners: load } : {}),
      rps: RPS,
      burst,
      latency_ms: LATENCY_MS,
      bound_seconds: round(bound),
      naive_seconds: round(naive),
      latency_only_seconds: round(serialSeconds),
      target_budget_used: 0.9,
    },
    judge: (f) => f.budget_used! >= 0.9,
    notes: `${lines} budget lines${load > 0 ? `; ${load} CPU burner processes spinning during the sync` : ""}; bound_seconds = (requests − burst) / rps + one latency (the last answer), the least time through the engine's pacer; budget_used = bound_seconds / wall_seconds; naive_seconds = requests / rps ignores the burst, so naive_budget_used can pass 1; latency_only = requests × latency (what one request at a time would cost without the rate limit)`,
  };
}
