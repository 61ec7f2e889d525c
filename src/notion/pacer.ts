import Bottleneck from "bottleneck";

/**
 * One pacer per Notion token, shared by every database of a run: a token bucket of `burst`
 * requests refilled at `rps`, at most `burst` requests in flight, and a gate that a 429/529 closes
 * for its `Retry-After`, so that every request of the token waits, not only the one that was refused.
 */
export interface Pacer {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  /** Holds every request until `ms` from now (never shortens a longer pause already in force). */
  pause(ms: number): void;
  /** Drops every request still waiting (their promises reject); requests in flight finish. */
  abort(): void;
  /** Milliseconds requests have spent waiting at the gate (for metrics and benchmarks). */
  readonly pausedMs: number;
  stop(): Promise<void>;
}

export interface PacerOptions {
  readonly rps: number;
  readonly burst: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createPacer(options: PacerOptions): Pacer {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const intervalMs = 1000 / options.rps;
  const limiter = new Bottleneck({
    reservoir: options.burst,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: intervalMs,
    reservoirIncreaseMaximum: options.burst,
    // Bottleneck refills on its heartbeat; a coarse heartbeat would lower the real rate.
    heartbeatInterval: Math.max(1, Math.min(250, Math.floor(intervalMs / 20))),
    // Requests waiting out a pause hold their slot, so at most `burst` of them leave together when it ends.
    maxConcurrent: Math.max(1, options.burst),
  });
  let pausedUntil = 0;
  let pausedMs = 0;
  let aborted = false;
  async function gate(): Promise<void> {
    for (let wait = pausedUntil - now(); wait > 0 && !aborted; wait = pausedUntil - now()) {
      // Waited in short steps, so that a stop is noticed during a long Retry-After.
      const step = Math.min(wait, 250);
      pausedMs += step;
      await sleep(step);
    }
  }

  return {
    schedule: (task) =>
      limiter.schedule(async () => {
        await gate();
        return task();
      }),
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    abort() {
      aborted = true;
      limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
    },
    get pausedMs() {
      return pausedMs;
    },
    async stop() {
      // Not awaited: stop() settles on Bottleneck's own schedule; disconnect() clears its heartbeat.
      if (!aborted) limiter.stop({ dropWaitingJobs: true }).catch(() => undefined);
      await limiter.disconnect();
    },
  };
}
