import { describe, expect, it } from "vitest";
import { READ_AHEAD_BATCHES, readAhead, readAheadLimit } from "../../src/pipeline/read-ahead.js";

/** A source of `count` numbers that records what was pulled and whether it was closed; fails at `failAt`. */
function source(count: number, failAt?: number) {
  const state = { pulled: 0, closed: false };
  async function* items(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i += 1) {
        await Promise.resolve();
        if (i === failAt) throw new Error(`source failed at ${i}`);
        state.pulled += 1;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { items: items(), state };
}

const settle = async () => {
  for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
};
const one = () => ({ items: 1, bytes: 10 });

describe("readAhead", () => {
  it("yields every item in order", async () => {
    const { items } = source(25);
    const out: number[] = [];
    for await (const n of readAhead(items, { items: 4, bytes: 1_000 }, one)) out.push(n);
    expect(out).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it("reads ahead of a consumer that is busy, up to the limit and no further", async () => {
    for (const limit of [
      { items: 3, bytes: 1_000 },
      { items: 100, bytes: 30 },
    ]) {
      const { items, state } = source(50);
      const reader = readAhead(items, limit, one);
      expect((await reader.next()).value).toBe(0);
      // The consumer holds item 0 (a batch being written): the source goes on until 3 items wait.
      await settle();
      expect(state.pulled).toBe(1 + 3);
      expect((await reader.next()).value).toBe(1);
      await settle();
      expect(state.pulled).toBe(2 + 3);
      await reader.return(undefined);
      expect(state.closed).toBe(true);
    }
  });

  it("gives the items read before a failure, then the failure", async () => {
    const { items } = source(10, 6);
    const out: number[] = [];
    const failure = await (async () => {
      for await (const n of readAhead(items, { items: 2, bytes: 1_000 }, one)) out.push(n);
    })().catch((error: unknown) => error);
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect((failure as Error).message).toBe("source failed at 6");
  });

  it("closes the source when the consumer stops early, and pulls nothing after", async () => {
    const { items, state } = source(1_000);
    for await (const n of readAhead(items, { items: 5, bytes: 1_000 }, one)) if (n === 2) break;
    expect(state.closed).toBe(true);
    const pulled = state.pulled;
    await settle();
    expect(state.pulled).toBe(pulled);
    expect(pulled).toBeLessThanOrEqual(3 + 5 + 1);
  });

  it("passes a consumer's error through and closes the source", async () => {
    const { items, state } = source(100);
    const failure = await (async () => {
      for await (const n of readAhead(items, { items: 5, bytes: 1_000 }, one)) if (n === 3) throw new Error("the warehouse refused the batch");
    })().catch((error: unknown) => error);
    expect((failure as Error).message).toBe("the warehouse refused the batch");
    expect(state.closed).toBe(true);
  });
});

describe("the queue between the reader and a slow writer", () => {
  /** Answers of `bytes` each; records how many were pulled. */
  function answers(count: number, bytes: number) {
    const state = { pulled: 0 };
    async function* items(): AsyncGenerator<{ bytes: number }> {
      for (let i = 0; i < count; i += 1) {
        await Promise.resolve();
        state.pulled += 1;
        yield { bytes };
      }
    }
    return { items: items(), state };
  }
  const sizeOf = (a: { bytes: number }) => ({ items: 1, bytes: a.bytes });

  it("is bounded by bytes: a batch bound of many rows (Databricks) leaves the bytes to bound it", () => {
    const limit = readAheadLimit({ maxRows: 50_000, maxBytes: 4 * 2 ** 20 }, undefined);
    expect(limit.bytes).toBe(READ_AHEAD_BATCHES * 4 * 2 ** 20);
    expect(limit.items).toBeGreaterThanOrEqual(50_000);
    expect(readAheadLimit({ maxRows: 500, maxBytes: 8 * 2 ** 20 }, 1_000).bytes).toBe(1_000);
  });

  it("goes on reading while a slow write is in flight, up to the byte bound and no further", async () => {
    const batch = { maxRows: 50_000, maxBytes: 1_000 };
    const limit = readAheadLimit(batch, undefined);
    const { items, state } = answers(200, 100);
    const writes: (() => void)[] = [];
    let consumed = 0;
    let written = 0;
    const writer = (async () => {
      let bytes = 0;
      for await (const answer of readAhead(items, limit, sizeOf)) {
        consumed += 1;
        bytes += answer.bytes;
        if (bytes < batch.maxBytes) continue;
        bytes = 0;
        // A write that takes as long as the test says: the reader must not wait for it.
        await new Promise<void>((resolve) => writes.push(resolve));
        written += 1;
      }
    })();
    for (let round = 0; round < 3; round += 1) {
      await settle();
      // One batch is being written; the reader has filled the queue behind it: READ_AHEAD_BATCHES batches of bytes.
      expect(writes).toHaveLength(round + 1);
      expect(state.pulled - consumed).toBe(limit.bytes / 100);
      expect(state.pulled).toBe((round + 1) * 10 + limit.bytes / 100);
      writes[round]!();
    }
    while (writes.length > written) {
      writes.at(-1)!();
      await settle();
    }
    await writer;
    expect(consumed).toBe(200);
  });
});
