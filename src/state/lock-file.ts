import { createHash, randomUUID } from "node:crypto";
import { link, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fsError } from "./fs-errors.js";
import type { ProcessIdentity } from "./process-identity.js";

/** The run lock's file: who holds it, and since when (the file's contents). */
export interface LockInfo extends ProcessIdentity {
  readonly runId: string;
  readonly startedAt: string;
}

/** A lock as found on disk, with its heartbeat. */
export interface LockHolder extends LockInfo {
  readonly heartbeatAt: string;
}

/** A lock file that is not a lock (half-written by a crashed older version, or edited by hand), with its mtime. */
export interface UnreadableLock {
  readonly unreadableSince: string;
}

export type ReadLock = LockHolder | UnreadableLock | "gone";

export const isHolder = (read: ReadLock): read is LockHolder => typeof read === "object" && "runId" in read;

export async function readLock(file: string): Promise<ReadLock> {
  let text: string;
  let modified: Date;
  try {
    [text, modified] = await Promise.all([readFile(file, "utf8"), stat(file).then((s) => s.mtime)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw fsError(error, "read the run lock", file);
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockInfo>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string" && typeof parsed.runId === "string") {
      return { ...(parsed as LockInfo), heartbeatAt: modified.toISOString() };
    }
  } catch {
    // not JSON: unreadable below
  }
  return { unreadableSince: modified.toISOString() };
}

/** A takeover claim older than this (by the file system's clock) was left by a taker that died mid-takeover. */
const CLAIM_STALE_MS = 10_000;
const CLAIM_SUFFIX = ".takeover";

/**
 * Removes a stale lock without ever removing a live one. Every taker that judged the same lock stale
 * races for one claim file named after that lock, created exclusively: only the winner moves the lock
 * aside, so a late taker can never move aside a lock that a faster one has linked in since (moving it
 * aside and back left a moment in which a third taker linked its own: two holders). The moved file is
 * then checked to be the very lock judged stale, and put back if not (its holder, stale but not dead,
 * released it and another linked a new one in that instant). The winner reads the lock once more before
 * moving it: a judgement made before the claims were removed, or an aged claim won twice, finds the
 * lock changed and takes nothing. Left: the instant between that read and the move. Claims stay until the lock is released
 * (`removeClaims`), so a slow taker still holding an old judgement finds the claim taken.
 * True when the judged lock was removed.
 */
export async function takeOverStale(file: string, judged: LockHolder | UnreadableLock, fsNow: number): Promise<boolean> {
  if (!(await claim(file, judged, fsNow))) return false;
  // A judgement can be old by now (its claim removed since, or an aged claim won twice): look again.
  if (keyOf(await readLock(file)) !== keyOf(judged)) return false;
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw fsError(error, "move a stale run lock aside", file);
  }
  // Moved aside, the file keeps its mtime: a lock refreshed since it was judged is put back.
  const same = keyOf(await readLock(aside)) === keyOf(judged);
  if (!same) {
    try {
      await link(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fsError(error, "put back a live run lock", file);
    }
  }
  await rm(aside, { force: true });
  return same;
}

/** Removes the takeover claims next to the lock (its holder does, on release). */
export async function removeClaims(file: string): Promise<void> {
  const prefix = `${basename(file)}.`;
  const names = await readdir(dirname(file)).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(prefix) && n.endsWith(CLAIM_SUFFIX)).map((n) => rm(join(dirname(file), n), { force: true })));
}

/** The claim on one judged lock: every taker that judged the same lock stale names the same file. */
export function claimFile(file: string, judged: LockHolder | UnreadableLock): string {
  return `${file}.${createHash("sha256").update(keyOf(judged)).digest("hex").slice(0, 16)}${CLAIM_SUFFIX}`;
}

function keyOf(read: ReadLock): string {
  if (read === "gone") return "gone";
  if (!isHolder(read)) return `unreadable ${read.unreadableSince}`;
  return JSON.stringify([read.host, read.pid, read.runId, read.startedAt, read.heartbeatAt]);
}

/**
 * Creates the claim on this judged lock; false when another taker holds a live claim on it. `fsNow` is
 * the file system's time of a write just made (claims are aged by that clock, like heartbeats).
 */
async function claim(file: string, judged: LockHolder | UnreadableLock, fsNow: number): Promise<boolean> {
  const name = claimFile(file, judged);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await writeFile(name, String(process.pid), { flag: "wx" });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw fsError(error, "claim a stale run lock", name);
    }
    const claimed = await stat(name).catch(() => undefined);
    if (claimed && fsNow - claimed.mtimeMs < CLAIM_STALE_MS) return false;
    await rm(name, { force: true });
  }
  return false;
}
