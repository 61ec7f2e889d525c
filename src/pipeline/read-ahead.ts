import type { BatchLimits } from "../warehouse/index.js";

/** How much may wait between a producer and its consumer. */
export interface ReadAheadLimit {
  readonly items: number;
  readonly bytes: number;
}

/**
 * Batches the reader may hold ahead of the writer by default. One is enough while reading is slower
 * than writing; while writing is slower, no depth helps (measured in bench scenario 10: one batch
 * ahead and two gave the same wall time, 219.8 s), and each batch ahead is memory.
 */
export const READ_AHEAD_BATCHES = 1;

/**
 * The queue between reader and writer: `maxBytes` of page JSON (the mapping's `read_ahead_max_bytes`)
 * or READ_AHEAD_BATCHES batches' bytes, and as many batches' rows. Bytes bound the memory it holds
 * whatever the pages' count: on Databricks a batch's rows are no limit.
 */
export function readAheadLimit(batch: BatchLimits, maxBytes: number | undefined): ReadAheadLimit {
  return { items: READ_AHEAD_BATCHES * batch.maxRows, bytes: maxBytes ?? READ_AHEAD_BATCHES * batch.maxBytes };
}

/**
 * Pulls from `source` ahead of the consumer while what waits is under `limit` (by the `sizeOf` of
 * each item; one item always fits), so that a slow consumer step does not stop the source: a
 * Notion query is a chain of pages, each needing the previous page's cursor, and with only the
 * next page in flight the chain stopped for every warehouse write, which left the pacer's budget
 * unused. Items come out in order; a source failure comes out after the items read before it.
 * Stopping early (break, an error in the consumer) waits for the pull in flight, then closes the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, limit: ReadAheadLimit, sizeOf: (item: T) => ReadAheadLimit): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: { item: T; size: ReadAheadLimit }[] = [];
  const held = { items: 0, bytes: 0 };
  let finished = false;
  let failure: { error: unknown } | undefined;
  let stopping = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const full = () => buffer.length > 0 && (held.items >= limit.items || held.bytes >= limit.bytes);

  const pump = async () => {
    try {
      while (!stopping) {
        if (full()) {
          await new Promise<void>((resolve) => (wakeProducer = resolve));
          continue;
        }
        const next = await iterator.next();
        if (next.done) break;
        const size = sizeOf(next.value);
        buffer.push({ item: next.value, size });
        held.items += size.items;
        held.bytes += size.bytes;
        wakeConsumer?.();
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      wakeConsumer?.();
    }
  };
  const pumping = pump();

  try {
    for (;;) {
      const first = buffer.shift();
      if (first === undefined) {
        if (finished) {
          if (failure) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
        wakeConsumer = undefined;
        continue;
      }
      held.items -= first.size.items;
      held.bytes -= first.size.bytes;
      wakeProducer?.();
      wakeProducer = undefined;
      yield first.item;
    }
  } finally {
    stopping = true;
    wakeProducer?.();
    await pumping;
    // A source that did not run to its end is closed (its own finally blocks run); after a failure it is closed already.
    if (!failure) await iterator.return?.();
  }
}
