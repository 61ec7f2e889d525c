import { readFile } from "node:fs/promises";
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

/** A state file's text, or undefined when it does not exist; any other failure names the file (`fsError`). */
export async function readStateFile(path: string, action: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fsError(error, action, path);
  }
}

/** JSON text's value, or undefined when the text is not JSON (the caller's schema then refuses it). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
