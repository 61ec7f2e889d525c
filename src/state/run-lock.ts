import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SyncError } from "../errors.js";

/**
 * One sync at a time: a lock file next to the watermarks, created exclusively. A lock left by a
 * process that no longer runs on this host is taken over; a live holder makes the caller fail with
 * a message naming it.
 */
export interface RunLock {
  release(): Promise<void>;
}

export interface LockInfo {
  pid: number;
  host: string;
  runId: string;
  startedAt: string;
}

export const LOCK_FILE = ".sync.lock";

export async function acquireRunLock(directory: string, runId: string): Promise<RunLock> {
  await mkdir(directory, { recursive: true });
  const file = join(directory, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, host: hostname(), runId, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 10; attempt += 1) {
    // Written whole to a private file, then linked into place: the lock never exists half-written.
    const temp = join(directory, `.sync.lock.${process.pid}.${runId}.tmp`);
    await writeFile(temp, JSON.stringify(mine));
    try {
      await link(temp, file);
      return {
        async release() {
          const holder = await readLock(file);
          if (typeof holder === "object" && holder.runId === runId) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const holder = await readLock(file);
    if (holder === "gone") continue;
    if (holder !== "unreadable" && isAlive(holder)) {
      throw new SyncError("lock_held", `another sync holds the lock (pid ${holder.pid} on ${holder.host}, run ${holder.runId}, since ${holder.startedAt}); wait for it to finish or stop it`, {
        context: { file },
      });
    }
    await takeOverStale(file, holder);
  }
  throw new SyncError("lock_held", `could not take the run lock ${file}: it keeps being re-created by another process`);
}

/** Who holds the run lock now, if a live process does (for `verify`). */
export async function lockHolder(directory: string): Promise<LockInfo | undefined> {
  const holder = await readLock(join(directory, LOCK_FILE));
  return typeof holder === "object" && isAlive(holder) ? holder : undefined;
}

type ReadLock = LockInfo | "gone" | "unreadable";

async function readLock(file: string): Promise<ReadLock> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockInfo>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string" && typeof parsed.runId === "string" ? (parsed as LockInfo) : "unreadable";
  } catch {
    return "unreadable";
  }
}

/**
 * Removes a stale lock without ever removing a live one: the file is first moved aside atomically,
 * then checked to be the very lock judged stale; a fresh lock that another process linked in the
 * meantime is put back.
 */
async function takeOverStale(file: string, judged: LockInfo | "unreadable"): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readLock(aside);
  const same = judged === "unreadable" ? moved === "unreadable" : moved !== "gone" && moved !== "unreadable" && moved.runId === judged.runId && moved.pid === judged.pid;
  if (!same) {
    try {
      await link(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  await rm(aside, { force: true });
}

function isAlive(holder: LockInfo): boolean {
  // A lock from another host cannot be checked: treat it as held.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
