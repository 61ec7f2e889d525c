/**
 * What every reliability test file shares: the distinctive secrets given to every process it starts,
 * where their outputs are kept for the final secret scan, and the counters behind the printed totals.
 * The global setup (test/reliability/global-setup.ts) fixes the values once for all test files.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Counters {
  /** Sync processes killed with SIGKILL (observed as their exit signal; each followed by a restart that must restore the copy). */
  kills: number;
  /** Kill-and-restart trials in which at least one kill landed (a trial may kill more than once before its restart). */
  trials: number;
  /** Kills during a MERGE or COMMIT: the statement still in flight when the process died, or already settled. */
  killsInFlight: number;
  killsSettled: number;
  /** Requests the sandbox answered with a fault: 5xx, 529, 429, a dropped connection, a malformed body. */
  faultsInjected: number;
  /** Silver rows compared with the source, and the values (cells) compared in them. */
  rowsCompared: number;
  valuesCompared: number;
  mismatches: number;
  /** Bronze versions stored twice. */
  duplicateVersions: number;
  /** Pages edited in the sandbox while a sync was running. */
  concurrentEdits: number;
  /** Hostile inputs run through: runs refused on a malformed mapping file (each file twice), malformed Notion answers handled. */
  badMappings: number;
  malformedResponses: number;
  /**
   * Bytes scanned for the secrets, each byte once: captured outputs (commands, endpoint answers, the
   * worker) are counted by the global teardown's final scan; test files count only what they scan and
   * never capture (tables, the DuckDB file, watermarks). Secrets found, counted the same way.
   */
  bytesScanned: number;
  leaks: number;
}

export const COUNTER_NAMES: readonly (keyof Counters)[] = [
  "trials",
  "kills",
  "killsInFlight",
  "killsSettled",
  "faultsInjected",
  "rowsCompared",
  "valuesCompared",
  "mismatches",
  "duplicateVersions",
  "concurrentEdits",
  "badMappings",
  "malformedResponses",
  "bytesScanned",
  "leaks",
];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the reliability suite with npm run test:reliability (its global setup sets it)`);
  return value;
}

/** The secrets every process of the suite gets; none of them may ever appear in an output. */
export const SECRETS = {
  NOTION_TOKEN: required("NDS_RELIABILITY_NOTION_TOKEN"),
  DATABRICKS_TOKEN: required("NDS_RELIABILITY_DATABRICKS_TOKEN"),
  DATABRICKS_CLIENT_SECRET: required("NDS_RELIABILITY_DATABRICKS_CLIENT_SECRET"),
  /** The webhook subscription's verification token (the sandbox's handshake delivers it). */
  NOTION_WEBHOOK_VERIFICATION_TOKEN: required("NDS_RELIABILITY_WEBHOOK_TOKEN"),
} as const;

/** The environment every started process gets besides its own: the Databricks secrets too, although the warehouse is DuckDB. */
export const SECRET_ENV: Record<string, string> = {
  DATABRICKS_TOKEN: SECRETS.DATABRICKS_TOKEN,
  DATABRICKS_CLIENT_ID: "reliability-client",
  DATABRICKS_CLIENT_SECRET: SECRETS.DATABRICKS_CLIENT_SECRET,
  DATABRICKS_HOST: "https://dbc-reliability.invalid",
};

export const ARTIFACTS = required("NDS_RELIABILITY_DIR");
export const OUTPUTS = join(ARTIFACTS, "outputs");

/** Adds to the suite's totals (summed and printed by the global teardown). */
export function count(counters: Partial<Counters>): void {
  appendFileSync(join(ARTIFACTS, "counters.jsonl"), `${JSON.stringify(counters)}\n`);
}

let captured = 0;
/** Keeps a process's output (or an endpoint's answer) for the final scan of everything the suite saw. */
export function capture(label: string, text: string): void {
  mkdirSync(OUTPUTS, { recursive: true });
  captured += 1;
  appendFileSync(join(OUTPUTS, `${process.pid}-${captured}-${label.replace(/[^a-z0-9_-]+/gi, "_")}.log`), text);
}

/** The names of the secrets found in `bytes`. */
export function secretsIn(bytes: Buffer | string): string[] {
  const buffer = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  return Object.entries(SECRETS)
    .filter(([, value]) => buffer.includes(value))
    .map(([name]) => name);
}

/**
 * Scans texts and files for the secrets; returns `where: secret` for each find. `captured` marks an
 * item whose bytes are also in a captured output (see `capture`): the final scan of the global
 * teardown counts those, so only the other items' bytes and finds are added to the totals here.
 */
export function scanForSecrets(items: readonly { where: string; text?: string; file?: string; captured?: boolean }[]): string[] {
  const found: string[] = [];
  let bytes = 0;
  let leaks = 0;
  for (const item of items) {
    const content = item.file === undefined ? Buffer.from(item.text ?? "") : readFileSync(item.file);
    const names = secretsIn(content);
    for (const name of names) found.push(`${item.where}: ${name}`);
    if (item.captured) continue;
    bytes += content.length;
    leaks += names.length;
  }
  count({ bytesScanned: bytes, leaks });
  return found;
}
