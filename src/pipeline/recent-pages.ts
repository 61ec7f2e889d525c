import type { RecentVersion } from "../state/index.js";
import { pageHash } from "../transform/index.js";
import type { NotionPage } from "../transform/types.js";

/**
 * The page versions committed recently (last_edited_time within the lookback window below the
 * watermark), kept in the watermark record so that the re-read of that window needs neither the
 * warehouse nor a completion request to know that nothing changed.
 *
 * Notion stamps `last_edited_time` to the minute, so an equal time proves an unchanged page only
 * when the stored version was read after its minute had passed by Notion's clock (the `Date` of its
 * answers; this machine's clock only where none came, less the clock tolerance): a second edit in the
 * same minute keeps the time. A version read before that keeps the hash of the page as
 * the query answered it, and counts as known only when the answer is the same again and nothing in
 * it was truncated (a relation or rollup past what a query answer carries can change unseen).
 */
export type RecentPages = Readonly<Record<string, RecentVersion>>;

/**
 * The version of a page as the recent window records it once committed. `answeredAfter` is Notion's
 * clock no later than when its answer was made (`answeredNoEarlierThan`; this machine's clock is never
 * used): settled once the page's minute and the lookback (Notion's index lag) had passed by then.
 * A trashed version is recorded as such: a restore that kept the time is not taken for it.
 */
export function recentVersion(page: NotionPage, answeredAfter: Date | undefined, lookbackMs: number): RecentVersion {
  const settled = answeredAfter !== undefined && answeredAfter.getTime() >= Date.parse(page.last_edited_time) + 60_000 + lookbackMs;
  return {
    lastEditedTime: page.last_edited_time,
    ...(settled ? {} : { answerHash: answerHash(page) }),
    ...(page.in_trash === true ? { trashed: true as const } : {}),
  };
}

/**
 * True when this answer's page is the version committed before: the same last_edited_time, read
 * after its minute had settled, or answered identically (and `complete`, nothing truncated).
 */
export function isKnown(recent: RecentPages | undefined, page: NotionPage, complete: boolean): boolean {
  const version = recent?.[page.id];
  if (version === undefined || version.lastEditedTime !== page.last_edited_time || (version.trashed === true) !== (page.in_trash === true)) return false;
  if (version.answerHash === undefined) return true;
  return complete && version.answerHash === answerHash(page);
}

/**
 * The most versions the window keeps (the newest), so that a bulk edit does not make every watermark
 * write carry thousands of ids; a page left out is compared with silver instead, which costs the
 * warehouse, never correctness (any subset of committed versions is a true window).
 */
export const RECENT_LIMIT = 2_000;

/** The window after a commit: the versions added, and only those at or after `since` kept (the newest `RECENT_LIMIT`). */
export function updateRecent(recent: RecentPages | undefined, added: Iterable<readonly [string, RecentVersion]>, since: string): RecentPages {
  const next = new Map<string, RecentVersion>();
  const from = Date.parse(since);
  for (const [id, version] of [...Object.entries(recent ?? {}), ...added]) {
    next.delete(id);
    if (Date.parse(version.lastEditedTime) >= from) next.set(id, version);
  }
  const kept = [...next].sort(([, a], [, b]) => Date.parse(b.lastEditedTime) - Date.parse(a.lastEditedTime)).slice(0, RECENT_LIMIT);
  return Object.fromEntries(kept);
}

/** Two windows hold the same versions. */
export function sameRecent(a: RecentPages | undefined, b: RecentPages | undefined): boolean {
  const entries = (r: RecentPages | undefined) => JSON.stringify(Object.entries(r ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
  return entries(a) === entries(b);
}

/** The answer's hash, blind to what Notion changes on every read (signed file URLs and their expiry). */
function answerHash(page: NotionPage): string {
  return pageHash(JSON.stringify(page)).slice(0, 32);
}
