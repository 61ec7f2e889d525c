/**
 * Named parameter markers (`:name`) in Databricks SQL text, found outside string literals, quoted
 * identifiers and line comments; `::` (a cast) is not a marker. Shared by the test-only sessions
 * that render parameters as literals because their server binds none.
 */
export function replaceMarkers(sql: string, literalOf: (name: string) => string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = closing(sql, i, ch);
      out += sql.slice(i, end);
      i = end;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      out += sql.slice(i, end === -1 ? sql.length : end);
      i = end === -1 ? sql.length : end;
    } else if (ch === ":" && sql[i - 1] !== ":" && /[A-Za-z_]/.test(sql[i + 1] ?? "")) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))![0];
      out += literalOf(name);
      i += 1 + name.length;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

function closing(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (quote !== "`" && sql[i] === "\\") i += 2;
    else if (sql[i] === quote) return i + 1;
    else i += 1;
  }
  throw new Error(`unterminated ${quote} in statement`);
}
