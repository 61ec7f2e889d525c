import type { Measurement, Scenario } from "../bench-types.js";
import { benchWorkspace, type BenchWorkspace } from "../support/bench-workspace.js";
import { CHAIN, needsUsers, rateBound, round } from "../support/figures.js";
import { underLoad } from "../support/load.js";
import { verifyCopy } from "../support/verify-copy.js";

const RPS = 30;
const NAME = "1. rate-budget efficiency (full sync, sandbox at 30 rps)";

/**
 * 1. Rate-budget efficiency: a full sync of the three chained databases with the sandbox enforcing
 * RPS (and the engine's pacer configured to RPS with a burst of RPS). Wall time against the least
 * time the requests made can take through the pacer, `(requests − burst) / rps` (the first `burst`
 * leave at once); `requests / rps` is shown beside it but is no bound. Requests made against the
 * fewest the data needs. With `--load N` the same sync runs again with N CPU burners spinning: the
 * pacing must hold when the engine shares its cores.
 */
export const rateBudget: Scenario = {
  name: NAME,
  async run({ quick, load }) {
    const lines = quick ? 5_000 : 20_000;
    const ws = await benchWorkspace({ scale: lines, rps: RPS });
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
  const config = ws.config();
  const minimum = await ws.sandbox.minimumRequests(CHAIN, needsUsers(config, CHAIN));
  const env = { NOTION_RPS: String(RPS), NOTION_BURST: String(RPS) };
  const burst = ws.config(env).notion.burst;
  const run = await underLoad(load, () => ws.sync({ databases: CHAIN, full: true, env }));
  await verifyCopy(NAME, ws.config(), await ws.sandbox.expectedPages(CHAIN));
  const { naive, bound } = rateBound(run.requests.total, RPS, burst);
  return {
    name: load > 0 ? `1. rate-budget efficiency under --load ${load} (${load} CPU burners)` : NAME,
    figures: {
      pages: run.pagesRead,
      wall_seconds: round(run.seconds),
      requests: run.requests.total,
      query_requests: run.requests.queries,
      relation_item_requests: run.requests.propertyItems,
      rate_limited_429: run.requests.rateLimited,
      budget_used: round(bound / run.seconds, 3),
      naive_budget_used: round(naive / run.seconds, 3),
      requests_vs_minimum: round(run.requests.total / minimum.total, 3),
      engine_cpu_seconds: round(run.engine.cpuSeconds),
      warehouse_seconds: round(run.statements.driverMs / 1000),
      loop_delay_p99_ms: round(run.engine.loopDelayP99Ms, 1),
    },
    bound: {
      ...(load > 0 ? { cpu_burners: load } : {}),
      rps: RPS,
      burst,
      bound_seconds: round(bound),
      naive_seconds: round(naive),
      min_requests: minimum.total,
      min_query_requests: minimum.queries,
      min_relation_item_requests: minimum.relationItems,
      target_budget_used: 0.9,
      target_requests_vs_minimum: 1.05,
    },
    judge: (f) => f.budget_used! >= 0.9 && f.requests_vs_minimum! <= 1.05,
    notes: `${CHAIN.join(", ")}; ${lines} budget lines${load > 0 ? `; ${load} CPU burner processes spinning during the sync` : ""}; bound_seconds = (requests − burst) / rps, the least time through the engine's pacer (a token bucket that starts full), and budget_used = bound_seconds / wall_seconds (at most 1); naive_seconds = requests / rps ignores the burst, so naive_budget_used can pass 1; min_requests = ceil(live pages/100) per database + the relation items (and rollups over them) of pages whose relation is truncated, 100 per request + per database 2 schema reads and 1 trash query + the users list; engine_cpu_seconds and loop_delay_p99_ms are the engine process's CPU time (all its threads) and event-loop delay (p99) during the sync; warehouse_seconds the wall time it spent waiting on the warehouse driver`,
  };
}
