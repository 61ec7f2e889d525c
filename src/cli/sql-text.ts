/**
 * The `sql` command's pure parts: whether a statement writes (read-only by default), and a result's
 * rows as an aligned table, CSV or JSON.
 */

/** Keywords that begin a statement that changes the warehouse, its session or its files. */
const WRITES = new Set(
  "INSERT UPDATE DELETE MERGE CREATE DROP ALTER TRUNCATE COPY ATTACH DETACH INSTALL LOAD SET RESET CALL VACUUM CHECKPOINT EXPORT IMPORT GRANT REVOKE OPTIMIZE PRAGMA USE RESTORE REFRESH CACHE UNCACHE MSCK".split(
    " ",
  ),
);

/** The text without its literals, quoted names and comments: what is left are keywords and bare names. */
function bare(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|--[^\n]*|\/\*[\s\S]*?\*\//g, " ");
}

/**
 * Why a query may not run without `--write`, or undefined: one statement, and no write keyword in
 * it anywhere (a CTE may hide an INSERT; a column named after a keyword must then be quoted).
 */
export function writeProblem(sql: string): string | undefined {
  const text = bare(sql).trim().replace(/;\s*$/, "");
  if (text.includes(";")) return "several statements: run one at a time, or pass --write to allow them";
  const word = text.match(/[A-Za-z_]+/g)?.find((w) => WRITES.has(w.toUpperCase()));
  return word ? `${word.toUpperCase()} writes to the warehouse: pass --write to allow it` : undefined;
}

/** A value as JSON can hold it: bigints as numbers while exact, dates as ISO text. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}

function cell(value: unknown): string {
  const v = jsonValue(value);
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function asJson(rows: readonly Record<string, unknown>[]): string {
  return `${JSON.stringify(
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonValue(v)]))),
    null,
    2,
  )}\n`;
}

export function asCsv(rows: readonly Record<string, unknown>[]): string {
  const names = Object.keys(rows[0] ?? {});
  const field = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return [names.map(field).join(","), ...rows.map((row) => names.map((n) => field(cell(row[n]))).join(","))].map((l) => `${l}\n`).join("");
}

/** An aligned table for a terminal; `clean` keeps each value on its line (control characters escaped). */
export function asTable(rows: readonly Record<string, unknown>[], clean: (text: string) => string): string {
  if (rows.length === 0) return "(0 rows)\n";
  const names = Object.keys(rows[0]!);
  const cells = rows.map((row) => names.map((n) => clean(cell(row[n]))));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) => `${values.map((v, i) => v.padEnd(widths[i]!)).join(" | ")}`.trimEnd();
  const lines = [line(names), widths.map((w) => "-".repeat(w)).join(" | "), ...cells.map(line)];
  return `${lines.join("\n")}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`;
}
