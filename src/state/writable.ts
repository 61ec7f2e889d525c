import { existsSync, mkdirSync, mkdtempSync, rmdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Whether `dir` exists and is writable, or could be created. It leaves nothing behind: the test is a
 * temporary directory made and removed in the nearest existing ancestor (permission bits say little
 * to root, and special filesystems such as /proc refuse what they seem to allow).
 */
export function writableOrCreatable(dir: string): { ok: true; exists: boolean } | { ok: false; reason: string } {
  let current = resolve(dir);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return { ok: false, reason: `no part of ${dir} exists` };
    current = parent;
  }
  if (!statSync(current).isDirectory()) return { ok: false, reason: `${current} is not a directory` };
  try {
    rmdirSync(mkdtempSync(join(current, ".nds-probe-")));
  } catch (error) {
    return { ok: false, reason: `${current} is not writable (${(error as NodeJS.ErrnoException).code ?? "error"})` };
  }
  return { ok: true, exists: current === resolve(dir) };
}

/** `mkdir -p`, one level at a time: Node's recursive mkdir can loop forever on special filesystems. */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let current = resolve(dir); !existsSync(current); current = dirname(current)) {
    missing.unshift(current);
    if (dirname(current) === current) break;
  }
  for (const level of missing) mkdirSync(level);
}
