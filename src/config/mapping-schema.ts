import { z } from "zod";
import { SUPPORTED_COLUMN_TYPES } from "./column-type.js";

/**
 * The zod schemas of `config/notion_mapping.yaml` as written by people (before semantic checks).
 * Objects are strict: an unknown key is a typo until proven otherwise, and typos in a finance
 * mapping must fail loudly.
 */
export const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
export const IDENTIFIER_HINT = "must be a lower-case SQL identifier ([a-z][a-z0-9_]*, at most 64 characters)";

const identifier = z.string().max(64).regex(IDENTIFIER, IDENTIFIER_HINT);

export const EXTRACTS = ["start", "end", "time_zone", "id", "name", "email", "number", "prefix", "url"] as const;
export type Extract = (typeof EXTRACTS)[number];

export const columnSchema = z.strictObject({
  notion_property: z.string().min(1, "must name a Notion property"),
  column_name: identifier,
  column_type: z
    .string({
      error: (issue) =>
        issue.input === undefined ? `is missing: a column type (${SUPPORTED_COLUMN_TYPES})` : `must be a column type (${SUPPORTED_COLUMN_TYPES}) as a string`,
    })
    .min(1, `must be a column type (${SUPPORTED_COLUMN_TYPES})`),
  required: z.boolean().optional(),
  unique: z.boolean().optional(),
  references: identifier.optional(),
  extract: z.enum(EXTRACTS).optional(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  pattern: z.string().optional(),
  values: z
    .array(z.union([z.string(), z.number(), z.boolean()]))
    .min(1)
    .optional(),
  severity: z.enum(["critical", "high", "medium", "low"]).optional(),
});
export type RawColumn = z.infer<typeof columnSchema>;

export const databaseSchema = z.strictObject({
  database_id: z.string().min(1, "must be a Notion database id or URL"),
  data_source_id: z.string().min(1).optional(),
  /** Each column is checked on its own (columnSchema), so that one bad column does not hide the others. */
  columns: z.array(z.unknown()).min(1, "must list at least one column"),
});
export type RawDatabase = z.infer<typeof databaseSchema>;

const positiveInt = z.number().int().positive();

export const settingsSchema = z
  .strictObject({
    schemas: z
      .strictObject({
        bronze: identifier.default("ppm_bronze"),
        silver: identifier.default("ppm_silver"),
        meta: identifier.default("ppm_meta"),
        gold: identifier.default("ppm_gold"),
      })
      .default({ bronze: "ppm_bronze", silver: "ppm_silver", meta: "ppm_meta", gold: "ppm_gold" }),
    /** Minutes re-read before each watermark: absorbs Notion's minute rounding and index lag. */
    lookback_minutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(5),
    /**
     * How far ahead of this machine's clock a time from Notion may be. A page stamped later is held
     * back for the run (bronze keeps it; silver and the watermark do not move for it); a watermark
     * later than this is refused as invalid state.
     */
    clock_tolerance_minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
    /** Rows per warehouse batch (one MERGE per table per batch); unset: the engine's own (DuckDB 500; Databricks by bytes). */
    batch_size: positiveInt.max(50_000).optional(),
    /** Upper bound of a batch's size as a statement carries it; a batch closes at whichever limit it reaches first. Unset: the engine's. */
    batch_max_bytes: positiveInt.optional(),
    /** How much page JSON the reader may hold ahead of the writer; unset: one batch's bytes. */
    read_ahead_max_bytes: positiveInt.optional(),
    /** What happens to a value that fails the row model: `null` it (row kept), or `quarantine` the row. */
    on_invalid: z.enum(["null", "quarantine"]).default("null"),
    /**
     * How often a database is read in full (the reconcile): pages deleted for good or no longer shared
     * are marked `_is_deleted`, and formulas and rollups are refreshed. `30m`, `12h`, `1d`, or `0` for never.
     */
    reconcile_every: z
      .string()
      .regex(/^(0|\d+\s*(m|h|d))$/, "must be a duration such as 30m, 12h or 1d (or 0 for never)")
      .default("1d"),
    /**
     * Rollups and formulas fresh after every run: when a run writes pages of one database, the pages
     * of other mapped databases with rollup or formula columns that relate to them are re-read in the
     * same run, at most `max_pages` per run (the rest wait for the reconcile).
     */
    dependent_refresh: z
      .strictObject({
        enabled: z.boolean().default(true),
        max_pages: z.number().int().min(0).max(1_000_000).default(500),
      })
      .default({ enabled: true, max_pages: 500 }),
    /** Notion query page size (1..100). */
    page_size: positiveInt.max(100).default(100),
    dq: z
      .strictObject({
        threshold: z.number().min(0).max(100).default(95),
        max_staleness_minutes: positiveInt.default(30),
        /** The worker runs the checks after every scheduled sync. */
        after_sync: z.boolean().default(true),
      })
      .default({ threshold: 95, max_staleness_minutes: 30, after_sync: true }),
  })
  // Parsed once here: `reconcile_every` as milliseconds (0: never).
  .transform((settings) => ({ ...settings, reconcileEveryMs: durationMs(settings.reconcile_every) }));
export type Settings = z.infer<typeof settingsSchema>;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `12h`, `1d` (or `0`) as milliseconds; the schema has checked the form. */
function durationMs(text: string): number {
  const match = /^(\d+)\s*([mhd])?$/.exec(text);
  return Number(match?.[1] ?? 0) * UNIT_MS[(match?.[2] ?? "m") as keyof typeof UNIT_MS];
}
