/**
 * The sandbox's compact internal model. Page values are stored per property id in a small form
 * (option ids, user ids, page ids, plain strings); API JSON is materialised per response by `render/`.
 */

export const PROPERTY_TYPES = [
  "title",
  "rich_text",
  "number",
  "select",
  "multi_select",
  "status",
  "date",
  "people",
  "files",
  "checkbox",
  "url",
  "email",
  "phone_number",
  "formula",
  "relation",
  "rollup",
  "created_time",
  "created_by",
  "last_edited_time",
  "last_edited_by",
  "unique_id",
] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

/** Types whose values are computed or stamped by the sandbox, never written by clients. */
export const READ_ONLY_TYPES: ReadonlySet<PropertyType> = new Set([
  "formula",
  "rollup",
  "created_time",
  "created_by",
  "last_edited_time",
  "last_edited_by",
  "unique_id",
]);

export const ROLLUP_FUNCTIONS = [
  "count",
  "count_values",
  "empty",
  "not_empty",
  "unique",
  "show_unique",
  "percent_empty",
  "percent_not_empty",
  "sum",
  "average",
  "median",
  "min",
  "max",
  "range",
  "earliest_date",
  "latest_date",
  "date_range",
  "checked",
  "unchecked",
  "percent_checked",
  "percent_unchecked",
  "count_per_group",
  "percent_per_group",
  "show_original",
] as const;
export type RollupFunction = (typeof ROLLUP_FUNCTIONS)[number];

export const COLORS = ["default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"] as const;

export interface SelectOption {
  id: string;
  name: string;
  color: string;
  description: string | null;
}

export interface StatusGroup {
  id: string;
  name: string;
  color: string;
  option_ids: string[];
}

/** Built-in formulas the sandbox can evaluate; `custom` (added through the API) evaluates to `unsupported`. */
export type FormulaKind = "difference" | "greater" | "health" | "minus_days" | "days_late" | "product" | "custom";

export interface FormulaConfig {
  kind: FormulaKind;
  /** Property ids the formula reads, in the kind's argument order. */
  refs: string[];
  /** Extra numeric argument (e.g. days for `minus_days`). */
  param?: number;
  /** Expression text for `custom` formulas. */
  expression?: string;
}

export interface RelationConfig {
  dataSourceId: string;
  /** The property id on the other side for a dual relation; null for a single-property relation. */
  syncedPropertyId: string | null;
}

export interface RollupConfig {
  fn: RollupFunction;
  relationPropertyId: string;
  rollupPropertyId: string;
}

/** One property of a data source schema. Ids are stable across renames. */
export interface PropertySchema {
  id: string;
  name: string;
  type: PropertyType;
  description: string | null;
  numberFormat?: string;
  options?: SelectOption[];
  groups?: StatusGroup[];
  formula?: FormulaConfig;
  relation?: RelationConfig;
  rollup?: RollupConfig;
  prefix?: string | null;
  /** unique_id only: the number the next created page gets (computed lazily when absent). */
  nextNumber?: number;
}

export interface Annotations {
  bold: boolean;
  italic: boolean;
  strikethrough: boolean;
  underline: boolean;
  code: boolean;
  color: string;
}

/** A rich text item in its response form. */
export interface RichTextItem {
  type: "text" | "mention" | "equation";
  text?: { content: string; link: { url: string } | null };
  mention?: Record<string, unknown>;
  equation?: { expression: string };
  annotations: Annotations;
  plain_text: string;
  href: string | null;
}

export interface DateValue {
  start: string;
  end: string | null;
  time_zone: string | null;
}

/** A file value; for uploaded files `url` is the storage key that gets signed on every read. */
export interface FileValue {
  name: string;
  kind: "file" | "external";
  url: string;
}

/**
 * A stored value; which variant depends on the property type:
 * title/rich_text → string (one plain segment) or RichTextItem[]; number → number|null; checkbox → boolean;
 * select/status → option id|null; multi_select → option ids; people → user ids; relation → page ids;
 * date → DateValue|null; url/email/phone_number → string|null; files → FileValue[]; unique_id → number.
 * A missing key means "empty".
 */
export type StoredValue = string | RichTextItem[] | number | boolean | null | string[] | DateValue | FileValue[];

export interface PageRecord {
  id: string;
  dataSourceId: string;
  createdTime: number;
  lastEditedTime: number;
  createdBy: string;
  lastEditedBy: string;
  inTrash: boolean;
  icon?: unknown;
  cover?: unknown;
  values: Record<string, StoredValue>;
}

export interface DataSourceRecord {
  id: string;
  databaseId: string;
  /** Mapping key, e.g. `budget_lines`. */
  key: string;
  envVar: string;
  title: string;
  createdTime: number;
  lastEditedTime: number;
  createdBy: string;
  lastEditedBy: string;
  properties: PropertySchema[];
  /** Every page ever created here, in creation order (trashed ones included). */
  pages: PageRecord[];
}

export interface UserRecord {
  id: string;
  name: string;
  type: "person" | "bot";
  email: string | null;
  avatarUrl: string | null;
}
