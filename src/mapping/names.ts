import { RESERVED_COLUMNS } from "../config/index.js";

/** Identifiers of the mapping are at most this long (the loader's limit). */
const MAX_LENGTH = 64;

/**
 * A Notion name as a lower-case SQL identifier: `Budget Lines` → `budget_lines`, `% Complete` →
 * `complete`, `Ärger` → `arger`. Letters lose their accents, anything else becomes `_`; a name with no
 * letter or digit left, or one that starts with a digit, gets `fallback` in front.
 */
export function snakeCase(text: string, fallback: string): string {
  const plain = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const named = plain === "" ? fallback : /^[0-9]/.test(plain) ? `${fallback}_${plain}` : plain;
  return named.slice(0, MAX_LENGTH).replace(/_+$/, "");
}

/** `Projects` → `project`: the singular for an `_ids` column (`project_ids`), by the plain English rule only. */
export function singular(word: string): string {
  if (/ies$/.test(word)) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  return word.endsWith("s") ? word.slice(0, -1) : word;
}

/**
 * Hands out names that are unique within one scope: a reserved name gets `notion_` in front (a property
 * called `URL` becomes `notion_url`), a taken one `_2`, `_3` … (kept within the length limit).
 */
export class NameScope {
  private readonly taken = new Set<string>();
  private readonly reserved: ReadonlySet<string>;
  constructor(reserved: readonly string[] = []) {
    this.reserved = new Set(reserved);
  }
  claim(asked: string): string {
    const wanted = this.reserved.has(asked) ? `notion_${asked}`.slice(0, MAX_LENGTH) : asked;
    let name = wanted;
    for (let n = 2; this.taken.has(name); n += 1) name = `${wanted.slice(0, MAX_LENGTH - String(n).length - 1)}_${n}`;
    this.taken.add(name);
    return name;
  }
}

/** A scope for one table's columns: the engine's own column names are reserved. */
export function columnScope(): NameScope {
  return new NameScope(RESERVED_COLUMNS);
}

/** The environment variable of a database key's id: `budget_lines` → `NOTION_BUDGET_LINES_DB`. */
export function idVariable(key: string, suffix: "DB" | "DS"): string {
  return `NOTION_${key.toUpperCase()}_${suffix}`;
}
