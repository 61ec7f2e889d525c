import { BRONZE_COLUMNS as B, SILVER_COLUMNS as S, type DatabaseConfig, type Settings } from "../config/index.js";
import { isNumericType } from "../config/column-type.js";
import { coerce } from "./coerce.js";
import { extractValue } from "./extract-value.js";
import { pageHash, valuesHash } from "./row-hash.js";
import { buildRowModel } from "./row-model.js";
import type { ColumnValue, NotionPage, TransformedPage, UserDirectory, Violation } from "./types.js";

/** Bumped whenever the transform's output changes for the same input: silver rows are then rewritten. */
export const TRANSFORM_VERSION = 2;

const MAX_STORED_VALUE = 500;

export interface PageTransformer {
  transform(page: NotionPage): TransformedPage;
}

/** Whether the transformer of `database` needs the workspace's user directory: a people column read as names or emails. */
export function needsUserDirectory(database: DatabaseConfig): boolean {
  return database.columns.some((c) => c.extract === "name" || c.extract === "email");
}

/**
 * Builds the transformer of one database. `propertyNames` maps each mapped property to the name it
 * has in the pages now (the same unless it was renamed in Notion; drift detection decides that).
 */
export function createTransformer(
  database: DatabaseConfig,
  policy: Settings["on_invalid"],
  users: UserDirectory,
  propertyNames: ReadonlyMap<string, string> = new Map(),
): PageTransformer {
  const model = buildRowModel(database.columns);
  const columns = database.columns.map((column) => ({
    column,
    property: propertyNames.get(column.notionProperty) ?? column.notionProperty,
    numeric: isNumericType(column.type),
  }));
  return {
    transform(page) {
      const pageJson = JSON.stringify(page);
      const bronzeHash = pageHash(pageJson);
      const values: Record<string, ColumnValue> = {};
      const violations: Violation[] = [];
      for (const { column, property, numeric } of columns) {
        const raw = page.properties[property];
        if (!raw) {
          values[column.name] = null;
          violations.push({ pageId: page.id, column: column.name, rule: "missing", value: null, message: `property "${property}" is not on the page` });
          continue;
        }
        const coerced = coerce(extractValue(raw, column.extract, users, numeric), column.type);
        if (coerced.ok) values[column.name] = coerced.value;
        else {
          values[column.name] = null;
          violations.push({ pageId: page.id, column: column.name, rule: "type", value: shorten(raw[raw.type]), message: coerced.reason });
        }
      }
      for (const issue of model.validate(values)) {
        violations.push({ pageId: page.id, column: issue.column, rule: issue.rule, value: shorten(values[issue.column]), message: issue.message });
        values[issue.column] = null;
      }
      const bronze = { [B.pageId]: page.id, [B.lastEditedTime]: page.last_edited_time, [B.pageJson]: pageJson, [B.rowHash]: bronzeHash };
      if (violations.length > 0 && policy === "quarantine") return { bronze, silver: undefined, violations };
      const deleted = page.in_trash === true || page.archived === true;
      const silver = {
        [S.pageId]: page.id,
        [S.createdTime]: page.created_time,
        [S.lastEditedTime]: page.last_edited_time,
        [S.url]: page.url,
        [S.isDeleted]: deleted,
        [S.deletedAt]: deleted ? page.last_edited_time : null,
        [S.rowHash]: valuesHash([TRANSFORM_VERSION, bronzeHash, deleted, values]),
        values,
      };
      return { bronze, silver, violations };
    },
  };
}

function shorten(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > MAX_STORED_VALUE ? `${text.slice(0, MAX_STORED_VALUE)}…` : text;
}
