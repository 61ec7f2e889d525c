/**
 * Notion ids as users paste them: dashed or undashed UUIDs, or a page/database URL whose last
 * path segment ends in the 32-hex id. Normalized to the API's lower-case dashed form.
 */
const HEX32 = /([0-9a-f]{32})(?![0-9a-f])/gi;
const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function dashUuid(hex32: string): string {
  const h = hex32.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Returns the dashed id, or undefined when the text holds no Notion id. */
export function parseNotionId(text: string): string | undefined {
  const trimmed = text.trim();
  if (DASHED.test(trimmed)) return trimmed.toLowerCase();
  let candidate = trimmed;
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      candidate = new URL(trimmed).pathname;
    } catch {
      return undefined;
    }
  }
  const undashed = candidate.replace(/-/g, "");
  const matches = [...undashed.matchAll(HEX32)];
  const last = matches.at(-1);
  return last?.[1] ? dashUuid(last[1]) : undefined;
}
