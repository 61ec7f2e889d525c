import { describe, expect, it } from "vitest";
import { SeenIds, StateCadence } from "../../src/pipeline/state-cadence.js";
import type { WatermarkRecord } from "../../src/pipeline/watermark-book.js";

const record = (lastEditedTime: string) => ({ lastEditedTime }) as WatermarkRecord;
const ids = (from: number, n: number) =>
  Array.from({ length: n }, (_v, i) => ({ run_id: "r1", database_key: "t", page_id: `5a7f0000-0000-4000-8000-${String(from + i).padStart(12, "0")}` }));

describe("StateCadence", () => {
  it("stores every record where a batch is one transaction", () => {
    const cadence = new StateCadence(0, 0);
    expect(cadence.due(record("a"), 0, false)?.lastEditedTime).toBe("a");
    expect(cadence.due(record("b"), 1, false)?.lastEditedTime).toBe("b");
    expect(cadence.due(undefined, 2, false)).toBeUndefined();
  });

  it("keeps the newest record until the interval passed or the read's last batch, and never stores one twice", () => {
    const cadence = new StateCadence(60_000, 0);
    expect(cadence.due(record("a"), 20_000, false)).toBeUndefined();
    expect(cadence.due(record("b"), 40_000, false)).toBeUndefined();
    expect(cadence.due(undefined, 60_000, false)?.lastEditedTime).toBe("b");
    expect(cadence.due(undefined, 130_000, false)).toBeUndefined();
    expect(cadence.due(record("c"), 130_000, false)?.lastEditedTime).toBe("c");
    expect(cadence.due(record("d"), 140_000, false)).toBeUndefined();
    expect(cadence.due(undefined, 141_000, true)?.lastEditedTime).toBe("d");
    expect(cadence.due(undefined, 142_000, true)).toBeUndefined();
  });
});

describe("SeenIds", () => {
  it("writes nothing until a statement is full, then whole statements within the rows and bytes", () => {
    const byRows = new SeenIds({ maxRows: 10, maxBytes: 1_000_000 });
    expect(byRows.add(ids(0, 7))).toEqual([]);
    const full = byRows.add(ids(7, 25));
    expect(full.map((rows) => rows.length)).toEqual([10, 10, 10]);
    expect(full.flat().map((r) => r.page_id)).toEqual(ids(0, 30).map((r) => r.page_id));
    expect(byRows.drain().map((r) => r.page_id)).toEqual(ids(30, 2).map((r) => r.page_id));
    expect(byRows.drain()).toEqual([]);

    // A row is about 110 bytes as counted (three strings and the JSON around them): 1,000 bytes hold 9.
    const byBytes = new SeenIds({ maxRows: 50_000, maxBytes: 1_000 });
    const chunks = byBytes.add(ids(0, 40));
    expect(chunks.length).toBeGreaterThan(3);
    for (const rows of chunks) expect(rows.reduce((n, r) => n + JSON.stringify(r).length, 0)).toBeLessThanOrEqual(1_000);
    expect([...chunks.flat(), ...byBytes.drain()].map((r) => r.page_id)).toEqual(ids(0, 40).map((r) => r.page_id));
  });
});
