import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/errors.js";
import { acquireRunLock, fileWatermarkStore, LOCK_FILE, type Watermark } from "../../src/state/index.js";

const fresh = () => mkdtempSync(join(tmpdir(), "nds-state-"));
const watermark = (key: string, time = "2026-11-01T10:00:00.000Z"): Watermark => ({
  databaseKey: key, lastEditedTime: time, runId: "r1", dataSourceId: "ds", mappingHash: "abc", propertyIds: { Name: "title" }, updatedAt: "2026-11-01T10:01:00.000Z",
});

describe("file watermarks", () => {
  it("writes atomically, reads back, lists, and resets", async () => {
    const dir = join(fresh(), "nested");
    const store = fileWatermarkStore(dir);
    expect(await store.get("programs")).toBeUndefined();
    await store.put(watermark("programs"));
    await store.put(watermark("programs", "2026-11-01T11:00:00.000Z"));
    await store.put(watermark("risks"));
    expect((await store.get("programs"))?.lastEditedTime).toBe("2026-11-01T11:00:00.000Z");
    expect((await store.list()).map((w) => w.databaseKey)).toEqual(["programs", "risks"]);
    expect(readdirSync(dir).sort()).toEqual(["programs.json", "risks.json"]);
    expect(await store.reset("programs")).toBe(true);
    expect(await store.reset("programs")).toBe(false);
    expect(await store.get("programs")).toBeUndefined();
  });

  it("refuses a corrupt watermark with the file and the command that fixes it", async () => {
    const dir = fresh();
    writeFileSync(join(dir, "projects.json"), '{"databaseKey":"projects","lastEditedTime":"yesterday"');
    const error = await fileWatermarkStore(dir).get("projects").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("state_invalid");
    expect((error as SyncError).message).toContain(join(dir, "projects.json"));
    expect((error as SyncError).message).toContain("npm run watermarks -- reset --database projects");
    expect(await fileWatermarkStore(dir).reset("projects")).toBe(true);
  });
});

describe("run lock", () => {
  it("lets one holder in at a time and frees the lock on release", async () => {
    const dir = fresh();
    const lock = await acquireRunLock(dir, "run-a");
    const refused = await acquireRunLock(dir, "run-b").catch((e: unknown) => e);
    expect((refused as SyncError).code).toBe("lock_held");
    expect((refused as SyncError).message).toContain(`another sync holds the lock (pid ${process.pid}`);
    expect((refused as SyncError).message).toContain("run run-a");
    await lock.release();
    const next = await acquireRunLock(dir, "run-b");
    await next.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("takes over a lock whose process is gone, and treats another host's lock as held", async () => {
    const dir = fresh();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4_194_000, host: hostname(), runId: "dead", startedAt: "2026-01-01T00:00:00Z" }));
    const lock = await acquireRunLock(dir, "run-c");
    await lock.release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: "another-host", runId: "remote", startedAt: "2026-01-01T00:00:00Z" }));
    const refused = await acquireRunLock(dir, "run-d").catch((e: unknown) => e);
    expect((refused as SyncError).message).toContain("on another-host");
  });

  it("never lets two processes hold the lock at once, even when they race to take over a stale one", async () => {
    const { spawn } = await import("node:child_process");
    const take = (dir: string, runId: string) =>
      new Promise<{ runId: string; from?: number; to?: number; refused?: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "test/support/lock-taker.ts", dir, runId], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        child.on("close", () => (out ? resolve(JSON.parse(out)) : reject(new Error(`no answer from ${runId}`))));
      });
    for (let trial = 0; trial < 3; trial += 1) {
      const dir = fresh();
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4_194_001, host: hostname(), runId: "dead", startedAt: "2026-01-01T00:00:00Z" }));
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => take(dir, `t${trial}-${i}`)));
      const held = results.filter((r) => r.from !== undefined).sort((a, b) => a.from! - b.from!);
      expect(held.length).toBeGreaterThanOrEqual(1);
      for (let i = 1; i < held.length; i += 1) expect(held[i]!.from!, `${held[i]!.runId} overlaps ${held[i - 1]!.runId}`).toBeGreaterThanOrEqual(held[i - 1]!.to!);
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);

  it("gives the lock to exactly one of many concurrent takers", async () => {
    const dir = fresh();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireRunLock(dir, `run-${i}`)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });
});
