import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { SyncError } from "../errors.js";
import { writeFileAtomic } from "./atomic-file.js";
import { fsError, parseJson, readStateFile } from "./fs-errors.js";

/**
 * `watermarks/<key>.json`: the newest last_edited_time whose pages are committed to bronze and
 * silver, with the run id, the data source id, the mapping hash and the property ids seen (to follow
 * renames). Written atomically (temp file + rename) and only after the warehouse committed.
 */
export interface Watermark {
  readonly databaseKey: string;
  readonly lastEditedTime: string;
  readonly runId: string;
  readonly dataSourceId: string;
  readonly mappingHash: string;
  /** Mapped property name → Notion property id, as of this watermark. */
  readonly propertyIds: Readonly<Record<string, string>>;
  /**
   * Set while the trash of this database has not been checked to the end: where the next trash pass
   * must start (null: from the beginning, as after an interrupted full sync). Absent: from the watermark.
   */
  readonly trashFrom?: string | null;
  /** When this database was last read in full to the end (the reconcile). */
  readonly lastFullAt?: string;
  /**
   * Every property of the data source (name → id) when it was last read in full: what the newest
   * bronze version of each page holds, so a mapping change that needs only these rebuilds silver
   * from bronze instead of reading Notion again. Absent: unknown (read in full on a mapping change).
   */
  readonly bronzeProperties?: Readonly<Record<string, string>>;
  /**
   * The page versions committed with a last_edited_time in the lookback window below this watermark
   * (page id → version): the window's re-read skips them without the warehouse (`pipeline/recent-pages.ts`).
   * Absent: none known (every page of the window is compared with silver).
   */
  readonly recent?: Readonly<Record<string, RecentVersion>>;
  readonly updatedAt: string;
}

/** A committed page version: its last_edited_time, and the hash of its query answer when read before that minute had passed. */
export interface RecentVersion {
  readonly lastEditedTime: string;
  readonly answerHash?: string;
  /** The version read from the trash. */
  readonly trashed?: true;
}

const watermarkSchema = z.object({
  databaseKey: z.string(),
  lastEditedTime: z.iso.datetime({ offset: true }),
  runId: z.string(),
  dataSourceId: z.string(),
  mappingHash: z.string(),
  propertyIds: z.record(z.string(), z.string()).default({}),
  trashFrom: z.string().nullable().optional(),
  lastFullAt: z.string().optional(),
  bronzeProperties: z.record(z.string(), z.string()).optional(),
  recent: z.record(z.string(), z.object({ lastEditedTime: z.string(), answerHash: z.string().optional(), trashed: z.literal(true).optional() })).optional(),
  updatedAt: z.string(),
});

export interface WatermarkStore {
  get(databaseKey: string): Promise<Watermark | undefined>;
  /** Where a database's watermark is kept, for messages. */
  locate(databaseKey: string): string;
  put(watermark: Watermark): Promise<void>;
  /** Forgets a watermark: the next sync of that database is a full resync. Returns whether one existed. */
  reset(databaseKey: string): Promise<boolean>;
  list(): Promise<Watermark[]>;
}

export function fileWatermarkStore(directory: string): WatermarkStore {
  const fileOf = (key: string) => join(directory, `${key}.json`);

  const get = (databaseKey: string) => readWatermark(fileOf(databaseKey), databaseKey);

  return {
    get,
    locate: fileOf,
    put: (watermark) => writeFileAtomic(fileOf(watermark.databaseKey), `${JSON.stringify(watermark, null, 2)}\n`, "write the watermark"),
    async reset(databaseKey) {
      const existed = (await get(databaseKey).catch(() => "corrupt")) !== undefined;
      await rm(fileOf(databaseKey), { force: true });
      return existed;
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(directory);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw fsError(error, "list the watermarks in", directory);
      }
      const keys = names.filter((n) => n.endsWith(".json") && !n.startsWith(".")).map((n) => n.slice(0, -5));
      const out: Watermark[] = [];
      for (const key of keys.sort()) {
        const watermark = await get(key);
        if (watermark) out.push(watermark);
      }
      return out;
    },
  };
}

/** One watermark file; undefined when absent; an unreadable one is invalid state, naming the file and the fix. */
async function readWatermark(file: string, databaseKey: string): Promise<Watermark | undefined> {
  const text = await readStateFile(file, "read the watermark");
  return text === undefined ? undefined : parseWatermark(text, databaseKey, `watermark file ${file}`);
}

/** A watermark record from its JSON text, or invalid state naming where it was and the fix. */
export function parseWatermark(text: string, databaseKey: string, where: string): Watermark {
  const parsed = watermarkSchema.safeParse(parseJson(text));
  if (!parsed.success || parsed.data.databaseKey !== databaseKey) {
    throw new SyncError(
      "state_invalid",
      `${where} is unreadable; run \`npm run watermarks -- reset --database ${databaseKey}\` to resync "${databaseKey}" in full`,
      {
        context: { databaseKey },
      },
    );
  }
  return parsed.data;
}
