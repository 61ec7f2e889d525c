import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../config/index.js";
import { SyncError } from "../errors.js";

/** Exit codes of the contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends SyncError {
  override readonly name = "UsageError";
  constructor(message: string) {
    super("usage", message);
  }
}

/** Strict flag parsing: unknown flags and stray arguments are usage errors, not ignored. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(args: readonly string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals });
  } catch (error) {
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec((error as Error).message)?.[1];
    if (unknown === undefined) throw new UsageError((error as Error).message);
    const near = closestFlag(unknown, Object.keys(options));
    throw new UsageError(`unknown option ${JSON.stringify(unknown)}${near ? ` (did you mean --${near}?)` : ""}`);
  }
}

/** The flag a typo most likely meant: within two edits (a transposition counts as one). */
function closestFlag(typed: string, flags: readonly string[]): string | undefined {
  const word = typed.replace(/^-+/, "");
  const ranked = flags.map((flag) => ({ flag, distance: editDistance(word, flag) })).sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  return best && best.distance <= Math.min(2, Math.floor(best.flag.length / 2)) ? best.flag : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => d[i]![j]!;
  for (let i = 1; i <= a.length; i += 1)
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i]![j] = best;
    }
  return at(a.length, b.length);
}

/**
 * A value for a line people read in a terminal: control characters (newlines, escape sequences that a
 * page title or an answer may carry) are shown escaped, so that one value stays on its line and
 * cannot move the cursor or recolour the screen.
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Prints a failure for people and returns the exit code it deserves. */
export function reportFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof SyncError && error.code === "usage") {
    process.stderr.write(`error: ${printable(error.message)} (see --help)\n`);
    return EXIT.usage;
  }
  process.stderr.write(`error: ${printable(error instanceof Error ? error.message : String(error))}\n`);
  return EXIT.failed;
}

/** A command's help, on stdout like any result (so that `--help | less` works). */
export function printHelp(help: string): void {
  process.stdout.write(`${help}\n`);
}

/**
 * Where a command's lines for people go: stdout, where its result belongs, unless stdout carries the
 * `--json` result, which must be the only thing there; then stderr.
 */
export function humanOutput(json: boolean): NodeJS.WritableStream {
  return json ? process.stderr : process.stdout;
}

/**
 * The flags of a report command that takes `--json`, `--help` and the boolean flags named in
 * `switches`: returns undefined after printing the help, else whether JSON was asked for and which
 * switches are on. Stray arguments are usage errors.
 */
export function parseReportFlags<K extends string = never>(
  args: readonly string[],
  help: string,
  switches: readonly K[] = [],
): { json: boolean; on: Readonly<Record<K, boolean>> } | undefined {
  const options = Object.fromEntries([...switches, "json"].map((name) => [name, { type: "boolean" as const }]));
  const { values, positionals } = parseFlags(args, { ...options, help: { type: "boolean", short: "h" } }, true);
  if (values.help) {
    printHelp(help);
    return undefined;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals.join(" ")}`);
  const given = values as Readonly<Record<string, unknown>>;
  const on = Object.fromEntries(switches.map((name) => [name, given[name] === true])) as Record<K, boolean>;
  return { json: given.json === true, on };
}
