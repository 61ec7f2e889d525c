import { describe, expect, it } from "vitest";
import { isStarting, openWhenStarted, retryAfterMs, type StartupWait } from "../../src/warehouse/databricks/databricks-startup.js";
import { toDatabricksError } from "../../src/warehouse/databricks/databricks-errors.js";

/** A failure as the driver gives it for an HTTP answer (THTTPException), translated as the session translates it. */
const httpFailure = (status: number, retryAfter?: string) =>
  toDatabricksError(
    Object.assign(new Error(`Received a response with a bad HTTP status code: ${status}`), {
      statusCode: status,
      response: { status, headers: new Headers(retryAfter === undefined ? {} : { "Retry-After": retryAfter }) },
    }),
  ).restate(`cannot open a session on the Databricks SQL warehouse at h/p: ${status}`);

/** A clock that moves only when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    slept,
  };
}

describe("opening a session while the warehouse starts", () => {
  it("waits out 503s, honouring Retry-After in seconds, and reports each wait", async () => {
    const time = fakeTime();
    const answers = [httpFailure(503, "2"), httpFailure(503, "2"), httpFailure(503)];
    const waits: StartupWait[] = [];
    const opened = await openWhenStarted(
      () => {
        const next = answers.shift();
        return next ? Promise.reject(next) : Promise.resolve("session");
      },
      { budgetMs: 300_000, now: time.now, sleep: time.sleep, onWait: (w) => waits.push(w) },
    );
    expect(opened).toBe("session");
    // Two waits of Retry-After (2 s, not 2 ms), then the backoff's third step (4 s) without one.
    expect(time.slept).toEqual([2_000, 2_000, 4_000]);
    expect(waits.map((w) => [w.attempt, w.waitedMs])).toEqual([
      [1, 0],
      [2, 2_000],
      [3, 4_000],
    ]);
  });

  it("waits a second at least when Retry-After says 0 (no tight loop)", async () => {
    const time = fakeTime();
    let refusals = 1;
    await openWhenStarted(() => (refusals-- > 0 ? Promise.reject(httpFailure(503, "0")) : Promise.resolve("session")), {
      budgetMs: 300_000,
      now: time.now,
      sleep: time.sleep,
    });
    expect(time.slept).toEqual([1_000]);
  });

  it("gives up when the budget is spent, saying how long it waited", async () => {
    const time = fakeTime();
    const error = await openWhenStarted(() => Promise.reject(httpFailure(503, "20")), { budgetMs: 50_000, now: time.now, sleep: time.sleep }).catch(
      (e: unknown) => e as Error,
    );
    expect(time.slept).toEqual([20_000, 20_000, 10_000]);
    expect(error.message).toMatch(/: 503 \(still not ready after 50 s of DATABRICKS_STARTUP_TIMEOUT_MS\)$/);
  });

  it("fails at once on what waiting cannot fix: a refused sign-in, an unknown path, a refused connection; and with a budget of 0", async () => {
    for (const failure of [httpFailure(401), httpFailure(404), toDatabricksError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))]) {
      const time = fakeTime();
      let tries = 0;
      const error = await openWhenStarted(
        () => {
          tries += 1;
          return Promise.reject(failure);
        },
        { budgetMs: 300_000, now: time.now, sleep: time.sleep },
      ).catch((e: unknown) => e);
      expect([error, tries, time.slept]).toEqual([failure, 1, []]);
    }
    const time = fakeTime();
    const cold = httpFailure(503, "1");
    expect(await openWhenStarted(() => Promise.reject(cold), { budgetMs: 0, now: time.now, sleep: time.sleep }).catch((e: unknown) => e)).toBe(cold);
  });

  it("knows a starting warehouse by its status, a session not initialized, a timed-out request or a deadline", () => {
    expect([429, 502, 503, 504, 500, 401].map((s) => isStarting(httpFailure(s)))).toEqual([true, true, true, true, false, false]);
    expect(isStarting(new Error("Invalid SessionHandle: Session handle 01ef… not initialized"))).toBe(true);
    expect(isStarting(new Error("Request timed out"))).toBe(true);
    expect(isStarting(toDatabricksError(Object.assign(new Error("no answer within 30000 ms"), { code: "ETIMEDOUT" })))).toBe(true);
    expect(isStarting(new Error("[PARSE_SYNTAX_ERROR]"))).toBe(false);
    expect([retryAfterMs(httpFailure(503, "3")), retryAfterMs(httpFailure(503, "soon")), retryAfterMs(httpFailure(503))]).toEqual([
      3_000,
      undefined,
      undefined,
    ]);
  });
});
