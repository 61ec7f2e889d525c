import { appendFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Row } from "../warehouse/index.js";
import { fsError, parseJson, readStateFile } from "./fs-errors.js";

/** Beside the watermarks, named so that their listing never takes it for one. */
const FILE = "pending-sync-runs.jsonl";

/** A `ppm_meta.sync_runs` row (its values are JSON: strings, numbers, nulls). */
export type PendingRunRow = Row;

/**
 * The run records of runs that opened no warehouse (a quiet run sends no statement), one JSON line
 * each, until a run that opens the warehouse writes them there with their own times. Appending a
 * line is all a quiet run does; a line cut short by a crash is skipped when read (it is a record of
 * a run that wrote nothing, never data).
 */
export function pendingRunRecords(directory: string) {
  const path = join(directory, FILE);
  return {
    path,
    async add(row: PendingRunRow): Promise<void> {
      try {
        await mkdir(directory, { recursive: true });
        // Led by a newline too: a line a crash cut short never swallows the next record.
        await appendFile(path, `\n${JSON.stringify(row)}\n`, "utf8");
      } catch (error) {
        throw fsError(error, "keep the run record until the warehouse is opened", path);
      }
    },
    async list(): Promise<PendingRunRow[]> {
      const text = (await readStateFile(path, "read the run records kept for the warehouse")) ?? "";
      return text.split("\n").flatMap((line) => {
        const row = parseJson(line);
        return row !== null && typeof row === "object" && !Array.isArray(row) ? [row as PendingRunRow] : [];
      });
    },
    /** Forgets the rows once the warehouse holds them. */
    async clear(): Promise<void> {
      await rm(path, { force: true });
    },
  };
}
