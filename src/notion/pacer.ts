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

/**
 * A token bucket reckoned from elapsed time, taken in arrival order. A late timer (a busy event loop,
 * a shared CPU) never costs a token: Bottleneck's reservoir refill counted each interval from the
 * heartbeat that noticed it, so every late heartbeat lowered the rate (measured: 0.98 of the rate on
 * an idle loop, 0.67 with the loop busy 20 ms in every 50).
 */
function tokenBucket(options: { rps: number; burst: number; now: () => number; sleep: (ms: number) => Promise<void>; stopped: () => boolean }) {
  const { rps, burst, now, sleep, stopped } = options;
  let tokens = burst;
  let at = now();
  let turn: Promise<void> = Promise.resolve();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - at) / 1000) * rps);
    at = t;
  };
  return {
    take(): Promise<void> {
      const mine = turn.then(async () => {
        // Short steps, so that a stop is noticed: the request is dropped, as Bottleneck drops those it holds.
        for (refill(); tokens < 1; refill()) {
          if (stopped()) throw new Error("the pacer was stopped");
          await sleep(Math.min(250, Math.max(1, Math.ceil(((1 - tokens) / rps) * 1000))));
        }
        tokens -= 1;
      });
      turn = mine.catch(() => undefined);
      return mine;
    },
  };
}

export function createPacer(options: PacerOptions): Pacer {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  // Bottleneck bounds what is in flight and drops the waiting on a stop; the rate is the bucket's.
  const limiter = new Bottleneck({
    // Requests waiting out a pause hold their slot, so at most `burst` of them leave together when it ends.
    maxConcurrent: Math.max(1, options.burst),
  });
  let pausedUntil = 0;
  let pausedMs = 0;
  let aborted = false;
  const bucket = tokenBucket({ rps: options.rps, burst: options.burst, now, sleep, stopped: () => aborted });
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
        // The token first: a pause that began while this request waited for it still holds the request.
        await bucket.take();
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
