import { SyncError } from "../errors.js";

const ADVICE: Record<string, string> = {
  ENOSPC: "the disk is full: free space there",
  EDQUOT: "the disk quota is used up: free space there",
  EROFS: "the file system is read-only: mount it writable or point the setting elsewhere",
  EACCES: "permission denied: give the worker's user write access",
  EPERM: "permission denied: give the worker's user write access",
};

/** A file-system failure of the state files, as a SyncError that names the file and says what to do. */
export function fsError(error: unknown, action: string, path: string): SyncError {
  if (error instanceof SyncError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const advice = code ? ADVICE[code] : undefined;
  const detail = error instanceof Error ? error.message.replace(/, \w+( '[^']*'( -> '[^']*')?)?$/, "") : String(error);
  return new SyncError("state_io", `cannot ${action} ${path}: ${detail}${advice ? ` (${advice})` : ""}`, { cause: error, context: { file: path } });
}
