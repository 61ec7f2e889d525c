import type { Rng } from "../core/rng.js";
import { DAY_MS, floorToMinute, isoDate, MINUTE_MS, SEED_EPOCH_MS } from "../core/time.js";
import type { DataSourceRecord, PageRecord, UserRecord } from "../model/types.js";
import type { DatabaseKey } from "./schemas.js";

/** Everything a generator needs: schemas, people, the size knob. */
export interface SeedContext {
  seed: number;
  s: Record<DatabaseKey, DataSourceRecord>;
  people: UserRecord[];
  budgetLines: number;
}

/** Created/edited stamps between `maxDaysAgo` and `minDaysAgo` before the seed epoch; a quarter never edited. */
export function seededTimes(rng: Rng, minDaysAgo: number, maxDaysAgo: number): { created: number; edited: number } {
  const created = floorToMinute(SEED_EPOCH_MS - rng.int(minDaysAgo * 1440, maxDaysAgo * 1440) * MINUTE_MS);
  if (rng.chance(0.25)) return { created, edited: created };
  const edited = floorToMinute(created + rng.next() * (SEED_EPOCH_MS - created));
  return { created, edited };
}

/** A new page record (pushed onto `ds.pages`). */
export function seedPage(ds: DataSourceRecord, id: string, rng: Rng, people: UserRecord[], times: { created: number; edited: number }): PageRecord {
  const createdBy = rng.pick(people).id;
  const page: PageRecord = {
    id,
    dataSourceId: ds.id,
    createdTime: times.created,
    lastEditedTime: times.edited,
    createdBy,
    lastEditedBy: times.edited === times.created ? createdBy : rng.pick(people).id,
    inTrash: false,
    values: {},
  };
  ds.pages.push(page);
  return page;
}

/** `count` distinct people (in seeded order). */
export function somePeople(rng: Rng, people: UserRecord[], count: number): string[] {
  return rng
    .shuffle(people)
    .slice(0, count)
    .map((p) => p.id);
}

/** `YYYY-MM-DD` of the seed epoch plus `days`. */
export function epochDate(days: number): string {
  return isoDate(SEED_EPOCH_MS + days * DAY_MS);
}

export function pad3(n: number): string {
  return String(n).padStart(3, "0");
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Last day of the month of a `YYYY-MM-DD`. */
export function monthEnd(date: string): string {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return isoDate(Date.UTC(y, m, 0));
}
