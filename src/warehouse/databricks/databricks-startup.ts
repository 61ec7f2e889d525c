import { setTimeout as sleep } from "node:timers/promises";
import { isWarehouseError, type WarehouseError } from "../warehouse-error.js";

/**
 * A stopped SQL warehouse takes minutes to start (a serverless one seconds). Meanwhile its front end
 * answers 503 TEMPORARILY_UNAVAILABLE (with `Retry-After` in seconds), 502/504 or 429, or a session's
 * first call says its handle is "not initialized", or the request times out. Those are waited out
 * within a budget (DATABRICKS_STARTUP_TIMEOUT_MS); anything else (a refused sign-in, an unknown path,
 * a host that refuses connections) fails at once.
 */

/** What the caller is told before each wait. */
export interface StartupWait {
  /** Attempts so far (the one that just failed included). */
  readonly attempt: number;
  readonly waitMs: number;
  /** Since the first attempt. */
  readonly waitedMs: number;
  readonly budgetMs: number;
  /** Why: the last failure's message. */
  readonly message: string;
}

export interface StartupOptions {
  readonly budgetMs: number;
  readonly onWait?: (wait: StartupWait) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** Backoff without a `Retry-After`: 1 s, doubling, at most 15 s between attempts. */
const FIRST_WAIT_MS = 1_000;
const MAX_WAIT_MS = 15_000;
const STATUSES_OF_A_STARTING_WAREHOUSE = new Set([429, 502, 503, 504]);

interface HttpAnswer {
  readonly headers?: { get?(name: string): string | null };
}

/** Whether this failure to open a session is what a warehouse answers while it starts. */
export function isStarting(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return STATUSES_OF_A_STARTING_WAREHOUSE.has(status);
  if (chain(error).some((e) => e.code === "ETIMEDOUT")) return true;
  return /not initialized|Request timed out|TEMPORARILY_UNAVAILABLE/i.test(error instanceof Error ? error.message : String(error));
}

/** The wait the warehouse asked for in `Retry-After` (seconds, as Databricks sends it), in ms. */
export function retryAfterMs(error: unknown): number | undefined {
  const header = responseOf(error)?.headers?.get?.("retry-after");
  const seconds = typeof header === "string" && header.trim() !== "" ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : undefined;
}

/**
 * Opens with `open`, trying again while the failure says the warehouse is starting and the budget
 * allows; the last failure is thrown, restated with how long it was waited for when it was.
 */
export async function openWhenStarted<T>(open: () => Promise<T>, options: StartupOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const started = now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await open();
    } catch (error) {
      const waitedMs = now() - started;
      const leftMs = options.budgetMs - waitedMs;
      if (!isStarting(error)) throw error;
      if (leftMs <= 0) throw attempt > 1 ? waitedFor(error, waitedMs) : error;
      const backoffMs = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** (attempt - 1));
      // A Retry-After of 0 would make a tight loop for the whole budget: a second at least.
      const waitMs = Math.min(leftMs, Math.max(FIRST_WAIT_MS, retryAfterMs(error) ?? backoffMs));
      options.onWait?.({ attempt, waitMs, waitedMs, budgetMs: options.budgetMs, message: error instanceof Error ? error.message : String(error) });
      await pause(waitMs);
    }
  }
}

function waitedFor(error: unknown, waitedMs: number): unknown {
  if (!isWarehouseError(error)) return error;
  const failure: WarehouseError = error;
  return failure.restate(`${failure.message} (still not ready after ${Math.round(waitedMs / 1_000)} s of DATABRICKS_STARTUP_TIMEOUT_MS)`);
}

/** The failure and its causes: the driver's error is a WarehouseError's cause, a socket's error the driver's. */
function chain(error: unknown): Record<string, unknown>[] {
  const links: Record<string, unknown>[] = [];
  for (let e = error; e !== null && typeof e === "object" && links.length < 4; e = (e as { cause?: unknown }).cause) links.push(e as Record<string, unknown>);
  return links;
}

/** The HTTP answer behind a failure: the driver's THTTPException carries it. */
function responseOf(error: unknown): HttpAnswer | undefined {
  return chain(error)
    .map((e) => e.response as HttpAnswer | undefined)
    .find((response) => typeof response?.headers?.get === "function");
}

function statusOf(error: unknown): number | undefined {
  return chain(error)
    .map((e) => e.statusCode)
    .find((status): status is number => typeof status === "number");
}
