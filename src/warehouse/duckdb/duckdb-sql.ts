/** DuckDB's identifier quoting: the one place it is done for this engine (dialect and driver both use it). */
export function quoteDuckDb(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualifyDuckDb(...parts: readonly string[]): string {
  return parts.map(quoteDuckDb).join(".");
}
