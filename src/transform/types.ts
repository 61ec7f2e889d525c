/**
 * The transform's contract: a Notion page (as the reader yields it, relations completed) becomes
 * one bronze row (the raw version) and, unless quarantined, one silver row (typed values).
 * Pure and synchronous: no I/O, no clock (the caller passes what it needs).
 */

import { type BRONZE_COLUMNS as B, type SILVER_COLUMNS as S } from "../config/system-columns.js";
import type { UserDirectory } from "../notion/types.js";

export type { NotionPage, PropertyValue, UserDirectory } from "../notion/types.js";

/**
 * A typed column value. DECIMAL travels as a decimal string (no binary rounding), DATE as
 * `YYYY-MM-DD`, TIMESTAMP as an ISO-8601 UTC instant with milliseconds, ARRAY<STRING> as string[].
 */
export type ColumnValue = string | number | boolean | null | readonly string[];

export interface BronzeRow {
  readonly [B.pageId]: string;
  readonly [B.lastEditedTime]: string;
  /** The page object as Notion returned it, relations completed. */
  readonly [B.pageJson]: string;
  /** sha256 of the page without what Notion changes on every read (signed file URLs, expiry times). */
  readonly [B.rowHash]: string;
}

export interface SilverRow {
  readonly [S.pageId]: string;
  readonly [S.createdTime]: string;
  readonly [S.lastEditedTime]: string;
  readonly [S.url]: string;
  readonly [S.isDeleted]: boolean;
  readonly [S.deletedAt]: string | null;
  /** sha256 of the bronze hash and the typed values: equal hashes mean nothing to write. */
  readonly [S.rowHash]: string;
  /** Mapped column values by column name. */
  readonly values: Readonly<Record<string, ColumnValue>>;
}

/** Why a value was rejected by the row model. */
export type ViolationRule = "type" | "missing" | "min" | "max" | "pattern" | "values" | "range" | "future_time";

export interface Violation {
  readonly pageId: string;
  readonly column: string;
  readonly rule: ViolationRule;
  /** The offending value, shortened for storage. */
  readonly value: string | null;
  readonly message: string;
}

export interface TransformedPage {
  readonly bronze: BronzeRow;
  /** Undefined when the row is quarantined (policy `quarantine` and at least one violation). */
  readonly silver: SilverRow | undefined;
  readonly violations: readonly Violation[];
}

export const EMPTY_DIRECTORY: UserDirectory = { get: () => undefined };
