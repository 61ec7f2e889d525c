import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fsError } from "./fs-errors.js";

let tempCounter = 0;

/**
 * Writes a file whole or not at all: a temp file beside it, flushed, then renamed over it. A full
 * disk leaves no half-written temp file behind; the error names the file and what was being done.
 */
export async function writeFileAtomic(path: string, text: string, action: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, text, { encoding: "utf8", flush: true });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw fsError(error, action, path);
  }
}
