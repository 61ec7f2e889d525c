/** A sortable, unique run id: `20261129T123000Z-1a2b3c`. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}
