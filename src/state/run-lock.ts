import { hostname } from "node:os";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
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

interface LockInfo {
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
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // Written whole to a private file, then linked into place: the lock never exists half-written.
    const temp = join(directory, `.sync.lock.${process.pid}.${runId}.tmp`);
    await writeFile(temp, JSON.stringify(mine));
    try {
      await link(temp, file);
      return {
        async release() {
          const holder = await readLock(file);
          if (holder?.runId === runId) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const holder = await readLock(file);
    if (holder && isAlive(holder)) {
      throw new SyncError("lock_held", `another sync holds the lock (pid ${holder.pid} on ${holder.host}, run ${holder.runId}, since ${holder.startedAt}); wait for it to finish or stop it`, {
        context: { file },
      });
    }
    // Stale: its process is gone (killed, crashed), so nothing is writing. Take it over.
    await rm(file, { force: true });
  }
  throw new SyncError("lock_held", `could not take the run lock ${file}: it keeps being re-created by another process`);
}

async function readLock(file: string): Promise<LockInfo | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as Partial<LockInfo>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string" ? (parsed as LockInfo) : undefined;
  } catch {
    return undefined;
  }
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
