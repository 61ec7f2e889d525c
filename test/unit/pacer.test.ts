import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPacer, type Pacer } from "../../src/notion/pacer.js";

/** Bottleneck yields through setTimeout(0) even when disconnecting: advance fake time while stopping. */
async function stop(pacer: Pacer): Promise<void> {
  const stopping = pacer.stop();
  await vi.advanceTimersByTimeAsync(10);
  await stopping;
}

describe("pacer", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("keeps its rate when its timers fire late (a busy event loop costs no token)", async () => {
    // Every wait ends 20 ms late, as on a loop busy with other work: the bucket counts the time that passed.
    const late = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms + 20));
    const pacer = createPacer({ rps: 10, burst: 5, sleep: late });
    const sent: number[] = [];
    const all = Promise.all(Array.from({ length: 45 }, () => pacer.schedule(async () => void sent.push(Date.now()))));
    await vi.advanceTimersByTimeAsync(3_000);
    // 5 at once and 10 a second: 35 by 3 s with no token lost (34 with the last wait ending late); a refill
    // counted from each late timer, as Bottleneck's reservoir did, would give one per 120 ms: 30.
    expect(sent.filter((at) => at <= 3_000).length).toBeGreaterThanOrEqual(34);
    await vi.advanceTimersByTimeAsync(2_000);
    await all;
    await stop(pacer);
  });

  it("never sends faster than the rate after the burst", async () => {
    const pacer = createPacer({ rps: 10, burst: 5 });
    const sent: number[] = [];
    const all = Promise.all(Array.from({ length: 25 }, () => pacer.schedule(async () => void sent.push(Date.now()))));
    await vi.advanceTimersByTimeAsync(5_000);
    await all;
    // The first 5 at once (Bottleneck starts each job on a timer of its own: a few ms apart), then one per 100 ms: the 25th no sooner than 2 s.
    expect(sent.filter((at) => at < 50)).toHaveLength(5);
    expect(sent[24]).toBeGreaterThanOrEqual(2_000);
    await stop(pacer);
  });

  it("drops the requests still waiting for a token when aborted", async () => {
    const pacer = createPacer({ rps: 1, burst: 1 });
    const ran: number[] = [];
    const results = Array.from({ length: 3 }, (_, i) =>
      pacer
        .schedule(async () => void ran.push(i))
        .then(
          () => "sent",
          () => "dropped",
        ),
    );
    await vi.advanceTimersByTimeAsync(100);
    pacer.abort();
    await vi.advanceTimersByTimeAsync(1_000);
    // The second waited for a token inside its slot, the third in Bottleneck's queue: both are dropped.
    expect(await Promise.all(results)).toEqual(["sent", "dropped", "dropped"]);
    expect(ran).toEqual([0]);
    await stop(pacer);
  });
});
