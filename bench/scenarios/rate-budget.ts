import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { CHAIN, needsUsers, rateBound, round } from "../support/figures.js";
import { expectedPages, minimumRequests } from "../support/request-bound.js";
import { verifyCopy } from "../support/verify-copy.js";

const RPS = 30;

/**
 * 1. Rate-budget efficiency: a full sync of the three chained databases with the sandbox enforcing
 * RPS (and the engine's pacer configured to RPS with a burst of RPS). Wall time against the least
 * time the requests made can take through the pacer, `(requests − burst) / rps` (the first `burst`
 * leave at once); `requests / rps` is shown beside it but is no bound. Requests made against the
 * fewest the data needs.
 */
export const rateBudget: Scenario = {
  name: "1. rate-budget efficiency (full sync, sandbox at 30 rps)",
  async run({ quick }) {
    const lines = quick ? 5_000 : 20_000;
    const ws = await benchWorkspace({ scale: lines, rps: RPS });
    try {
      const config = ws.config();
      const minimum = minimumRequests(ws.sandbox, CHAIN, needsUsers(config, CHAIN));
      const env = { NOTION_RPS: String(RPS), NOTION_BURST: String(RPS) };
      const burst = ws.config(env).notion.burst;
      const run = await ws.sync({ databases: CHAIN, full: true, env });
      await verifyCopy(this.name, config, expectedPages(ws.sandbox, CHAIN));
      const { naive, bound } = rateBound(run.requests.total, RPS, burst);
      const budgetUsed = bound / run.seconds;
      const requestRatio = run.requests.total / minimum.total;
      return [
        {
          name: this.name,
          figures: {
            pages: run.pagesRead,
            wall_seconds: round(run.seconds),
            requests: run.requests.total,
            query_requests: run.requests.queries,
            relation_item_requests: run.requests.propertyItems,
            rate_limited_429: run.requests.rateLimited,
            budget_used: round(budgetUsed, 3),
            naive_budget_used: round(naive / run.seconds, 3),
            requests_vs_minimum: round(requestRatio, 3),
          },
          bound: {
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
          target_met: budgetUsed >= 0.9 && requestRatio <= 1.05,
          notes: `${CHAIN.join(", ")}; ${lines} budget lines; bound_seconds = (requests − burst) / rps, the least time through the engine's pacer (a token bucket that starts full), and budget_used = bound_seconds / wall_seconds (at most 1); naive_seconds = requests / rps ignores the burst, so naive_budget_used can pass 1; min_requests = ceil(live pages/100) per database + the relation items (and rollups over them) of pages whose relation is truncated, 100 per request + per database 2 schema reads and 1 trash query + the users list`,
        },
      ];
    } finally {
      await ws.close();
    }
  },
};
