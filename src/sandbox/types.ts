/**
 * Public contract of the Notion sandbox: a local, Notion-API-compatible HTTP server
 * (API version 2025-09-03 shapes) serving a seeded finance PPM workspace.
 *
 * The sandbox is an outside system in miniature: it imports nothing from the rest of `src/`.
 */
import type { WebhookSubscription, WebhookSubscriptionOptions } from "./webhooks/subscription.js";
import type { SandboxStore } from "./store/sandbox-store.js";

/** Options of {@link startSandbox}. Every knob has a default; `{}` gives a quiet, fast, deterministic server. */
export interface SandboxOptions {
  /** TCP port; default 0 (ephemeral). The host is always 127.0.0.1. */
  port?: number;
  /** Bearer token the server accepts; default `"secret_sandbox"`. */
  token?: string;
  /** Workspace seed; default 1. The same seed gives the same ids and data, byte for byte. */
  seed?: number;
  /** Number of pages of the largest data source (budget_lines); default 400. */
  scale?: number;
  /** Average requests per second per token (token bucket); 0 disables rate limiting. Default 0 (the CLI uses 3). */
  rps?: number;
  /** Token-bucket capacity; default `max(1, ceil(rps * 2))`. */
  burst?: number;
  /** 0..1: share of requests answered by a seeded random fault (500/502/503/504/529 or a dropped connection). */
  faultRate?: number;
  /** Delay added to each request, in milliseconds. */
  latencyMs?: number;
  /** Per-query result cap (Notion's is 10,000); default 10000. */
  resultLimit?: number;
  /** Clock (ms since epoch) used to stamp created_time/last_edited_time and file URL expiries; default `Date.now`. */
  now?: () => number;
}

/** One seeded database and its single data source. */
export interface SandboxDatabase {
  /** The mapping key: programs, projects, budget_lines, milestones, risks. */
  key: string;
  /** The environment variable the mapping reads its id from, e.g. `NOTION_PROGRAMS_DB`. */
  envVar: string;
  databaseId: string;
  dataSourceId: string;
  title: string;
}

/**
 * A deterministic fault rule: the first `times` requests matching `method` and `path` get the fault.
 * `path` is compared with the request path without its query string (a string must match exactly).
 * `kind` defaults to "status"; `status` defaults to 500 (502 for "html"); `retryAfterSec` sets `Retry-After`
 * (429 and 529 answers carry `Retry-After: 1` when it is not given).
 * `"body"` answers `body` as is (status default 200, `content-type: application/json`): truncated JSON, a
 * wrong envelope. `"mutate"` serves the real answer passed through `mutate` (missing fields, unknown
 * property types); the request is authenticated and rate limited as usual.
 */
export interface FaultRule {
  method?: string;
  path?: string | RegExp;
  status?: number;
  times: number;
  retryAfterSec?: number;
  kind?: "status" | "drop" | "html" | "body" | "mutate";
  /** The answer's text, for `kind: "body"`. */
  body?: string;
  /** Rewrites the real JSON answer, for `kind: "mutate"`. */
  mutate?: (json: unknown) => unknown;
}

/** One served request. `status` is 0 when the connection was dropped. `at` is `Date.now()` when it finished. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
}

/** A data-quality problem planted on purpose in the seeded workspace (see `plantedProblems`). */
export interface PlantedProblem {
  /** Mapping database key. */
  database: string;
  pageId: string;
  /** Mapping column name (`column_name` in config/notion_mapping.yaml). */
  column: string;
  rule: "invalid" | "required" | "orphan" | "duplicate";
  /** What was planted, for humans. */
  note: string;
}

/** A running sandbox. Call {@link Sandbox.close} when done. */
export interface Sandbox {
  /** Base URL without `/v1`, e.g. `http://127.0.0.1:43123` (the SDK appends `/v1/`). */
  url: string;
  token: string;
  /** Keyed by mapping key: programs, projects, budget_lines, milestones, risks. */
  databases: Record<string, SandboxDatabase>;
  /** NOTION_BASE_URL, NOTION_TOKEN and one NOTION_<KEY>_DB=<database id> per database. */
  env(): Record<string, string>;
  /** Direct access to the workspace, for test oracles and edits without HTTP. */
  store: SandboxStore;
  /** Deterministic fault injection; rules are consumed in the order they were added. */
  faults: { inject(rule: FaultRule): void; clear(): void };
  /** Every request served so far (append-only; tests may clear it with `requests.length = 0`). */
  requests: RequestLogEntry[];
  /** The data-quality problems planted in this workspace. */
  plantedProblems: PlantedProblem[];
  /**
   * The workspace's one webhook subscription: `subscribe` performs the handshake with the URL and then
   * sends signed events for page creates, property updates, moves, trashes, restores and schema changes
   * (a new subscription replaces the previous one).
   */
  webhooks: { subscribe(options: WebhookSubscriptionOptions): Promise<WebhookSubscription> };
  /** Changes the rate limit at run time (buckets restart full); rps 0 turns it off. */
  setRateLimit(rps: number, burst?: number): void;
  /** Closes the server and every open socket. */
  close(): Promise<void>;
}
