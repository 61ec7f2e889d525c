import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/errors.js";
import { fileWatermarkStore, pendingRunRecords, userCache, warehouseCheckFile } from "../../src/state/index.js";

/** The state files beside the watermarks: absent is empty, a damaged cache is no cache, a failing read names the file. */
const scratch = () => mkdtempSync(join(tmpdir(), "nds-state-files-"));

describe("state files that cannot be read", () => {
  it("takes a damaged user cache or warehouse check for none (only caches: the next sync rebuilds them)", async () => {
    const dir = scratch();
    writeFileSync(join(dir, "notion-users.cache"), '{"savedAt":"2026-12-01T00:00:00Z","users":[{"id":"u1","na');
    await expect(userCache(dir).load()).resolves.toBeUndefined();
    writeFileSync(join(dir, "notion-users.cache"), "");
    await expect(userCache(dir).load()).resolves.toBeUndefined();
    const check = warehouseCheckFile(dir);
    writeFileSync(check.path, "{not json");
    await expect(check.load()).resolves.toBeUndefined();
  });

  it("keeps the whole lines of the pending run records and skips a torn last line", async () => {
    const dir = scratch();
    const records = pendingRunRecords(dir);
    await expect(records.list()).resolves.toEqual([]);
    writeFileSync(records.path, '{"run_id":"r1"}\n{"run_id":"r2"}\n{"run_id":"r3');
    await expect(records.list()).resolves.toEqual([{ run_id: "r1" }, { run_id: "r2" }]);
  });

  it("names the directory when the watermarks cannot be listed", async () => {
    const dir = join(scratch(), "watermarks");
    writeFileSync(dir, "a file where the directory should be");
    const error = await fileWatermarkStore(dir)
      .list()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).message).toBe(`cannot list the watermarks in ${dir}: ENOTDIR: not a directory`);
  });
});
