import { mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SyncError } from "../../src/errors.js";
import { acquireRunLock, currentIdentity, fileWatermarkStore, LOCK_FILE, LockHeldError, type LockHolder, type Watermark } from "../../src/state/index.js";
import { claimFile, readLock } from "../../src/state/lock-file.js";

const LOCK = { staleAfterMs: 60_000 };
const fresh = () => mkdtempSync(join(tmpdir(), "nds-state-"));
const watermark = (key: string, time = "2026-11-01T10:00:00.000Z"): Watermark => ({
  databaseKey: key,
  lastEditedTime: time,
  runId: "r1",
  dataSourceId: "ds",
  mappingHash: "abc",
  propertyIds: { Name: "title" },
  updatedAt: "2026-11-01T10:01:00.000Z",
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
    const error = await fileWatermarkStore(dir)
      .get("projects")
      .catch((e: unknown) => e);
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
    const lock = await acquireRunLock(dir, "run-a", LOCK);
    const refused = await acquireRunLock(dir, "run-b", LOCK).catch((e: unknown) => e);
    expect((refused as SyncError).code).toBe("lock_held");
    expect((refused as SyncError).message).toContain(`another sync holds the lock: pid ${process.pid}`);
    expect((refused as SyncError).message).toContain("run run-a");
    await lock.release();
    const next = await acquireRunLock(dir, "run-b", LOCK);
    await next.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("takes over a lock whose process is gone, and treats another host's lock with a fresh heartbeat as held", async () => {
    const dir = fresh();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4_194_000, host: hostname(), runId: "dead", startedAt: "2026-01-01T00:00:00Z" }));
    const lock = await acquireRunLock(dir, "run-c", LOCK);
    await lock.release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: "another-host", runId: "remote", startedAt: "2026-01-01T00:00:00Z" }));
    const refused = await acquireRunLock(dir, "run-d", LOCK).catch((e: unknown) => e);
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
      for (let i = 1; i < held.length; i += 1)
        expect(held[i]!.from!, `${held[i]!.runId} overlaps ${held[i - 1]!.runId}`).toBeGreaterThanOrEqual(held[i - 1]!.to!);
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);

  it("never lets two takers hold the lock when many race over one stale lock (each judges it stale, one removes it)", async () => {
    // In one process, with other hosts' identities: each taker judges the stale lock by its heartbeat.
    // Before takeovers were serialised, a late taker moved a just-taken live lock aside and, while it
    // put it back, a third taker linked its own: two holders.
    for (let trial = 0; trial < 60; trial += 1) {
      const dir = fresh();
      const file = join(dir, LOCK_FILE);
      writeFileSync(file, JSON.stringify({ pid: 9, host: "gone-host", runId: "gone", startedAt: "2026-01-01T00:00:00Z" }));
      utimesSync(file, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
      let holding = 0;
      let most = 0;
      const take = async (i: number) => {
        // Staggered by a few event-loop turns each, so takers reach each step at different times.
        for (let turn = 0; turn < i % 10; turn += 1) await new Promise((r) => setImmediate(r));
        const lock = await acquireRunLock(dir, `race-${trial}-${i}`, { ...LOCK, identity: { pid: 1000 + i, host: `host-${i}` } }).catch(() => undefined);
        if (!lock) return;
        holding += 1;
        most = Math.max(most, holding);
        await new Promise((r) => setTimeout(r, 20));
        holding -= 1;
        await lock.release();
      };
      await Promise.all(Array.from({ length: 16 }, (_, i) => take(i)));
      expect(most, `trial ${trial}`).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it("takes over a stale lock whose takeover claim a dead taker left behind, once the claim is old, and removes claims on release", async () => {
    const dir = fresh();
    const file = join(dir, LOCK_FILE);
    writeFileSync(file, JSON.stringify({ pid: 9, host: "gone-host", runId: "gone", startedAt: "2026-01-01T00:00:00Z" }));
    utimesSync(file, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    const judged = await readLock(file);
    const claim = claimFile(file, judged as LockHolder);
    writeFileSync(claim, "4194002");
    const other = { ...LOCK, identity: { pid: 1001, host: "host-1" } };
    const refused = await acquireRunLock(dir, "while-claimed", other).catch((e: unknown) => e);
    expect((refused as SyncError).message).toContain("is taking it over");
    utimesSync(claim, new Date(Date.now() - 11_000), new Date(Date.now() - 11_000));
    const lock = await acquireRunLock(dir, "after-claim-aged", other);
    expect(lock.takenOver?.runId).toBe("gone");
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("gives the lock to exactly one of many concurrent takers", async () => {
    const dir = fresh();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => acquireRunLock(dir, `run-${i}`, LOCK)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("takes over another host's lock once its heartbeat is older than the bound, and says whose it was", async () => {
    const dir = fresh();
    const file = join(dir, LOCK_FILE);
    writeFileSync(file, JSON.stringify({ pid: 7, host: "recreated-container", runId: "remote", startedAt: "2026-01-01T00:00:00Z" }));
    const beat = (msAgo: number) => utimesSync(file, new Date(Date.now() - msAgo), new Date(Date.now() - msAgo));
    beat(59_000);
    const refused = await acquireRunLock(dir, "run-e", LOCK).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as LockHeldError).message).toMatch(
      /another sync holds the lock: pid 7 on recreated-container, run remote, since 2026-01-01T00:00:00Z, heartbeat 20\d\d-/,
    );
    expect((refused as LockHeldError).staleAt).toBe(Date.parse((refused as LockHeldError).holder.heartbeatAt) + LOCK.staleAfterMs);
    beat(61_000);
    const lock = await acquireRunLock(dir, "run-e", LOCK);
    expect(lock.takenOver).toMatchObject({ pid: 7, host: "recreated-container", runId: "remote" });
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("tells an earlier life of the same pid (a restarted container's PID 1) from the holder itself", async () => {
    const dir = fresh();
    const file = join(dir, LOCK_FILE);
    const me = currentIdentity();
    // Restarted in a new pid namespace: the old PID 1 cannot be checked, so its heartbeat decides.
    const earlierLife = { ...me, pid: 1, pidNamespace: "pid:[1]", processStart: "100", runId: "before-the-crash", startedAt: "2026-01-01T00:00:00Z" };
    const nowPid1 = { ...me, pid: 1, pidNamespace: "pid:[2]", processStart: "900" };
    writeFileSync(file, JSON.stringify(earlierLife));
    const refused = await acquireRunLock(dir, "run-f", { ...LOCK, identity: nowPid1 }).catch((e: unknown) => e);
    expect((refused as LockHeldError).code).toBe("lock_held");
    utimesSync(file, new Date(Date.now() - 61_000), new Date(Date.now() - 61_000));
    const taken = await acquireRunLock(dir, "run-f", { ...LOCK, identity: nowPid1 });
    expect(taken.takenOver?.runId).toBe("before-the-crash");
    await taken.release();
    // In the same namespace the pid's start time tells at once, whatever the heartbeat says.
    writeFileSync(file, JSON.stringify({ ...me, processStart: "1", runId: "pid-reused", startedAt: "2026-01-01T00:00:00Z" }));
    const again = await acquireRunLock(dir, "run-g", LOCK);
    expect(again.takenOver?.runId).toBe("pid-reused");
    const self = await acquireRunLock(dir, "run-h", LOCK).catch((e: unknown) => e);
    expect((self as LockHeldError).holder.runId).toBe("run-g");
    await again.release();
  });

  it("keeps its heartbeat fresh while held, and reports a lock taken over by another process", async () => {
    const dir = fresh();
    const file = join(dir, LOCK_FILE);
    let lost: unknown = "not called";
    const lock = await acquireRunLock(dir, "run-i", { staleAfterMs: 1_000, onLost: (holder) => (lost = holder) });
    utimesSync(file, new Date(Date.now() - 5_000), new Date(Date.now() - 5_000));
    await new Promise((r) => setTimeout(r, 600));
    expect(Date.now() - statSync(file).mtimeMs).toBeLessThan(1_000);
    expect(lost).toBe("not called");
    writeFileSync(file, JSON.stringify({ pid: 9, host: "elsewhere", runId: "usurper", startedAt: "2026-01-01T00:00:00Z" }));
    await new Promise((r) => setTimeout(r, 600));
    expect(lost).toMatchObject({ runId: "usurper" });
    await lock.release();
    // Not this run's lock any more: release leaves it alone.
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });

  it("judges another host's heartbeat by the file system's clock, so a host whose clock runs ahead cannot take a live lock", async () => {
    const dir = fresh();
    const holder = await acquireRunLock(dir, "run-j", { staleAfterMs: 120_000 });
    const ahead = { ...currentIdentity(), host: "clock-ahead", pidNamespace: "pid:[9]" };
    const refused = await acquireRunLock(dir, "run-k", { staleAfterMs: 120_000, identity: ahead, now: () => Date.now() + 180_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LockHeldError);
    await holder.release();
  });
});
