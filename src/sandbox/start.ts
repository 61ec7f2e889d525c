import { FaultInjector } from "./http/faults.js";
import { createRequestHandler } from "./http/pipeline.js";
import { TokenBucketLimiter } from "./http/rate-limit.js";
import { listen } from "./http/server.js";
import { dataSourceRoutes } from "./routes/data-sources.js";
import { pageRoutes } from "./routes/pages.js";
import { propertyRoutes } from "./routes/properties.js";
import { searchRoutes } from "./routes/search.js";
import { userRoutes } from "./routes/users.js";
import { buildWorkspace } from "./seed/build.js";
import { plantedProblems } from "./seed/plan.js";
import { DATABASE_KEYS } from "./seed/schemas.js";
import { SandboxStore } from "./store/sandbox-store.js";
import type { Workspace } from "./store/workspace.js";
import type { RequestLogEntry, Sandbox, SandboxDatabase, SandboxOptions } from "./types.js";
import { subscribe, type WebhookSubscription } from "./webhooks/subscription.js";

const ROUTES = [...userRoutes, ...searchRoutes, ...dataSourceRoutes, ...propertyRoutes, ...pageRoutes];

function check(name: string, value: number | undefined, min: number, max = Number.POSITIVE_INFINITY): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= min && value <= max)) {
    throw new RangeError(`sandbox option ${name} must be within ${min}..${max}, got ${value}`);
  }
}

function databasesOf(ws: Workspace): Record<string, SandboxDatabase> {
  const databases: Record<string, SandboxDatabase> = {};
  for (const key of DATABASE_KEYS) {
    const ds = [...ws.dataSources.values()].find((d) => d.key === key);
    if (ds) databases[key] = { key, envVar: ds.envVar, databaseId: ds.databaseId, dataSourceId: ds.id, title: ds.title };
  }
  return databases;
}

function checkOptions(options: SandboxOptions): void {
  check("port", options.port, 0, 65535);
  check("scale", options.scale, 0);
  check("rps", options.rps, 0);
  check("burst", options.burst, 1);
  check("faultRate", options.faultRate, 0, 1);
  check("latencyMs", options.latencyMs, 0);
  check("resultLimit", options.resultLimit, 1);
}

/** Seeds the workspace and starts the Notion-compatible server on 127.0.0.1. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  const seed = options.seed ?? 1;
  const token = options.token ?? "secret_sandbox";
  const now = options.now ?? Date.now;
  const ws = buildWorkspace({ seed, now, ...(options.scale === undefined ? {} : { budgetLines: options.scale }) });
  const limiter = new TokenBucketLimiter(options.rps ?? 0, options.burst);
  const faults = new FaultInjector(seed, options.faultRate ?? 0);
  const requests: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = "";
  const server = await listen(
    options.port ?? 0,
    createRequestHandler({
      ws,
      token,
      resultLimit: Math.floor(options.resultLimit ?? 10_000),
      latencyMs: options.latencyMs ?? 0,
      faults,
      limiter,
      log: requests,
      routes: ROUTES,
      baseUrl: () => baseUrl,
      timers,
    }),
  );
  baseUrl = server.url;
  const databases = databasesOf(ws);
  let subscription: WebhookSubscription | undefined;
  const budgetLines = databases["budget_lines"] ? ws.dataSources.get(databases["budget_lines"].dataSourceId)?.pages.length : undefined;
  return {
    url: server.url,
    token,
    databases,
    env: () => ({
      NOTION_BASE_URL: server.url,
      NOTION_TOKEN: token,
      ...Object.fromEntries(Object.values(databases).map((d) => [d.envVar, d.databaseId])),
    }),
    store: new SandboxStore(ws),
    faults: { inject: (rule) => faults.inject(rule), clear: () => faults.clear() },
    requests,
    plantedProblems: plantedProblems(seed, budgetLines),
    setRateLimit: (rps, burst) => limiter.configure(rps, burst),
    webhooks: {
      async subscribe(subscriptionOptions) {
        subscription?.close();
        subscription = await subscribe(ws, subscriptionOptions);
        return subscription;
      },
    },
    close: async () => {
      subscription?.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await server.close();
    },
  };
}
