import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { round } from "../support/figures.js";
import { expectedPages } from "../support/request-bound.js";
import { verifyCopy } from "../support/verify-copy.js";

const LATENCY_MS = 300;
const RPS = 3;
const DATABASES = ["budget_lines"];

/**
 * 7. Latency tolerance: 300 ms per request and 3 requests per second (sandbox and engine). Query
 * pages follow each other's cursor, so only pipelining (the next page requested while the last
 * batch is transformed and written) keeps the wall time at the rate bound `requests / rps`.
 */
export const latencyTolerance: Scenario = {
  name: "7. latency tolerance (300 ms per request, 3 rps)",
  async run({ quick }) {
    const lines = quick ? 2_000 : 5_000;
    const ws = await benchWorkspace({ scale: lines, rps: RPS, latencyMs: LATENCY_MS });
    try {
      const run = await ws.sync({ databases: DATABASES, full: true, env: { NOTION_RPS: String(RPS), NOTION_BURST: String(RPS) } });
      await verifyCopy(this.name, ws.config(), expectedPages(ws.sandbox, DATABASES));
      const boundSeconds = run.requests.total / RPS;
      const serialSeconds = (run.requests.total * LATENCY_MS) / 1000;
      return [{
        name: this.name,
        figures: { pages: run.pagesRead, requests: run.requests.total, rate_limited_429: run.requests.rateLimited, wall_seconds: round(run.seconds), budget_used: round(boundSeconds / run.seconds, 3) },
        bound: { bound_seconds: round(boundSeconds), latency_only_seconds: round(serialSeconds), target_budget_used: 0.9 },
        target_met: boundSeconds / run.seconds >= 0.9,
        notes: `${lines} budget lines; bound = requests / rps; latency_only = requests × latency (what one request at a time would cost without the rate limit)`,
      }];
    } finally {
      await ws.close();
    }
  },
};
