import { appendFile, link, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SyncError } from "../errors.js";
import { fsError } from "./fs-errors.js";
import { isHolder, readLock, removeClaims, takeOverStale, type LockHolder, type LockInfo } from "./lock-file.js";
import { currentIdentity, processStartOf, type ProcessIdentity } from "./process-identity.js";

export type { LockHolder, LockInfo } from "./lock-file.js";

/**
 * One sync at a time: a lock file next to the watermarks, created exclusively, whose modification
 * time is the holder's heartbeat (refreshed while the run lasts). A holder that can be checked (same
 * host, boot and pid namespace) is alive exactly while its process runs; any other holder (another
 * host, or an earlier life of the same PID 1 in a restarted container) is alive while its heartbeat
 * is younger than `staleAfterMs`. A stale lock is taken over and reported; a live one refuses the
 * caller with a `LockHeldError` naming its holder.
 */
export interface RunLock {
  /** The stale lock this one replaced, if any (to log who held it). */
  readonly takenOver: LockHolder | undefined;
  release(): Promise<void>;
}

export interface LockOptions {
  /** A holder that cannot be checked is stale once its heartbeat is older than this. */
  readonly staleAfterMs: number;
  /** Called once if another process took the lock over while this one held it (its heartbeat stalled). */
  readonly onLost?: (holder: LockHolder | undefined) => void;
  /** Who is taking the lock (tests play other hosts and earlier lives through it). */
  readonly identity?: ProcessIdentity;
  readonly now?: () => number;
}

export const LOCK_FILE = ".sync.lock";

/** The run lock is held by a live process. */
export class LockHeldError extends SyncError {
  override readonly name = "LockHeldError";
  constructor(
    readonly holder: LockHolder,
    /** When the holder's heartbeat goes stale if it stops now (ms since epoch). */
    readonly staleAt: number,
    file: string,
  ) {
    super("lock_held", `another sync holds the lock: ${describeHolder(holder)}; wait for it to finish or stop it`, { context: { file } });
  }
}

export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.host}, run ${holder.runId}, since ${holder.startedAt}, heartbeat ${holder.heartbeatAt}`;
}

export async function acquireRunLock(directory: string, runId: string, options: LockOptions): Promise<RunLock> {
  const now = options.now ?? Date.now;
  const identity = options.identity ?? currentIdentity();
  const file = join(directory, LOCK_FILE);
  await mkdir(directory, { recursive: true }).catch((error: unknown) => {
    throw fsError(error, "create the watermark directory", directory);
  });
  const mine: LockInfo = { ...identity, runId, startedAt: new Date(now()).toISOString() };
  let takenOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const linked = await linkNew(directory, file, mine);
    if (linked === true) {
      const heartbeat = startHeartbeat(file, runId, options);
      return {
        takenOver,
        async release() {
          heartbeat.stop();
          const holder = await readLock(file);
          if (isHolder(holder) && holder.runId === runId) await rm(file, { force: true });
          await removeClaims(file);
        },
      };
    }
    const holder = await readLock(file);
    if (holder === "gone") continue;
    // The heartbeat is judged by the file system's clock (the mtime of the file just written), never by
    // comparing this host's clock with the holder's.
    if (isHolder(holder) && isAlive(holder, identity, options.staleAfterMs, linked.fsNow)) {
      throw new LockHeldError(holder, Date.parse(holder.heartbeatAt) + options.staleAfterMs, file);
    }
    if (await takeOverStale(file, holder, linked.fsNow)) takenOver = isHolder(holder) ? holder : undefined;
    // Another taker is removing it: give it a moment before looking again.
    else await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
  }
  throw new SyncError("lock_held", `could not take the run lock ${file}: another process keeps re-creating it or is taking it over`, { context: { file } });
}

/** Who holds the run lock now, if a live process does (for `verify` and the worker's status). */
export async function lockHolder(directory: string, staleAfterMs: number, now: () => number = Date.now): Promise<LockHolder | undefined> {
  const holder = await readLock(join(directory, LOCK_FILE));
  return isHolder(holder) && isAlive(holder, currentIdentity(), staleAfterMs, now()) ? holder : undefined;
}

/**
 * Writes the lock whole to a private file, then links it into place: it never exists half-written.
 * True when this call created the lock; otherwise the file system's time of the write.
 */
async function linkNew(directory: string, file: string, mine: LockInfo): Promise<true | { fsNow: number }> {
  const temp = join(directory, `.sync.lock.${mine.pid}.${mine.runId}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(mine));
    await link(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { fsNow: (await stat(temp)).mtimeMs };
    throw fsError(error, "write the run lock", file);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * While the run lasts, appends a newline to the lock (JSON allows trailing white space): the write
 * sets its mtime by the file system's clock, which is what other hosts compare. Stops and reports when
 * the lock is no longer this run's, or when it could not beat for half the stale bound (a holder
 * that cannot prove it is alive must not go on writing).
 */
function startHeartbeat(file: string, runId: string, options: LockOptions): { stop(): void } {
  const everyMs = Math.max(250, Math.floor(options.staleAfterMs / 4));
  let stopped = false;
  let lastBeat = performance.now();
  const lost = (holder: LockHolder | undefined) => {
    stop();
    options.onLost?.(holder);
  };
  const beat = async () => {
    // "gone" can be a moment of another process's move-aside-and-put-back: look twice.
    const unreadable = { unreadableSince: "" };
    let holder = await readLock(file).catch(() => unreadable);
    if (holder === "gone") holder = await new Promise((r) => setTimeout(r, 100)).then(() => readLock(file).catch(() => unreadable));
    if (stopped) return;
    if (isHolder(holder) && holder.runId !== runId) return lost(holder);
    if (holder === "gone") return lost(undefined);
    const touched =
      isHolder(holder) &&
      (await appendFile(file, "\n").then(
        () => true,
        () => false,
      ));
    if (touched) lastBeat = performance.now();
    else if (performance.now() - lastBeat > options.staleAfterMs / 2) lost(undefined);
  };
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return { stop };
}

function isAlive(holder: LockHolder, me: ProcessIdentity, staleAfterMs: number, now: number): boolean {
  const checkable =
    holder.host === me.host &&
    holder.bootId !== undefined &&
    holder.bootId === me.bootId &&
    holder.pidNamespace !== undefined &&
    holder.pidNamespace === me.pidNamespace;
  if (checkable) {
    if (holder.pid === me.pid) return holder.processStart === me.processStart;
    const start = processStartOf(holder.pid);
    return start !== undefined && (holder.processStart === undefined || start === holder.processStart);
  }
  // A lock written before locks carried an identity, on this host: its pid is all there is to check.
  if (holder.host === me.host && holder.pidNamespace === undefined && holder.pid !== me.pid) return pidRuns(holder.pid);
  return now - Date.parse(holder.heartbeatAt) < staleAfterMs;
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
